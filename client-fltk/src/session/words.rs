//! The words a person reads about the session: refusals, lost connections,
//! commands that could not be done, the server's name. The state and the
//! link decide *what* happened; this module only says it. Nothing here
//! touches a socket, a thread or a widget.

use natter_core::error::ErrorCode;
use natter_core::io::IoError;

use super::types::{Command, Login};

/// How the server is named in updates: `host:port`, with an IPv6 address
/// in brackets.
pub fn server_name(login: &Login) -> String {
    if login.host.contains(':') && !login.host.starts_with('[') {
        format!("[{}]:{}", login.host, login.port)
    } else {
        format!("{}:{}", login.host, login.port)
    }
}

/// A refusal, for a person: the code's own text, naming the subject.
pub fn refusal_text(code: ErrorCode, subject: &str) -> String {
    match code {
        ErrorCode::NickTaken => format!("the nickname '{subject}' is taken; pick another"),
        ErrorCode::NoSuchNick => format!("no one called '{subject}' is online"),
        ErrorCode::NotInRoom => format!("you are not in '{subject}'; join it first"),
        ErrorCode::RoomFull => format!("the room '{subject}' is full; try again later"),
        ErrorCode::AlreadyInRoom => format!("you are already in '{subject}'"),
        _ => code.describe().to_owned(),
    }
}

/// What a command does, to say it could not be done.
pub fn describe(cmd: &Command) -> &'static str {
    match cmd {
        Command::Say { .. } => "sending a message",
        Command::Whisper { .. } => "sending a private message",
        Command::Nick(_) => "changing nickname",
        Command::Topic { .. } => "setting the topic",
        Command::Join(_) => "joining a room",
        Command::Part { .. } => "leaving a room",
        Command::Quit(_) => "leaving",
        Command::Teach(_) => "proving the teacher password",
        Command::Mode { .. } => "changing the room's settings",
        Command::Kick { .. } => "putting someone out of the room",
        Command::Invite { .. } => "inviting someone",
        Command::Redact { .. } => "removing a message",
    }
}

/// A connection that worked and then failed to read, in words.
pub fn lost_reason(e: &IoError<std::io::Error>) -> String {
    match e {
        IoError::Closed { .. } => "the server closed the connection".into(),
        IoError::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            "the server stopped answering".into()
        }
        IoError::Decode(e) => format!("the server sent something unreadable ({e})"),
        other => other.to_string(),
    }
}

/// The server said goodbye for a reason other than our `Quit`: why we
/// are reconnecting. `reason` is the teacher's message, or the server's
/// own "the server is shutting down".
pub fn bye_reason(code: ErrorCode, reason: &str) -> String {
    match code {
        ErrorCode::ShuttingDown if reason.is_empty() => "the server is shutting down".into(),
        ErrorCode::ShuttingDown => reason.to_owned(),
        code => format!("the server closed the connection: {}", code.describe()),
    }
}

/// The session ended because we asked it to.
pub const YOU_LEFT: &str = "You left the chat.";

/// A line typed while the connection is down.
pub const NOT_SENT_OFFLINE: &str =
    "not sent: the connection is down; send it again once reconnected";

/// A line sent just before the connection dropped that the replay after
/// resuming did not show.
pub const NOT_DELIVERED: &str =
    "not delivered: the connection dropped before the server got it; send it again";

/// Another command while the connection is down.
pub fn not_done_offline(cmd: &Command) -> String {
    format!("not done while the connection is down: {}", describe(cmd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_their_subject() {
        assert_eq!(
            refusal_text(ErrorCode::NickTaken, "bob"),
            "the nickname 'bob' is taken; pick another"
        );
        assert_eq!(
            refusal_text(ErrorCode::NotInRoom, "maths"),
            "you are not in 'maths'; join it first"
        );
        assert_eq!(
            refusal_text(ErrorCode::BadText, "x"),
            ErrorCode::BadText.describe()
        );
    }

    #[test]
    fn ipv6_servers_are_bracketed() {
        let login = |host: &str| Login {
            host: host.into(),
            port: 5555,
            nick: "ann".into(),
            password: String::new(),
            room: None,
            teacher_password: String::new(),
        };
        assert_eq!(server_name(&login("::1")), "[::1]:5555");
        assert_eq!(server_name(&login("[::1]")), "[::1]:5555");
        assert_eq!(server_name(&login("school.lan")), "school.lan:5555");
    }

    #[test]
    fn losses_and_goodbyes_in_words() {
        let timed_out = IoError::Io(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(lost_reason(&timed_out), "the server stopped answering");
        assert_eq!(
            lost_reason(&IoError::Closed { mid_frame: false }),
            "the server closed the connection"
        );
        assert_eq!(
            bye_reason(ErrorCode::ShuttingDown, ""),
            "the server is shutting down"
        );
        assert_eq!(
            bye_reason(ErrorCode::ShuttingDown, "lesson over"),
            "lesson over"
        );
    }
}

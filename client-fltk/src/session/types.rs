//! What the UI and the network thread say to each other: [`Command`]s go
//! to the session, [`Update`]s come back. Everything here is owned and
//! `Send`; nothing here touches bytes or widgets.

use std::fmt;
use std::time::Duration;

use natter_core::error::ErrorCode;

/// Where to connect and who to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// Host name or address of the server.
    pub host: String,
    /// Its port (natter's default is 5555).
    pub port: u16,
    /// The nickname to ask for.
    pub nick: String,
    /// The room password; empty when the server has none.
    pub password: String,
    /// The room to join; `None` joins the server's lobby.
    pub room: Option<String>,
    /// The teacher password, proved right after every hello (so a teacher
    /// who reconnects is the teacher again); empty for a student.
    pub teacher_password: String,
}

/// A request from the UI. The session never blocks the caller: commands
/// are queued and answered with [`Update`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Say `text` in `room`. `tag` is the UI's own non-zero number for the
    /// line: the answer is [`Update::Acked`] or [`Update::Refused`] with it.
    Say {
        tag: u32,
        room: String,
        text: String,
        action: bool,
    },
    /// A private message, answered like `Say` (with an empty room).
    Whisper {
        tag: u32,
        to: String,
        text: String,
        action: bool,
    },
    /// Change nickname: [`Update::NickSet`] or [`Update::Refused`].
    Nick(String),
    /// Set (or with an empty string, clear) a room's topic.
    Topic { room: String, topic: String },
    /// Join a room: [`Update::Entered`] or [`Update::Refused`].
    Join(String),
    /// Leave a room: [`Update::Left`].
    Part { room: String, reason: String },
    /// Say goodbye and end the session: [`Update::Closed`] follows.
    Quit(String),
    /// Prove the teacher password: [`Update::Teacher`] or
    /// [`Update::Refused`]. Remembered, and proved again after a reconnect.
    Teach(String),
    /// Set (`add: Some(true)`) or take away (`Some(false)`) mode `mode` of
    /// `room` with `arg`, or (`None`) ask: [`Update::RoomModes`] for mode
    /// `'\0'`, [`Update::Listed`] for `'b'`. PROTOCOL.md §5.8 lists the modes.
    Mode {
        room: String,
        add: Option<bool>,
        mode: char,
        arg: String,
    },
    /// Put `nick` out of `room`, telling them why.
    Kick {
        room: String,
        nick: String,
        reason: String,
    },
    /// Let `nick` into `room` although it is invite-only.
    Invite { room: String, nick: String },
    /// Remove message `id` of `room` from every window and the history.
    Redact {
        room: String,
        id: u64,
        reason: String,
    },
}

/// Why connecting failed, in terms a person can act on. [`fmt::Display`]
/// says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectError {
    /// Nothing listens on that port at that address.
    Refused,
    /// The host name does not resolve.
    UnknownHost,
    /// No answer in time (wrong address, or a firewall).
    Timeout,
    /// Someone online has this nickname.
    NickTaken(String),
    /// The nickname breaks a rule; the text says which.
    BadNick(&'static str),
    /// The room password is wrong or missing.
    BadPassword,
    /// The room name breaks a rule; the text says which.
    BadRoom(&'static str),
    /// The room (or the server) is full.
    RoomFull,
    /// The server speaks another protocol version.
    Version,
    /// The server refused for another reason.
    Server(ErrorCode),
    /// The other end is not a natter server, or broke the protocol.
    Protocol(String),
    /// Any other network error.
    Network(String),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Refused => f.write_str(
                "No natter server answers at that address and port. \
                 Check both with your teacher, and that the server is running.",
            ),
            ConnectError::UnknownHost => f.write_str(
                "That computer name is unknown on this network. \
                 Check the spelling, or type the address as numbers (like 192.168.1.20).",
            ),
            ConnectError::Timeout => f.write_str(
                "The server did not answer in time. Check the address, \
                 and that both computers are on the same network.",
            ),
            ConnectError::NickTaken(nick) => {
                write!(f, "The nickname '{nick}' is taken. Pick another one.")
            }
            ConnectError::BadNick(rule) => write!(f, "That nickname cannot be used: {rule}."),
            ConnectError::BadPassword => {
                f.write_str("Wrong room password. Ask your teacher for it.")
            }
            ConnectError::BadRoom(rule) => write!(f, "That room name cannot be used: {rule}."),
            ConnectError::RoomFull => {
                f.write_str("The room is full. Try again later, or pick another room.")
            }
            ConnectError::Version => f.write_str(
                "This natter is too old or too new for the server. \
                 Use the same version as your teacher.",
            ),
            ConnectError::Server(code) => write!(f, "The server refused: {}.", code.describe()),
            ConnectError::Protocol(what) => write!(
                f,
                "That address answers, but not as a natter server ({what}). Check the port."
            ),
            ConnectError::Network(what) => write!(f, "Could not connect: {what}."),
        }
    }
}

impl std::error::Error for ConnectError {}

/// What happened in a room, as members are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Message {
        from: String,
        text: String,
        action: bool,
    },
    Joined {
        nick: String,
    },
    Parted {
        nick: String,
        /// It quit (or lost its connection) rather than leaving this room.
        quit: bool,
        reason: String,
    },
    NickChanged {
        old: String,
        new: String,
    },
    Topic {
        by: String,
        topic: String,
    },
    /// `by` set (`add`) or took away mode `mode` with `arg`; `'T'`: `arg`
    /// proved the teacher password.
    Mode {
        by: String,
        add: bool,
        mode: char,
        arg: String,
    },
    /// `by` put `nick` out of the room.
    Kicked {
        by: String,
        nick: String,
        reason: String,
    },
    /// `by` removed message `target` (which `from` wrote).
    Redacted {
        by: String,
        target: u64,
        from: String,
        reason: String,
    },
}

/// What a removed message shows instead of its words.
pub const REMOVED: &str = "(removed by the teacher)";

/// One room event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomEvent {
    pub room: String,
    /// The room's event id.
    pub id: u64,
    /// Server time, milliseconds since the Unix epoch.
    pub time: u64,
    /// `false` for history replayed on joining (it happened before the
    /// member list in [`Update::Members`] was taken, so it must not change
    /// that list).
    pub live: bool,
    pub kind: EventKind,
}

/// Something the UI should show. Sent in order; the session wakes the UI
/// after each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Trying to connect (attempt 1 is the first try).
    Connecting { server: String, attempt: u32 },
    /// Welcomed. `max_text` is the longest text the server takes, in bytes.
    Connected {
        nick: String,
        server: String,
        max_text: usize,
    },
    /// The first connection failed: nothing is retried. Show it on the
    /// connect page.
    Failed(ConnectError),
    /// The connection dropped after it had worked; the next try is in
    /// `retry_in`. The session resumes every room it was in.
    Lost { reason: String, retry_in: Duration },
    /// In a room now. `resumed` after a reconnect.
    Entered {
        room: String,
        topic: String,
        resumed: bool,
    },
    /// The room's complete member list, in joining order, with each
    /// one's role bits (`natter_core::wire::ROLE_*`).
    Members {
        room: String,
        nicks: Vec<String>,
        roles: Vec<u8>,
    },
    /// You proved the teacher password.
    Teacher,
    /// A room's modes: on joining a room with controls on, or asked for.
    RoomModes {
        room: String,
        /// The on/off modes' letters (`mt`...).
        modes: String,
        limit: u16,
        slow: u16,
        key: String,
    },
    /// One ban or mute of `room`'s list, asked for; an empty `mask` ends it.
    Listed { room: String, mask: String },
    /// `by` invited `nick` to `room` (one of them is you).
    Invited {
        room: String,
        by: String,
        nick: String,
    },
    /// A room event.
    Event(RoomEvent),
    /// A private message.
    Private {
        time: u64,
        from: String,
        text: String,
        action: bool,
    },
    /// The server took the `Say` or `Whisper` with this tag.
    Acked { tag: u32, id: u64, time: u64 },
    /// `missed` events of `room` could not be sent in time (PROTOCOL.md's
    /// `Gap`).
    Gap { room: String, missed: u64 },
    /// Out of a room.
    Left { room: String },
    /// Your nickname is now this.
    NickSet { nick: String },
    /// A request was refused; `tag` is the line's tag for a `Say` or
    /// `Whisper`, 0 otherwise. `message` is for a person.
    Refused {
        tag: u32,
        code: ErrorCode,
        subject: String,
        message: String,
    },
    /// The session is over (after `Quit`, or the server said goodbye for
    /// good). Nothing follows.
    Closed { reason: String },
}

//! What a line typed into the input means: something to say, a command
//! for the server, or something the window does itself (`/help`,
//! `/save`). Plain logic, no widgets: the UI turns an [`Input`] into
//! [`Command`](crate::session::Command)s with its own tags and room.

use crate::names::{nick_problem, room_problem};

/// Longest part or quit reason the protocol carries (its *short* rule).
pub const MAX_REASON: usize = 255;

/// The smallest `max_text` we split to: every UTF-8 character fits in 4
/// bytes, so a piece is never empty even if a server announced less.
const MIN_PIECE: usize = 4;

/// Shown for `/help` and after an unknown command.
pub const HELP: &str = "Commands: /me action · /msg nick text (private, in a view of its own) · \
/query nick (opens it) · /close (leaves the room, or closes the private view) · /nick newname · \
/topic text (alone: clears it) · /join room · /part [#room] [reason] · /quit [reason] · \
/save [file] (transcript) · /hand (raise your hand) · /help. \
Teachers and operators: /oper password (or /teacher: become the teacher) · /mute nick [everywhere] · /unmute nick · \
/voice nick (give the word) · /devoice nick · /kick nick [reason] · /ban nick (or @nick: their address) · /unban · \
/bans · /op nick (co-teacher) · /deop nick · /invite nick · /remove [nick] (their last message) · \
/settings · /mode [+-modes] [args]: \
m moderated, t topic lock, i invite only, N nicknames locked, P no private messages between students, \
S seconds (slow mode), l number (limit), k key. Right-click someone in the member list for the same. \
Alt+1…9 or Ctrl+PageUp/PageDown switch rooms. Start a line with // to send a line that begins with /.";

/// The meaning of one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Nothing to do (an empty line).
    Nothing,
    /// Say this in the selected view (a room, or privately to the other
    /// person of a private view), as one message per piece (each fits the
    /// server's `max_text`).
    Say { pieces: Vec<String>, action: bool },
    /// A private message to `to`, piece by piece.
    Whisper { to: String, pieces: Vec<String> },
    /// Open (or show) the private view with this person.
    Query(String),
    /// Ask for another nickname.
    Nick(String),
    /// Set the selected room's topic; empty clears it.
    Topic(String),
    /// Join (and switch to) a room.
    Join(String),
    /// Leave a room: the one named (`/part #maths`), or the selected one.
    Part {
        room: Option<String>,
        reason: String,
    },
    /// Leave the selected room, or close the selected private view.
    Close,
    /// Say goodbye and close the window.
    Quit(String),
    /// Write the transcript: to this file, or ask where.
    Save(Option<String>),
    /// Show this to the user and send nothing (help, or what was wrong).
    Info(String),
    /// A teacher's or operator's controls for the selected room, in order.
    Controls(Vec<Control>),
    /// Prove the teacher password.
    Teach(String),
    /// Raise your hand in the selected room.
    RaiseHand,
    /// Open the selected room's settings.
    RoomSettings,
    /// Remove the last message of the selected room (by this person).
    Remove(Option<String>),
    /// Mute this person in every room you run.
    MuteEverywhere(String),
}

/// One of a teacher's or operator's controls, for the selected room
/// (PROTOCOL.md §5.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Set (`Some(true)`), take away (`Some(false)`) or ask (`None`) a mode.
    Mode {
        add: Option<bool>,
        mode: char,
        arg: String,
    },
    Kick {
        nick: String,
        reason: String,
    },
    Invite {
        nick: String,
    },
}

fn mode(add: Option<bool>, mode: char, arg: &str) -> Control {
    Control::Mode {
        add,
        mode,
        arg: arg.to_owned(),
    }
}

/// Parse one line typed by the user. `max_text` is the longest text the
/// server takes, in bytes (from `Update::Connected`).
pub fn parse(line: &str, max_text: usize) -> Input {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Input::Nothing;
    }
    if let Some(literal) = line.strip_prefix("//") {
        // "//etc" sends "/etc": the doubled slash escapes a command.
        return say(&format!("/{literal}"), max_text, false);
    }
    let Some(command_line) = line.strip_prefix('/') else {
        return say(line, max_text, false);
    };
    let (name, rest) = match command_line.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (command_line, ""),
    };
    match name.to_ascii_lowercase().as_str() {
        "me" if rest.is_empty() => usage("/me waves  (shows as: * you waves)"),
        "me" => say(rest, max_text, true),
        "query" if !rest.contains(char::is_whitespace) => query(rest),
        "msg" | "query" | "whisper" => whisper(rest, max_text),
        "nick" => nick(rest),
        "topic" => topic(rest, max_text),
        "join" => join(rest),
        "part" | "leave" => part(rest),
        "close" => Input::Close,
        "quit" | "exit" => Input::Quit(reason(rest)),
        "save" => Input::Save((!rest.is_empty()).then(|| rest.to_owned())),
        "help" | "?" => Input::Info(HELP.to_owned()),
        "oper" | "teacher" => teach(rest),
        "hand" | "raise" => Input::RaiseHand,
        "settings" => Input::RoomSettings,
        "remove" | "redact" => Input::Remove(rest.split_whitespace().next().map(str::to_owned)),
        "mode" => modes(rest),
        "bans" => Input::Controls(vec![mode(None, 'b', "")]),
        "mute" | "unmute" | "ban" | "unban" | "voice" | "devoice" | "op" | "deop" | "invite" => {
            on_member(&name.to_ascii_lowercase(), rest)
        }
        "kick" => kick(rest),
        _ => Input::Info(format!("There is no command /{name}. {HELP}")),
    }
}

/// `/oper password`, or IRC's `/oper name password`.
fn teach(rest: &str) -> Input {
    match rest.split_whitespace().last() {
        Some(password) => Input::Teach(password.to_owned()),
        None => usage("/oper the-teacher-password"),
    }
}

/// A control that names one member: `/mute bob`, `/voice bob`...
fn on_member(command: &str, rest: &str) -> Input {
    let nick = rest.split_whitespace().next().unwrap_or("");
    if nick.is_empty() {
        return usage(&format!("/{command} bob"));
    }
    if command == "mute" && rest.split_whitespace().nth(1) == Some("everywhere") {
        return Input::MuteEverywhere(nick.to_owned());
    }
    let control = match command {
        "mute" => mode(Some(true), 'b', &format!("m:{nick}")),
        "unmute" => mode(Some(false), 'b', &format!("m:{nick}")),
        "ban" => mode(Some(true), 'b', nick),
        "unban" => mode(Some(false), 'b', nick),
        "voice" => mode(Some(true), 'v', nick),
        "devoice" => mode(Some(false), 'v', nick),
        "op" => mode(Some(true), 'o', nick),
        "deop" => mode(Some(false), 'o', nick),
        _ => Control::Invite {
            nick: nick.to_owned(),
        },
    };
    Input::Controls(vec![control])
}

/// `/kick bob [reason]`.
fn kick(rest: &str) -> Input {
    let (nick, why) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if nick.is_empty() {
        return usage("/kick bob please calm down");
    }
    Input::Controls(vec![Control::Kick {
        nick: nick.to_owned(),
        reason: reason(why.trim()),
    }])
}

/// `/mode` (what is set), or `/mode +mv-o bob cat`: one change per letter,
/// parameters taken in order by `o`, `v`, `b` and, when set, `k`, `l`, `S`.
fn modes(rest: &str) -> Input {
    let mut words = rest.split_whitespace();
    let Some(changes) = words.next() else {
        return Input::Controls(vec![mode(None, '\0', "")]);
    };
    if !changes.starts_with(['+', '-']) {
        return usage("/mode +m  or  /mode +v bob  or  /mode -S");
    }
    let mut add = true;
    let mut controls = Vec::new();
    for letter in changes.chars() {
        match letter {
            '+' => add = true,
            '-' => add = false,
            'o' | 'v' | 'b' => match words.next() {
                Some(arg) => controls.push(mode(Some(add), letter, arg)),
                None if letter == 'b' => controls.push(mode(None, 'b', "")),
                None => {
                    return usage(&format!(
                        "/mode {}{letter} bob",
                        if add { '+' } else { '-' }
                    ));
                }
            },
            'k' | 'l' | 'S' if add => match words.next() {
                Some(arg) => controls.push(mode(Some(true), letter, arg)),
                None => {
                    return usage(&format!(
                        "/mode +{letter} {}",
                        if letter == 'k' { "secret" } else { "30" }
                    ));
                }
            },
            other => controls.push(mode(Some(add), other, "")),
        }
    }
    Input::Controls(controls)
}

fn usage(example: &str) -> Input {
    Input::Info(format!("Type it like this: {example}"))
}

fn say(text: &str, max_text: usize, action: bool) -> Input {
    let pieces = split_text(text, max_text);
    if pieces.is_empty() {
        return Input::Nothing;
    }
    Input::Say { pieces, action }
}

fn whisper(rest: &str, max_text: usize) -> Input {
    let Some((to, text)) = rest.split_once(char::is_whitespace) else {
        return usage("/msg bob see you at lunch");
    };
    if let Some(problem) = nick_problem(to) {
        return Input::Info(format!("'{to}' cannot be a nickname: {problem}."));
    }
    let pieces = split_text(text.trim(), max_text);
    if pieces.is_empty() {
        return usage("/msg bob see you at lunch");
    }
    Input::Whisper {
        to: to.to_owned(),
        pieces,
    }
}

fn query(nick: &str) -> Input {
    if nick.is_empty() {
        return usage("/query bob  (then type to bob alone)");
    }
    match nick_problem(nick) {
        Some(problem) => Input::Info(format!("'{nick}' cannot be a nickname: {problem}.")),
        None => Input::Query(nick.to_owned()),
    }
}

/// `/part`, `/part reason` or, as IRC has it, `/part #room reason`.
fn part(rest: &str) -> Input {
    let Some(named) = rest.strip_prefix('#') else {
        return Input::Part {
            room: None,
            reason: reason(rest),
        };
    };
    let (room, rest) = named.split_once(char::is_whitespace).unwrap_or((named, ""));
    match room_problem(room) {
        Some(problem) => Input::Info(format!("That room name cannot be used: {problem}.")),
        None => Input::Part {
            room: Some(room.to_owned()),
            reason: reason(rest.trim()),
        },
    }
}

fn nick(rest: &str) -> Input {
    if rest.is_empty() {
        return usage("/nick newname");
    }
    match nick_problem(rest) {
        Some(problem) => Input::Info(format!("That nickname cannot be used: {problem}.")),
        None => Input::Nick(rest.to_owned()),
    }
}

fn topic(rest: &str, max_text: usize) -> Input {
    let topic = clean(rest);
    if topic.len() > max_text {
        return Input::Info(format!(
            "That topic is too long ({} bytes; the server takes {max_text}). Shorten it.",
            topic.len()
        ));
    }
    Input::Topic(topic)
}

fn join(rest: &str) -> Input {
    // Accept IRC habits: "/join #maths" means the room "maths".
    let room = rest.strip_prefix('#').unwrap_or(rest);
    if room.is_empty() {
        return usage("/join maths");
    }
    match room_problem(room) {
        Some(problem) => Input::Info(format!("That room name cannot be used: {problem}.")),
        None => Input::Join(room.to_owned()),
    }
}

/// A part or quit reason, cleaned and cut to what the protocol carries.
fn reason(rest: &str) -> String {
    let mut reason = clean(rest);
    reason.truncate(floor_char_boundary(&reason, MAX_REASON));
    reason
}

/// `text` without the characters the protocol refuses (NUL, CR, LF).
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\0' | '\r' | '\n'))
        .collect()
}

/// Split `text` into messages of at most `max_bytes` bytes each: one per
/// line of a pasted text, and a long line at the last space that fits (or
/// at the last character boundary when a word alone is too long). A
/// character is never cut, nothing but the split spaces is dropped, and
/// blank lines are skipped.
pub fn split_text(text: &str, max_bytes: usize) -> Vec<String> {
    let max = max_bytes.max(MIN_PIECE);
    let mut pieces = Vec::new();
    for line in text.split(['\n', '\r']) {
        let mut rest = line.trim_end().replace('\0', "");
        while rest.len() > max {
            let limit = floor_char_boundary(&rest, max);
            // A cut at a space in the first half would make a tiny
            // message; then the word is cut instead.
            // (A space is one byte, so searching bytes cannot split a
            // character; a space right at `limit` ends a piece that fits.)
            let space = rest.as_bytes()[..=limit].iter().rposition(|&b| b == b' ');
            let cut = match space {
                Some(space) if space > 0 && space >= limit / 2 => space,
                _ => limit,
            };
            let tail = rest[cut..]
                .strip_prefix(' ')
                .unwrap_or(&rest[cut..])
                .to_owned();
            rest.truncate(cut);
            pieces.push(std::mem::replace(&mut rest, tail));
        }
        if !rest.trim().is_empty() {
            pieces.push(rest);
        }
    }
    pieces
}

/// The largest character boundary of `s` at or below `index`.
fn floor_char_boundary(s: &str, index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    (0..=index)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {

    #[test]
    fn controls_parse_into_one_change_each() {
        let m = |add, mode, arg: &str| Control::Mode {
            add,
            mode,
            arg: arg.to_owned(),
        };
        let cases = [
            ("/mute bob", vec![m(Some(true), 'b', "m:bob")]),
            ("/unmute bob", vec![m(Some(false), 'b', "m:bob")]),
            ("/voice bob", vec![m(Some(true), 'v', "bob")]),
            ("/ban @bob", vec![m(Some(true), 'b', "@bob")]),
            ("/bans", vec![m(None, 'b', "")]),
            ("/mode", vec![m(None, '\0', "")]),
            (
                "/mode +mv-o bob cat",
                vec![
                    m(Some(true), 'm', ""),
                    m(Some(true), 'v', "bob"),
                    m(Some(false), 'o', "cat"),
                ],
            ),
            (
                "/mode +Sl-k 5 30",
                vec![
                    m(Some(true), 'S', "5"),
                    m(Some(true), 'l', "30"),
                    m(Some(false), 'k', ""),
                ],
            ),
            (
                "/kick bob calm down",
                vec![Control::Kick {
                    nick: "bob".into(),
                    reason: "calm down".into(),
                }],
            ),
            ("/invite cat", vec![Control::Invite { nick: "cat".into() }]),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line, 512), Input::Controls(want), "{line}");
        }
        assert_eq!(
            parse("/oper teacher chalk", 512),
            Input::Teach("chalk".into())
        );
        assert_eq!(parse("/teacher chalk", 512), Input::Teach("chalk".into()));
        assert_eq!(parse("/hand", 512), Input::RaiseHand);
        for line in ["/mute", "/kick", "/mode m", "/mode +l", "/oper"] {
            assert!(matches!(parse(line, 512), Input::Info(_)), "{line}");
        }
    }
    use super::*;

    fn say1(text: &str) -> Input {
        Input::Say {
            pieces: vec![text.to_owned()],
            action: false,
        }
    }

    #[test]
    fn lines_table() {
        let cases: &[(&str, Input)] = &[
            ("", Input::Nothing),
            ("   ", Input::Nothing),
            ("hello", say1("hello")),
            ("//etc/passwd", say1("/etc/passwd")),
            ("// spaced", say1("/ spaced")),
            (
                "/me waves",
                Input::Say {
                    pieces: vec!["waves".into()],
                    action: true,
                },
            ),
            (
                "/msg bob hi there",
                Input::Whisper {
                    to: "bob".into(),
                    pieces: vec!["hi there".into()],
                },
            ),
            ("/nick zoë", Input::Nick("zoë".into())),
            ("/topic fractions", Input::Topic("fractions".into())),
            ("/topic", Input::Topic(String::new())),
            ("/join maths", Input::Join("maths".into())),
            ("/join #maths", Input::Join("maths".into())),
            (
                "/part",
                Input::Part {
                    room: None,
                    reason: String::new(),
                },
            ),
            (
                "/part lunch time",
                Input::Part {
                    room: None,
                    reason: "lunch time".into(),
                },
            ),
            (
                "/part #maths see you",
                Input::Part {
                    room: Some("maths".into()),
                    reason: "see you".into(),
                },
            ),
            (
                "/part #maths",
                Input::Part {
                    room: Some("maths".into()),
                    reason: String::new(),
                },
            ),
            ("/close", Input::Close),
            ("/query bob", Input::Query("bob".into())),
            (
                "/query bob hi",
                Input::Whisper {
                    to: "bob".into(),
                    pieces: vec!["hi".into()],
                },
            ),
            ("/quit bye all", Input::Quit("bye all".into())),
            ("/QUIT", Input::Quit(String::new())),
            ("/save", Input::Save(None)),
            ("/save /tmp/t.txt", Input::Save(Some("/tmp/t.txt".into()))),
            ("/help", Input::Info(HELP.into())),
        ];
        for (line, want) in cases {
            assert_eq!(&parse(line, 512), want, "line {line:?}");
        }
    }

    #[test]
    fn mistakes_explain_themselves() {
        let info = |line: &str| match parse(line, 512) {
            Input::Info(text) => text,
            other => panic!("{line:?} gave {other:?}"),
        };
        assert!(info("/frobnicate").starts_with("There is no command /frobnicate."));
        assert!(info("/frobnicate").contains("/help"));
        assert!(info("/me").contains("/me waves"));
        assert!(info("/msg bob").contains("/msg bob"));
        assert!(info("/msg 2bob hi").contains("not a digit"));
        assert!(info("/nick").contains("/nick newname"));
        assert!(info("/nick two words").contains("spaces"));
        assert!(info("/join").contains("/join maths"));
        assert!(info("/join a.b").contains("letters, digits"));
        assert!(info("/query").contains("/query bob"));
        assert!(info("/query 2bob").contains("not a digit"));
        assert!(info("/part #a.b").contains("letters, digits"));
        match parse(&format!("/topic {}", "x".repeat(20)), 10) {
            Input::Info(text) => assert!(text.contains("too long"), "{text}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_text_splits_at_spaces_and_never_inside_a_character() {
        let text = "aaaa bbbb cccc";
        assert_eq!(split_text(text, 9), ["aaaa bbbb", "cccc"]);
        assert_eq!(split_text(text, 10), ["aaaa bbbb", "cccc"]);
        // No space: cut at a character boundary. "é" is 2 bytes.
        let accents = "é".repeat(10);
        let pieces = split_text(&accents, 5);
        assert!(pieces.iter().all(|p| p.len() <= 5 && !p.is_empty()));
        assert_eq!(pieces.concat(), accents);
        // Emoji are 4 bytes; a limit below that still makes progress.
        let emoji = "😀😀😀";
        assert_eq!(split_text(emoji, 1), ["😀", "😀", "😀"]);
    }

    #[test]
    fn split_keeps_every_word() {
        let text: String = (0..500).map(|i| format!("word{i} ")).collect();
        for max in [7, 16, 100, 512] {
            let pieces = split_text(&text, max);
            assert!(pieces.iter().all(|p| p.len() <= max.max(MIN_PIECE)));
            let rejoined: Vec<&str> = pieces.iter().flat_map(|p| p.split(' ')).collect();
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(rejoined.concat(), words.concat(), "max {max}");
        }
    }

    #[test]
    fn pasted_lines_become_messages() {
        assert_eq!(
            split_text("one\ntwo\r\n\nthree", 512),
            ["one", "two", "three"]
        );
        assert_eq!(parse("/quit a\0b", 512), Input::Quit("ab".into()));
        let long_reason = "é".repeat(200);
        match parse(&format!("/part {long_reason}"), 512) {
            Input::Part { room: None, reason } => {
                assert!(reason.len() <= MAX_REASON && long_reason.starts_with(&reason));
            }
            other => panic!("{other:?}"),
        }
    }
}

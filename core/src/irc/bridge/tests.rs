//! The bridge on its own: lines in, frames and lines out.

extern crate std;

use std::collections::BTreeMap;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use super::*;
use crate::error::ErrorCode;
use crate::irc::MAX_LINE;
use crate::wire::{FLAG_ACTION, FLAG_NOTICE, FLAG_QUIT, NickList, VERSION};

/// The hub's state as a test sets it: rooms with members and a topic,
/// and who is online (everyone in a room, and anyone `online` adds).
#[derive(Default)]
struct Dir {
    rooms: BTreeMap<String, (Vec<String>, String)>,
    people: BTreeMap<String, (String, String, Option<String>)>,
    peak: usize,
}

impl Dir {
    fn set(&mut self, room: &str, members: &[&str], topic: &str) {
        for m in members {
            if !self.people.contains_key(*m) {
                self.online(m, m, "natter");
            }
        }
        let members = members.iter().map(ToString::to_string).collect();
        self.rooms
            .insert(room.to_string(), (members, topic.to_string()));
    }

    /// `nick` is online with this username and real name.
    fn online(&mut self, nick: &str, user: &str, realname: &str) {
        self.people.insert(
            nick.to_string(),
            (user.to_string(), realname.to_string(), None),
        );
        self.peak = self.peak.max(self.people.len());
    }

    fn key(&self, nick: &str) -> Option<&String> {
        // Exactly first: a WHO of 2,000 members looks up 500 of them, and
        // a scan each is slow under Miri.
        match self.people.get_key_value(nick) {
            Some((key, _)) => Some(key),
            None => self.people.keys().find(|k| same_name(k, nick)),
        }
    }
}

impl Directory for Dir {
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str, u8)) {
        for m in self.rooms.get(room).map(|r| &r.0).into_iter().flatten() {
            each(m, 0);
        }
    }

    fn room_name(&self, room: &str) -> Option<&str> {
        self.rooms
            .keys()
            .find(|k| same_name(k, room))
            .map(String::as_str)
    }

    fn topic(&self, room: &str) -> Option<&str> {
        self.rooms.get(room).map(|r| r.1.as_str())
    }

    fn person(&self, nick: &str) -> Option<Person<'_>> {
        let key = self.key(nick)?;
        let (user, realname, away) = &self.people[key];
        Some(Person {
            nick: key,
            user,
            realname,
            away: away.as_deref(),
            signon: 1_700_000_000,
            idle: 42,
            teacher: false,
        })
    }

    fn each_person(&self, each: &mut dyn FnMut(&str)) {
        self.people.keys().for_each(|k| each(k));
    }

    fn each_room_of(&self, nick: &str, each: &mut dyn FnMut(&str, u8)) {
        for (room, (members, _)) in &self.rooms {
            if members.iter().any(|m| same_name(m, nick)) {
                each(room, 0);
            }
        }
    }

    fn census(&self) -> crate::room::Census {
        crate::room::Census {
            welcomed: self.people.len(),
            greeting: 1,
            rooms: self.rooms.len(),
            peak_welcomed: self.peak,
        }
    }

    fn now_ms(&self) -> u64 {
        1_764_756_061_000
    }
}

/// A bridge, the hub state it is shown, and what it produced since the
/// last look.
struct Client {
    bridge: Bridge,
    dir: Dir,
    frames: Vec<String>,
    lines: Vec<String>,
}

impl Client {
    fn new() -> Client {
        Client {
            bridge: Bridge::new("srv"),
            dir: Dir::default(),
            frames: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// The client sends `line`.
    fn send(&mut self, line: &str) {
        let (frames, lines) = (&mut self.frames, &mut self.lines);
        self.bridge.handle_line(
            line.as_bytes(),
            &self.dir,
            &mut |f: &Frame<'_>| frames.push(format!("{f:?}")),
            &mut |l: &[u8]| lines.push(String::from_utf8_lossy(l).into_owned()),
        );
    }

    /// The hub sends `frame`.
    fn hub(&mut self, frame: Frame<'_>) {
        let lines = &mut self.lines;
        self.bridge.handle_frame(&frame, &mut |l: &[u8]| {
            lines.push(String::from_utf8_lossy(l).into_owned())
        });
    }

    fn take_lines(&mut self) -> Vec<String> {
        core::mem::take(&mut self.lines)
    }

    fn take_frames(&mut self) -> Vec<String> {
        core::mem::take(&mut self.frames)
    }

    /// Registered as `ann` and in `#lobby` with bob.
    fn in_lobby() -> Client {
        let mut c = Client::new();
        c.send("NICK ann");
        c.send("USER ann 0 * :Ann");
        c.hub(Frame::Welcome {
            version: VERSION,
            nick: "ann",
            lobby: "lobby",
            max_text: 512,
        });
        c.send("JOIN #lobby");
        c.hub(Frame::Entered {
            room: "lobby",
            topic: "",
            epoch: 1,
            next_id: 10,
            members: 2,
        });
        c.hub(Frame::Names {
            room: "lobby",
            flags: 0,
            nicks: NickList::Slice(&["ann", "bob"]),
            roles: &[],
        });
        c.dir.set("lobby", &["ann", "bob"], "");
        c.take_lines();
        c.take_frames();
        c
    }
}

/// Every line ends in CR LF and fits IRC's limit.
fn check_lines(lines: &[String]) {
    for l in lines {
        assert!(l.ends_with("\r\n") && l.len() <= MAX_LINE, "{l:?}");
    }
}

#[test]
fn registration_waits_for_nick_user_and_cap_end() {
    let mut c = Client::new();
    c.send("CAP LS 302");
    assert_eq!(
        c.take_lines(),
        [
            ":srv CAP * LS :batch draft/message-redaction echo-message message-tags multi-prefix server-time userhost-in-names\r\n"
        ]
    );
    c.send("NICK ann");
    c.send("USER ann 0 * :Ann Lee");
    assert!(
        c.take_frames().is_empty(),
        "no hello during CAP negotiation"
    );
    c.send("CAP END");
    let frames = c.take_frames();
    assert_eq!(frames.len(), 1);
    assert!(
        frames[0].contains("Hello") && frames[0].contains("\"ann\""),
        "{frames:?}"
    );
    c.hub(Frame::Welcome {
        version: VERSION,
        nick: "ann",
        lobby: "lobby",
        max_text: 512,
    });
    let lines = c.take_lines();
    check_lines(&lines);
    let numerics: Vec<&str> = lines
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        numerics,
        ["001", "002", "003", "004", "005", "005", "422", "NOTICE"]
    );
    // The tokens fill two 005 lines (IRC's 15 parameters each).
    let isupport = lines[4].clone() + &lines[5];
    assert!(isupport.contains("CASEMAPPING=strict-rfc1459") && isupport.contains("NICKLEN=24"));
    assert!(isupport.contains("PREFIX=(ov)@+") && isupport.contains("CHANMODES=b,k,lS,imtNP"));
    assert!(lines[7].contains("/join #lobby"));
    assert!(c.bridge.registered());
}

#[test]
fn refusals_before_registration() {
    let mut c = Client::new();
    c.send("JOIN #lobby");
    assert_eq!(c.take_lines(), [":srv 451 * :You have not registered\r\n"]);
    c.send("NICK");
    assert_eq!(c.take_lines(), [":srv 431 * :No nickname given\r\n"]);
    c.send("NICK 2pac");
    assert!(c.take_lines()[0].starts_with(":srv 432 * 2pac :nicknames are"));
    c.send("PASS wrong");
    c.send("NICK ann");
    c.send("USER ann 0 * :Ann");
    assert!(c.take_frames()[0].contains("password: \"wrong\""));
    c.hub(Frame::Error {
        code: ErrorCode::BadPassword,
        tag: 0,
        subject: "",
    });
    assert_eq!(c.take_lines(), [":srv 464 * :Password incorrect\r\n"]);
    c.hub(Frame::Error {
        code: ErrorCode::NickTaken,
        tag: 0,
        subject: "ann",
    });
    assert_eq!(
        c.take_lines(),
        [":srv 433 * ann :Nickname is already in use\r\n"]
    );
    // Another nickname: hello again.
    c.send("NICK ann2");
    assert!(c.take_frames()[0].contains("\"ann2\""));
    // Lines that are not IRC.
    c.send("\u{1}\u{2}");
    assert!(c.take_lines()[0].contains(" 421 "));
}

#[test]
fn invalid_utf8_is_refused_with_fail_invalid_utf8() {
    let mut c = Client::new();
    for (line, command) in [
        (&b"PRIVMSG #lobby :\xff\xfe"[..], "PRIVMSG"),
        (b"@a=b :x!y@z USER u * * :i\xe8rc", "USER"),
        (b"\xe8rc\xe9 x", "*"),
    ] {
        let (frames, lines) = (&mut c.frames, &mut c.lines);
        c.bridge.handle_line(
            line,
            &c.dir,
            &mut |f: &Frame<'_>| frames.push(format!("{f:?}")),
            &mut |l: &[u8]| lines.push(String::from_utf8_lossy(l).into_owned()),
        );
        assert!(c.frames.is_empty());
        let want = format!(":srv FAIL {command} INVALID_UTF8 :Your line was not valid UTF-8");
        assert!(c.lines[0].starts_with(&want), "{:?}", c.lines);
        c.lines.clear();
    }
}

#[test]
fn user_needs_a_username_and_a_real_name() {
    let mut c = Client::new();
    c.send("NICK ann");
    c.send("USER ann 0 * :");
    c.send("USER  0 * :Ann");
    assert_eq!(
        c.take_lines(),
        [":srv 461 * USER :Not enough parameters\r\n"; 2]
    );
    assert!(c.take_frames().is_empty(), "not registered");
    c.send("USER ~ann 0 * :Ann Lee");
    assert_eq!(c.take_frames().len(), 1, "a Hello");
    assert_eq!(c.bridge.profile().user, "ann");
    assert_eq!(c.bridge.profile().realname, "Ann Lee");
}

#[test]
fn joining_shows_join_topic_and_names() {
    let mut c = Client::in_lobby();
    c.send("JOIN #maths,#bad.room,#lobby");
    assert_eq!(
        c.take_lines(),
        [":srv 403 ann #bad.room :No such channel\r\n"]
    );
    let frames = c.take_frames();
    assert_eq!(
        frames.len(),
        1,
        "maths only: lobby is joined already: {frames:?}"
    );
    assert!(frames[0].contains("Join") && frames[0].contains("maths"));
    c.hub(Frame::Entered {
        room: "maths",
        topic: "fractions",
        epoch: 2,
        next_id: 1,
        members: 1,
    });
    c.hub(Frame::Names {
        room: "maths",
        flags: 0,
        nicks: NickList::Slice(&["ann"]),
        roles: &[],
    });
    assert_eq!(
        c.take_lines(),
        [
            ":ann!ann@natter JOIN #maths\r\n",
            ":srv 332 ann #maths fractions\r\n",
            ":srv 353 ann = #maths ann\r\n",
            ":srv 366 ann #maths :End of /NAMES list\r\n",
        ]
    );
    c.send("TOPIC #lobby");
    assert_eq!(c.take_lines(), [":srv 331 ann #lobby :No topic is set\r\n"]);
    c.send("WHO #lobby");
    let who = c.take_lines();
    assert_eq!(who.len(), 3, "{who:?}");
    assert!(who[1].starts_with(":srv 352 ann #lobby bob natter srv bob H :0 natter"));
    c.send("FROB");
    assert_eq!(c.take_lines(), [":srv 421 ann FROB :Unknown command\r\n"]);
}

/// Each control command becomes the frames the hub decides on, one per
/// change; nothing is answered before the hub has.
#[test]
fn controls_become_one_frame_per_change() {
    let cases: &[(&str, &[&str])] = &[
        ("OPER any s3cret", &[r#"Teach { password: "s3cret" }"#]),
        (
            "MODE #lobby",
            &[r#"Mode { room: "lobby", flags: 0, mode: 0, arg: "" }"#],
        ),
        (
            "MODE #lobby b",
            &[r#"Mode { room: "lobby", flags: 0, mode: 98, arg: "" }"#],
        ),
        (
            "MODE #lobby +mv-o bob cat",
            &[
                r#"Mode { room: "lobby", flags: 1, mode: 109, arg: "" }"#,
                r#"Mode { room: "lobby", flags: 1, mode: 118, arg: "bob" }"#,
                r#"Mode { room: "lobby", flags: 2, mode: 111, arg: "cat" }"#,
            ],
        ),
        (
            "MODE #lobby +kl-k key 30",
            &[
                r#"Mode { room: "lobby", flags: 1, mode: 107, arg: "key" }"#,
                r#"Mode { room: "lobby", flags: 1, mode: 108, arg: "30" }"#,
                r#"Mode { room: "lobby", flags: 2, mode: 107, arg: "" }"#,
            ],
        ),
        (
            "MODE #lobby +b m:bob!*@*",
            &[r#"Mode { room: "lobby", flags: 1, mode: 98, arg: "m:bob!*@*" }"#],
        ),
        (
            "KICK #lobby bob,cat :stop",
            &[
                r#"Kick { room: "lobby", nick: "bob", reason: "stop" }"#,
                r#"Kick { room: "lobby", nick: "cat", reason: "stop" }"#,
            ],
        ),
        (
            "KICK #lobby bob",
            &[r#"Kick { room: "lobby", nick: "bob", reason: "ann" }"#],
        ),
        (
            "INVITE cat #maths",
            &[r#"Invite { room: "maths", nick: "cat" }"#],
        ),
        (
            "REDACT #lobby lobby-1-7/2 :not kind",
            &[r#"Redact { room: "lobby", id: 7, reason: "not kind" }"#],
        ),
        (
            "JOIN #a,#b k1",
            &[
                r#"Join { room: "a", epoch: 0, since: 0, key: "k1" }"#,
                r#"Join { room: "b", epoch: 0, since: 0, key: "" }"#,
            ],
        ),
    ];
    for &(line, want) in cases {
        let mut c = Client::in_lobby();
        c.take_frames();
        c.send(line);
        assert_eq!(c.take_frames(), want, "{line}");
        assert_eq!(c.take_lines(), Vec::<String>::new(), "{line}");
    }
}

/// The hub's answers and events for the controls, as IRC lines.
#[test]
fn controls_answers_become_irc_lines() {
    let mut c = Client::in_lobby();
    c.take_lines();
    c.hub(Frame::YouAre {
        roles: crate::wire::ROLE_TEACHER,
    });
    // A RoomState nobody asked for (after a join) shows nothing.
    c.hub(Frame::RoomState {
        room: "lobby",
        modes: "m",
        limit: 0,
        slow: 0,
        key: "",
    });
    c.send("MODE #lobby");
    c.hub(Frame::RoomState {
        room: "lobby",
        modes: "mt",
        limit: 30,
        slow: 5,
        key: "k",
    });
    let event = |id, mode, flags, arg| Frame::ModeChanged {
        room: "lobby",
        id,
        time: 1,
        by: "ms-lee",
        flags,
        mode,
        arg,
    };
    c.hub(event(10, b'm', crate::wire::FLAG_ADD, ""));
    c.hub(event(11, b'v', crate::wire::FLAG_REMOVE, "bob"));
    c.hub(event(12, b'T', crate::wire::FLAG_ADD, "ms-lee"));
    c.hub(event(3, b'o', crate::wire::FLAG_ADD, "old"));
    c.hub(Frame::Listed {
        room: "lobby",
        mode: b'b',
        mask: "m:bob!*@*",
    });
    c.hub(Frame::Listed {
        room: "lobby",
        mode: b'b',
        mask: "",
    });
    c.hub(Frame::Invited {
        room: "maths",
        by: "ann",
        nick: "cat",
    });
    c.hub(Frame::Invited {
        room: "maths",
        by: "ms-lee",
        nick: "ann",
    });
    c.hub(Frame::Kicked {
        room: "lobby",
        id: 13,
        time: 1,
        by: "ms-lee",
        nick: "ann",
        reason: "calm down",
    });
    assert_eq!(
        c.take_lines(),
        [
            ":srv 381 ann :You are now the teacher (an IRC operator)\r\n",
            ":ann!ann@natter MODE ann +o\r\n",
            ":srv 324 ann #lobby +mtklS k 30 5\r\n",
            ":ms-lee!ms-lee@natter MODE #lobby +m\r\n",
            ":ms-lee!ms-lee@natter MODE #lobby -v bob\r\n",
            ":ms-lee!ms-lee@natter MODE #lobby +o ms-lee\r\n",
            ":srv 367 ann #lobby m:bob!*@*\r\n",
            ":srv 368 ann #lobby :End of channel ban list\r\n",
            ":srv 341 ann cat #maths\r\n",
            ":ms-lee!ms-lee@natter INVITE ann #maths\r\n",
            ":ms-lee!ms-lee@natter KICK #lobby ann :calm down\r\n",
        ]
    );
    // Kicked out: the room is no longer the client's.
    c.send("PART #lobby");
    assert_eq!(c.take_lines(), Vec::<String>::new());
}

/// A removed message: `REDACT` for a client that asked for it, a notice
/// for the others, and nothing of it in replayed history. A `REDACT` for
/// a message id that is not the room's is refused.
#[test]
fn removed_messages_as_irc_shows_them() {
    let removed = Frame::Redacted {
        room: "lobby",
        id: 12,
        time: 1,
        by: "ms-lee",
        target: 11,
        from: "bob",
        reason: "not kind",
    };
    let mut c = Client::in_lobby();
    c.take_lines();
    c.hub(removed);
    c.hub(Frame::Message {
        room: "lobby",
        id: 5,
        time: 1,
        from: "bob",
        flags: crate::wire::FLAG_REMOVED,
        text: "----",
    });
    assert_eq!(
        c.take_lines(),
        [":srv NOTICE #lobby :ms-lee removed a message by bob\r\n"]
    );
    c.send("REDACT #lobby maths-1-7");
    assert_eq!(
        c.take_lines(),
        [
            ":srv FAIL REDACT UNKNOWN_MSGID #lobby maths-1-7 :This message id is not one of that room's\r\n"
        ]
    );
    assert_eq!(c.take_frames(), Vec::<String>::new());
    let mut c = with_caps("draft/message-redaction");
    c.take_lines();
    c.hub(removed);
    assert_eq!(
        c.take_lines(),
        [":ms-lee!ms-lee@natter REDACT #lobby lobby-3-11 :not kind\r\n"]
    );
}

/// `NAMES` shows `@` and `+`; both with multi-prefix.
#[test]
fn names_show_roles() {
    use crate::wire::{ROLE_OPERATOR, ROLE_TEACHER, ROLE_VOICE};
    for (caps, want) in [
        ("", ":srv 353 ann = #maths :@t @+o +v s\r\n"),
        ("multi-prefix", ":srv 353 ann = #maths :@t @+o +v s\r\n"),
    ] {
        let mut c = if caps.is_empty() {
            Client::in_lobby()
        } else {
            with_caps(caps)
        };
        c.send("JOIN #maths");
        c.hub(Frame::Entered {
            room: "maths",
            topic: "",
            epoch: 1,
            next_id: 1,
            members: 4,
        });
        c.hub(Frame::Names {
            room: "maths",
            flags: 0,
            nicks: NickList::Slice(&["t", "o", "v", "s"]),
            roles: &[
                ROLE_TEACHER | ROLE_OPERATOR,
                ROLE_OPERATOR | ROLE_VOICE,
                ROLE_VOICE,
            ],
        });
        let lines = c.take_lines();
        let want = if caps.is_empty() {
            want.replace("@+o", "@o")
        } else {
            want.to_string()
        };
        assert!(lines.contains(&want), "{caps}: {lines:?}");
    }
}

#[test]
fn privmsg_notice_and_actions_become_says_and_whispers() {
    let mut c = Client::in_lobby();
    c.send("PRIVMSG #lobby :hi all");
    c.send("PRIVMSG #lobby :\u{1}ACTION waves\u{1}");
    c.send("PRIVMSG bob :psst");
    c.send("NOTICE #lobby :quietly");
    c.send("PRIVMSG #lobby :\u{1}VERSION\u{1}");
    let frames = c.take_frames();
    assert_eq!(frames.len(), 4, "{frames:?}");
    assert!(
        frames[0].contains("Say")
            && frames[0].contains("flags: 0")
            && frames[0].contains("\"hi all\"")
    );
    assert!(frames[1].contains("flags: 1") && frames[1].contains("\"waves\""));
    assert!(frames[2].contains("Whisper") && frames[2].contains("\"bob\""));
    assert!(frames[3].contains("tag: 2"));
    c.send("PRIVMSG");
    c.send("PRIVMSG #lobby");
    assert_eq!(
        c.take_lines(),
        [
            ":srv 411 ann :No recipient given (PRIVMSG)\r\n",
            ":srv 412 ann :No text to send\r\n"
        ]
    );
    // A refused NOTICE is not answered; a refused PRIVMSG is.
    for tag in [TAG_NOTICE, TAG_PRIVMSG] {
        c.hub(Frame::Error {
            code: ErrorCode::NotInRoom,
            tag,
            subject: "maths",
        });
    }
    c.hub(Frame::Error {
        code: ErrorCode::NoSuchNick,
        tag: TAG_PRIVMSG,
        subject: "zed",
    });
    assert_eq!(
        c.take_lines(),
        [
            ":srv 404 ann #maths :Cannot send to channel (join it first)\r\n",
            ":srv 401 ann zed :No such nick/channel\r\n"
        ]
    );
}

#[test]
fn room_events_become_irc_lines() {
    let mut c = Client::in_lobby();
    let ev = |id| (id, 1_764_756_000_000 + 61_000);
    let (id, time) = ev(10);
    c.hub(Frame::Message {
        room: "lobby",
        id,
        time,
        from: "bob",
        flags: 0,
        text: "hello",
    });
    c.hub(Frame::Message {
        room: "lobby",
        id: 11,
        time,
        from: "bob",
        flags: FLAG_ACTION,
        text: "waves",
    });
    c.hub(Frame::Joined {
        room: "lobby",
        id: 12,
        time,
        nick: "cat",
    });
    c.hub(Frame::NickChanged {
        room: "lobby",
        id: 13,
        time,
        old: "cat",
        new: "kit",
    });
    c.hub(Frame::TopicChanged {
        room: "lobby",
        id: 14,
        time,
        by: "kit",
        topic: "fractions",
    });
    c.hub(Frame::Parted {
        room: "lobby",
        id: 15,
        time,
        nick: "kit",
        flags: 0,
        reason: "lunch",
    });
    c.hub(Frame::Private {
        time,
        from: "bob",
        flags: 0,
        text: "psst",
    });
    c.hub(Frame::Gap {
        room: "lobby",
        missed: 3,
    });
    c.hub(Frame::NickSet { nick: "zoë" });
    assert_eq!(
        c.take_lines(),
        [
            ":bob!bob@natter PRIVMSG #lobby :hello\r\n",
            ":bob!bob@natter PRIVMSG #lobby :\u{1}ACTION waves\u{1}\r\n",
            ":cat!cat@natter JOIN #lobby\r\n",
            ":cat!cat@natter NICK kit\r\n",
            ":kit!kit@natter TOPIC #lobby fractions\r\n",
            ":kit!kit@natter PART #lobby lunch\r\n",
            ":bob!bob@natter PRIVMSG ann :psst\r\n",
            ":srv NOTICE #lobby :You missed 3 messages here: the server could not send them to you in time\r\n",
            ":ann!ann@natter NICK zoë\r\n",
        ]
    );
    // Queries are answered from the hub's state, as it is now.
    c.dir.set("lobby", &["ann", "bob"], "fractions");
    c.send("TOPIC #lobby");
    assert_eq!(c.take_lines(), [":srv 332 zoë #lobby fractions\r\n"]);
}

#[test]
fn history_is_shown_as_timed_notices() {
    let mut c = Client::in_lobby();
    // next_id is 10: ids below are replayed history.
    c.hub(Frame::Message {
        room: "lobby",
        id: 9,
        time: 1_764_756_000_000 + 61_000,
        from: "bob",
        flags: 0,
        text: "earlier",
    });
    c.hub(Frame::Joined {
        room: "lobby",
        id: 8,
        time: 0,
        nick: "old",
    });
    let lines = c.take_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with(":srv NOTICE #lobby :["));
    assert!(lines[0].ends_with("] <bob> earlier\r\n"));
}

#[test]
fn long_messages_are_split_never_cut() {
    let mut c = Client::in_lobby();
    let text: String = "zoë 日本語 ".repeat(33);
    let text = text.trim_end();
    assert!(text.len() > 480 && text.len() <= 512);
    c.hub(Frame::Message {
        room: "lobby",
        id: 20,
        time: 0,
        from: "a_long_nickname_of_24_by",
        flags: 0,
        text,
    });
    let lines = c.take_lines();
    check_lines(&lines);
    assert!(lines.len() >= 2);
    let joined: String = lines
        .iter()
        .map(|l| {
            let body = l.trim_end_matches("\r\n");
            body.split_once(" :").map_or("", |(_, t)| t).to_string()
        })
        .collect();
    assert_eq!(joined, text);
}

#[test]
fn pings_quits_and_goodbyes() {
    let mut c = Client::in_lobby();
    c.send("PING :tok");
    assert_eq!(c.take_lines(), [":srv PONG srv tok\r\n"]);
    c.hub(Frame::Ping { token: 7 });
    assert_eq!(c.take_lines(), ["PING srv\r\n"]);
    c.send("PONG :srv");
    assert_eq!(c.take_frames(), ["Pong { token: 7 }"]);
    c.send("QUIT :bye now");
    assert!(c.take_frames()[0].contains("Quit { reason: \"bye now\" }"));
    c.hub(Frame::Bye {
        code: ErrorCode::Quit,
        reason: "goodbye",
    });
    assert_eq!(c.take_lines(), ["ERROR :Closing link: goodbye\r\n"]);
}

#[test]
fn a_topic_longer_than_an_irc_line_is_shown_cut_not_dropped() {
    let mut c = Client::in_lobby();
    let topic = "é".repeat(256); // 512 bytes: natter's longest
    c.hub(Frame::TopicChanged {
        room: "lobby",
        id: 11,
        time: 0,
        by: "bob",
        topic: &topic,
    });
    c.dir.set("lobby", &["ann", "bob"], &topic);
    c.send("TOPIC #lobby");
    let lines = c.take_lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (line, start) in lines.iter().zip([
        ":bob!bob@natter TOPIC #lobby :éé",
        ":srv 332 ann #lobby :éé",
    ]) {
        assert!(line.starts_with(start), "{line}");
        assert!(line.ends_with("é\u{2026}\r\n"), "{line}");
        assert!(line.len() <= MAX_LINE, "{} bytes", line.len());
    }
}

#[test]
fn whois_and_who_answer_from_the_hub_as_it_is_now() {
    let mut c = Client::in_lobby();
    c.dir.set("lobby", &["ann", "bob", "cat"], "");
    c.dir.online("dan", "dlee", "Dan Lee");
    c.dir.set("maths", &["bob", "dan"], "");
    c.send("WHOIS cat");
    c.send("WHOIS srv DAN");
    c.send("WHOIS nobody");
    c.send("WHO #LOBBY");
    assert_eq!(
        c.take_lines(),
        [
            ":srv 311 ann cat cat natter * natter\r\n",
            ":srv 319 ann cat #lobby\r\n",
            ":srv 312 ann cat srv natter\r\n",
            ":srv 317 ann cat 42 1700000000 :seconds idle, signon time\r\n",
            ":srv 318 ann cat :End of WHOIS list\r\n",
            ":srv 311 ann dan dlee natter * :Dan Lee\r\n",
            ":srv 319 ann dan #maths\r\n",
            ":srv 312 ann dan srv natter\r\n",
            ":srv 317 ann dan 42 1700000000 :seconds idle, signon time\r\n",
            ":srv 318 ann dan :End of WHOIS list\r\n",
            ":srv 401 ann nobody :No such nick/channel\r\n",
            ":srv 318 ann nobody :End of WHOIS list\r\n",
            // Its own line from its own USER (the real name "Ann").
            ":srv 352 ann #lobby ann natter srv ann H :0 Ann\r\n",
            ":srv 352 ann #lobby bob natter srv bob H :0 natter\r\n",
            ":srv 352 ann #lobby cat natter srv cat H :0 natter\r\n",
            ":srv 315 ann #LOBBY :End of WHO list\r\n",
        ]
    );
    // By exact nickname: anyone. By mask: only who shares a room with
    // the asker (dan does not), matched with nicknames' case folding.
    c.send("WHO Dan");
    c.send("WHO *");
    c.send("WHO C?t");
    assert_eq!(
        c.take_lines(),
        [
            ":srv 352 ann * dlee natter srv dan H :0 Dan Lee\r\n",
            ":srv 315 ann Dan :End of WHO list\r\n",
            ":srv 352 ann * ann natter srv ann H :0 Ann\r\n",
            ":srv 352 ann * bob natter srv bob H :0 natter\r\n",
            ":srv 352 ann * cat natter srv cat H :0 natter\r\n",
            ":srv 315 ann * :End of WHO list\r\n",
            ":srv 352 ann * cat natter srv cat H :0 natter\r\n",
            ":srv 315 ann C?t :End of WHO list\r\n",
        ]
    );
}

#[test]
fn away_shows_in_who_whois_and_to_whoever_messages_you() {
    let mut c = Client::in_lobby();
    c.send("AWAY :at lunch");
    assert_eq!(
        c.take_lines(),
        [":srv 306 ann :You have been marked as being away\r\n"]
    );
    assert_eq!(c.bridge.profile().away, Some("at lunch"));
    c.send("WHO ann");
    assert!(c.take_lines()[0].contains(" ann G :0 Ann"));
    // Someone else away: a PRIVMSG to them gets 301 (a NOTICE does not).
    c.dir.online("dan", "dan", "Dan");
    c.dir.people.get_mut("dan").unwrap().2 = Some("back at 2".into());
    c.send("PRIVMSG DAN :hi");
    c.send("NOTICE dan :hi");
    assert_eq!(c.take_lines(), [":srv 301 ann dan :back at 2\r\n"]);
    c.send("USERHOST dan bob nobody");
    assert_eq!(
        c.take_lines(),
        [":srv 302 ann :dan=-dan@natter bob=+bob@natter\r\n"]
    );
    c.send("AWAY");
    assert_eq!(
        c.take_lines(),
        [":srv 305 ann :You are no longer marked as being away\r\n"]
    );
    assert_eq!(c.bridge.profile().away, None);
}

#[test]
fn lusers_counts_names_lists_and_time_tells() {
    let mut c = Client::in_lobby();
    c.send("LUSERS");
    assert_eq!(
        c.take_lines(),
        [
            ":srv 251 ann :There are 2 users and 0 invisible on 1 servers\r\n",
            ":srv 252 ann 0 :operator(s) online\r\n",
            ":srv 253 ann 1 :unknown connection(s)\r\n",
            ":srv 254 ann 1 :channels formed\r\n",
            ":srv 255 ann :I have 2 clients and 0 servers\r\n",
            ":srv 265 ann 2 2 :Current local users 2, max 2\r\n",
            ":srv 266 ann 2 2 :Current global users 2, max 2\r\n",
        ]
    );
    c.send("NAMES #LOBBY,#nowhere,bad");
    c.send("NAMES");
    assert_eq!(
        c.take_lines(),
        [
            ":srv 353 ann = #lobby :ann bob\r\n",
            ":srv 366 ann #LOBBY :End of /NAMES list\r\n",
            ":srv 366 ann #nowhere :End of /NAMES list\r\n",
            ":srv 366 ann bad :End of /NAMES list\r\n",
            ":srv 366 ann * :End of /NAMES list\r\n",
        ]
    );
    c.send("TIME");
    assert_eq!(
        c.take_lines(),
        [":srv 391 ann srv 2025-12-03T10:01:01.000Z\r\n"]
    );
}

#[test]
fn who_of_a_school_assembly_lists_the_first_few_hundred() {
    // 2,000 members: one WHO must not put 140 KB into a client's output.
    let mut c = Client::in_lobby();
    let names: Vec<String> = (0..2000).map(|i| format!("m{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    c.dir.set("lobby", &names, "");
    c.send("WHO #lobby");
    let lines = c.take_lines();
    assert_eq!(lines.len(), 501, "500 replies and the end");
    assert!(lines[..500].iter().all(|l| l.contains(" 352 ")));
    assert_eq!(
        lines[499],
        ":srv 352 ann #lobby m499 natter srv m499 H :0 natter\r\n"
    );
    assert_eq!(lines[500], ":srv 315 ann #lobby :End of WHO list\r\n");
}

#[test]
fn joining_a_room_without_a_topic_sends_no_topic_numeric() {
    let mut c = Client::in_lobby();
    c.send("JOIN #art");
    c.hub(Frame::Entered {
        room: "art",
        topic: "",
        epoch: 2,
        next_id: 1,
        members: 1,
    });
    c.hub(Frame::Names {
        room: "art",
        flags: 0,
        nicks: NickList::Slice(&["ann"]),
        roles: &[],
    });
    assert_eq!(
        c.take_lines(),
        [
            ":ann!ann@natter JOIN #art\r\n",
            ":srv 353 ann = #art ann\r\n",
            ":srv 366 ann #art :End of /NAMES list\r\n",
        ]
    );
}

/// The docs promise an IRC connection's bridge state under 2 KiB
/// (docs/IRC.md, docs/DESIGN.md): member lists and topics are the hub's;
/// most of it is the one message held for `echo-message`.
#[test]
fn a_bridge_is_under_two_kilobytes() {
    let size = core::mem::size_of::<Bridge>();
    std::println!("size_of::<Bridge>() = {size} bytes");
    assert!(size < 2048, "{size} bytes");
}

#[test]
fn history_times_are_in_the_servers_time_zone() {
    // 2025-12-03 10:01 UTC, shown one way, then as UTC+1 and UTC-10:30
    // (the day wraps).
    let time = 1_764_756_000_000 + 61_000;
    for (offset, shown) in [(0, "[10:01]"), (60, "[11:01]"), (-630, "[23:31]")] {
        let mut c = Client::in_lobby();
        c.bridge = core::mem::replace(&mut c.bridge, Bridge::new("x")).with_utc_offset(offset);
        c.hub(Frame::Message {
            room: "lobby",
            id: 9,
            time,
            from: "bob",
            flags: 0,
            text: "earlier",
        });
        let want = format!(":srv NOTICE #lobby :{shown} <bob> earlier\r\n");
        assert_eq!(c.take_lines(), [want], "offset {offset}");
    }
}

#[test]
fn the_command_table_answers_461_451_462_and_421_in_one_place() {
    use super::commands::{COMMANDS, Usable};
    for row in COMMANDS {
        assert_eq!(row.name, row.name.to_ascii_uppercase());
        assert_eq!(COMMANDS.iter().filter(|r| r.name == row.name).count(), 1);
        // Too few parameters, once registered (commands match in any case).
        let mut c = Client::in_lobby();
        let mut line = row.name.to_ascii_lowercase();
        for _ in 1..row.min_params {
            line.push_str(" x");
        }
        c.send(&line);
        let lines = c.take_lines();
        match row.usable {
            Usable::Registering => assert_eq!(
                lines,
                [":srv 462 ann :You may not reregister\r\n"],
                "{line}"
            ),
            _ if row.min_params > 0 => assert_eq!(
                lines,
                [format!(
                    ":srv 461 ann {} :Not enough parameters\r\n",
                    row.name
                )],
                "{line}"
            ),
            _ => assert!(lines.iter().all(|l| !l.contains(" 461 ")), "{lines:?}"),
        }
        // Before registration.
        let mut c = Client::new();
        c.send(&line);
        let lines = c.take_lines();
        match row.usable {
            Usable::Registered => {
                assert_eq!(lines, [":srv 451 * :You have not registered\r\n"], "{line}")
            }
            _ if row.min_params > 0 => assert_eq!(
                lines,
                [format!(
                    ":srv 461 * {} :Not enough parameters\r\n",
                    row.name
                )],
                "{line}"
            ),
            _ => assert!(lines.iter().all(|l| !l.contains(" 451 ")), "{lines:?}"),
        }
        if row.usable == Usable::Registered || row.min_params > 0 {
            assert!(c.take_frames().is_empty(), "{line} made a frame");
        }
    }
    let mut c = Client::new();
    c.send("KNOCK #lobby");
    assert_eq!(c.take_lines(), [":srv 451 * :You have not registered\r\n"]);
    let mut c = Client::in_lobby();
    c.send("knock #lobby");
    assert_eq!(c.take_lines(), [":srv 421 ann knock :Unknown command\r\n"]);
}

#[test]
fn an_overlong_line_is_answered_with_417() {
    let mut c = Client::new();
    let lines = &mut c.lines;
    c.bridge
        .handle_too_long(&mut |l: &[u8]| lines.push(String::from_utf8_lossy(l).into_owned()));
    assert_eq!(
        c.take_lines(),
        [":srv 417 * :Input line was too long (512 bytes at most)\r\n"]
    );
}

#[test]
fn a_quit_is_one_quit_however_many_rooms_it_was_in() {
    let mut c = Client::in_lobby();
    c.hub(Frame::Entered {
        room: "maths",
        topic: "",
        epoch: 1,
        next_id: 5,
        members: 3,
    });
    c.take_lines();
    let parted = |room, id, nick, flags| Frame::Parted {
        room,
        id,
        time: 1_000 + id / 12 * 8_000,
        nick,
        flags,
        reason: "home time",
    };
    // bob and cat quit at once; their rooms' events interleave.
    c.hub(parted("lobby", 10, "bob", FLAG_QUIT));
    c.hub(parted("lobby", 11, "cat", FLAG_QUIT));
    c.hub(parted("maths", 5, "BOB", FLAG_QUIT));
    c.hub(parted("maths", 6, "cat", FLAG_QUIT));
    // dan parts one room: that is a PART.
    c.hub(parted("maths", 7, "dan", 0));
    assert_eq!(
        c.take_lines(),
        [
            ":bob!bob@natter QUIT :home time\r\n",
            ":cat!cat@natter QUIT :home time\r\n",
            ":dan!dan@natter PART #maths :home time\r\n",
        ]
    );
    // bob comes back and quits again later: a new quit.
    c.hub(parted("lobby", 12, "bob", FLAG_QUIT));
    assert_eq!(c.take_lines(), [":bob!bob@natter QUIT :home time\r\n"]);
}

#[test]
fn the_welcome_sends_every_isupport_token_and_cap_ls_every_capability() {
    let mut c = Client::new();
    c.send("CAP LS 302");
    let ls = c.take_lines().concat();
    for cap in caps::CAPABILITIES {
        assert!(ls.contains(cap.name), "{} not in {ls}", cap.name);
    }
    c.send("CAP END");
    c.send("NICK ann");
    c.send("USER ann 0 * :Ann");
    c.hub(Frame::Welcome {
        version: VERSION,
        nick: "ann",
        lobby: "lobby",
        max_text: 512,
    });
    let lines = c.take_lines();
    check_lines(&lines);
    let isupport: Vec<&String> = lines.iter().filter(|l| l.contains(" 005 ")).collect();
    for (token, _) in caps::ISUPPORT {
        assert!(
            isupport.iter().any(|l| l.split(' ').any(|w| w == *token)),
            "{token} not in {isupport:?}"
        );
    }
}

/// Each command, in the registered client's words, and the first line of
/// its answer (or none): one row per behaviour the table promises.
#[test]
fn every_command_answers_as_its_row_says() {
    let cases: &[(&str, Option<&str>)] = &[
        ("PING", Some(":srv 409 ann :No origin specified")),
        ("PING :", Some(":srv PONG srv :")),
        ("PING tok", Some(":srv PONG srv tok")),
        ("PONG x", None),
        ("CAP LIST", Some(":srv CAP ann LIST :")),
        ("CAP BOGUS", Some(":srv 410 ann BOGUS :Invalid CAP command")),
        ("PASS again", Some(":srv 462 ann :You may not reregister")),
        (
            "USER a 0 * :b",
            Some(":srv 462 ann :You may not reregister"),
        ),
        ("NICK", Some(":srv 431 ann :No nickname given")),
        ("JOIN", Some(":srv 461 ann JOIN :Not enough parameters")),
        ("JOIN bad", Some(":srv 403 ann bad :No such channel")),
        ("PART #a b", None),
        (
            "PRIVMSG",
            Some(":srv 411 ann :No recipient given (PRIVMSG)"),
        ),
        ("PRIVMSG #lobby", Some(":srv 412 ann :No text to send")),
        (
            "PRIVMSG #bad! :x",
            Some(":srv 403 ann #bad! :No such channel"),
        ),
        ("NOTICE #bad! :x", None),
        ("TAGMSG #lobby", None),
        (
            "TOPIC #nowhere",
            Some(":srv 403 ann #nowhere :No such channel"),
        ),
        ("TOPIC #lobby", Some(":srv 331 ann #lobby :No topic is set")),
        // Asked of the hub, which answers (`controls_*` below).
        ("MODE #lobby", None),
        ("MODE #lobby +b", None),
        (
            "MODE #lobby +X",
            Some(":srv 472 ann X :is not a mode natter knows"),
        ),
        (
            "MODE #lobby +l",
            Some(":srv 696 ann #lobby l * :That mode needs a parameter"),
        ),
        ("OPER t", Some(":srv 461 ann OPER :Not enough parameters")),
        (
            "KICK #lobby",
            Some(":srv 461 ann KICK :Not enough parameters"),
        ),
        (
            "KICK lobby bob",
            Some(":srv 403 ann lobby :No such channel"),
        ),
        (
            "INVITE bob lobby",
            Some(":srv 403 ann lobby :No such channel"),
        ),
        ("MODE ann", Some(":srv 221 ann +")),
        (
            "MODE bob",
            Some(":srv 502 ann :Cannot change mode for other users"),
        ),
        (
            "NAMES #nowhere",
            Some(":srv 366 ann #nowhere :End of /NAMES list"),
        ),
        ("WHO nobody", Some(":srv 315 ann nobody :End of WHO list")),
        ("WHOIS", Some(":srv 431 ann :No nickname given")),
        (
            "USERHOST",
            Some(":srv 461 ann USERHOST :Not enough parameters"),
        ),
        ("USERHOST nobody", Some(":srv 302 ann :")),
        (
            "AWAY",
            Some(":srv 305 ann :You are no longer marked as being away"),
        ),
        ("TIME", Some(":srv 391 ann srv 2025-12-03T10:01:01.000Z")),
        (
            "LUSERS",
            Some(":srv 251 ann :There are 2 users and 0 invisible on 1 servers"),
        ),
        ("KNOCK #lobby", Some(":srv 421 ann KNOCK :Unknown command")),
    ];
    for &(line, first) in cases {
        let mut c = Client::in_lobby();
        c.send(line);
        let lines = c.take_lines();
        check_lines(&lines);
        let got = lines.first().map(|l| l.trim_end_matches("\r\n"));
        assert_eq!(got, first, "{line:?} answered {lines:?}");
    }
}

/// A client with `caps` (`CAP REQ` before registering), registered as ann
/// and in #lobby (next live id 10, epoch 3).
fn with_caps(caps: &str) -> Client {
    let mut c = Client::new();
    c.send("CAP LS 302");
    c.send(&format!("CAP REQ :{caps}"));
    let lines = c.take_lines();
    assert!(lines[1].contains(" ACK "), "{lines:?}");
    c.send("NICK ann");
    c.send("USER ann 0 * :Ann");
    c.send("CAP END");
    c.hub(Frame::Welcome {
        version: VERSION,
        nick: "ann",
        lobby: "lobby",
        max_text: 512,
    });
    c.hub(Frame::Entered {
        room: "lobby",
        topic: "",
        epoch: 3,
        next_id: 10,
        members: 2,
    });
    c.dir.set("lobby", &["ann", "bob"], "");
    c.take_lines();
    c.take_frames();
    c
}

const TIME: u64 = 1_764_756_061_250; // 2025-12-03T10:01:01.250Z

fn message(id: u64, text: &str) -> Frame<'_> {
    Frame::Message {
        room: "lobby",
        id,
        time: TIME,
        from: "bob",
        flags: 0,
        text,
    }
}

#[test]
fn cap_req_is_all_or_nothing_and_can_take_a_capability_back() {
    let mut c = Client::in_lobby();
    c.send("CAP REQ :server-time nonsense");
    c.send("CAP LIST");
    c.send("CAP REQ :server-time echo-message");
    c.send("CAP REQ -echo-message");
    c.send("CAP LIST");
    c.send("CAP REQ :");
    assert_eq!(
        c.take_lines(),
        [
            ":srv CAP ann NAK :server-time nonsense\r\n",
            ":srv CAP ann LIST :\r\n",
            ":srv CAP ann ACK :server-time echo-message\r\n",
            ":srv CAP ann ACK :-echo-message\r\n",
            ":srv CAP ann LIST :server-time\r\n",
            ":srv CAP ann NAK :\r\n",
        ]
    );
}

#[test]
fn server_time_and_message_tags_tag_what_members_did() {
    let mut c = with_caps("server-time message-tags");
    c.hub(message(10, "live"));
    c.hub(Frame::Joined {
        room: "lobby",
        id: 11,
        time: TIME,
        nick: "cat",
    });
    c.hub(Frame::Private {
        time: TIME,
        from: "bob",
        flags: FLAG_NOTICE,
        text: "psst",
    });
    assert_eq!(
        c.take_lines(),
        [
            "@msgid=lobby-3-10;time=2025-12-03T10:01:01.250Z :bob!bob@natter PRIVMSG #lobby :live\r\n",
            "@msgid=lobby-3-11;time=2025-12-03T10:01:01.250Z :cat!cat@natter JOIN #lobby\r\n",
            "@time=2025-12-03T10:01:01.250Z :bob!bob@natter NOTICE ann :psst\r\n",
        ]
    );
    // Without the capabilities, the same lines without tags.
    let mut plain = Client::in_lobby();
    plain.hub(message(10, "live"));
    assert_eq!(
        plain.take_lines(),
        [":bob!bob@natter PRIVMSG #lobby :live\r\n"]
    );
}

#[test]
fn history_with_server_time_and_batch_is_one_batch_of_lines_at_their_time() {
    let mut c = with_caps("server-time batch");
    c.hub(message(7, "old one"));
    c.hub(message(8, "old two"));
    c.hub(message(10, "live"));
    c.hub(message(9, "history again"));
    // A second replay, ended by the driver's caught-up.
    c.hub(Frame::Entered {
        room: "maths",
        topic: "",
        epoch: 1,
        next_id: 5,
        members: 1,
    });
    c.hub(Frame::Message {
        room: "maths",
        id: 4,
        time: TIME,
        from: "bob",
        flags: 0,
        text: "maths history",
    });
    c.bridge.handle_caught_up(&mut |_: &[u8]| {});
    let lines = c.take_lines();
    let want = [
        ":srv BATCH +1 chathistory #lobby\r\n",
        "@batch=1;time=2025-12-03T10:01:01.250Z :bob!bob@natter PRIVMSG #lobby :old one\r\n",
        "@batch=1;time=2025-12-03T10:01:01.250Z :bob!bob@natter PRIVMSG #lobby :old two\r\n",
        ":srv BATCH -1\r\n",
        "@time=2025-12-03T10:01:01.250Z :bob!bob@natter PRIVMSG #lobby :live\r\n",
        ":srv BATCH +2 chathistory #lobby\r\n",
        "@batch=2;time=2025-12-03T10:01:01.250Z :bob!bob@natter PRIVMSG #lobby :history again\r\n",
        ":srv BATCH -2\r\n",
        ":ann!ann@natter JOIN #maths\r\n",
        ":srv BATCH +3 chathistory #maths\r\n",
        "@batch=3;time=2025-12-03T10:01:01.250Z :bob!bob@natter PRIVMSG #maths :maths history\r\n",
    ];
    assert_eq!(lines, want);
    // handle_caught_up wrote its line to its own sink; the batch is closed.
    let mut closing = Vec::new();
    c.bridge
        .handle_caught_up(&mut |l: &[u8]| closing.push(l.to_vec()));
    assert!(closing.is_empty(), "closed once, by the first call");
}

#[test]
fn echo_message_comes_back_once_on_the_ack_and_never_on_a_refusal() {
    let mut c = with_caps("echo-message server-time message-tags");
    c.send("PRIVMSG #lobby :hello");
    assert!(c.bridge.awaiting_hub(), "the next lines wait for the hub");
    assert!(c.take_lines().is_empty(), "nothing before the hub took it");
    c.hub(Frame::Ack {
        tag: 1,
        room: "lobby",
        id: 12,
        time: TIME,
    });
    assert!(!c.bridge.awaiting_hub());
    assert_eq!(
        c.take_lines(),
        [
            "@msgid=lobby-3-12;time=2025-12-03T10:01:01.250Z :ann!ann@natter PRIVMSG #lobby :hello\r\n"
        ]
    );
    // A second Ack (a duplicate) echoes nothing.
    c.hub(Frame::Ack {
        tag: 1,
        room: "lobby",
        id: 12,
        time: TIME,
    });
    assert!(c.take_lines().is_empty());
    // Refused: the error, and no echo.
    c.send("PRIVMSG #maths :hello");
    c.hub(Frame::Error {
        code: ErrorCode::NotInRoom,
        tag: 1,
        subject: "maths",
    });
    assert!(!c.bridge.awaiting_hub());
    assert_eq!(
        c.take_lines(),
        [":srv 404 ann #maths :Cannot send to channel (join it first)\r\n"]
    );
    // A private notice is echoed as a notice, with its time only.
    c.send("NOTICE bob :psst");
    c.hub(Frame::Ack {
        tag: 2,
        room: "",
        id: 0,
        time: TIME,
    });
    assert_eq!(
        c.take_lines(),
        ["@time=2025-12-03T10:01:01.250Z :ann!ann@natter NOTICE bob :psst\r\n"]
    );
}

#[test]
fn userhost_in_names_and_multi_prefix_shape_names() {
    let mut c = with_caps("userhost-in-names multi-prefix");
    c.send("NAMES #lobby");
    assert_eq!(
        c.take_lines(),
        [
            ":srv 353 ann = #lobby :ann!ann@natter bob!bob@natter\r\n",
            ":srv 366 ann #lobby :End of /NAMES list\r\n",
        ]
    );
    // Many long names fill as many 353 lines as they need, each within 512.
    let names: Vec<String> = (0..100).map(|i| format!("member{i:017}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    c.dir.set("lobby", &names, "");
    c.send("NAMES #lobby");
    let lines = c.take_lines();
    check_lines(&lines);
    let listed: usize = lines
        .iter()
        .filter(|l| l.contains(" 353 "))
        .map(|l| l.rsplit(" :").next().unwrap_or("").split(' ').count())
        .sum();
    assert_eq!(listed, 100);
    assert!(lines.len() > 3);
}

/// Found by the irc_room fuzz target: a member who comes back under the
/// same name and quits again within the same millisecond quits again for
/// IRC too. Keyed by nickname and time alone, the second quit looked like
/// the first one's news from another room and was not shown: the client
/// kept bob in the channel for good.
#[test]
fn a_second_quit_within_the_millisecond_is_a_quit_too() {
    let mut c = Client::in_lobby();
    c.hub(Frame::Entered {
        room: "maths",
        topic: "",
        epoch: 1,
        next_id: 5,
        members: 3,
    });
    c.take_lines();
    let parted = |room, id| Frame::Parted {
        room,
        id,
        time: 1_000,
        nick: "bob",
        flags: FLAG_QUIT,
        reason: "",
    };
    let joined = |room, id| Frame::Joined {
        room,
        id,
        time: 1_000,
        nick: "bob",
    };
    c.hub(parted("lobby", 10));
    c.hub(joined("lobby", 11));
    c.hub(parted("lobby", 12));
    // The same in maths, sent after the lobby's backlog: its first
    // Parted is the first quit's, already shown.
    c.hub(parted("maths", 5));
    c.hub(joined("maths", 6));
    c.hub(parted("maths", 7));
    assert_eq!(
        c.take_lines(),
        [
            ":bob!bob@natter QUIT :\r\n",
            ":bob!bob@natter JOIN #lobby\r\n",
            ":bob!bob@natter QUIT :\r\n",
            ":bob!bob@natter JOIN #maths\r\n",
            ":bob!bob@natter QUIT :\r\n",
        ]
    );
}

/// Found by the irc_room fuzz target: with `echo-message`, an action of
/// nothing (`/me` with no text) made no frame but was held for its echo,
/// and `awaiting_hub` stayed true for good: the driver never read another
/// line of that client.
#[test]
fn an_empty_action_is_not_held_for_an_echo() {
    let mut c = Client::in_lobby();
    c.send("CAP REQ :echo-message");
    assert_eq!(c.take_lines(), [":srv CAP ann ACK :echo-message\r\n"]);
    c.send("PRIVMSG #lobby :\u{1}ACTION \u{1}");
    assert!(c.take_frames().is_empty());
    assert!(!c.bridge.awaiting_hub());
    // A real message is held until the hub answers, then echoed.
    c.send("PRIVMSG #lobby :hi");
    assert_eq!(c.take_frames().len(), 1);
    assert!(c.bridge.awaiting_hub());
    c.hub(Frame::Ack {
        tag: 1,
        room: "lobby",
        id: 12,
        time: 0,
    });
    assert!(!c.bridge.awaiting_hub());
    assert_eq!(c.take_lines(), [":ann!ann@natter PRIVMSG #lobby :hi\r\n"]);
}

/// Found by the irc_room fuzz target: a message sent before
/// `echo-message` was turned on is answered before the first one sent
/// with it, and its `Ack` is not that one's echo. The bridge echoed the
/// later text on the earlier `Ack` (with the earlier message's id and
/// time) and stopped holding the client's lines too early.
#[test]
fn an_echo_waits_for_the_answers_to_messages_sent_before_it() {
    let mut c = Client::in_lobby();
    c.send("PRIVMSG #lobby :before");
    assert!(!c.bridge.awaiting_hub());
    c.send("CAP REQ :echo-message");
    c.send("PRIVMSG bob :after");
    assert_eq!(c.take_frames().len(), 2);
    assert!(c.bridge.awaiting_hub());
    c.take_lines();
    c.hub(Frame::Ack {
        tag: 1,
        room: "lobby",
        id: 12,
        time: 0,
    });
    assert_eq!(c.take_lines(), Vec::<String>::new());
    assert!(c.bridge.awaiting_hub());
    c.hub(Frame::Ack {
        tag: 1,
        room: "",
        id: 0,
        time: 0,
    });
    assert!(!c.bridge.awaiting_hub());
    assert_eq!(c.take_lines(), [":ann!ann@natter PRIVMSG bob :after\r\n"]);
    // A refusal answers the message it was for, too.
    c.send("CAP REQ :-echo-message");
    c.send("PRIVMSG #nowhere-yet :before");
    c.send("CAP REQ :echo-message");
    c.send("PRIVMSG #lobby :after");
    c.take_lines();
    c.hub(Frame::Error {
        code: ErrorCode::NotInRoom,
        tag: 1,
        subject: "nowhere-yet",
    });
    assert!(c.bridge.awaiting_hub());
    c.hub(Frame::Ack {
        tag: 1,
        room: "lobby",
        id: 13,
        time: 0,
    });
    let lines = c.take_lines();
    assert_eq!(
        lines.last().map(String::as_str),
        Some(":ann!ann@natter PRIVMSG #lobby :after\r\n")
    );
    assert!(!c.bridge.awaiting_hub());
}

//! The hand-written seed scripts.

use super::*;

/// Hand-written scripts, committed as `fuzz/seeds/irc_room/<name>` (the
/// replay test's `seeds_match_their_sources` writes them).
pub fn seed_scripts() -> Vec<(&'static str, Script)> {
    use Act::{Caps, Join, Nick, Notice, Part, Ping, Query, Quit, Say, Topic, Whisper};
    use Op::{Advance, Chunk, Disconnect, Login, Long, Pause, Raw, Resume, Shutdown};
    // Indices into NICKS, ROOMS and the text byte's fields.
    const ANN: u8 = 0;
    const BOB: u8 = 1;
    const ANN_UPPER: u8 = 2;
    const CAT: u8 = 3;
    const DAN: u8 = 4;
    const ZOE: u8 = 5;
    const BOT: u8 = 6;
    const LONG_NICK: u8 = 8;
    const BAD_NICK: u8 = 9;
    const LOBBY: u8 = 0;
    const OTHER: u8 = 1;
    const LOBBY_UPPER: u8 = 2;
    const ZOE_ROOM: u8 = 3;
    const NO_HASH: u8 = 4;
    const TWO: u8 = 7;
    const ACTION: u8 = 0x20;
    const WORDS: u8 = 0;
    const NO_SPACES: u8 = 1 << 3;
    const ACCENTS: u8 = 2 << 3;
    const COLON_CJK: u8 = 3 << 3;
    // Capabilities a `Login` asks for (its `how`), and an `Act::Caps`'s
    // bits.
    const TIME: u8 = 1 << 3;
    const BATCH: u8 = 1 << 4;
    const TAGS: u8 = 1 << 5;
    const ECHO: u8 = 1 << 6;
    const NAMES: u8 = 1 << 7;
    const REQ_TIME: u8 = 1;
    const REQ_BATCH: u8 = 2;
    const REQ_ECHO: u8 = 8;
    const REQ_UNKNOWN: u8 = 32;
    const REQ_OFF: u8 = 64;
    const REQ_LIST: u8 = 128;
    let act = |client, act| Op::Act { client, act };
    let login = |client, nick| Login {
        client,
        nick,
        how: 0,
    };
    let join = |client, room| act(client, Join { room });
    let say = |client, room, text| act(client, Say { room, text });
    let script = |irc, flags, steps| Script {
        setup: Setup { irc, flags },
        steps,
    };
    let login_with = |client, nick, how| Login { client, nick, how };
    let part = |client, room, reason| act(client, Part { room, reason });
    let notice = |client, room, text| act(client, Notice { room, text });
    let quit = |client, reason| act(client, Quit { reason });
    vec![
        (
            // Two IRC and two natter clients in the lobby, talking across:
            // texts, actions, notices, whispers both ways, a topic, a nick
            // change, a part and a quit.
            "cross_talk",
            script(
                0b0000_0101,
                0,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    Login {
                        client: 2,
                        nick: CAT,
                        how: 1,
                    },
                    login(3, DAN),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY_UPPER),
                    join(3, LOBBY),
                    say(0, LOBBY, 1 | WORDS),
                    say(1, LOBBY, 2 | WORDS),
                    say(2, LOBBY, 1 | ACTION),
                    say(3, LOBBY_UPPER, 1 | ACTION | ACCENTS),
                    act(
                        0,
                        Notice {
                            room: LOBBY,
                            text: 1,
                        },
                    ),
                    act(1, Whisper { to: ANN, text: 1 }),
                    act(
                        0,
                        Whisper {
                            to: DAN,
                            text: 1 | ACTION,
                        },
                    ),
                    act(2, Whisper { to: CAT, text: 1 }),
                    act(
                        3,
                        Topic {
                            room: LOBBY,
                            len: 1,
                        },
                    ),
                    act(
                        0,
                        Topic {
                            room: LOBBY,
                            len: 5,
                        },
                    ),
                    act(0, Nick { nick: ZOE }),
                    act(1, Nick { nick: BOT }),
                    say(0, LOBBY, 2 | COLON_CJK),
                    say(1, LOBBY, 2 | NO_SPACES),
                    join(0, OTHER),
                    join(3, OTHER),
                    say(3, OTHER, 1),
                    say(0, OTHER, 1),
                    act(
                        0,
                        Part {
                            room: OTHER,
                            reason: 1,
                        },
                    ),
                    act(2, Quit { reason: 2 }),
                    say(1, LOBBY, 3),
                ],
            ),
        ),
        (
            // The wide hub: 512-byte natter texts of every style reach IRC
            // clients over several lines, actions too; IRC clients send
            // the longest texts a line holds.
            "long_texts",
            script(
                0x40 | 0b0000_0110,
                0,
                vec![
                    login(0, ANN),
                    login(1, LONG_NICK),
                    login(2, BOB),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    say(0, LOBBY, 7 | WORDS),
                    say(0, LOBBY, 7 | NO_SPACES),
                    say(0, LOBBY, 7 | ACCENTS),
                    say(0, LOBBY, 7 | COLON_CJK | ACTION),
                    say(0, LOBBY, 5 | NO_SPACES | ACTION),
                    say(1, LOBBY, 6 | WORDS),
                    say(2, LOBBY, 6 | ACCENTS | ACTION),
                    say(1, LOBBY, 7),
                    act(
                        0,
                        Whisper {
                            to: LONG_NICK,
                            text: 7 | ACCENTS,
                        },
                    ),
                    act(
                        0,
                        Whisper {
                            to: BOB,
                            text: 7 | COLON_CJK | ACTION,
                        },
                    ),
                    Long {
                        client: 1,
                        kind: 0,
                        n: 14,
                    },
                    Long {
                        client: 1,
                        kind: 3,
                        n: 230,
                    },
                    Long {
                        client: 0,
                        kind: 0,
                        n: 32,
                    },
                    act(
                        0,
                        Topic {
                            room: LOBBY,
                            len: 4 | COLON_CJK,
                        },
                    ),
                ],
            ),
        ),
        (
            // Registration every way, with a password: capabilities, PASS
            // wrong and right, USER first, a bad and a taken nickname,
            // commands before registration; then every query.
            "registration",
            {
                let mut steps = vec![
                    act(0, Query { kind: 3, arg: 0 }),
                    act(0, Join { room: LOBBY }),
                    Login {
                        client: 0,
                        nick: ANN,
                        how: 1 | 2,
                    },
                    Login {
                        client: 0,
                        nick: ANN,
                        how: 1,
                    },
                    Login {
                        client: 1,
                        nick: BAD_NICK,
                        how: 4,
                    },
                    Login {
                        client: 1,
                        nick: ANN_UPPER,
                        how: 4,
                    },
                    act(1, Nick { nick: CAT }),
                    act(1, Query { kind: 11, arg: 0 }),
                    act(1, Query { kind: 12, arg: 0 }),
                    Login {
                        client: 2,
                        nick: BOB,
                        how: 2,
                    },
                    login(2, BOB),
                    join(0, LOBBY),
                    join(1, TWO),
                    join(2, NO_HASH),
                    join(2, ZOE_ROOM),
                ];
                for kind in 0..32 {
                    steps.push(act(
                        if kind % 2 == 0 { 0 } else { 1 },
                        Query {
                            kind,
                            arg: kind.wrapping_mul(29),
                        },
                    ));
                }
                steps.push(act(0, Ping { token: 3 }));
                steps.push(act(0, Ping { token: 0x83 }));
                steps.push(act(2, Query { kind: 0, arg: 0 }));
                steps.push(act(2, Query { kind: 1, arg: 0 }));
                script(0b0000_0011, 0x08, steps)
            },
        ),
        (
            // Bad bytes from IRC clients: NUL, invalid UTF-8, a lone CR, an
            // unfinished line, overlong lines and tags, cut into 1- and
            // 7-byte reads, and bare LF endings; nobody else may notice.
            "garbage",
            script(
                0b0000_0011,
                0,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    login(2, CAT),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    Chunk { client: 0, size: 1 },
                    Chunk { client: 1, size: 7 },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :nul\0here\r\n".to_vec(),
                    },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :bad \xc3\x28 utf8\r\n".to_vec(),
                    },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :lone\rcr\r\n\r\n\n   \r\n".to_vec(),
                    },
                    Raw {
                        client: 1,
                        bytes: b"PRIVMSG #lobby :no end".to_vec(),
                    },
                    Raw {
                        client: 1,
                        bytes: b" yet\r\nJOIN #other\nPRIVMSG #other :\xff\r\n".to_vec(),
                    },
                    Long {
                        client: 0,
                        kind: 0,
                        n: 200,
                    },
                    Long {
                        client: 1,
                        kind: 1,
                        n: 70,
                    },
                    say(1, LOBBY, 1),
                    Long {
                        client: 0,
                        kind: 2,
                        n: 255,
                    },
                    Long {
                        client: 0,
                        kind: 2,
                        n: 40,
                    },
                    say(0x80, LOBBY, 2),
                    say(2, LOBBY, 1),
                    Raw {
                        client: 2,
                        bytes: vec![0x00, 0x05, 0x04, 0xff],
                    },
                    Long {
                        client: 2,
                        kind: 1,
                        n: 1,
                    },
                    say(0, LOBBY, 1),
                ],
            ),
        ),
        (
            // Slow readers on a 4-event replay: an IRC client that stops
            // reading while others talk fills its lines, falls off the
            // history and gets a gap notice; a natter one too; pings
            // answered and a reader that never reads again is dropped.
            "slow_readers",
            script(
                0b0000_0101,
                0x04,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    login(2, CAT),
                    login(3, DAN),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    join(3, LOBBY),
                    Pause(0),
                    Pause(1),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3 | ACTION),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    Resume(0),
                    Resume(1),
                    say(2, LOBBY, 1),
                    Pause(1),
                    Advance(0x8000 + 7_600),
                    Advance(0x8000 + 7_600),
                    say(0, LOBBY, 1),
                    Advance(0x8000 + 7_600),
                    Advance(0x8000 + 7_600),
                    Advance(0x8000 + 7_600),
                ],
            ),
        ),
        (
            // History for late joiners, as notices with the time for IRC:
            // the room keeps talking, then an IRC client and a natter
            // client join; classroom mode and a room limit of 3.
            "history",
            script(
                0x40 | 0b0000_1010,
                0x10 | 0x20,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    join(0, OTHER),
                    join(1, OTHER),
                    say(0, OTHER, 2),
                    say(1, OTHER, 7 | ACTION),
                    say(0, OTHER, 7 | ACCENTS),
                    say(1, OTHER, 2),
                    act(
                        0,
                        Topic {
                            room: OTHER,
                            len: 2,
                        },
                    ),
                    login(2, CAT),
                    login(3, DAN),
                    join(3, OTHER),
                    join(2, OTHER),
                    join(2, ZOE_ROOM),
                    say(3, OTHER, 1),
                    act(
                        1,
                        Part {
                            room: OTHER,
                            reason: 3,
                        },
                    ),
                    join(1, OTHER),
                    say(2, OTHER, 1),
                ],
            ),
        ),
        (
            // A flood limit, then the server shuts down with an IRC client
            // that is not reading.
            "flood_shutdown",
            script(
                0x80 | 0b0000_0001,
                0,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    act(
                        0,
                        Notice {
                            room: LOBBY,
                            text: 1,
                        },
                    ),
                    Advance(1_000),
                    say(0, LOBBY, 1),
                    Pause(0),
                    say(1, LOBBY, 1),
                    Shutdown,
                    Advance(3_000),
                    login(0, ZOE),
                ],
            ),
        ),
        (
            // server-time, batch and message-tags on history and live
            // events: a natter client talks (a 512-byte text split for
            // IRC, an action, a notice) while others come and go, the
            // clock runs; then IRC clients join late with every mix of
            // the three (all, server-time alone, batch alone, none) and
            // get the replay as timed lines in batches (cut by the joins
            // and parts between), as timed lines, or as notices; an IRC
            // client parts and joins again; live messages, joins, parts,
            // a topic and a nickname change with their tags.
            "caps_history",
            script(
                0x40 | 0b0000_1111,
                6,
                vec![
                    login(4, ANN),
                    login_with(0, BOB, TIME | BATCH | TAGS),
                    join(4, LOBBY),
                    join(0, LOBBY),
                    say(4, LOBBY, 7 | WORDS),
                    say(0, LOBBY, 2 | ACCENTS),
                    login(5, ZOE),
                    join(5, LOBBY),
                    say(4, LOBBY, 1 | ACTION),
                    notice(4, LOBBY, 1),
                    Advance(0x8000 + 7_600),
                    part(5, LOBBY, 1),
                    say(4, LOBBY, 6 | COLON_CJK),
                    say(0, LOBBY, 1 | ACTION),
                    Advance(61_000),
                    say(4, LOBBY, 2),
                    login_with(1, CAT, 1 | TIME | BATCH | TAGS | NAMES),
                    join(1, LOBBY),
                    login_with(2, DAN, TIME),
                    join(2, LOBBY),
                    login_with(3, BOT, BATCH | TAGS),
                    join(3, LOBBY),
                    part(0, LOBBY, 2),
                    join(0, LOBBY_UPPER),
                    say(4, LOBBY, 7 | NO_SPACES),
                    say(1, LOBBY, 1),
                    join(5, LOBBY),
                    act(
                        4,
                        Topic {
                            room: LOBBY,
                            len: 1,
                        },
                    ),
                    act(5, Nick { nick: LONG_NICK }),
                    part(5, LOBBY, 3),
                    act(1, Caps { caps: REQ_TIME | REQ_OFF }),
                    join(1, OTHER),
                    say(0, OTHER, 1),
                    say(4, LOBBY, 1),
                ],
            ),
        ),
        (
            // echo-message: an IRC client's own messages come back once
            // the hub took them (texts, notices, actions, whispers, a text
            // whose echo takes two lines, with its msgid and time), never
            // when refused (a room it is not in, nobody of that name, the
            // flood limit), several lines in one write held until each is
            // answered; turned off midway, a capability the server does
            // not have (NAK), CAP LIST.
            "caps_echo",
            script(
                0x80 | 0x40 | 0b0000_0011,
                0,
                vec![
                    login_with(0, ANN, 1 | ECHO | TAGS | TIME),
                    login_with(1, BOB, ECHO),
                    login(2, CAT),
                    join(0, LOBBY),
                    join(1, LOBBY_UPPER),
                    join(2, LOBBY),
                    say(0, LOBBY, 1),
                    notice(0, LOBBY, 1),
                    say(0, LOBBY, 1 | ACTION),
                    act(0, Whisper { to: CAT, text: 1 }),
                    act(0, Whisper { to: DAN, text: 1 }),
                    say(0, OTHER, 1),
                    notice(0, OTHER, 1),
                    act(0, Query { kind: 17, arg: 0 }),
                    say(1, LOBBY_UPPER, 2 | ACCENTS),
                    Long {
                        client: 0,
                        kind: 0,
                        n: 14,
                    },
                    Chunk { client: 0, size: 5 },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :one\r\nNOTICE #lobby :two\r\nPRIVMSG bob :three\r\nPRIVMSG #nowhere :four\r\nPING :five\r\n"
                            .to_vec(),
                    },
                    Pause(0),
                    say(0, LOBBY, 1),
                    say(2, LOBBY, 1),
                    Resume(0),
                    act(1, Caps { caps: REQ_ECHO | REQ_OFF }),
                    say(1, LOBBY, 1),
                    act(1, Caps { caps: REQ_ECHO | REQ_UNKNOWN }),
                    act(1, Caps { caps: REQ_LIST }),
                    say(1, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                ],
            ),
        ),
        (
            // Quits: members of two rooms quit, are dropped, part with a
            // reason; one QUIT each for the IRC clients, whatever their
            // capabilities. One comes back under the same name within the
            // same millisecond and quits again (a second QUIT), also while
            // a watcher is not reading (its rooms' events then come room
            // by room); then more quits than a bridge remembers.
            "quits",
            script(
                0x40 | 0b0000_0011,
                0,
                {
                    let mut steps = vec![
                        login_with(0, ANN, TIME | TAGS),
                        login(1, BOB),
                        login(2, CAT),
                        login(3, DAN),
                        login(4, BOT),
                    ];
                    for c in 0..4 {
                        steps.push(join(c, LOBBY));
                        steps.push(join(c, OTHER));
                    }
                    steps.extend([
                        join(4, LOBBY),
                        quit(2, 1),
                        Disconnect(3),
                        login(2, CAT),
                        join(2, LOBBY),
                        join(2, OTHER),
                        quit(2, 2),
                        part(4, LOBBY, 3),
                        part(0, OTHER, 1),
                        join(0, OTHER),
                        Pause(1),
                        login(2, CAT),
                        join(2, LOBBY),
                        join(2, OTHER),
                        quit(2, 0),
                        login(2, CAT),
                        join(2, LOBBY),
                        join(2, OTHER),
                        quit(2, 0),
                        Resume(1),
                        Pause(0),
                        login(2, CAT),
                        join(2, LOBBY),
                        join(2, OTHER),
                        quit(2, 1),
                    ]);
                    for i in 0..17 {
                        let c = 3 + i % 3;
                        steps.push(login(c, DAN + (i % 3)));
                        steps.push(join(c, LOBBY));
                        steps.push(quit(c, 1));
                    }
                    steps.push(Resume(0));
                    steps
                },
            ),
        ),
        (
            // Capabilities changed around a replay: a client not reading
            // joins a room with a long history; its replay's batch stays
            // open while its lines wait, and its CAP REQ turning
            // server-time off is read and answered (untagged) before the
            // hub's output is taken again and the batch closes. The same
            // again, turning batch off.
            "caps_midway",
            script(
                0x40 | 0b0000_0001,
                6,
                {
                    let mut steps = vec![login(1, ANN), join(1, LOBBY)];
                    for _ in 0..12 {
                        steps.push(say(1, LOBBY, 6 | WORDS));
                    }
                    steps.extend([
                        login_with(0, BOB, TIME | BATCH | TAGS),
                        Pause(0),
                        join(0, LOBBY),
                        act(0, Caps { caps: REQ_TIME | REQ_OFF }),
                        Resume(0),
                        say(1, LOBBY, 1),
                        act(0, Caps { caps: REQ_TIME | REQ_BATCH }),
                        part(0, LOBBY, 0),
                        Pause(0),
                        join(0, LOBBY),
                        act(0, Caps { caps: REQ_BATCH | REQ_OFF }),
                        Resume(0),
                    ]);
                    steps
                },
            ),
        ),
    ]
}

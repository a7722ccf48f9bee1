//! The hand-written seed scripts.

use super::*;

/// Hand-written scripts, committed as `fuzz/seeds/irc_room/<name>` (the
/// replay test's `seeds_match_their_sources` writes them).
pub fn seed_scripts() -> Vec<(&'static str, Script)> {
    use Act::{Join, Nick, Notice, Part, Ping, Query, Quit, Say, Topic, Whisper};
    use Op::{Advance, Chunk, Login, Long, Pause, Raw, Resume, Shutdown};
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
    ]
}

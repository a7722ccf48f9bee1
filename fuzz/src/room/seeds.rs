//! The hand-written seed scripts.

use super::*;

/// Hand-written scripts, committed as `fuzz/seeds/room/<name>` (the replay
/// test's ignored `write_seeds` writes them).
pub fn seed_scripts() -> Vec<(&'static str, Script)> {
    use Op::*;
    // Indices into NICKS and ROOMS.
    const ANN: u8 = 0;
    const BOB: u8 = 1;
    const CAT: u8 = 3;
    const DAN: u8 = 4;
    const ZOE: u8 = 5;
    const LOBBY: u8 = 0;
    const MATHS: u8 = 1;
    const ART: u8 = 2;
    let join = |c, room| {
        Send(
            c,
            Req::Join {
                room,
                mode: 0,
                epoch: 0,
                since: 0,
            },
        )
    };
    let say = |c, room, len, count| Send(c, Req::Say { room, len, count });
    let steps = |ops: Vec<Op>| ops.into_iter().map(|op| Step { op, more: false }).collect();
    let script = |flags, limits, ops| Script {
        setup: Setup { flags, limits },
        steps: steps(ops),
    };
    let mut seeds = vec![
        (
            // bob parts while ann's messages still wait for him in the
            // history: he gets them (or a gap) before `Left`, and cat, who
            // sees his `Parted`, lets the checker hold him to that.
            "part_race",
            script(
                0,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(2, CAT),
                    join(2, LOBBY),
                    Pause(1),
                    say(0, LOBBY, 1, 3),
                    Send(
                        1,
                        Req::Part {
                            room: LOBBY,
                            reason: 0,
                        },
                    ),
                    Resume(1),
                    Advance(10),
                ],
            ),
        ),
        (
            // Everything a class does in a lesson, with nobody slow.
            "session",
            script(
                0x80,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    say(0, LOBBY, 1, 0),
                    Login(1, BOB),
                    join(1, LOBBY),
                    say(1, LOBBY, 4, 2),
                    Send(0, Req::Whisper { to: BOB, len: 1 }),
                    Send(
                        1,
                        Req::SetTopic {
                            room: LOBBY,
                            len: 1,
                        },
                    ),
                    join(0, MATHS),
                    join(1, MATHS),
                    say(0, MATHS, 5, 0),
                    Send(1, Req::SetNick { nick: ZOE }),
                    say(1, LOBBY, 0, 0),
                    Send(
                        0,
                        Req::Part {
                            room: MATHS,
                            reason: 1,
                        },
                    ),
                    Send(0, Req::Ping { token: 7 }),
                    Send(1, Req::Quit { reason: 1 }),
                    Advance(1_000),
                ],
            ),
        ),
        (
            // A reader that stops, falls off a 4-event history, takes a few
            // bytes at a time and comes back: gaps, cut frames.
            "slow_reader",
            script(
                0x40,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(2, CAT),
                    join(2, LOBBY),
                    Pause(2),
                    say(0, LOBBY, 5, 3),
                    say(1, LOBBY, 6, 3),
                    Trickle(2, 40),
                    say(0, LOBBY, 5, 3),
                    Trickle(2, 0),
                    say(1, LOBBY, 1, 3),
                    Resume(2),
                    say(0, LOBBY, 0, 0),
                ],
            ),
        ),
        (
            // Lose the connection, miss some messages, come back and resume.
            "resume",
            script(
                0x50,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    say(1, LOBBY, 1, 1),
                    Disconnect(0),
                    say(1, LOBBY, 1, 3),
                    Reconnect(0, ANN),
                    say(1, LOBBY, 1, 3),
                    say(1, LOBBY, 1, 3),
                    Disconnect(0),
                    say(1, LOBBY, 1, 3),
                    say(1, LOBBY, 1, 3),
                    Reconnect(0, ANN),
                ],
            ),
        ),
        (
            // Sockets that take 1 or 7 bytes per write, input 3 bytes per
            // read.
            "partial_writes",
            script(
                0x00,
                0,
                vec![
                    Login(0, ANN),
                    Socket(0, 7, 3),
                    join(0, LOBBY),
                    Login(1, BOB),
                    Socket(1, 1, 1),
                    join(1, LOBBY),
                    say(0, LOBBY, 7, 3),
                    say(1, LOBBY, 5, 3),
                    Send(
                        0,
                        Req::SetTopic {
                            room: LOBBY,
                            len: 4,
                        },
                    ),
                ],
            ),
        ),
        (
            // Bad input of every kind, up to the ninth strike, and an
            // oversize length prefix.
            "garbage",
            script(
                0x00,
                0,
                vec![
                    Login(0, ANN),
                    Raw(0, 0, vec![0x00, 0x00]),
                    Raw(0, 0, vec![0x00, 0x01, 0x33]),
                    Raw(0, 0, vec![0x00, 0x04, 0x06, 0x02, 0xc3, 0x28]),
                    Raw(0, 1, vec![0x06, 0x02, b'9', b'x']),
                    Raw(0, 1, vec![0x09, 0x00]),
                    Raw(0, 1, vec![0x09, 0, 0, 0, 1, 0]),
                    Send(0, Req::ServerOnly { room: LOBBY }),
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 0,
                        },
                    ),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Raw(
                        1,
                        1,
                        vec![
                            0x04, 0, 0, 0, 1, 5, b'l', b'o', b'b', b'b', b'y', 2, 0, 1, b'x',
                        ],
                    ),
                    Raw(1, 1, vec![0x01, 0x02, 0x03, b'b', b'o', b'b', 0x00]),
                    Raw(1, 1, vec![0x01, 0x01, 0x03, b'B', b'O', b'B', 0x00]),
                    Raw(
                        1,
                        1,
                        vec![0x02, 0x01, b'#', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                    ),
                    Raw(
                        1,
                        1,
                        vec![0x03, 0x05, b'l', b'o', b'b', b'b', b'y', 0x01, b'\n'],
                    ),
                    Raw(
                        1,
                        1,
                        vec![0x07, 0x05, b'l', b'o', b'b', b'b', b'y', 0x00, 0x01, 0x00],
                    ),
                    Raw(1, 1, vec![0xff]),
                    Raw(1, 1, vec![]),
                    Raw(1, 1, vec![0x0a, 0, 0, 0]),
                    Raw(1, 1, vec![0x4f, 0x01, 0x00]),
                    Raw(2, 0, vec![0xff, 0xff, 1, 2, 3]),
                    Login(2, CAT),
                    Raw(2, 0, vec![0x04, 0x00]),
                ],
            ),
        ),
        (
            // Timers: no hello in time, pings answered and not, a reader
            // that never reads, a Bye nobody takes.
            "timers",
            script(
                0x00,
                0,
                vec![
                    Connect(0),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(2, CAT),
                    join(2, LOBBY),
                    Pause(2),
                    say(1, LOBBY, 7, 3),
                    say(1, LOBBY, 7, 3),
                    Advance(10_000),
                    Advance(0x8000 + 7_500),
                    Advance(0x8000 + 7_500),
                    Advance(0x8000 + 7_500),
                    Resume(2),
                    Login(3, DAN),
                    Pause(3),
                    Advance(0x8000 + 15_000),
                ],
            ),
        ),
        (
            // The tiny hub: too many connections, rooms and members, a
            // flood limit, classroom mode off, a 256-byte history that
            // cannot keep a long Parted.
            "capacity",
            script(
                0x09 | 0x20,
                0x02 | 0x04,
                vec![
                    Login(0, ANN),
                    Login(1, BOB),
                    Login(2, CAT),
                    Login(3, DAN),
                    Connect(4),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    join(0, ART),
                    join(1, MATHS),
                    join(2, ART),
                    say(0, LOBBY, 0, 3),
                    say(0, LOBBY, 0, 3),
                    say(0, LOBBY, 0, 3),
                    say(0, LOBBY, 0, 3),
                    Send(
                        1,
                        Req::Part {
                            room: LOBBY,
                            reason: 3,
                        },
                    ),
                    Send(0, Req::Quit { reason: 3 }),
                    Connect(4),
                ],
            ),
        ),
        (
            // Password, classroom mode, then the server shuts down with a
            // reader that is not reading.
            "shutdown",
            script(
                0x06 | 0x80,
                0x10,
                vec![
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 2,
                        },
                    ),
                    Connect(0),
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 2,
                        },
                    ),
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 1,
                        },
                    ),
                    join(0, LOBBY),
                    join(0, ART),
                    join(0, MATHS),
                    Login(1, BOB),
                    join(1, MATHS),
                    Pause(1),
                    say(0, MATHS, 1, 3),
                    Shutdown,
                    Advance(3_000),
                ],
            ),
        ),
    ];
    // One wake-up with several actions before any output is written: a
    // member speaks, another's connection drops and its slot is taken by a
    // newcomer at once.
    let mut wakeup = script(
        0x80,
        0,
        vec![
            Login(0, ANN),
            join(0, LOBBY),
            Login(1, BOB),
            join(1, LOBBY),
            Login(2, CAT),
            join(2, LOBBY),
            say(0, LOBBY, 1, 0),
            Disconnect(1),
            Login(3, DAN),
            join(3, LOBBY),
            say(2, LOBBY, 1, 0),
        ],
    );
    for step in &mut wakeup.steps[6..10] {
        step.more = true;
    }
    seeds.push(("one_wakeup", wakeup));
    // ann, not reading, parts and joins again three times; she reads her
    // first `Left` (9 bytes) before her second `Part`, and her second
    // `Entered` before her third. Each `Left` answers her own `Parted` in
    // order, though the second `Parted` was logged while her view had no
    // stay in the room (regression `parted_before_its_stay_was_read`).
    let part = |c| {
        Send(
            c,
            Req::Part {
                room: LOBBY,
                reason: 0,
            },
        )
    };
    seeds.push((
        "part_rejoin_unread",
        script(
            0,
            0,
            vec![
                Login(0, ANN),
                join(0, LOBBY),
                Pause(0),
                part(0),
                join(0, LOBBY),
                Trickle(0, 8),
                part(0),
                join(0, LOBBY),
                Trickle(0, 30),
                part(0),
            ],
        ),
    ));
    // ann's connection drops and she logs in again in the same wake-up, on
    // the same slot, before the hub's log (with the `Parted` of the
    // dropped connection) is read: that `Parted` is not hers now, and her
    // `Left` answers her new one.
    let mut reconnect = script(
        0,
        0,
        vec![
            Login(0, ANN),
            join(0, LOBBY),
            Disconnect(0),
            Login(0, ANN),
            join(0, LOBBY),
            Login(1, BOB),
            join(1, LOBBY),
            part(0),
        ],
    );
    reconnect.steps[2].more = true;
    seeds.push(("reconnect_in_one_wakeup", reconnect));
    seeds.extend(lesson_seeds());
    seeds
}

/// Lessons with the room controls: the teacher proves the password, makes
/// the room moderated, gives and takes the word, mutes, kicks; students
/// and operators try what they may not.
fn lesson_seeds() -> Vec<(&'static str, Script)> {
    use Op::*;
    const ANN: u8 = 0;
    const BOB: u8 = 1;
    const CAT: u8 = 3;
    const DAN: u8 = 4;
    const LOBBY: u8 = 0;
    const ART: u8 = 2;
    // Indices into MODES.
    const O: u8 = 0;
    const V: u8 = 1;
    const M: u8 = 2;
    const B: u8 = 3;
    const T: u8 = 4;
    const N: u8 = 5;
    const I: u8 = 7;
    const K: u8 = 8;
    const L: u8 = 9;
    const UNKNOWN: u8 = 11;
    const STATE: u8 = 12;
    // Indices into MODE_ARGS.
    const A_ANN: u8 = 0;
    const A_BOB: u8 = 1;
    const A_DAN: u8 = 3;
    const MUTE_BOB: u8 = 4;
    const MUTE_CAT: u8 = 6;
    const BAN_DAN: u8 = 9;
    const TWO: u8 = 11;
    const KEY: u8 = 15;
    const NONE: u8 = 17;
    // `Mode` flags: ask, add, remove.
    const ASK: u8 = 0;
    const ADD: u8 = 1;
    const REMOVE: u8 = 2;
    let join = |c, room| {
        Send(
            c,
            Req::Join {
                room,
                mode: 0,
                epoch: 0,
                since: 0,
            },
        )
    };
    let say = |c, room| {
        Send(
            c,
            Req::Say {
                room,
                len: 1,
                count: 0,
            },
        )
    };
    let teach = |c, password| Send(c, Req::Teach { password });
    let mode = |c, room, flags, mode, arg| {
        Send(
            c,
            Req::Mode {
                room,
                flags,
                mode,
                arg,
            },
        )
    };
    let kick = |c, room, nick| {
        Send(
            c,
            Req::Kick {
                room,
                nick,
                reason: 1,
            },
        )
    };
    let script = |flags, limits, ops: Vec<Op>| Script {
        setup: Setup { flags, limits },
        steps: ops.into_iter().map(|op| Step { op, more: false }).collect(),
    };
    vec![
        (
            // dan proves the password (wrong first: he waits), makes the
            // lobby moderated, gives ann the word, mutes bob (voiced or not)
            // and cat, is refused what even the teacher may not do, and
            // kicks cat; the students try to operate and to speak.
            "lesson",
            script(
                0,
                0,
                vec![
                    Login(4, DAN),
                    teach(4, 1),
                    Advance(300),
                    teach(4, 0),
                    join(4, LOBBY),
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(3, CAT),
                    join(3, LOBBY),
                    mode(4, LOBBY, ADD, M, NONE),
                    say(0, LOBBY),
                    mode(4, LOBBY, ADD, V, A_ANN),
                    say(0, LOBBY),
                    mode(1, LOBBY, ADD, V, A_BOB),
                    kick(1, LOBBY, ANN),
                    mode(4, LOBBY, ADD, B, MUTE_BOB),
                    mode(4, LOBBY, ADD, V, A_BOB),
                    say(1, LOBBY),
                    mode(4, LOBBY, ADD, B, MUTE_CAT),
                    mode(4, LOBBY, REMOVE, M, NONE),
                    mode(4, LOBBY, REMOVE, M, NONE),
                    say(3, LOBBY),
                    say(1, LOBBY),
                    say(0, LOBBY),
                    mode(4, LOBBY, REMOVE, O, A_DAN),
                    kick(3, LOBBY, DAN),
                    mode(4, LOBBY, ADD, B, BAN_DAN),
                    mode(4, LOBBY, ADD, UNKNOWN, NONE),
                    kick(4, LOBBY, CAT),
                    say(3, LOBBY),
                    mode(4, LOBBY, REMOVE, B, MUTE_BOB),
                    say(1, LOBBY),
                    Advance(1_000),
                ],
            ),
        ),
        (
            // ann creates #art and operates it; she gives bob operator; the
            // teacher comes in (announced), and bob may not touch him but
            // kicks ann. Then topic and nickname locks, an invitation past
            // `i`, a limit, a key.
            "lesson_operators",
            script(
                0,
                0,
                vec![
                    Login(0, ANN),
                    join(0, ART),
                    Login(1, BOB),
                    join(1, ART),
                    mode(0, ART, ADD, M, NONE),
                    say(1, ART),
                    mode(0, ART, ADD, O, A_BOB),
                    say(1, ART),
                    Login(4, DAN),
                    teach(4, 0),
                    join(4, ART),
                    mode(1, ART, REMOVE, O, A_DAN),
                    kick(1, ART, DAN),
                    kick(1, ART, ANN),
                    say(0, ART),
                    mode(1, ART, ADD, T, NONE),
                    Login(3, CAT),
                    join(3, ART),
                    Send(3, Req::SetTopic { room: ART, len: 1 }),
                    mode(1, ART, ADD, N, NONE),
                    Send(3, Req::SetNick { nick: 5 }),
                    mode(1, ART, ADD, I, NONE),
                    join(0, ART),
                    Send(
                        1,
                        Req::Invite {
                            room: ART,
                            nick: ANN,
                        },
                    ),
                    join(0, ART),
                    mode(4, ART, ADD, L, TWO),
                    Send(
                        3,
                        Req::Part {
                            room: ART,
                            reason: 0,
                        },
                    ),
                    mode(1, ART, REMOVE, I, NONE),
                    join(3, ART),
                    mode(4, ART, REMOVE, L, NONE),
                    mode(4, ART, ADD, K, KEY),
                    join(3, ART),
                    mode(3, ART, ASK, STATE, NONE),
                    mode(3, ART, ASK, B, NONE),
                    Advance(1_000),
                ],
            ),
        ),
        (
            // bob is not reading when he is refused and kicked; he reads it
            // all afterwards. dan proves the password while in the room
            // (the others see it), reconnects as a student and proves it
            // again.
            "lesson_slow_student",
            script(
                0,
                0,
                vec![
                    Login(4, DAN),
                    join(4, LOBBY),
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Pause(1),
                    teach(4, 0),
                    mode(4, LOBBY, ADD, M, NONE),
                    say(1, LOBBY),
                    say(0, LOBBY),
                    kick(4, LOBBY, BOB),
                    Resume(1),
                    say(1, LOBBY),
                    join(1, LOBBY),
                    Reconnect(4, DAN),
                    mode(4, LOBBY, REMOVE, M, NONE),
                    teach(4, 0),
                    mode(4, LOBBY, REMOVE, M, NONE),
                    say(1, LOBBY),
                    Advance(1_000),
                ],
            ),
        ),
    ]
}

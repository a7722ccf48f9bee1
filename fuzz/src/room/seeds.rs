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
    seeds
}

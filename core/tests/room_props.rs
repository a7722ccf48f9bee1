//! Property tests of the hub, on every `cargo test`: random driver scripts
//! of the fuzz `room` target (`fuzz/src/room/`), drawn by proptest as
//! sessions (log in, join or resume, talk, part, change nick, whisper, set
//! topics, send garbage, drop and reconnect, stop and resume reading, let
//! time pass, shut down), each run against a small hub with all of that
//! target's invariants checked after every step. Among them: nothing panics and
//! every frame is well formed; capacities hold; in each member's stay in a
//! room event ids only go up and its own messages never come back; every
//! message reaches every member present when it was sent, intact (the
//! sender, text, flags and time its sender's `Ack` confirmed), or is
//! counted by a `Gap` notice; each room's member list is exactly the
//! clients that were told they are in it.
//!
//! The fuzzer explores further with coverage guidance; this runs the same
//! checks everywhere, and proptest shrinks a failing script to a small one
//! (`Script::parse` shows it as steps). `PROPTEST_CASES` sets the number of
//! scripts (256 by default; Miri runs 4).

// Only the room checker is used here: the rest of the fuzz crate's
// library (other targets, the seeds and their re-exports) is not.
#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod fuzz;

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use fuzz::room::{Op, Req, Script, Setup, Stats, Step};

/// A room: mostly `lobby`, `maths` and `art` (indices into the target's
/// `ROOMS`), now and then another spelling or name.
fn room() -> impl Strategy<Value = u8> {
    prop_oneof![6 => 0..3u8, 1 => any::<u8>()]
}

/// A client's request, weighted towards talking.
fn request() -> impl Strategy<Value = Req> {
    let b = any::<u8>;
    prop_oneof![
        3 => (room(), 0..2u8).prop_map(|(room, mode)| Req::Join { room, mode, epoch: 0, since: 0 }),
        1 => (room(), any::<u32>(), 0..40u64)
            .prop_map(|(room, epoch, since)| Req::Join { room, mode: 2, epoch, since }),
        8 => (room(), b(), b()).prop_map(|(room, len, count)| Req::Say { room, len, count }),
        1 => (room(), b()).prop_map(|(room, reason)| Req::Part { room, reason }),
        1 => b().prop_map(|nick| Req::SetNick { nick }),
        1 => (b(), b()).prop_map(|(to, len)| Req::Whisper { to, len }),
        1 => (room(), b()).prop_map(|(room, len)| Req::SetTopic { room, len }),
        1 => b().prop_map(|reason| Req::Quit { reason }),
        1 => b().prop_map(|token| Req::Ping { token }),
        1 => (b(), b()).prop_map(|(nick, password)| Req::Hello { nick, password }),
    ]
}

/// One driver action, weighted like a busy class: mostly requests, some
/// slow readers, drops and reconnects. Five clients, so they meet.
fn op() -> impl Strategy<Value = Op> {
    let c = || 0..5u8;
    let b = any::<u8>;
    prop_oneof![
        4 => (c(), b()).prop_map(|(c, nick)| Op::Login(c, nick)),
        16 => (c(), request()).prop_map(|(c, req)| Op::Send(c, req)),
        1 => (c(), b(), prop::collection::vec(b(), 0..12)).prop_map(|(c, m, v)| Op::Raw(c, m, v)),
        1 => c().prop_map(Op::Connect),
        1 => c().prop_map(Op::Disconnect),
        2 => (c(), b()).prop_map(|(c, nick)| Op::Reconnect(c, nick)),
        2 => any::<u16>().prop_map(Op::Advance),
        2 => c().prop_map(Op::Pause),
        2 => c().prop_map(Op::Resume),
        1 => (c(), b(), b()).prop_map(|(c, w, r)| Op::Socket(c, w, r)),
        1 => (c(), b()).prop_map(|(c, n)| Op::Trickle(c, n)),
    ]
}

/// The hub's settings: usually open (no flood limit, password or fixed
/// rooms, no capacity limits) with any history and either hub size; one
/// in four anything.
fn setup() -> impl Strategy<Value = Setup> {
    prop_oneof![
        3 => (any::<u8>(), any::<u8>())
            .prop_map(|(f, l)| Setup { flags: f & 0xf8, limits: l & 0x30 }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(flags, limits)| Setup { flags, limits }),
    ]
}

/// A whole script: the hub's setup; 3-5 clients log in (some nicknames
/// clash) and join the lobby or another room; then up to 150 random steps,
/// and now and then a shutdown at the end.
fn script() -> impl Strategy<Value = Script> {
    let step = (op(), prop::bool::weighted(0.2)).prop_map(|(op, more)| Step { op, more });
    let arrival = (any::<u8>(), room());
    (
        setup(),
        prop::collection::vec(arrival, 3..=5),
        prop::collection::vec(step, 0..150),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(setup, arrivals, random, shutdown)| {
            let mut steps = Vec::new();
            for (c, (nick, room)) in arrivals.into_iter().enumerate() {
                let c = c as u8;
                let join = Req::Join {
                    room,
                    mode: 0,
                    epoch: 0,
                    since: 0,
                };
                steps.push(Step {
                    op: Op::Login(c, nick),
                    more: false,
                });
                steps.push(Step {
                    op: Op::Send(c, join),
                    more: false,
                });
            }
            steps.extend(random);
            if shutdown {
                steps.push(Step {
                    op: Op::Shutdown,
                    more: false,
                });
            }
            Script { setup, steps }
        })
}

fn config() -> Config {
    let mut config = Config::with_cases(256);
    if let Some(n) = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        config.cases = n;
    }
    config.failure_persistence = None;
    config
}

#[test]
fn random_driver_scripts_keep_every_invariant() {
    let config = config();
    let cases = config.cases;
    let total = Cell::new(Stats::default());
    let result = TestRunner::new(config).run(&script(), |script| {
        // A broken invariant panics, naming the step; proptest turns
        // that into a failure and shrinks the script.
        let stats = fuzz::room::run(&script);
        let mut t = total.get();
        t += stats;
        total.set(t);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The scripts must reach the interesting cases (fewer runs may be
    // asked for when debugging, and under Miri).
    let total = total.get();
    eprintln!("{cases} scripts: {total:?}");
    if cases >= 100 {
        assert!(total.events > 0 && total.contents > 0, "{total:?}");
        assert!(
            total.gaps > 0,
            "no gaps: the scripts are too easy: {total:?}"
        );
        assert!(total.resumes > 0, "no resumes checked: {total:?}");
        assert!(total.closes > 0 && total.refused_connects > 0, "{total:?}");
    }
}

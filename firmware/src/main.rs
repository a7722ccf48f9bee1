//! natter on a microcontroller: the real natter-core hub, with five
//! simulated members, on QEMU's lm3s6965evb (a Cortex-M3 with 64 KiB of
//! RAM). Every member talks to the hub through in-memory pipes; the script
//! checks every frame each member receives, prints one line per check over
//! semihosting and exits with status 0 only if all of them passed.
//!
//! Run it with `cargo run --release` here, or `scripts/firmware.sh`.
//!
//! * `net.rs`: the driver (hub, members, virtual clock) and `recv!`.
//! * `pipe.rs`: the byte pipes, `embedded_io::{Read, Write}`.
//! * `show.rs`: frames as the report prints them.
//! * `stack.rs`: the stack's high-water mark.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod net;
mod pipe;
mod show;
mod stack;

use core::mem::size_of;

use cortex_m_rt::entry;
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::hprintln;
use natter_core::error::ErrorCode;
use natter_core::room::{Config, Event, RoomError};
use natter_core::wire::{Frame, VERSION};
use panic_semihosting as _;
use static_cell::{ConstStaticCell, StaticCell};

use crate::net::{DemoHub, Member, Net, recv};

const LOBBY: &str = "lobby";
const NICKS: [&str; 5] = ["ann", "bob", "cat", "dan", "eve"];
const ANN: usize = 0;
const BOB: usize = 1;
const CAT: usize = 2;
const DAN: usize = 3;
const EVE: usize = 4;

/// Pause between steps: enough for the flood limit to refill.
const STEP_MS: u64 = 2_000;

/// The hub and the members live in statics, so the linker counts their RAM
/// and the stack stays small. The hub has no `const` constructor, so it is
/// built at start-up, in place; the members start as all zeros (`.bss`).
static HUB: StaticCell<DemoHub> = StaticCell::new();
static MEMBERS: ConstStaticCell<[Member; 5]> = ConstStaticCell::new([const { Member::new() }; 5]);

/// A classroom hub with a tight flood limit: a burst of two messages, then
/// one a second.
fn config() -> Config {
    Config {
        flood_rate: 1,
        flood_burst: 2,
        ..Config::default()
    }
}

#[entry]
fn main() -> ! {
    hprintln!("natter-core on a Cortex-M3: one room, five members");
    let mut net = Net::new(new_hub(), MEMBERS.take(), NICKS);
    run(&mut net);
    let (passed, failed) = net.score();
    hprintln!();
    hprintln!(
        "memory: hub {} B, members {} B (both static), stack peak {} B",
        size_of::<DemoHub>(),
        size_of::<[Member; 5]>(),
        stack::peak()
    );
    hprintln!("{} passed, {} failed", passed, failed);
    debug::exit(if failed == 0 {
        EXIT_SUCCESS
    } else {
        EXIT_FAILURE
    });
    // Only reached when no debugger or emulator takes the exit.
    loop {
        cortex_m::asm::wfi();
    }
}

/// Build the hub in its static. Not inlined: building it still takes a few
/// KiB of stack for temporaries, which are given back before the script
/// runs instead of staying in `main`'s frame.
#[inline(never)]
fn new_hub() -> &'static mut DemoHub {
    HUB.init_with(|| DemoHub::new(config()))
}

/// Open the room everyone joins first. Not inlined, for the same reason:
/// a new room is built on the stack before it moves into its slot.
#[inline(never)]
fn open_lobby(hub: &mut DemoHub) -> Result<(), RoomError> {
    hub.add_room(LOBBY)
}

/// The scenario, step by step.
fn run(net: &mut Net<5>) {
    match open_lobby(net.hub()) {
        Ok(()) => net.check(true, format_args!("the hub opens the room {LOBBY}")),
        Err(e) => net.check(false, format_args!("the hub cannot open {LOBBY}: {e}")),
    }

    step("1. everyone says hello");
    for who in [ANN, BOB, CAT, DAN, EVE] {
        let nick = NICKS[who];
        net.connect(who);
        net.send(
            who,
            &Frame::Hello {
                version: VERSION,
                nick,
                password: "",
            },
        );
        recv!(net, who, Frame::Welcome { nick: n, lobby: LOBBY, max_text: 128, .. } if n == nick);
    }
    net.settle();

    step("2. everyone joins the lobby");
    // The k-th to join is told who is there and gets the earlier joins
    // replayed from the room's history; the others see it arrive. Every
    // event so far is a join, so the k-th join is event k + 1.
    for k in 0..NICKS.len() {
        net.send(
            k,
            &Frame::Join {
                room: LOBBY,
                epoch: 0,
                since: 0,
                key: "",
            },
        );
        let count = k + 1;
        recv!(net, k, Frame::Entered { room: LOBBY, members, next_id, .. }
            if usize::from(members) == count && next_id == count as u64 + 1);
        recv!(net, k, Frame::Names { room: LOBBY, nicks, .. }
            if nicks.iter().eq(NICKS[..count].iter().copied()));
        for (earlier, &nick) in NICKS[..k].iter().enumerate() {
            recv!(net, k, Frame::Joined { room: LOBBY, id, nick: n, .. }
                if n == nick && id == earlier as u64 + 1);
        }
        for earlier in 0..k {
            recv!(net, earlier, Frame::Joined { room: LOBBY, id, nick: n, .. }
                if n == NICKS[k] && id == count as u64);
        }
    }
    net.settle();

    step("3. ann and bob chat");
    say(net, ANN, 1, "hello everyone");
    say(net, BOB, 1, "hi ann!");
    net.settle();

    step("4. cat changes nick to kat");
    net.send(CAT, &Frame::SetNick { nick: "kat" });
    recv!(net, CAT, Frame::NickSet { nick: "kat" });
    net.rename(CAT, "kat");
    let mut seen = None;
    for who in [ANN, BOB, DAN, EVE] {
        let id = recv!(net, who, Frame::NickChanged { room: LOBBY, old: "cat", new: "kat", id, .. }
            if seen.is_none_or(|s| s == id) => id);
        seen = seen.or(id);
    }
    net.settle();

    step("5. dan floods: a burst of 2 is allowed, the third is refused");
    net.advance(STEP_MS);
    let others = [ANN, BOB, CAT, EVE];
    for (tag, text) in [(1, "one"), (2, "two"), (3, "three")] {
        net.send(
            DAN,
            &Frame::Say {
                tag,
                room: LOBBY,
                flags: 0,
                text,
            },
        );
    }
    let one = recv!(net, DAN, Frame::Ack { tag: 1, room: LOBBY, id, .. } => id);
    let two = recv!(net, DAN, Frame::Ack { tag: 2, room: LOBBY, id, .. } => id);
    recv!(
        net,
        DAN,
        Frame::Error {
            code: ErrorCode::Flooding,
            tag: 3,
            ..
        }
    );
    for who in others {
        recv!(net, who, Frame::Message { from: "dan", text: "one", id, .. } if Some(id) == one);
        recv!(net, who, Frame::Message { from: "dan", text: "two", id, .. } if Some(id) == two);
    }
    let refused = net.logged(|e| {
        matches!(
            e,
            Event::Refused {
                code: ErrorCode::Flooding,
                ..
            }
        )
    });
    net.check(
        refused,
        format_args!("the hub logged the refusal (Event::Refused, Flooding)"),
    );
    net.settle();
    hprintln!("  (one second later)");
    net.advance(1_000);
    say(net, DAN, 4, "three");
    net.settle();

    step("6. eve leaves the lobby");
    net.advance(STEP_MS);
    net.send(
        EVE,
        &Frame::Part {
            room: LOBBY,
            reason: "homework",
        },
    );
    recv!(net, EVE, Frame::Left { room: LOBBY, .. });
    for who in [ANN, BOB, CAT, DAN] {
        recv!(
            net,
            who,
            Frame::Parted {
                room: LOBBY,
                nick: "eve",
                reason: "homework",
                ..
            }
        );
    }
    net.settle();

    step("7. dan quits");
    net.advance(STEP_MS);
    net.send(DAN, &Frame::Quit { reason: "bye all" });
    recv!(
        net,
        DAN,
        Frame::Bye {
            code: ErrorCode::Quit,
            ..
        }
    );
    net.expect_closed(DAN);
    for who in [ANN, BOB, CAT] {
        recv!(
            net,
            who,
            Frame::Parted {
                room: LOBBY,
                nick: "dan",
                reason: "bye all",
                ..
            }
        );
    }
    net.settle();

    step("8. the hub's own view");
    let hub = net.hub();
    let members_ok = hub.members(LOBBY).eq(["ann", "bob", "kat"]);
    let connections = hub.connections();
    net.check(members_ok, format_args!("the lobby holds ann, bob and kat"));
    net.check(
        connections == 4,
        format_args!("{connections} connections are open (eve is still connected)"),
    );
}

/// `who` says `text` with `tag`: it gets an `Ack` with the message's id,
/// and every other member in the lobby the message with that id.
fn say(net: &mut Net<5>, who: usize, tag: u32, text: &str) {
    net.send(
        who,
        &Frame::Say {
            tag,
            room: LOBBY,
            flags: 0,
            text,
        },
    );
    let from = net.name(who);
    let id = recv!(net, who, Frame::Ack { tag: t, room: LOBBY, id, .. } if t == tag => id);
    for other in [ANN, BOB, CAT, DAN, EVE] {
        if other != who {
            recv!(net, other, Frame::Message { room: LOBBY, from: f, text: t, id: got, .. }
                if f == from && t == text && Some(got) == id);
        }
    }
}

fn step(title: &str) {
    hprintln!();
    hprintln!("== {}", title);
}

//! The driver: the real natter-core hub, the members on the other end of
//! in-memory pipes, and a virtual clock. It does what the std server does
//! with sockets and `mio` (and what the core's `Sim` does in its tests):
//! pass bytes and the time in, drain what the hub wants done.
//!
//! The members are plain protocol clients: they write with
//! [`write_frame`] and read with a [`FrameReader`], through
//! `embedded_io::{Read, Write}` on their pipes.

use core::fmt;

use cortex_m_semihosting::hprintln;
use embedded_io::{Read, Write};
use heapless::Vec;
use natter_core::io::{FrameReader, IoError, write_frame};
use natter_core::room::{ConnId, Event, InlineHub, Pump, Received, Wire};
use natter_core::time::Instant;
use natter_core::wire::{Frame, MAX_FRAME_LEN};

use crate::pipe::{Pipe, PipeError};
use crate::show::Shown;

/// The demo's hub: 8 connections, 2 rooms, 2 KiB of history per room,
/// texts up to 128 bytes, a 3 KiB output queue per connection.
pub type DemoHub = InlineHub<8, 2, 2048, 128, 3072>;

/// Bytes a member's link holds towards the hub: more than any frame the
/// demo sends.
const TO_HUB: usize = 256;
/// Bytes a member's link holds from the hub: less than a join's replies
/// and history, so the hub's partial writes and flow control take part.
const FROM_HUB: usize = 512;
/// Log events kept for the script to inspect.
const EVENTS: usize = 16;
/// Rounds of [`Net::pump`] before it gives up: far more than the demo
/// needs; only a driver bug would reach it.
const MAX_ROUNDS: usize = 1000;

/// One simulated member: a client at the other end of two pipes. All
/// zeros when new, so a static of members costs no flash.
pub struct Member {
    /// Its connection, while the hub has it open.
    conn: Option<ConnId>,
    to_hub: Pipe<TO_HUB>,
    from_hub: Pipe<FROM_HUB>,
    reader: FrameReader<MAX_FRAME_LEN>,
}

impl Member {
    pub const fn new() -> Self {
        Member {
            conn: None,
            to_hub: Pipe::new(),
            from_hub: Pipe::new(),
            reader: FrameReader::new(),
        }
    }
}

/// Counts the checks and prints one line for each.
struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn record(&mut self, ok: bool, line: fmt::Arguments<'_>) {
        if ok {
            self.passed += 1;
            hprintln!("[ok] {}", line);
        } else {
            self.failed += 1;
            hprintln!("[FAIL] {}", line);
        }
    }
}

/// A hub and `M` members. Both are large (about 50 KiB together), so they
/// live in statics and `Net` only borrows them.
pub struct Net<const M: usize> {
    hub: &'static mut DemoHub,
    members: &'static mut [Member; M],
    /// The members' nicknames, as the report shows them.
    names: [&'static str; M],
    now: Instant,
    /// The hub's latest log events, oldest first.
    events: Vec<Event, EVENTS>,
    tally: Tally,
}

impl<const M: usize> Net<M> {
    /// A hub (with no rooms yet) and members called `names`, none of them
    /// connected yet.
    pub fn new(
        hub: &'static mut DemoHub,
        members: &'static mut [Member; M],
        names: [&'static str; M],
    ) -> Self {
        Net {
            hub,
            members,
            names,
            now: Instant(0),
            events: Vec::new(),
            tally: Tally {
                passed: 0,
                failed: 0,
            },
        }
    }

    pub fn hub(&mut self) -> &mut DemoHub {
        self.hub
    }

    pub fn name(&self, who: usize) -> &'static str {
        self.names[who]
    }

    /// The report calls `who` by its new nickname from now on.
    pub fn rename(&mut self, who: usize, name: &'static str) {
        self.names[who] = name;
    }

    /// Checks passed and failed so far.
    pub fn score(&self) -> (u32, u32) {
        (self.tally.passed, self.tally.failed)
    }

    /// Record a check made by the script.
    pub fn check(&mut self, ok: bool, line: fmt::Arguments<'_>) {
        self.tally.record(ok, line);
    }

    /// Let `ms` milliseconds pass: the hub runs its timers.
    pub fn advance(&mut self, ms: u64) {
        self.now = Instant(self.now.0 + ms);
        self.hub.handle_timeout(self.now);
        self.pump();
    }

    /// `who` opens a connection to the hub. Not inlined: the hub builds a
    /// new connection slot (4.4 KiB here) on the stack before moving it into
    /// place, and that frame should not stay under the rest of the script.
    #[inline(never)]
    pub fn connect(&mut self, who: usize) {
        let name = self.names[who];
        match self.hub.handle_connect(self.now) {
            Ok(conn) => {
                self.members[who].conn = Some(conn);
                hprintln!("  {} connects (connection {})", name, conn.0);
            }
            Err(e) => self.check(false, format_args!("{name} could not connect: {e:?}")),
        }
    }

    /// `who` sends `frame`, then the driver moves bytes until all is
    /// quiet.
    pub fn send(&mut self, who: usize, frame: &Frame<'_>) {
        hprintln!("  {} sends {}", self.names[who], Shown(frame));
        // A blocking client would wait for room; here the driver makes it.
        if self.members[who].to_hub.free() < frame.encoded_len().unwrap_or(MAX_FRAME_LEN) {
            self.pump();
        }
        self.write(who, frame);
        self.pump();
    }

    /// `who` writes `frame` to its pipe. Not inlined: `write_frame`
    /// encodes into a 1 KiB buffer on the stack, which should be given back
    /// before the hub runs.
    #[inline(never)]
    fn write(&mut self, who: usize, frame: &Frame<'_>) {
        if let Err(e) = write_frame(&mut self.members[who].to_hub, frame) {
            let name = self.names[who];
            self.check(false, format_args!("{name} could not send: {e}"));
        }
    }

    /// Read the next frame `who` received and check it: `check` returns
    /// what the script wants from it, or `None` if it is not the frame
    /// described by `expected`. Prefer the [`recv!`] macro.
    pub fn expect<T>(
        &mut self,
        who: usize,
        expected: &str,
        check: impl FnOnce(&Frame<'_>) -> Option<T>,
    ) -> Option<T> {
        let mut check = Some(check);
        let mut out = None;
        self.expect_dyn(who, expected, &mut |frame| {
            out = check.take().and_then(|check| check(frame));
            out.is_some()
        });
        out
    }

    /// [`expect`](Self::expect) without type parameters: one copy of the
    /// code, and one stack frame that is not part of the caller's.
    #[inline(never)]
    fn expect_dyn(
        &mut self,
        who: usize,
        expected: &str,
        check: &mut dyn FnMut(&Frame<'_>) -> bool,
    ) {
        self.pump();
        let Net {
            members,
            names,
            tally,
            ..
        } = self;
        let m = &mut members[who];
        let name = names[who];
        match m.reader.read_frame(&mut m.from_hub) {
            Ok(frame) if check(&frame) => {
                tally.record(true, format_args!("{name} got {}", Shown(&frame)));
            }
            Ok(frame) => tally.record(
                false,
                format_args!("{name} got {}, expected {expected}", Shown(&frame)),
            ),
            Err(IoError::Io(PipeError::Empty)) => tally.record(
                false,
                format_args!("{name} got nothing, expected {expected}"),
            ),
            Err(e) => tally.record(false, format_args!("{name}: {e}, expected {expected}")),
        }
    }

    /// The hub has closed `who`'s connection, and it has read everything.
    pub fn expect_closed(&mut self, who: usize) {
        self.pump();
        let Net {
            members,
            names,
            tally,
            ..
        } = self;
        let m = &mut members[who];
        let name = names[who];
        match m.reader.read_frame(&mut m.from_hub) {
            Err(IoError::Closed { mid_frame: false }) if m.conn.is_none() => {
                tally.record(
                    true,
                    format_args!("{name}'s connection was closed by the hub"),
                );
            }
            Ok(frame) => tally.record(
                false,
                format_args!(
                    "{name} got {}, expected the end of the stream",
                    Shown(&frame)
                ),
            ),
            Err(e) => tally.record(
                false,
                format_args!("{name}: {e}, expected the end of the stream"),
            ),
        }
    }

    /// No member has received anything the script did not read: one line
    /// for all when that holds, one per stray frame when it does not.
    pub fn settle(&mut self) {
        self.pump();
        let Net {
            members,
            names,
            tally,
            ..
        } = self;
        let mut strays = 0;
        for (m, &name) in members.iter_mut().zip(names.iter()) {
            // Bounded: a member cannot hold more than its pipe and reader.
            for _ in 0..(FROM_HUB + MAX_FRAME_LEN) {
                match m.reader.read_frame(&mut m.from_hub) {
                    Ok(frame) => {
                        strays += 1;
                        tally.record(
                            false,
                            format_args!("{name} got {} that nobody expected", Shown(&frame)),
                        );
                    }
                    Err(IoError::Io(PipeError::Empty) | IoError::Closed { mid_frame: false }) => {
                        break;
                    }
                    Err(e) => {
                        strays += 1;
                        tally.record(false, format_args!("{name}: {e}"));
                        break;
                    }
                }
            }
        }
        if strays == 0 {
            tally.record(true, format_args!("nothing else arrived"));
        }
    }

    /// Whether the hub has logged an event `matches` accepts among its
    /// latest ones.
    pub fn logged(&self, matches: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(matches)
    }

    /// Move bytes both ways until nothing moves: what members wrote into
    /// the hub, what the hub has to send into the members' pipes (as much
    /// as each takes), then closes and log events; the core's [`Pump`]
    /// does it, over the members' pipes.
    pub fn pump(&mut self) {
        let mut links = Links {
            members: &mut *self.members,
            events: &mut self.events,
        };
        let mut pump = Pump::<MAX_FRAME_LEN>::new();
        pump.max_rounds = MAX_ROUNDS;
        let stuck = pump.settle(self.hub, self.now, &mut links).is_err();
        if stuck {
            self.check(
                false,
                format_args!("the driver still had bytes to move after {MAX_ROUNDS} rounds"),
            );
        }
    }
}

/// The members' ends of their pipes, as the pump's [`Wire`], and the log.
struct Links<'a, const M: usize> {
    members: &'a mut [Member; M],
    events: &'a mut Vec<Event, EVENTS>,
}

impl<const M: usize> Links<'_, M> {
    fn member(&mut self, conn: ConnId) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.conn == Some(conn))
    }
}

impl<const M: usize> Wire for Links<'_, M> {
    /// What the member wrote, straight into the hub's input buffer.
    fn read(&mut self, conn: ConnId, buf: &mut [u8]) -> Received {
        let Some(m) = self.member(conn) else {
            return Received::Nothing;
        };
        match m.to_hub.read(buf) {
            Ok(0) => {
                // The member hung up.
                m.conn = None;
                Received::HungUp
            }
            Ok(n) => Received::Bytes(n),
            Err(_) => Received::Nothing, // nothing written yet
        }
    }

    /// As much as the member's pipe takes; the hub keeps the rest.
    fn write(&mut self, conn: ConnId, bytes: &[u8]) -> usize {
        self.member(conn)
            .map_or(0, |m| m.from_hub.write(bytes).unwrap_or(0))
    }

    fn closed(&mut self, conn: ConnId) {
        if let Some(m) = self.member(conn) {
            m.from_hub.close();
            m.conn = None;
        }
    }

    fn event(&mut self, event: Event) {
        if self.events.is_full() {
            self.events.remove(0);
        }
        let _ = self.events.push(event);
    }
}

/// Check the next frame `$who` received against a pattern (and a guard),
/// printing the result; evaluates to `Some($out)` when it matches.
///
/// ```ignore
/// let id = recv!(net, ANN, Frame::Ack { tag: 1, id, .. } => id);
/// ```
macro_rules! recv {
    ($net:expr, $who:expr, $pat:pat $(if $cond:expr)? => $out:expr) => {
        $net.expect($who, stringify!($pat), |frame| match *frame {
            $pat $(if $cond)? => Some($out),
            _ => None,
        })
    };
    ($net:expr, $who:expr, $pat:pat $(if $cond:expr)?) => {
        recv!($net, $who, $pat $(if $cond)? => ())
    };
}
pub(crate) use recv;

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
use natter_core::room::{ConnId, Event, InlineHub};
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
    /// The hub has output for it that its pipe has not taken yet.
    wants_write: bool,
    to_hub: Pipe<TO_HUB>,
    from_hub: Pipe<FROM_HUB>,
    reader: FrameReader<MAX_FRAME_LEN>,
}

impl Member {
    pub const fn new() -> Self {
        Member {
            conn: None,
            wants_write: false,
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

    /// The member on `conn`.
    fn member_mut(&mut self, conn: ConnId) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.conn == Some(conn))
    }

    /// Move bytes both ways until nothing moves: what members wrote into
    /// the hub, what the hub has to send into the members' pipes (as much
    /// as each takes), then closes and log events.
    pub fn pump(&mut self) {
        for _ in 0..MAX_ROUNDS {
            while let Some(conn) = self.hub.poll_transmit() {
                if let Some(m) = self.member_mut(conn) {
                    m.wants_write = true;
                }
            }
            let mut moved = false;
            for who in 0..M {
                moved |= self.feed(who);
                moved |= self.drain(who);
            }
            while let Some(conn) = self.hub.poll_close() {
                if let Some(m) = self.member_mut(conn) {
                    m.from_hub.close();
                    m.conn = None;
                    m.wants_write = false;
                }
            }
            while let Some(event) = self.hub.poll_event() {
                if self.events.is_full() {
                    self.events.remove(0);
                }
                let _ = self.events.push(event);
            }
            if !moved {
                return;
            }
        }
        self.check(
            false,
            format_args!("the driver still had bytes to move after {MAX_ROUNDS} rounds"),
        );
    }

    /// Hand what `who` wrote to the hub, straight into the hub's input
    /// buffer (empty while the hub waits for `who` to read its replies).
    /// Returns whether any bytes moved.
    ///
    /// `feed` and `drain` are not inlined so that the hub's input handling
    /// and its output copying do not share one large stack frame.
    #[inline(never)]
    fn feed(&mut self, who: usize) -> bool {
        let m = &mut self.members[who];
        let Some(conn) = m.conn else {
            return false;
        };
        let input = self.hub.recv_buf(conn);
        if input.is_empty() {
            return false;
        }
        match m.to_hub.read(input) {
            Ok(0) => {
                // The member hung up.
                self.hub.handle_disconnect(self.now, conn);
                m.conn = None;
                true
            }
            Ok(n) => {
                self.hub.handle_received(self.now, conn, n);
                true
            }
            Err(_) => false, // nothing written yet
        }
    }

    /// Copy what the hub has for `who` into its pipe: whole frames into a
    /// buffer, then as much as the pipe takes; the hub keeps the rest for
    /// later. Returns whether any bytes moved.
    #[inline(never)]
    fn drain(&mut self, who: usize) -> bool {
        let mut scratch = [0u8; MAX_FRAME_LEN];
        let m = &mut self.members[who];
        let Some(conn) = m.conn else {
            return false;
        };
        let mut moved = false;
        while m.wants_write {
            let mut tx = self.hub.transmit(self.now, conn, scratch.len());
            let n = tx.copy_to(&mut scratch);
            if n == 0 {
                m.wants_write = false;
                break;
            }
            let sent = m.from_hub.write(&scratch[..n]).unwrap_or(0);
            tx.commit(sent);
            if sent == 0 {
                break; // full: again once the member has read
            }
            moved = true;
        }
        if moved {
            // Requests that waited for output room go on.
            self.hub.resume_input(self.now, conn);
        }
        moved
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

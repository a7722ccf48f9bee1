//! [`Pump`]: the driving sequence of an in-memory driver, written once.
//!
//! A driver moves bytes between the hub and its peers in a fixed order:
//! read what a peer sent into [`Hub::recv_buf`], tell the hub; lend the
//! hub's output with [`Hub::transmit`], write it, commit what was taken,
//! then [`Hub::resume_input`] so requests that waited for output room go
//! on; take closes and log events; until nothing moves. Every in-memory
//! driver (the room simulator of the tests, the fuzz drivers, the firmware
//! demo) needs exactly that, so it lives here, as quinn-proto's tests keep
//! one `Pair`. A driver says only what its peers are, as a [`Wire`].
//!
//! The std server does not use it: it writes the hub's output in place
//! with vectored writes ([`Transmit::pieces`](super::Transmit::pieces))
//! and reads only the sockets `mio` says are ready.

use super::storage::Storage;
use super::{ConnId, Event, Hub};
use crate::time::Instant;

/// What a peer had for the hub when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// This many bytes, copied into the buffer given.
    Bytes(usize),
    /// Nothing just now.
    Nothing,
    /// The peer hung up: the hub frees its connection (and the wire, which
    /// said so, forgets it; [`Wire::closed`] is not called).
    HungUp,
}

/// The driver's side of the hub's connections: what a [`Pump`] reads from
/// and writes to.
pub trait Wire {
    /// Copy up to `buf.len()` bytes that `conn`'s peer sent into `buf`.
    fn read(&mut self, conn: ConnId, buf: &mut [u8]) -> Received;

    /// Give `conn`'s peer `bytes`; return how many it took (fewer, or 0,
    /// when its socket is full).
    fn write(&mut self, conn: ConnId, bytes: &[u8]) -> usize;

    /// The hub closed `conn`: its slot will be reused.
    fn closed(&mut self, conn: ConnId);

    /// The hub logged `event`. Ignored unless the driver wants it.
    fn event(&mut self, event: Event) {
        let _ = event;
    }
}

/// The pump gave up: bytes still moved after this many rounds, which only a
/// hub or driver bug can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stuck {
    /// The rounds it made.
    pub rounds: usize,
}

/// Moves bytes between a hub and a [`Wire`], through a scratch buffer of
/// `BUF` bytes (at least [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN), so
/// every frame fits).
pub struct Pump<const BUF: usize = 4096> {
    scratch: [u8; BUF],
    /// Rounds of [`settle`](Self::settle) before it gives up.
    pub max_rounds: usize,
}

impl<const BUF: usize> Default for Pump<BUF> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BUF: usize> Pump<BUF> {
    const BUF_OK: () = assert!(
        BUF >= crate::wire::MAX_FRAME_LEN,
        "a pump's buffer must hold a frame"
    );

    /// A pump with a zeroed buffer, giving up after 10,000 rounds.
    pub const fn new() -> Self {
        let () = Self::BUF_OK;
        Pump {
            scratch: [0; BUF],
            max_rounds: 10_000,
        }
    }

    /// Hand the hub what `conn`'s peer sent, as far as its input buffer
    /// has room. Returns whether anything happened.
    // Not inlined, nor is `flush`: on a microcontroller's small stack the
    // hub's input handling and its output copying must not share one
    // large frame.
    #[inline(never)]
    pub fn feed<S: Storage>(
        &mut self,
        hub: &mut Hub<S>,
        now: Instant,
        conn: ConnId,
        wire: &mut impl Wire,
    ) -> bool {
        let input = hub.recv_buf(conn);
        if input.is_empty() {
            return false;
        }
        match wire.read(conn, input) {
            Received::Bytes(0) | Received::Nothing => false,
            Received::Bytes(n) => {
                hub.handle_received(now, conn, n);
                true
            }
            Received::HungUp => {
                // The wire, which said so, forgets the connection itself.
                hub.handle_disconnect(now, conn);
                true
            }
        }
    }

    /// Write what the hub has for `conn` until it is all out or the peer
    /// takes less than it was lent; after each write, input that waited for
    /// output room goes on. Returns the bytes written.
    #[inline(never)]
    pub fn flush<S: Storage>(
        &mut self,
        hub: &mut Hub<S>,
        now: Instant,
        conn: ConnId,
        wire: &mut impl Wire,
    ) -> usize {
        let mut written = 0;
        loop {
            let mut tx = hub.transmit(now, conn, BUF);
            let lent = tx.copy_to(&mut self.scratch);
            if lent == 0 {
                return written;
            }
            let took = wire.write(conn, &self.scratch[..lent]).min(lent);
            tx.commit(took);
            if took == 0 {
                return written;
            }
            written += took;
            hub.resume_input(now, conn);
            if took < lent {
                return written;
            }
        }
    }

    /// One wake-up of a driver: feed every connection's input, write every
    /// connection's output, take closes and log events, until nothing
    /// moves.
    ///
    /// # Errors
    /// [`Stuck`] if bytes still move after [`max_rounds`](Self::max_rounds).
    pub fn settle<S: Storage>(
        &mut self,
        hub: &mut Hub<S>,
        now: Instant,
        wire: &mut impl Wire,
    ) -> Result<(), Stuck> {
        for _ in 0..self.max_rounds {
            let mut moved = false;
            for conn in hub.slots() {
                moved |= self.feed(hub, now, conn, wire);
            }
            // Every connection is written to below, so the list of those
            // with output only needs emptying. (Also those it does not
            // name: a peer whose socket was full may take bytes now.)
            while hub.poll_transmit().is_some() {}
            for conn in hub.slots() {
                moved |= self.flush(hub, now, conn, wire) > 0;
            }
            while let Some(conn) = hub.poll_close() {
                wire.closed(conn);
                moved = true;
            }
            while let Some(event) = hub.poll_event() {
                wire.event(event);
            }
            if !moved {
                return Ok(());
            }
        }
        Err(Stuck {
            rounds: self.max_rounds,
        })
    }
}

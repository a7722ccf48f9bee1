//! The hub: a fixed-capacity, sans-IO state machine holding every
//! connection and every room.
//!
//! The driver (the std server, the firmware demo, the simulator in the tests)
//! owns the sockets and the clock. It feeds the hub with
//! [`Hub::handle_connect`], [`Hub::handle_received`] (or
//! [`Hub::handle_bytes`]), [`Hub::resume_input`], [`Hub::handle_disconnect`]
//! and [`Hub::handle_timeout`], each given the current [`Instant`](crate::time::Instant), and
//! drains what the hub wants done with [`Hub::poll_transmit`] (whose output
//! to write), [`Hub::poll_close`] (which connection to close),
//! [`Hub::poll_event`] (what happened, for logs) and [`Hub::poll_timeout`]
//! (when to call `handle_timeout` next).
//!
//! Output is written with [`Hub::transmit`]: one call that lends the bytes
//! (in place, as slices of the queue and the history rings, or copied) and
//! is committed with what the socket took; see [`Transmit`]. Input and
//! output stay apart: writing never handles input. Requests wait in a
//! connection's input buffer while its output queue lacks room for their
//! replies; when that buffer is full, the driver stops reading it. After
//! every write the driver calls [`Hub::resume_input`], and reads again
//! once [`Hub::recv_buf`] has room.
//!
//! # Flow control
//! Each connection has a fixed output queue. Replies to a connection's own
//! requests are queued only when there is room; while there is not, its
//! input waits in its input buffer and the driver stops reading it, so a
//! client that does not read cannot make the server buffer more. Room events
//! are copied from the room's history into the queue only as it empties; a
//! member who falls behind by more than the history gets a `Gap` notice
//! saying how many events it missed, and one whose queue makes no progress
//! for `stall_timeout` is disconnected. No one else waits for a slow member.
//!
//! # Layout
//! * `mod.rs` (this file): the handles ([`ConnId`]) and the limits every
//!   part shares.
//! * `storage.rs`: [`Storage`], where a hub keeps its memory and how much
//!   (its one type parameter), the [`Slots`] and [`Fifo`] containers it
//!   uses, and [`Inline`], storage inside the hub ([`InlineHub`]).
//! * `config.rs`: [`Config`], the settings a hub runs with.
//! * `events.rs`: the vocabulary of what happens: [`Event`] (for the
//!   driver's log), [`ConnectError`], [`RoomError`], and the room events
//!   the hub records before they are encoded.
//! * `hub.rs`: [`Hub`] itself, its public API (the `handle_*` inputs and
//!   `poll_*` outputs) and the helpers they share.
//! * `requests.rs`: what the hub does with each request a client sends
//!   (hello, join, say, whisper, nick, topic, part, quit, ping).
//! * `output.rs`: getting a member's output out: queued replies, then runs
//!   of events straight from its rooms' history rings ([`Hub::transmit`],
//!   [`Transmit`]).
//! * `history.rs`: [`Room`], a room's members and its history ring.
//! * `pump.rs`: [`Pump`], the driving sequence of an in-memory driver
//!   (read, handle, transmit, commit, resume) over the driver's [`Wire`],
//!   shared by the tests, the fuzz drivers and the firmware demo.
//! * `conn.rs`: [`Conn`], one connection's buffers, cursors and timers.
//! * `controls.rs`: roles and room controls: the modes, masks and
//!   wrong-password allowances; `moderation.rs` applies them (with the
//!   `controls` feature; `no_controls.rs` stands in without it), and
//!   `guesses.rs` makes wrong passwords cost the guesser.
//! * `tests/`: room scenarios on a deterministic simulator (`Sim`, in
//!   `tests/mod.rs`), a file per kind of scenario.

// Built without `controls`, the hub keeps the (empty) role and control
// state but never reads it.
#![cfg_attr(not(feature = "controls"), allow(dead_code))]

mod config;
mod conn;
pub mod controls;
mod events;
mod guesses;
mod history;
mod hub;
#[cfg(feature = "controls")]
mod moderation;
#[cfg(not(feature = "controls"))]
mod no_controls;
mod output;
mod pump;
mod requests;
mod storage;

pub use config::Config;
pub use conn::{Conn, MAX_JOINED};
pub use events::{ConnectError, Event, MAX_TARGET, RoomError};
pub use history::Room;
pub use hub::{Census, Hub, Online};
pub use output::Transmit;
pub use pump::{Pump, Received, Stuck, Wire};
pub use storage::{Fifo, Inline, InlineHub, Limits, Slots, Storage};

use crate::time::Duration;
use crate::wire::{MAX_FRAME_LEN, MAX_SHORT};

/// A connection's handle: its slot in the hub. The driver maps it to its
/// socket. A handle is reused only after the driver has seen its close
/// (from [`Hub::poll_close`] or its own [`Hub::handle_disconnect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConnId(pub u16);

impl ConnId {
    /// The slot index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// Output-queue bytes kept free for a final `Bye` (its longest encoding).
const BYE_RESERVE: usize = 2 + 1 + 1 + 1 + MAX_SHORT;
/// Free bytes a connection's queue must have before one of its frames is handled:
/// the longest replies to one frame, plus the `Bye` reserve.
const REPLY_RESERVE: usize = MAX_FRAME_LEN + BYE_RESERVE;
/// The smallest output queue a [`Storage`] may give: room for the replies
/// to one request, a room event and a `Bye`.
pub const MIN_OUT: usize = REPLY_RESERVE + MAX_FRAME_LEN;
/// Most events taken from one room for a member before the next of its
/// rooms gets a turn.
const EVENTS_PER_TURN: usize = 64;
/// Undecodable frames tolerated before a connection is closed.
const MAX_STRIKES: u8 = 8;
/// How long a closing connection may take to flush its `Bye`.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Log events kept until the driver polls them.
const EVENT_QUEUE: usize = 32;

#[cfg(test)]
mod tests;

//! [`Storage`]: where a hub keeps its memory and how much of it there is,
//! as one type parameter.
//!
//! heapless puts `Vec<T, N>` over one storage trait so that a vector's
//! capacity is a property of its storage rather than of every signature
//! that mentions it. The hub does the same: [`Hub<S>`](super::Hub) has one
//! parameter, and `S`'s associated types are the containers it uses. An
//! associated *type* can be an array whose length the implementer chose
//! (`[u8; OUT]`), which stable Rust allows where an associated *const*
//! could not size one; and it can as well be a heap buffer whose length is
//! chosen at start-up, which a const generic never could.
//!
//! Two implementations exist:
//! * [`Inline`] keeps everything inside the hub value (heapless vectors and
//!   arrays), as a microcontroller wants: [`InlineHub`] names it;
//! * the std server's heap storage (`natter_server::storage`) sizes every
//!   buffer from its command-line options and allocates as connections and
//!   rooms arrive.

use heapless::{Deque, Vec};

use super::{Conn, ConnId, Hub, Room};
use crate::wire::MAX_TEXT;

/// A growable list with a limit: a hub's connection and room slots, a
/// room's member list. `heapless::Vec` is one; a heap vector with a limit
/// is another.
pub trait Slots<T>: core::ops::DerefMut<Target = [T]> {
    /// Add an item at the end, or hand it back when the list is full.
    ///
    /// # Errors
    /// The item, when no more fit.
    fn push(&mut self, item: T) -> Result<(), T>;

    /// Keep only the items `keep` says yes to, in order.
    fn retain(&mut self, keep: impl FnMut(&T) -> bool);
}

impl<T, const N: usize> Slots<T> for Vec<T, N> {
    fn push(&mut self, item: T) -> Result<(), T> {
        Vec::push(self, item)
    }

    fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        Vec::retain(self, |item| keep(item));
    }
}

/// A first-in, first-out queue of connections with a limit: those the
/// driver must write to, or close. Each connection is in one at most once,
/// so a queue that holds as many as there are connections never fills.
pub trait Fifo<T> {
    /// Add at the back, or hand the item back when full.
    ///
    /// # Errors
    /// The item, when no more fit.
    fn push_back(&mut self, item: T) -> Result<(), T>;

    /// Take from the front.
    fn pop_front(&mut self) -> Option<T>;

    /// Keep only the items `keep` says yes to, in order.
    fn retain(&mut self, keep: impl FnMut(&T) -> bool);
}

impl<T, const N: usize> Fifo<T> for Deque<T, N> {
    fn push_back(&mut self, item: T) -> Result<(), T> {
        Deque::push_back(self, item)
    }

    fn pop_front(&mut self) -> Option<T> {
        Deque::pop_front(self)
    }

    fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        Deque::retain(self, |item| keep(item));
    }
}

/// How much a hub holds. Checked once, when the hub is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Limits {
    /// Most connections at once (1 to 65,535: a [`ConnId`] is a `u16`).
    pub conns: usize,
    /// Most rooms at once (1 to 255).
    pub rooms: usize,
    /// Longest message or topic, in bytes (1 to [`MAX_TEXT`]).
    pub text: usize,
    /// Bytes of a room's history: the length of every [`Storage::history`]
    /// (below 4 GiB: the index keeps offsets as `u32`).
    pub history: usize,
    /// Bytes of a connection's output queue: the length of every
    /// [`Storage::out`] (at least [`MIN_OUT`](super::MIN_OUT)).
    pub out: usize,
}

/// Where a [`Hub`] keeps its memory, and how much of it: the containers
/// it uses, and the buffers it asks for as connections and rooms arrive.
///
/// The buffers have the lengths the [`Limits`] say: every connection's
/// queue `out` bytes, every room's history `history` bytes (see [`Room`]
/// for how they are used).
pub trait Storage: Sized {
    /// One connection's output queue.
    type Out: AsRef<[u8]> + AsMut<[u8]>;
    /// One room's history: its index and its ring of frames.
    type History: AsRef<[u8]> + AsMut<[u8]>;
    /// A room's member list: holds [`Limits::conns`].
    type Members: Slots<ConnId>;
    /// The connection slots: hold [`Limits::conns`].
    type Conns: Slots<Conn<Self::Out>>;
    /// The room slots (`None` is a freed room): hold [`Limits::rooms`].
    type Rooms: Slots<Option<Room<Self>>>;
    /// Connections waiting for the driver: holds [`Limits::conns`].
    type Queue: Fifo<ConnId>;

    /// How much the hub holds.
    fn limits(&self) -> Limits;
    /// A new connection's output queue (zeroed or not: the hub writes
    /// before it reads).
    fn out(&self) -> Self::Out;
    /// A new room's history.
    fn history(&self) -> Self::History;
    /// An empty member list.
    fn members(&self) -> Self::Members;
    /// Empty connection slots.
    fn conns(&self) -> Self::Conns;
    /// Empty room slots.
    fn rooms(&self) -> Self::Rooms;
    /// An empty queue of connections.
    fn queue(&self) -> Self::Queue;
}

/// Storage inside the hub value, sized by const generics: up to `CONNS`
/// connections and `ROOMS` rooms, each room keeping `HISTORY` bytes of
/// events (a short chat line takes about 60-100 bytes, plus 10 in the
/// room's index), messages of up to `TEXT` bytes, and `OUT` bytes of reply
/// queue per connection.
///
/// All memory is inside the value: about
/// `CONNS * (OUT + 1.3 KiB) + ROOMS * (HISTORY + 2 * CONNS + 600)` bytes,
/// plus about 2 KiB. A microcontroller might use
/// `InlineHub<8, 2, 2048, 128, 3072>` (about 42 KiB).
#[derive(Debug, Clone, Copy, Default)]
pub struct Inline<
    const CONNS: usize,
    const ROOMS: usize,
    const HISTORY: usize,
    const TEXT: usize = MAX_TEXT,
    const OUT: usize = 4096,
>;

/// A hub whose memory is all inside it; see [`Inline`].
pub type InlineHub<
    const CONNS: usize,
    const ROOMS: usize,
    const HISTORY: usize,
    const TEXT: usize = MAX_TEXT,
    const OUT: usize = 4096,
> = Hub<Inline<CONNS, ROOMS, HISTORY, TEXT, OUT>>;

impl<
    const CONNS: usize,
    const ROOMS: usize,
    const HISTORY: usize,
    const TEXT: usize,
    const OUT: usize,
> Storage for Inline<CONNS, ROOMS, HISTORY, TEXT, OUT>
{
    type Out = [u8; OUT];
    type History = [u8; HISTORY];
    type Members = Vec<ConnId, CONNS>;
    type Conns = Vec<Conn<[u8; OUT]>, CONNS>;
    type Rooms = Vec<Option<Room<Self>>, ROOMS>;
    type Queue = Deque<ConnId, CONNS>;

    fn limits(&self) -> Limits {
        Limits {
            conns: CONNS,
            rooms: ROOMS,
            text: TEXT,
            history: HISTORY,
            out: OUT,
        }
    }

    fn out(&self) -> [u8; OUT] {
        [0; OUT]
    }

    fn history(&self) -> [u8; HISTORY] {
        [0; HISTORY]
    }

    fn members(&self) -> Self::Members {
        Vec::new()
    }

    fn conns(&self) -> Self::Conns {
        Vec::new()
    }

    fn rooms(&self) -> Self::Rooms {
        Vec::new()
    }

    fn queue(&self) -> Self::Queue {
        Deque::new()
    }
}

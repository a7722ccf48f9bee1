//! Per-connection state: input and output buffers, rooms joined, flood
//! limit and timers. Memory is fixed: `MAX_FRAME_LEN` bytes of input and
//! an output queue of the storage's size per connection, whatever the
//! peer does.

use heapless::{String, Vec};

use super::controls::MAX_ADDRESS;
use crate::error::EncodeError;
use crate::time::Instant;
use crate::wire::{Frame, MAX_FRAME_LEN, MAX_NICK};

/// How many rooms one connection may be in at once.
pub const MAX_JOINED: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// The slot is unused.
    Free,
    /// Connected, waiting for a hello.
    Greeting,
    /// Welcomed: has a nickname and may join rooms.
    Ready,
    /// A `Bye` is queued; the connection closes once it is sent or at the
    /// deadline.
    Closing { deadline: Instant },
    /// Waiting for the driver to take the close with `poll_close`.
    Closed,
}

/// A member's place in one room.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor {
    pub room: u8,
    /// Next event id to deliver.
    pub next_id: u64,
    /// The first id owed to it (see `history::Start::owed_from`): what a
    /// part before its member list is out still counts as missed.
    pub owed_from: u64,
    /// The member's own events (which it is never sent) that dropped out
    /// of the history at or after `next_id`, before the cursor reached
    /// them. A gap notice leaves them out: the member has their `Ack`s
    /// (or sent them itself), so it missed nothing there.
    pub own_dropped: u32,
    /// Index into the room's member list of the next name to list, while the
    /// member list is still being sent after a join.
    pub names_from: Option<u16>,
    /// Its roles in the room: `ROLE_OPERATOR` and `ROLE_VOICE`.
    pub role: u8,
    /// When it last said something in the room (slow mode): the clock's
    /// milliseconds, wrapping (a `u32` rather than an `Instant`: a cursor
    /// per room per member adds up on a microcontroller); 0 for never.
    pub last_said: u32,
}

/// Bytes waiting to be written to the connection, front first.
pub(crate) struct OutQueue<B> {
    buf: B,
    start: usize,
    end: usize,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> OutQueue<B> {
    pub const fn new(buf: B) -> Self {
        OutQueue {
            buf,
            start: 0,
            end: 0,
        }
    }

    fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    pub fn pending(&self) -> &[u8] {
        &self.buf.as_ref()[self.start..self.end]
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Room left for new frames (counting what was already sent).
    pub fn free(&self) -> usize {
        self.capacity() - (self.end - self.start)
    }

    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.clear();
        }
    }

    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Append bytes already encoded, if they fit.
    pub fn push_raw(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.push_pieces(bytes, &[])
    }

    /// Append a frame stored in two pieces (as a ring keeps it), if it fits.
    pub fn push_pieces(&mut self, a: &[u8], b: &[u8]) -> Result<(), EncodeError> {
        let len = a.len() + b.len();
        if len > self.free() {
            return Err(EncodeError::BufferTooSmall { needed: len });
        }
        if self.capacity() - self.end < len {
            self.buf.as_mut().copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let buf = self.buf.as_mut();
        buf[self.end..self.end + a.len()].copy_from_slice(a);
        buf[self.end + a.len()..self.end + len].copy_from_slice(b);
        self.end += len;
        Ok(())
    }

    /// Append a frame, or hand back the error without changing anything.
    pub fn push(&mut self, frame: &Frame<'_>) -> Result<(), EncodeError> {
        self.push_keeping(frame, 0)
    }

    /// Append a frame only if `reserve` bytes stay free after it, encoding
    /// it once; on error nothing changes.
    pub fn push_keeping(&mut self, frame: &Frame<'_>, reserve: usize) -> Result<(), EncodeError> {
        let limit = self.free().saturating_sub(reserve);
        let tail = (self.capacity() - self.end).min(limit);
        match frame.encode(&mut self.buf.as_mut()[self.end..self.end + tail]) {
            Err(EncodeError::BufferTooSmall { needed }) if needed <= limit => {
                // Move the unsent tail to the front: a short copy, since it
                // is what the socket did not take last time.
                self.buf.as_mut().copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
                self.end += frame.encode(&mut self.buf.as_mut()[self.end..self.end + limit])?;
                Ok(())
            }
            Err(e) => Err(e),
            Ok(n) => {
                self.end += n;
                Ok(())
            }
        }
    }
}

/// A token bucket in thousandths of a message, so integer arithmetic
/// handles rates below one message per millisecond exactly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    milli_tokens: u64,
    updated: Instant,
}

impl Bucket {
    pub fn full(now: Instant, burst: u32) -> Self {
        Bucket {
            milli_tokens: u64::from(burst) * 1000,
            updated: now,
        }
    }

    /// Take one token if there is one. `rate` is messages per second
    /// (0 = unlimited), `burst` the bucket size.
    pub fn take(&mut self, now: Instant, rate: u32, burst: u32) -> bool {
        if rate == 0 {
            return true;
        }
        let elapsed = now.saturating_since(self.updated).millis();
        let cap = u64::from(burst.max(1)) * 1000;
        // `rate` messages per 1000 ms is `rate` milli-tokens per ms.
        self.milli_tokens = self
            .milli_tokens
            .saturating_add(elapsed.saturating_mul(u64::from(rate)))
            .min(cap);
        self.updated = now;
        if self.milli_tokens >= 1000 {
            self.milli_tokens -= 1000;
            true
        } else {
            false
        }
    }
}

/// One connection slot of a hub: its buffers, rooms, flood limit and
/// timers, with its output queue in a `B` (a [`Storage`](super::Storage)'s
/// `Out`). Opaque; named only to type a storage's connection slots.
pub struct Conn<B> {
    pub(crate) state: State,
    /// Unique per connection, unlike the slot index, which is reused.
    pub(crate) session: u32,
    pub(crate) nick: String<MAX_NICK>,
    /// `wire::name_key` of the nickname, to find it by scanning integers.
    pub(crate) nick_key: u32,
    /// Proved the teacher password.
    pub(crate) teacher: bool,
    /// The peer's address, as the driver gave it (for bans), and its key
    /// (for counting wrong passwords by address).
    pub(crate) address: String<MAX_ADDRESS>,
    pub(crate) address_key: u32,
    /// Wrong passwords so far, and when its next frame may be read.
    pub(crate) wrong_guesses: u8,
    pub(crate) hold_until: Instant,
    pub(crate) input: [u8; MAX_FRAME_LEN],
    pub(crate) input_len: usize,
    pub(crate) out: OutQueue<B>,
    pub(crate) joined: Vec<Cursor, MAX_JOINED>,
    /// Which joined room to refill from first, so rooms share the queue.
    pub(crate) next_room: usize,
    pub(crate) bucket: Bucket,
    pub(crate) connected_at: Instant,
    /// When it last said something (a `Say` or `Whisper` taken), for
    /// `WHOIS`'s idle time.
    pub(crate) last_spoke: Instant,
    pub(crate) last_heard: Instant,
    /// When the output queue last made progress (or became non-empty).
    pub(crate) last_sent: Instant,
    pub(crate) ping_outstanding: bool,
    /// Undecodable frames so far; too many and the connection is closed.
    pub(crate) strikes: u8,
    /// In the hub's transmit list.
    pub(crate) queued: bool,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Conn<B> {
    pub(crate) fn new(out: B) -> Self {
        Conn {
            state: State::Free,
            session: 0,
            nick: String::new(),
            nick_key: 0,
            teacher: false,
            address: String::new(),
            address_key: 0,
            wrong_guesses: 0,
            hold_until: Instant(0),
            input: [0; MAX_FRAME_LEN],
            input_len: 0,
            out: OutQueue::new(out),
            joined: Vec::new(),
            next_room: 0,
            bucket: Bucket::full(Instant(0), 0),
            connected_at: Instant(0),
            last_spoke: Instant(0),
            last_heard: Instant(0),
            last_sent: Instant(0),
            ping_outstanding: false,
            strikes: 0,
            queued: false,
        }
    }

    /// Make a free slot a fresh connection.
    pub(crate) fn reset(&mut self, now: Instant, burst: u32, session: u32) {
        self.state = State::Greeting;
        self.session = session;
        self.nick.clear();
        self.nick_key = 0;
        self.teacher = false;
        self.address.clear();
        self.address_key = 0;
        self.wrong_guesses = 0;
        self.hold_until = now;
        self.input_len = 0;
        self.out.clear();
        self.joined.clear();
        self.next_room = 0;
        self.bucket = Bucket::full(now, burst);
        self.connected_at = now;
        self.last_spoke = now;
        self.last_heard = now;
        self.last_sent = now;
        self.ping_outstanding = false;
        self.strikes = 0;
        self.queued = false;
    }

    pub(crate) fn is_open(&self) -> bool {
        matches!(self.state, State::Greeting | State::Ready)
    }

    pub(crate) fn cursor(&self, room: u8) -> Option<usize> {
        self.joined.iter().position(|c| c.room == room)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_rate() {
        let mut b = Bucket::full(Instant(0), 3);
        assert!((0..3).all(|_| b.take(Instant(0), 2, 3)));
        assert!(!b.take(Instant(0), 2, 3));
        assert!(!b.take(Instant(499), 2, 3));
        assert!(b.take(Instant(500), 2, 3));
        assert!(b.take(Instant(0), 0, 0), "rate 0 means unlimited");
    }

    #[test]
    fn out_queue_compacts_and_refuses_when_full() {
        let mut q = OutQueue::new([0u8; 16]);
        let ping = Frame::Ping { token: 1 };
        q.push(&ping).unwrap();
        q.push(&ping).unwrap();
        assert_eq!(q.free(), 2);
        assert!(q.push(&ping).is_err());
        assert_eq!(q.pending().len(), 14);
        q.consume(7);
        q.push(&ping).unwrap();
        assert_eq!(q.pending().len(), 14);
        q.consume(100);
        assert!(q.is_empty());
        // Keeping 10 of 16 bytes free leaves room for no 7-byte ping.
        assert!(q.push_keeping(&ping, 10).is_err());
        assert!(q.is_empty());
        q.push_keeping(&ping, 9).unwrap();
    }
}

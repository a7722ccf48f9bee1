//! A room: its members and its history ring.
//!
//! Every room event (message, join, leave, nick change, topic) is encoded
//! once, as the frame members will receive, and stored once in the room's
//! byte ring with the room's next id. Members do not get copies: each holds
//! a [`Cursor`](super::conn::Cursor) (the next id it should see, and where
//! that event starts in the ring) and the hub copies frames from the ring
//! into a member's output queue only when the queue has room. The same ring
//! serves history on join, resume after a reconnect and slow readers:
//! whoever's cursor fell off the back of the ring gets a `Gap` notice.

use heapless::{String, Vec};

use super::ConnId;
use crate::wire::{HEADER_LEN, MAX_ROOM};

/// Index bytes per event of depth: the sender's session (`u32`).
const SENDER_LEN: usize = 4;

/// Events of history a room of `history` bytes keeps at most: one per 32
/// bytes, so the senders index takes an eighth of the bytes. The smallest
/// event frame is 23 bytes, so the frame ring could not hold many more.
pub(crate) const fn max_depth(history: usize) -> usize {
    history / 32
}

/// Bytes of frame ring a room of `history` bytes keeping `depth` events
/// has (what its senders index leaves).
pub(crate) const fn ring_len(history: usize, depth: usize) -> usize {
    history - depth * SENDER_LEN
}

/// Consecutive events a member is sent from one room, as
/// [`Room::run`] finds them: whole frames, back to back in the ring.
pub(crate) struct Run {
    /// The frames, in one or two pieces (the ring may wrap inside them).
    pub bytes: (core::ops::Range<usize>, core::ops::Range<usize>),
    /// Where the cursor goes once they are sent.
    pub next_id: u64,
    pub next_offset: usize,
    /// The run stopped because the next frame did not fit the budget.
    pub full: bool,
}

/// A room of up to `CONNS` members keeping up to `HISTORY` bytes of events.
/// Opaque; named only to size a hub's storage (see [`Slots`](super::Slots)).
///
/// The `HISTORY` bytes hold two things: at the front, the senders index,
/// the session of each kept event's sender (`depth` slots, by id), then the
/// ring of the events' frames, exactly as members are sent them, back to
/// back. Keeping the senders apart lets a member's run of consecutive
/// events go out in one copy.
pub struct Room<const CONNS: usize, const HISTORY: usize, const TEXT: usize> {
    pub(crate) name: String<MAX_ROOM>,
    pub(crate) topic: String<TEXT>,
    /// Named at start-up: never freed, even when empty.
    pub(crate) fixed: bool,
    pub(crate) members: Vec<ConnId, CONNS>,
    /// Tells this room apart from an earlier room of the same name (before
    /// a restart, or before it emptied and was freed), whose ids meant
    /// other events.
    pub(crate) epoch: u32,
    store: [u8; HISTORY],
    /// Most events kept: the senders index's slots.
    depth: usize,
    /// Offset of the oldest stored frame in the ring.
    head: usize,
    /// Bytes stored.
    used: usize,
    /// Events stored.
    count: usize,
    /// The id of the oldest stored event.
    first_id: u64,
    /// The id the next event will get. Ids start at 1, so a `since` of 0
    /// means "nothing seen".
    next_id: u64,
}

impl<const CONNS: usize, const HISTORY: usize, const TEXT: usize> Room<CONNS, HISTORY, TEXT> {
    /// A room keeping as many events as its bytes hold, up to
    /// [`max_depth`]`(HISTORY)`.
    pub(crate) fn new(name: &str, fixed: bool, epoch: u32) -> Self {
        Self::with_depth(name, fixed, epoch, max_depth(HISTORY))
    }

    /// A room keeping at most `depth` events (and at most
    /// [`max_depth`]`(HISTORY)`).
    fn with_depth(name: &str, fixed: bool, epoch: u32, depth: usize) -> Self {
        let mut n = String::new();
        // The caller validated the name, which is at most MAX_ROOM bytes.
        let _ = n.push_str(name);
        Room {
            name: n,
            topic: String::new(),
            fixed,
            members: Vec::new(),
            epoch,
            store: [0; HISTORY],
            depth: depth.min(max_depth(HISTORY)),
            head: 0,
            used: 0,
            count: 0,
            first_id: 1,
            next_id: 1,
        }
    }

    pub(crate) fn first_id(&self) -> u64 {
        self.first_id
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Bytes of the frame ring.
    fn cap(&self) -> usize {
        ring_len(HISTORY, self.depth)
    }

    /// The frame ring, for copying out a [`Run`].
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.store[self.depth * SENDER_LEN..]
    }

    /// Where the next event will be written: a caught-up cursor's offset.
    pub(crate) fn end_offset(&self) -> usize {
        (self.head + self.used) % self.cap().max(1)
    }

    /// Store the encoded frame of the next event (whose id the caller wrote
    /// into it: [`next_id`](Self::next_id)), dropping the oldest events
    /// beyond the depth or the ring's bytes, and return its id. `sender` is
    /// the session that does not get this event (its own message), or 0.
    pub(crate) fn push(&mut self, sender: u32, frame: &[u8]) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let size = frame.len();
        if self.depth == 0 || size > self.cap() || size <= HEADER_LEN {
            // Nothing kept (no history, or a frame that cannot be, which
            // encoding never makes): the event is still numbered, and
            // members whose cursor is on it will be told they missed it.
            self.clear();
            return id;
        }
        while self.count > 0 && (self.count >= self.depth || self.used + size > self.cap()) {
            self.drop_oldest();
        }
        let at = self.end_offset();
        self.write_at(at, frame);
        let slot = self.slot(id);
        self.store[slot..slot + SENDER_LEN].copy_from_slice(&sender.to_be_bytes());
        self.used += size;
        self.count += 1;
        id
    }

    fn clear(&mut self) {
        // Every cursor is now behind `first_id` and will be told so; the
        // head stays at the end all the same, as in `drop_oldest`.
        self.head = self.end_offset();
        self.used = 0;
        self.count = 0;
        self.first_id = self.next_id;
    }

    fn drop_oldest(&mut self) {
        let size = self.frame_len_at(self.head);
        self.head = (self.head + size) % self.cap();
        self.used -= size;
        self.count -= 1;
        self.first_id += 1;
        // Even when this empties the ring, `head` stays where it is: it is
        // now the end, where caught-up members' cursors point and the next
        // event goes. (Moving it to 0 sent them reading stale bytes as
        // frames, found by the `room` fuzz target: fuzz/regressions/room/.)
    }

    /// Where event `id`'s sender is kept in the index.
    fn slot(&self, id: u64) -> usize {
        (id % self.depth as u64) as usize * SENDER_LEN
    }

    /// The whole length of the frame stored at ring offset `at`, from its
    /// length prefix (which may wrap round the end of the ring).
    fn frame_len_at(&self, at: usize) -> usize {
        let ring = self.bytes();
        let hi = ring[at];
        let lo = ring[if at + 1 == ring.len() { 0 } else { at + 1 }];
        HEADER_LEN + usize::from(u16::from_be_bytes([hi, lo]))
    }

    /// Copy `bytes` into the ring at `at`, wrapping at the end.
    fn write_at(&mut self, at: usize, bytes: &[u8]) {
        let start = self.depth * SENDER_LEN;
        let ring = &mut self.store[start..];
        let first = bytes.len().min(ring.len() - at);
        ring[at..at + first].copy_from_slice(&bytes[..first]);
        ring[..bytes.len() - first].copy_from_slice(&bytes[first..]);
    }

    /// The events from a cursor (`next_id` at ring offset `offset`, valid
    /// while `next_id` is at least [`first_id`](Self::first_id)) that
    /// `session` should be sent next, back to back: its own events at the
    /// cursor are passed over, then consecutive events are taken while they
    /// fit in `budget` bytes, up to `max` events in all (passed or taken).
    /// The run ends before the session's next own event, at the end of the
    /// history, or at a cursor that fell behind it.
    pub(crate) fn run(
        &self,
        mut next_id: u64,
        mut offset: usize,
        session: u32,
        budget: usize,
        max: usize,
    ) -> Run {
        let cap = self.cap();
        let mut start = offset;
        let mut len = 0;
        let mut full = false;
        let mut events = 0;
        if next_id >= self.first_id && self.depth > 0 {
            let mut slot = self.slot(next_id);
            while events < max && next_id < self.next_id {
                let sender = &self.store[slot..slot + SENDER_LEN];
                let own = session != 0 && sender == session.to_be_bytes();
                let size = self.frame_len_at(offset);
                if own && len > 0 {
                    break;
                }
                if !own && len + size > budget {
                    full = true;
                    break;
                }
                offset += size;
                if offset >= cap {
                    offset -= cap;
                }
                if own {
                    start = offset;
                } else {
                    len += size;
                }
                next_id += 1;
                events += 1;
                slot += SENDER_LEN;
                if slot == self.depth * SENDER_LEN {
                    slot = 0;
                }
            }
        }
        let first = len.min(cap - start);
        Run {
            bytes: (start..start + first, 0..len - first),
            next_id,
            next_offset: offset,
            full,
        }
    }

    /// Where a member's cursor starts on joining: `since` is the last id
    /// the member saw (0 for none) in the room of that `epoch`; a fresh
    /// join replays at most `replay` events. Returns the first id to
    /// deliver, its offset, and how many events it missed that the history
    /// no longer holds.
    pub(crate) fn start_for(&self, epoch: u32, since: u64, replay: usize) -> (u64, usize, u64) {
        let (start, missed) = if since == 0 || epoch != self.epoch || since >= self.next_id {
            // A fresh join, or ids of another incarnation of the room:
            // replay the latest events kept. (The client sees the new
            // epoch.)
            let latest = self.next_id.saturating_sub(replay as u64);
            (latest.max(self.first_id), 0)
        } else if since + 1 >= self.first_id {
            (since + 1, 0)
        } else {
            (self.first_id, self.first_id - (since + 1))
        };
        let mut offset = self.head;
        for _ in self.first_id..start {
            offset = (offset + self.frame_len_at(offset)) % self.cap();
        }
        (start, offset, missed)
    }

    pub(crate) fn remove_member(&mut self, conn: ConnId) {
        self.members.retain(|&m| m != conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 512 bytes: 16 index slots, a 448-byte ring.
    type R = Room<4, 512, 16>;

    /// A frame of `n` bytes in all whose body bytes are `fill`.
    fn frame(n: usize, fill: u8) -> [u8; 64] {
        let mut f = [fill; 64];
        f[..2].copy_from_slice(&((n - 2) as u16).to_be_bytes());
        f
    }

    fn push(room: &mut R, sender: u32, n: usize, fill: u8) -> u64 {
        room.push(sender, &frame(n, fill)[..n])
    }

    /// The bytes of a run, joined.
    fn run_bytes(room: &R, run: &Run) -> ([u8; 512], usize) {
        let (a, b) = run.bytes.clone();
        let mut out = [0u8; 512];
        let n = a.len() + b.len();
        out[..a.len()].copy_from_slice(&room.bytes()[a.clone()]);
        out[a.len()..n].copy_from_slice(&room.bytes()[b]);
        (out, n)
    }

    /// What a member of `session` is sent from the start of the history,
    /// one run at a time, as the fill bytes of each frame.
    fn delivered(room: &R, session: u32, budget: usize) -> heapless::Vec<u8, 64> {
        let (mut id, mut offset, _) = room.start_for(room.epoch, 0, usize::MAX);
        let mut seen = heapless::Vec::new();
        loop {
            let run = room.run(id, offset, session, budget, usize::MAX);
            let (bytes, n) = run_bytes(room, &run);
            let mut at = 0;
            while at < n {
                let len = 2 + usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
                seen.push(bytes[at + 2]).unwrap();
                at += len;
            }
            if (run.next_id, run.next_offset) == (id, offset) {
                return seen;
            }
            (id, offset) = (run.next_id, run.next_offset);
        }
    }

    #[test]
    fn depth_is_bounded_by_the_bytes() {
        assert_eq!(R::new("r", false, 1).depth, 16);
        assert_eq!(R::with_depth("r", false, 1, 5).depth, 5);
        assert_eq!(R::with_depth("r", false, 1, 5).cap(), 512 - 20);
    }

    #[test]
    fn ring_wraps_and_drops_oldest() {
        let mut room = R::with_depth("r", false, 1, 16);
        // 448 bytes of ring: 8 frames of 50 fit, not 9.
        for i in 0..20u8 {
            let id = push(&mut room, 0, 50, i);
            assert_eq!(id, u64::from(i) + 1);
            assert!(room.used <= room.cap());
        }
        assert_eq!((room.first_id(), room.next_id()), (13, 21));
        let seen = delivered(&room, 9, 1024);
        assert_eq!(&seen[..], &[12, 13, 14, 15, 16, 17, 18, 19]);
    }

    #[test]
    fn a_run_wrapping_round_the_ring_comes_in_two_pieces() {
        let mut room = R::with_depth("r", false, 1, 16);
        for i in 0..10u8 {
            push(&mut room, 0, 50, i);
        }
        let (id, offset, _) = room.start_for(room.epoch, 0, usize::MAX);
        let run = room.run(id, offset, 0, 1024, usize::MAX);
        assert!(!run.bytes.1.is_empty(), "the ring wrapped");
        assert_eq!(run.bytes.0.len() + run.bytes.1.len(), 8 * 50);
        assert_eq!((run.next_id, run.full), (room.next_id(), false));
        assert_eq!(run.next_offset, room.end_offset());
    }

    /// Found by the `room` fuzz target (fuzz/regressions/room/): with a
    /// history of one event, every event empties the ring, and a caught-up
    /// member's cursor must still find the next one.
    #[test]
    fn emptying_the_ring_keeps_caught_up_cursors_valid() {
        let mut room = R::with_depth("r", false, 1, 1);
        push(&mut room, 0, 10, 1);
        let cursor = (room.next_id(), room.end_offset());
        push(&mut room, 0, 10, 2);
        let run = room.run(cursor.0, cursor.1, 0, 1024, usize::MAX);
        let (bytes, n) = run_bytes(&room, &run);
        assert_eq!(&bytes[..n], &frame(10, 2)[..10]);
    }

    #[test]
    fn depth_limits_events() {
        let mut room = R::with_depth("r", false, 1, 2);
        for _ in 0..5 {
            push(&mut room, 0, 3, 1);
        }
        assert_eq!((room.first_id(), room.next_id(), room.count), (4, 6, 2));
        let mut none = R::with_depth("r", false, 1, 0);
        push(&mut none, 0, 3, 1);
        assert_eq!((none.first_id(), none.count), (2, 0));
    }

    #[test]
    fn own_events_are_skipped_only_by_their_sender() {
        let mut room = R::with_depth("r", false, 1, 16);
        push(&mut room, 7, 10, 1);
        push(&mut room, 0, 10, 2);
        push(&mut room, 7, 10, 3);
        push(&mut room, 8, 10, 4);
        push(&mut room, 7, 10, 5);
        assert_eq!(&delivered(&room, 7, 1024)[..], &[2, 4]);
        assert_eq!(&delivered(&room, 8, 1024)[..], &[1, 2, 3, 5]);
        assert_eq!(&delivered(&room, 9, 1024)[..], &[1, 2, 3, 4, 5]);
    }

    #[test]
    fn runs_stop_at_the_budget_and_at_own_events() {
        let mut room = R::with_depth("r", false, 1, 16);
        for sender in [1, 1, 2, 1] {
            push(&mut room, sender, 10, sender as u8);
        }
        let (id, offset, _) = room.start_for(room.epoch, 0, usize::MAX);
        // Session 2 gets two events, then its own ends the run.
        let run = room.run(id, offset, 2, 1024, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id, run.full), (20, 3, false));
        // A budget of 15 bytes takes one frame and says the next is waiting.
        let run = room.run(id, offset, 2, 15, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id, run.full), (10, 2, true));
        // Own events at the cursor are passed over for free.
        let run = room.run(id, offset, 1, 15, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id, run.full), (10, 4, false));
        assert_eq!(run.bytes.0.start, 20);
        // `max` counts events passed over too.
        let run = room.run(id, offset, 1, 1024, 1);
        assert_eq!((run.bytes.0.len(), run.next_id), (0, 2));
    }

    #[test]
    fn a_cursor_behind_the_history_gets_nothing() {
        let mut room = R::with_depth("r", false, 1, 2);
        for _ in 0..5 {
            push(&mut room, 0, 10, 1);
        }
        let run = room.run(1, 0, 0, 1024, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id), (0, 1));
    }

    #[test]
    fn resume_points() {
        let mut room = R::with_depth("r", false, 9, 3);
        for _ in 0..10 {
            push(&mut room, 0, 10, 0);
        }
        // Kept: 8, 9, 10.
        assert_eq!(room.start_for(9, 8, usize::MAX).0, 9);
        assert_eq!(room.start_for(9, 8, usize::MAX).2, 0);
        assert_eq!(
            (
                room.start_for(9, 3, usize::MAX).0,
                room.start_for(9, 3, usize::MAX).2
            ),
            (8, 4)
        );
        assert_eq!(
            (
                room.start_for(1, 8, usize::MAX).0,
                room.start_for(1, 8, usize::MAX).2
            ),
            (8, 0),
            "another epoch: fresh"
        );
        assert_eq!(
            room.start_for(9, 10, usize::MAX).1,
            room.end_offset(),
            "caught up"
        );
        // A fresh join replays the latest `replay` events kept.
        assert_eq!(room.start_for(9, 0, 2).0, 9);
        assert_eq!(room.start_for(9, 0, 0), (11, room.end_offset(), 0));
        assert_eq!(room.start_for(9, 0, 100).0, 8);
    }
}

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
use crate::wire::MAX_ROOM;

/// Ring bytes in front of each stored frame: the sender's session (`u32`),
/// whether the sender skips it (`u8`) and the frame's length (`u16`).
const ENTRY_HEAD: usize = 7;

/// A stored event, as read back for one member.
pub(crate) struct Stored {
    /// Ring offset of the next event.
    pub next_offset: usize,
    /// Whether this member should not get it (its own message).
    pub skip: bool,
    /// The frame, in one or two pieces (the ring may wrap inside it).
    pub frame: (core::ops::Range<usize>, core::ops::Range<usize>),
}

/// A room of up to `CONNS` members keeping up to `HISTORY` bytes of events.
/// Opaque; named only to size a hub's storage (see [`Slots`](super::Slots)).
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
    ring: [u8; HISTORY],
    /// Offset of the oldest stored event.
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
    pub(crate) fn new(name: &str, fixed: bool, epoch: u32) -> Self {
        let mut n = String::new();
        // The caller validated the name, which is at most MAX_ROOM bytes.
        let _ = n.push_str(name);
        Room {
            name: n,
            topic: String::new(),
            fixed,
            members: Vec::new(),
            epoch,
            ring: [0; HISTORY],
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

    /// Where the next event will be written: a caught-up cursor's offset.
    pub(crate) fn end_offset(&self) -> usize {
        (self.head + self.used) % HISTORY.max(1)
    }

    /// Store the encoded frame of the next event (whose id the caller wrote
    /// into it: [`next_id`](Self::next_id)), dropping the oldest events
    /// beyond `depth` events or the ring's bytes, and return its id.
    pub(crate) fn push(
        &mut self,
        depth: usize,
        sender: u32,
        skip_sender: bool,
        frame: &[u8],
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let size = ENTRY_HEAD + frame.len();
        if depth == 0 || size > HISTORY {
            // Nothing kept: the event is still numbered, and members whose
            // cursor is on it will be told they missed it.
            self.clear();
            return id;
        }
        while self.count > 0 && (self.count >= depth || self.used + size > HISTORY) {
            self.drop_oldest();
        }
        let mut head = [0u8; ENTRY_HEAD];
        head[..4].copy_from_slice(&sender.to_be_bytes());
        head[4] = u8::from(skip_sender);
        // Frames are at most MAX_FRAME_LEN bytes, well inside u16.
        head[5..].copy_from_slice(&(frame.len() as u16).to_be_bytes());
        let at = self.end_offset();
        self.write_at(at, &head);
        self.write_at((at + ENTRY_HEAD) % HISTORY, frame);
        self.used += size;
        self.count += 1;
        id
    }

    fn clear(&mut self) {
        self.head = 0;
        self.used = 0;
        self.count = 0;
        self.first_id = self.next_id;
    }

    fn drop_oldest(&mut self) {
        let size = ENTRY_HEAD + usize::from(self.frame_len_at(self.head));
        self.head = (self.head + size) % HISTORY;
        self.used -= size;
        self.count -= 1;
        self.first_id += 1;
        // Even when this empties the ring, `head` stays where it is: it is
        // now the end, where caught-up members' cursors point and the next
        // event goes. (Moving it to 0 sent them reading stale bytes as
        // frames, found by the `room` fuzz target: fuzz/regressions/room/.)
    }

    fn byte(&self, at: usize) -> u8 {
        self.ring[at % HISTORY]
    }

    fn frame_len_at(&self, at: usize) -> u16 {
        u16::from_be_bytes([self.byte(at + 5), self.byte(at + 6)])
    }

    /// Copy `bytes` into the ring at `at`, wrapping at the end.
    fn write_at(&mut self, at: usize, bytes: &[u8]) {
        let first = bytes.len().min(HISTORY - at);
        self.ring[at..at + first].copy_from_slice(&bytes[..first]);
        self.ring[..bytes.len() - first].copy_from_slice(&bytes[first..]);
    }

    /// The event stored at `offset` (a cursor's, valid while its id is at
    /// least [`first_id`](Self::first_id)), as seen by `session`.
    pub(crate) fn read(&self, offset: usize, session: u32) -> Stored {
        let mut head = [0u8; ENTRY_HEAD];
        match self.ring.get(offset..offset + ENTRY_HEAD) {
            Some(bytes) => head.copy_from_slice(bytes),
            // The header wraps round the end of the ring (rare).
            None => head
                .iter_mut()
                .enumerate()
                .for_each(|(i, b)| *b = self.byte(offset + i)),
        }
        let sender = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let skip = head[4] != 0 && sender == session;
        let len = usize::from(u16::from_be_bytes([head[5], head[6]]));
        let start = (offset + ENTRY_HEAD) % HISTORY;
        let first = len.min(HISTORY - start);
        Stored {
            next_offset: (start + len) % HISTORY,
            skip,
            frame: (start..start + first, 0..len - first),
        }
    }

    /// Bytes of the ring, for copying out a [`Stored`] frame.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.ring
    }

    /// Where a member's cursor starts on joining: `since` is the last id
    /// the member saw (0 for none) in the room of that `epoch`. Returns the
    /// first id to deliver, its offset, and how many events it missed that
    /// the history no longer holds.
    pub(crate) fn start_for(&self, epoch: u32, since: u64) -> (u64, usize, u64) {
        let (start, missed) = if since == 0 || epoch != self.epoch || since >= self.next_id {
            // A fresh join, or ids of another incarnation of the room:
            // replay what is kept. (The client sees the new epoch.)
            (self.first_id, 0)
        } else if since + 1 >= self.first_id {
            (since + 1, 0)
        } else {
            (self.first_id, self.first_id - (since + 1))
        };
        let mut offset = self.head;
        for _ in self.first_id..start {
            offset = (offset + ENTRY_HEAD + usize::from(self.frame_len_at(offset))) % HISTORY;
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

    type R = Room<4, 64, 16>;

    fn frame_of(room: &R, id: u64) -> Option<([u8; 32], usize)> {
        let (start, mut offset, _) = room.start_for(room.epoch, 0);
        if id < start {
            return None;
        }
        for _ in start..id {
            offset = room.read(offset, 0).next_offset;
        }
        let stored = room.read(offset, 0);
        let mut out = [0u8; 32];
        let (a, b) = stored.frame;
        let n = a.len() + b.len();
        out[..a.len()].copy_from_slice(&room.bytes()[a.clone()]);
        out[a.len()..n].copy_from_slice(&room.bytes()[b]);
        Some((out, n))
    }

    #[test]
    fn ring_wraps_and_drops_oldest() {
        let mut room = R::new("r", false, 1);
        // 7 + 10 bytes per event: three fit in 64 bytes.
        for i in 0..10u8 {
            let id = room.push(100, 0, false, &[i; 10]);
            assert_eq!(id, u64::from(i) + 1);
            assert!(room.used <= 64);
        }
        assert_eq!((room.first_id(), room.next_id()), (8, 11));
        for id in 8..=10 {
            let (bytes, n) = frame_of(&room, id).unwrap();
            assert_eq!(&bytes[..n], &[(id - 1) as u8; 10]);
        }
        assert!(frame_of(&room, 7).is_none());
    }

    /// Found by the `room` fuzz target (fuzz/regressions/room/): with a
    /// history of one event, every event empties the ring, and a caught-up
    /// member's cursor must still find the next one.
    #[test]
    fn emptying_the_ring_keeps_caught_up_cursors_valid() {
        let mut room = R::new("r", false, 1);
        room.push(1, 0, false, &[1; 10]);
        let cursor = room.end_offset();
        room.push(1, 0, false, &[2; 10]);
        let stored = room.read(cursor, 0);
        let (a, b) = stored.frame;
        assert_eq!((&room.bytes()[a], b.len()), (&[2u8; 10][..], 0));
    }

    #[test]
    fn depth_limits_events() {
        let mut room = R::new("r", false, 1);
        for _ in 0..5 {
            room.push(2, 0, false, &[1, 2]);
        }
        assert_eq!((room.first_id(), room.next_id(), room.count), (4, 6, 2));
        room.push(0, 0, false, &[1]);
        assert_eq!((room.first_id(), room.count), (7, 0));
    }

    #[test]
    fn own_events_are_skipped_only_by_their_sender() {
        let mut room = R::new("r", false, 1);
        room.push(10, 7, true, &[1]);
        assert!(room.read(0, 7).skip);
        assert!(!room.read(0, 8).skip);
    }

    #[test]
    fn resume_points() {
        let mut room = R::new("r", false, 9);
        for _ in 0..10 {
            room.push(100, 0, false, &[0; 10]);
        }
        // Kept: 8, 9, 10.
        assert_eq!(room.start_for(9, 8).0, 9);
        assert_eq!(room.start_for(9, 8).2, 0);
        assert_eq!((room.start_for(9, 3).0, room.start_for(9, 3).2), (8, 4));
        assert_eq!(
            (room.start_for(1, 8).0, room.start_for(1, 8).2),
            (8, 0),
            "another epoch: fresh"
        );
        assert_eq!(room.start_for(9, 10).1, room.end_offset(), "caught up");
    }
}

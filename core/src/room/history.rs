//! A room: its members and its history ring.
//!
//! Every room event (message, join, leave, nick change, topic) is encoded
//! once, as the frame members will receive, and stored once in the room's
//! byte ring with the room's next id. Members do not get copies: each holds
//! a [`Cursor`](super::conn::Cursor) (the next id it should see), and the
//! hub lends the driver runs of frames straight from the ring as the
//! member's connection takes them. The same ring serves history on join,
//! resume after a reconnect and slow readers: whoever's cursor fell off the
//! back of the ring gets a `Gap` notice.

use heapless::String;

use super::ConnId;
use super::controls::Controls;
use super::storage::{Slots, Storage};
use crate::wire::{HEADER_LEN, MAX_FRAME_LEN, MAX_ROOM, MAX_TEXT};

/// Bytes of one index field: a `u32`.
const FIELD: usize = 4;
/// Bytes of a sender's connection in the index: a `u16`, as a [`ConnId`].
const CONN_FIELD: usize = 2;
/// Index bytes per event of depth: the sender's session, where the frame
/// starts in the ring, and the sender's connection slot.
const ENTRY_LEN: usize = 2 * FIELD + CONN_FIELD;

/// Where a joining member's cursor starts ([`Room::start_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    /// The first id to send it.
    pub first: u64,
    /// Events after its `since` that the history no longer holds.
    pub missed: u64,
    /// The first id it is owed: every event from here on reaches it or is
    /// counted by a `Gap`, but its own (a resume's replay is owed; a fresh
    /// join's replay is only shown, so it is owed from its own `Joined`).
    pub owed_from: u64,
}

/// Who sent an event, as the index keeps it: its session (0 for an event
/// every member gets) and its connection's slot, so that the sender is
/// found without a search when the event leaves the history unsent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sender {
    pub session: u32,
    pub conn: u16,
}

/// Events of history a room of `history` bytes keeps at most: about one
/// per 64 bytes (a power of two, so an id finds its index slot without a
/// division, which a Cortex-M needs a library call for), so the index
/// takes at most a sixth of the bytes. The smallest event frame is 23
/// bytes and a chat line is usually 60-150, so the ring rarely holds more.
pub(crate) const fn max_depth(history: usize) -> usize {
    power_of_two_below(history / 64)
}

/// The largest power of two not above `n` (0 for 0).
const fn power_of_two_below(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        1 << (usize::BITS - 1 - n.leading_zeros())
    }
}

/// Bytes of frame ring a room of `history` bytes keeping `depth` events
/// has (what its index leaves).
pub(crate) const fn ring_len(history: usize, depth: usize) -> usize {
    history - depth * ENTRY_LEN
}

/// Consecutive events a member is sent from one room, as
/// [`Room::run`] finds them: whole frames, back to back in the ring.
pub(crate) struct Run {
    /// The frames, in one or two pieces (the ring may wrap inside them).
    pub bytes: (core::ops::Range<usize>, core::ops::Range<usize>),
    /// Where the cursor goes once they are sent.
    pub next_id: u64,
    /// The run stopped because the next frame did not fit the budget.
    pub full: bool,
}

/// A room: its members and its history, in the memory its hub's
/// [`Storage`] gives. Opaque; named only to type a storage's room slots.
///
/// The history's bytes hold two things: at the front, the index of the
/// kept events (`depth` slots, by id): the session of each one's sender,
/// where each one's frame starts in the ring, and the slot of each one's
/// sender's connection; after it, the ring of
/// the events' frames, exactly as members are sent them, back to back.
/// Keeping the index apart lets a member's run of consecutive events be
/// found by scanning the senders alone and go out in one copy.
pub struct Room<S: Storage> {
    pub(crate) name: String<MAX_ROOM>,
    pub(crate) topic: String<MAX_TEXT>,
    /// Named at start-up: never freed, even when empty.
    pub(crate) fixed: bool,
    pub(crate) members: S::Members,
    /// Its modes, key, limits, bans and mutes.
    pub(crate) controls: Controls,
    /// Tells this room apart from an earlier room of the same name (before
    /// a restart, or before it emptied and was freed), whose ids meant
    /// other events.
    pub(crate) epoch: u32,
    store: S::History,
    /// Most events kept: the index's slots (a power of two).
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

impl<S: Storage> Room<S> {
    /// A room keeping as many events as its history's bytes hold, up to
    /// [`max_depth`] of them.
    pub(crate) fn new(name: &str, fixed: bool, epoch: u32, storage: &S) -> Self {
        Self::with_depth(name, fixed, epoch, usize::MAX, storage)
    }

    /// A room keeping at most `depth` events, rounded down to a power of
    /// two (and at most [`max_depth`] of its history's bytes).
    fn with_depth(name: &str, fixed: bool, epoch: u32, depth: usize, storage: &S) -> Self {
        let store = storage.history();
        let len = store.as_ref().len();
        let mut n = String::new();
        // The caller validated the name, which is at most MAX_ROOM bytes.
        let _ = n.push_str(name);
        Room {
            name: n,
            topic: String::new(),
            fixed,
            members: storage.members(),
            controls: Controls::default(),
            epoch,
            store,
            depth: power_of_two_below(depth.min(max_depth(len))),
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
        ring_len(self.store.as_ref().len(), self.depth)
    }

    /// The frame ring, for copying out a [`Run`].
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.store.as_ref()[self.depth * ENTRY_LEN..]
    }

    /// Where the next event will be written: a caught-up cursor's offset.
    pub(crate) fn end_offset(&self) -> usize {
        (self.head + self.used) % self.cap().max(1)
    }

    /// Store the encoded frame of the next event (whose id the caller wrote
    /// into it: [`next_id`](Self::next_id)), dropping the oldest events
    /// beyond the depth or the ring's bytes, and return its id. `sender` is
    /// the session that does not get this event (its own message), or 0.
    #[cfg(test)]
    pub(crate) fn push(&mut self, sender: u32, frame: &[u8]) -> u64 {
        let sender = Sender {
            session: sender,
            conn: 0,
        };
        self.push_with(
            sender,
            frame.len(),
            |dst| dst.copy_from_slice(frame),
            |_, _| {},
        )
    }

    /// Like `push`, for a frame of `size` bytes that `write` encodes into
    /// the slice it is given (straight into the ring, unless the ring wraps
    /// inside it). `dropped` is told the id and sender of every event that
    /// leaves the history unsent to someone: the oldest ones pushed out,
    /// and the new one itself if it cannot be kept.
    pub(crate) fn push_with(
        &mut self,
        sender: Sender,
        size: usize,
        write: impl FnOnce(&mut [u8]),
        mut dropped: impl FnMut(u64, Sender),
    ) -> u64 {
        let id = self.next_id;
        if self.depth == 0 || size > self.cap() || size > MAX_FRAME_LEN || size <= HEADER_LEN {
            // Nothing kept (no history, or a frame that cannot be, which
            // encoding never makes): the event is still numbered, and
            // members whose cursor is on it will be told they missed it.
            while self.count > 0 {
                dropped(self.first_id, self.sender_of(self.first_id));
                self.drop_oldest();
            }
            dropped(id, sender);
            self.next_id += 1;
            self.clear();
            return id;
        }
        while self.count > 0 && (self.count >= self.depth || self.used + size > self.cap()) {
            dropped(self.first_id, self.sender_of(self.first_id));
            self.drop_oldest();
        }
        let at = self.end_offset();
        let ring_start = self.depth * ENTRY_LEN;
        match self.store.as_mut()[ring_start..].get_mut(at..at + size) {
            Some(dst) => write(dst),
            None => {
                let mut frame = [0; MAX_FRAME_LEN];
                write(&mut frame[..size]);
                self.write_at(at, &frame[..size]);
            }
        }
        let slot = self.slot(id);
        let field = slot * FIELD..(slot + 1) * FIELD;
        let depth = self.depth;
        let (senders, rest) = self.store.as_mut().split_at_mut(depth * FIELD);
        let (offsets, conns) = rest.split_at_mut(depth * FIELD);
        senders[field.clone()].copy_from_slice(&sender.session.to_ne_bytes());
        // Offsets are below the history's length, which `Hub::with_storage`
        // keeps within u32.
        offsets[field].copy_from_slice(&(at as u32).to_ne_bytes());
        conns[slot * CONN_FIELD..(slot + 1) * CONN_FIELD]
            .copy_from_slice(&sender.conn.to_ne_bytes());
        self.next_id += 1;
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
        let size = self.pos(self.first_id + 1);
        self.head = (self.head + size) % self.cap();
        self.used -= size;
        self.count -= 1;
        self.first_id += 1;
        // Even when this empties the ring, `head` stays where it is: it is
        // now the end, where caught-up members' cursors point and the next
        // event goes. (Moving it to 0 sent them reading stale bytes as
        // frames, found by the `room` fuzz target: fuzz/regressions/room/.)
    }

    /// Event `id`'s slot in the index (not to be confused with a
    /// connection's slot in the hub, which [`Sender::conn`] is).
    fn slot(&self, id: u64) -> usize {
        // `depth` is a power of two: the low bits of the id.
        id as usize & self.depth.saturating_sub(1)
    }

    /// Where kept event `id`'s frame starts in the ring; for the next id,
    /// where the next frame will.
    fn offset_of(&self, id: u64) -> usize {
        if id >= self.next_id {
            return self.end_offset();
        }
        let at = (self.depth + self.slot(id)) * FIELD;
        let mut bytes = [0; FIELD];
        bytes.copy_from_slice(&self.store.as_ref()[at..at + FIELD]);
        u32::from_ne_bytes(bytes) as usize
    }

    /// Who sent kept event `id`: the session it must not be sent to (0 for
    /// none) and that session's slot.
    fn sender_of(&self, id: u64) -> Sender {
        let store = self.store.as_ref();
        let at = self.slot(id) * FIELD;
        let mut session = [0; FIELD];
        session.copy_from_slice(&store[at..at + FIELD]);
        let at = 2 * self.depth * FIELD + self.slot(id) * CONN_FIELD;
        let mut conn = [0; CONN_FIELD];
        conn.copy_from_slice(&store[at..at + CONN_FIELD]);
        Sender {
            session: u32::from_ne_bytes(session),
            conn: u16::from_ne_bytes(conn),
        }
    }

    /// Whether kept event `id` is one `session` must not get (its own).
    fn sent_by(&self, id: u64, session: u32) -> bool {
        let at = self.slot(id) * FIELD;
        session != 0 && self.store.as_ref()[at..at + FIELD] == session.to_ne_bytes()
    }

    /// How far into the kept bytes event `id` starts (`used` for the next
    /// id): increasing with the id, with no wrap to mind.
    fn pos(&self, id: u64) -> usize {
        if id >= self.next_id {
            return self.used;
        }
        let cap = self.cap();
        (self.offset_of(id) + cap - self.head) % cap
    }

    /// The first id in `from..end` (all kept) whose sender is `session`,
    /// or `end`.
    fn next_sent_by(&self, from: u64, end: u64, session: u32) -> u64 {
        if session == 0 || from >= end {
            return end;
        }
        let needle = session.to_ne_bytes();
        let senders = &self.store.as_ref()[..self.depth * FIELD];
        let first = self.slot(from);
        let n = (end - from) as usize;
        // The slots from `first` on, wrapping round the index once.
        let tail = n.min(self.depth - first);
        let found = senders[first * FIELD..(first + tail) * FIELD]
            .chunks_exact(FIELD)
            .position(|s| s == needle)
            .or_else(|| {
                senders[..(n - tail) * FIELD]
                    .chunks_exact(FIELD)
                    .position(|s| s == needle)
                    .map(|i| tail + i)
            });
        found.map_or(end, |i| from + i as u64)
    }

    /// Mark kept event `id` removed, in place: a `Message` keeps its
    /// length, gains [`FLAG_REMOVED`](crate::wire::FLAG_REMOVED) and has
    /// its text overwritten with `-`, so no one reading the history later
    /// gets it, and no other event moves. Returns its sender's nickname
    /// (`None`: not kept, or not a message) and whether it was removed
    /// already.
    pub(crate) fn remove_message(
        &mut self,
        id: u64,
    ) -> Option<(heapless::String<{ crate::wire::MAX_NICK }>, bool)> {
        use crate::wire::{FLAG_REMOVED, message_parts};
        if id < self.first_id || id >= self.next_id {
            return None;
        }
        let (at, size) = (self.offset_of(id), self.pos(id + 1) - self.pos(id));
        let mut frame = [0u8; MAX_FRAME_LEN];
        let frame = frame.get_mut(..size)?;
        let ring = self.bytes();
        let first = size.min(ring.len().saturating_sub(at));
        frame[..first].copy_from_slice(ring.get(at..at + first)?);
        frame[first..].copy_from_slice(ring.get(..size - first)?);
        let (from, flags_at, text) = message_parts(frame)?;
        let mut nick = heapless::String::new();
        // The hub wrote the frame: the nickname is valid UTF-8.
        if let Ok(name) = core::str::from_utf8(&frame[from]) {
            let _ = nick.push_str(name);
        }
        if frame[flags_at] & FLAG_REMOVED != 0 {
            return Some((nick, true));
        }
        // The same frame, the same length: the flag set and `-` for every
        // byte of its text, so no other event moves.
        frame[flags_at] |= FLAG_REMOVED;
        frame[text].fill(b'-');
        let mut out = [0u8; MAX_FRAME_LEN];
        out[..size].copy_from_slice(frame);
        self.write_at(at, &out[..size]);
        Some((nick, false))
    }

    /// Copy `bytes` into the ring at `at`, wrapping at the end.
    fn write_at(&mut self, at: usize, bytes: &[u8]) {
        let start = self.depth * ENTRY_LEN;
        let ring = &mut self.store.as_mut()[start..];
        let first = bytes.len().min(ring.len() - at);
        ring[at..at + first].copy_from_slice(&bytes[..first]);
        ring[..bytes.len() - first].copy_from_slice(&bytes[first..]);
    }

    /// The events from a cursor (`next_id`, valid while it is at least
    /// [`first_id`](Self::first_id)) that `session` should be sent next,
    /// back to back: its own events at the cursor are passed over, then
    /// consecutive events are taken while they fit in `budget` bytes, up to
    /// `max` events in all (passed or taken). The run ends before the
    /// session's next own event, at the end of the history, or at a cursor
    /// that fell behind it. Costs a scan of the senders index, not of the
    /// frames.
    pub(crate) fn run(&self, next_id: u64, session: u32, budget: usize, max: usize) -> Run {
        let nothing = Run {
            bytes: (0..0, 0..0),
            next_id,
            full: false,
        };
        if next_id < self.first_id || next_id >= self.next_id {
            return nothing;
        }
        let end = self.next_id.min(next_id.saturating_add(max as u64));
        // Its own events at the cursor cost nothing to pass over.
        let mut from = next_id;
        while from < end && self.sent_by(from, session) {
            from += 1;
        }
        let mut stop = self.next_sent_by(from, end, session);
        let start = self.pos(from);
        let mut full = false;
        if self.pos(stop) - start > budget {
            // The last frame boundary within the budget: `pos` grows with
            // the id, so halve the range.
            let (mut fits, mut over) = (from, stop);
            while over - fits > 1 {
                let mid = fits + (over - fits) / 2;
                if self.pos(mid) - start <= budget {
                    fits = mid;
                } else {
                    over = mid;
                }
            }
            (stop, full) = (fits, true);
        }
        let len = self.pos(stop) - start;
        let at = self.offset_of(from);
        let first = len.min(self.cap() - at);
        Run {
            bytes: (at..at + first, 0..len - first),
            next_id: stop,
            full,
        }
    }

    /// How many events from `from` on were not sent by `session`: what a
    /// member at `from` has still to be sent.
    pub(crate) fn others_since(&self, from: u64, session: u32) -> u64 {
        let from = from.max(self.first_id);
        (from..self.next_id)
            .filter(|&id| !self.sent_by(id, session))
            .count() as u64
    }

    /// Where a member's cursor starts on joining: `since` is the last id
    /// the member saw (0 for none) in the room of that `epoch`; a fresh
    /// join replays at most `replay` events.
    pub(crate) fn start_for(&self, epoch: u32, since: u64, replay: usize) -> Start {
        if since == 0 || epoch != self.epoch || since >= self.next_id {
            // A fresh join, or ids of another incarnation of the room:
            // replay the latest events kept. (The client sees the new
            // epoch.) Only live events are owed, the replay is for showing:
            // from the joiner's own `Joined`, which the caller has just
            // pushed (the event before `next_id`, its own, never counted).
            let latest = self.next_id.saturating_sub(replay as u64);
            Start {
                first: latest.max(self.first_id),
                missed: 0,
                owed_from: self.next_id.saturating_sub(1).max(1),
            }
        } else if since + 1 >= self.first_id {
            Start {
                first: since + 1,
                missed: 0,
                owed_from: since + 1,
            }
        } else {
            Start {
                first: self.first_id,
                missed: self.first_id - (since + 1),
                owed_from: since + 1,
            }
        }
    }

    pub(crate) fn remove_member(&mut self, conn: ConnId) {
        self.members.retain(|&m| m != conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 512 bytes: 8 index slots of 10 bytes, a 432-byte ring.
    type S = crate::room::Inline<4, 1, 512, 16>;
    type R = Room<S>;
    const ST: S = crate::room::Inline;

    impl Start {
        fn pair(self) -> (u64, u64) {
            (self.first, self.missed)
        }
    }

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
        let mut id = room.start_for(room.epoch, 0, usize::MAX).first;
        let mut seen = heapless::Vec::new();
        loop {
            let run = room.run(id, session, budget, usize::MAX);
            let (bytes, n) = run_bytes(room, &run);
            let mut at = 0;
            while at < n {
                let len = 2 + usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
                seen.push(bytes[at + 2]).unwrap();
                at += len;
            }
            if run.next_id == id {
                return seen;
            }
            id = run.next_id;
        }
    }

    #[test]
    fn depth_is_bounded_by_the_bytes() {
        assert_eq!(R::new("r", false, 1, &ST).depth, 8);
        assert_eq!(R::with_depth("r", false, 1, 16, &ST).depth, 8);
        assert_eq!(R::with_depth("r", false, 1, 5, &ST).depth, 4);
        assert_eq!(
            R::with_depth("r", false, 1, 5, &ST).cap(),
            512 - 4 * ENTRY_LEN
        );
        assert_eq!(R::with_depth("r", false, 1, 0, &ST).depth, 0);
        assert_eq!(max_depth(256 * 1024), 4096);
        assert_eq!(max_depth(3000), 32);
    }

    #[test]
    fn ring_wraps_and_drops_oldest() {
        let mut room = R::with_depth("r", false, 1, 16, &ST);
        // 432 bytes of ring: 8 frames of 50 fit, not 9.
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
        let mut room = R::with_depth("r", false, 1, 16, &ST);
        for i in 0..10u8 {
            push(&mut room, 0, 50, i);
        }
        let id = room.start_for(room.epoch, 0, usize::MAX).first;
        let run = room.run(id, 0, 1024, usize::MAX);
        assert!(!run.bytes.1.is_empty(), "the ring wrapped");
        assert_eq!(run.bytes.0.len() + run.bytes.1.len(), 8 * 50);
        assert_eq!((run.next_id, run.full), (room.next_id(), false));
    }

    /// Found by the `room` fuzz target (fuzz/regressions/room/): with a
    /// history of one event, every event empties the ring, and a caught-up
    /// member's cursor must still find the next one.
    #[test]
    fn emptying_the_ring_keeps_caught_up_cursors_valid() {
        let mut room = R::with_depth("r", false, 1, 1, &ST);
        push(&mut room, 0, 10, 1);
        let cursor = room.next_id();
        push(&mut room, 0, 10, 2);
        let run = room.run(cursor, 0, 1024, usize::MAX);
        let (bytes, n) = run_bytes(&room, &run);
        assert_eq!(&bytes[..n], &frame(10, 2)[..10]);
    }

    #[test]
    fn depth_limits_events() {
        let mut room = R::with_depth("r", false, 1, 2, &ST);
        for _ in 0..5 {
            push(&mut room, 0, 3, 1);
        }
        assert_eq!((room.first_id(), room.next_id(), room.count), (4, 6, 2));
        let mut none = R::with_depth("r", false, 1, 0, &ST);
        push(&mut none, 0, 3, 1);
        assert_eq!((none.first_id(), none.count), (2, 0));
    }

    #[test]
    fn own_events_are_skipped_only_by_their_sender() {
        let mut room = R::with_depth("r", false, 1, 16, &ST);
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
        let mut room = R::with_depth("r", false, 1, 16, &ST);
        for sender in [1, 1, 2, 1] {
            push(&mut room, sender, 10, sender as u8);
        }
        let id = room.start_for(room.epoch, 0, usize::MAX).first;
        // Session 2 gets two events, then its own ends the run.
        let run = room.run(id, 2, 1024, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id, run.full), (20, 3, false));
        // A budget of 15 bytes takes one frame and says the next is waiting.
        let run = room.run(id, 2, 15, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id, run.full), (10, 2, true));
        // Own events at the cursor are passed over for free.
        let run = room.run(id, 1, 15, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id, run.full), (10, 4, false));
        assert_eq!(run.bytes.0.start, 20);
        // `max` counts events passed over too.
        let run = room.run(id, 1, 1024, 1);
        assert_eq!((run.bytes.0.len(), run.next_id), (0, 2));
    }

    #[test]
    fn a_cursor_behind_the_history_gets_nothing() {
        let mut room = R::with_depth("r", false, 1, 2, &ST);
        for _ in 0..5 {
            push(&mut room, 0, 10, 1);
        }
        let run = room.run(1, 0, 1024, usize::MAX);
        assert_eq!((run.bytes.0.len(), run.next_id), (0, 1));
    }

    #[test]
    fn resume_points() {
        let mut room = R::with_depth("r", false, 9, 4, &ST);
        for _ in 0..10 {
            push(&mut room, 0, 10, 0);
        }
        // Kept: 7, 8, 9, 10.
        let all = usize::MAX;
        assert_eq!(room.start_for(9, 8, all).pair(), (9, 0));
        assert_eq!(room.start_for(9, 3, all).pair(), (7, 3), "4..=6 missed");
        assert_eq!(
            room.start_for(1, 8, all).pair(),
            (7, 0),
            "another epoch: fresh"
        );
        assert_eq!(room.start_for(9, 10, all).pair(), (11, 0), "caught up");
        // A fresh join replays the latest `replay` events kept.
        assert_eq!(room.start_for(9, 0, 2).pair(), (9, 0));
        assert_eq!(room.start_for(9, 0, 0).pair(), (11, 0));
        assert_eq!(room.start_for(9, 0, 100).pair(), (7, 0));
        // What is owed: a resume's replay; of a fresh join, only what is live.
        assert_eq!(room.start_for(9, 3, all).owed_from, 4);
        assert_eq!(room.start_for(9, 8, all).owed_from, 9);
        assert_eq!(room.start_for(9, 0, 2).owed_from, 10);
        assert_eq!(room.start_for(1, 8, all).owed_from, 10);
    }
}

//! Getting a member's output out: the replies in its queue, then events
//! straight from its rooms' history rings, round-robin between rooms.
//!
//! One call lends and commits: [`Hub::transmit`] returns a [`Transmit`]
//! that borrows the hub, lends the bytes ([`Transmit::pieces`] in place, or
//! [`Transmit::copy_to`] a buffer) and, once the driver has written them,
//! is [committed](Transmit::commit) with the count the socket took. While
//! it lives nothing else can touch the hub, so what is lent and what is
//! committed cannot disagree; dropping it uncommitted is committing 0.
//! Input is never handled here: output that frees queue room lets waiting
//! input go on only when the driver says so ([`Hub::resume_input`]).

use heapless::Vec;

use super::conn::{Conn, Cursor, OutQueue, State};
use super::history::Room;
use super::storage::Storage;
use super::{ConnId, EVENTS_PER_TURN, Hub, MAX_JOINED, REPLY_RESERVE};
use crate::time::Instant;
use crate::wire::{FLAG_MORE, Frame, MAX_FRAME_LEN, MAX_NAMES_PER_FRAME, NickList};

/// Output lent to the driver for one write; see [`Hub::transmit`].
#[must_use = "commit what the socket took (dropping it commits nothing)"]
pub struct Transmit<'h, S: Storage> {
    hub: &'h mut Hub<S>,
    conn: ConnId,
    now: Instant,
    budget: usize,
    /// Where the cursors will be once all that was lent is written.
    plan: Option<Plan>,
    /// Bytes lent by the last `pieces` or `copy_to`.
    lent: usize,
}

impl<S: Storage> Hub<S> {
    /// Start a write of what `conn` should be sent now, at most `budget`
    /// bytes: its queued replies, then runs of events straight from its
    /// rooms' history rings, whole frames only. Take the bytes with
    /// [`Transmit::pieces`] (for a vectored write) or
    /// [`Transmit::copy_to`], write them, then [`Transmit::commit`] how
    /// many the socket took. Call it again until it lends nothing or the
    /// socket is full. `budget` must be at least [`MAX_FRAME_LEN`], or a
    /// frame can wait for ever.
    ///
    /// ```
    /// # use natter_core::room::{Config, InlineHub};
    /// # use natter_core::time::Instant;
    /// # let mut hub = InlineHub::<4, 2, 1024, 128, 3072>::new(Config::default());
    /// # let conn = hub.handle_connect(Instant(0)).unwrap();
    /// # let mut socket: Vec<u8> = Vec::new();
    /// loop {
    ///     let mut tx = hub.transmit(Instant(1), conn, 16 * 1024);
    ///     let mut pieces: [&[u8]; 16] = [&[]; 16];
    ///     let count = tx.pieces(&mut pieces);
    ///     if count == 0 {
    ///         break; // all caught up
    ///     }
    ///     let written = pieces[..count].iter().map(|p| { socket.extend_from_slice(p); p.len() }).sum();
    ///     tx.commit(written);
    /// }
    /// ```
    pub fn transmit(&mut self, now: Instant, conn: ConnId, budget: usize) -> Transmit<'_, S> {
        self.now = self.now.max(now);
        Transmit {
            hub: self,
            conn,
            now,
            budget,
            plan: None,
            lent: 0,
        }
    }

    /// Handle input that waited for room in `conn`'s output queue. Output
    /// never does it by itself; call this after every write to a
    /// connection, then read it again if reading had paused and
    /// [`recv_buf`](Self::recv_buf) has room. Not only when reading
    /// paused: requests wait for reply room even while the input buffer
    /// has room left (seven joins of rooms with long topics in one read
    /// fill a 4 KiB reply queue), and nothing else would wake them.
    /// (`handle_received` and `handle_bytes` do the same before taking new
    /// bytes.) Cheap when nothing waits.
    pub fn resume_input(&mut self, now: Instant, conn: ConnId) {
        self.handle_received(now, conn, 0);
    }
}

impl<S: Storage> Transmit<'_, S> {
    /// Lend the bytes to write, in order, as slices of the connection's
    /// queue and of its rooms' rings: as many whole frames as fit in the
    /// budget and in `out` (a run of events takes one slice, or two where
    /// a ring wraps). Returns how many slices it filled; 0 when the
    /// connection is all caught up. `out` needs at least 3 slots, or this
    /// can return 0 with a frame pending.
    pub fn pieces<'t>(&'t mut self, out: &mut [&'t [u8]]) -> usize {
        self.plan = None;
        self.lent = 0;
        if out.is_empty() {
            return 0;
        }
        let conn = self.conn;
        self.hub.prepare(conn);
        let Hub { conns, rooms, .. } = &mut *self.hub;
        let rooms: &'t S::Rooms = rooms;
        let Some(c) = conns.get_mut(conn.index()) else {
            return 0;
        };
        let queued = c.out.pending().len();
        let mut total = queued.min(self.budget);
        let mut n = usize::from(total > 0);
        if total == queued && c.state == State::Ready {
            let mut cursors = Cursors::of(&c.joined);
            let walk = walk_events(
                rooms,
                c.session,
                &mut cursors,
                c.next_room,
                self.budget - total,
                |a, b| {
                    let need = usize::from(!a.is_empty()) + usize::from(!b.is_empty());
                    if n + need > out.len() {
                        return false;
                    }
                    for piece in [a, b] {
                        if !piece.is_empty() {
                            out[n] = piece;
                            n += 1;
                        }
                    }
                    true
                },
            );
            if walk.taken > 0 {
                total += walk.taken;
                self.plan = Some(Plan {
                    cursors,
                    next_room: walk.next_room,
                });
            }
        }
        if total == 0 {
            // Caught up: the stall timer starts again from here.
            c.last_sent = self.now;
            return 0;
        }
        self.lent = total;
        let c: &'t Conn<S::Out> = c;
        if queued > 0 {
            out[0] = &c.out.pending()[..queued.min(self.budget)];
        }
        n
    }

    /// Copy the bytes to write into `buf`, as many whole frames as fit in
    /// it and in the budget; returns how many. 0 when the connection is
    /// all caught up (or `buf` is shorter than the next frame).
    pub fn copy_to(&mut self, buf: &mut [u8]) -> usize {
        self.budget = self.budget.min(buf.len());
        let mut pieces: [&[u8]; 16] = [&[]; 16];
        let count = self.pieces(&mut pieces);
        let mut at = 0;
        for piece in &pieces[..count] {
            // The budget is at most `buf.len()`, so every piece fits.
            if let Some(dst) = buf.get_mut(at..at + piece.len()) {
                dst.copy_from_slice(piece);
            }
            at += piece.len();
        }
        at
    }

    /// Bytes lent by the last [`pieces`](Self::pieces) or
    /// [`copy_to`](Self::copy_to).
    pub fn len(&self) -> usize {
        self.lent
    }

    /// `true` when nothing was lent: the connection is all caught up.
    pub fn is_empty(&self) -> bool {
        self.lent == 0
    }

    /// The driver wrote the first `written` bytes of what was lent (0 if
    /// the socket took nothing): the connection's queue and cursors move
    /// past them. A frame cut short goes on from the queue next time.
    pub fn commit(self, written: usize) {
        let Transmit {
            hub,
            conn,
            now,
            plan,
            lent,
            ..
        } = self;
        hub.commit(
            now,
            conn,
            written.min(lent),
            plan.filter(|_| written >= lent),
        );
    }
}

impl<S: Storage> Hub<S> {
    /// Move `conn`'s queue and cursors past the `n` bytes written of what
    /// a [`Transmit`] lent; `plan` is where the cursors are when all of it
    /// was written.
    fn commit(&mut self, now: Instant, conn: ConnId, n: usize, plan: Option<Plan>) {
        let Some(c) = self.conns.get_mut(conn.index()) else {
            return;
        };
        if n == 0 {
            return;
        }
        c.last_sent = now;
        let from_queue = n.min(c.out.pending().len());
        c.out.consume(from_queue);
        let budget = n - from_queue;
        if let Some(plan) = plan {
            // All of it was written: the cursors are where the copy left them.
            plan.cursors.store(&mut c.joined);
            c.next_room = plan.next_room;
        } else if budget > 0 {
            // Walk the room events that were lent, in the same order, as
            // far as the socket took them, and move the cursors there. A
            // frame cut short goes on in the queue (empty now), where its
            // remainder stays even if the history moves on.
            let Conn {
                joined,
                out,
                session,
                next_room,
                ..
            } = c;
            let mut cursors = Cursors::of(joined);
            let walk = walk_events(
                &self.rooms,
                *session,
                &mut cursors,
                *next_room,
                budget,
                |_, _| true,
            );
            *next_room = walk.next_room;
            let rest = budget - walk.taken;
            if rest > 0 {
                if let Some((room, i)) = walk.stopped_at {
                    let cut = room.run(cursors.at[i], *session, usize::MAX, 1);
                    let bytes = room.bytes();
                    let (a, b) = (&bytes[cut.bytes.0], &bytes[cut.bytes.1]);
                    let (a_rest, b_rest) = if rest < a.len() {
                        (&a[rest..], b)
                    } else {
                        (&[][..], &b[rest - a.len()..])
                    };
                    let _ = out.push_pieces(a_rest, b_rest);
                    cursors.at[i] = cut.next_id;
                }
            }
            cursors.store(joined);
        }
        let c = &mut self.conns[conn.index()];
        if c.out.is_empty() && matches!(c.state, State::Closing { .. }) {
            self.finish_close(conn);
        }
    }

    /// Before copying events for `conn`: queue the member lists it is owed
    /// after joining, and a `Gap` for every room whose history moved past
    /// its cursor, while its queue has room. A room's events wait until its
    /// member list is out.
    pub(super) fn prepare(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get(conn.index()) else {
            return;
        };
        if c.state != State::Ready {
            return;
        }
        for turn in 0..c.joined.len() {
            let c = &self.conns[conn.index()];
            let cursor = c.joined[turn];
            let Some(room) = self.rooms[usize::from(cursor.room)].as_ref() else {
                continue;
            };
            if let Some(from) = cursor.names_from {
                // Names can take several frames; each needs queue room.
                let mut from = usize::from(from);
                while self.conns[conn.index()].out.free() >= REPLY_RESERVE {
                    let (buf, len, next) = self.names_frame(room, usize::from(cursor.room), from);
                    let c = &mut self.conns[conn.index()];
                    let _ = c.out.push_raw(&buf[..len]);
                    c.joined[turn].names_from = next;
                    match next {
                        Some(n) => from = usize::from(n),
                        None => break,
                    }
                }
                continue;
            }
            let c = &mut self.conns[conn.index()];
            if cursor.next_id < room.first_id() {
                // Fell off the back of the history: say how much it missed,
                // go on from the oldest event kept. Its own events among
                // those gone were never to be sent to it, so they are not
                // missed; if they were all it lost, there is nothing to say.
                let first = room.first_id();
                let missed = (first - cursor.next_id).saturating_sub(u64::from(cursor.own_dropped));
                if missed > 0 {
                    if c.out.free() < REPLY_RESERVE {
                        continue;
                    }
                    let _ = c.out.push(&Frame::Gap {
                        room: &room.name,
                        missed,
                    });
                }
                let cursor = &mut c.joined[turn];
                cursor.next_id = first;
                cursor.own_dropped = 0;
            }
        }
    }

    /// Before `conn` leaves room `index`: queue the room's events it has
    /// not been sent yet, as far as its queue has room, each run of them
    /// after a `Gap` for what it missed before the run, so nothing that
    /// came before its own `Parted` is lost silently (PROTOCOL.md §5.4: no
    /// more events of a room follow `Left`). Events wait in the history,
    /// not the queue, so without this its cursor would go with the room
    /// and take them along. The queue keeps room for the last `Gap`, the
    /// `Left` and a `Bye`.
    pub(super) fn queue_unsent(&mut self, conn: ConnId, index: usize) {
        let Hub { conns, rooms, .. } = self;
        let Some(c) = conns.get_mut(conn.index()) else {
            return;
        };
        let Some(&cursor) = c.joined.iter().find(|cur| usize::from(cur.room) == index) else {
            return;
        };
        let Some(Some(room)) = rooms.get(index) else {
            return;
        };
        let gap = |out: &mut OutQueue<S::Out>, missed: u64| {
            if missed > 0 {
                // `part` is handled with REPLY_RESERVE free, and the runs
                // below leave a frame's room more: a `Gap` always fits.
                let _ = out.push(&Frame::Gap {
                    room: &room.name,
                    missed,
                });
            }
        };
        // Its member list not out yet, it has been sent no event of the
        // room (they follow the `Names`): what it is owed counts as missed,
        // and a fresh join's replay, for showing only, does not.
        let mut next_id = cursor.next_id;
        if cursor.names_from.is_some() {
            next_id = next_id.max(cursor.owed_from);
        }
        if next_id < room.first_id() {
            // Fell off the back of the history, as `prepare` tells it.
            let behind = (room.first_id() - next_id).saturating_sub(u64::from(cursor.own_dropped));
            gap(&mut c.out, behind);
            next_id = room.first_id();
        }
        if cursor.names_from.is_none() {
            loop {
                let budget = c.out.free().saturating_sub(REPLY_RESERVE + MAX_FRAME_LEN);
                let run = room.run(next_id, c.session, budget, usize::MAX);
                if run.next_id == next_id {
                    break;
                }
                let bytes = room.bytes();
                let _ = c.out.push_pieces(&bytes[run.bytes.0], &bytes[run.bytes.1]);
                next_id = run.next_id;
            }
        }
        gap(&mut c.out, room.others_since(next_id, c.session));
    }

    /// Encode the `Names` frame listing `room` (in slot `index`)'s members,
    /// with their roles, from index `from`;
    /// returns it with the index to continue from, if any.
    pub(super) fn names_frame(
        &self,
        room: &Room<S>,
        index: usize,
        from: usize,
    ) -> ([u8; MAX_FRAME_LEN], usize, Option<u16>) {
        let mut names: Vec<&str, MAX_NAMES_PER_FRAME> = Vec::new();
        let mut roles: Vec<u8, MAX_NAMES_PER_FRAME> = Vec::new();
        let mut end = from;
        for &m in room.members.iter().skip(from) {
            if names.is_full() {
                break;
            }
            end += 1;
            if let Some(nick) = self.nick(m) {
                let _ = names.push(nick);
                let _ = roles.push(self.roles_in(m, index));
            }
        }
        let more = end < room.members.len();
        let flags = if more { FLAG_MORE } else { 0 };
        let frame = Frame::Names {
            room: &room.name,
            flags,
            nicks: NickList::Slice(&names),
            roles: &roles,
        };
        let mut buf = [0u8; MAX_FRAME_LEN];
        // 32 names of at most 24 bytes always fit in a frame.
        let len = frame.encode(&mut buf).unwrap_or(0);
        (buf, len, more.then_some(end as u16))
    }
}

/// Where a member's cursors will be once all that a [`Transmit`] lent is
/// written.
struct Plan {
    cursors: Cursors,
    next_room: usize,
}

/// Working copies of a member's room cursors during a walk.
pub(super) struct Cursors {
    rooms: Vec<Joined, MAX_JOINED>,
    at: Vec<u64, MAX_JOINED>,
}

/// One of a member's rooms, as a walk sees it.
#[derive(Clone, Copy)]
struct Joined {
    /// The room's slot in the hub.
    slot: usize,
    /// Its member list is out, so its events may follow.
    ready: bool,
}

impl Cursors {
    fn of(joined: &[Cursor]) -> Self {
        Cursors {
            rooms: joined
                .iter()
                .map(|c| Joined {
                    slot: usize::from(c.room),
                    ready: c.names_from.is_none(),
                })
                .collect(),
            at: joined.iter().map(|c| c.next_id).collect(),
        }
    }

    fn store(&self, joined: &mut [Cursor]) {
        for (c, &next_id) in joined.iter_mut().zip(self.at.iter()) {
            c.next_id = next_id;
        }
    }
}

/// How a walk over a member's rooms ended.
pub(super) struct Walk<'r, S: Storage> {
    /// The room to start from next time.
    pub next_room: usize,
    /// Bytes taken.
    pub taken: usize,
    /// The room (and its place in the cursors) whose next frame did not
    /// fit the budget, if that is what stopped the walk.
    pub stopped_at: Option<(&'r Room<S>, usize)>,
}

/// Walk a member's unsent room events in delivery order: up to
/// `EVENTS_PER_TURN` from each room in turn (no limit for a member of one
/// room), starting with room `start`, passing over its own messages, while
/// they fit in `budget` bytes. `take`
/// gets each run of consecutive frames, in one or two pieces as the ring
/// holds them, and says whether it took it (the walk stops at the first it
/// did not). Cursors move past what was taken. Lending and committing make
/// the same walk (the second with the budget the socket took), so the
/// second moves the real cursors by what the first lent and the socket
/// took.
pub(super) fn walk_events<'r, S: Storage>(
    rooms: &'r [Option<Room<S>>],
    session: u32,
    cursors: &mut Cursors,
    start: usize,
    mut budget: usize,
    mut take: impl FnMut(&'r [u8], &'r [u8]) -> bool,
) -> Walk<'r, S> {
    let count = cursors.rooms.len();
    let mut walk = Walk {
        next_room: start,
        taken: 0,
        stopped_at: None,
    };
    let mut turn = start;
    let mut idle = 0;
    while idle < count {
        let i = turn % count;
        turn = turn.wrapping_add(1);
        let Joined { slot, ready } = cursors.rooms[i];
        let room = match rooms.get(slot) {
            Some(Some(room)) if ready => room,
            _ => {
                idle += 1;
                continue;
            }
        };
        // A cursor behind the history gets nothing here: it waits for
        // `prepare`'s gap notice. Turns share the output between rooms; a
        // member of one room takes its events in runs as long as they come.
        let mut left = if count > 1 {
            EVENTS_PER_TURN
        } else {
            usize::MAX
        };
        let mut moved = false;
        while left > 0 {
            let next_id = cursors.at[i];
            let run = room.run(next_id, session, budget, left);
            let events = (run.next_id - next_id) as usize;
            if events > 0 {
                let bytes = room.bytes();
                let (a, b) = (&bytes[run.bytes.0], &bytes[run.bytes.1]);
                let len = a.len() + b.len();
                if len > 0 && !take(a, b) {
                    walk.next_room = turn.wrapping_sub(1);
                    return walk;
                }
                budget -= len;
                walk.taken += len;
                cursors.at[i] = run.next_id;
                left -= events;
                moved = true;
            }
            if run.full {
                walk.next_room = turn.wrapping_sub(1);
                walk.stopped_at = Some((room, i));
                return walk;
            }
            if events == 0 {
                break;
            }
        }
        idle = if moved { 0 } else { idle + 1 };
    }
    walk.next_room = turn;
    walk
}

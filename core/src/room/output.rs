//! Getting a member's output out: the replies in its queue, then events
//! straight from its rooms' history rings, round-robin between rooms. See
//! [`Hub::transmit`] and [`Hub::handle_sent`].

use super::conn::{Cursor, State};
use super::*;

impl<
    const CONNS: usize,
    const ROOMS: usize,
    const HISTORY: usize,
    const TEXT: usize,
    const OUT: usize,
    C,
    R,
> Hub<CONNS, ROOMS, HISTORY, TEXT, OUT, C, R>
where
    C: Slots<Conn<OUT>>,
    R: Slots<Option<Room<CONNS, HISTORY, TEXT>>>,
{
    /// The driver wrote the first `n` bytes of what
    /// [`transmit`](Self::transmit) just put in its buffer (0 if the socket
    /// took nothing). Call it before the next `transmit` for `conn`.
    pub fn handle_sent(&mut self, now: Instant, conn: ConnId, n: usize) {
        self.now = self.now.max(now);
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
        let plan = self.plan.take().filter(|p| p.conn == conn);
        if let Some(plan) = plan.filter(|p| p.len == n) {
            // All of it was written: the cursors are where the copy left them.
            let c = &mut self.conns[conn.index()];
            plan.cursors.store(&mut c.joined);
            c.next_room = plan.next_room;
        } else if budget > 0 {
            // Walk the room events `transmit` copied, in the same order,
            // as far as the socket took them, and move the cursors there.
            // A frame cut short goes on in the queue (empty now), where its
            // remainder stays even if the history moves on.
            let Conn {
                joined,
                out,
                session,
                next_room,
                ..
            } = &mut self.conns[conn.index()];
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
            return;
        }
        // Room in the queue may unblock input that was waiting for it.
        if c.input_len > 0 {
            self.process_input(now, conn);
        }
    }

    /// Copy into `buf` what `conn` should be sent now: its queued replies,
    /// then events straight from its rooms' histories, as many whole frames
    /// as fit. Returns how many bytes; 0 when it is all caught up. Write
    /// them, then say how many were written with
    /// [`handle_sent`](Self::handle_sent). `buf` must hold at least
    /// [`MAX_FRAME_LEN`] bytes (a smaller one can make this return 0 with
    /// a frame pending); 16 KiB or more makes few system calls. A driver
    /// with vectored writes can skip the copy with
    /// [`transmit_pieces`](Self::transmit_pieces).
    pub fn transmit(&mut self, conn: ConnId, buf: &mut [u8]) -> usize {
        let mut pieces: [&[u8]; 16] = [&[]; 16];
        let n = self.transmit_pieces(conn, buf.len(), &mut pieces);
        let mut at = 0;
        for piece in &pieces[..n] {
            buf[at..at + piece.len()].copy_from_slice(piece);
            at += piece.len();
        }
        at
    }

    /// What `conn` should be sent now, in place: its queued replies, then
    /// runs of events straight from its rooms' history rings, as many whole
    /// frames as fit in `budget` bytes and in `pieces` (a run takes one
    /// piece, or two where a ring wraps). Returns how many pieces it
    /// filled; 0 when `conn` is all caught up. Write them in order (one
    /// vectored write), then say how many bytes were written with
    /// [`handle_sent`](Self::handle_sent). `budget` must be at least
    /// [`MAX_FRAME_LEN`] and `pieces` hold at least 3, or this can return 0
    /// with a frame pending.
    pub fn transmit_pieces<'a>(
        &'a mut self,
        conn: ConnId,
        budget: usize,
        pieces: &mut [&'a [u8]],
    ) -> usize {
        self.plan = None;
        if pieces.is_empty() {
            return 0;
        }
        self.prepare(conn);
        let now = self.now;
        let Hub {
            conns, rooms, plan, ..
        } = self;
        let rooms: &'a R = rooms;
        let conns: &'a mut [Conn<OUT>] = conns;
        let Some(c) = conns.get_mut(conn.index()) else {
            return 0;
        };
        let queued = c.out.pending().len();
        let mut total = queued.min(budget);
        let mut n = usize::from(total > 0);
        if total == queued && c.state == State::Ready {
            let mut cursors = Cursors::of(&c.joined);
            let walk = walk_events(
                rooms,
                c.session,
                &mut cursors,
                c.next_room,
                budget - total,
                |a, b| {
                    let need = usize::from(!a.is_empty()) + usize::from(!b.is_empty());
                    if n + need > pieces.len() {
                        return false;
                    }
                    for piece in [a, b] {
                        if !piece.is_empty() {
                            pieces[n] = piece;
                            n += 1;
                        }
                    }
                    true
                },
            );
            if walk.taken > 0 {
                total += walk.taken;
                *plan = Some(Plan {
                    conn,
                    len: total,
                    cursors,
                    next_room: walk.next_room,
                });
            }
        }
        if total == 0 {
            // Caught up: the stall timer starts again from here.
            c.last_sent = now;
            return 0;
        }
        let c: &'a Conn<OUT> = c;
        if queued > 0 {
            pieces[0] = &c.out.pending()[..queued.min(budget)];
        }
        n
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
                    let (buf, len, next) = self.names_frame(room, from);
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

    /// Encode the `Names` frame listing `room`'s members from index `from`;
    /// returns it with the index to continue from, if any.
    pub(super) fn names_frame(
        &self,
        room: &Room<CONNS, HISTORY, TEXT>,
        from: usize,
    ) -> ([u8; MAX_FRAME_LEN], usize, Option<u16>) {
        let mut names: Vec<&str, MAX_NAMES_PER_FRAME> = Vec::new();
        let mut end = from;
        for &m in room.members.iter().skip(from) {
            if names.is_full() {
                break;
            }
            end += 1;
            if let Some(nick) = self.nick(m) {
                let _ = names.push(nick);
            }
        }
        let more = end < room.members.len();
        let flags = if more { FLAG_MORE } else { 0 };
        let frame = Frame::Names {
            room: &room.name,
            flags,
            nicks: NickList::Slice(&names),
        };
        let mut buf = [0u8; MAX_FRAME_LEN];
        // 32 names of at most 24 bytes always fit in a frame.
        let len = frame.encode(&mut buf).unwrap_or(0);
        (buf, len, more.then_some(end as u16))
    }
}

/// Where a member's cursors will be once all that `transmit` copied for it
/// is written.
pub(super) struct Plan {
    conn: ConnId,
    len: usize,
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
pub(super) struct Walk<'r, const CONNS: usize, const HISTORY: usize, const TEXT: usize> {
    /// The room to start from next time.
    pub next_room: usize,
    /// Bytes taken.
    pub taken: usize,
    /// The room (and its place in the cursors) whose next frame did not
    /// fit the budget, if that is what stopped the walk.
    pub stopped_at: Option<(&'r Room<CONNS, HISTORY, TEXT>, usize)>,
}

/// Walk a member's unsent room events in delivery order: up to
/// `EVENTS_PER_TURN` from each room in turn (no limit for a member of one
/// room), starting with room `start`, passing over its own messages, while
/// they fit in `budget` bytes. `take`
/// gets each run of consecutive frames, in one or two pieces as the ring
/// holds them, and says whether it took it (the walk stops at the first it
/// did not). Cursors move past what was taken. `transmit` and
/// `handle_sent` make the same walk (the second with the budget the socket
/// took), so the second moves the real cursors by what the first copied
/// and the socket took.
pub(super) fn walk_events<'r, const CONNS: usize, const HISTORY: usize, const TEXT: usize>(
    rooms: &'r [Option<Room<CONNS, HISTORY, TEXT>>],
    session: u32,
    cursors: &mut Cursors,
    start: usize,
    mut budget: usize,
    mut take: impl FnMut(&'r [u8], &'r [u8]) -> bool,
) -> Walk<'r, CONNS, HISTORY, TEXT> {
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

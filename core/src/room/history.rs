//! A room: its members and its history ring.
//!
//! Every room event (message, join, leave, nick change, topic) is stored once
//! in the ring with the room's next id. Members do not get copies: each holds
//! a cursor (the next id it should see) and the hub copies events from the
//! ring into a member's output queue only when that queue has room. The same
//! ring serves history on join, resume after a reconnect and slow readers:
//! whoever's cursor fell off the back of the ring gets a `Gap` notice.

use heapless::{Deque, String, Vec};

use super::ConnId;
use crate::wire::{FLAG_ACTION, Frame, MAX_NICK, MAX_ROOM};

/// What happened, with the strings it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Message,
    Action,
    Joined,
    Parted,
    NickChanged,
    Topic,
}

/// One event in a room's history.
pub(crate) struct Entry<const TEXT: usize> {
    pub id: u64,
    pub time: u64,
    pub kind: EventKind,
    /// The session it came from (not the slot, which is reused): that
    /// session does not get its own messages back.
    pub sender: u32,
    pub skip_sender: bool,
    /// The author, the joiner, the leaver, the old nick or the topic setter.
    pub nick: String<MAX_NICK>,
    /// The new nick of a nick change.
    pub new_nick: String<MAX_NICK>,
    /// Message text, leave reason or topic.
    pub text: String<TEXT>,
}

impl<const TEXT: usize> Entry<TEXT> {
    /// The frame that carries this event to a member.
    pub(crate) fn frame<'a>(&'a self, room: &'a str) -> Frame<'a> {
        let (id, time, nick, text) = (self.id, self.time, self.nick.as_str(), self.text.as_str());
        match self.kind {
            EventKind::Message | EventKind::Action => Frame::Message {
                room,
                id,
                time,
                from: nick,
                flags: if self.kind == EventKind::Action {
                    FLAG_ACTION
                } else {
                    0
                },
                text,
            },
            EventKind::Joined => Frame::Joined {
                room,
                id,
                time,
                nick,
            },
            EventKind::Parted => Frame::Parted {
                room,
                id,
                time,
                nick,
                reason: text,
            },
            EventKind::NickChanged => Frame::NickChanged {
                room,
                id,
                time,
                old: nick,
                new: &self.new_nick,
            },
            EventKind::Topic => Frame::TopicChanged {
                room,
                id,
                time,
                by: nick,
                topic: text,
            },
        }
    }
}

/// A room of up to `CONNS` members with a history of up to `HISTORY` events.
/// Opaque; named only to size a hub's storage (see [`Slots`](super::Slots)).
pub struct Room<const CONNS: usize, const HISTORY: usize, const TEXT: usize> {
    pub(crate) name: String<MAX_ROOM>,
    pub(crate) topic: String<TEXT>,
    /// Named at start-up: never freed, even when empty.
    pub(crate) fixed: bool,
    pub(crate) members: Vec<ConnId, CONNS>,
    history: Deque<Entry<TEXT>, HISTORY>,
    /// Tells this room apart from an earlier room of the same name (before
    /// a restart, or before it emptied and was freed), whose ids meant
    /// other events.
    pub(crate) epoch: u32,
    /// The id of the oldest event still in the history.
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
            history: Deque::new(),
            epoch,
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

    /// The event with this id, if still in the history.
    pub(crate) fn get(&self, id: u64) -> Option<&Entry<TEXT>> {
        let index = id.checked_sub(self.first_id)?;
        self.history.get(usize::try_from(index).ok()?)
    }

    /// Append an event, dropping the oldest beyond `depth` events, and
    /// return its id.
    pub(crate) fn push(&mut self, depth: usize, mut entry: Entry<TEXT>) -> u64 {
        let id = self.next_id;
        entry.id = id;
        self.next_id += 1;
        while !self.history.is_empty() && (self.history.is_full() || self.history.len() >= depth) {
            self.history.pop_front();
            self.first_id += 1;
        }
        if depth == 0 || self.history.push_back(entry).is_err() {
            // No history kept: the event is still numbered, and members whose
            // cursor is on it will be told they missed it.
            self.first_id = self.next_id;
        }
        id
    }

    /// Where a member's cursor starts on joining: `since` is the last id
    /// the member saw (0 for none) in the room of that `epoch`. Returns the first id to deliver and how
    /// many events it missed that the history no longer holds.
    pub(crate) fn start_for(&self, epoch: u32, since: u64) -> (u64, u64) {
        if since == 0 || epoch != self.epoch || since >= self.next_id {
            // A fresh join, or ids of another incarnation of the room:
            // replay what is kept. (The client sees the new epoch.)
            return (self.first_id, 0);
        }
        let wanted = since + 1;
        if wanted >= self.first_id {
            (wanted, 0)
        } else {
            (self.first_id, self.first_id - wanted)
        }
    }

    pub(crate) fn remove_member(&mut self, conn: ConnId) {
        self.members.retain(|&m| m != conn);
    }
}

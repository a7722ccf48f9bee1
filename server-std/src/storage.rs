//! The server's hub storage: every buffer on the heap, sized from the
//! command-line options at start-up, and taken only as connections and
//! rooms arrive.

use std::collections::VecDeque;

use natter_core::room::{Conn, ConnId, Fifo, Hub, Limits, Room, Slots, Storage};
use natter_core::wire::MAX_TEXT;

/// The hub as the desktop server keeps it.
pub type HeapHub = Hub<HeapStorage>;

/// Where the server's hub keeps its memory: how many connections and rooms,
/// and how many bytes of history per room and of output queue per
/// connection. Nothing is allocated up front but address space: a
/// connection's slot and queue when it first arrives, a room's history when
/// the room is created.
#[derive(Debug, Clone, Copy)]
pub struct HeapStorage {
    /// Most connections at once (1 to 65,535).
    pub conns: usize,
    /// Most rooms at once (1 to 255).
    pub rooms: usize,
    /// Bytes of history per room.
    pub history: usize,
    /// Bytes of output queue per connection.
    pub out: usize,
}

impl Storage for HeapStorage {
    type Out = Box<[u8]>;
    type History = Box<[u8]>;
    type Members = HeapSlots<ConnId>;
    type Conns = HeapSlots<Conn<Box<[u8]>>>;
    type Rooms = HeapSlots<Option<Room<HeapStorage>>>;
    type Queue = HeapQueue<ConnId>;

    fn limits(&self) -> Limits {
        Limits {
            conns: self.conns,
            rooms: self.rooms,
            text: MAX_TEXT,
            history: self.history,
            out: self.out,
        }
    }

    fn out(&self) -> Box<[u8]> {
        // Zeroed pages come straight from the allocator: a queue's memory
        // is touched as it fills, not when it is made.
        vec![0; self.out].into_boxed_slice()
    }

    fn history(&self) -> Box<[u8]> {
        vec![0; self.history].into_boxed_slice()
    }

    fn members(&self) -> HeapSlots<ConnId> {
        // Grows with the room: most rooms are a class, not the school.
        HeapSlots::growing(self.conns)
    }

    fn conns(&self) -> Self::Conns {
        HeapSlots::reserved(self.conns)
    }

    fn rooms(&self) -> Self::Rooms {
        HeapSlots::reserved(self.rooms)
    }

    fn queue(&self) -> HeapQueue<ConnId> {
        HeapQueue::new(self.conns)
    }
}

/// A heap vector with a limit.
pub struct HeapSlots<T> {
    slots: Vec<T>,
    limit: usize,
}

impl<T> HeapSlots<T> {
    /// Empty, holding at most `limit` items, with room reserved for all of
    /// them. The reservation is address space only: memory follows the
    /// items there have been rather than the most there could be, and a
    /// class arriving at once never waits for the vector to be moved.
    pub fn reserved(limit: usize) -> Self {
        HeapSlots {
            slots: Vec::with_capacity(limit),
            limit,
        }
    }

    /// Empty, holding at most `limit` items, growing as they come.
    pub fn growing(limit: usize) -> Self {
        HeapSlots {
            slots: Vec::new(),
            limit,
        }
    }
}

impl<T> std::ops::Deref for HeapSlots<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.slots
    }
}

impl<T> std::ops::DerefMut for HeapSlots<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.slots
    }
}

impl<T> Slots<T> for HeapSlots<T> {
    fn push(&mut self, item: T) -> Result<(), T> {
        if self.slots.len() >= self.limit {
            return Err(item);
        }
        self.slots.push(item);
        Ok(())
    }

    fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.slots.retain(keep);
    }
}

/// A heap queue with a limit.
pub struct HeapQueue<T> {
    items: VecDeque<T>,
    limit: usize,
}

impl<T> HeapQueue<T> {
    /// Empty, holding at most `limit` items, with room reserved for all.
    pub fn new(limit: usize) -> Self {
        HeapQueue {
            items: VecDeque::with_capacity(limit),
            limit,
        }
    }
}

impl<T> Fifo<T> for HeapQueue<T> {
    fn push_back(&mut self, item: T) -> Result<(), T> {
        if self.items.len() >= self.limit {
            return Err(item);
        }
        self.items.push_back(item);
        Ok(())
    }

    fn pop_front(&mut self) -> Option<T> {
        self.items.pop_front()
    }

    fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_refuse_past_the_limit() {
        let mut s = HeapSlots::reserved(2);
        assert_eq!(Slots::push(&mut s, 1), Ok(()));
        assert_eq!(Slots::push(&mut s, 2), Ok(()));
        assert_eq!(Slots::push(&mut s, 3), Err(3));
        assert_eq!(&*s, &[1, 2]);
        let mut g = HeapSlots::growing(1);
        assert_eq!(Slots::push(&mut g, 1), Ok(()));
        assert_eq!(Slots::push(&mut g, 2), Err(2));
    }

    #[test]
    fn queue_refuses_past_the_limit_and_keeps_order() {
        let mut q = HeapQueue::new(2);
        assert_eq!(q.push_back(1), Ok(()));
        assert_eq!(q.push_back(2), Ok(()));
        assert_eq!(q.push_back(3), Err(3));
        q.retain(|&x| x != 1);
        assert_eq!(q.push_back(4), Ok(()));
        assert_eq!(q.pop_front(), Some(2));
        assert_eq!(q.pop_front(), Some(4));
        assert_eq!(q.pop_front(), None);
    }

    #[test]
    fn buffers_have_the_sizes_asked_for() {
        let storage = HeapStorage {
            conns: 3,
            rooms: 2,
            history: 4096,
            out: 3000,
        };
        assert_eq!(storage.out().len(), 3000);
        assert_eq!(storage.history().len(), 4096);
        assert_eq!(storage.limits().conns, 3);
    }
}

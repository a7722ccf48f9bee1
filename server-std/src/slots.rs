//! Heap storage for the hub's slots.

use natter_core::room::Slots;

/// Hub slots in a heap vector reserved for the most there can be and filled
/// as slots are first used. The reservation is address space only: the
/// server's memory follows the connections it has had rather than the most
/// it could have, and a class arriving at once never waits for the vector
/// to be moved. (A hub with inline slots is one value of about 12 MB, which
/// Rust would build on the stack and copy, touching every page.)
pub struct HeapSlots<T> {
    slots: Vec<T>,
    limit: usize,
}

impl<T> HeapSlots<T> {
    /// Empty, holding at most `limit` slots.
    pub fn new(limit: usize) -> Self {
        HeapSlots {
            slots: Vec::with_capacity(limit),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit() {
        let mut s = HeapSlots::new(2);
        assert_eq!(Slots::push(&mut s, 1), Ok(()));
        assert_eq!(Slots::push(&mut s, 2), Ok(()));
        assert_eq!(Slots::push(&mut s, 3), Err(3));
        assert_eq!(&*s, &[1, 2]);
    }
}

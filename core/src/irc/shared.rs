//! [`SharedLines`]: the IRC lines of recent live room messages, rendered
//! once for every IRC member. A bridge writes a live room `Message` the
//! same for all its IRC members (see [`Bridge::shows_live`]), so each
//! member after the first gets a copy instead of decoding the frame and
//! writing the lines again. An entry is found by the frame's exact bytes
//! (the hub's history ring hands every member the same ones), so a hit is
//! never another event's lines.
//!
//! The slots are the driver's: anything that derefs to `[Slot<B>]` (a
//! `heapless::Vec`, a `&mut` slice, a boxed slice), each slot's bytes in any
//! [`SlotBytes`] (`heapless::Vec<u8, N>`, or a growable buffer on std).
//! How many slots is a trade the driver makes: a room event stays
//! findable while fewer than that many newer ones arrived in all rooms.

use core::ops::DerefMut;

use heapless::String;

/// A slot's bytes did not fit ([`SlotBytes::try_extend`]).
pub use heapless::CapacityError;

use super::bridge::{Bridge, Lines};
use crate::wire::{Frame, MAX_ROOM, Status, decode};

/// A slot's buffer: the event's frame, then its lines.
pub trait SlotBytes: Default {
    /// The bytes held.
    fn as_slice(&self) -> &[u8];
    /// Hold nothing.
    fn clear(&mut self);
    /// Append `bytes`.
    ///
    /// # Errors
    /// They do not fit (the slot is then left empty).
    fn try_extend(&mut self, bytes: &[u8]) -> Result<(), CapacityError>;
}

impl<const N: usize> SlotBytes for heapless::Vec<u8, N> {
    fn as_slice(&self) -> &[u8] {
        self
    }

    fn clear(&mut self) {
        heapless::Vec::clear(self);
    }

    fn try_extend(&mut self, bytes: &[u8]) -> Result<(), CapacityError> {
        self.extend_from_slice(bytes)
    }
}

/// One rendered event, in one buffer that later events in the same slot
/// reuse.
#[derive(Default)]
pub struct Slot<B> {
    id: u64,
    time: u64,
    room: String<MAX_ROOM>,
    frame_len: usize,
    /// The event's frame, as the hub sends it, then its lines.
    bytes: B,
}

impl<B: SlotBytes> Slot<B> {
    fn frame(&self) -> &[u8] {
        self.bytes.as_slice().get(..self.frame_len).unwrap_or(&[])
    }

    fn lines(&self) -> &[u8] {
        self.bytes.as_slice().get(self.frame_len..).unwrap_or(&[])
    }

    /// Hold `frame`, the lines to come after it.
    fn begin(&mut self, frame: &[u8], room: &str, id: u64, time: u64) -> Result<(), CapacityError> {
        self.empty();
        self.room.push_str(room)?;
        self.bytes.try_extend(frame)?;
        self.id = id;
        self.time = time;
        self.frame_len = frame.len();
        Ok(())
    }

    /// Match no frame.
    fn empty(&mut self) {
        self.room.clear();
        self.bytes.clear();
        self.frame_len = 0;
    }
}

/// How [`SharedLines::render`] made a frame's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendered {
    /// Copied from a slot another member's bridge filled.
    Copied,
    /// Written by this member's bridge.
    Written,
}

/// Recent live room messages as IRC lines, shared by every IRC member, in
/// the slots `S`.
pub struct SharedLines<S> {
    slots: S,
}

impl<B: SlotBytes, S: DerefMut<Target = [Slot<B>]>> SharedLines<S> {
    /// A cache in `slots` (with none, every frame is written by its
    /// member's bridge).
    pub const fn new(slots: S) -> Self {
        SharedLines { slots }
    }

    /// How many slots it has.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// It has no slots.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// One whole frame of the hub's output for `bridge`'s connection, as
    /// IRC lines into `out`: copied when a slot holds this very frame and
    /// `bridge` shows it live, else written by `bridge`, and kept when it
    /// is a live room message. `None` when `frame` is not one whole frame
    /// (nothing is written: the hub's output was not what `Hub::transmit`
    /// lends).
    pub fn render(
        &mut self,
        bridge: &mut Bridge,
        frame: &[u8],
        out: &mut impl Lines,
    ) -> Option<Rendered> {
        let slots = &mut *self.slots;
        let at = slot_of(frame, slots.len());
        if let Some(slot) = at.and_then(|i| slots.get(i)) {
            if slot.frame() == frame && bridge.shows_live(&slot.room, slot.id) {
                // A live message ends any batch of replayed history.
                bridge.close_batch(out);
                bridge.copy_live(out, slot.lines(), &slot.room, slot.id, slot.time);
                return Some(Rendered::Copied);
            }
        }
        let Ok(Status::Complete((decoded, _))) = decode(frame) else {
            return None;
        };
        let keep = match decoded {
            // The lines of a live message are the same for every member
            // who shows it live (each adds its own tags), and writing them
            // changes no bridge.
            Frame::Message { room, id, time, .. } if bridge.shows_live(room, id) => {
                Some((room, id, time))
            }
            _ => None,
        };
        if let (Some((room, id, time)), Some(slot)) = (keep, at.and_then(|i| slots.get_mut(i))) {
            let mut kept = slot.begin(frame, room, id, time).is_ok();
            bridge.live_lines(&decoded, &mut |line: &[u8]| {
                kept = kept && slot.bytes.try_extend(line).is_ok();
            });
            if kept {
                bridge.close_batch(out);
                bridge.copy_live(out, slot.lines(), room, id, time);
                return Some(Rendered::Written);
            }
            slot.empty();
        }
        bridge.handle_frame(&decoded, out);
        Some(Rendered::Written)
    }
}

/// The slot of a room event's frame, by its id (after the length, the
/// kind and the room name; other frames read some other number), among
/// `slots`.
fn slot_of(frame: &[u8], slots: usize) -> Option<usize> {
    let id = frame
        .get(3)
        .and_then(|&room_len| frame.get(4 + usize::from(room_len)..12 + usize::from(room_len)))
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_be_bytes);
    let slots = u64::try_from(slots).ok().filter(|&n| n > 0)?;
    usize::try_from(id % slots).ok()
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    use super::*;
    use crate::wire::VERSION;

    type Slots<const BYTES: usize, const N: usize> =
        heapless::Vec<Slot<heapless::Vec<u8, BYTES>>, N>;
    type Cache = SharedLines<Slots<1024, 4>>;

    fn slots<const BYTES: usize, const N: usize>() -> Slots<BYTES, N> {
        (0..N).map(|_| Slot::default()).collect()
    }

    fn bridge(nick: &str) -> Bridge {
        let mut b = Bridge::new("srv");
        let mut ignore = |_: &[u8]| {};
        b.handle_frame(
            &Frame::Welcome {
                version: VERSION,
                nick,
                lobby: "lobby",
                max_text: 512,
            },
            &mut ignore,
        );
        b.handle_frame(
            &Frame::Entered {
                room: "lobby",
                topic: "",
                epoch: 1,
                next_id: 10,
                members: 2,
            },
            &mut ignore,
        );
        b
    }

    fn message(id: u64, text: &str) -> Vec<u8> {
        let frame = Frame::Message {
            room: "lobby",
            id,
            time: 0,
            from: "cat",
            flags: 0,
            text,
        };
        let mut buf = [0u8; crate::wire::MAX_FRAME_LEN];
        let n = frame.encode(&mut buf).unwrap_or(0);
        buf[..n].to_vec()
    }

    fn render(cache: &mut Cache, b: &mut Bridge, frame: &[u8]) -> (Option<Rendered>, String) {
        let mut lines = String::new();
        let how = cache.render(b, frame, &mut |l: &[u8]| {
            lines.push_str(&String::from_utf8_lossy(l))
        });
        (how, lines)
    }

    #[test]
    fn a_live_message_is_written_once_and_copied_for_the_next_members() {
        let mut cache = Cache::new(slots());
        let (mut ann, mut bob) = (bridge("ann"), bridge("bob"));
        let hi = message(12, "hi");
        let want = ":cat!cat@natter PRIVMSG #lobby :hi\r\n";
        assert_eq!(
            render(&mut cache, &mut ann, &hi),
            (Some(Rendered::Written), want.into())
        );
        assert_eq!(
            render(&mut cache, &mut bob, &hi),
            (Some(Rendered::Copied), want.into())
        );
        // Another event in the same slot (16 = 12 + 4) takes it over.
        let other = message(16, "other");
        assert_eq!(
            render(&mut cache, &mut bob, &other).0,
            Some(Rendered::Written)
        );
        assert_eq!(render(&mut cache, &mut ann, &hi).0, Some(Rendered::Written));
        // History (before id 10) is each member's own, never shared.
        let old = message(8, "old");
        assert_eq!(
            render(&mut cache, &mut ann, &old).0,
            Some(Rendered::Written)
        );
        let (how, lines) = render(&mut cache, &mut bob, &old);
        assert_eq!(how, Some(Rendered::Written));
        assert!(lines.starts_with(":srv NOTICE #lobby :["), "{lines}");
        // Not a frame.
        assert_eq!(
            render(&mut cache, &mut ann, &hi[..3]),
            (None, String::new())
        );
    }

    #[test]
    fn lines_that_do_not_fit_a_slot_are_written_each_time() {
        let mut cache = SharedLines::new(slots::<64, 1>());
        let (mut ann, mut bob) = (bridge("ann"), bridge("bob"));
        let long = message(12, "a text too long for the slot to hold beside its frame");
        let mut lines = String::new();
        let mut out = |l: &[u8]| lines.push_str(&String::from_utf8_lossy(l));
        assert_eq!(
            cache.render(&mut ann, &long, &mut out),
            Some(Rendered::Written)
        );
        assert_eq!(
            cache.render(&mut bob, &long, &mut out),
            Some(Rendered::Written)
        );
        let mut none = SharedLines::new(slots::<64, 0>());
        assert_eq!(
            none.render(&mut ann, &long, &mut out),
            Some(Rendered::Written)
        );
        assert_eq!(lines.matches("PRIVMSG").count(), 3);
    }
}

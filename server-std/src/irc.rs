//! IRC clients on natter's port: the I/O around
//! [`natter_core::irc::bridge::Bridge`]. A connection whose first byte is
//! not natter's (`natter_core::wire::sniff`) gets an [`IrcConn`]: its lines
//! become natter frames fed to the hub like any client's bytes, and the
//! hub's frames for it become IRC lines. All the chat logic stays in the
//! core; this is buffers.
//!
//! Memory is bounded per connection: the line being read (at most
//! [`MAX_LINE`] plus tags), the natter bytes the hub has not taken yet
//! (one line's worth: reading stops until it takes them, as for natter
//! clients), and IRC output, which is taken from the hub only while less
//! than [`OUT_LOW`] bytes wait for the socket.

use natter_core::irc::bridge::{Bridge, Directory};
use natter_core::irc::{Line, MAX_LINE, MAX_TAGS, next_line};
use natter_core::wire::{Frame, MAX_FRAME_LEN, MAX_ROOM, Status, decode, frame_len};

/// IRC output waiting for the socket below which more is taken from the
/// hub. The hub's frames are taken 8 KiB at a time, and a chat message's
/// frame becomes an IRC line of about its size (a short event's a few
/// times its size), so the buffer stays within a few times this.
pub const OUT_LOW: usize = 8 * 1024;

/// One IRC client's state and buffers.
pub struct IrcConn {
    bridge: Bridge,
    /// Bytes read and not yet a whole line.
    input: Vec<u8>,
    /// Dropping the rest of an overlong line, up to its line feed.
    dropping: bool,
    /// Bytes at the start of `input` already known to hold no line feed:
    /// a line arriving a byte at a time is scanned once, not once per
    /// byte (which let one client cost the server 4 KB of scanning per
    /// byte it sent).
    scanned: usize,
    /// Natter frames made from its lines that the hub has not taken yet.
    pub pending: Vec<u8>,
    /// IRC lines waiting for the socket.
    pub out: Vec<u8>,
}

impl IrcConn {
    /// A connection to a server going by `server_name`.
    pub fn new(server_name: &str) -> IrcConn {
        // The zone as it is when the client connects: a class does not
        // outlast a change to summer time.
        let utc_offset = chrono::Local::now().offset().local_minus_utc() / 60;
        IrcConn {
            bridge: Bridge::new(server_name).with_utc_offset(utc_offset),
            input: Vec::with_capacity(MAX_LINE),
            dropping: false,
            scanned: 0,
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Take bytes read from the socket: whole lines become natter frames
    /// in `pending` (and answers in `out`), while `pending` is empty. The
    /// rest waits in the line buffer, which never outgrows one line.
    pub fn received(&mut self, data: &[u8], dir: &impl Directory) {
        self.input.extend_from_slice(data);
        self.lines(dir);
    }

    /// Turn the whole lines waiting into frames, until the hub has to
    /// take what they made, the answers waiting for the socket fill the
    /// output, or the hello awaits the hub's answer.
    pub fn lines(&mut self, dir: &impl Directory) {
        let mut at = 0;
        // How much of what is left, once handled lines are gone, is known
        // to hold no line feed.
        let mut scanned = 0;
        while self.pending.is_empty() && !self.held() {
            let rest = &self.input[at..];
            if self.dropping {
                match rest.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        at += lf + 1;
                        self.dropping = false;
                        continue;
                    }
                    None => {
                        at = self.input.len();
                        break;
                    }
                }
            }
            if at == 0
                && !self
                    .input
                    .get(self.scanned..)
                    .unwrap_or(&[])
                    .contains(&b'\n')
            {
                // Still no line feed: the line is not whole yet, unless it
                // is already too long for any line (tags included), which
                // `next_line` reports.
                let limit = if rest.first() == Some(&b'@') {
                    MAX_LINE + MAX_TAGS
                } else {
                    MAX_LINE
                };
                if rest.len() < limit {
                    scanned = rest.len();
                    break;
                }
            }
            match next_line(rest) {
                Line::Complete(line, used) => {
                    let (pending, out) = (&mut self.pending, &mut self.out);
                    self.bridge.handle_line(
                        line,
                        dir,
                        &mut |frame: &Frame<'_>| {
                            let mut buf = [0u8; MAX_FRAME_LEN];
                            // The bridge makes only valid frames (the
                            // irc_line fuzz target checks it).
                            if let Ok(n) = frame.encode(&mut buf) {
                                pending.extend_from_slice(&buf[..n]);
                            }
                        },
                        &mut |line: &[u8]| out.extend_from_slice(line),
                    );
                    at += used;
                }
                Line::Partial => {
                    scanned = rest.len();
                    break;
                }
                Line::TooLong { skip } => {
                    at += skip;
                    self.dropping = true;
                    self.out.extend_from_slice(
                        format!(
                            ":{} 417 {} :Input line was too long (512 bytes at most)\r\n",
                            self.bridge.server_name(),
                            self.bridge.client_name()
                        )
                        .as_bytes(),
                    );
                }
            }
        }
        self.input.drain(..at);
        self.scanned = scanned;
    }

    /// Turn the hub's frames for this connection (whole frames, as
    /// `Hub::transmit` gives them) into IRC lines. A live room message
    /// another IRC member already had is copied from `shared`.
    pub fn transmitted(&mut self, frames: &[u8], shared: &mut SharedLines) {
        let mut rest = frames;
        while let Ok(Some(len)) = frame_len(rest) {
            let Some(bytes) = rest.get(..len) else {
                break;
            };
            rest = &rest[len..];
            let slot = shared.slot(bytes);
            if slot.frame() == bytes && self.bridge.shows_live(&slot.room, slot.id) {
                self.out.extend_from_slice(slot.lines());
                continue;
            }
            let Ok(Status::Complete((frame, _))) = decode(bytes) else {
                break;
            };
            let start = self.out.len();
            let out = &mut self.out;
            self.bridge
                .handle_frame(&frame, &mut |line: &[u8]| out.extend_from_slice(line));
            if let Frame::Message { room, id, .. } = frame {
                if self.bridge.shows_live(room, id) {
                    slot.store(bytes, room, id, &self.out[start..]);
                }
            }
        }
    }

    /// No more lines are read for now: the hub must answer the hello
    /// first, or the client must read its answers.
    pub fn held(&self) -> bool {
        self.output_full() || self.bridge.awaiting_welcome()
    }

    /// So much waits for the socket that no more lines are read: a client
    /// that sends queries (`WHO`, `PING`) without reading the answers
    /// stops being read, as a natter client does, and the hub's stall
    /// timeout closes it if it never reads again.
    pub fn output_full(&self) -> bool {
        self.out.len() >= OUT_LOW
    }

    /// Room in the output for more of the hub's frames.
    pub fn wants_output(&self) -> bool {
        !self.output_full()
    }
}

/// Entries in [`SharedLines`]: a room event stays findable while fewer
/// than this many newer ones arrived in all rooms. Members of a busy room
/// read it at different points: at 100 IRC clients each with 16 messages
/// in flight, their positions spread over some 1,600 events, and 1,024
/// slots found only half the events (the rest were rendered again).
const SHARED_SLOTS: usize = 2048;

/// The IRC lines of recent live room messages, rendered once for every
/// IRC member: the bridge formats a live message the same for all of them
/// (see `Bridge::shows_live`), so each member after the first gets a copy
/// instead of decoding the frame and formatting the lines again. An entry
/// is found by the frame's exact bytes (the history ring hands every
/// member the same ones), so a hit can never be another event's lines.
pub struct SharedLines {
    slots: Vec<Shared>,
}

/// One rendered event, in one buffer that later events in the same slot
/// reuse.
#[derive(Default)]
pub struct Shared {
    id: u64,
    room: heapless::String<MAX_ROOM>,
    /// The event's frame, as the hub sends it, then its lines.
    bytes: Vec<u8>,
    frame_len: usize,
}

impl Shared {
    fn frame(&self) -> &[u8] {
        &self.bytes[..self.frame_len]
    }

    fn lines(&self) -> &[u8] {
        &self.bytes[self.frame_len..]
    }

    fn store(&mut self, frame: &[u8], room: &str, id: u64, lines: &[u8]) {
        self.room.clear();
        if self.room.push_str(room).is_err() {
            // Room names are at most MAX_ROOM bytes: never here. Keep the
            // slot empty rather than wrong.
            self.frame_len = 0;
            self.bytes.clear();
            return;
        }
        self.id = id;
        self.bytes.clear();
        self.bytes.extend_from_slice(frame);
        self.bytes.extend_from_slice(lines);
        self.frame_len = frame.len();
    }
}

impl SharedLines {
    /// An empty cache. Its slots are made when the first IRC member gets
    /// output, so a server without IRC clients never holds them.
    pub fn new() -> SharedLines {
        SharedLines { slots: Vec::new() }
    }

    /// The slot for the room event in `frame` (by its id, where a room
    /// event has it: after the length, the kind and the room name).
    fn slot(&mut self, frame: &[u8]) -> &mut Shared {
        let id = frame
            .get(3)
            .and_then(|&room_len| frame.get(4 + usize::from(room_len)..12 + usize::from(room_len)))
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_be_bytes);
        if self.slots.is_empty() {
            self.slots.resize_with(SHARED_SLOTS, Shared::default);
        }
        let i = (id % SHARED_SLOTS as u64) as usize;
        &mut self.slots[i]
    }
}

impl Default for SharedLines {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use natter_core::room::{Config, InlineHub};

    type SmallHub = InlineHub<2, 1, 1024, 64, 3072>;

    /// Frames in `pending`, by kind byte.
    fn kinds(pending: &[u8]) -> Vec<u8> {
        let mut rest = pending;
        let mut kinds = Vec::new();
        while let Ok(Status::Complete((frame, used))) = decode(rest) {
            kinds.push(frame.kind());
            rest = &rest[used..];
        }
        kinds
    }

    #[test]
    fn lines_arriving_a_byte_at_a_time_are_read_whole() {
        let hub = SmallHub::new(Config::default());
        let mut irc = IrcConn::new("srv");
        let bytes = b"NICK ann\r\nUSER ann 0 * :Ann\r\n";
        for (i, b) in bytes.iter().enumerate() {
            assert!(irc.pending.is_empty(), "a frame before byte {i}");
            irc.received(std::slice::from_ref(b), &hub);
        }
        assert_eq!(kinds(&irc.pending), [0x01], "one Hello");
        assert!(irc.input.is_empty() && irc.scanned == 0);
    }

    #[test]
    fn an_overlong_line_arriving_a_byte_at_a_time_gets_417_once() {
        let hub = SmallHub::new(Config::default());
        let mut irc = IrcConn::new("srv");
        let mut line = b"PRIVMSG #lobby :".to_vec();
        line.resize(2000, b'x');
        line.extend_from_slice(b"\r\nPING :after\r\n");
        for b in &line {
            irc.received(std::slice::from_ref(b), &hub);
            assert!(
                irc.input.len() <= MAX_LINE,
                "{} bytes held",
                irc.input.len()
            );
        }
        let out = String::from_utf8_lossy(&irc.out);
        assert_eq!(out.matches(" 417 ").count(), 1, "{out}");
        assert!(out.ends_with(":srv PONG srv after\r\n"), "{out}");
    }
}

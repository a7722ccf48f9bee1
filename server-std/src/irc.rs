//! IRC clients on natter's port: the I/O around
//! [`natter_core::irc::bridge::Bridge`]. A connection whose first byte is
//! not natter's (`natter_core::wire::sniff`) gets an [`IrcConn`]: its lines
//! become natter frames fed to the hub like any client's bytes, and the
//! hub's frames for it become IRC lines. All the chat logic, the line
//! framing (`irc::reader`) and the shared rendering of live messages
//! (`irc::shared`) stay in the core; this is buffers.
//!
//! Memory is bounded per connection: the line reader (a fixed 4.5 KiB:
//! the longest line, tags included, `natter_core::irc::MAX_LINE` +
//! `MAX_TAGS`), the natter bytes the hub has not taken yet
//! (one line's worth: reading stops until it takes them, as for natter
//! clients), and IRC output, which is taken from the hub only while less
//! than [`OUT_LOW`] bytes wait for the socket.

use std::io;

use natter_core::irc::bridge::{Bridge, Directory, Lines, Profile};
use natter_core::irc::reader::{LineReader, Read};
use natter_core::irc::shared::{self, CapacityError, Slot, SlotBytes};
use natter_core::wire::{Frame, MAX_FRAME_LEN, frame_len};

/// IRC output waiting for the socket below which more is taken from the
/// hub. The hub's frames are taken 8 KiB at a time, and a chat message's
/// frame becomes an IRC line of about its size (a short event's a few
/// times its size), so the buffer stays within a few times this.
pub const OUT_LOW: usize = 8 * 1024;

/// One IRC client's state and buffers.
pub struct IrcConn {
    bridge: Bridge,
    /// Bytes read and not yet a whole line (the core's line framing: an
    /// overlong line dropped, a partial line scanned once).
    reader: LineReader,
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
            reader: LineReader::new(),
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Read from the socket into the line buffer, at most as much as it
    /// has room for, then turn the whole lines into frames (see
    /// [`IrcConn::lines`]). `Ok(0)` is the end of the stream. Called only
    /// while not [`held`](IrcConn::held): then at most a partial line
    /// waits, and the buffer has room.
    pub fn read(&mut self, stream: &mut impl io::Read, dir: &impl Directory) -> io::Result<usize> {
        let space = self.reader.space();
        debug_assert!(!space.is_empty(), "read while whole lines wait");
        let n = stream.read(space)?;
        self.reader.filled(n);
        self.lines(dir);
        Ok(n)
    }

    /// Turn the whole lines waiting into frames, until the hub has to
    /// take what they made, the answers waiting for the socket fill the
    /// output, or the hello awaits the hub's answer.
    pub fn lines(&mut self, dir: &impl Directory) {
        while self.pending.is_empty() && !self.held() {
            let Some(read) = self.reader.next() else {
                break;
            };
            let (pending, out) = (&mut self.pending, &mut self.out);
            let mut out = |line: &[u8]| out.extend_from_slice(line);
            match read {
                Read::Line(line) => self.bridge.handle_line(
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
                    &mut out,
                ),
                Read::TooLong => self.bridge.handle_too_long(&mut out),
            }
        }
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
            if shared
                .render(&mut self.bridge, bytes, &mut Output(&mut self.out))
                .is_none()
            {
                break;
            }
        }
    }

    /// No more lines are read for now: the hub must answer the hello (or
    /// a message to echo) first, or the client must read its answers.
    pub fn held(&self) -> bool {
        self.output_full() || self.bridge.awaiting_hub()
    }

    /// The hub has nothing more for this connection for now.
    pub fn caught_up(&mut self) {
        self.bridge.handle_caught_up(&mut Output(&mut self.out));
    }

    /// So much waits for the socket that no more lines are read: a client
    /// that sends queries (`WHO`, `PING`) without reading the answers
    /// stops being read, as a natter client does, and the hub's stall
    /// timeout closes it if it never reads again.
    pub fn output_full(&self) -> bool {
        self.out.len() >= OUT_LOW
    }

    /// What the client said about itself (`USER`, `AWAY`).
    pub fn profile(&self) -> Profile<'_> {
        self.bridge.profile()
    }

    /// Changes each time the profile does.
    pub fn profile_version(&self) -> u32 {
        self.bridge.profile_version()
    }

    /// Room in the output for more of the hub's frames.
    pub fn wants_output(&self) -> bool {
        !self.output_full()
    }
}

/// A copy of an IRC client's [`Profile`], kept by the driver for the
/// others' `WHO` and `WHOIS`.
pub struct OwnedProfile {
    user: String,
    realname: String,
    away: Option<String>,
    /// The bridge's `profile_version` it was taken at.
    pub version: u32,
}

impl OwnedProfile {
    /// A copy of `profile`, taken at `version`.
    pub fn new(profile: Profile<'_>, version: u32) -> OwnedProfile {
        OwnedProfile {
            user: profile.user.to_owned(),
            realname: profile.realname.to_owned(),
            away: profile.away.map(str::to_owned),
            version,
        }
    }

    /// The profile, borrowed.
    pub fn borrow(&self) -> Profile<'_> {
        Profile {
            user: &self.user,
            realname: &self.realname,
            away: self.away.as_deref(),
        }
    }
}

/// IRC output as the bridge writes it, and copies of lines in one go.
struct Output<'a>(&'a mut Vec<u8>);

impl Lines for Output<'_> {
    fn line(&mut self, line: &[u8]) {
        self.0.extend_from_slice(line);
    }

    fn lines(&mut self, lines: &[u8]) {
        self.0.extend_from_slice(lines);
    }
}

/// Entries in [`SharedLines`]: a room event stays findable while fewer
/// than this many newer ones arrived in all rooms. Members of a busy room
/// read it at different points: at 100 IRC clients each with 16 messages
/// in flight, their positions spread over some 1,600 events, and 1,024
/// slots found only half the events (the rest were rendered again).
pub const SHARED_SLOTS: usize = 2048;

/// The IRC lines of recent live room messages, rendered once for every
/// IRC member: the core's `irc::shared::SharedLines` in [`SHARED_SLOTS`]
/// slots, each one growable buffer reused in place.
pub struct SharedLines {
    cache: shared::SharedLines<Vec<Slot<SlotBuffer>>>,
}

/// A slot's bytes: as long as its event's frame and lines, and reused by
/// the next event in the slot.
#[derive(Default)]
pub struct SlotBuffer(Vec<u8>);

impl SlotBytes for SlotBuffer {
    fn as_slice(&self) -> &[u8] {
        &self.0
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn try_extend(&mut self, bytes: &[u8]) -> Result<(), CapacityError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

impl SharedLines {
    /// An empty cache. Its slots are made when the first IRC member gets
    /// output, so a server without IRC clients never holds them.
    pub fn new() -> SharedLines {
        SharedLines {
            cache: shared::SharedLines::new(Vec::new()),
        }
    }

    fn render(
        &mut self,
        bridge: &mut Bridge,
        frame: &[u8],
        out: &mut impl Lines,
    ) -> Option<shared::Rendered> {
        if self.cache.is_empty() {
            let slots = (0..SHARED_SLOTS).map(|_| Slot::default()).collect();
            self.cache = shared::SharedLines::new(slots);
        }
        self.cache.render(bridge, frame, out)
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
    use natter_core::irc::MAX_LINE;
    use natter_core::room::{Config, InlineHub};
    use natter_core::wire::{Status, decode};

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
            let n = irc.read(&mut std::slice::from_ref(b), &hub);
            assert_eq!(n.ok(), Some(1));
        }
        assert_eq!(kinds(&irc.pending), [0x01], "one Hello");
        assert!(irc.reader.buffered().is_empty());
    }

    #[test]
    fn an_overlong_line_arriving_a_byte_at_a_time_gets_417_once() {
        let hub = SmallHub::new(Config::default());
        let mut irc = IrcConn::new("srv");
        let mut line = b"PRIVMSG #lobby :".to_vec();
        line.resize(2000, b'x');
        line.extend_from_slice(b"\r\nPING :after\r\n");
        for b in &line {
            let n = irc.read(&mut std::slice::from_ref(b), &hub);
            assert_eq!(n.ok(), Some(1));
            assert!(
                irc.reader.buffered().len() <= MAX_LINE,
                "{} bytes held",
                irc.reader.buffered().len()
            );
        }
        let out = String::from_utf8_lossy(&irc.out);
        assert_eq!(out.matches(" 417 ").count(), 1, "{out}");
        assert!(out.ends_with(":srv PONG srv after\r\n"), "{out}");
    }
}

//! The wire protocol: frames, their encoding and an incremental decoder.
//!
//! Every frame is a 2-byte big-endian length `L` followed by `L` bytes: one
//! kind byte and the kind's fields. `docs/PROTOCOL.md` is the reference; this
//! module is its implementation, and the two are kept in step by a test that
//! decodes and re-encodes every example in the document.
//!
//! * [`decode`] looks at a buffer and returns [`Status::Complete`] with a
//!   frame that borrows from the buffer and the bytes it used, or
//!   [`Status::Partial`] with how many more bytes it needs at least. It never
//!   panics and never copies.
//! * [`Frame::encode`] writes into a caller's `&mut [u8]` and leaves it
//!   untouched on error; [`Frame::encoded_len`] says how much room it needs.

mod codec;
mod names;

pub use codec::{Status, decode, frame_len};

/// Which protocol a connection speaks, told from its first byte (see
/// [`sniff`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Protocol {
    /// natter's framing: the first byte is the high byte of a length of
    /// at most 1022, so 0x00 to 0x03.
    Natter,
    /// Anything else: IRC lines start with a printable character (a
    /// command's letter, `@` for tags or `:` for a prefix).
    Irc,
}

/// Tell natter from IRC by the first byte a client sends, so both can share
/// one port: `None` until a byte has arrived. No IRC line starts with a
/// byte below 0x04, and no natter frame starts with anything else.
///
/// ```
/// use natter_core::wire::{Protocol, sniff};
/// assert_eq!(sniff(&[0x00, 0x0c, 0x01]), Some(Protocol::Natter));
/// assert_eq!(sniff(b"CAP LS 302\r\n"), Some(Protocol::Irc));
/// assert_eq!(sniff(b""), None);
/// ```
pub fn sniff(first: &[u8]) -> Option<Protocol> {
    let &byte = first.first()?;
    Some(if usize::from(byte) <= (MAX_FRAME_LEN - HEADER_LEN) >> 8 {
        Protocol::Natter
    } else {
        Protocol::Irc
    })
}
pub use names::{
    LETTERS, MAX_NICK, MAX_ROOM, NICK_RULES, ROOM_RULES, is_valid_nick, is_valid_room,
    nick_problem, room_problem, same_name,
};

use crate::error::ErrorCode;

/// The protocol version this build speaks (sent in `Hello` and `Welcome`).
pub const VERSION: u8 = 1;
/// Largest frame on the wire, length prefix included.
pub const MAX_FRAME_LEN: usize = 1024;
/// Longest message or topic text, in bytes of UTF-8.
pub const MAX_TEXT: usize = 512;
/// Longest password, reason or error subject, in bytes of UTF-8.
pub const MAX_SHORT: usize = 255;
/// Most nicknames in one `Names` frame.
pub const MAX_NAMES_PER_FRAME: usize = 32;
/// Size of the length prefix.
pub const HEADER_LEN: usize = 2;

/// Bit 0 of a message's flags: the text is an action (`/me waves`).
pub const FLAG_ACTION: u8 = 0x01;
/// Bit 0 of a `Names` frame's flags: more `Names` frames follow for this room.
pub const FLAG_MORE: u8 = 0x01;

/// One frame of the natter protocol. Strings borrow from the decoded buffer.
///
/// Client-to-server kinds are `0x01..=0x0a` (ping and pong go both ways),
/// server-to-client kinds are `0x41..`. Room events (`Message`, `Joined`,
/// `Parted`, `NickChanged`, `TopicChanged`) carry the room's event id, which
/// increases by one for each event in that room, and the server's time in
/// milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
#[allow(missing_docs)] // each variant's doc describes its fields, in wire order
pub enum Frame<'a> {
    /// `0x01` First frame of a connection: protocol version, nickname and
    /// password (empty when the server has none).
    Hello {
        version: u8,
        nick: &'a str,
        password: &'a str,
    },
    /// `0x02` Join `room`, creating it if allowed. To resume after a
    /// reconnect, `epoch` and `since` are the room's epoch (from `Entered`)
    /// and the last event id seen; a fresh join sends 0 and 0 and gets the
    /// history replayed.
    Join {
        room: &'a str,
        epoch: u32,
        since: u64,
    },
    /// `0x03` Leave `room`, telling the others why.
    Part { room: &'a str, reason: &'a str },
    /// `0x04` Say `text` in `room`; `tag` comes back in the `Ack` or `Error`.
    Say {
        tag: u32,
        room: &'a str,
        flags: u8,
        text: &'a str,
    },
    /// `0x05` Send `text` privately to the member called `to`.
    Whisper {
        tag: u32,
        to: &'a str,
        flags: u8,
        text: &'a str,
    },
    /// `0x06` Change nickname.
    SetNick { nick: &'a str },
    /// `0x07` Set the topic of `room` (empty clears it).
    SetTopic { room: &'a str, topic: &'a str },
    /// `0x08` Leave the server, telling the others why.
    Quit { reason: &'a str },
    /// `0x09` Are you there? Answered by a `Pong` with the same token.
    Ping { token: u32 },
    /// `0x0a` The answer to a `Ping`.
    Pong { token: u32 },

    /// `0x41` The hello was accepted: the version spoken, the nickname as
    /// registered, the room to join first and the longest text accepted.
    Welcome {
        version: u8,
        nick: &'a str,
        lobby: &'a str,
        max_text: u16,
    },
    /// `0x42` You are in `room`: its topic, its epoch (which changes when
    /// the room is created anew, e.g. after a server restart, so old ids
    /// mean nothing), the id its next live event will have (replayed
    /// history has smaller ids) and how many are in it.
    Entered {
        room: &'a str,
        topic: &'a str,
        epoch: u32,
        next_id: u64,
        members: u16,
    },
    /// `0x43` Some of the members of `room`; [`FLAG_MORE`] says more follow.
    Names {
        room: &'a str,
        flags: u8,
        nicks: NickList<'a>,
    },
    /// `0x44` You have left `room`.
    Left { room: &'a str },
    /// `0x45` Someone said `text` in `room`.
    Message {
        room: &'a str,
        id: u64,
        time: u64,
        from: &'a str,
        flags: u8,
        text: &'a str,
    },
    /// `0x46` `nick` joined `room`.
    Joined {
        room: &'a str,
        id: u64,
        time: u64,
        nick: &'a str,
    },
    /// `0x47` `nick` left `room` (or quit, or was disconnected) for `reason`.
    Parted {
        room: &'a str,
        id: u64,
        time: u64,
        nick: &'a str,
        reason: &'a str,
    },
    /// `0x48` `old` is now called `new`.
    NickChanged {
        room: &'a str,
        id: u64,
        time: u64,
        old: &'a str,
        new: &'a str,
    },
    /// `0x49` `by` set the topic of `room`.
    TopicChanged {
        room: &'a str,
        id: u64,
        time: u64,
        by: &'a str,
        topic: &'a str,
    },
    /// `0x4a` A private message for you.
    Private {
        time: u64,
        from: &'a str,
        flags: u8,
        text: &'a str,
    },
    /// `0x4b` Your `Say` (or `Whisper`, with an empty room and id 0) with
    /// this `tag` was delivered as event `id` at `time`.
    Ack {
        tag: u32,
        room: &'a str,
        id: u64,
        time: u64,
    },
    /// `0x4c` You missed `missed` events of `room`: they are no longer in
    /// the history, or you fell too far behind.
    Gap { room: &'a str, missed: u64 },
    /// `0x4d` Your nickname is now `nick`.
    NickSet { nick: &'a str },
    /// `0x4e` Your request failed; `tag` is the request's tag (0 when it has
    /// none) and `subject` the name it was about (a nick or a room), if any.
    Error {
        code: ErrorCode,
        tag: u32,
        subject: &'a str,
    },
    /// `0x4f` The server is closing this connection, and why.
    Bye { code: ErrorCode, reason: &'a str },
}

/// The nicknames of a `Names` frame: either as decoded from the wire, or a
/// slice of names to encode.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NickList<'a> {
    /// Names as they arrived, already validated by the decoder.
    Wire {
        /// How many names.
        count: u8,
        /// The names, each with a one-byte length prefix.
        bytes: &'a [u8],
    },
    /// Names to encode.
    Slice(&'a [&'a str]),
}

/// Lists made from fuzz input are always [`NickList::Wire`]: a `Slice`
/// would need a slice of `&str` that the input does not contain. Half of
/// them take exactly `count` length-prefixed names from the input, so the
/// list is well formed and only the names themselves may be bad; the other
/// half take any bytes, which the encoder must refuse when they do not hold
/// `count` names.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for NickList<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let count: u8 = u.arbitrary()?;
        if !u.arbitrary::<bool>()? {
            return Ok(NickList::Wire {
                count,
                bytes: u.arbitrary()?,
            });
        }
        let rest = u.peek_bytes(u.len()).unwrap_or_default();
        let mut len = 0;
        for _ in 0..count {
            match rest.get(len) {
                Some(&n) => len = (len + 1 + usize::from(n)).min(rest.len()),
                None => break,
            }
        }
        Ok(NickList::Wire {
            count,
            bytes: u.bytes(len)?,
        })
    }
}

impl<'a> NickList<'a> {
    /// How many names.
    pub fn len(&self) -> usize {
        match self {
            NickList::Wire { count, .. } => usize::from(*count),
            NickList::Slice(s) => s.len(),
        }
    }

    /// `true` when there are no names.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names, in order.
    pub fn iter(&self) -> NickIter<'a> {
        match *self {
            NickList::Wire { bytes, .. } => NickIter::Wire(bytes),
            NickList::Slice(s) => NickIter::Slice(s.iter()),
        }
    }
}

impl PartialEq for NickList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for NickList<'_> {}

/// Iterator over a [`NickList`].
#[derive(Debug, Clone)]
pub enum NickIter<'a> {
    #[doc(hidden)]
    Wire(&'a [u8]),
    #[doc(hidden)]
    Slice(core::slice::Iter<'a, &'a str>),
}

impl<'a> Iterator for NickIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            NickIter::Slice(it) => it.next().copied(),
            NickIter::Wire(bytes) => {
                // The decoder validated every name, so a failure here can only
                // mean the end of the list.
                let (&len, rest) = bytes.split_first()?;
                let (name, rest) = rest.split_at_checked(usize::from(len))?;
                *bytes = rest;
                core::str::from_utf8(name).ok()
            }
        }
    }
}

impl Frame<'_> {
    /// The frame's kind byte.
    pub fn kind(&self) -> u8 {
        match self {
            Frame::Hello { .. } => 0x01,
            Frame::Join { .. } => 0x02,
            Frame::Part { .. } => 0x03,
            Frame::Say { .. } => 0x04,
            Frame::Whisper { .. } => 0x05,
            Frame::SetNick { .. } => 0x06,
            Frame::SetTopic { .. } => 0x07,
            Frame::Quit { .. } => 0x08,
            Frame::Ping { .. } => 0x09,
            Frame::Pong { .. } => 0x0a,
            Frame::Welcome { .. } => 0x41,
            Frame::Entered { .. } => 0x42,
            Frame::Names { .. } => 0x43,
            Frame::Left { .. } => 0x44,
            Frame::Message { .. } => 0x45,
            Frame::Joined { .. } => 0x46,
            Frame::Parted { .. } => 0x47,
            Frame::NickChanged { .. } => 0x48,
            Frame::TopicChanged { .. } => 0x49,
            Frame::Private { .. } => 0x4a,
            Frame::Ack { .. } => 0x4b,
            Frame::Gap { .. } => 0x4c,
            Frame::NickSet { .. } => 0x4d,
            Frame::Error { .. } => 0x4e,
            Frame::Bye { .. } => 0x4f,
        }
    }

    /// `true` for the kinds a client may send to a server.
    pub fn is_client_frame(&self) -> bool {
        self.kind() <= 0x0a
    }
}

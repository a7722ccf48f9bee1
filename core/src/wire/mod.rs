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
//!
//! The files:
//! * `frames.rs`: the frame table, where each frame's kind byte, sender and
//!   fields are written down once; it generates [`Frame`], its decoder and
//!   its encoder.
//! * `codec.rs`: the machinery they are built from (field shapes, reader,
//!   writer), [`decode`] and [`frame_len`].
//! * `names.rs`: the nickname and room-name rules ([`is_valid_nick`],
//!   [`NICK_RULES`], [`same_name`] and the letters they allow).

mod codec;
mod frames;
mod names;

pub(crate) use codec::message_parts;
pub use codec::{Status, decode, decode_client, frame_len};
pub use frames::{Frame, is_server_kind};
pub use names::{
    LETTERS, MAX_NICK, MAX_ROOM, NICK_RULES, ROOM_RULES, is_valid_nick, is_valid_room, name_key,
    nick_problem, room_problem, same_name,
};

/// Which protocol a connection speaks, told from its first byte (see
/// [`sniff`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Protocol {
    /// natter's framing: the first byte is the high byte of a length. A
    /// valid frame's is 0x00 to 0x03 (lengths up to 1022); any byte that
    /// cannot start an IRC line is taken for natter too, so most oversize
    /// lengths get natter's `Malformed` (PROTOCOL.md §2.1), not silence.
    Natter,
    /// IRC: lines start with a command's letter, `@` for tags or `:` for a
    /// prefix (or a stray space, CR or LF before the first line).
    Irc,
    /// HTTP: a request line starts with a method and a space (`GET `),
    /// which no IRC client's first line does (theirs is `CAP`, `PASS`,
    /// `NICK`, `USER` or `WEBIRC`).
    Http,
}

/// The HTTP methods [`sniff`] knows, each with its space.
const HTTP_METHODS: [&[u8]; 9] = [
    b"GET ",
    b"HEAD ",
    b"POST ",
    b"PUT ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"CONNECT ",
    b"TRACE ",
];

/// The most bytes [`sniff`] needs to decide (`OPTIONS ` and `CONNECT `).
pub const SNIFF_LEN: usize = 8;

/// Tell natter, IRC and HTTP apart by the first bytes a client sends, so
/// all three can share one port: `None` while more bytes are needed (none
/// yet, or the start of an HTTP method such as `GE`; [`SNIFF_LEN`] bytes
/// always decide).
///
/// IRC lines start with an ASCII letter, `@` or `:` (a client may send a
/// blank line or a space first); no natter frame does, since its first
/// byte, the high byte of a length of at most 1022, is 0x00 to 0x03. Every
/// other byte is natter's: a valid frame or an oversize length that must be
/// refused as natter refuses it. Among the letters, an HTTP method and a
/// space (`GET `) is HTTP: a browser.
///
/// ```
/// use natter_core::wire::{Protocol, sniff};
/// assert_eq!(sniff(&[0x00, 0x0c, 0x01]), Some(Protocol::Natter));
/// assert_eq!(sniff(&[0xff, 0xff]), Some(Protocol::Natter)); // oversize
/// assert_eq!(sniff(b"CAP LS 302\r\n"), Some(Protocol::Irc));
/// assert_eq!(sniff(b"GET / HTTP/1.1\r\n"), Some(Protocol::Http));
/// assert_eq!(sniff(b"GE"), None); // GET or GETOUT? wait for more
/// assert_eq!(sniff(b"GIVE"), Some(Protocol::Irc));
/// assert_eq!(sniff(b""), None);
/// ```
pub fn sniff(first: &[u8]) -> Option<Protocol> {
    let &byte = first.first()?;
    Some(match byte {
        b'A'..=b'Z' => {
            let mut could_be_http = false;
            for method in HTTP_METHODS {
                if first.starts_with(method) {
                    return Some(Protocol::Http);
                }
                could_be_http |= method.starts_with(first);
            }
            if could_be_http {
                return None;
            }
            Protocol::Irc
        }
        b'a'..=b'z' | b'@' | b':' | b' ' | b'\r' | b'\n' => Protocol::Irc,
        _ => Protocol::Natter,
    })
}

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
/// Bit 1 of a message's flags: the text is a notice (IRC's `NOTICE`: an
/// automatic message, such as a bot's, never to be answered automatically).
pub const FLAG_NOTICE: u8 = 0x02;
/// Bit 0 of a `Names` frame's flags: more `Names` frames follow for this room.
pub const FLAG_MORE: u8 = 0x01;
/// Bit 0 of a `Parted` event's flags: the member quit (or lost its
/// connection) and so left every room at once, rather than parting this
/// one. IRC shows it as one `QUIT` rather than a `PART` per room.
pub const FLAG_QUIT: u8 = 0x01;
/// Bit 2 of a `Message` event's flags: an operator removed it (its text
/// is only filler now); the server sets it, in the history, so whoever
/// reads the room later sees "removed" rather than the message.
pub const FLAG_REMOVED: u8 = 0x04;
/// Bit 0 of a `Mode` request's or `ModeChanged` event's flags: the mode is
/// set (IRC's `+`).
pub const FLAG_ADD: u8 = 0x01;
/// Bit 1 of a `Mode` request's or `ModeChanged` event's flags: the mode is
/// taken away (IRC's `-`). A `Mode` with neither bit asks what is set.
pub const FLAG_REMOVE: u8 = 0x02;

/// A role bit (a `Names` frame's `roles`, `YouAre`): the teacher, who
/// proved the teacher password and is operator in every room.
pub const ROLE_TEACHER: u8 = 0x01;
/// A role bit: an operator of the room (IRC's `@`).
pub const ROLE_OPERATOR: u8 = 0x02;
/// A role bit: may speak in a moderated room (IRC's `+`).
pub const ROLE_VOICE: u8 = 0x04;
/// A role bit: muted in the room; nothing it says reaches anyone.
pub const ROLE_MUTED: u8 = 0x08;
/// Every role bit.
pub const ROLES: u8 = ROLE_TEACHER | ROLE_OPERATOR | ROLE_VOICE | ROLE_MUTED;

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

//! Encoding and decoding of [`Frame`]s.
//!
//! Which fields a frame has, and in which order, is the frame table's
//! business (`frames.rs`); this module holds the machinery the table is
//! written in: a [`Reader`] and a [`Writer`] over one frame's bytes, and
//! the wire shapes ([`Shape`]) that read and write one field each. A shape
//! carries one description of its field for both directions (a string's
//! [`Field`] rule, a flags mask), so a frame the encoder accepts is exactly
//! a frame the decoder accepts.
//!
//! [`Frame::encode`] runs the encoder twice: a measuring pass into a
//! [`Counter`] that checks every field, then a writing pass into the
//! caller's buffer, so a frame that does not fit or does not check out
//! leaves the buffer untouched.

use super::frames::{read_fields, write_fields};
use super::{
    Frame, HEADER_LEN, MAX_FRAME_LEN, MAX_TEXT, NickList, VERSION, is_valid_nick, is_valid_room,
};
use crate::error::{DecodeError, EncodeError, ErrorCode};

/// The result of looking for a frame in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status<T> {
    /// A whole frame, and how many bytes of the buffer it used.
    Complete(T),
    /// Not enough bytes yet; at least `needed` more must arrive.
    Partial {
        /// The least number of further bytes that could complete the frame.
        needed: usize,
    },
}

/// The total length (prefix included) of the frame at the start of `buf`,
/// once its prefix has arrived.
///
/// # Errors
/// [`DecodeError::FrameTooLong`] as soon as the prefix shows it, without
/// waiting for the body. (An empty frame has a length, 2, and is reported
/// by [`decode`], so a reader can skip it like any other bad frame.)
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, DecodeError> {
    let [hi, lo, ..] = *buf else {
        return Ok(None);
    };
    let len = HEADER_LEN + usize::from(u16::from_be_bytes([hi, lo]));
    if len > MAX_FRAME_LEN {
        return Err(DecodeError::FrameTooLong { len });
    }
    Ok(Some(len))
}

/// Decode the frame at the start of `buf`.
///
/// Returns the frame, borrowing from `buf`, and the number of bytes it took;
/// or [`Status::Partial`] when `buf` holds only part of a frame. Bytes after
/// the first frame are left alone, so a caller loops to get them all.
///
/// # Errors
/// A [`DecodeError`] saying what is wrong. Except for
/// [`DecodeError::FrameTooLong`], the frame's length is known and the caller
/// may skip [`frame_len`] bytes and go on.
///
/// ```
/// use natter_core::wire::{decode, Frame, Status};
/// let bytes = [0x00, 0x05, 0x09, 0x00, 0x00, 0x00, 0x07, 0xff];
/// let Ok(Status::Complete((frame, used))) = decode(&bytes) else { panic!() };
/// assert_eq!(frame, Frame::Ping { token: 7 });
/// assert_eq!(used, 7);
/// assert_eq!(decode(&bytes[..3]), Ok(Status::Partial { needed: 4 }));
/// ```
pub fn decode(buf: &[u8]) -> Result<Status<(Frame<'_>, usize)>, DecodeError> {
    decode_kinds::<false>(buf)
}

/// [`decode`], for a server: only the kinds a client sends decode; any
/// other kind is [`DecodeError::UnknownKind`] (see
/// [`is_server_kind`](super::is_server_kind) to tell a server's kind from
/// one that does not exist).
pub fn decode_client(buf: &[u8]) -> Result<Status<(Frame<'_>, usize)>, DecodeError> {
    decode_kinds::<true>(buf)
}

/// [`decode`] of every kind, or (`CLIENT`) of a client's kinds only.
fn decode_kinds<const CLIENT: bool>(buf: &[u8]) -> Result<Status<(Frame<'_>, usize)>, DecodeError> {
    let Some(len) = frame_len(buf)? else {
        return Ok(Status::Partial {
            needed: HEADER_LEN - buf.len(),
        });
    };
    let Some(body) = buf.get(HEADER_LEN..len) else {
        return Ok(Status::Partial {
            needed: len - buf.len(),
        });
    };
    let frame = decode_body::<CLIENT>(body)?;
    Ok(Status::Complete((frame, len)))
}

fn decode_body<const CLIENT: bool>(body: &[u8]) -> Result<Frame<'_>, DecodeError> {
    let (&kind, rest) = body.split_first().ok_or(DecodeError::EmptyFrame)?;
    let mut r = Reader { rest };
    let frame = read_fields::<CLIENT>(kind, &mut r)?;
    r.finish()?;
    Ok(frame)
}

/// Where a stored `Message` frame (length prefix included) keeps its
/// sender's nickname, its flags byte and its text, to mark it removed in
/// place: `None` if it is not a whole `Message`.
pub(crate) fn message_parts(
    frame: &[u8],
) -> Option<(core::ops::Range<usize>, usize, core::ops::Range<usize>)> {
    let body = frame.get(HEADER_LEN..)?;
    let (&kind, rest) = body.split_first()?;
    if kind != 0x45 {
        return None;
    }
    let mut r = Reader { rest };
    let room = usize::from(r.u8().ok()?);
    r.take(room + 8 + 8).ok()?;
    let from = usize::from(r.u8().ok()?);
    let from_at = frame.len() - r.rest.len();
    r.take(from).ok()?;
    let flags_at = frame.len() - r.rest.len();
    r.take(1).ok()?;
    let text = usize::from(r.u16().ok()?);
    let text_at = frame.len() - r.rest.len();
    r.take(text).ok()?;
    r.finish().ok()?;
    Some((from_at..from_at + from, flags_at, text_at..text_at + text))
}

/// Reads fields from the body of one frame.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let (head, rest) = self
            .rest
            .split_at_checked(n)
            .ok_or(DecodeError::Truncated)?;
        self.rest = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn finish(self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

/// Where encoded bytes go.
pub(super) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

/// A slice the writing pass fills, counting as it goes; the measuring pass
/// uses an empty one and only counts. One sink type for both passes keeps
/// one copy of the encoder in a microcontroller's flash (two cost 2 KB).
struct SliceSink<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        // The measuring pass (an empty `out`) only counts; the writing pass
        // that follows it sized `out`, so this always fits, and `get_mut`
        // keeps it panic-free all the same.
        if let Some(dst) = self.out.get_mut(self.pos..self.pos + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.pos += bytes.len();
    }
}

/// Writes fields, checking each against the rule the decoder applies
/// (in the measuring pass; the writing pass that follows a successful
/// measurement skips the string checks, which already passed).
pub(super) struct Writer<S> {
    sink: S,
    check: bool,
}

impl<S: Sink> Writer<S> {
    fn u8(&mut self, v: u8) {
        self.sink.put(&[v]);
    }

    fn u16(&mut self, v: u16) {
        self.sink.put(&v.to_be_bytes());
    }

    /// The kind byte and fields of `frame`.
    fn body(&mut self, frame: &Frame<'_>) -> Result<(), DecodeError> {
        self.u8(frame.kind());
        write_fields(frame, self)
    }
}

/// How one field of a frame sits on the wire, and what the protocol
/// refuses in it. The frame table (`frames.rs`) names a shape for every
/// field; `T` is the field's Rust type.
///
/// `write` refuses exactly what `read` refuses, so a frame that encodes is
/// a frame that decodes. An unchecked [`Writer`] (the hub's trusted path)
/// skips only the string rules, the costly checks, whose strings the hub
/// has already checked; flags, the version and a list's count are checked
/// either way.
pub(super) trait Shape<'a, T> {
    fn read(&self, r: &mut Reader<'a>) -> Result<T, DecodeError>;
    fn write<S: Sink>(&self, w: &mut Writer<S>, value: &T) -> Result<(), DecodeError>;
}

/// A big-endian integer, as wide as the field's type: one shape for `u8`
/// to `u64`, so the table names the width once, in the field's type.
pub(super) struct Int;

macro_rules! int_shape {
    ($($t:ty),*) => {$(
        impl<'a> Shape<'a, $t> for Int {
            fn read(&self, r: &mut Reader<'a>) -> Result<$t, DecodeError> {
                Ok(<$t>::from_be_bytes(r.array()?))
            }

            fn write<S: Sink>(&self, w: &mut Writer<S>, value: &$t) -> Result<(), DecodeError> {
                w.sink.put(&value.to_be_bytes());
                Ok(())
            }
        }
    )*};
}

int_shape!(u8, u16, u32, u64);

/// The kinds of string field, each with its length prefix and its rule.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    /// A nickname (`u8` length).
    Nick,
    /// A room name (`u8` length).
    Room,
    /// A room name or nothing (`u8` length).
    RoomOrEmpty,
    /// A password, reason or subject: up to 255 bytes (`u8` length).
    Short,
    /// Message text: 1 to `MAX_TEXT` bytes (`u16` length).
    Text,
    /// A topic: up to `MAX_TEXT` bytes, may be empty (`u16` length).
    Topic,
}

impl Field {
    fn wide_length(self) -> bool {
        matches!(self, Field::Text | Field::Topic)
    }

    fn check(self, s: &str) -> Result<(), DecodeError> {
        let ok = match self {
            Field::Nick => is_valid_nick(s),
            Field::Room => is_valid_room(s),
            Field::RoomOrEmpty => s.is_empty() || is_valid_room(s),
            Field::Short => s.len() <= usize::from(u8::MAX) && plain(s),
            Field::Text => !s.is_empty() && s.len() <= MAX_TEXT && plain(s),
            Field::Topic => s.len() <= MAX_TEXT && plain(s),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Field::Nick => DecodeError::BadNick,
            Field::Room | Field::RoomOrEmpty => DecodeError::BadRoom,
            Field::Short | Field::Text | Field::Topic => DecodeError::BadText,
        })
    }
}

/// Text may hold anything but NUL, CR and LF, which would break IRC lines.
fn plain(s: &str) -> bool {
    !s.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n'))
}

impl<'a> Shape<'a, &'a str> for Field {
    fn read(&self, r: &mut Reader<'a>) -> Result<&'a str, DecodeError> {
        let len = if self.wide_length() {
            usize::from(r.u16()?)
        } else {
            usize::from(r.u8()?)
        };
        let s = core::str::from_utf8(r.take(len)?).map_err(|_| DecodeError::BadUtf8)?;
        self.check(s)?;
        Ok(s)
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>, s: &&'a str) -> Result<(), DecodeError> {
        if w.check {
            self.check(s)?;
        }
        if self.wide_length() {
            // `check` bounded the length to MAX_TEXT, well inside u16.
            w.u16(s.len() as u16);
        } else {
            w.u8(s.len() as u8);
        }
        w.sink.put(s.as_bytes());
        Ok(())
    }
}

/// A flags byte whose bits outside the mask must be zero.
pub(super) struct Flags(pub(super) u8);

impl Flags {
    fn check(&self, flags: u8) -> Result<u8, DecodeError> {
        if flags & !self.0 == 0 {
            Ok(flags)
        } else {
            Err(DecodeError::BadFlags)
        }
    }
}

impl Shape<'_, u8> for Flags {
    fn read(&self, r: &mut Reader<'_>) -> Result<u8, DecodeError> {
        self.check(r.u8()?)
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>, flags: &u8) -> Result<(), DecodeError> {
        w.u8(self.check(*flags)?);
        Ok(())
    }
}

/// The protocol version byte of `Hello` and `Welcome`, which must be
/// [`VERSION`]. A decoder refuses any other version before reading the
/// rest, whose layout that version may have changed.
pub(super) struct Version;

impl Shape<'_, u8> for Version {
    fn read(&self, r: &mut Reader<'_>) -> Result<u8, DecodeError> {
        match r.u8()? {
            VERSION => Ok(VERSION),
            other => Err(DecodeError::UnsupportedVersion(other)),
        }
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>, &version: &u8) -> Result<(), DecodeError> {
        if version != VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        w.u8(version);
        Ok(())
    }
}

/// An [`ErrorCode`] as its byte. Every byte is a code (unknown ones are
/// [`ErrorCode::Other`]), so this never fails.
pub(super) struct Code;

impl Shape<'_, ErrorCode> for Code {
    fn read(&self, r: &mut Reader<'_>) -> Result<ErrorCode, DecodeError> {
        Ok(ErrorCode::from_u8(r.u8()?))
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>, code: &ErrorCode) -> Result<(), DecodeError> {
        w.u8(code.to_u8());
        Ok(())
    }
}

/// The roles of a `Names` frame's members: a `u8` count, then a byte of
/// role bits ([`ROLES`](super::ROLES)) per member, in the order of the
/// nicknames. Bits outside `ROLES` are refused.
pub(super) struct Roles;

impl<'a> Shape<'a, &'a [u8]> for Roles {
    fn read(&self, r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
        let count = r.u8()?;
        let roles = r.take(usize::from(count))?;
        Self::check(roles)
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>, roles: &&'a [u8]) -> Result<(), DecodeError> {
        let count =
            u8::try_from(roles.len()).map_err(|_| DecodeError::FrameTooLong { len: usize::MAX })?;
        Self::check(roles)?;
        w.u8(count);
        w.sink.put(roles);
        Ok(())
    }
}

impl Roles {
    fn check(roles: &[u8]) -> Result<&[u8], DecodeError> {
        if roles.iter().any(|&b| b & !super::ROLES != 0) {
            return Err(DecodeError::BadFlags);
        }
        Ok(roles)
    }
}

/// The nicknames of a `Names` frame: a `u8` count, then that many
/// nicknames.
pub(super) struct Nicks;

impl<'a> Shape<'a, NickList<'a>> for Nicks {
    fn read(&self, r: &mut Reader<'a>) -> Result<NickList<'a>, DecodeError> {
        let count = r.u8()?;
        let start = r.rest;
        for _ in 0..count {
            Field::Nick.read(r)?;
        }
        // The names read are what `start` held beyond what is left.
        let bytes = &start[..start.len() - r.rest.len()];
        Ok(NickList::Wire { count, bytes })
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>, nicks: &NickList<'a>) -> Result<(), DecodeError> {
        let count =
            u8::try_from(nicks.len()).map_err(|_| DecodeError::FrameTooLong { len: usize::MAX })?;
        w.u8(count);
        let mut written = 0;
        for nick in nicks.iter() {
            Field::Nick.write(w, &nick)?;
            written += 1;
        }
        // A `Wire` list's count and bytes are separate public fields and
        // may disagree; the receiver reads exactly `count` names, so such a
        // frame would not decode.
        match written.cmp(&nicks.len()) {
            core::cmp::Ordering::Less => Err(DecodeError::Truncated),
            core::cmp::Ordering::Greater => Err(DecodeError::TrailingBytes),
            core::cmp::Ordering::Equal => Ok(()),
        }
    }
}

impl Frame<'_> {
    /// Bytes this frame takes on the wire, length prefix included.
    ///
    /// # Errors
    /// [`EncodeError::Invalid`] when a field breaks the protocol's rules or
    /// the frame is longer than [`MAX_FRAME_LEN`].
    pub fn encoded_len(&self) -> Result<usize, EncodeError> {
        let mut w = Writer {
            sink: SliceSink {
                out: &mut [],
                pos: 0,
            },
            check: true,
        };
        w.body(self)?;
        let len = HEADER_LEN + w.sink.pos;
        if len > MAX_FRAME_LEN {
            return Err(EncodeError::Invalid(DecodeError::FrameTooLong { len }));
        }
        Ok(len)
    }

    /// Bytes this frame takes, without checking its fields: for frames
    /// the hub builds from fields it already checked (see
    /// [`write_trusted`](Self::write_trusted)).
    pub(crate) fn trusted_len(&self) -> usize {
        let mut w = Writer {
            sink: SliceSink {
                out: &mut [],
                pos: 0,
            },
            check: false,
        };
        // Unchecked, only flags can fail, and the hub passes flags it decoded.
        let _ = w.body(self);
        HEADER_LEN + w.sink.pos
    }

    /// Write this frame, without checking its fields, into `out`, which is
    /// exactly [`trusted_len`](Self::trusted_len) bytes long. Debug builds
    /// (and so the tests and fuzzers) check that the frame is valid.
    pub(crate) fn write_trusted(&self, out: &mut [u8]) {
        debug_assert_eq!(self.encoded_len(), Ok(out.len()));
        let body_len = out.len().saturating_sub(HEADER_LEN) as u16;
        let mut w = Writer {
            sink: SliceSink { out, pos: 0 },
            check: false,
        };
        w.u16(body_len);
        let _ = w.body(self);
    }

    /// Write this frame at the start of `out` and return its length.
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] when `out` is too short, or
    /// [`EncodeError::Invalid`] when the frame would not decode. In both
    /// cases `out` is left untouched.
    ///
    /// ```
    /// use natter_core::wire::Frame;
    /// let mut buf = [0u8; 16];
    /// let n = Frame::Pong { token: 7 }.encode(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], &[0x00, 0x05, 0x0a, 0, 0, 0, 7]);
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.encoded_len()?;
        if out.len() < len {
            return Err(EncodeError::BufferTooSmall { needed: len });
        }
        // `len <= MAX_FRAME_LEN` so the body length fits the u16 prefix.
        let body_len = (len - HEADER_LEN) as u16;
        // `encoded_len` checked every field: write without checking again.
        let mut w = Writer {
            sink: SliceSink {
                out: &mut out[..len],
                pos: 0,
            },
            check: false,
        };
        w.u16(body_len);
        w.body(self)?;
        Ok(len)
    }
}

#[cfg(test)]
mod tests;

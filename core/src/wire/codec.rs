//! Encoding and decoding of [`Frame`]s.
//!
//! Decoding and encoding share one description of each field ([`Field`]), so
//! a frame the encoder accepts is exactly a frame the decoder accepts.

use super::{
    FLAG_ACTION, FLAG_MORE, Frame, HEADER_LEN, MAX_FRAME_LEN, MAX_TEXT, NickList, VERSION,
    is_valid_nick, is_valid_room,
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
    let frame = decode_body(body)?;
    Ok(Status::Complete((frame, len)))
}

/// The kinds of string field, each with its length prefix and its rule.
#[derive(Debug, Clone, Copy)]
enum Field {
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

fn check_flags(flags: u8, allowed: u8) -> Result<u8, DecodeError> {
    if flags & !allowed == 0 {
        Ok(flags)
    } else {
        Err(DecodeError::BadFlags)
    }
}

/// Reads fields from the body of one frame.
struct Reader<'a> {
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

    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn str(&mut self, field: Field) -> Result<&'a str, DecodeError> {
        let len = if field.wide_length() {
            usize::from(self.u16()?)
        } else {
            usize::from(self.u8()?)
        };
        let s = core::str::from_utf8(self.take(len)?).map_err(|_| DecodeError::BadUtf8)?;
        field.check(s)?;
        Ok(s)
    }

    fn flags(&mut self, allowed: u8) -> Result<u8, DecodeError> {
        check_flags(self.u8()?, allowed)
    }

    fn names(&mut self) -> Result<NickList<'a>, DecodeError> {
        let count = self.u8()?;
        let start = self.rest;
        for _ in 0..count {
            self.str(Field::Nick)?;
        }
        let bytes = &start[..start.len() - self.rest.len()];
        Ok(NickList::Wire { count, bytes })
    }

    fn finish(self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

fn decode_body(body: &[u8]) -> Result<Frame<'_>, DecodeError> {
    let (&kind, rest) = body.split_first().ok_or(DecodeError::EmptyFrame)?;
    let mut r = Reader { rest };
    let frame = match kind {
        0x01 => {
            let version = r.u8()?;
            if version != VERSION {
                return Err(DecodeError::UnsupportedVersion(version));
            }
            Frame::Hello {
                version,
                nick: r.str(Field::Nick)?,
                password: r.str(Field::Short)?,
            }
        }
        0x02 => Frame::Join {
            room: r.str(Field::Room)?,
            epoch: r.u32()?,
            since: r.u64()?,
        },
        0x03 => Frame::Part {
            room: r.str(Field::Room)?,
            reason: r.str(Field::Short)?,
        },
        0x04 => Frame::Say {
            tag: r.u32()?,
            room: r.str(Field::Room)?,
            flags: r.flags(FLAG_ACTION)?,
            text: r.str(Field::Text)?,
        },
        0x05 => Frame::Whisper {
            tag: r.u32()?,
            to: r.str(Field::Nick)?,
            flags: r.flags(FLAG_ACTION)?,
            text: r.str(Field::Text)?,
        },
        0x06 => Frame::SetNick {
            nick: r.str(Field::Nick)?,
        },
        0x07 => Frame::SetTopic {
            room: r.str(Field::Room)?,
            topic: r.str(Field::Topic)?,
        },
        0x08 => Frame::Quit {
            reason: r.str(Field::Short)?,
        },
        0x09 => Frame::Ping { token: r.u32()? },
        0x0a => Frame::Pong { token: r.u32()? },
        0x41 => {
            let version = r.u8()?;
            if version != VERSION {
                return Err(DecodeError::UnsupportedVersion(version));
            }
            Frame::Welcome {
                version,
                nick: r.str(Field::Nick)?,
                lobby: r.str(Field::RoomOrEmpty)?,
                max_text: r.u16()?,
            }
        }
        0x42 => Frame::Entered {
            room: r.str(Field::Room)?,
            topic: r.str(Field::Topic)?,
            epoch: r.u32()?,
            next_id: r.u64()?,
            members: r.u16()?,
        },
        0x43 => Frame::Names {
            room: r.str(Field::Room)?,
            flags: r.flags(FLAG_MORE)?,
            nicks: r.names()?,
        },
        0x44 => Frame::Left {
            room: r.str(Field::Room)?,
        },
        0x45 => Frame::Message {
            room: r.str(Field::Room)?,
            id: r.u64()?,
            time: r.u64()?,
            from: r.str(Field::Nick)?,
            flags: r.flags(FLAG_ACTION)?,
            text: r.str(Field::Text)?,
        },
        0x46 => Frame::Joined {
            room: r.str(Field::Room)?,
            id: r.u64()?,
            time: r.u64()?,
            nick: r.str(Field::Nick)?,
        },
        0x47 => Frame::Parted {
            room: r.str(Field::Room)?,
            id: r.u64()?,
            time: r.u64()?,
            nick: r.str(Field::Nick)?,
            reason: r.str(Field::Short)?,
        },
        0x48 => Frame::NickChanged {
            room: r.str(Field::Room)?,
            id: r.u64()?,
            time: r.u64()?,
            old: r.str(Field::Nick)?,
            new: r.str(Field::Nick)?,
        },
        0x49 => Frame::TopicChanged {
            room: r.str(Field::Room)?,
            id: r.u64()?,
            time: r.u64()?,
            by: r.str(Field::Nick)?,
            topic: r.str(Field::Topic)?,
        },
        0x4a => Frame::Private {
            time: r.u64()?,
            from: r.str(Field::Nick)?,
            flags: r.flags(FLAG_ACTION)?,
            text: r.str(Field::Text)?,
        },
        0x4b => Frame::Ack {
            tag: r.u32()?,
            room: r.str(Field::RoomOrEmpty)?,
            id: r.u64()?,
            time: r.u64()?,
        },
        0x4c => Frame::Gap {
            room: r.str(Field::Room)?,
            missed: r.u64()?,
        },
        0x4d => Frame::NickSet {
            nick: r.str(Field::Nick)?,
        },
        0x4e => Frame::Error {
            code: ErrorCode::from_u8(r.u8()?),
            tag: r.u32()?,
            subject: r.str(Field::Short)?,
        },
        0x4f => Frame::Bye {
            code: ErrorCode::from_u8(r.u8()?),
            reason: r.str(Field::Short)?,
        },
        other => return Err(DecodeError::UnknownKind(other)),
    };
    r.finish()?;
    Ok(frame)
}

/// Where encoded bytes go: a counter for the measuring pass, a slice for the
/// writing pass.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

struct SliceSink<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        // The measuring pass sized `out`, so this always fits; `get_mut`
        // keeps it panic-free all the same.
        if let Some(dst) = self.out.get_mut(self.pos..self.pos + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.pos += bytes.len();
    }
}

/// Writes fields, checking each against the rule the decoder applies
/// (in the measuring pass; the writing pass that follows a successful
/// measurement skips the checks, which already passed).
struct Writer<S> {
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

    fn u32(&mut self, v: u32) {
        self.sink.put(&v.to_be_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.sink.put(&v.to_be_bytes());
    }

    fn str(&mut self, field: Field, s: &str) -> Result<(), DecodeError> {
        if self.check {
            field.check(s)?;
        }
        if field.wide_length() {
            // `check` bounded the length to MAX_TEXT, well inside u16.
            self.u16(s.len() as u16);
        } else {
            self.u8(s.len() as u8);
        }
        self.sink.put(s.as_bytes());
        Ok(())
    }

    fn flags(&mut self, flags: u8, allowed: u8) -> Result<(), DecodeError> {
        self.u8(check_flags(flags, allowed)?);
        Ok(())
    }

    fn names(&mut self, nicks: &NickList<'_>) -> Result<(), DecodeError> {
        let count =
            u8::try_from(nicks.len()).map_err(|_| DecodeError::FrameTooLong { len: usize::MAX })?;
        self.u8(count);
        let mut written = 0;
        for nick in nicks.iter() {
            self.str(Field::Nick, nick)?;
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

    fn version(&mut self, version: u8) -> Result<(), DecodeError> {
        if version != VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        self.u8(version);
        Ok(())
    }

    /// The kind byte and fields of `frame`.
    fn body(&mut self, frame: &Frame<'_>) -> Result<(), DecodeError> {
        self.u8(frame.kind());
        match *frame {
            Frame::Hello {
                version,
                nick,
                password,
            } => {
                self.version(version)?;
                self.str(Field::Nick, nick)?;
                self.str(Field::Short, password)?;
            }
            Frame::Join { room, epoch, since } => {
                self.str(Field::Room, room)?;
                self.u32(epoch);
                self.u64(since);
            }
            Frame::Part { room, reason } => {
                self.str(Field::Room, room)?;
                self.str(Field::Short, reason)?;
            }
            Frame::Say {
                tag,
                room,
                flags,
                text,
            } => {
                self.u32(tag);
                self.str(Field::Room, room)?;
                self.flags(flags, FLAG_ACTION)?;
                self.str(Field::Text, text)?;
            }
            Frame::Whisper {
                tag,
                to,
                flags,
                text,
            } => {
                self.u32(tag);
                self.str(Field::Nick, to)?;
                self.flags(flags, FLAG_ACTION)?;
                self.str(Field::Text, text)?;
            }
            Frame::SetNick { nick } | Frame::NickSet { nick } => self.str(Field::Nick, nick)?,
            Frame::SetTopic { room, topic } => {
                self.str(Field::Room, room)?;
                self.str(Field::Topic, topic)?;
            }
            Frame::Quit { reason } => self.str(Field::Short, reason)?,
            Frame::Ping { token } | Frame::Pong { token } => self.u32(token),
            Frame::Welcome {
                version,
                nick,
                lobby,
                max_text,
            } => {
                self.version(version)?;
                self.str(Field::Nick, nick)?;
                self.str(Field::RoomOrEmpty, lobby)?;
                self.u16(max_text);
            }
            Frame::Entered {
                room,
                topic,
                epoch,
                next_id,
                members,
            } => {
                self.str(Field::Room, room)?;
                self.str(Field::Topic, topic)?;
                self.u32(epoch);
                self.u64(next_id);
                self.u16(members);
            }
            Frame::Names {
                room,
                flags,
                ref nicks,
            } => {
                self.str(Field::Room, room)?;
                self.flags(flags, FLAG_MORE)?;
                self.names(nicks)?;
            }
            Frame::Left { room } => self.str(Field::Room, room)?,
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                self.event_head(room, id, time)?;
                self.str(Field::Nick, from)?;
                self.flags(flags, FLAG_ACTION)?;
                self.str(Field::Text, text)?;
            }
            Frame::Joined {
                room,
                id,
                time,
                nick,
            } => {
                self.event_head(room, id, time)?;
                self.str(Field::Nick, nick)?;
            }
            Frame::Parted {
                room,
                id,
                time,
                nick,
                reason,
            } => {
                self.event_head(room, id, time)?;
                self.str(Field::Nick, nick)?;
                self.str(Field::Short, reason)?;
            }
            Frame::NickChanged {
                room,
                id,
                time,
                old,
                new,
            } => {
                self.event_head(room, id, time)?;
                self.str(Field::Nick, old)?;
                self.str(Field::Nick, new)?;
            }
            Frame::TopicChanged {
                room,
                id,
                time,
                by,
                topic,
            } => {
                self.event_head(room, id, time)?;
                self.str(Field::Nick, by)?;
                self.str(Field::Topic, topic)?;
            }
            Frame::Private {
                time,
                from,
                flags,
                text,
            } => {
                self.u64(time);
                self.str(Field::Nick, from)?;
                self.flags(flags, FLAG_ACTION)?;
                self.str(Field::Text, text)?;
            }
            Frame::Ack {
                tag,
                room,
                id,
                time,
            } => {
                self.u32(tag);
                self.str(Field::RoomOrEmpty, room)?;
                self.u64(id);
                self.u64(time);
            }
            Frame::Gap { room, missed } => {
                self.str(Field::Room, room)?;
                self.u64(missed);
            }
            Frame::Error { code, tag, subject } => {
                self.u8(code.to_u8());
                self.u32(tag);
                self.str(Field::Short, subject)?;
            }
            Frame::Bye { code, reason } => {
                self.u8(code.to_u8());
                self.str(Field::Short, reason)?;
            }
        }
        Ok(())
    }

    fn event_head(&mut self, room: &str, id: u64, time: u64) -> Result<(), DecodeError> {
        self.str(Field::Room, room)?;
        self.u64(id);
        self.u64(time);
        Ok(())
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
            sink: Counter(0),
            check: true,
        };
        w.body(self)?;
        let len = HEADER_LEN + w.sink.0;
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
            sink: Counter(0),
            check: false,
        };
        // Unchecked, only flags can fail, and the hub passes flags it decoded.
        let _ = w.body(self);
        HEADER_LEN + w.sink.0
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

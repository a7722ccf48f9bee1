//! Blocking helpers that speak the protocol over any `embedded_io` stream:
//! one frame in, one frame out. Tests, the benchmark, the firmware demo and
//! the GUI's network thread all use these; the server does not (it is
//! non-blocking and drives the hub directly).

use core::fmt;

use embedded_io::{Read, Write};

use crate::error::{DecodeError, EncodeError};
use crate::wire::{Frame, MAX_FRAME_LEN, Status, decode, frame_len};

/// What can go wrong reading or writing a frame over a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IoError<E> {
    /// The stream failed.
    Io(E),
    /// The peer sent bytes that are not a valid frame.
    Decode(DecodeError),
    /// The frame to send is invalid.
    Encode(EncodeError),
    /// The peer closed the stream (in the middle of a frame if
    /// `mid_frame`).
    Closed {
        /// Part of a frame had arrived before the end.
        mid_frame: bool,
    },
}

impl<E: fmt::Debug> fmt::Display for IoError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::Io(e) => write!(f, "connection error: {e:?}"),
            IoError::Decode(e) => write!(f, "bad frame from peer: {e}"),
            IoError::Encode(e) => write!(f, "cannot send frame: {e}"),
            IoError::Closed { mid_frame: false } => f.write_str("connection closed"),
            IoError::Closed { mid_frame: true } => {
                f.write_str("connection closed in the middle of a frame")
            }
        }
    }
}

impl<E: fmt::Debug> core::error::Error for IoError<E> {}

/// Encode `frame` and write all of it to `w`, then flush.
///
/// # Errors
/// [`IoError::Encode`] if the frame is invalid (nothing is written), or
/// [`IoError::Io`] if the stream fails.
pub fn write_frame<W: Write>(w: &mut W, frame: &Frame<'_>) -> Result<(), IoError<W::Error>> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = frame.encode(&mut buf).map_err(IoError::Encode)?;
    w.write_all(&buf[..n]).map_err(IoError::Io)?;
    w.flush().map_err(IoError::Io)
}

/// Reads frames from a stream, keeping the bytes of the next frame that
/// arrived with the last one. `N` must be at least [`MAX_FRAME_LEN`]; larger
/// buffers make fewer `read` calls.
///
/// ```
/// use natter_core::io::FrameReader;
/// use natter_core::wire::Frame;
/// // Two pings in one read, then the stream ends.
/// let mut stream: &[u8] = &[0, 5, 9, 0, 0, 0, 1, 0, 5, 9, 0, 0, 0, 2];
/// let mut reader = FrameReader::<1024>::new();
/// assert_eq!(reader.read_frame(&mut stream).unwrap(), Frame::Ping { token: 1 });
/// assert_eq!(reader.read_frame(&mut stream).unwrap(), Frame::Ping { token: 2 });
/// assert!(reader.read_frame(&mut stream).is_err());
/// ```
pub struct FrameReader<const N: usize = MAX_FRAME_LEN> {
    buf: [u8; N],
    start: usize,
    end: usize,
}

impl<const N: usize> Default for FrameReader<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FrameReader<N> {
    const BIG_ENOUGH: () = assert!(N >= MAX_FRAME_LEN, "a FrameReader must hold a whole frame");

    /// An empty reader.
    pub const fn new() -> Self {
        let () = Self::BIG_ENOUGH;
        FrameReader {
            buf: [0; N],
            start: 0,
            end: 0,
        }
    }

    /// Bytes received but not yet returned as frames.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Block until a whole frame has arrived and return it.
    ///
    /// # Errors
    /// [`IoError::Decode`] for a bad frame (the frame is skipped, so the
    /// next call reads the one after, except after
    /// [`DecodeError::FrameTooLong`]), [`IoError::Closed`] at the end of the
    /// stream, [`IoError::Io`] when reading fails.
    pub fn read_frame<R: Read>(&mut self, r: &mut R) -> Result<Frame<'_>, IoError<R::Error>> {
        loop {
            let pending = &self.buf[self.start..self.end];
            if let Some(len) = frame_len(pending).map_err(IoError::Decode)? {
                if pending.len() >= len {
                    let at = self.start;
                    self.start += len;
                    return match decode(&self.buf[at..at + len]) {
                        Ok(Status::Complete((frame, _))) => Ok(frame),
                        Ok(Status::Partial { .. }) => Err(IoError::Decode(DecodeError::Truncated)),
                        Err(e) => Err(IoError::Decode(e)),
                    };
                }
            }
            self.fill(r)?;
        }
    }

    /// Read more bytes, first moving any partial frame to the front.
    fn fill<R: Read>(&mut self, r: &mut R) -> Result<(), IoError<R::Error>> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = r.read(&mut self.buf[self.end..]).map_err(IoError::Io)?;
        if n == 0 {
            return Err(IoError::Closed {
                mid_frame: self.end > 0,
            });
        }
        self.end += n;
        Ok(())
    }
}

//! An in-memory byte pipe with a fixed capacity: one end writes, the other
//! reads, like one direction of a socket. Its ends implement
//! `embedded_io::{Read, Write}`, so the members use natter-core's
//! `write_frame` and `FrameReader` on them exactly as a client would on a
//! UART or a TCP socket.

use core::fmt;

use embedded_io::{ErrorKind, ErrorType, Read, Write};

/// Why a pipe operation could not go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeError {
    /// Nothing to read yet. A blocking socket would wait here; the demo
    /// runs on one thread, so the reader is told instead and the driver
    /// moves more bytes before it tries again.
    Empty,
    /// No room to write (the reader has not caught up).
    Full,
    /// The pipe was closed (its writer hung up): nothing more can be
    /// written to it.
    Closed,
}

impl fmt::Display for PipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PipeError::Empty => "nothing to read yet",
            PipeError::Full => "the pipe is full",
            PipeError::Closed => "the other end hung up",
        })
    }
}

impl core::error::Error for PipeError {}

impl embedded_io::Error for PipeError {
    fn kind(&self) -> ErrorKind {
        match self {
            // embedded-io's traits are blocking and have no "would block".
            PipeError::Empty | PipeError::Full => ErrorKind::Other,
            PipeError::Closed => ErrorKind::BrokenPipe,
        }
    }
}

/// A ring of `N` bytes.
pub struct Pipe<const N: usize> {
    buf: [u8; N],
    start: usize,
    len: usize,
    closed: bool,
}

impl<const N: usize> Pipe<N> {
    pub const fn new() -> Self {
        Pipe {
            buf: [0; N],
            start: 0,
            len: 0,
            closed: false,
        }
    }

    /// Room left for writing.
    pub fn free(&self) -> usize {
        N - self.len
    }

    /// Close the writing end: the reader gets what is left, then the end of
    /// the stream.
    pub fn close(&mut self) {
        self.closed = true;
    }
}

impl<const N: usize> Default for Pipe<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ErrorType for Pipe<N> {
    type Error = PipeError;
}

impl<const N: usize> Read for Pipe<N> {
    /// Take up to `out.len()` bytes. `Ok(0)` only at the end of the stream
    /// (or for an empty `out`), as embedded-io requires.
    fn read(&mut self, out: &mut [u8]) -> Result<usize, PipeError> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.len == 0 {
            return if self.closed {
                Ok(0)
            } else {
                Err(PipeError::Empty)
            };
        }
        let n = out.len().min(self.len);
        // The bytes may wrap around the end of the ring: copy in two parts.
        let first = n.min(N - self.start);
        out[..first].copy_from_slice(&self.buf[self.start..self.start + first]);
        out[first..n].copy_from_slice(&self.buf[..n - first]);
        self.start = (self.start + n) % N;
        self.len -= n;
        Ok(n)
    }
}

impl<const N: usize> Write for Pipe<N> {
    /// Store as much of `data` as fits. Never `Ok(0)` for non-empty data
    /// (`write_all` treats that as a bug): a full pipe is `Err(Full)`.
    fn write(&mut self, data: &[u8]) -> Result<usize, PipeError> {
        if self.closed {
            return Err(PipeError::Closed);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let n = data.len().min(self.free());
        if n == 0 {
            return Err(PipeError::Full);
        }
        let end = (self.start + self.len) % N;
        let first = n.min(N - end);
        self.buf[end..end + first].copy_from_slice(&data[..first]);
        self.buf[..n - first].copy_from_slice(&data[first..n]);
        self.len += n;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), PipeError> {
        Ok(())
    }
}

//! `chunked`: a byte stream cut into arbitrary chunks, read incrementally,
//! must give exactly what decoding the whole buffer at once gives: the same
//! frames, the same errors, in the same order, and the same ending.
//!
//! Input layout (plain bytes, so seeds are easy to write by hand): byte 0 is
//! `k`, the next `k` bytes are chunk sizes (each byte `b` is a read of at
//! most `b + 1` bytes, used in turn and over again; no sizes: one read of
//! everything), and the rest is the stream.
//!
//! Readers compared with the whole-buffer decode:
//! * [`FrameReader`] of 1024 bytes (the least it may have) and of 1500,
//!   over an `embedded_io::Read` that returns the chunks;
//! * an accumulate-and-decode loop like a non-blocking driver's, which also
//!   checks that `Partial { needed }` never asks for more than it needs.

use std::vec::Vec;

use embedded_io::{ErrorType, Read};
use natter_core::error::DecodeError;
use natter_core::io::{FrameReader, IoError};
use natter_core::wire::{Frame, MAX_FRAME_LEN, Status, decode, frame_len};

/// What a receiver sees, one item at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A whole frame, re-encoded (the `decode` target checks that
    /// re-encoding gives the bytes it came from).
    Frame(Vec<u8>),
    /// A bad frame, skipped.
    Bad(DecodeError),
    /// An oversize length prefix: the stream ends here.
    Fatal(DecodeError),
    /// The end of the stream, in the middle of a frame or not.
    End { mid_frame: bool },
}

/// The items of `data`; panics if a reader disagrees.
pub fn check(data: &[u8]) -> Vec<Item> {
    let (&k, rest) = data.split_first().unwrap_or((&0, &[]));
    let (sizes, stream) = rest.split_at(usize::from(k).min(rest.len()));
    let want = whole(stream);
    assert_eq!(
        reader::<MAX_FRAME_LEN>(sizes, stream),
        want,
        "FrameReader<1024>, chunks {sizes:?}"
    );
    assert_eq!(
        reader::<1500>(sizes, stream),
        want,
        "FrameReader<1500>, chunks {sizes:?}"
    );
    assert_eq!(
        accumulate(sizes, stream),
        want,
        "accumulating reader, chunks {sizes:?}"
    );
    want
}

fn encoded(frame: &Frame<'_>) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = frame.encode(&mut buf).expect("a decoded frame encodes");
    buf[..n].to_vec()
}

/// Decoding the whole buffer at once.
fn whole(mut rest: &[u8]) -> Vec<Item> {
    let mut items = Vec::new();
    loop {
        match decode(rest) {
            Ok(Status::Complete((frame, used))) => {
                items.push(Item::Frame(encoded(&frame)));
                rest = &rest[used..];
            }
            Ok(Status::Partial { .. }) => {
                items.push(Item::End {
                    mid_frame: !rest.is_empty(),
                });
                return items;
            }
            Err(e) if e.is_fatal() => {
                items.push(Item::Fatal(e));
                return items;
            }
            Err(e) => {
                items.push(Item::Bad(e));
                let Ok(Some(len)) = frame_len(rest) else {
                    panic!("skippable {e:?} without a length");
                };
                rest = &rest[len..];
            }
        }
    }
}

/// A stream that hands out `data` in reads of the given sizes.
struct Chunks<'a> {
    sizes: &'a [u8],
    turn: usize,
    data: &'a [u8],
}

impl<'a> Chunks<'a> {
    fn new(sizes: &'a [u8], data: &'a [u8]) -> Self {
        Chunks {
            sizes,
            turn: 0,
            data,
        }
    }

    /// The next chunk, at most `max` bytes; empty at the end.
    fn next(&mut self, max: usize) -> &'a [u8] {
        let size = match self.sizes {
            [] => self.data.len(),
            sizes => usize::from(sizes[self.turn % sizes.len()]) + 1,
        };
        self.turn += 1;
        let (chunk, rest) = self.data.split_at(size.min(max).min(self.data.len()));
        self.data = rest;
        chunk
    }
}

impl ErrorType for Chunks<'_> {
    type Error = core::convert::Infallible;
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let chunk = self.next(buf.len());
        buf[..chunk.len()].copy_from_slice(chunk);
        Ok(chunk.len())
    }
}

/// `natter_core::io::FrameReader` over the chunks.
fn reader<const N: usize>(sizes: &[u8], stream: &[u8]) -> Vec<Item> {
    let mut chunks = Chunks::new(sizes, stream);
    let mut reader = FrameReader::<N>::new();
    let mut items = Vec::new();
    // Each call takes a frame, or ends the stream: a stream of n bytes has
    // fewer than n frames.
    for _ in 0..=stream.len() {
        match reader.read_frame(&mut chunks) {
            Ok(frame) => items.push(Item::Frame(encoded(&frame))),
            Err(IoError::Decode(e)) if e.is_fatal() => {
                items.push(Item::Fatal(e));
                return items;
            }
            Err(IoError::Decode(e)) => items.push(Item::Bad(e)),
            Err(IoError::Closed { mid_frame }) => {
                items.push(Item::End { mid_frame });
                return items;
            }
            Err(e) => panic!("FrameReader: {e:?}"),
        }
    }
    panic!(
        "FrameReader never reached the end of {} bytes",
        stream.len()
    );
}

/// Accumulate the chunks and decode what has arrived after each one, as a
/// non-blocking driver does; check `needed` along the way.
fn accumulate(sizes: &[u8], stream: &[u8]) -> Vec<Item> {
    let mut chunks = Chunks::new(sizes, stream);
    let mut buf: Vec<u8> = Vec::new();
    let mut items = Vec::new();
    // What the last `Partial` asked for, and the bytes added since.
    let mut needed: Option<usize> = None;
    loop {
        let chunk = chunks.next(usize::MAX);
        if chunk.is_empty() {
            items.push(Item::End {
                mid_frame: !buf.is_empty(),
            });
            return items;
        }
        buf.extend_from_slice(chunk);
        let mut added = chunk.len();
        loop {
            match decode(&buf) {
                Ok(Status::Partial { needed: n }) => {
                    if let Some(before) = needed.filter(|&b| added < b) {
                        assert_eq!(n, before - added, "needed after {added} more bytes");
                    }
                    needed = Some(n);
                    break;
                }
                Ok(Status::Complete((frame, used))) => {
                    if let Some(before) = needed {
                        assert!(added >= before, "complete with {added} of {before} bytes");
                    }
                    items.push(Item::Frame(encoded(&frame)));
                    buf.drain(..used);
                }
                Err(e) if e.is_fatal() => {
                    items.push(Item::Fatal(e));
                    return items;
                }
                Err(e) => {
                    if let Some(before) = needed {
                        assert!(added >= before, "{e:?} with {added} of {before} bytes");
                    }
                    items.push(Item::Bad(e));
                    let Ok(Some(len)) = frame_len(&buf) else {
                        panic!("skippable {e:?} without a length");
                    };
                    buf.drain(..len);
                }
            }
            needed = None;
            added = 0;
        }
    }
}

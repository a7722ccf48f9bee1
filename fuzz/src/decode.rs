//! `decode`: any bytes, decoded frame after frame as a receiver would: move
//! on by the bytes a frame used, skip a bad frame by its length, stop at a
//! fatal error or a partial frame.
//!
//! Checked for every input: nothing panics; every whole frame re-encodes to
//! exactly the bytes it came from; lengths, `Partial { needed }` and the
//! fatal/skippable split agree with [`frame_len`]; no error is reported
//! before the whole frame has arrived (except an oversize prefix).

use std::fmt::Write as _;
use std::string::String;

use natter_core::error::DecodeError;
use natter_core::wire::{Frame, HEADER_LEN, MAX_FRAME_LEN, Status, decode, frame_len};

/// How decoding an input went (for the replay test's coverage checks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Whole, valid frames.
    pub frames: usize,
    /// Bad frames skipped by their length.
    pub skipped: usize,
    /// The input ended with an oversize length prefix.
    pub fatal: bool,
    /// Bytes of an unfinished frame left at the end.
    pub partial: usize,
}

/// Decode all of `data`; panics if the decoder breaks a promise.
pub fn check(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let mut rest = data;
    let mut text = String::new();
    loop {
        if rest.is_empty() {
            return out;
        }
        let len = frame_len(rest);
        match decode(rest) {
            Ok(Status::Complete((frame, used))) => {
                assert_eq!(len, Ok(Some(used)), "frame_len disagrees with decode");
                assert!(
                    HEADER_LEN < used && used <= MAX_FRAME_LEN && used <= rest.len(),
                    "{used}"
                );
                same_bytes(&frame, &rest[..used]);
                // Decoding looks at nothing past the frame, and waits for
                // all of it.
                assert_eq!(decode(&rest[..used]), Ok(Status::Complete((frame, used))));
                assert_eq!(decode(&rest[..used - 1]), Ok(Status::Partial { needed: 1 }));
                if let Frame::Names { nicks, .. } = frame {
                    assert_eq!(nicks.iter().count(), nicks.len());
                }
                text.clear();
                let _ = write!(text, "{frame:?}");
                out.frames += 1;
                rest = &rest[used..];
            }
            Ok(Status::Partial { needed }) => {
                let want = match len {
                    Ok(Some(len)) => len - rest.len(),
                    Ok(None) => HEADER_LEN - rest.len(),
                    Err(e) => panic!("partial, but frame_len says {e:?}"),
                };
                assert_eq!(needed, want, "needed for {} bytes", rest.len());
                out.partial = rest.len();
                return out;
            }
            Err(error) => {
                text.clear();
                let _ = write!(text, "{error} {:?}", error.code());
                if error.is_fatal() {
                    assert_eq!(len, Err(error), "fatal error, but frame_len disagrees");
                    let DecodeError::FrameTooLong { len } = error else {
                        panic!("{error:?} is fatal");
                    };
                    assert!(len > MAX_FRAME_LEN);
                    out.fatal = true;
                    return out;
                }
                // A skippable error: the length is known and the whole frame
                // had arrived, so a reader skips it and goes on.
                let Ok(Some(len)) = len else {
                    panic!("skippable {error:?}, but frame_len says {len:?}");
                };
                assert!(len <= rest.len(), "{error:?} before the frame arrived");
                assert_eq!(
                    decode(&rest[..len - 1]),
                    Ok(Status::Partial { needed: 1 }),
                    "{error:?} reported before the whole frame arrived"
                );
                assert_eq!(decode(&rest[..len]).map(|_| ()), Err(error));
                out.skipped += 1;
                rest = &rest[len..];
            }
        }
    }
}

/// `frame` encodes to exactly `bytes`, and says so up front.
pub(crate) fn same_bytes(frame: &Frame<'_>, bytes: &[u8]) {
    assert_eq!(
        frame.encoded_len(),
        Ok(bytes.len()),
        "encoded_len of {frame:?}"
    );
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = frame
        .encode(&mut buf)
        .unwrap_or_else(|e| panic!("{frame:?} decoded but does not encode: {e:?}"));
    assert_eq!(&buf[..n], bytes, "{frame:?} re-encodes differently");
}

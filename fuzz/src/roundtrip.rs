//! `roundtrip`: arbitrary frames (natter-core's `arbitrary` feature), each
//! encoded, decoded and encoded again.
//!
//! Checked for every frame the encoder accepts: `encoded_len` matches what
//! `encode` writes; the bytes decode to one whole frame equal to the
//! original, which encodes to the same bytes; a buffer one byte short is
//! refused with `BufferTooSmall` and left untouched. A frame the encoder
//! refuses (`EncodeError::Invalid`, e.g. a bad nickname) is skipped, but
//! `encoded_len` must refuse it the same way and `encode` must leave its
//! buffer untouched.

use arbitrary::{Arbitrary, Unstructured};
use natter_core::error::EncodeError;
use natter_core::wire::{Frame, MAX_FRAME_LEN, Status, decode};

/// Most frames taken from one input.
const MAX_FRAMES: usize = 64;

/// What an input held (for the replay test's coverage checks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Kind bytes of the frames that made the round trip, as a bit set
    /// (bit `k` for kind `k`; kinds are below 0x80).
    pub kinds: u128,
    /// Frames the encoder refused.
    pub refused: usize,
}

/// Round-trip the frames `data` describes; panics on a mismatch.
pub fn check(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let mut u = Unstructured::new(data);
    for _ in 0..MAX_FRAMES {
        if u.is_empty() {
            break;
        }
        let Ok(frame) = Frame::arbitrary(&mut u) else {
            break;
        };
        if round_trip(&frame) {
            out.kinds |= 1 << (frame.kind() & 0x7f);
        } else {
            out.refused += 1;
        }
    }
    out
}

/// `true` if `frame` encodes (and then round-trips), `false` if the encoder
/// refuses it as invalid.
fn round_trip(frame: &Frame<'_>) -> bool {
    const FILL: u8 = 0xa5;
    let mut buf = [FILL; MAX_FRAME_LEN];
    let n = match frame.encode(&mut buf) {
        Ok(n) => n,
        Err(EncodeError::Invalid(e)) => {
            assert_eq!(
                frame.encoded_len(),
                Err(EncodeError::Invalid(e)),
                "{frame:?}: encode and encoded_len disagree"
            );
            assert!(
                buf.iter().all(|&b| b == FILL),
                "{frame:?}: refused, but the buffer was written"
            );
            return false;
        }
        Err(e) => panic!("{frame:?} does not fit MAX_FRAME_LEN: {e:?}"),
    };
    assert_eq!(frame.encoded_len(), Ok(n), "{frame:?}");
    assert!(
        buf[n..].iter().all(|&b| b == FILL),
        "{frame:?}: wrote past its length"
    );
    let bytes = &buf[..n];
    let decoded = match decode(bytes) {
        Ok(Status::Complete((decoded, used))) if used == n => decoded,
        other => panic!("{frame:?} encodes to {bytes:02x?}, which decodes as {other:?}"),
    };
    assert_eq!(decoded, *frame, "{bytes:02x?} decodes to another frame");
    super::decode::same_bytes(&decoded, bytes);

    // One byte short: refused, and the buffer is left alone.
    let mut short = [FILL; MAX_FRAME_LEN];
    assert_eq!(
        frame.encode(&mut short[..n - 1]),
        Err(EncodeError::BufferTooSmall { needed: n }),
        "{frame:?}"
    );
    assert!(
        short.iter().all(|&b| b == FILL),
        "{frame:?}: short buffer written"
    );
    true
}

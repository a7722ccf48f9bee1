//! Keeps `docs/PROTOCOL.md` honest: every ```hex example in it must decode
//! to one whole frame that re-encodes to exactly the same bytes, and the
//! examples together must cover every frame kind the decoder knows.

use std::collections::BTreeSet;

use natter_core::error::DecodeError;
use natter_core::wire::{MAX_FRAME_LEN, Status, decode};

mod common;

#[test]
fn hex_examples_round_trip_and_cover_every_kind() {
    let mut covered = BTreeSet::new();
    for (line, bytes) in common::protocol_doc_examples() {
        let frame = match decode(&bytes) {
            Ok(Status::Complete((frame, used))) if used == bytes.len() => frame,
            other => panic!("line {line}: not exactly one frame: {other:?}"),
        };
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = frame.encode(&mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            bytes,
            "line {line}: {frame:?} re-encodes differently"
        );
        covered.insert(frame.kind());
    }
    // Every kind byte the decoder knows (25 in version 1: 0x01..=0x0a and
    // 0x41..=0x4f), found by asking it, so a new kind without an example fails.
    let kinds: BTreeSet<u8> = (0..=u8::MAX)
        .filter(|&k| !matches!(decode(&[0, 1, k]), Err(DecodeError::UnknownKind(_))))
        .collect();
    assert!(kinds.len() >= 25, "kind probe found only {kinds:02x?}");
    let missing: Vec<_> = kinds.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "no ```hex example for kinds {missing:02x?}"
    );
}

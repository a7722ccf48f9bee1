//! Keeps `docs/PROTOCOL.md` honest: every ```hex example in it must decode
//! to one whole frame that re-encodes to exactly the same bytes, and the
//! examples together must cover every frame kind the decoder knows.

use std::collections::BTreeSet;

use natter_core::error::DecodeError;
use natter_core::wire::{MAX_FRAME_LEN, Status, decode};

const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md");

/// The ```hex blocks of the document: the line each starts on, and its bytes.
fn hex_blocks(doc: &str) -> Vec<(usize, Vec<u8>)> {
    let mut blocks = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((start, line)) = lines.next() {
        if line.trim() != "```hex" {
            continue;
        }
        let mut bytes = Vec::new();
        for (n, line) in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            for pair in line.split_whitespace() {
                let ok =
                    pair.len() == 2 && pair.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                assert!(ok, "line {}: {pair:?} is not a lowercase hex pair", n + 1);
                bytes.push(u8::from_str_radix(pair, 16).unwrap());
            }
        }
        blocks.push((start + 1, bytes));
    }
    blocks
}

#[test]
fn hex_examples_round_trip_and_cover_every_kind() {
    let doc = std::fs::read_to_string(DOC_PATH).expect("docs/PROTOCOL.md");
    let mut covered = BTreeSet::new();
    for (line, bytes) in hex_blocks(&doc) {
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

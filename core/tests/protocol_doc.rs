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

/// The error table's last column is exactly what `ErrorCode::describe`
/// says, row by row, for every code: one source for the words people read.
#[test]
fn error_table_matches_describe() {
    use natter_core::error::ErrorCode;
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md"))
        .expect("docs/PROTOCOL.md");
    let table = doc.split("## 9. Error codes").nth(1).expect("section 9");
    let mut checked = 0;
    for row in table.lines().filter(|l| l.starts_with('|')) {
        // Cells split at unescaped pipes; `\|` is a pipe inside a cell.
        let cells: Vec<String> = row
            .replace("\\|", "\u{1}")
            .split('|')
            .map(|c| c.trim().replace('\u{1}', "|"))
            .collect();
        let (Some(code), Some(text)) = (cells.get(1), cells.get(cells.len().saturating_sub(2)))
        else {
            continue;
        };
        let code = match code.as_str() {
            "other" => ErrorCode::Other(200),
            n => match n.parse::<u8>() {
                Ok(n) => ErrorCode::from_u8(n),
                Err(_) => continue,
            },
        };
        assert_eq!(text, code.describe(), "PROTOCOL.md's text for {code:?}");
        checked += 1;
    }
    // Codes 1..=44 and "other".
    assert_eq!(checked, 45, "rows checked");
}

/// Section 1's promise: every frame of the document starts with a byte a
/// server sniffs as natter, every byte an IRC line can start with (a
/// command's letter, `@`, `:`, or a space, CR or LF before it) is IRC's, and
/// every other byte is natter's, so an oversize length prefix is refused in
/// natter's words (section 2.1).
#[test]
fn natter_and_irc_are_told_apart_by_the_first_byte() {
    use natter_core::wire::{Protocol, sniff};
    for (line, bytes) in common::protocol_doc_examples() {
        assert_eq!(sniff(&bytes), Some(Protocol::Natter), "line {line}");
    }
    let irc_starts = |b: u8| b.is_ascii_alphabetic() || b"@: \r\n".contains(&b);
    for byte in 0..=u8::MAX {
        let expected = if irc_starts(byte) {
            Protocol::Irc
        } else {
            Protocol::Natter
        };
        match sniff(&[byte]) {
            // The first letter of an HTTP method waits for the next bytes.
            None => {
                assert!(b"GHPDOCT".contains(&byte), "{byte:#04x}");
                assert_eq!(sniff(&[byte, b'!']), Some(Protocol::Irc));
            }
            got => assert_eq!(got, Some(expected), "{byte:#04x}"),
        }
    }
    // Section 1: `GET ` and the other methods with their space are HTTP;
    // IRC's first lines are not.
    for http in [&b"GET / HTTP/1.1\r\n"[..], b"HEAD ", b"OPTIONS * HTTP/1.1"] {
        assert_eq!(sniff(http), Some(Protocol::Http));
    }
    for irc in [
        &b"CAP LS 302\r\n"[..],
        b"PASS x\r\n",
        b"NICK a\r\n",
        b"USER a",
        b"GETX",
    ] {
        assert_eq!(sniff(irc), Some(Protocol::Irc));
    }
    // The largest valid length prefix, 1022, starts with 0x03; the
    // smallest oversize one, 1023, too, and 1026 with 0x04.
    for len in [1022u16, 1023, 1026, u16::MAX] {
        assert_eq!(sniff(&len.to_be_bytes()), Some(Protocol::Natter), "{len}");
    }
}

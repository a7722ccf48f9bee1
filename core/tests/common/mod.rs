//! Shared by the integration tests that read docs/PROTOCOL.md.

/// docs/PROTOCOL.md, read at test time.
pub const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md");

/// The ```hex examples of docs/PROTOCOL.md: the line each starts on, and its
/// bytes.
pub fn protocol_doc_examples() -> Vec<(usize, Vec<u8>)> {
    let doc = std::fs::read_to_string(DOC_PATH).expect("docs/PROTOCOL.md");
    hex_blocks(&doc)
}

/// The ```hex blocks of the document: the line each starts on, and its bytes.
pub fn hex_blocks(doc: &str) -> Vec<(usize, Vec<u8>)> {
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

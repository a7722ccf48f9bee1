//! Replays the `web` fuzz target's committed inputs (`fuzz/seeds/web/`,
//! `fuzz/regressions/web/`) through its check, as `core/tests/fuzz_replay.rs`
//! does for the core's targets (docs/FUZZING.md). The seeds are written by
//! `seeds_match_their_sources` below from the requests in `SEEDS`.

#[path = "../../fuzz/src/web.rs"]
mod web;

use std::fs;
use std::path::{Path, PathBuf};

const FUZZ_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz");

/// A masked client frame, as a browser sends.
fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    natter_server::web::ws::client_frame(&mut out, fin, opcode, payload);
    out
}

fn upgrade(protocol: &str) -> Vec<u8> {
    format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:5555\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Origin: http://127.0.0.1:5555\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
    )
    .into_bytes()
}

/// The seeds: (name, first byte, bytes).
fn seeds() -> Vec<(&'static str, u8, Vec<u8>)> {
    let hello = [0x00, 0x07, 0x01, 0x01, 0x03, b'a', b'n', b'n', 0x00];
    let mut natter = upgrade("natter");
    natter.extend(frame(false, 0x2, &hello[..4]));
    natter.extend(frame(true, 0x9, b"ping"));
    natter.extend(frame(true, 0x0, &hello[4..]));
    natter.extend(frame(true, 0xa, b""));
    natter.extend(frame(true, 0x8, &[0x03, 0xe8, b'b', b'y', b'e']));
    let mut irc = upgrade("text.ircv3.net");
    irc.extend(frame(true, 0x1, b"NICK ann"));
    irc.extend(frame(false, 0x1, b"USER ann 0 *"));
    irc.extend(frame(true, 0x0, b" :Ann\r\n"));
    irc.extend(frame(true, 0x1, &[b'x'; 300]));
    let mut binary_irc = upgrade("binary.ircv3.net");
    binary_irc.extend(frame(true, 0x2, b"PING :x"));
    let mut garbage = upgrade("natter");
    garbage.extend([0xff; 40]);
    let mut unmasked = upgrade("natter");
    unmasked.extend([0x82, 0x02, 0x00, 0x00]);
    let mut too_big = upgrade("natter");
    too_big.extend([0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4]);
    let mut bad_utf8 = upgrade("text.ircv3.net");
    bad_utf8.extend(frame(true, 0x1, b"NICK \xff"));
    vec![
        (
            "get_index",
            3,
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /app.js HTTP/1.1\r\n\r\n".to_vec(),
        ),
        (
            "head_etag",
            64,
            b"HEAD /index.html HTTP/1.1\r\nIf-None-Match: W/\"1\", \"2\"\r\n\r\n".to_vec(),
        ),
        (
            "post",
            7,
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".to_vec(),
        ),
        (
            "bad_header",
            200,
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n".to_vec(),
        ),
        (
            "not_found_then_frames",
            0x80 | 5,
            [
                b"GET /nope HTTP/1.1\r\n\r\n".to_vec(),
                frame(true, 0x2, &hello),
            ]
            .concat(),
        ),
        (
            "raw_irc_frames",
            0xc0 | 9,
            [
                b"GET / HTTP/1.0\r\n\r\n".to_vec(),
                frame(true, 0x1, b"NICK a"),
            ]
            .concat(),
        ),
        ("ws_natter", 2, natter),
        (
            "ws_natter_bytewise",
            0,
            upgrade("natter")
                .into_iter()
                .chain(frame(true, 0x2, &hello))
                .collect(),
        ),
        ("ws_irc_text", 13, irc),
        ("ws_irc_binary", 130, binary_irc),
        ("ws_garbage", 6, garbage),
        ("ws_unmasked", 60, unmasked),
        ("ws_too_big", 61, too_big),
        ("ws_bad_utf8", 1, bad_utf8),
        ("ws_no_protocol", 9, upgrade("chat, superchat")),
        (
            "ws_bad_origin",
            9,
            String::from_utf8(upgrade("natter"))
                .unwrap()
                .replace("127.0.0.1:5555\r\nSec", "evil.example\r\nSec")
                .into_bytes(),
        ),
        ("partial", 4, b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec()),
    ]
}

fn inputs() -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    for kind in ["seeds", "regressions"] {
        let dir = Path::new(FUZZ_DIR).join(kind).join("web");
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        all.extend(paths.into_iter().map(|p| {
            let data = fs::read(&p).unwrap();
            (p, data)
        }));
    }
    all
}

#[test]
fn seeds_match_their_sources() {
    let dir = Path::new(FUZZ_DIR).join("seeds/web");
    let write = std::env::var_os("NATTER_WRITE_SEEDS").is_some();
    for (name, first, bytes) in seeds() {
        let data = [&[first][..], &bytes].concat();
        let path = dir.join(name);
        if write {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &data).unwrap();
        }
        assert_eq!(
            fs::read(&path).ok().as_deref(),
            Some(&data[..]),
            "{} is stale: NATTER_WRITE_SEEDS=1 cargo test -p natter-server --test fuzz_web",
            path.display()
        );
    }
}

#[test]
fn web_inputs() {
    let mut total = web::Stats::default();
    let inputs = inputs();
    assert!(!inputs.is_empty(), "no seeds in {FUZZ_DIR}/seeds/web");
    for (path, data) in inputs {
        let s = std::panic::catch_unwind(|| web::check(&data))
            .unwrap_or_else(|_| panic!("{} fails", path.display()));
        total.files += s.files;
        total.upgrades += s.upgrades;
        total.refusals += s.refusals;
        total.partial += s.partial;
        total.ws_bytes += s.ws_bytes;
        total.ws_refused += s.ws_refused;
        total.ws_closed += s.ws_closed;
        total.ws_open += s.ws_open;
        total.replies += s.replies;
    }
    // The seeds reach every way a request and a WebSocket can end.
    assert!(
        total.upgrades > 3 && total.refusals > 2 && total.partial > 0,
        "{total:?}"
    );
    assert!(
        total.ws_refused > 2 && total.ws_closed > 0 && total.ws_open > 0,
        "{total:?}"
    );
    assert!(total.ws_bytes > 50 && total.replies > 2, "{total:?}");
}

//! The browser page's codec (`server-std/web/codec.js`) against natter-core:
//! one protocol, two implementations, the same vectors.
//!
//! The vectors are every ```hex example of docs/PROTOCOL.md, a corpus the
//! core's encoder writes (every frame kind, with edge values: empty and
//! longest strings, non-ASCII and emoji, u64::MAX, every flag, error code
//! and role), and bytes the core refuses. Each goes into a JSON-lines file
//! with what the core makes of it (its `{frame:?}`, or its `DecodeError`);
//! `web/test/codec-check.mjs` must agree on every one, and encode every
//! frame back to the same bytes.
//!
//! Needs Node.js (`apt install nodejs`): without it the test fails, since a
//! skipped check would let the two codecs drift apart unseen. Linux only:
//! under Wine there is no Node.js to run, and the codec is the same script
//! whatever the server runs on.
#![cfg(unix)]

use std::fmt::Write as _;
use std::process::Command;

use natter_core::error::ErrorCode;
use natter_core::wire::{
    FLAG_ACTION, FLAG_ADD, FLAG_MORE, FLAG_NOTICE, FLAG_QUIT, FLAG_REMOVE, FLAG_REMOVED, Frame,
    MAX_FRAME_LEN, NickList, ROLE_TEACHER, Status, decode,
};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// One line of the vectors file.
struct Vector {
    name: String,
    bytes: Vec<u8>,
    /// The core's `{frame:?}`, or its `DecodeError` as `Err`.
    expected: Result<String, String>,
}

/// What the core makes of `bytes`: exactly one frame, or an error.
fn core_view(bytes: &[u8]) -> Result<String, String> {
    match decode(bytes) {
        Ok(Status::Complete((frame, used))) if used == bytes.len() => Ok(debug(&frame)),
        Ok(other) => panic!("{bytes:02x?} is not exactly one frame: {other:?}"),
        Err(e) => Err(format!("{e:?}")),
    }
}

/// The frame's Debug form, with a `Names` frame's nicknames as a list of
/// strings (its derived Debug shows the raw wire bytes of the list).
fn debug(frame: &Frame<'_>) -> String {
    match frame {
        Frame::Names {
            room,
            flags,
            nicks,
            roles,
        } => {
            let nicks: Vec<&str> = nicks.iter().collect();
            format!(
                "Names {{ room: {room:?}, flags: {flags}, nicks: {nicks:?}, roles: {roles:?} }}"
            )
        }
        other => format!("{other:?}"),
    }
}

/// The examples of docs/PROTOCOL.md, as core/tests/common/mod.rs reads them.
fn doc_examples() -> Vec<Vector> {
    let doc = std::fs::read_to_string(format!("{MANIFEST_DIR}/../docs/PROTOCOL.md"))
        .expect("docs/PROTOCOL.md");
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((start, line)) = lines.next() {
        if line.trim() != "```hex" {
            continue;
        }
        let mut bytes = Vec::new();
        for (_, line) in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            for pair in line.split_whitespace() {
                bytes.push(u8::from_str_radix(pair, 16).expect("a hex pair"));
            }
        }
        let expected = core_view(&bytes);
        assert!(
            expected.is_ok(),
            "PROTOCOL.md line {}: {expected:?}",
            start + 1
        );
        out.push(Vector {
            name: format!("PROTOCOL.md line {}", start + 1),
            bytes,
            expected,
        });
    }
    assert!(out.len() > 40, "only {} examples found", out.len());
    out
}

/// Frames the core's encoder writes: every kind, with edge values.
fn corpus() -> Vec<Vector> {
    let long_nick = "abcdefghijklmnopqrstuvwx"; // 24 bytes
    let cjk_nick = "日本語日本語日本"; // 8 characters, 24 bytes
    let long_room = "class-4b_class-4b_class4"; // 24 bytes
    let nicks = [
        "a",
        long_nick,
        "zoë",
        cjk_nick,
        "[bot]",
        "_x",
        "a-b",
        "Сергей",
        "\\`^{}|",
    ];
    let rooms = ["lobby", "4b", "café", long_room, "日本語", "Ελλάδα"];
    let max_text = "a".repeat(512);
    let accented_text = "é".repeat(256); // 512 bytes
    let max_short = "s".repeat(255);
    let texts: Vec<&str> = vec![
        "hi",
        "x",
        &max_text,
        &accented_text,
        "🎉👍😀 party",
        "family 👩‍👩‍👧 (joined by ZWJ)",
        "tab\there",
        "he said \"hi\" \\ ok, it's fine",
        "\u{feff}starts with a BOM",
        "cafe\u{301} (combining accent)",
        "non\u{a0}breaking, line\u{2028}separator, soft\u{ad}hyphen",
        "\u{1b}[31mred\u{1b}[0m and DEL \u{7f}",
        "right-to-left \u{202e}txet",
        "private use \u{e000}, unassigned \u{378}",
        "שלום عربي ไทย 한국어",
    ];
    let shorts: Vec<&str> = vec!["", "bye", &max_short, "zoë ☕", "m:bob!*@*"];
    let ids = [0u64, 1, 41, (1 << 53) + 1, u64::MAX];

    let mut frames: Vec<Frame<'_>> = Vec::new();
    for (i, &nick) in nicks.iter().enumerate() {
        let short = shorts[i % shorts.len()];
        frames.push(Frame::Hello {
            version: 1,
            nick,
            password: short,
        });
        frames.push(Frame::SetNick { nick });
        frames.push(Frame::NickSet { nick });
        frames.push(Frame::Welcome {
            version: 1,
            nick,
            lobby: ["", "lobby", long_room][i % 3],
            max_text: [512, 0, u16::MAX][i % 3],
        });
        frames.push(Frame::Whisper {
            tag: [0, 3, u32::MAX][i % 3],
            to: nick,
            flags: [0, FLAG_ACTION, FLAG_NOTICE, FLAG_ACTION | FLAG_NOTICE][i % 4],
            text: texts[i % texts.len()],
        });
        frames.push(Frame::Private {
            time: ids[i % ids.len()],
            from: nick,
            flags: (i % 4) as u8,
            text: texts[(i + 3) % texts.len()],
        });
    }
    for (i, &room) in rooms.iter().enumerate() {
        let id = ids[i % ids.len()];
        let short = shorts[i % shorts.len()];
        let nick = nicks[i % nicks.len()];
        frames.push(Frame::Join {
            room,
            epoch: [0, 0x6a3f_0001, u32::MAX][i % 3],
            since: id,
            key: short,
        });
        frames.push(Frame::Part {
            room,
            reason: short,
        });
        frames.push(Frame::SetTopic {
            room,
            topic: ["", "fractions", &max_text][i % 3],
        });
        frames.push(Frame::Left {
            room,
            reason: short,
        });
        frames.push(Frame::Entered {
            room,
            topic: ["", "fractions 🍕", &accented_text][i % 3],
            epoch: [1, u32::MAX][i % 2],
            next_id: id,
            members: [0, 3, u16::MAX][i % 3],
        });
        frames.push(Frame::Joined {
            room,
            id,
            time: id,
            nick,
        });
        frames.push(Frame::NickChanged {
            room,
            id,
            time: 1_760_000_000_000,
            old: nick,
            new: nicks[(i + 1) % nicks.len()],
        });
        frames.push(Frame::TopicChanged {
            room,
            id,
            time: id,
            by: nick,
            topic: ["", "🍕", &max_text][i % 3],
        });
        frames.push(Frame::Gap { room, missed: id });
        frames.push(Frame::Ack {
            tag: i as u32,
            room: if i == 0 { "" } else { room },
            id,
            time: u64::MAX - id,
        });
        frames.push(Frame::Invite { room, nick });
        frames.push(Frame::Invited {
            room,
            by: nick,
            nick: nicks[(i + 2) % nicks.len()],
        });
        frames.push(Frame::Kick {
            room,
            nick,
            reason: short,
        });
        frames.push(Frame::Kicked {
            room,
            id,
            time: id,
            by: nick,
            nick: nicks[(i + 4) % nicks.len()],
            reason: short,
        });
        frames.push(Frame::Redact {
            room,
            id,
            reason: short,
        });
        frames.push(Frame::Redacted {
            room,
            id,
            time: id,
            by: nick,
            target: ids[(i + 1) % ids.len()],
            from: nicks[(i + 5) % nicks.len()],
            reason: short,
        });
        frames.push(Frame::RoomState {
            room,
            modes: ["", "mt", "imtNP"][i % 3],
            limit: [0, 30, u16::MAX][i % 3],
            slow: [0, 5, 3600][i % 3],
            key: short,
        });
        frames.push(Frame::Listed {
            room,
            mode: b'b',
            mask: ["", "m:bob!*@*", "*!*@192.168.1.7"][i % 3],
        });
    }
    for (i, &text) in texts.iter().enumerate() {
        let room = rooms[i % rooms.len()];
        for flags in 0..4 {
            frames.push(Frame::Say {
                tag: [1, 0, u32::MAX][i % 3],
                room,
                flags,
                text,
            });
        }
        for flags in 0..8 {
            frames.push(Frame::Message {
                room,
                id: ids[i % ids.len()],
                time: ids[(i + 2) % ids.len()],
                from: nicks[i % nicks.len()],
                flags,
                text,
            });
        }
    }
    for flags in [0, FLAG_QUIT] {
        for &reason in &shorts {
            frames.push(Frame::Parted {
                room: "lobby",
                id: 7,
                time: 8,
                nick: "cat",
                flags,
                reason,
            });
        }
    }
    for &reason in &shorts {
        frames.push(Frame::Quit { reason });
        frames.push(Frame::Teach { password: reason });
    }
    for token in [0, 7, u32::MAX] {
        frames.push(Frame::Ping { token });
        frames.push(Frame::Pong { token });
    }
    // Every error code the core names, and unknown ones.
    for byte in 0..=u8::MAX {
        let code = ErrorCode::from_u8(byte);
        if byte <= 45 || byte == u8::MAX {
            frames.push(Frame::Error {
                code,
                tag: u32::from(byte),
                subject: shorts[usize::from(byte) % shorts.len()],
            });
            frames.push(Frame::Bye {
                code,
                reason: "no reply to ping",
            });
        }
    }
    for flags in [0, FLAG_ADD, FLAG_REMOVE, FLAG_ADD | FLAG_REMOVE] {
        for (mode, arg) in [
            (0u8, ""),
            (b'm', ""),
            (b'b', "m:bob"),
            (b'S', "30"),
            (255, "x"),
        ] {
            frames.push(Frame::Mode {
                room: "lobby",
                flags,
                mode,
                arg,
            });
            frames.push(Frame::ModeChanged {
                room: "maths",
                id: 42,
                time: 1_760_000_000_000,
                by: "ms-lee",
                flags,
                mode,
                arg,
            });
        }
    }
    frames.push(Frame::YouAre { roles: 0 });
    frames.push(Frame::YouAre {
        roles: ROLE_TEACHER,
    });
    // Names: empty; every role byte; fewer and more roles than names; the
    // largest frame of version 1 (32 names of 24 bytes).
    let all_roles: Vec<u8> = (0..16).collect();
    let sixteen: Vec<&str> = (0..16).map(|i| nicks[i % nicks.len()]).collect();
    let biggest: Vec<String> = (0..32).map(|i| format!("{long_nick:.22}{i:02}")).collect();
    let biggest: Vec<&str> = biggest.iter().map(String::as_str).collect();
    let thirty_two_roles = [0x03u8; 32];
    let names: [(&[&str], &[u8]); 5] = [
        (&[], &[]),
        (&sixteen, &all_roles),
        (&nicks, &[3, 0, 4]),
        (&["ann"], &[1, 2, 4, 8]),
        (&biggest, &thirty_two_roles),
    ];
    for (i, (list, roles)) in names.into_iter().enumerate() {
        frames.push(Frame::Names {
            room: rooms[i % rooms.len()],
            flags: if i % 2 == 0 { 0 } else { FLAG_MORE },
            nicks: NickList::Slice(list),
            roles,
        });
    }
    let _ = FLAG_REMOVED; // covered by Message's flags 0..8

    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let mut buf = [0u8; MAX_FRAME_LEN];
            let n = frame
                .encode(&mut buf)
                .unwrap_or_else(|e| panic!("corpus frame {i} {frame:?}: {e}"));
            let bytes = buf[..n].to_vec();
            let expected = core_view(&bytes);
            assert_eq!(expected.as_deref(), Ok(debug(frame).as_str()));
            Vector {
                name: format!("corpus {i} ({})", debug(frame).split(' ').next().unwrap()),
                bytes,
                expected,
            }
        })
        .collect()
}

/// A frame of `kind` with this body, its length prefix computed.
fn raw(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len() + 1).unwrap();
    let mut out = len.to_be_bytes().to_vec();
    out.push(kind);
    out.extend_from_slice(body);
    out
}

/// Bytes the core refuses, one for each way a frame can be bad.
fn invalid() -> Vec<Vector> {
    let ping = |rest: &[u8]| raw(0x09, rest);
    let set_nick = |nick: &[u8]| {
        let mut body = vec![nick.len() as u8];
        body.extend_from_slice(nick);
        raw(0x06, &body)
    };
    let say = |flags: u8, text: &[u8]| {
        let mut body = vec![0, 0, 0, 1, 5];
        body.extend_from_slice(b"lobby");
        body.push(flags);
        body.extend_from_slice(&(text.len() as u16).to_be_bytes());
        body.extend_from_slice(text);
        raw(0x04, &body)
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty frame", vec![0, 0]),
        ("unknown kind 0x00", raw(0x00, &[])),
        ("unknown kind 0x10", raw(0x10, &[1, 2])),
        ("unknown kind 0x40", raw(0x40, &[])),
        ("unknown kind 0x57", raw(0x57, &[])),
        ("unknown kind 0xff", raw(0xff, &[0; 8])),
        ("truncated ping", ping(&[0, 0, 7])),
        ("trailing byte", ping(&[0, 0, 0, 7, 0xff])),
        ("over the limit", vec![0x03, 0xff]),
        ("far over the limit", vec![0xff, 0xff, 0x09]),
        ("invalid UTF-8", set_nick(&[0xff])),
        ("overlong UTF-8", set_nick(b"a\xc0\xaf")),
        ("UTF-8 surrogate", say(0, b"\xed\xa0\x80")),
        ("truncated UTF-8", say(0, b"ok\xe2\x82")),
        ("nick starting with a digit", set_nick(b"2bob")),
        ("nick of 25 bytes", set_nick(b"abcdefghijklmnopqrstuvwxy")),
        ("nick with an emoji", set_nick("ann☺".as_bytes())),
        ("empty nick", set_nick(b"")),
        ("room with #", raw(0x03, b"\x06#lobby\x00")),
        (
            "empty room",
            raw(0x02, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ),
        ("empty text", say(0, b"")),
        ("text with LF", say(0, b"two\nlines")),
        ("text of 513 bytes", say(0, &[b'a'; 513])),
        ("reason with NUL", raw(0x08, b"\x03a\x00b")),
        ("undefined Say flag", say(0x04, b"hi")),
        ("undefined Parted flag", {
            let mut body = b"\x05lobby".to_vec();
            body.extend_from_slice(&[0; 16]);
            body.extend_from_slice(b"\x03cat\x02\x00");
            raw(0x47, &body)
        }),
        (
            "undefined role bit",
            raw(0x43, b"\x05lobby\x00\x01\x03ann\x01\x10"),
        ),
        ("undefined YouAre bit", raw(0x53, &[0x02])),
        ("Names cut short", raw(0x43, b"\x05lobby\x00\x02\x03ann")),
        ("Hello of version 2", raw(0x01, b"\x02\x03ann\x00")),
        (
            "Welcome of version 0",
            raw(0x41, b"\x00\x03ann\x00\x02\x00"),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, bytes)| {
            let expected = core_view(&bytes);
            assert!(expected.is_err(), "{name}: the core accepts it");
            Vector {
                name: name.to_owned(),
                bytes,
                expected,
            }
        })
        .collect()
}

/// `s` as a JSON string.
fn json(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                write!(out, "\\u{:04x}", u32::from(c)).unwrap();
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_page_codec_agrees_with_the_core() {
    let vectors: Vec<Vector> = [doc_examples(), corpus(), invalid()]
        .into_iter()
        .flatten()
        .collect();
    let mut lines = String::new();
    for v in &vectors {
        let (key, value) = match &v.expected {
            Ok(debug) => ("debug", debug),
            Err(error) => ("error", error),
        };
        writeln!(
            lines,
            "{{\"name\": {}, \"hex\": \"{}\", \"{key}\": {}}}",
            json(&v.name),
            hex(&v.bytes),
            json(value)
        )
        .unwrap();
    }
    let path = std::env::temp_dir().join(format!("natter-web-codec-{}.jsonl", std::process::id()));
    std::fs::write(&path, lines).expect("write the vectors");

    let script = format!("{MANIFEST_DIR}/web/test/codec-check.mjs");
    let output = Command::new("node").arg(&script).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let output = output.unwrap_or_else(|e| {
        panic!(
            "cannot run `node` ({e}): the page's codec is checked with Node.js; \
             install it (Debian/Ubuntu: `sudo apt install nodejs`) and run the test again"
        )
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "codec-check.mjs failed:\n{stdout}\n{stderr}"
    );
    let want = format!("{} vectors passed", vectors.len());
    assert!(
        stdout.lines().any(|l| l.trim() == want),
        "expected {want:?}, got:\n{stdout}\n{stderr}"
    );
}

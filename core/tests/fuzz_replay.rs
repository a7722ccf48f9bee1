//! Replays every committed fuzz input with the fuzz targets' own checks, so
//! an ordinary `cargo test` keeps each crash ever found fixed and each seed
//! passing, without cargo-fuzz or a nightly toolchain.
//!
//! For each target `decode`, `roundtrip`, `chunked`, `room`, `irc_line` and
//! `irc_room`, every file
//! in `fuzz/seeds/<target>/` (hand-made starting points) and in
//! `fuzz/regressions/<target>/` (crashes found, kept after the fix) goes
//! through `natter_fuzz::<target>::check`, the function the fuzz target
//! calls. The checks live in `fuzz/src/` and are compiled into this test
//! from there (see `fuzz/src/lib.rs` for why), so a file means the same
//! thing here as under libFuzzer.
//!
//! `NATTER_WRITE_SEEDS=1 cargo test -p natter-core --test fuzz_replay`
//! rewrites the decode, chunked, room and irc_room seeds (from
//! `docs/PROTOCOL.md`'s examples and the scripts in `fuzz/src/room/seeds.rs` and
//! `fuzz/src/irc_room/seeds.rs`); see `docs/FUZZING.md`.

mod common;
#[path = "../../fuzz/src/lib.rs"]
mod fuzz;

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

use natter_core::error::ErrorCode;
use natter_core::wire::{FLAG_ACTION, Frame, MAX_FRAME_LEN, NickList, Status, VERSION, decode};

const FUZZ_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz");

/// The committed inputs of a target: seeds first, then regressions, each
/// sorted by name.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    for kind in ["seeds", "regressions"] {
        let dir = Path::new(FUZZ_DIR).join(kind).join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.expect("fuzz input directory entry").path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
            .collect();
        paths.sort();
        all.extend(paths.into_iter().map(|p| {
            let data = fs::read(&p).expect("fuzz input");
            (p, data)
        }));
    }
    assert!(
        all.iter()
            .any(|(p, _)| p.components().any(|c| c.as_os_str() == "seeds")),
        "no seeds for {target} in {FUZZ_DIR}/seeds/{target}"
    );
    all
}

/// Run `check` on every input of `target`, naming the file that fails.
fn replay<T>(target: &str, check: impl Fn(&[u8]) -> T) -> Vec<(PathBuf, T)> {
    inputs(target)
        .into_iter()
        .map(|(path, data)| {
            let out = panic::catch_unwind(panic::AssertUnwindSafe(|| check(&data)));
            match out {
                Ok(out) => (path, out),
                Err(e) => {
                    let why = e
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| e.downcast_ref::<&str>().copied())
                        .unwrap_or("(no message)");
                    panic!("{} fails: {why}", path.display());
                }
            }
        })
        .collect()
}

#[test]
fn decode_inputs() {
    let outcomes = replay("decode", fuzz::decode::check);
    // The seeds reach every way decoding can end.
    assert!(outcomes.iter().any(|(_, o)| o.frames > 1));
    assert!(outcomes.iter().any(|(_, o)| o.skipped > 0));
    assert!(outcomes.iter().any(|(_, o)| o.fatal));
    assert!(outcomes.iter().any(|(_, o)| o.partial > 0));
}

#[test]
fn roundtrip_inputs() {
    let outcomes = replay("roundtrip", fuzz::roundtrip::check);
    // Together the seeds round-trip a frame of every kind (the input's
    // meaning follows `arbitrary`'s layout; if a new version changes it,
    // this fails and the seeds must be picked again: docs/FUZZING.md).
    let kinds = outcomes.iter().fold(0, |k, (_, o)| k | o.kinds);
    let want: u128 = (0x01..=0x0f)
        .chain(0x41..=0x56)
        .fold(0, |k, kind| k | 1 << kind);
    assert_eq!(
        kinds & want,
        want,
        "no roundtrip seed for kinds {:#x}",
        want & !kinds
    );
    assert!(outcomes.iter().any(|(_, o)| o.refused > 0));
}

#[test]
fn irc_line_inputs() {
    let outcomes = replay("irc_line", fuzz::irc_line::check);
    // The seeds reach messages, refused lines and overlong ones.
    assert!(outcomes.iter().any(|(_, o)| o.messages > 5));
    assert!(outcomes.iter().any(|(_, o)| o.refused > 0));
    assert!(outcomes.iter().any(|(_, o)| o.too_long > 0));
}

#[test]
fn chunked_inputs() {
    let outcomes = replay("chunked", fuzz::chunked::check);
    assert!(outcomes.iter().any(|(_, items)| items.len() > 20));
}

#[test]
fn room_inputs() {
    let outcomes = replay("room", fuzz::room::check);
    for (p, s) in &outcomes {
        eprintln!("{}: {s:?}", p.display());
    }
    let mut total = fuzz::room::Stats::default();
    for (_, s) in &outcomes {
        total += *s;
    }
    // The seeds still mean sessions, not noise (if the script layout
    // changes, rewrite them with `NATTER_WRITE_SEEDS=1`).
    assert!(total.events > 50, "{total:?}");
    assert!(total.gaps > 0, "{total:?}");
    assert!(total.resumes > 0, "{total:?}");
    assert!(total.acks > 0 && total.errors > 0, "{total:?}");
    assert!(total.contents > 0, "{total:?}");
    assert!(total.closes > 0 && total.refused_connects > 0, "{total:?}");
    assert!(total.departures > 0, "{total:?}");
    // And the lessons reach the controls: a teacher, refusals, kicks, and
    // messages, mode changes and room states judged against the roles.
    assert!(total.teachers > 0 && total.kicked > 0, "{total:?}");
    assert!(total.refused_by_controls > 0, "{total:?}");
    assert!(
        total.messages_judged > 0 && total.controls_judged > 0,
        "{total:?}"
    );
    assert!(total.states_compared > 0, "{total:?}");
}

#[test]
fn irc_room_inputs() {
    let outcomes = replay("irc_room", |data| {
        fuzz::irc_room::check(data).unwrap_or_else(|e| panic!("{e}"))
    });
    for (p, s) in &outcomes {
        eprintln!("{}: {s:?}", p.display());
    }
    let mut total = fuzz::irc_room::Stats::default();
    for (_, s) in &outcomes {
        total += *s;
    }
    // The seeds reach every way across, long texts split, history,
    // whispers, gaps, and bad lines of every kind (if the script layout
    // changes, rewrite them with `NATTER_WRITE_SEEDS=1`).
    assert!(
        total.irc_to_natter > 0 && total.natter_to_irc > 0,
        "{total:?}"
    );
    assert!(total.irc_to_irc > 0 && total.cross_actions > 0, "{total:?}");
    assert!(total.split > 0 && total.history > 0, "{total:?}");
    assert!(total.privates > 0 && total.gaps > 0, "{total:?}");
    assert!(total.unparsed > 0 && total.too_long > 0, "{total:?}");
    assert!(total.irc_welcomes > 0 && total.closes > 0, "{total:?}");
    // And every capability: ACK and NAK, echoes and refusals without
    // one, replay as timed lines in batches, tags, quits shown and
    // merged, parts.
    assert!(total.caps_acked > 0 && total.caps_naked > 0, "{total:?}");
    assert!(total.echoes > 0 && total.echoes_refused > 0, "{total:?}");
    assert!(total.timed_history > 0 && total.batches > 0, "{total:?}");
    assert!(total.timed > 0 && total.msgids > 0, "{total:?}");
    assert!(
        total.quits > 0 && total.quits_merged > 0 && total.parts > 0,
        "{total:?}"
    );
}

/// The irc_room seed scripts read back as written.
#[test]
fn irc_room_scripts_round_trip() {
    for (name, script) in fuzz::irc_room::seed_scripts() {
        assert_eq!(
            fuzz::irc_room::Script::parse(&script.to_bytes()),
            script,
            "{name}"
        );
    }
}

/// The room seed scripts read back as written.
#[test]
fn room_scripts_round_trip() {
    for (name, script) in fuzz::room::seed_scripts() {
        assert_eq!(
            fuzz::room::Script::parse(&script.to_bytes()),
            script,
            "{name}"
        );
    }
}

// ----- writing the seeds ---------------------------------------------------

/// The ```hex examples of docs/PROTOCOL.md, with the line each starts on.
fn doc_examples() -> Vec<(usize, Vec<u8>)> {
    common::protocol_doc_examples()
}

/// The frame kind's name, in lower case, for file names.
fn kind_name(bytes: &[u8]) -> String {
    match decode(bytes) {
        Ok(Status::Complete((frame, _))) => format!("{frame:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap_or("frame")
            .to_lowercase(),
        _ => "bad".to_string(),
    }
}

fn encoded(frame: &Frame<'_>) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = frame.encode(&mut buf).expect("seed frame encodes");
    buf[..n].to_vec()
}

/// A frame of `body` behind a length prefix that fits it.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// Hand-made decoder edge cases.
fn decode_edge_cases() -> Vec<(&'static str, Vec<u8>)> {
    let nicks: Vec<String> = (0..32).map(|i| format!("n{i:0>22}")).collect();
    let nicks: Vec<&str> = nicks.iter().map(String::as_str).collect();
    let names = encoded(&Frame::Names {
        room: "lobby",
        flags: 1,
        nicks: NickList::Slice(&nicks),
        roles: &[],
    });
    let long_text = "x".repeat(512);
    let say_max = encoded(&Frame::Say {
        tag: u32::MAX,
        room: "zoë",
        flags: FLAG_ACTION,
        text: &long_text,
    });
    let mut say_513 = vec![
        0x04, 0, 0, 0, 1, 5, b'l', b'o', b'b', b'b', b'y', 0, 0x02, 0x01,
    ];
    say_513.extend(std::iter::repeat_n(b'x', 513));
    let mut max_len = vec![0x03, 0xfe, 0x33];
    max_len.extend(std::iter::repeat_n(0u8, 1021));
    let mut over_by_one = vec![0x03, 0xff, 0x01];
    over_by_one.extend(std::iter::repeat_n(0u8, 1022));
    let reason = "r".repeat(255);
    let bye = encoded(&Frame::Bye {
        code: ErrorCode::Other(200),
        reason: &reason,
    });
    vec![
        ("empty_input", vec![]),
        ("one_byte", vec![0x00]),
        ("empty_frame", vec![0x00, 0x00]),
        (
            "empty_frame_then_ping",
            [&[0u8, 0][..], &[0, 5, 9, 0, 0, 0, 7]].concat(),
        ),
        ("oversize_prefix", vec![0x03, 0xff, 0x01]),
        ("max_prefix", vec![0xff, 0xff, 1, 2, 3]),
        ("max_length_frame", max_len),
        ("over_by_one", over_by_one),
        (
            "partial_header_after_frame",
            vec![0, 5, 9, 0, 0, 0, 7, 0x00],
        ),
        ("partial_body", vec![0, 5, 9, 0, 0]),
        ("unknown_kind", framed(&[0x33])),
        ("bad_utf8_nick", framed(&[0x06, 0x02, 0xc3, 0x28])),
        ("bad_nick", framed(&[0x06, 0x02, b'9', b'x'])),
        (
            "bad_room",
            framed(&[0x44, 0x06, b'#', b'l', b'o', b'b', b'b', b'y']),
        ),
        (
            "text_with_newline",
            framed(&[0x04, 0, 0, 0, 1, 1, b'a', 0, 0, 2, b'h', b'\n']),
        ),
        ("empty_text", framed(&[0x04, 0, 0, 0, 1, 1, b'a', 0, 0, 0])),
        ("text_513", framed(&say_513)),
        (
            "bad_flags",
            framed(&[0x04, 0, 0, 0, 1, 1, b'a', 0x02, 0, 1, b'x']),
        ),
        ("truncated_field", framed(&[0x09, 0, 0, 0])),
        ("trailing_bytes", framed(&[0x09, 0, 0, 0, 7, 0])),
        ("wrong_version", framed(&[0x01, 0x02, 0x01, b'a', 0x00])),
        ("names_truncated", framed(&[0x43, 1, b'a', 0, 2, 1, b'b'])),
        ("names_32_long", names),
        ("say_512", say_max),
        ("bye_unknown_code_long_reason", bye),
        (
            "welcome_empty_lobby",
            encoded(&Frame::Welcome {
                version: VERSION,
                nick: "{BOT}",
                lobby: "",
                max_text: u16::MAX,
            }),
        ),
    ]
}

/// The decode, chunked, room and irc_room seeds are generated from
/// PROTOCOL.md's examples, the edge cases above and the scripts: this fails
/// when the committed files no longer match their sources. With
/// `NATTER_WRITE_SEEDS=1` it rewrites them instead.
#[test]
fn seeds_match_their_sources() {
    let seeds = Path::new(FUZZ_DIR).join("seeds");
    let rewrite = std::env::var_os("NATTER_WRITE_SEEDS").is_some();
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = seeds.join(target);
        if rewrite {
            fs::create_dir_all(&dir).expect("seed directory");
            fs::write(dir.join(name), bytes).expect("seed file");
        } else {
            let committed = fs::read(dir.join(name)).unwrap_or_default();
            assert!(
                committed == bytes,
                "fuzz/seeds/{target}/{name} is out of date: run NATTER_WRITE_SEEDS=1 cargo test -p natter-core --test fuzz_replay"
            );
        }
    };
    let examples = doc_examples();
    let all: Vec<u8> = examples
        .iter()
        .flat_map(|(_, b)| b.iter().copied())
        .collect();

    // decode: each example of the protocol document, all of them in a row,
    // and the edge cases.
    for (i, (_, bytes)) in examples.iter().enumerate() {
        let name = format!("doc_{:02}_{}", i + 1, kind_name(bytes));
        write("decode", &name, bytes);
    }
    write("decode", "doc_all", &all);
    let edges = decode_edge_cases();
    for (name, bytes) in &edges {
        write("decode", name, bytes);
    }

    // chunked: [k][k chunk sizes][stream], each size byte b a read of b + 1.
    let chunked = |sizes: &[u8], stream: &[u8]| {
        let mut v = vec![sizes.len() as u8];
        v.extend_from_slice(sizes);
        v.extend_from_slice(stream);
        v
    };
    write("chunked", "doc_all_whole", &chunked(&[], &all));
    write("chunked", "doc_all_one_byte", &chunked(&[0], &all));
    write(
        "chunked",
        "doc_all_mixed",
        &chunked(&[1, 6, 0, 200, 2], &all),
    );
    let mut bad: Vec<u8> = Vec::new();
    for (name, bytes) in &edges {
        if !name.contains("prefix") && !name.contains("over_by_one") && !name.contains("partial") {
            bad.extend_from_slice(bytes);
        }
    }
    write("chunked", "bad_frames_one_byte", &chunked(&[0], &bad));
    write("chunked", "bad_frames_odd", &chunked(&[2, 4, 254], &bad));
    let mut fatal = all[..40].to_vec();
    fatal.extend_from_slice(&[0x04, 0x00, 1, 2, 3]);
    write(
        "chunked",
        "oversize_after_frames",
        &chunked(&[0, 255, 3], &fatal),
    );
    write(
        "chunked",
        "ends_mid_frame",
        &chunked(&[3], &all[..all.len() - 5]),
    );

    // room: the scripts, and a client sending every example of the
    // document as raw bytes.
    for (name, script) in fuzz::room::seed_scripts() {
        write("room", name, &script.to_bytes());
    }
    use fuzz::room::{Op, Script, Setup, Step};
    let mut steps = vec![Step {
        op: Op::Login(0, 0),
        more: false,
    }];
    for (_, bytes) in &examples {
        steps.push(Step {
            op: Op::Raw(0, 0, bytes.clone()),
            more: false,
        });
    }
    let script = Script {
        setup: Setup {
            flags: 0x80,
            limits: 0,
        },
        steps,
    };
    write("room", "doc_examples", &script.to_bytes());

    // irc_room: its scripts.
    for (name, script) in fuzz::irc_room::seed_scripts() {
        write("irc_room", name, &script.to_bytes());
    }
}

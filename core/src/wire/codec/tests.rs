//! Table tests: every frame kind round-trips, and every kind of bad input
//! gives its own error.

use super::*;
use crate::wire::frames::KINDS;
use crate::wire::{
    FLAG_ACTION, FLAG_ADD, FLAG_MORE, FLAG_QUIT, FLAG_REMOVE, MAX_NICK, ROLE_OPERATOR, ROLE_TEACHER,
};

/// One frame of each kind, with fields at interesting values.
fn samples() -> [Frame<'static>; 37] {
    const NAMES: &[&str] = &["ann", "Zoë", "[bot]"];
    [
        Frame::Hello {
            version: VERSION,
            nick: "ann",
            password: "",
        },
        Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        },
        Frame::Part {
            room: "lobby",
            reason: "lunch",
        },
        Frame::Say {
            tag: 1,
            room: "lobby",
            flags: 0,
            text: "hello ☺",
        },
        Frame::Whisper {
            tag: u32::MAX,
            to: "bob",
            flags: FLAG_ACTION,
            text: "waves",
        },
        Frame::SetNick { nick: "ann_2" },
        Frame::Teach { password: "s3cret" },
        Frame::Mode {
            room: "lobby",
            flags: FLAG_ADD,
            mode: b'b',
            arg: "m:bob!*@*",
        },
        Frame::Kick {
            room: "lobby",
            nick: "bob",
            reason: "spam",
        },
        Frame::Invite {
            room: "maths",
            nick: "cat",
        },
        Frame::Redact {
            room: "lobby",
            id: 41,
            reason: "not kind",
        },
        Frame::Redacted {
            room: "lobby",
            id: 42,
            time: 1_700_000_000_002,
            by: "ms-lee",
            target: 41,
            from: "bob",
            reason: "",
        },
        Frame::ModeChanged {
            room: "lobby",
            id: 9,
            time: 1_700_000_000_000,
            by: "ms-lee",
            flags: FLAG_REMOVE,
            mode: b'v',
            arg: "bob",
        },
        Frame::Kicked {
            room: "lobby",
            id: 10,
            time: 1_700_000_000_001,
            by: "ms-lee",
            nick: "bob",
            reason: "",
        },
        Frame::RoomState {
            room: "lobby",
            modes: "mt",
            limit: 30,
            slow: 5,
            key: "",
        },
        Frame::YouAre {
            roles: ROLE_TEACHER,
        },
        Frame::Listed {
            room: "lobby",
            mode: b'b',
            mask: "",
        },
        Frame::Invited {
            room: "maths",
            by: "ms-lee",
            nick: "cat",
        },
        Frame::SetTopic {
            room: "lobby",
            topic: "",
        },
        Frame::Quit { reason: "bye" },
        Frame::Ping { token: 0 },
        Frame::Pong { token: 9 },
        Frame::Welcome {
            version: VERSION,
            nick: "ann",
            lobby: "lobby",
            max_text: 512,
        },
        Frame::Entered {
            room: "lobby",
            topic: "maths",
            epoch: 1,
            next_id: 42,
            members: 3,
        },
        Frame::Names {
            room: "lobby",
            flags: FLAG_MORE,
            nicks: NickList::Slice(NAMES),
            roles: &[ROLE_OPERATOR],
        },
        Frame::Left {
            room: "lobby",
            reason: "bye",
        },
        Frame::Message {
            room: "lobby",
            id: 1,
            time: 1_700_000_000_000,
            from: "bob",
            flags: 0,
            text: "hi",
        },
        Frame::Joined {
            room: "lobby",
            id: u64::MAX,
            time: 0,
            nick: "bob",
        },
        Frame::Parted {
            room: "lobby",
            id: 3,
            time: 4,
            nick: "bob",
            flags: FLAG_QUIT,
            reason: "",
        },
        Frame::NickChanged {
            room: "lobby",
            id: 5,
            time: 6,
            old: "bob",
            new: "robert",
        },
        Frame::TopicChanged {
            room: "lobby",
            id: 7,
            time: 8,
            by: "ann",
            topic: "fractions",
        },
        Frame::Private {
            time: 9,
            from: "ann",
            flags: 0,
            text: "psst",
        },
        Frame::Ack {
            tag: 1,
            room: "",
            id: 0,
            time: 10,
        },
        Frame::Gap {
            room: "lobby",
            missed: 12,
        },
        Frame::NickSet { nick: "robert" },
        Frame::Error {
            code: ErrorCode::NickTaken,
            tag: 0,
            subject: "bob",
        },
        Frame::Bye {
            code: ErrorCode::ShuttingDown,
            reason: "class is over",
        },
    ]
}

fn encode_vec(frame: &Frame<'_>) -> heapless::Vec<u8, MAX_FRAME_LEN> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = frame.encode(&mut buf).unwrap();
    assert_eq!(frame.encoded_len(), Ok(n));
    heapless::Vec::from_slice(&buf[..n]).unwrap()
}

#[test]
fn every_kind_round_trips() {
    let mut kinds = heapless::Vec::<u8, 64>::new();
    for frame in samples() {
        let bytes = encode_vec(&frame);
        assert_eq!(
            decode(&bytes),
            Ok(Status::Complete((frame, bytes.len()))),
            "{frame:?}"
        );
        kinds.push(frame.kind()).unwrap();
    }
    // Each sample is a different kind, so the table covers them all.
    kinds.sort_unstable();
    assert!(
        kinds.windows(2).all(|w| w[0] < w[1]),
        "two samples share a kind"
    );
}

/// Driven by the frame table itself: each kind it lists has a sample that
/// decodes and re-encodes to the same bytes (also by the unchecked path the
/// hub uses), and every kind byte it does not list is unknown.
#[test]
fn every_kind_in_the_table_round_trips_and_no_other_decodes() {
    let samples = samples();
    assert_eq!(
        samples.len(),
        KINDS.len(),
        "one sample per row of the table"
    );
    for &kind in KINDS {
        let Some(sample) = samples.iter().find(|f| f.kind() == kind) else {
            panic!("no sample of kind {kind:#04x}")
        };
        let bytes = encode_vec(sample);
        let Ok(Status::Complete((decoded, used))) = decode(&bytes) else {
            panic!("{sample:?} does not decode")
        };
        assert_eq!((decoded.kind(), used), (kind, bytes.len()));
        assert_eq!(
            encode_vec(&decoded),
            bytes,
            "{decoded:?} re-encodes differently"
        );
        let mut trusted = [0u8; MAX_FRAME_LEN];
        let trusted = &mut trusted[..decoded.trusted_len()];
        decoded.write_trusted(trusted);
        assert_eq!(&trusted[..], &bytes[..], "{decoded:?} written unchecked");
    }
    for kind in (0..=u8::MAX).filter(|k| !KINDS.contains(k)) {
        assert_eq!(
            decode(&[0x00, 0x01, kind]),
            Err(DecodeError::UnknownKind(kind))
        );
    }
}

#[test]
fn every_prefix_is_partial() {
    for frame in samples() {
        let bytes = encode_vec(&frame);
        for cut in 0..bytes.len() {
            match decode(&bytes[..cut]) {
                Ok(Status::Partial { needed }) => {
                    assert!(needed >= 1 && cut + needed <= bytes.len())
                }
                other => panic!("{frame:?} cut at {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn frames_back_to_back_decode_one_at_a_time() {
    let mut stream = heapless::Vec::<u8, 4096>::new();
    for frame in samples() {
        stream.extend_from_slice(&encode_vec(&frame)).unwrap();
    }
    let mut rest = &stream[..];
    for frame in samples() {
        let Ok(Status::Complete((got, used))) = decode(rest) else {
            panic!("{rest:?}")
        };
        assert_eq!(got, frame);
        rest = &rest[used..];
    }
    assert!(rest.is_empty());
}

/// `bytes` (a whole frame) decodes to `err`.
macro_rules! bad {
    ($name:ident, $bytes:expr, $err:expr) => {
        #[test]
        fn $name() {
            let bytes: &[u8] = &$bytes;
            assert_eq!(decode(bytes), Err($err));
        }
    };
}

bad!(
    too_long,
    [0x04, 0x00],
    DecodeError::FrameTooLong { len: 1026 }
);
bad!(
    max_len_prefix,
    [0xff, 0xff, 0x01],
    DecodeError::FrameTooLong { len: 65537 }
);
bad!(empty, [0x00, 0x00], DecodeError::EmptyFrame);
bad!(
    unknown_kind,
    [0x00, 0x01, 0x20],
    DecodeError::UnknownKind(0x20)
);
bad!(
    server_kind_gap,
    [0x00, 0x01, 0x57],
    DecodeError::UnknownKind(0x57)
);
bad!(
    truncated_int,
    [0x00, 0x03, 0x09, 0x00, 0x00],
    DecodeError::Truncated
);
bad!(
    truncated_string,
    [0x00, 0x05, 0x06, 0x05, b'a', b'b', b'c'],
    DecodeError::Truncated
);
bad!(
    trailing,
    [0x00, 0x06, 0x09, 0, 0, 0, 1, 0xAA],
    DecodeError::TrailingBytes
);
bad!(
    bad_utf8,
    [0x00, 0x04, 0x06, 0x02, 0xC3, 0x28],
    DecodeError::BadUtf8
);
bad!(
    bad_nick_digit,
    [0x00, 0x04, 0x06, 0x02, b'2', b'b'],
    DecodeError::BadNick
);
bad!(
    bad_nick_empty,
    [0x00, 0x02, 0x06, 0x00],
    DecodeError::BadNick
);
bad!(
    bad_room,
    [0x00, 0x0c, 0x02, 0x01, b'#', 0, 0, 0, 0, 0, 0, 0, 0, 0],
    DecodeError::BadRoom
);
bad!(
    unsupported_version,
    [0x00, 0x06, 0x01, 0x07, 0x01, b'a', 0x00, 0x00],
    DecodeError::UnsupportedVersion(7)
);
bad!(
    empty_text,
    [0x00, 0x0a, 0x04, 0, 0, 0, 1, 0x01, b'a', 0x00, 0x00, 0x00],
    DecodeError::BadText
);
bad!(
    newline_in_text,
    [
        0x00, 0x0b, 0x04, 0, 0, 0, 1, 0x01, b'a', 0x00, 0x00, 0x01, b'\n'
    ],
    DecodeError::BadText
);
bad!(
    undefined_flag,
    [
        0x00, 0x0b, 0x04, 0, 0, 0, 1, 0x01, b'a', 0x80, 0x00, 0x01, b'x'
    ],
    DecodeError::BadFlags
);

#[test]
fn text_over_the_limit_is_bad_text() {
    let long = [b'x'; MAX_TEXT + 1];
    let text = core::str::from_utf8(&long).unwrap();
    let frame = Frame::Say {
        tag: 0,
        room: "a",
        flags: 0,
        text,
    };
    assert_eq!(
        frame.encoded_len(),
        Err(EncodeError::Invalid(DecodeError::BadText))
    );
    // Hand-build the frame to check the decoder refuses it too.
    let mut buf = [0u8; MAX_FRAME_LEN];
    let body = 1 + 4 + 2 + 1 + 2 + long.len();
    buf[..2].copy_from_slice(&(body as u16).to_be_bytes());
    buf[2..12].copy_from_slice(&[0x04, 0, 0, 0, 0, 1, b'a', 0, 0x02, 0x01]);
    buf[12..12 + long.len()].copy_from_slice(&long);
    assert_eq!(decode(&buf[..2 + body]), Err(DecodeError::BadText));
}

#[test]
fn encode_leaves_buffer_untouched_on_error() {
    let mut buf = [0xEEu8; 8];
    let too_big = Frame::Message {
        room: "lobby",
        id: 1,
        time: 2,
        from: "bob",
        flags: 0,
        text: "hi",
    };
    assert!(matches!(
        too_big.encode(&mut buf),
        Err(EncodeError::BufferTooSmall { .. })
    ));
    let invalid = Frame::SetNick { nick: "no spaces" };
    assert_eq!(
        invalid.encode(&mut buf),
        Err(EncodeError::Invalid(DecodeError::BadNick))
    );
    assert_eq!(buf, [0xEE; 8]);
}

#[test]
fn largest_frames_fit_the_limit() {
    let nick = "abcdefghijklmnopqrstuvwx";
    assert_eq!(nick.len(), MAX_NICK);
    let text = core::str::from_utf8(&[b'x'; MAX_TEXT]).unwrap();
    let message = Frame::Message {
        room: nick,
        id: 1,
        time: 1,
        from: nick,
        flags: 0,
        text,
    };
    assert!(message.encoded_len().unwrap() <= MAX_FRAME_LEN);
    let names = [nick; crate::wire::MAX_NAMES_PER_FRAME];
    let frame = Frame::Names {
        room: nick,
        flags: 0,
        nicks: NickList::Slice(&names),
        roles: &[],
    };
    assert!(frame.encoded_len().unwrap() <= MAX_FRAME_LEN);
}

#[test]
fn unknown_error_codes_survive() {
    let frame = Frame::Bye {
        code: ErrorCode::Other(200),
        reason: "",
    };
    let bytes = encode_vec(&frame);
    assert_eq!(decode(&bytes), Ok(Status::Complete((frame, bytes.len()))));
    for v in 0..=u8::MAX {
        assert_eq!(ErrorCode::from_u8(v).to_u8(), v);
    }
}

/// Found by the `roundtrip` fuzz target (fuzz/regressions/roundtrip/):
/// a `Wire` list whose count and bytes disagree used to encode into a frame
/// that does not decode.
#[test]
fn wire_names_must_hold_their_count() {
    let names = |count, bytes| Frame::Names {
        room: "lobby",
        flags: 0,
        nicks: NickList::Wire { count, bytes },
        roles: &[],
    };
    assert_eq!(
        names(82, b"").encoded_len(),
        Err(EncodeError::Invalid(DecodeError::Truncated))
    );
    assert_eq!(
        names(1, b"\x03ann\x03bob").encoded_len(),
        Err(EncodeError::Invalid(DecodeError::TrailingBytes))
    );
    let ok = names(2, b"\x03ann\x03bob");
    let bytes = encode_vec(&ok);
    assert_eq!(decode(&bytes), Ok(Status::Complete((ok, bytes.len()))));
}

//! The bad-input suite: a running server is fed garbage, oversize and
//! truncated frames, invalid UTF-8, frames before hello, silent and
//! half-open connections, and a burst of a thousand connections. It stays
//! up, the offender gets a typed error before it is closed, and the members
//! chatting meanwhile notice nothing.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::*;
use natter_core::error::ErrorCode;
use natter_core::wire::{Frame, Protocol, Status, decode, sniff};
use natter_server::{Options, Timeouts};

/// Everything the server sends `stream` until it closes it (within 10 s).
fn bytes_until_close(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
    bytes
}

/// Everything the server sends `stream` until it closes it, decoded into
/// (kind of frame, error code) pairs.
fn replies_until_close(stream: &mut TcpStream) -> Vec<(u8, Option<ErrorCode>)> {
    let bytes = bytes_until_close(stream);
    let mut out = Vec::new();
    let mut rest = &bytes[..];
    while let Ok(Status::Complete((frame, n))) = decode(rest) {
        let code = match frame {
            Frame::Error { code, .. } | Frame::Bye { code, .. } => Some(code),
            _ => None,
        };
        out.push((frame.kind(), code));
        rest = &rest[n..];
    }
    assert!(rest.is_empty(), "the server sent a broken frame: {rest:?}");
    out
}

/// Everything the server sends an IRC client until it closes it, as lines:
/// each must be one IRC line of at most 512 bytes ending in CR LF.
fn irc_lines_until_close(stream: &mut TcpStream) -> Vec<String> {
    let bytes = bytes_until_close(stream);
    let text = String::from_utf8(bytes).expect("IRC output is UTF-8");
    assert!(text.is_empty() || text.ends_with("\r\n"), "{text:?}");
    text.split_terminator("\r\n")
        .map(|l| {
            assert!(l.len() + 2 <= 512 && !l.contains('\n'), "{l:?}");
            l.to_owned()
        })
        .collect()
}

const ERROR: u8 = 0x4e;
const BYE: u8 = 0x4f;

fn offender(server: &TestServer, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(bytes).unwrap();
    s
}

fn hello_bytes(nick: &[u8]) -> Vec<u8> {
    let mut v = vec![0, (3 + nick.len()) as u8 + 1, 0x01, 0x01, nick.len() as u8];
    v.extend_from_slice(nick);
    v.push(0); // empty password
    v
}

/// A deterministic stream of random bytes (xorshift64).
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn server_survives_bad_input_and_members_notice_nothing() {
    let timeouts = Timeouts {
        hello: Duration::from_secs(1),
        ..Timeouts::default()
    };
    let server = TestServer::start(Options {
        timeouts,
        ..options()
    });
    let mut ann = member(server.addr, "ann");
    let mut bob = member(server.addr, "bob");
    wait_for(
        &mut ann,
        |f| matches!(f, Frame::Joined { nick: "bob", .. }).then_some(()),
        |_| {},
    );

    // Random garbage: a typed error, then the connection is closed. Garbage
    // whose first byte can start an IRC line (a letter, '@', ':') is taken
    // for IRC and gets IRC's numerics and an ERROR line; any other gets
    // natter's errors.
    for seed in 1..=40 {
        let mut bytes = garbage(seed, 2000);
        if seed % 2 == 0 {
            bytes[0] &= 0x03;
        }
        let mut s = offender(&server, &bytes);
        if sniff(&bytes) == Some(Protocol::Natter) {
            let replies = replies_until_close(&mut s);
            assert!(
                replies.iter().any(|&(k, _)| k == ERROR),
                "seed {seed}: no error before close: {replies:?}"
            );
            assert_eq!(replies.last().map(|r| r.0), Some(BYE), "seed {seed}");
        } else {
            let lines = irc_lines_until_close(&mut s);
            assert!(
                lines.iter().any(|l| l.contains(" 421 ")
                    || l.contains(" 451 ")
                    || l.contains(" 417 ")
                    || l.contains(" NOTICE ")),
                "seed {seed}: no error before close: {lines:?}"
            );
            assert!(
                lines.last().is_some_and(|l| l.starts_with("ERROR :")),
                "seed {seed}: {lines:?}"
            );
        }
    }

    // An oversize length prefix, as the first thing sent (PROTOCOL.md §2.1):
    // 1023, just over; 1026, whose first byte (0x04) no valid frame has;
    // and the largest. Each gets `Malformed`, then `Bye`.
    for prefix in [[0x03, 0xff], [0x04, 0x00], [0xff, 0xff]] {
        let mut s = offender(&server, &[prefix[0], prefix[1], 0x01]);
        assert_eq!(
            replies_until_close(&mut s),
            [
                (ERROR, Some(ErrorCode::Malformed)),
                (BYE, Some(ErrorCode::Malformed))
            ],
            "prefix {prefix:02x?}"
        );
    }

    // A frame whose fields run past its end, invalid UTF-8 in a nick, an
    // unknown kind and a chat line before hello: each gets its own typed
    // error and the connection carries on, until the hello deadline.
    let mut bad = vec![0x00, 0x03, 0x09, 0x00, 0x00]; // ping with a 2-byte token
    bad.extend(hello_bytes(&[0xC3, 0x28]));
    bad.extend([0x00, 0x01, 0x3f]);
    bad.extend([
        0x00, 0x0f, 0x04, 0, 0, 0, 1, 0x05, b'l', b'o', b'b', b'b', b'y', 0x00, 0x00, 0x01, b'x',
    ]);
    let mut s = offender(&server, &bad);
    assert_eq!(
        replies_until_close(&mut s),
        [
            (ERROR, Some(ErrorCode::Malformed)),
            (ERROR, Some(ErrorCode::Malformed)),
            (ERROR, Some(ErrorCode::Malformed)),
            (ERROR, Some(ErrorCode::HelloFirst)),
            (BYE, Some(ErrorCode::HelloTimeout)),
        ]
    );

    // A truncated frame, then the client hangs up: nothing to answer.
    let mut s = offender(&server, &hello_bytes(b"eve")[..4]);
    s.shutdown(Shutdown::Write).unwrap();
    assert_eq!(replies_until_close(&mut s), []);

    // Half-open: part of a hello, then silence. The server gives up on it.
    let mut s = offender(&server, &hello_bytes(b"eve")[..3]);
    assert_eq!(
        replies_until_close(&mut s),
        [(BYE, Some(ErrorCode::HelloTimeout))]
    );

    // Connect and close without a byte, a thousand times, some after a hello.
    for i in 0..1000 {
        let mut s = TcpStream::connect(server.addr).unwrap();
        if i % 3 == 0 {
            let _ = s.write_all(&hello_bytes(format!("n{i}").as_bytes()));
        }
        drop(s);
    }

    // The room is fine: a message goes through, and bob saw nothing of all
    // this but the chat itself.
    say(&mut ann, 1, "still here?");
    let mut seen = Vec::new();
    wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::Message {
                    text: "still here?",
                    ..
                }
            )
            .then_some(())
        },
        |f| seen.push(format!("{f:?}")),
    );
    assert!(
        seen.iter()
            .all(|f| f.starts_with("Joined") || f.starts_with("Parted")),
        "{seen:?}"
    );
    server.stop().unwrap();
}

/// Privilege escalation: a student tries the teacher's controls, a frame
/// only the server sends, a mode change for a room it is not in, kicking
/// the teacher, and guessing the teacher password from one address. Each
/// gets its typed error, and nothing changes for anyone.
#[test]
fn students_cannot_take_the_room_over() {
    let server = TestServer::start(Options {
        teacher_password: Some("chalk".into()),
        ..options()
    });
    let mut teacher = member(server.addr, "ms-lee");
    teacher.send(&Frame::Teach { password: "chalk" }).unwrap();
    wait_for(
        &mut teacher,
        |f| matches!(f, Frame::YouAre { .. }).then_some(()),
        |_| {},
    );
    let mut bob = member(server.addr, "bob");
    let mut cat = member(server.addr, "cat");
    // cat creates #maths and so operates it; the teacher joins.
    for c in [&mut cat, &mut teacher] {
        c.send(&Frame::Join {
            room: "maths",
            epoch: 0,
            since: 0,
            key: "",
        })
        .unwrap();
        wait_for(
            c,
            |f| matches!(f, Frame::Entered { room: "maths", .. }).then_some(()),
            |_| {},
        );
    }

    let lobby_m = Frame::Mode {
        room: "lobby",
        flags: natter_core::wire::FLAG_ADD,
        mode: b'm',
        arg: "",
    };
    bob.send(&lobby_m).unwrap();
    assert_eq!(next_refusal(&mut bob), ErrorCode::NotOperator);
    let kick_teacher = |room| Frame::Kick {
        room,
        nick: "ms-lee",
        reason: "",
    };
    bob.send(&kick_teacher("lobby")).unwrap();
    assert_eq!(next_refusal(&mut bob), ErrorCode::NotOperator);
    cat.send(&kick_teacher("maths")).unwrap();
    assert_eq!(next_refusal(&mut cat), ErrorCode::TeacherProtected);
    // A change for a room it is not in.
    bob.send(&Frame::Mode {
        room: "maths",
        flags: natter_core::wire::FLAG_ADD,
        mode: b'o',
        arg: "bob",
    })
    .unwrap();
    assert_eq!(next_refusal(&mut bob), ErrorCode::NotInRoom);
    // A role frame only the server sends.
    bob.send(&Frame::YouAre {
        roles: natter_core::wire::ROLE_TEACHER,
    })
    .unwrap();
    assert_eq!(next_refusal(&mut bob), ErrorCode::UnexpectedFrame);

    // Guessing: each guess on a fresh connection (one connection waits
    // longer after each wrong one), all from 127.0.0.1. The address's
    // allowance runs out, and then even the right password is not checked.
    let mut codes = Vec::new();
    for i in 0..65 {
        let mut g =
            natter_server::client::Client::connect(server.addr, &format!("g{i}"), "").unwrap();
        g.send(&Frame::Teach { password: "guess" }).unwrap();
        codes.push(next_refusal(&mut g));
    }
    assert!(
        codes[..60].iter().all(|&c| c == ErrorCode::BadPassword),
        "{codes:?}"
    );
    assert!(
        codes[60..].iter().all(|&c| c == ErrorCode::TooManyGuesses),
        "{codes:?}"
    );
    let mut g = natter_server::client::Client::connect(server.addr, "late", "").unwrap();
    g.send(&Frame::Teach { password: "chalk" }).unwrap();
    assert_eq!(next_refusal(&mut g), ErrorCode::TooManyGuesses);

    // Nothing changed: bob has no role and the lobby is not moderated.
    say(&mut bob, 5, "still just chatting");
    assert_eq!(
        next_message(&mut cat),
        ("bob".to_string(), "still just chatting".to_string())
    );
    server.stop().unwrap();
}

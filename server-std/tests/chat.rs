//! Chat through a real server over real TCP.

mod common;

use std::time::Duration;

use common::*;
use natter_core::error::ErrorCode;
use natter_core::wire::Frame;
use natter_server::Timeouts;
use natter_server::client::{Client, ClientError};

#[test]
fn several_clients_chat_both_ways() {
    let server = TestServer::start(options());
    let mut ann = member(server.addr, "ann");
    let mut bob = member(server.addr, "bob");
    let mut cat = member(server.addr, "cat");
    say(&mut ann, 1, "hello from ann");
    let (id, time) = wait_for(
        &mut ann,
        |f| match *f {
            Frame::Ack {
                tag: 1, id, time, ..
            } => Some((id, time)),
            _ => None,
        },
        |_| {},
    );
    assert!(
        id > 0 && time > 1_600_000_000_000,
        "ack carries the id and a real time"
    );
    for c in [&mut bob, &mut cat] {
        assert_eq!(next_message(c), ("ann".into(), "hello from ann".into()));
    }
    say(&mut bob, 2, "hi ann, bob here");
    assert_eq!(
        next_message(&mut ann),
        ("bob".into(), "hi ann, bob here".into())
    );
    assert_eq!(
        next_message(&mut cat),
        ("bob".into(), "hi ann, bob here".into())
    );
    server.stop().unwrap();
}

#[test]
fn join_leave_and_nick_notices() {
    let server = TestServer::start(options());
    let mut ann = member(server.addr, "ann");
    let mut bob = member(server.addr, "bob");
    wait_for(
        &mut ann,
        |f| matches!(f, Frame::Joined { nick: "bob", .. }).then_some(()),
        |_| {},
    );
    bob.send(&Frame::SetNick { nick: "robert" }).unwrap();
    wait_for(
        &mut ann,
        |f| {
            matches!(
                f,
                Frame::NickChanged {
                    old: "bob",
                    new: "robert",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    bob.send(&Frame::Quit {
        reason: "home time",
    })
    .unwrap();
    wait_for(
        &mut ann,
        |f| {
            matches!(
                f,
                Frame::Parted {
                    nick: "robert",
                    reason: "home time",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    assert_eq!(wait_closed(&mut bob), Some(ErrorCode::Quit));
}

#[test]
fn taken_nick_then_retry_on_same_connection() {
    let server = TestServer::start(options());
    let _ann = member(server.addr, "ann");
    match Client::connect(server.addr, "ANN", "") {
        Err(ClientError::Refused(ErrorCode::NickTaken)) => {}
        other => panic!("expected NickTaken, got {:?}", other.err()),
    }
    // Same connection, second try: the raw protocol allows it.
    let mut raw = natter_server::client::connect(server.addr, Duration::from_secs(5)).unwrap();
    let mut reader = natter_core::io::FrameReader::<1024>::new();
    let hello = |nick| Frame::Hello {
        version: natter_core::wire::VERSION,
        nick,
        password: "",
    };
    natter_core::io::write_frame(&mut raw, &hello("Ann")).unwrap();
    assert!(matches!(
        reader.read_frame(&mut raw).unwrap(),
        Frame::Error {
            code: ErrorCode::NickTaken,
            ..
        }
    ));
    natter_core::io::write_frame(&mut raw, &hello("anne")).unwrap();
    assert!(matches!(
        reader.read_frame(&mut raw).unwrap(),
        Frame::Welcome { nick: "anne", .. }
    ));
}

#[test]
fn room_full_and_server_full() {
    let server = TestServer::start(natter_server::Options {
        max_members: 3,
        room_size: 2,
        ..options()
    });
    let _a = member(server.addr, "a");
    let _b = member(server.addr, "b");
    let mut c = Client::connect(server.addr, "c", "").unwrap();
    c.send(&Frame::Join {
        room: "lobby",
        epoch: 0,
        since: 0,
        key: "",
    })
    .unwrap();
    assert!(matches!(
        c.recv().unwrap(),
        Frame::Error {
            code: ErrorCode::RoomFull,
            subject: "lobby",
            ..
        }
    ));
    match Client::connect(server.addr, "d", "") {
        Err(ClientError::Refused(ErrorCode::ServerFull)) => {}
        other => panic!("expected ServerFull, got {:?}", other.err()),
    }
}

#[test]
fn wrong_password_is_refused() {
    let server = TestServer::start(natter_server::Options {
        password: Some("sesame".into()),
        ..options()
    });
    match Client::connect(server.addr, "ann", "open") {
        Err(ClientError::Refused(ErrorCode::BadPassword)) => {}
        other => panic!("expected BadPassword, got {:?}", other.err()),
    }
    Client::connect(server.addr, "ann", "sesame").unwrap();
}

#[test]
fn history_on_join_and_resume_after_reconnect() {
    let server = TestServer::start(natter_server::Options {
        history: 10,
        ..options()
    });
    let mut ann = member(server.addr, "ann");
    let mut bob = Client::connect(server.addr, "bob", "").unwrap();
    let (epoch, _) = join(&mut bob, "lobby", 0, 0);
    for i in 0..3 {
        say(&mut ann, i, &format!("early {i}"));
    }
    let mut last_seen = 0;
    for i in 0..3 {
        let id = wait_for(
            &mut bob,
            |f| match *f {
                Frame::Message { id, text, .. } => Some((id, text.to_string())),
                _ => None,
            },
            |_| {},
        );
        assert_eq!(id.1, format!("early {i}"));
        last_seen = id.0;
    }
    // A newcomer gets the history.
    let mut cat = member(server.addr, "cat");
    for i in 0..3 {
        assert_eq!(next_message(&mut cat).1, format!("early {i}"));
    }
    // Bob's connection drops; two messages go by; he resumes.
    drop(bob);
    say(&mut ann, 10, "while you were away 1");
    say(&mut ann, 11, "while you were away 2");
    wait_for(
        &mut ann,
        |f| matches!(f, Frame::Ack { tag: 11, .. }).then_some(()),
        |_| {},
    );
    let mut bob = Client::connect(server.addr, "bob", "").unwrap();
    join(&mut bob, "lobby", epoch, last_seen);
    assert_eq!(next_message(&mut bob).1, "while you were away 1");
    assert_eq!(next_message(&mut bob).1, "while you were away 2");
    drop(bob);
    // Now more goes by than the room's 256 KiB history holds (600 long
    // lines, about 300 KB): the resume says so.
    let pad = "x".repeat(480);
    for batch in 0..12u32 {
        // Ann takes her acknowledgements every 50 lines, as a client does.
        for i in batch * 50..batch * 50 + 50 {
            say(&mut ann, 100 + i, &format!("flood {i} {pad}"));
        }
        let last = 100 + batch * 50 + 49;
        wait_for(
            &mut ann,
            |f| matches!(f, Frame::Ack { tag, .. } if *tag == last).then_some(()),
            |_| {},
        );
    }
    // A newcomer is replayed only the latest 10 events (`history: 10`).
    let mut dan = member(server.addr, "dan");
    let first = next_message(&mut dan).1;
    assert!(first.starts_with("flood 590 "), "{first}");
    let mut bob = Client::connect(server.addr, "bob", "").unwrap();
    bob.send(&Frame::Join {
        room: "lobby",
        epoch,
        since: last_seen,
        key: "",
    })
    .unwrap();
    let missed = wait_for(
        &mut bob,
        |f| match *f {
            Frame::Gap { missed, .. } => Some(missed),
            _ => None,
        },
        |_| {},
    );
    assert!(missed > 0);
    let (_, text) = next_message(&mut bob);
    assert!(text.starts_with("flood"), "{text}");
}

#[test]
fn a_reader_that_stops_does_not_delay_the_others() {
    let timeouts = Timeouts {
        stall: Duration::from_secs(2),
        ..Timeouts::default()
    };
    let server = TestServer::start(natter_server::Options {
        history: 16,
        timeouts,
        ..options()
    });
    let mut ann = member(server.addr, "ann");
    let mut bob = member(server.addr, "bob");
    // Cat joins and then never reads again; its socket buffers fill up.
    let mut cat = member(server.addr, "cat");
    socket2::SockRef::from(cat.socket())
        .set_recv_buffer_size(4096)
        .unwrap();
    let n: u32 = 6000;
    // Bob reads as fast as he can, in his own thread: every event of the
    // room (cat's leaving, when the stall timeout closes it on a slow
    // machine, is one too).
    let reader = std::thread::spawn(move || {
        let (mut ids, mut messages) = (Vec::new(), 0);
        while messages < n {
            match bob.recv().unwrap() {
                Frame::Message { id, .. } => {
                    ids.push(id);
                    messages += 1;
                }
                // Once the messages began: before, bob's own join (never
                // sent to him) leaves a hole in what was replayed.
                Frame::Parted { id, .. } if messages > 0 => ids.push(id),
                Frame::Gap { missed, .. } => panic!("bob missed {missed} events"),
                _ => {}
            }
        }
        ids
    });
    // Ann sends one message at a time, waiting for each acknowledgement:
    // if cat could hold the room up, this would stop.
    let text = "x".repeat(500);
    for i in 0..n {
        say(&mut ann, i, &text);
        wait_for(
            &mut ann,
            |f| matches!(*f, Frame::Ack { tag, .. } if tag == i).then_some(()),
            |_| {},
        );
    }
    let ids = reader.join().unwrap();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "bob got every event once, in order"
    );
    // Cat, as the protocol says, is told what it missed or is disconnected
    // as too slow after the stall timeout.
    let mut messages = 0u64;
    let outcome = loop {
        match cat.recv() {
            Ok(Frame::Gap { missed, .. }) => break format!("gap of {missed}"),
            Ok(Frame::Message { .. }) => messages += 1,
            Ok(Frame::Bye { code, .. }) => break format!("bye {code:?}"),
            Ok(_) => {}
            Err(e) => break format!("closed: {e}"),
        }
    };
    assert!(
        outcome.starts_with("gap") || outcome == "bye TooSlow" || outcome.starts_with("closed"),
        "{outcome}"
    );
    assert!(messages < u64::from(n), "cat cannot have had everything");
}

#[test]
fn private_message_and_action() {
    let server = TestServer::start(options());
    let mut ann = member(server.addr, "ann");
    let mut bob = member(server.addr, "bob");
    ann.send(&Frame::Whisper {
        tag: 5,
        to: "bob",
        flags: 0,
        text: "psst",
    })
    .unwrap();
    wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::Private {
                    from: "ann",
                    text: "psst",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    ann.send(&Frame::Say {
        tag: 6,
        room: "lobby",
        flags: natter_core::wire::FLAG_ACTION,
        text: "waves",
    })
    .unwrap();
    wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::Message {
                    flags: 1,
                    text: "waves",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
}

#[test]
fn shutdown_says_goodbye() {
    let server = TestServer::start(options());
    let mut ann = member(server.addr, "ann");
    server.stop().unwrap();
    assert_eq!(wait_closed(&mut ann), Some(ErrorCode::ShuttingDown));
}

/// Requests that wait for room in a connection's reply queue are handled
/// once its replies are written, even when its input buffer had room left
/// (so reading never paused). Found by the irc_room fuzz target's author:
/// seven joins of rooms with long topics in one write left the last one
/// unanswered until the client sent something else.
#[test]
fn requests_waiting_for_reply_room_are_answered_once_replies_are_written() {
    let server = TestServer::start(options());
    let mut bob = member(server.addr, "bob");
    let topic = "t".repeat(500);
    let rooms: Vec<String> = (1..=7).map(|i| format!("r{i}")).collect();
    for room in &rooms {
        join(&mut bob, room, 0, 0);
        bob.send(&Frame::SetTopic {
            room,
            topic: &topic,
        })
        .unwrap();
        wait_for(
            &mut bob,
            |f| matches!(f, Frame::TopicChanged { .. }).then_some(()),
            |_| {},
        );
    }
    let mut ann = member(server.addr, "ann");
    let mut joins = Vec::new();
    for room in &rooms {
        let mut buf = [0u8; 64];
        let n = Frame::Join {
            room,
            epoch: 0,
            since: 0,
            key: "",
        }
        .encode(&mut buf)
        .unwrap();
        joins.extend_from_slice(&buf[..n]);
    }
    // All seven in one write: 7 x 500-byte topics do not fit the reply
    // queue at once.
    std::io::Write::write_all(&mut ann.socket(), &joins).unwrap();
    let mut entered = Vec::new();
    while entered.len() < rooms.len() {
        match ann.recv() {
            Ok(Frame::Entered { room, topic: t, .. }) => {
                assert_eq!(t, topic);
                entered.push(room.to_string());
            }
            Ok(_) => {}
            Err(e) => panic!("joined {entered:?} of {rooms:?}, then: {e}"),
        }
    }
    assert_eq!(entered, rooms);
}

//! Timers, the flood limit, bad input, shutdown and big member lists.

use super::*;

#[test]
fn stalled_reader_is_disconnected_with_a_reason() {
    let mut s = sim();
    let ann = s.member("ann");
    let cat = s.member("cat");
    s.clients.get_mut(&cat).unwrap().paused = true;
    for i in 0..60 {
        s.send(ann, &say("lobby", &i.to_string()));
    }
    s.advance(31_000);
    // The hub gave up on cat (its goodbye could not be sent either, so the
    // close happens after a short grace period); ann sees it leave.
    s.advance(3_000);
    assert!(s.clients[&cat].closed);
    s.skip(ann);
    assert_eq!(s.hub.members("lobby").collect::<StdVec<_>>(), ["ann"]);
}

#[test]
fn flood_limit_rejects_with_tag() {
    let mut s = Sim::new(Config {
        flood_rate: 1,
        flood_burst: 2,
        ..base()
    });
    let ann = s.member("ann");
    s.skip(ann);
    for tag in 1..=3 {
        s.send(
            ann,
            &Frame::Say {
                tag,
                room: "lobby",
                flags: 0,
                text: "spam",
            },
        );
    }
    recv!(s, ann, Frame::Ack { tag: 1, .. });
    recv!(s, ann, Frame::Ack { tag: 2, .. });
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::Flooding,
            tag: 3,
            ..
        }
    );
    s.advance(1000);
    s.send(
        ann,
        &Frame::Say {
            tag: 4,
            room: "lobby",
            flags: 0,
            text: "calm",
        },
    );
    recv!(s, ann, Frame::Ack { tag: 4, .. });
}

#[test]
fn idle_client_is_pinged_then_dropped() {
    let mut s = sim();
    let ann = s.member("ann");
    s.advance(60_000);
    recv!(s, ann, Frame::Ping { .. });
    s.advance(60_000);
    recv!(
        s,
        ann,
        Frame::Bye {
            code: ErrorCode::IdleTimeout,
            ..
        }
    );
    assert!(s.clients[&ann].closed);
}

#[test]
fn pong_keeps_a_client() {
    let mut s = sim();
    let ann = s.member("ann");
    s.advance(60_000);
    s.send(ann, &Frame::Pong { token: 1 });
    s.advance(60_000);
    assert!(!s.clients[&ann].closed);
}

#[test]
fn hello_timeout() {
    let mut s = sim();
    let c = s.connect();
    s.advance(10_000);
    recv!(
        s,
        c,
        Frame::Bye {
            code: ErrorCode::HelloTimeout,
            ..
        }
    );
    assert!(s.clients[&c].closed);
}

#[test]
fn bad_frames_get_typed_errors_and_the_stream_goes_on() {
    let mut s = sim();
    let ann = s.member("ann");
    // Unknown kind, then invalid UTF-8 in a nick change, then a good ping.
    s.send_bytes(ann, &[0x00, 0x01, 0x33]);
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::Malformed,
            ..
        }
    );
    s.send_bytes(ann, &[0x00, 0x04, 0x06, 0x02, 0xC3, 0x28]);
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::Malformed,
            ..
        }
    );
    s.send_bytes(ann, &[0x00, 0x04, 0x06, 0x02, b'9', b'x']);
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::BadNick,
            ..
        }
    );
    s.send(ann, &Frame::Ping { token: 5 });
    recv!(s, ann, Frame::Pong { token: 5 });
    // A server-only frame from a client.
    s.send(
        ann,
        &Frame::Left {
            room: "lobby",
            reason: "",
        },
    );
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::UnexpectedFrame,
            ..
        }
    );
}

#[test]
fn oversize_length_closes_with_error() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.send_bytes(bob, &[0xff, 0xff, 1, 2, 3]);
    recv!(
        s,
        bob,
        Frame::Error {
            code: ErrorCode::Malformed,
            ..
        }
    );
    recv!(
        s,
        bob,
        Frame::Bye {
            code: ErrorCode::Malformed,
            ..
        }
    );
    assert!(s.clients[&bob].closed);
    recv!(s, ann, Frame::Parted { nick: "bob", .. });
}

#[test]
fn bytes_one_at_a_time_work() {
    let mut s = sim();
    let ann = s.connect();
    let mut buf = [0u8; 64];
    let n = Frame::Hello {
        version: VERSION,
        nick: "ann",
        password: "",
    }
    .encode(&mut buf)
    .unwrap();
    for b in &buf[..n] {
        s.send_bytes(ann, core::slice::from_ref(b));
    }
    recv!(s, ann, Frame::Welcome { .. });
}

#[test]
fn shutdown_says_goodbye_to_everyone() {
    let mut s = sim();
    let ann = s.member("ann");
    let pending = s.connect();
    s.skip(ann);
    s.hub.shutdown(s.now, "class is over");
    s.pump();
    for id in [ann, pending] {
        recv!(
            s,
            id,
            Frame::Bye {
                code: ErrorCode::ShuttingDown,
                reason: "class is over"
            }
        );
        assert!(s.clients[&id].closed);
    }
}

#[test]
fn large_member_list_is_split() {
    type Big = InlineHub<40, 1, 512, 16, 3072>;
    let mut hub = Big::new(Config {
        flood_rate: 0,
        ..base()
    });
    hub.add_room("lobby").unwrap();
    let mut ids = StdVec::new();
    for i in 0..40 {
        let id = hub.handle_connect(Instant(0)).unwrap();
        let nick = std::format!("n{i}");
        let mut buf = [0u8; 64];
        let n = Frame::Hello {
            version: VERSION,
            nick: &nick,
            password: "",
        }
        .encode(&mut buf)
        .unwrap();
        hub.handle_bytes(Instant(0), id, &buf[..n]);
        let n = Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        }
        .encode(&mut buf)
        .unwrap();
        hub.handle_bytes(Instant(0), id, &buf[..n]);
        ids.push(id);
    }
    let last = *ids.last().unwrap();
    let mut names = BTreeSet::new();
    let mut frames = 0;
    loop {
        let mut buf = [0u8; 4096];
        let mut tx = hub.transmit(Instant(0), last, buf.len());
        let n = tx.copy_to(&mut buf);
        tx.commit(n);
        let out = &buf[..n];
        if out.is_empty() {
            break;
        }
        let mut rest = out;
        while let Ok(Status::Complete((f, n))) = decode(rest) {
            if let Frame::Names { nicks, .. } = f {
                frames += 1;
                names.extend(nicks.iter().map(ToString::to_string));
            }
            rest = &rest[n..];
        }
    }
    assert_eq!(frames, 2);
    assert_eq!(names.len(), 40);
}

#[test]
fn a_reused_slot_still_gets_the_previous_owners_history() {
    let mut s = sim();
    let ann = s.member("ann");
    s.send(ann, &say("lobby", "from ann"));
    s.hub.handle_disconnect(s.now, ann);
    let bob = s.login("bob");
    assert_eq!(bob, ann, "the slot is reused");
    s.join(bob, "lobby");
    recv!(s, bob, Frame::Names { .. });
    recv!(s, bob, Frame::Joined { nick: "ann", .. });
    recv!(
        s,
        bob,
        Frame::Message {
            text: "from ann",
            ..
        }
    );
    recv!(s, bob, Frame::Parted { nick: "ann", .. });
    s.assert_quiet(bob);
}

#[test]
fn an_empty_frame_is_skipped_with_an_error() {
    let mut s = sim();
    let ann = s.member("ann");
    s.send_bytes(ann, &[0x00, 0x00]);
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::Malformed,
            ..
        }
    );
    s.send(ann, &Frame::Ping { token: 1 });
    recv!(s, ann, Frame::Pong { token: 1 });
}

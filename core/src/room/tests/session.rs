//! A session: hello, join, talk, leave, nicknames, topics, whispers.

use super::*;

#[test]
fn hello_welcomes_with_lobby() {
    let mut s = sim();
    let ann = s.connect();
    s.send(
        ann,
        &Frame::Hello {
            version: VERSION,
            nick: "Ann",
            password: "",
        },
    );
    recv!(
        s,
        ann,
        Frame::Welcome {
            nick: "Ann",
            lobby: "lobby",
            max_text: 64,
            ..
        }
    );
}

#[test]
fn taken_nick_may_retry_on_same_connection() {
    let mut s = sim();
    s.login("ann");
    let other = s.connect();
    s.send(
        other,
        &Frame::Hello {
            version: VERSION,
            nick: "ANN",
            password: "",
        },
    );
    recv!(
        s,
        other,
        Frame::Error {
            code: ErrorCode::NickTaken,
            subject: "ANN",
            ..
        }
    );
    s.send(
        other,
        &Frame::Hello {
            version: VERSION,
            nick: "bob",
            password: "",
        },
    );
    recv!(s, other, Frame::Welcome { nick: "bob", .. });
}

#[test]
fn password_is_checked() {
    let mut s = Sim::new(Config {
        password: heapless::String::try_from("sesame").unwrap(),
        ..base()
    });
    let ann = s.connect();
    s.send(
        ann,
        &Frame::Hello {
            version: VERSION,
            nick: "ann",
            password: "wrong",
        },
    );
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::BadPassword,
            ..
        }
    );
    s.send(
        ann,
        &Frame::Hello {
            version: VERSION,
            nick: "ann",
            password: "sesame",
        },
    );
    // A wrong password costs a wait before the next frame is read.
    s.assert_quiet(ann);
    s.advance(250);
    recv!(s, ann, Frame::Welcome { .. });
}

#[test]
fn frames_before_hello_are_refused() {
    let mut s = sim();
    let c = s.connect();
    s.send(c, &say("lobby", "hi"));
    recv!(
        s,
        c,
        Frame::Error {
            code: ErrorCode::HelloFirst,
            ..
        }
    );
    s.send(c, &Frame::Ping { token: 3 });
    recv!(s, c, Frame::Pong { token: 3 });
}

#[test]
fn a_request_before_hello_is_refused_with_its_tag() {
    // PROTOCOL.md §8: `Error.tag` is the tag of the `Say` or `Whisper`
    // that failed, whatever the reason; 0 for a request without one.
    let mut s = sim();
    let c = s.connect();
    let whisper = Frame::Whisper {
        tag: 9,
        to: "bob",
        flags: 0,
        text: "psst",
    };
    for (request, expected) in [
        (say("lobby", "hi"), 7),
        (whisper, 9),
        (Frame::SetNick { nick: "zed" }, 0),
    ] {
        s.send(c, &request);
        recv!(
            s,
            c,
            Frame::Error {
                code: ErrorCode::HelloFirst,
                tag,
                ..
            } if tag == expected
        );
    }
}

#[test]
fn join_lists_members_and_tells_the_others() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.login("bob");
    s.send(
        bob,
        &Frame::Join {
            room: "LOBBY",
            epoch: 0,
            since: 0,
            key: "",
        },
    );
    recv!(
        s,
        bob,
        Frame::Entered {
            room: "lobby",
            members: 2,
            ..
        }
    );
    recv!(s, bob, Frame::Names { room: "lobby", flags: 0, nicks, .. } if nicks.iter().eq(["ann", "bob"]));
    // History: ann's join.
    recv!(s, bob, Frame::Joined { nick: "ann", .. });
    s.assert_quiet(bob);
    recv!(
        s,
        ann,
        Frame::Joined {
            room: "lobby",
            nick: "bob",
            ..
        }
    );
    s.assert_quiet(ann);
}

#[test]
fn message_goes_to_others_and_sender_gets_ack() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    let cat = s.member("cat");
    s.skip(ann);
    s.skip(bob);
    s.send(ann, &say("lobby", "hello"));
    recv!(s, ann, Frame::Ack { tag: 7, room: "lobby", id, .. } if id == 4);
    s.assert_quiet(ann);
    for who in [bob, cat] {
        recv!(
            s,
            who,
            Frame::Message {
                from: "ann",
                text: "hello",
                id: 4,
                flags: 0,
                ..
            }
        );
    }
    s.send(
        bob,
        &Frame::Say {
            tag: 8,
            room: "lobby",
            flags: FLAG_ACTION,
            text: "waves",
        },
    );
    recv!(
        s,
        ann,
        Frame::Message {
            from: "bob",
            flags: FLAG_ACTION,
            id: 5,
            ..
        }
    );
}

#[test]
fn leave_and_quit_are_announced_and_told_apart() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.send(
        bob,
        &Frame::Part {
            room: "lobby",
            reason: "lunch",
        },
    );
    recv!(s, bob, Frame::Left { room: "lobby", .. });
    recv!(
        s,
        ann,
        Frame::Parted {
            nick: "bob",
            flags: 0,
            reason: "lunch",
            ..
        }
    );
    let cat = s.member("cat");
    s.skip(ann);
    s.send(
        cat,
        &Frame::Quit {
            reason: "home time",
        },
    );
    recv!(
        s,
        cat,
        Frame::Bye {
            code: ErrorCode::Quit,
            ..
        }
    );
    assert!(s.clients[&cat].closed);
    recv!(
        s,
        ann,
        Frame::Parted {
            nick: "cat",
            flags: FLAG_QUIT,
            reason: "home time",
            ..
        }
    );
    assert_eq!(s.hub.members("lobby").collect::<StdVec<_>>(), ["ann"]);
}

#[test]
fn a_member_who_parts_first_gets_what_came_before_its_parted() {
    // bob's output is not written between ann's message and his part: the
    // message waits in the history when he leaves. It must reach him
    // before his `Left` (PROTOCOL.md §5.4), never be dropped with his
    // cursor.
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.clients.get_mut(&bob).unwrap().paused = true;
    say_unpumped(&mut s, ann, "before you go");
    let mut buf = [0u8; MAX_FRAME_LEN];
    let part = Frame::Part {
        room: "lobby",
        reason: "lunch",
    };
    let n = part.encode(&mut buf).unwrap();
    assert_eq!(s.hub.handle_bytes(s.now, bob, &buf[..n]), n);
    s.clients.get_mut(&bob).unwrap().paused = false;
    s.pump();
    recv!(
        s,
        bob,
        Frame::Message {
            text: "before you go",
            ..
        }
    );
    recv!(s, bob, Frame::Left { room: "lobby", .. });
    s.assert_quiet(bob);
}

#[test]
fn a_member_who_parts_behind_gets_a_gap_for_what_no_longer_fits() {
    // More unsent events than bob's queue can take when he parts: the
    // rest is counted by a `Gap` before `Left`, so he knows exactly how
    // many he did not get.
    let mut s = Sim::new(Config {
        history: 64,
        flood_rate: 0,
        ..base()
    });
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.clients.get_mut(&bob).unwrap().paused = true;
    let sent = 30;
    for i in 0..sent {
        say_unpumped(&mut s, ann, &std::format!("line {i:02} {}", "x".repeat(40)));
    }
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = Frame::Part {
        room: "lobby",
        reason: "",
    }
    .encode(&mut buf)
    .unwrap();
    assert_eq!(s.hub.handle_bytes(s.now, bob, &buf[..n]), n);
    s.clients.get_mut(&bob).unwrap().paused = false;
    s.pump();
    // The first messages fell out of the 1,792-byte ring before he parted
    // (30 of about 80 bytes): a `Gap` for them comes first, where they
    // were (PROTOCOL.md §6), then what his queue takes, then a `Gap` for
    // the rest, then `Left`.
    let mut seen = StdVec::new();
    loop {
        let raw = s.next_raw(bob).expect("no Left arrived");
        match frame(&raw) {
            Frame::Message { text, .. } => seen.push((0, text[5..7].parse().unwrap())),
            Frame::Gap { missed, .. } => seen.push((1, missed)),
            Frame::Left { room: "lobby", .. } => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    let got: StdVec<u64> = seen.iter().filter(|f| f.0 == 0).map(|f| f.1).collect();
    let gaps: StdVec<(usize, u64)> = seen
        .iter()
        .enumerate()
        .filter(|(_, f)| f.0 == 1)
        .map(|(i, f)| (i, f.1))
        .collect();
    assert_eq!(gaps.len(), 2, "{seen:?}");
    let (before, after) = (gaps[0], gaps[1]);
    assert_eq!(before.0, 0, "the history's gap comes first: {seen:?}");
    assert_eq!(
        after.0,
        seen.len() - 1,
        "the queue's gap comes last: {seen:?}"
    );
    assert_eq!(
        got.first(),
        Some(&before.1),
        "it goes on where the gap ends"
    );
    assert!(got.windows(2).all(|w| w[1] == w[0] + 1), "{got:?}");
    assert_eq!(
        before.1 + got.len() as u64 + after.1,
        sent,
        "all arrive or are counted"
    );
    s.assert_quiet(bob);
}

#[test]
fn joining_and_parting_in_one_read_misses_nothing() {
    // bob's member list is not out when he parts, so he was sent none of
    // the room's events; the replay a fresh join shows was never owed to
    // him: no `Gap`, just `Entered` and `Left`.
    let mut s = sim();
    let ann = s.member("ann");
    for i in 0..5 {
        s.send(ann, &say("lobby", &std::format!("old {i}")));
    }
    let bob = s.login("bob");
    let mut bytes = StdVec::new();
    let mut buf = [0u8; MAX_FRAME_LEN];
    for f in [
        Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        },
        Frame::Part {
            room: "lobby",
            reason: "",
        },
    ] {
        let n = f.encode(&mut buf).unwrap();
        bytes.extend_from_slice(&buf[..n]);
    }
    s.send_bytes(bob, &bytes);
    recv!(s, bob, Frame::Entered { .. });
    recv!(s, bob, Frame::Left { room: "lobby", .. });
    s.assert_quiet(bob);
}

#[test]
fn nick_change_is_announced_and_checked() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.send(bob, &Frame::SetNick { nick: "Ann" });
    recv!(
        s,
        bob,
        Frame::Error {
            code: ErrorCode::NickTaken,
            ..
        }
    );
    s.send(bob, &Frame::SetNick { nick: "robert" });
    recv!(s, bob, Frame::NickSet { nick: "robert" });
    s.assert_quiet(bob);
    recv!(
        s,
        ann,
        Frame::NickChanged {
            old: "bob",
            new: "robert",
            ..
        }
    );
    s.send(bob, &Frame::SetNick { nick: "ROBERT" });
    recv!(s, bob, Frame::NickSet { nick: "ROBERT" });
}

#[test]
fn topic_is_shared_and_shown_on_join() {
    let mut s = sim();
    let ann = s.member("ann");
    s.send(
        ann,
        &Frame::SetTopic {
            room: "lobby",
            topic: "fractions",
        },
    );
    recv!(
        s,
        ann,
        Frame::TopicChanged {
            by: "ann",
            topic: "fractions",
            ..
        }
    );
    let bob = s.login("bob");
    s.send(
        bob,
        &Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        },
    );
    recv!(
        s,
        bob,
        Frame::Entered {
            topic: "fractions",
            ..
        }
    );
}

#[test]
fn private_messages_reach_only_the_recipient() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    let cat = s.member("cat");
    s.skip(ann);
    s.skip(bob);
    s.send(
        ann,
        &Frame::Whisper {
            tag: 1,
            to: "BOB",
            flags: 0,
            text: "psst",
        },
    );
    recv!(
        s,
        ann,
        Frame::Ack {
            tag: 1,
            room: "",
            id: 0,
            ..
        }
    );
    recv!(
        s,
        bob,
        Frame::Private {
            from: "ann",
            text: "psst",
            ..
        }
    );
    s.assert_quiet(cat);
    s.send(
        ann,
        &Frame::Whisper {
            tag: 2,
            to: "dan",
            flags: 0,
            text: "hello?",
        },
    );
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::NoSuchNick,
            tag: 2,
            subject: "dan"
        }
    );
}

//! Rooms made and freed, their limits, history and resume.

use super::*;

#[test]
fn rooms_are_created_and_freed() {
    let mut s = sim();
    let ann = s.member("ann");
    s.send(
        ann,
        &Frame::Join {
            room: "maths",
            epoch: 0,
            since: 0,
            key: "",
        },
    );
    recv!(
        s,
        ann,
        Frame::Entered {
            room: "maths",
            members: 1,
            ..
        }
    );
    assert!(s.hub.rooms().any(|(r, _)| r == "maths"));
    s.skip(ann);
    s.send(
        ann,
        &Frame::Part {
            room: "maths",
            reason: "",
        },
    );
    assert!(!s.hub.rooms().any(|(r, _)| r == "maths"));
    // The start-up room stays even when empty.
    s.send(
        ann,
        &Frame::Part {
            room: "lobby",
            reason: "",
        },
    );
    assert!(s.hub.rooms().any(|(r, _)| r == "lobby"));
}

#[test]
fn classroom_mode_forbids_new_rooms() {
    let mut s = Sim::new(Config {
        allow_new_rooms: false,
        ..base()
    });
    let ann = s.login("ann");
    s.send(
        ann,
        &Frame::Join {
            room: "secret",
            epoch: 0,
            since: 0,
            key: "",
        },
    );
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::RoomsFixed,
            subject: "secret",
            ..
        }
    );
}

#[test]
fn no_free_room_slot() {
    let mut s = sim();
    let ann = s.login("ann");
    for room in ["a", "b", "c"] {
        s.send(
            ann,
            &Frame::Join {
                room,
                epoch: 0,
                since: 0,
                key: "",
            },
        );
    }
    s.skip(ann);
    s.send(
        ann,
        &Frame::Join {
            room: "d",
            epoch: 0,
            since: 0,
            key: "",
        },
    );
    recv!(
        s,
        ann,
        Frame::Error {
            code: ErrorCode::NoFreeRoom,
            ..
        }
    );
}

#[test]
fn room_full() {
    let mut s = Sim::new(Config {
        room_capacity: 2,
        flood_rate: 0,
        ..base()
    });
    s.member("ann");
    s.member("bob");
    let cat = s.login("cat");
    s.send(
        cat,
        &Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        },
    );
    recv!(
        s,
        cat,
        Frame::Error {
            code: ErrorCode::RoomFull,
            subject: "lobby",
            ..
        }
    );
}

#[test]
fn server_full() {
    let mut s = Sim::new(Config {
        max_conns: 2,
        ..base()
    });
    s.connect();
    s.connect();
    assert_eq!(s.hub.handle_connect(s.now), Err(ConnectError::ServerFull));
}

#[test]
fn history_is_replayed_on_join() {
    let mut s = sim();
    let ann = s.member("ann");
    for text in ["one", "two", "three"] {
        s.send(ann, &say("lobby", text));
    }
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
    recv!(s, bob, Frame::Entered { next_id: 6, .. });
    recv!(s, bob, Frame::Names { .. });
    recv!(
        s,
        bob,
        Frame::Joined {
            nick: "ann",
            id: 1,
            ..
        }
    );
    for text_want in ["one", "two", "three"] {
        recv!(s, bob, Frame::Message { text, .. } if text == text_want);
    }
    s.assert_quiet(bob);
}

#[test]
fn resume_gets_what_was_missed() {
    let mut s = sim();
    let ann = s.login("ann");
    let epoch = s.join(ann, "lobby");
    s.skip(ann);
    s.send(ann, &say("lobby", "before"));
    // Bob saw up to id 2 ("before"), then his connection dropped.
    for text in ["a", "b"] {
        s.send(ann, &say("lobby", text));
    }
    let bob = s.login("bob");
    s.send(
        bob,
        &Frame::Join {
            room: "lobby",
            epoch,
            since: 2,
            key: "",
        },
    );
    recv!(s, bob, Frame::Entered { .. });
    recv!(s, bob, Frame::Names { .. });
    recv!(
        s,
        bob,
        Frame::Message {
            text: "a",
            id: 3,
            ..
        }
    );
    recv!(
        s,
        bob,
        Frame::Message {
            text: "b",
            id: 4,
            ..
        }
    );
    s.assert_quiet(bob);
}

#[test]
fn resume_past_the_history_gets_a_gap() {
    let mut s = sim();
    let ann = s.login("ann");
    let epoch = s.join(ann, "lobby");
    s.skip(ann);
    // 40 messages of 56 bytes: 88-byte frames, of which the test hub's
    // 1,792-byte ring (2,112 bytes less its index) keeps 20.
    for i in 0..40 {
        s.send(ann, &say("lobby", &std::format!("{i:056}")));
    }
    // Ids 1..=41 are ann's join and messages, 42 is bob's join (29 bytes,
    // which still fits); the history holds ids 22..=42, so bob missed
    // 4..=21.
    let bob = s.login("bob");
    s.send(
        bob,
        &Frame::Join {
            room: "lobby",
            epoch,
            since: 3,
            key: "",
        },
    );
    recv!(s, bob, Frame::Entered { next_id: 43, .. });
    recv!(s, bob, Frame::Gap { missed: 18, .. });
    recv!(s, bob, Frame::Names { .. });
    recv!(s, bob, Frame::Message { id: 22, .. });
}

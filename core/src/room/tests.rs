//! Room scenarios on a deterministic simulator: a virtual clock, no sockets.
//! Clients are byte queues; a client can stop reading to play a slow reader.

extern crate std;

use std::collections::{BTreeMap, BTreeSet};
use std::string::{String as StdString, ToString};
use std::vec::Vec as StdVec;

use super::*;
use crate::error::ErrorCode;
use crate::time::Instant;
use crate::wire::{FLAG_ACTION, Frame, MAX_FRAME_LEN, Status, VERSION, decode};

/// A small hub: 8 connections, 4 rooms, short texts, and 2,112 bytes of
/// history per room: an index of 32 events (10 bytes each) and a 1,792-byte
/// ring. [`base`] keeps 8 events of history.
pub(crate) type TestHub = InlineHub<8, 4, 2112, 64, 3072>;

/// The tests' settings: 8 events of history, no flood limit.
pub(crate) fn base() -> Config {
    Config {
        history: 8,
        flood_rate: 0,
        ..Config::default()
    }
}

/// One simulated client: bytes the hub sent it, and whether it reads.
#[derive(Default)]
pub(crate) struct Client {
    inbox: StdVec<u8>,
    read_at: usize,
    pub paused: bool,
    pub closed: bool,
    /// Bytes the "socket" accepts per write, to exercise partial writes.
    pub window: Option<usize>,
}

/// The simulated clients, as the pump's [`Wire`]: a client takes what the
/// hub writes (up to its window) unless it is paused or closed.
#[derive(Default)]
pub(crate) struct Clients(BTreeMap<ConnId, Client>);

impl core::ops::Deref for Clients {
    type Target = BTreeMap<ConnId, Client>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl core::ops::DerefMut for Clients {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Wire for Clients {
    fn read(&mut self, _: ConnId, _: &mut [u8]) -> Received {
        // The simulator offers input itself (`Sim::send_bytes`).
        Received::Nothing
    }

    fn write(&mut self, conn: ConnId, bytes: &[u8]) -> usize {
        let Some(c) = self.0.get_mut(&conn) else {
            return 0;
        };
        if c.closed || c.paused {
            // The driver tries to write, and the socket would block.
            return 0;
        }
        // The socket takes at most `window` bytes at a time.
        let n = bytes.len().min(c.window.unwrap_or(usize::MAX));
        c.inbox.extend_from_slice(&bytes[..n]);
        n
    }

    fn closed(&mut self, conn: ConnId) {
        if let Some(c) = self.0.get_mut(&conn) {
            c.closed = true;
        }
    }
}

pub(crate) struct Sim {
    pub hub: TestHub,
    pub now: Instant,
    pub clients: Clients,
    pump: Pump,
}

impl Sim {
    pub fn new(config: Config) -> Self {
        let mut hub = TestHub::new(config);
        hub.add_room("lobby").unwrap();
        Sim {
            hub,
            now: Instant(0),
            clients: Clients::default(),
            pump: Pump::new(),
        }
    }

    pub fn connect(&mut self) -> ConnId {
        let id = self.hub.handle_connect(self.now).unwrap();
        self.clients.insert(id, Client::default());
        id
    }

    /// Connect and say hello as `nick`, checking the welcome.
    pub fn login(&mut self, nick: &str) -> ConnId {
        let id = self.connect();
        self.send(
            id,
            &Frame::Hello {
                version: VERSION,
                nick,
                password: "",
            },
        );
        recv!(self, id, Frame::Welcome { .. });
        id
    }

    /// Log in and join the lobby, skipping the join's replies.
    pub fn member(&mut self, nick: &str) -> ConnId {
        let id = self.login(nick);
        self.join(id, "lobby");
        self.skip(id);
        id
    }

    /// Join `room` afresh; returns the room's epoch from `Entered`.
    pub fn join(&mut self, id: ConnId, room: &str) -> u32 {
        self.send(
            id,
            &Frame::Join {
                room,
                epoch: 0,
                since: 0,
            },
        );
        let raw = self.next_raw(id).expect("no reply to join");
        match frame(&raw) {
            Frame::Entered { epoch, .. } => epoch,
            other => panic!("expected Entered, got {other:?}"),
        }
    }

    pub fn send(&mut self, id: ConnId, frame: &Frame<'_>) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = frame.encode(&mut buf).unwrap();
        self.send_bytes(id, &buf[..n]);
    }

    /// Offer bytes to the hub, pumping output until it takes them all (or
    /// gives up because the client is paused).
    pub fn send_bytes(&mut self, id: ConnId, mut bytes: &[u8]) {
        for _ in 0..1000 {
            let n = self.hub.handle_bytes(self.now, id, bytes);
            bytes = &bytes[n..];
            self.pump();
            if bytes.is_empty()
                || n == 0 && self.clients.get(&id).is_none_or(|c| c.paused || c.closed)
            {
                return;
            }
        }
        panic!("hub never took the bytes");
    }

    /// Deliver all output to clients that read, and take closes.
    pub fn pump(&mut self) {
        self.pump
            .settle(&mut self.hub, self.now, &mut self.clients)
            .expect("the hub never settles");
    }

    pub fn advance(&mut self, ms: u64) {
        self.now = Instant(self.now.0 + ms);
        self.hub.handle_timeout(self.now);
        self.pump();
    }

    /// The raw bytes of the next frame `id` received, if any.
    pub fn next_raw(&mut self, id: ConnId) -> Option<StdVec<u8>> {
        let c = self.clients.get_mut(&id)?;
        let rest = &c.inbox[c.read_at..];
        match decode(rest) {
            Ok(Status::Complete((_, n))) => {
                c.read_at += n;
                Some(rest[..n].to_vec())
            }
            Ok(Status::Partial { .. }) => None,
            Err(e) => panic!("hub sent a bad frame: {e}"),
        }
    }

    /// Drop everything `id` has received so far.
    pub fn skip(&mut self, id: ConnId) {
        while self.next_raw(id).is_some() {}
    }

    /// Nothing left for `id`.
    pub fn assert_quiet(&mut self, id: ConnId) {
        if let Some(raw) = self.next_raw(id) {
            panic!("unexpected frame {:?}", frame(&raw));
        }
    }
}

pub(crate) fn frame(raw: &[u8]) -> Frame<'_> {
    match decode(raw) {
        Ok(Status::Complete((f, _))) => f,
        other => panic!("{other:?}"),
    }
}

/// The next frame `$id` received matches `$pat` (and `$cond`, if given).
macro_rules! recv {
    ($sim:expr, $id:expr, $pat:pat) => {
        recv!($sim, $id, $pat if true)
    };
    ($sim:expr, $id:expr, $pat:pat if $cond:expr) => {{
        let raw = $sim.next_raw($id).expect("no frame arrived");
        match frame(&raw) {
            #[allow(unused_variables)]
            $pat if $cond => {}
            other => panic!("expected {}, got {:?}", stringify!($pat), other),
        }
    }};
}
pub(crate) use recv;

fn say<'a>(room: &'a str, text: &'a str) -> Frame<'a> {
    Frame::Say {
        tag: 7,
        room,
        flags: 0,
        text,
    }
}

fn sim() -> Sim {
    Sim::new(Config {
        flood_rate: 0,
        ..base()
    })
}

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
    recv!(s, bob, Frame::Names { room: "lobby", flags: 0, nicks } if nicks.iter().eq(["ann", "bob"]));
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
fn leave_and_quit_are_announced() {
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
    recv!(s, bob, Frame::Left { room: "lobby" });
    recv!(
        s,
        ann,
        Frame::Parted {
            nick: "bob",
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
    recv!(s, bob, Frame::Left { room: "lobby" });
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
            Frame::Left { room: "lobby" } => break,
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
    recv!(s, bob, Frame::Left { room: "lobby" });
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
        },
    );
    recv!(s, bob, Frame::Entered { next_id: 43, .. });
    recv!(s, bob, Frame::Gap { missed: 18, .. });
    recv!(s, bob, Frame::Names { .. });
    recv!(s, bob, Frame::Message { id: 22, .. });
}

/// Send `text` from `id` straight to the hub, without writing any output.
fn say_unpumped(s: &mut Sim, id: ConnId, text: &str) {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = say("lobby", text).encode(&mut buf).unwrap();
    assert_eq!(s.hub.handle_bytes(s.now, id, &buf[..n]), n);
}

/// Drain `id`'s output with `Transmit::pieces`, at most `pieces` pieces and
/// `budget` bytes per write, the "socket" taking at most `take` bytes each
/// time; returns the texts of the messages received, checking that every
/// frame arrived whole.
fn drain_in_pieces(
    s: &mut Sim,
    id: ConnId,
    pieces: usize,
    budget: usize,
    take: usize,
) -> StdVec<StdString> {
    let mut stream = StdVec::new();
    loop {
        let mut slots: [&[u8]; 8] = [&[]; 8];
        let mut tx = s.hub.transmit(s.now, id, budget);
        let count = tx.pieces(&mut slots[..pieces]);
        if count == 0 {
            break;
        }
        let mut written = StdVec::new();
        for piece in &slots[..count] {
            assert!(!piece.is_empty());
            written.extend_from_slice(piece);
        }
        assert!(written.len() <= budget);
        assert_eq!(written.len(), tx.len());
        let n = written.len().min(take);
        stream.extend_from_slice(&written[..n]);
        tx.commit(n);
    }
    let mut texts = StdVec::new();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let Ok(Status::Complete((f, n))) = decode(rest) else {
            panic!("a frame was cut: {rest:?}");
        };
        if let Frame::Message { text, .. } = f {
            texts.push(text.to_string());
        }
        rest = &rest[n..];
    }
    texts
}

#[test]
fn runs_of_events_go_out_in_pieces_and_skip_own_messages() {
    // Ann and bob talk in turns while nothing is written; bob's events are
    // then runs of ann's lines broken by his own, which he must not get.
    for (pieces, budget, take) in [
        (8, 65536, usize::MAX),
        (3, 65536, usize::MAX),
        (3, 1024, 100),
        (3, 1024, 7),
    ] {
        let mut s = sim();
        let ann = s.member("ann");
        let bob = s.member("bob");
        let mut from_ann = StdVec::new();
        for i in 0..12 {
            let text = std::format!("ann {i}");
            say_unpumped(&mut s, ann, &text);
            from_ann.push(text);
            if i % 3 != 2 {
                say_unpumped(&mut s, bob, &std::format!("bob {i}"));
            }
        }
        // No room for even one piece: nothing is lent, nothing moves.
        let mut tx = s.hub.transmit(s.now, bob, budget);
        assert_eq!(tx.pieces(&mut []), 0);
        tx.commit(0);
        let got = drain_in_pieces(&mut s, bob, pieces, budget, take);
        assert_eq!(
            got, from_ann,
            "pieces {pieces}, budget {budget}, take {take}"
        );
        let mut none: [&[u8]; 8] = [&[]; 8];
        assert_eq!(
            s.hub.transmit(s.now, bob, budget).pieces(&mut none),
            0,
            "caught up"
        );
    }
}

#[test]
fn slow_reader_gets_a_gap_and_does_not_hold_up_others() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    let cat = s.member("cat");
    s.skip(ann);
    s.skip(bob);
    s.clients.get_mut(&cat).unwrap().paused = true;
    let mut text = StdString::new();
    for i in 0..100 {
        text.clear();
        text.push_str(&i.to_string());
        s.send(ann, &say("lobby", &text));
    }
    // Bob got every message, in order, while cat was not reading.
    for i in 0..100 {
        let want = i.to_string();
        recv!(s, bob, Frame::Message { text, .. } if text == want);
    }
    // Cat resumes: what its queue held, then a gap, then the history.
    s.clients.get_mut(&cat).unwrap().paused = false;
    s.pump();
    let mut ids = StdVec::new();
    let mut missed = 0;
    while let Some(raw) = s.next_raw(cat) {
        match frame(&raw) {
            Frame::Message { id, .. } => ids.push(id),
            Frame::Gap { missed: m, .. } => missed += m,
            other => panic!("{other:?}"),
        }
    }
    assert!(missed > 0);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(ids.len() as u64 + missed, 100);
    assert_eq!(ids.last(), Some(&103));
}

/// What a paused member finds once it reads again: its acks, the sum of
/// its gap notices (each checked to be non-zero), and the texts of the
/// messages it got, in order.
fn read_back(s: &mut Sim, id: ConnId) -> (usize, u64, StdVec<StdString>) {
    s.clients.get_mut(&id).unwrap().paused = false;
    s.pump();
    let (mut acks, mut missed, mut texts) = (0, 0, StdVec::new());
    let mut last_id = 0;
    while let Some(raw) = s.next_raw(id) {
        match frame(&raw) {
            Frame::Ack { .. } => acks += 1,
            Frame::Gap { missed: m, .. } => {
                assert!(m > 0, "a gap notice for nothing");
                missed += m;
            }
            Frame::Message { id, text, .. } => {
                assert!(id > last_id);
                last_id = id;
                texts.push(text.to_string());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    (acks, missed, texts)
}

#[test]
fn own_messages_that_leave_the_history_are_not_missed() {
    // Issue 8: a member sends fast without reading; the history (32 events
    // here) moves past its cursor, but only over its own messages, which
    // it is never sent. It missed nothing, so it gets no gap notice.
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.clients.get_mut(&ann).unwrap().paused = true;
    for i in 0..50 {
        s.send(ann, &say("lobby", &i.to_string()));
    }
    for i in 0..50 {
        let want = i.to_string();
        recv!(s, bob, Frame::Message { text, .. } if text == want);
    }
    let (acks, missed, texts) = read_back(&mut s, ann);
    assert_eq!((acks, missed), (50, 0));
    assert!(texts.is_empty(), "its own messages came back: {texts:?}");
}

#[test]
fn a_gap_counts_only_others_events() {
    // Ann does not read while she and bob take turns (10 each), then bob
    // says 30 more: 50 events after ann's cursor, of which the history
    // keeps the last 32 (b9, a9, c0..c29). Gone are a0..a8, which are
    // ann's own, and b0..b8: she missed exactly 9.
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.clients.get_mut(&ann).unwrap().paused = true;
    for i in 0..10 {
        s.send(bob, &say("lobby", &std::format!("b{i}")));
        s.send(ann, &say("lobby", &std::format!("a{i}")));
    }
    for i in 0..30 {
        s.send(bob, &say("lobby", &std::format!("c{i}")));
    }
    let (acks, missed, texts) = read_back(&mut s, ann);
    assert_eq!((acks, missed), (10, 9));
    let want: StdVec<StdString> = core::iter::once("b9".to_string())
        .chain((0..30).map(|i| std::format!("c{i}")))
        .collect();
    assert_eq!(texts, want);
}

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
    s.send(ann, &Frame::Left { room: "lobby" });
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

#[test]
fn partial_writes_keep_frames_whole() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.skip(bob);
    // Bob's socket takes 7 bytes at a time, cutting every frame.
    s.clients.get_mut(&bob).unwrap().window = Some(7);
    for i in 0..30 {
        s.send(ann, &say("lobby", &i.to_string()));
    }
    for i in 0..30 {
        let want = i.to_string();
        recv!(s, bob, Frame::Message { text, .. } if text == want);
    }
    s.assert_quiet(bob);
}

/// Count the `Pong`s in what `conn` is lent now, writing all of it.
fn pongs_written(hub: &mut TestHub, conn: ConnId) -> usize {
    let mut pongs = 0;
    loop {
        let mut buf = [0u8; 4096];
        let mut tx = hub.transmit(Instant(0), conn, buf.len());
        let n = tx.copy_to(&mut buf);
        tx.commit(n);
        if n == 0 {
            return pongs;
        }
        let mut rest = &buf[..n];
        while let Ok(Status::Complete((f, used))) = decode(rest) {
            pongs += usize::from(matches!(f, Frame::Pong { .. }));
            rest = &rest[used..];
        }
    }
}

#[test]
fn writing_output_never_handles_input_until_the_driver_resumes_it() {
    // Ann sends pings without reading: her queue fills with pongs until
    // her requests wait in her input buffer, which then fills too.
    let mut hub = TestHub::new(base());
    hub.add_room("lobby").unwrap();
    let ann = hub.handle_connect(Instant(0)).unwrap();
    let mut hello = [0u8; 64];
    let n = Frame::Hello {
        version: VERSION,
        nick: "ann",
        password: "",
    }
    .encode(&mut hello)
    .unwrap();
    assert_eq!(hub.handle_bytes(Instant(0), ann, &hello[..n]), n);
    let mut ping = [0u8; 16];
    let n = Frame::Ping { token: 1 }.encode(&mut ping).unwrap();
    let mut sent = 0;
    while hub.handle_bytes(Instant(0), ann, &ping[..n]) == n {
        sent += 1;
        assert!(sent < 10_000, "the hub never stops taking pings");
    }
    assert!(hub.recv_buf(ann).is_empty(), "reading pauses");
    // Writing her output frees the queue but answers no waiting ping.
    let first = pongs_written(&mut hub, ann);
    assert!(first > 0 && first < sent, "{first} of {sent} answered");
    assert_eq!(pongs_written(&mut hub, ann), 0, "output handled input");
    // Resumed, the waiting pings are answered; none is lost.
    let mut answered = first;
    while answered < sent {
        hub.resume_input(Instant(0), ann);
        let more = pongs_written(&mut hub, ann);
        assert!(more > 0, "resume_input answered nothing");
        answered += more;
    }
    assert_eq!(answered, sent);
    // Only the start of the ping that did not fit is left in her buffer.
    assert!(
        hub.recv_buf(ann).len() > MAX_FRAME_LEN - n,
        "reading can go on"
    );
}

//! The session state against a scripted server and a simulated clock:
//! frames go in (through the codec, as the link hands them over),
//! milliseconds pass, and the updates and the frames sent are checked.
//! No sockets, no threads, no waiting: resume, de-duplication, gaps and
//! unconfirmed lines, each in a few microseconds.

use std::time::{Duration, Instant};

use natter_core::error::ErrorCode;
use natter_core::wire::{FLAG_ACTION, FLAG_MORE, Frame, MAX_FRAME_LEN, NickList, Status, decode};

use super::state::{BACKOFF, ConnectFailure, KEEPALIVE, LinkOrder, RESUME_GRACE, SessionState};
use super::types::{Command, ConnectError, EventKind, Login, RoomEvent, Update};
use super::words;

/// The lobby's epoch in these scripts, and the id its next event gets.
const EPOCH: u32 = 7;
const NEXT_ID: u64 = 10;

/// One session state, its clock, and what it said and sent.
struct Sim {
    state: SessionState,
    start: Instant,
    now: Instant,
}

impl Sim {
    fn new(login: Login) -> Self {
        let start = Instant::now();
        Sim {
            state: SessionState::new(login, start),
            start,
            now: start,
        }
    }

    /// Ann, in the lobby: welcomed, entered with epoch 7 (next id 10) and
    /// the member list in; nothing left to poll.
    fn in_lobby() -> Self {
        let mut sim = Sim::new(login());
        sim.connect_as("ann");
        sim.expect_sent(&[join("lobby", 0, 0)]);
        sim.receive(&entered("lobby", EPOCH, NEXT_ID));
        sim.receive(&names("lobby", false, &["bob", "ann"]));
        sim.updates();
        sim
    }

    /// Milliseconds since the session started.
    fn ms(&self) -> u64 {
        u64::try_from((self.now - self.start).as_millis()).unwrap_or(u64::MAX)
    }

    /// Let `ms` milliseconds pass, firing each timeout at its moment, as
    /// the link does.
    fn wait(&mut self, ms: u64) {
        let target = self.now + Duration::from_millis(ms);
        while let Some(at) = self.state.poll_timeout().filter(|&at| at <= target) {
            self.now = self.now.max(at);
            self.state.handle_timeout(self.now);
        }
        self.now = target;
    }

    /// A frame from the server, encoded and decoded again as the link
    /// hands it over (so a script cannot send what the wire cannot carry).
    fn receive(&mut self, frame: &Frame<'_>) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = frame.encode(&mut buf).expect("the script's frame encodes");
        match decode(&buf[..n]) {
            Ok(Status::Complete((frame, _))) => self.state.handle_frame(self.now, &frame),
            other => panic!("the script's frame does not decode: {other:?}"),
        }
    }

    fn command(&mut self, cmd: Command) {
        self.state.handle_command(self.now, cmd);
    }

    fn say(&mut self, tag: u32, text: &str) {
        self.command(Command::Say {
            tag,
            room: "lobby".into(),
            text: text.into(),
            action: false,
        });
    }

    /// The link's part of a connection that works: it was asked to
    /// connect, says hello with the state's nickname and gets `nick`
    /// back in the welcome.
    fn connect_as(&mut self, nick: &str) {
        assert_eq!(self.orders(), [LinkOrder::Connect]);
        let hello = self.state.hello().expect("the login is valid");
        assert_eq!(hello.nick, login().nick);
        self.receive(&Frame::Welcome {
            version: natter_core::wire::VERSION,
            nick,
            lobby: "lobby",
            max_text: 512,
        });
    }

    fn lose(&mut self, reason: &str) {
        self.state.handle_lost(self.now, reason.into());
    }

    fn updates(&mut self) -> Vec<Update> {
        std::iter::from_fn(|| self.state.poll_update()).collect()
    }

    fn orders(&mut self) -> Vec<LinkOrder> {
        std::iter::from_fn(|| self.state.poll_link()).collect()
    }

    /// The frames sent since last asked are exactly `expected`.
    fn expect_sent(&mut self, expected: &[Frame<'_>]) {
        let sent: Vec<Vec<u8>> = std::iter::from_fn(|| self.state.poll_transmit()).collect();
        let frames: Vec<Frame<'_>> = sent
            .iter()
            .map(|bytes| match decode(bytes) {
                Ok(Status::Complete((frame, n))) if n == bytes.len() => frame,
                other => panic!("the state sent an undecodable frame: {other:?}"),
            })
            .collect();
        assert_eq!(frames, expected, "at {} ms", self.ms());
    }

    /// Lose the connection at once, wait out the first back-off and
    /// reconnect: the link's part of a reconnect.
    fn reconnect(&mut self) {
        self.lose("the server closed the connection");
        assert_eq!(self.orders(), [LinkOrder::Disconnect]);
        self.wait(BACKOFF[0] * 1000);
        self.connect_as("ann");
    }
}

fn login() -> Login {
    Login {
        host: "127.0.0.1".into(),
        port: 5555,
        nick: "ann".into(),
        password: String::new(),
        room: None,
        teacher_password: String::new(),
    }
}

fn join(room: &str, epoch: u32, since: u64) -> Frame<'_> {
    Frame::Join {
        room,
        epoch,
        since,
        key: "",
    }
}

fn entered(room: &str, epoch: u32, next_id: u64) -> Frame<'_> {
    Frame::Entered {
        room,
        topic: "fractions",
        epoch,
        next_id,
        members: 2,
    }
}

fn names<'a>(room: &'a str, more: bool, nicks: &'a [&'a str]) -> Frame<'a> {
    Frame::Names {
        room,
        flags: if more { FLAG_MORE } else { 0 },
        nicks: NickList::Slice(nicks),
        roles: &[],
    }
}

fn message<'a>(id: u64, from: &'a str, text: &'a str) -> Frame<'a> {
    Frame::Message {
        room: "lobby",
        id,
        time: 1_000 + id,
        from,
        flags: 0,
        text,
    }
}

fn ack(tag: u32, id: u64) -> Frame<'static> {
    Frame::Ack {
        tag,
        room: "lobby",
        id,
        time: 1_000 + id,
    }
}

/// The update for `message(id, from, text)`.
fn shown(id: u64, from: &str, text: &str, live: bool) -> Update {
    Update::Event(RoomEvent {
        room: "lobby".into(),
        id,
        time: 1_000 + id,
        live,
        kind: EventKind::Message {
            from: from.into(),
            text: text.into(),
            action: false,
        },
    })
}

fn lost(reason: &str, secs: u64) -> Update {
    Update::Lost {
        reason: reason.into(),
        retry_in: Duration::from_secs(secs),
    }
}

fn connecting(attempt: u32) -> Update {
    Update::Connecting {
        server: "127.0.0.1:5555".into(),
        attempt,
    }
}

fn refused(tag: u32, message: &str) -> Update {
    Update::Refused {
        tag,
        code: ErrorCode::Other(0),
        subject: String::new(),
        message: message.into(),
    }
}

#[test]
fn the_first_connection_joins_the_lobby_the_server_names() {
    let mut sim = Sim::new(login());
    assert_eq!(sim.updates(), [connecting(1)]);
    sim.connect_as("Ann");
    assert_eq!(
        sim.updates(),
        [Update::Connected {
            nick: "Ann".into(),
            server: "127.0.0.1:5555".into(),
            max_text: 512,
        }]
    );
    sim.expect_sent(&[join("lobby", 0, 0)]);
    sim.receive(&entered("lobby", EPOCH, NEXT_ID));
    sim.receive(&names("lobby", true, &["bob"]));
    sim.receive(&names("lobby", false, &["Ann"]));
    assert_eq!(
        sim.updates(),
        [
            Update::Entered {
                room: "lobby".into(),
                topic: "fractions".into(),
                resumed: false,
            },
            Update::Members {
                room: "lobby".into(),
                nicks: vec!["bob".into(), "Ann".into()],
                roles: vec![0, 0],
            },
        ]
    );
}

#[test]
fn history_is_not_live_and_later_events_are() {
    let mut sim = Sim::in_lobby();
    sim.receive(&message(NEXT_ID - 1, "bob", "from before"));
    sim.receive(&message(NEXT_ID, "bob", "now"));
    assert_eq!(
        sim.updates(),
        [
            shown(NEXT_ID - 1, "bob", "from before", false),
            shown(NEXT_ID, "bob", "now", true),
        ]
    );
}

#[test]
fn a_line_is_sent_and_acked_by_its_tag() {
    let mut sim = Sim::in_lobby();
    sim.command(Command::Say {
        tag: 3,
        room: "lobby".into(),
        text: "waves".into(),
        action: true,
    });
    sim.expect_sent(&[Frame::Say {
        tag: 3,
        room: "lobby",
        flags: FLAG_ACTION,
        text: "waves",
    }]);
    sim.receive(&ack(3, 12));
    assert_eq!(
        sim.updates(),
        [Update::Acked {
            tag: 3,
            id: 12,
            time: 1_012
        }]
    );
}

#[test]
fn a_lost_connection_resumes_after_a_second_from_the_last_id_seen() {
    let mut sim = Sim::in_lobby();
    sim.receive(&message(NEXT_ID, "bob", "hi"));
    sim.receive(&message(NEXT_ID + 1, "bob", "there"));
    sim.updates();
    sim.lose("the server stopped answering");
    assert_eq!(sim.orders(), [LinkOrder::Disconnect]);
    assert_eq!(sim.updates(), [lost("the server stopped answering", 1)]);
    // Frames from the old connection no longer count.
    sim.receive(&message(NEXT_ID + 2, "bob", "late"));
    sim.wait(999);
    assert_eq!(sim.updates(), []);
    assert_eq!(sim.orders(), []);
    sim.wait(1);
    assert_eq!(sim.updates(), [connecting(1)]);
    sim.connect_as("ann");
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID + 1)]);
    sim.receive(&entered("lobby", EPOCH, NEXT_ID + 3));
    sim.receive(&message(NEXT_ID + 2, "bob", "while away"));
    let updates = sim.updates();
    assert_eq!(
        updates[1..],
        [
            Update::Entered {
                room: "lobby".into(),
                topic: "fractions".into(),
                resumed: true,
            },
            shown(NEXT_ID + 2, "bob", "while away", false),
        ]
    );
}

#[test]
fn a_room_entered_but_silent_resumes_from_before_its_next_id() {
    let mut sim = Sim::in_lobby();
    sim.reconnect();
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID - 1)]);
}

#[test]
fn own_acked_lines_are_not_shown_again_in_the_replay() {
    let mut sim = Sim::in_lobby();
    sim.say(1, "mine");
    sim.receive(&ack(1, NEXT_ID));
    sim.reconnect();
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID - 1)]);
    sim.updates();
    sim.receive(&entered("lobby", EPOCH, NEXT_ID + 2));
    sim.receive(&message(NEXT_ID, "ann", "mine"));
    sim.receive(&message(NEXT_ID + 1, "bob", "yours"));
    assert_eq!(
        sim.updates()[1..],
        [shown(NEXT_ID + 1, "bob", "yours", false)]
    );
}

#[test]
fn a_new_epoch_forgets_own_ids() {
    let mut sim = Sim::in_lobby();
    sim.say(1, "mine");
    sim.receive(&ack(1, NEXT_ID));
    sim.reconnect();
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID - 1)]);
    // The server restarted: the room is new and its id 10 is someone
    // else's line.
    sim.receive(&entered("lobby", EPOCH + 1, 1));
    sim.receive(&message(NEXT_ID, "ann", "mine"));
    assert_eq!(
        sim.updates().last(),
        Some(&shown(NEXT_ID, "ann", "mine", true))
    );
}

#[test]
fn a_line_unconfirmed_before_the_loss_is_found_in_the_replay() {
    let mut sim = Sim::in_lobby();
    sim.say(4, "did it go?");
    sim.say(5, "lost in the air");
    sim.expect_sent(&[
        Frame::Say {
            tag: 4,
            room: "lobby",
            flags: 0,
            text: "did it go?",
        },
        Frame::Say {
            tag: 5,
            room: "lobby",
            flags: 0,
            text: "lost in the air",
        },
    ]);
    sim.reconnect();
    sim.updates();
    sim.receive(&entered("lobby", EPOCH, NEXT_ID + 2));
    // Someone else's identical line is not ours.
    sim.receive(&message(NEXT_ID, "bob", "lost in the air"));
    sim.receive(&message(NEXT_ID + 1, "ann", "did it go?"));
    assert_eq!(
        sim.updates()[1..],
        [
            shown(NEXT_ID, "bob", "lost in the air", false),
            Update::Acked {
                tag: 4,
                id: NEXT_ID + 1,
                time: 1_000 + NEXT_ID + 1,
            },
        ]
    );
    // The other was not in the replay: after the grace it is refused,
    // not a moment before.
    let grace = u64::try_from(RESUME_GRACE.as_millis()).unwrap_or(u64::MAX);
    sim.wait(grace - 1);
    assert_eq!(sim.updates(), []);
    sim.wait(1);
    assert_eq!(sim.updates(), [refused(5, words::NOT_DELIVERED)]);
    sim.wait(60_000);
    assert!(
        !sim.updates()
            .iter()
            .any(|u| matches!(u, Update::Refused { .. })),
        "refused once"
    );
}

#[test]
fn a_live_line_from_our_nick_is_not_taken_for_an_unconfirmed_one() {
    let mut sim = Sim::in_lobby();
    sim.say(4, "hello");
    sim.reconnect();
    sim.updates();
    sim.receive(&entered("lobby", EPOCH, NEXT_ID));
    sim.receive(&message(NEXT_ID, "ann", "hello"));
    assert_eq!(sim.updates()[1..], [shown(NEXT_ID, "ann", "hello", true)]);
}

#[test]
fn a_gap_is_passed_on_and_the_next_resume_starts_after_it() {
    let mut sim = Sim::in_lobby();
    sim.reconnect();
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID - 1)]);
    sim.updates();
    sim.receive(&entered("lobby", EPOCH, 6_000));
    sim.receive(&Frame::Gap {
        room: "lobby",
        missed: 900,
    });
    sim.receive(&message(5_999, "bob", "kept"));
    assert_eq!(
        sim.updates()[1..],
        [
            Update::Gap {
                room: "lobby".into(),
                missed: 900,
            },
            shown(5_999, "bob", "kept", false),
        ]
    );
    sim.reconnect();
    sim.expect_sent(&[join("lobby", EPOCH, 5_999)]);
}

#[test]
fn failed_reconnects_back_off_doubling_up_to_30_s() {
    let mut sim = Sim::in_lobby();
    sim.lose("gone");
    sim.orders();
    let mut waits = vec![];
    for _ in 0..8 {
        let Some(Update::Lost { retry_in, .. }) = sim.updates().pop() else {
            panic!("no Lost update");
        };
        waits.push(retry_in.as_secs());
        sim.wait(retry_in.as_secs() * 1000);
        assert_eq!(sim.orders(), [LinkOrder::Connect]);
        sim.state
            .handle_connect_failed(sim.now, ConnectFailure::Unreachable(ConnectError::Refused));
    }
    assert_eq!(waits, [1, 1, 2, 4, 8, 16, 30, 30]);
}

#[test]
fn the_first_connection_failing_ends_the_session() {
    let mut sim = Sim::new(login());
    sim.orders();
    sim.state
        .handle_connect_failed(sim.now, ConnectFailure::Unreachable(ConnectError::Timeout));
    assert_eq!(sim.updates()[1..], [Update::Failed(ConnectError::Timeout)]);
    assert!(sim.state.is_closed());
    assert_eq!(sim.state.poll_timeout(), None);
}

#[test]
fn a_taken_nick_on_reconnect_is_retried_a_wrong_password_is_not() {
    let mut sim = Sim::in_lobby();
    sim.lose("gone");
    sim.wait(1_000);
    sim.orders();
    sim.updates();
    sim.state
        .handle_connect_failed(sim.now, ConnectFailure::Refused(ErrorCode::NickTaken));
    assert_eq!(
        sim.updates(),
        [lost(&ConnectError::NickTaken("ann".into()).to_string(), 1)]
    );
    sim.wait(1_000);
    sim.orders();
    sim.state
        .handle_connect_failed(sim.now, ConnectFailure::Refused(ErrorCode::BadPassword));
    assert_eq!(
        sim.updates()[1..],
        [Update::Failed(ConnectError::BadPassword)]
    );
    assert!(sim.state.is_closed());
}

#[test]
fn a_bad_nickname_fails_before_the_hello() {
    let mut sim = Sim::new(Login {
        nick: "2pac".into(),
        ..login()
    });
    sim.orders();
    assert_eq!(sim.state.hello(), None);
    assert!(matches!(
        sim.updates()[..],
        [_, Update::Failed(ConnectError::BadNick(_))]
    ));
}

#[test]
fn while_offline_lines_are_refused_and_room_changes_wait() {
    let mut sim = Sim::in_lobby();
    sim.lose("gone");
    sim.orders();
    sim.updates();
    sim.say(8, "anyone?");
    sim.command(Command::Join("maths".into()));
    sim.command(Command::Nick("zoe".into()));
    assert_eq!(
        sim.updates(),
        [
            refused(8, words::NOT_SENT_OFFLINE),
            refused(0, &words::not_done_offline(&Command::Nick("zoe".into()))),
        ]
    );
    sim.wait(1_000);
    sim.connect_as("ann");
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID - 1), join("maths", 0, 0)]);
}

#[test]
fn keepalive_pings_after_45_s_without_sending() {
    let mut sim = Sim::in_lobby();
    let keepalive = u64::try_from(KEEPALIVE.as_millis()).unwrap_or(u64::MAX);
    sim.wait(30_000);
    sim.say(1, "hi");
    sim.expect_sent(&[Frame::Say {
        tag: 1,
        room: "lobby",
        flags: 0,
        text: "hi",
    }]);
    sim.wait(keepalive - 1);
    sim.expect_sent(&[]);
    sim.wait(1);
    sim.expect_sent(&[Frame::Ping { token: 0 }]);
    sim.receive(&Frame::Ping { token: 9 });
    sim.expect_sent(&[Frame::Pong { token: 9 }]);
}

#[test]
fn the_first_room_refused_is_a_failed_connection_a_later_one_is_not() {
    let mut sim = Sim::new(Login {
        room: Some("maths".into()),
        ..login()
    });
    sim.connect_as("ann");
    sim.expect_sent(&[join("maths", 0, 0)]);
    sim.updates();
    sim.receive(&Frame::Error {
        code: ErrorCode::RoomFull,
        tag: 0,
        subject: "maths",
    });
    sim.expect_sent(&[Frame::Quit {
        reason: "could not join",
    }]);
    assert_eq!(sim.updates(), [Update::Failed(ConnectError::RoomFull)]);
    assert_eq!(sim.orders(), [LinkOrder::Disconnect]);

    let mut sim = Sim::in_lobby();
    sim.command(Command::Join("maths".into()));
    sim.expect_sent(&[join("maths", 0, 0)]);
    sim.receive(&Frame::Error {
        code: ErrorCode::RoomFull,
        tag: 0,
        subject: "maths",
    });
    assert_eq!(
        sim.updates(),
        [Update::Refused {
            tag: 0,
            code: ErrorCode::RoomFull,
            subject: "maths".into(),
            message: words::refusal_text(ErrorCode::RoomFull, "maths"),
        }]
    );
    // And it is not rejoined after a reconnect.
    sim.reconnect();
    sim.expect_sent(&[join("lobby", EPOCH, NEXT_ID - 1)]);
}

#[test]
fn a_server_shutting_down_is_reconnected_to_a_quit_ends() {
    let mut sim = Sim::in_lobby();
    sim.receive(&Frame::Bye {
        code: ErrorCode::ShuttingDown,
        reason: "",
    });
    assert_eq!(sim.orders(), [LinkOrder::Disconnect]);
    assert_eq!(sim.updates(), [lost("the server is shutting down", 1)]);
    sim.wait(1_000);
    sim.connect_as("ann");
    sim.command(Command::Quit("bye".into()));
    sim.expect_sent(&[
        join("lobby", EPOCH, NEXT_ID - 1),
        Frame::Quit { reason: "bye" },
    ]);
    assert_eq!(
        sim.updates().last(),
        Some(&Update::Closed {
            reason: words::YOU_LEFT.into()
        })
    );
    assert!(sim.state.is_closed());
}

#[test]
fn a_line_too_long_is_refused_and_not_sent() {
    let mut sim = Sim::in_lobby();
    sim.say(2, &"x".repeat(2_000));
    sim.expect_sent(&[]);
    assert!(matches!(
        sim.updates()[..],
        [Update::Refused {
            tag: 2,
            code: ErrorCode::BadText,
            ..
        }]
    ));
    // It is not waiting for an ack either: a reconnect does not refuse it
    // again.
    sim.reconnect();
    sim.updates();
    sim.receive(&entered("lobby", EPOCH, NEXT_ID));
    sim.wait(60_000);
    assert!(
        !sim.updates()
            .iter()
            .any(|u| matches!(u, Update::Refused { .. }))
    );
}

#[test]
fn dropping_the_session_says_goodbye() {
    let mut sim = Sim::in_lobby();
    sim.state.handle_dropped(sim.now);
    sim.expect_sent(&[Frame::Quit {
        reason: "closed the window",
    }]);
    assert_eq!(sim.orders(), [LinkOrder::Disconnect]);
    assert_eq!(sim.updates(), []);
    assert!(sim.state.is_closed());
}

#[test]
fn commands_while_connecting_wait_for_the_outcome() {
    let mut sim = Sim::new(login());
    sim.say(1, "early");
    sim.command(Command::Join("maths".into()));
    sim.connect_as("ann");
    sim.expect_sent(&[
        join("lobby", 0, 0),
        Frame::Say {
            tag: 1,
            room: "lobby",
            flags: 0,
            text: "early",
        },
        join("maths", 0, 0),
    ]);
}

#[test]
fn the_teacher_proves_the_password_before_joining_and_after_every_reconnect() {
    let mut sim = Sim::new(Login {
        teacher_password: "chalk".into(),
        ..login()
    });
    sim.updates();
    sim.connect_as("ann");
    sim.expect_sent(&[Frame::Teach { password: "chalk" }, join("lobby", 0, 0)]);
    sim.receive(&Frame::YouAre {
        roles: natter_core::wire::ROLE_TEACHER,
    });
    sim.receive(&entered("lobby", EPOCH, NEXT_ID));
    assert!(sim.updates().contains(&Update::Teacher));
    sim.reconnect();
    sim.expect_sent(&[
        Frame::Teach { password: "chalk" },
        join("lobby", EPOCH, NEXT_ID - 1),
    ]);
}

#[test]
fn a_student_proves_nothing_until_asked_and_a_kick_is_not_rejoined() {
    let mut sim = Sim::in_lobby();
    sim.command(Command::Teach("guess".into()));
    sim.expect_sent(&[Frame::Teach { password: "guess" }]);
    sim.command(Command::Mode {
        room: "lobby".into(),
        add: Some(true),
        mode: 'm',
        arg: String::new(),
    });
    sim.expect_sent(&[Frame::Mode {
        room: "lobby",
        flags: natter_core::wire::FLAG_ADD,
        mode: b'm',
        arg: "",
    }]);
    sim.updates();
    sim.receive(&Frame::Kicked {
        room: "lobby",
        id: NEXT_ID,
        time: 1,
        by: "ms-lee",
        nick: "ann",
        reason: "calm down",
    });
    assert_eq!(
        sim.updates(),
        [Update::Event(RoomEvent {
            room: "lobby".into(),
            id: NEXT_ID,
            time: 1,
            live: true,
            kind: EventKind::Kicked {
                by: "ms-lee".into(),
                nick: "ann".into(),
                reason: "calm down".into(),
            },
        })]
    );
    // After a reconnect the lobby is not rejoined: ann was put out. The
    // wrong password is not tried again either.
    sim.reconnect();
    sim.expect_sent(&[]);
}

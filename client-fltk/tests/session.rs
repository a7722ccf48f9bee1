//! The client's network session, without a display: against a real
//! natter-server on 127.0.0.1 (ephemeral ports), through a proxy that can
//! cut the connection, and against fake servers that misbehave.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use natter_client::session::{Command, ConnectError, EventKind, Login, RoomEvent, Session, Update};
use natter_core::wire::{Frame, VERSION};
use natter_server::client::Client;
use natter_server::{Options, Server, ShutdownHandle};

/// Longest wait for any one update.
const WAIT: Duration = Duration::from_secs(20);

struct TestServer {
    addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<thread::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    fn start(tweak: impl FnOnce(&mut Options)) -> Self {
        let mut options = Options {
            bind: "127.0.0.1:0".parse().unwrap(),
            flood_rate: 0,
            ..Options::default()
        };
        tweak(&mut options);
        let server = Server::bind(options).expect("bind");
        let addr = server.local_addr();
        let handle = server.shutdown_handle();
        TestServer {
            addr,
            handle,
            thread: Some(thread::spawn(move || server.run())),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn login(addr: SocketAddr, nick: &str) -> Login {
    Login {
        host: addr.ip().to_string(),
        port: addr.port(),
        nick: nick.into(),
        password: String::new(),
        room: None,
        teacher_password: String::new(),
    }
}

/// The next update that `pick` accepts (others are passed over), or a
/// panic naming what came instead.
fn wait_for<T>(rx: &Receiver<Update>, what: &str, mut pick: impl FnMut(&Update) -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(u) => {
                if let Some(t) = pick(&u) {
                    return t;
                }
                seen.push(u);
            }
            Err(e) => panic!("waiting for {what}: {e}; got {seen:#?}"),
        }
    }
}

/// Start a session and wait until it is in its first room with the
/// member list.
fn joined(login: Login) -> (Session, Receiver<Update>) {
    let (session, rx) = Session::start(login, || {});
    wait_for(&rx, "connected", |u| {
        matches!(u, Update::Connected { .. }).then_some(())
    });
    wait_for(&rx, "members", |u| {
        matches!(u, Update::Members { .. }).then_some(())
    });
    (session, rx)
}

fn failure(login: Login) -> ConnectError {
    let (_session, rx) = Session::start(login, || {});
    wait_for(&rx, "a failure", |u| match u {
        Update::Failed(e) => Some(e.clone()),
        Update::Members { .. } => panic!("joined, but should have failed"),
        _ => None,
    })
}

fn message(rx: &Receiver<Update>) -> (String, String, bool) {
    wait_for(rx, "a message", |u| match u {
        Update::Event(RoomEvent {
            kind: EventKind::Message { from, text, action },
            ..
        }) => Some((from.clone(), text.clone(), *action)),
        _ => None,
    })
}

fn say(session: &Session, tag: u32, text: &str) {
    session.send(Command::Say {
        tag,
        room: "lobby".into(),
        text: text.into(),
        action: false,
    });
}

#[test]
fn two_sessions_chat_and_get_acks() {
    let server = TestServer::start(|_| {});
    let (ann, ann_rx) = joined(login(server.addr, "ann"));
    let (bob, bob_rx) = joined(login(server.addr, "bob"));
    say(&ann, 1, "grüße 👋 日本");
    let acked = wait_for(&ann_rx, "ack", |u| match u {
        Update::Acked { tag: 1, id, .. } => Some(*id),
        _ => None,
    });
    assert!(acked > 0);
    assert_eq!(
        message(&bob_rx),
        ("ann".into(), "grüße 👋 日本".into(), false)
    );
    bob.send(Command::Say {
        tag: 9,
        room: "lobby".into(),
        text: "waves".into(),
        action: true,
    });
    assert_eq!(message(&ann_rx), ("bob".into(), "waves".into(), true));
}

#[test]
fn commands_reach_the_server() {
    let server = TestServer::start(|_| {});
    let (ann, ann_rx) = joined(login(server.addr, "ann"));
    let (bob, bob_rx) = joined(login(server.addr, "bob"));
    // /msg
    ann.send(Command::Whisper {
        tag: 2,
        to: "bob".into(),
        text: "psst".into(),
        action: false,
    });
    wait_for(&bob_rx, "private", |u| match u {
        Update::Private { from, text, .. } if from == "ann" && text == "psst" => Some(()),
        _ => None,
    });
    // /msg to no one
    ann.send(Command::Whisper {
        tag: 3,
        to: "nobody".into(),
        text: "hello?".into(),
        action: false,
    });
    let message = wait_for(&ann_rx, "refusal", |u| match u {
        Update::Refused {
            tag: 3, message, ..
        } => Some(message.clone()),
        _ => None,
    });
    assert!(message.contains("nobody"), "{message}");
    // /nick, seen by the other as a live event
    ann.send(Command::Nick("zoë".into()));
    wait_for(&ann_rx, "nick set", |u| match u {
        Update::NickSet { nick } if nick == "zoë" => Some(()),
        _ => None,
    });
    wait_for(&bob_rx, "nick change", |u| match u {
        Update::Event(RoomEvent {
            kind: EventKind::NickChanged { old, new },
            live: true,
            ..
        }) if old == "ann" && new == "zoë" => Some(()),
        _ => None,
    });
    // /nick to a taken one
    ann.send(Command::Nick("bob".into()));
    wait_for(&ann_rx, "nick taken", |u| match u {
        Update::Refused { message, .. } if message.contains("taken") => Some(()),
        _ => None,
    });
    // /topic
    bob.send(Command::Topic {
        room: "lobby".into(),
        topic: "fractions".into(),
    });
    wait_for(&ann_rx, "topic", |u| match u {
        Update::Event(RoomEvent {
            kind: EventKind::Topic { by, topic },
            ..
        }) if by == "bob" && topic == "fractions" => Some(()),
        _ => None,
    });
    // /join and /part
    ann.send(Command::Join("maths".into()));
    wait_for(&ann_rx, "entered maths", |u| match u {
        Update::Entered { room, .. } if room == "maths" => Some(()),
        _ => None,
    });
    ann.send(Command::Part {
        room: "maths".into(),
        reason: "done".into(),
    });
    wait_for(&ann_rx, "left maths", |u| match u {
        Update::Left { room } if room == "maths" => Some(()),
        _ => None,
    });
    // /quit
    ann.send(Command::Quit("bye".into()));
    wait_for(&ann_rx, "closed", |u| {
        matches!(u, Update::Closed { .. }).then_some(())
    });
    wait_for(&bob_rx, "ann's part", |u| match u {
        Update::Event(RoomEvent {
            kind: EventKind::Parted { nick, .. },
            ..
        }) if nick == "zoë" => Some(()),
        _ => None,
    });
}

#[test]
fn every_connect_error_is_typed() {
    let server = TestServer::start(|o| {
        o.password = Some("sesame".into());
        o.room_size = 1;
    });
    let with_password = |nick: &str| Login {
        password: "sesame".into(),
        ..login(server.addr, nick)
    };
    // Refused: a port nothing listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    assert_eq!(failure(login(closed, "ann")), ConnectError::Refused);
    // Unknown host (.invalid never resolves, RFC 2606).
    let unknown = Login {
        host: "no-such-host.invalid".into(),
        ..login(server.addr, "ann")
    };
    assert_eq!(failure(unknown), ConnectError::UnknownHost);
    // Wrong password.
    assert_eq!(
        failure(login(server.addr, "ann")),
        ConnectError::BadPassword
    );
    // Bad nickname, with the rule.
    match failure(with_password("2pac")) {
        ConnectError::BadNick(rule) => assert!(rule.contains("start with"), "{rule}"),
        other => panic!("{other:?}"),
    }
    // Nick taken, then room full (room_size 1).
    let (_ann, _rx) = joined(with_password("ann"));
    assert_eq!(
        failure(with_password("Ann")),
        ConnectError::NickTaken("Ann".into())
    );
    assert_eq!(failure(with_password("bob")), ConnectError::RoomFull);
    // A room name that breaks the rules.
    let bad_room = Login {
        room: Some("two words".into()),
        ..with_password("cat")
    };
    assert!(matches!(failure(bad_room), ConnectError::BadRoom(_)));
}

/// A fake server: accepts one connection and runs `script` on it.
fn fake(script: impl FnOnce(TcpStream) + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            script(stream);
        }
    });
    addr
}

fn frame_bytes(frame: &Frame<'_>) -> Vec<u8> {
    let mut buf = [0u8; 1024];
    let n = frame.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

#[test]
fn a_server_of_another_version_is_named() {
    let addr = fake(|mut s| {
        let mut hello = [0u8; 64];
        let _ = s.read(&mut hello);
        let _ = s.write_all(&frame_bytes(&Frame::Error {
            code: natter_core::error::ErrorCode::UnsupportedVersion,
            tag: 0,
            subject: "",
        }));
        thread::sleep(Duration::from_secs(2));
    });
    assert_eq!(failure(login(addr, "ann")), ConnectError::Version);
}

#[test]
fn garbage_truncation_and_silence_are_typed_errors() {
    // Not natter at all: an HTTP server's answer.
    let http = fake(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        thread::sleep(Duration::from_secs(2));
    });
    assert!(matches!(
        failure(login(http, "ann")),
        ConnectError::Protocol(_)
    ));
    // Half a frame, then the end.
    let cut = fake(|mut s| {
        let welcome = frame_bytes(&Frame::Welcome {
            version: VERSION,
            nick: "ann",
            lobby: "lobby",
            max_text: 512,
        });
        let _ = s.write_all(&welcome[..welcome.len() / 2]);
        let _ = s.shutdown(Shutdown::Both);
    });
    assert!(matches!(
        failure(login(cut, "ann")),
        ConnectError::Protocol(_)
    ));
    // Nothing at all: the hello times out.
    let silent = fake(|s| {
        thread::sleep(Duration::from_secs(15));
        drop(s);
    });
    assert_eq!(failure(login(silent, "ann")), ConnectError::Timeout);
}

/// A TCP proxy in front of the server that can cut every connection
/// through it, as a flaky network would.
struct Proxy {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let live = Arc::new(Mutex::new(Vec::new()));
        let (c, l) = (cut.clone(), live.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if c.load(Ordering::SeqCst) {
                    // While "down", refuse by closing at once.
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let mut live = l.lock().unwrap();
                for (from, to) in [(&client, &server), (&server, &client)] {
                    let (mut from, mut to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
                    thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
                live.push(client);
                live.push(server);
            }
        });
        Proxy { addr, cut, live }
    }

    /// Cut every connection, and refuse new ones until `restore`.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.live.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn reconnected(rx: &Receiver<Update>) -> bool {
    wait_for(rx, "lost", |u| {
        matches!(u, Update::Lost { .. }).then_some(())
    });
    wait_for(rx, "entered again", |u| match u {
        Update::Entered { resumed, .. } => Some(*resumed),
        _ => None,
    })
}

/// A plain protocol client in the lobby, straight to the server.
fn raw_member(addr: SocketAddr, nick: &str) -> Client {
    let mut client = Client::connect(addr, nick, "").unwrap();
    client
        .send(&Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        })
        .unwrap();
    client
}

#[test]
fn reconnect_resumes_without_a_gap() {
    let server = TestServer::start(|_| {});
    let proxy = Proxy::start(server.addr);
    let (_ann, ann_rx) = joined(login(proxy.addr, "ann"));
    let mut bob = raw_member(server.addr, "bob");
    let bob_say = |bob: &mut Client, tag: u32, text: &str| {
        bob.send(&Frame::Say {
            tag,
            room: "lobby",
            flags: 0,
            text,
        })
        .unwrap();
    };
    bob_say(&mut bob, 1, "before");
    assert_eq!(message(&ann_rx).1, "before");
    proxy.cut();
    // Said while ann is away: she must get them on resuming.
    bob_say(&mut bob, 2, "while away 1");
    bob_say(&mut bob, 3, "while away 2");
    proxy.restore();
    assert!(
        reconnected(&ann_rx),
        "the join after reconnecting is a resume"
    );
    assert_eq!(message(&ann_rx).1, "while away 1");
    assert_eq!(message(&ann_rx).1, "while away 2");
    bob_say(&mut bob, 4, "after");
    let next = wait_for(&ann_rx, "the next message or a gap", |u| match u {
        Update::Gap { .. } => panic!("a gap where nothing was lost"),
        Update::Event(RoomEvent {
            kind: EventKind::Message { text, .. },
            ..
        }) => Some(text.clone()),
        _ => None,
    });
    assert_eq!(next, "after");
}

#[test]
fn reconnect_past_the_history_says_how_much_was_missed() {
    let server = TestServer::start(|_| {});
    let proxy = Proxy::start(server.addr);
    let (_ann, ann_rx) = joined(login(proxy.addr, "ann"));
    let mut bob = raw_member(server.addr, "bob");
    wait_for(&ann_rx, "bob's join", |u| match u {
        Update::Event(RoomEvent {
            kind: EventKind::Joined { nick },
            ..
        }) if nick == "bob" => Some(()),
        _ => None,
    });
    proxy.cut();
    // The server notices ann's old connection go: its part is an event
    // ann's new connection is owed, like bob's messages after it.
    loop {
        if let Frame::Parted { nick: "ann", .. } = bob.recv().unwrap() {
            break;
        }
    }
    // More than the room keeps (4,096 events at most).
    let sent = 5000u64;
    for i in 0..sent {
        let text = format!("m{i}");
        bob.send(&Frame::Say {
            tag: i as u32 + 1,
            room: "lobby",
            flags: 0,
            text: &text,
        })
        .unwrap();
    }
    // Bob reads his acks so the server keeps taking his input.
    let mut acks = 0;
    while acks < sent {
        if let Frame::Ack { .. } = bob.recv().unwrap() {
            acks += 1;
        }
    }
    proxy.restore();
    assert!(reconnected(&ann_rx));
    let missed = wait_for(&ann_rx, "gap", |u| match u {
        Update::Gap { missed, .. } => Some(*missed),
        Update::Event(RoomEvent {
            kind: EventKind::Message { .. },
            ..
        }) => panic!("a message before the gap notice"),
        _ => None,
    });
    // Then every event still kept, up to the last message.
    let last = format!("m{}", sent - 1);
    let mut got = 0u64;
    loop {
        let done = wait_for(&ann_rx, "an event", |u| match u {
            Update::Event(RoomEvent { kind, .. }) => {
                Some(matches!(kind, EventKind::Message { text, .. } if *text == last))
            }
            _ => None,
        });
        got += 1;
        if done {
            break;
        }
    }
    assert!(missed > 0);
    // Ann's old connection's part and bob's messages; ann's own new join
    // is never sent to her.
    assert_eq!(missed + got, sent + 1, "nothing lost without a notice");
}

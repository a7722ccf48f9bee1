//! A real server on 127.0.0.1 with an ephemeral port, and helpers to talk
//! to it with the blocking client.
#![allow(dead_code)] // each test file uses part of this

use std::io;
use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use natter_core::wire::{FLAG_MORE, Frame};
use natter_server::client::{Client, ClientError};
use natter_server::{Options, Server, ShutdownHandle};

pub struct TestServer {
    pub addr: SocketAddr,
    /// The IRC-only port, if the options asked for one.
    pub irc_addr: Option<SocketAddr>,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<io::Result<()>>>,
}

/// Loopback, any free port, no flood limit.
pub fn options() -> Options {
    Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        flood_rate: 0,
        ..Options::default()
    }
}

impl TestServer {
    pub fn start(options: Options) -> Self {
        let server = Server::bind(options).expect("bind");
        let addr = server.local_addr();
        let irc_addr = server.irc_addr();
        let handle = server.shutdown_handle();
        let thread = std::thread::spawn(move || server.run());
        TestServer {
            addr,
            irc_addr,
            handle,
            thread: Some(thread),
        }
    }

    /// Shut down and wait for the server to stop.
    pub fn stop(mut self) -> io::Result<()> {
        self.handle.shutdown();
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.handle.shutdown();
            let _ = t.join();
        }
    }
}

/// Connect as `nick` and join the lobby; returns once the member list is in
/// (replayed history may follow).
pub fn member(addr: SocketAddr, nick: &str) -> Client {
    let mut c = Client::connect(addr, nick, "").expect("connect");
    join(&mut c, "lobby", 0, 0);
    c
}

/// Join `room` (resuming after event `since` of room `epoch`, if not 0)
/// and read up to the end of its member list. Returns the room's epoch and
/// next event id.
pub fn join(c: &mut Client, room: &str, epoch: u32, since: u64) -> (u32, u64) {
    c.send(&Frame::Join {
        room,
        epoch,
        since,
        key: "",
    })
    .unwrap();
    let next = match c.recv().unwrap() {
        Frame::Entered { epoch, next_id, .. } => (epoch, next_id),
        other => panic!("expected Entered, got {other:?}"),
    };
    loop {
        match c.recv().unwrap() {
            Frame::Names { flags, .. } if flags & FLAG_MORE == 0 => return next,
            Frame::Names { .. } | Frame::Gap { .. } => {}
            other => panic!("expected Names, got {other:?}"),
        }
    }
}

/// Read frames until one matches `pred`, which returns what the test wants
/// from it; other frames are passed to `skipped`.
pub fn wait_for<T>(
    c: &mut Client,
    mut pred: impl FnMut(&Frame<'_>) -> Option<T>,
    mut skipped: impl FnMut(&Frame<'_>),
) -> T {
    loop {
        let frame = c.recv().unwrap_or_else(|e| panic!("while waiting: {e}"));
        if let Some(v) = pred(&frame) {
            return v;
        }
        skipped(&frame);
    }
}

/// The code of the next `Error`, skipping everything else.
pub fn next_refusal(c: &mut Client) -> natter_core::error::ErrorCode {
    wait_for(
        c,
        |f| match f {
            Frame::Error { code, .. } => Some(*code),
            _ => None,
        },
        |_| {},
    )
}

/// The next chat message's (from, text), skipping everything else.
pub fn next_message(c: &mut Client) -> (String, String) {
    wait_for(
        c,
        |f| match f {
            Frame::Message { from, text, .. } => Some((from.to_string(), text.to_string())),
            _ => None,
        },
        |_| {},
    )
}

pub fn say(c: &mut Client, tag: u32, text: &str) {
    c.send(&Frame::Say {
        tag,
        room: "lobby",
        flags: 0,
        text,
    })
    .unwrap();
}

/// Wait until the server closes the connection; returns the Bye's code if
/// one came.
pub fn wait_closed(c: &mut Client) -> Option<natter_core::error::ErrorCode> {
    let mut code = None;
    loop {
        match c.recv() {
            Ok(Frame::Bye { code: got, .. }) => code = Some(got),
            Ok(_) => {}
            Err(ClientError::Io(natter_core::io::IoError::Closed { .. })) => return code,
            Err(e) => panic!("expected a close, got {e}"),
        }
    }
}

pub const SHORT: Duration = Duration::from_millis(300);

/// Read `$client`'s frames until one matches `$pat` (the others are
/// passed over).
#[allow(unused_macros)] // each test file uses part of this
macro_rules! frame_arrives {
    ($client:expr, $pat:pat) => {
        common::wait_for(&mut $client, |f| matches!(f, $pat).then_some(()), |_| {})
    };
}
#[allow(unused_imports)] // each test file uses part of this
pub(crate) use frame_arrives;

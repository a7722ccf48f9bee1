//! Room scenarios on a deterministic simulator: a virtual clock, no sockets.
//! Clients are byte queues; a client can stop reading to play a slow reader.
//!
//! The scenarios, by what they exercise: `session.rs` (hello, join, talk,
//! leave, names, topics, whispers), `rooms.rs` (rooms made and freed,
//! limits, history and resume), `output.rs` (how output goes out: runs,
//! slow readers, gaps, partial writes) and `limits.rs` (timers, flood
//! limit, bad input, shutdown).

extern crate std;

use std::collections::{BTreeMap, BTreeSet};
use std::string::{String as StdString, ToString};
use std::vec::Vec as StdVec;

use super::*;
use crate::error::ErrorCode;
use crate::time::Instant;
use crate::wire::{FLAG_ACTION, FLAG_QUIT, Frame, MAX_FRAME_LEN, Status, VERSION, decode};

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
                key: "",
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

/// Send `text` from `id` straight to the hub, without writing any output.
fn say_unpumped(s: &mut Sim, id: ConnId, text: &str) {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = say("lobby", text).encode(&mut buf).unwrap();
    assert_eq!(s.hub.handle_bytes(s.now, id, &buf[..n]), n);
}

#[cfg(feature = "controls")]
mod controls;
mod limits;
mod output;
mod rooms;
mod session;

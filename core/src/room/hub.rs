//! [`Hub`]: its storage, its public API (inputs, outputs, queries) and the
//! helpers the request and output code share.

use heapless::{Deque, String};

use super::conn::State;
use super::controls::Guessers;
use super::history::{self, Room, Sender};
use super::storage::{Fifo, Limits, Slots, Storage};
use super::{
    BYE_RESERVE, CLOSE_LINGER, Config, Conn, ConnId, ConnectError, EVENT_QUEUE, Event, MIN_OUT,
    RoomError, events::RoomEvent,
};
use crate::error::ErrorCode;
use crate::time::Instant;
use crate::wire::{
    FLAG_QUIT, Frame, MAX_FRAME_LEN, MAX_NICK, MAX_SHORT, MAX_TEXT, is_valid_room, name_key,
    same_name,
};

/// A hub: every connection and every room, in the memory its [`Storage`]
/// gives it. [`InlineHub`](super::InlineHub) keeps it all inside the value,
/// sized by const generics (for a microcontroller); the desktop server's
/// storage sizes it from its options at start-up.
///
/// ```
/// use natter_core::room::{Config, InlineHub};
/// use natter_core::time::Instant;
/// use natter_core::wire::{decode, Frame, Status, VERSION};
///
/// let mut hub = InlineHub::<4, 2, 1024, 128, 3072>::new(Config::default());
/// hub.add_room("lobby").unwrap();
/// let ann = hub.handle_connect(Instant(0)).unwrap();
/// let mut hello = [0u8; 64];
/// let n = Frame::Hello { version: VERSION, nick: "ann", password: "" }.encode(&mut hello).unwrap();
/// hub.handle_bytes(Instant(1), ann, &hello[..n]);
/// assert_eq!(hub.poll_transmit(), Some(ann));
/// let mut out = [0u8; 4096];
/// let mut tx = hub.transmit(Instant(1), ann, out.len());
/// let n = tx.copy_to(&mut out);
/// tx.commit(n);
/// let Ok(Status::Complete((reply, _))) = decode(&out[..n]) else { panic!() };
/// assert!(matches!(reply, Frame::Welcome { nick: "ann", lobby: "lobby", .. }));
/// ```
pub struct Hub<S: Storage> {
    pub(super) config: Config,
    pub(super) storage: S,
    pub(super) limits: Limits,
    /// Connection slots, created on first use and reused.
    pub(super) conns: S::Conns,
    /// Room slots; `None` is a freed room.
    pub(super) rooms: S::Rooms,
    /// Connections with output to write, each at most once.
    pub(super) transmit: S::Queue,
    /// Connections the driver must close, each at most once.
    pub(super) closes: S::Queue,
    pub(super) events: Deque<Event, EVENT_QUEUE>,
    pub(super) events_dropped: u32,
    pub(super) ping_token: u32,
    /// Event bytes stored since the transmit list was last drained.
    pub(super) pushed_since_transmit: usize,
    /// Events stored since the transmit list was last drained.
    pub(super) events_since_transmit: usize,
    /// Sessions started so far: each connection's unique number.
    pub(super) sessions: u32,
    /// Rooms created so far, for room epochs.
    pub(super) rooms_created: u32,
    /// The time given with the latest call.
    pub(super) now: Instant,
    /// Connections welcomed now, and the most at once so far (`LUSERS`).
    pub(super) welcomed: usize,
    pub(super) peak_welcomed: usize,
    /// Wrong passwords by address.
    pub(super) guessers: Guessers,
}

/// Someone online, as the hub knows them: what `WHOIS` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Online<'a> {
    /// Their connection.
    pub conn: ConnId,
    /// Their nickname, as registered.
    pub nick: &'a str,
    /// When they connected, in milliseconds since the Unix epoch.
    pub since_ms: u64,
    /// Milliseconds since they last said something (or connected).
    pub idle_ms: u64,
}

/// Connections and rooms, as `LUSERS` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Census {
    /// Connections welcomed (with a nickname).
    pub welcomed: usize,
    /// Connections that have not said hello yet.
    pub greeting: usize,
    /// Rooms open.
    pub rooms: usize,
    /// The most connections welcomed at once since the hub started.
    pub peak_welcomed: usize,
}

impl<S: Storage + Default> Hub<S> {
    /// An empty hub in storage that needs no settings (such as
    /// [`Inline`](super::Inline)).
    pub fn new(config: Config) -> Self {
        Self::with_storage(config, S::default())
    }
}

impl<S: Storage> Hub<S> {
    /// An empty hub keeping its memory in `storage`.
    ///
    /// # Panics
    /// If the storage's limits or buffers are out of range: connections
    /// 1 to 65,535, rooms 1 to 255, text 1 to [`MAX_TEXT`], a history below
    /// 4 GiB, and an output queue of at least
    /// [`MIN_OUT`](super::MIN_OUT) bytes (a reply, a room event and a
    /// `Bye`). These are the implementer's choices, not the network's.
    pub fn with_storage(config: Config, storage: S) -> Self {
        let limits = storage.limits();
        assert!(
            (1..=usize::from(u16::MAX)).contains(&limits.conns),
            "connections must be 1..=65535"
        );
        assert!(
            (1..=usize::from(u8::MAX)).contains(&limits.rooms),
            "rooms must be 1..=255"
        );
        assert!(
            (1..=MAX_TEXT).contains(&limits.text),
            "text must be 1..=MAX_TEXT"
        );
        // A room's index keeps ring offsets as u32.
        assert!(
            limits.history as u64 <= u64::from(u32::MAX),
            "history must be below 4 GiB"
        );
        assert!(
            limits.out >= MIN_OUT,
            "the output queue must hold a reply, a room event and a Bye"
        );
        Hub {
            config,
            limits,
            conns: storage.conns(),
            rooms: storage.rooms(),
            transmit: storage.queue(),
            closes: storage.queue(),
            storage,
            events: Deque::new(),
            events_dropped: 0,
            ping_token: 0,
            pushed_since_transmit: 0,
            events_since_transmit: 0,
            sessions: 0,
            rooms_created: 0,
            now: Instant(0),
            welcomed: 0,
            peak_welcomed: 0,
            guessers: Guessers::default(),
        }
    }

    /// How much this hub holds.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Add a permanent room (one named at start-up). The first one added is
    /// the lobby every client is told to join first.
    ///
    /// # Errors
    /// A [`RoomError`] if the name is invalid or taken, or no slot is free.
    pub fn add_room(&mut self, name: &str) -> Result<(), RoomError> {
        if !is_valid_room(name) {
            return Err(RoomError::BadName);
        }
        if self.find_room(name).is_some() {
            return Err(RoomError::Exists);
        }
        self.create_room(name, true)
            .map(|_| ())
            .ok_or(RoomError::NoSlot)
    }

    /// Names and member counts of the open rooms.
    pub fn rooms(&self) -> impl Iterator<Item = (&str, usize)> {
        self.rooms
            .iter()
            .flatten()
            .map(|r| (r.name.as_str(), r.members.len()))
    }

    /// The handle of every connection slot made so far, open or not: what
    /// a driver goes through to visit every connection.
    pub fn slots(&self) -> impl Iterator<Item = ConnId> + use<S> {
        // `with_storage` keeps the connections within u16.
        (0..self.conns.len()).map(|i| ConnId(i as u16))
    }

    /// Connections open (welcomed or not).
    pub fn connections(&self) -> usize {
        self.conns.iter().filter(|c| c.is_open()).count()
    }

    /// The nickname of a welcomed connection.
    pub fn nick(&self, conn: ConnId) -> Option<&str> {
        let c = self.conns.get(conn.index())?;
        (c.state == State::Ready).then_some(c.nick.as_str())
    }

    /// Nicknames of the members of `room`, in joining order.
    pub fn members(&self, room: &str) -> impl Iterator<Item = &str> {
        let members = self
            .find_room(room)
            .and_then(|i| self.room(i))
            .map(|r| &r.members[..]);
        members.unwrap_or(&[]).iter().filter_map(|&m| self.nick(m))
    }

    /// The topic of `room` (empty when none is set), if there is one.
    pub fn topic(&self, room: &str) -> Option<&str> {
        let room = self.room(self.find_room(room)?)?;
        Some(room.topic.as_str())
    }

    /// `true` when a welcomed connection uses `nick` (case-insensitively).
    pub fn is_online(&self, nick: &str) -> bool {
        self.nick_owner(nick).is_some()
    }

    /// Whoever is online as `nick` (case-insensitively).
    pub fn online(&self, nick: &str) -> Option<Online<'_>> {
        let conn = self.nick_owner(nick)?;
        let c = &self.conns[conn.index()];
        Some(Online {
            conn,
            nick: &c.nick,
            since_ms: self.wall_time(c.connected_at),
            idle_ms: self.now.saturating_since(c.last_spoke).millis(),
        })
    }

    /// The nicknames of everyone welcomed, in slot order.
    pub fn everyone(&self) -> impl Iterator<Item = &str> {
        self.conns
            .iter()
            .filter(|c| c.state == State::Ready)
            .map(|c| c.nick.as_str())
    }

    /// The rooms `conn` is in, by name, in joining order.
    pub fn rooms_of(&self, conn: ConnId) -> impl Iterator<Item = &str> {
        let joined = self
            .conns
            .get(conn.index())
            .map_or(&[][..], |c| &c.joined[..]);
        joined
            .iter()
            .filter_map(|cursor| self.room(usize::from(cursor.room)))
            .map(|r| r.name.as_str())
    }

    /// The name of `room` as it was created (`Lobby` for `lobby`), if
    /// there is such a room.
    pub fn room_name(&self, room: &str) -> Option<&str> {
        Some(self.room(self.find_room(room)?)?.name.as_str())
    }

    /// The time of the latest call, in milliseconds since the Unix epoch.
    pub fn wall_now(&self) -> u64 {
        self.wall_time(self.now)
    }

    /// How many are connected and welcomed, and how many rooms there are.
    pub fn census(&self) -> Census {
        Census {
            welcomed: self.welcomed,
            greeting: self
                .conns
                .iter()
                .filter(|c| c.state == State::Greeting)
                .count(),
            rooms: self.rooms.iter().flatten().count(),
            peak_welcomed: self.peak_welcomed,
        }
    }

    /// Log events lost because the driver did not poll them in time.
    pub fn events_dropped(&self) -> u32 {
        self.events_dropped
    }

    // ----- inputs -------------------------------------------------------

    /// A new connection arrived.
    ///
    /// # Errors
    /// [`ConnectError::ServerFull`] when every slot is taken.
    pub fn handle_connect(&mut self, now: Instant) -> Result<ConnId, ConnectError> {
        self.now = self.now.max(now);
        let limit = self.config.max_conns.min(self.limits.conns);
        let index = match self.conns.iter().position(|c| c.state == State::Free) {
            Some(i) if i < limit => i,
            _ if self.conns.len() < limit => {
                // Slots are created on first use, so an idle hub touches
                // little memory. (A storage whose slots hold fewer than its
                // limits say is full when they are.)
                self.conns
                    .push(Conn::new(self.storage.out()))
                    .map_err(|_| ConnectError::ServerFull)?;
                self.conns.len() - 1
            }
            _ => return Err(ConnectError::ServerFull),
        };
        // `with_storage` bounds the connections to u16.
        let conn = ConnId(index as u16);
        // A slot the driver dropped before draining `poll_transmit` may
        // still be listed there; listed again once reused, the list (room
        // for every connection, one entry each) would overflow and another
        // connection would never be named. Found by the `room` fuzz target
        // (fuzz/regressions/room/).
        self.transmit.retain(|&x| x != conn);
        // Session 0 stands for "nobody" in the rooms' senders index.
        self.sessions = self.sessions.checked_add(1).unwrap_or(1);
        self.conns[index].reset(now, self.config.flood_burst, self.sessions);
        Ok(conn)
    }

    /// The free part of `conn`'s input buffer: read bytes into it, then call
    /// [`handle_received`](Self::handle_received). Empty while the
    /// connection must not be read (its buffer is full because its replies
    /// are not being read, or it is closing).
    pub fn recv_buf(&mut self, conn: ConnId) -> &mut [u8] {
        match self.conns.get_mut(conn.index()) {
            Some(c) if c.is_open() => &mut c.input[c.input_len..],
            _ => &mut [],
        }
    }

    /// `n` bytes were read into [`recv_buf`](Self::recv_buf).
    pub fn handle_received(&mut self, now: Instant, conn: ConnId, n: usize) {
        self.now = self.now.max(now);
        let Some(c) = self.conns.get_mut(conn.index()) else {
            return;
        };
        if !c.is_open() {
            return;
        }
        c.input_len = (c.input_len + n).min(MAX_FRAME_LEN);
        if n > 0 {
            c.last_heard = now;
            c.ping_outstanding = false;
        }
        self.process_input(now, conn);
    }

    /// Copy as much of `data` as fits into `conn`'s input and handle it.
    /// Returns how many bytes were taken; the caller offers the rest again
    /// after the connection's output has drained.
    pub fn handle_bytes(&mut self, now: Instant, conn: ConnId, data: &[u8]) -> usize {
        let buf = self.recv_buf(conn);
        let n = buf.len().min(data.len());
        buf[..n].copy_from_slice(&data[..n]);
        self.handle_received(now, conn, n);
        n
    }

    /// Tell the hub where `conn` comes from (its IP address, as text):
    /// for bans by address and for counting wrong passwords by address.
    /// A driver that never calls it has every connection share one
    /// allowance of wrong passwords.
    pub fn set_address(&mut self, conn: ConnId, address: &str) {
        if let Some(c) = self.conns.get_mut(conn.index()) {
            c.address = truncated(address);
            c.address_key = name_key(address);
        }
    }

    /// The members of `room` with their roles (`wire::ROLE_*`), in joining
    /// order.
    pub fn members_with_roles(&self, room: &str) -> impl Iterator<Item = (&str, u8)> {
        let index = self.find_room(room);
        index
            .and_then(|i| self.room(i).map(|r| (i, r)))
            .into_iter()
            .flat_map(move |(i, r)| {
                r.members
                    .iter()
                    .filter_map(move |&m| Some((self.nick(m)?, self.roles_in(m, i))))
            })
    }

    /// `true` while `conn`'s input waits after a wrong password (the hub
    /// reads it again once `poll_timeout`'s time has come).
    pub fn input_held(&self, conn: ConnId) -> bool {
        self.conns
            .get(conn.index())
            .is_some_and(|c| c.input_len > 0 && c.hold_until > self.now)
    }

    /// `true` when `conn` has proved the teacher password.
    pub fn is_teacher(&self, conn: ConnId) -> bool {
        self.conns.get(conn.index()).is_some_and(|c| c.teacher)
    }

    /// `conn`'s roles in `room` (`wire::ROLE_*` bits), or `None` when it is
    /// not in it.
    pub fn roles(&self, conn: ConnId, room: &str) -> Option<u8> {
        let index = self.joined_room(conn, room)?;
        Some(self.roles_in(conn, index))
    }

    /// The peer closed the connection or it failed: the slot is freed at
    /// once and the others are told.
    pub fn handle_disconnect(&mut self, now: Instant, conn: ConnId) {
        self.now = self.now.max(now);
        let Some(c) = self.conns.get(conn.index()) else {
            return;
        };
        if c.state == State::Free {
            return;
        }
        let (was_open, nick) = (c.is_open(), c.nick.clone());
        self.leave_all(now, conn, "connection lost");
        if was_open {
            self.log(Event::Disconnected { conn, nick });
        }
        self.free(conn);
    }

    /// Run timers: hello deadline, pings, idle and stall timeouts, closing
    /// connections that never flushed.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        for i in 0..self.conns.len() {
            let conn = ConnId(i as u16);
            let c = &mut self.conns[i];
            match c.state {
                State::Greeting
                    if now.saturating_since(c.connected_at) >= self.config.hello_timeout =>
                {
                    self.close(now, conn, ErrorCode::HelloTimeout, "no hello in time");
                }
                State::Greeting | State::Ready => {
                    let silent = now.saturating_since(c.last_heard);
                    if !c.out.is_empty()
                        && now.saturating_since(c.last_sent) >= self.config.stall_timeout
                    {
                        self.close(now, conn, ErrorCode::TooSlow, "not reading");
                    } else if silent >= self.config.idle_timeout {
                        self.close(now, conn, ErrorCode::IdleTimeout, "no reply to ping");
                    } else if silent >= self.config.ping_after && !c.ping_outstanding {
                        c.ping_outstanding = true;
                        self.ping_token = self.ping_token.wrapping_add(1);
                        let token = self.ping_token;
                        self.reply(now, conn, &Frame::Ping { token });
                    }
                }
                State::Closing { deadline } if now >= deadline => self.finish_close(conn),
                _ => {}
            }
            // Input held after a wrong password is read once the wait is over.
            let c = &self.conns[i];
            if c.is_open() && c.input_len > 0 && c.hold_until <= now && c.wrong_guesses > 0 {
                self.process_input(now, conn);
            }
        }
    }

    /// Say goodbye to everyone: each connection gets a `Bye` with `reason`
    /// and is closed once it has been sent (or after a short grace period).
    pub fn shutdown(&mut self, now: Instant, reason: &str) {
        self.now = self.now.max(now);
        for i in 0..self.conns.len() {
            if self.conns[i].is_open() {
                self.close(now, ConnId(i as u16), ErrorCode::ShuttingDown, reason);
            }
        }
    }

    // ----- outputs ------------------------------------------------------

    /// The next connection with output to write. Write it with
    /// [`transmit`](Self::transmit) until that lends nothing or the socket
    /// would block.
    pub fn poll_transmit(&mut self) -> Option<ConnId> {
        let Some(conn) = self.transmit.pop_front() else {
            self.pushed_since_transmit = 0;
            self.events_since_transmit = 0;
            return None;
        };
        if let Some(c) = self.conns.get_mut(conn.index()) {
            c.queued = false;
        }
        Some(conn)
    }

    /// `true` when rooms have taken so many new events since output was
    /// last written that members risk falling off their history before
    /// they are sent: the driver should write output (drain
    /// [`poll_transmit`](Self::poll_transmit)) before reading more input.
    pub fn should_transmit(&self) -> bool {
        // Three quarters of a ring, in bytes or in events: a member who was
        // caught up when output was last written, or behind by less than
        // the last quarter, still finds everything in the history. (Half
        // made the server write twice per wake-up under load, for nothing.)
        let history = self.limits.history;
        let depth = history::max_depth(history);
        self.pushed_since_transmit >= history::ring_len(history, depth) / 4 * 3
            || self.events_since_transmit >= (depth / 4 * 3).max(1)
    }

    /// The next connection to close. Its slot is free again once returned.
    pub fn poll_close(&mut self) -> Option<ConnId> {
        let conn = self.closes.pop_front()?;
        if let Some(c) = self.conns.get_mut(conn.index()) {
            c.state = State::Free;
        }
        Some(conn)
    }

    /// The next log event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let cfg = &self.config;
        let held = self
            .conns
            .iter()
            .filter(|c| c.is_open() && c.input_len > 0 && c.hold_until > self.now)
            .map(|c| c.hold_until);
        self.conns
            .iter()
            .filter_map(|c| match c.state {
                State::Greeting => Some(c.connected_at + cfg.hello_timeout),
                State::Ready => {
                    let silence = if c.ping_outstanding {
                        cfg.idle_timeout
                    } else {
                        cfg.ping_after
                    };
                    let idle = c.last_heard + silence;
                    if c.out.is_empty() {
                        Some(idle)
                    } else {
                        Some(idle.min(c.last_sent + cfg.stall_timeout))
                    }
                }
                State::Closing { deadline } => Some(deadline),
                State::Free | State::Closed => None,
            })
            .chain(held)
            .min()
    }

    // ----- helpers ------------------------------------------------------

    /// Append an event to a room's history and wake its members. The event
    /// is encoded once here; members get copies of these bytes.
    pub(super) fn push_event(
        &mut self,
        now: Instant,
        index: usize,
        sender: ConnId,
        skip_sender: bool,
        ev: RoomEvent<'_>,
    ) -> u64 {
        let time = self.wall_time(now);
        let session = self.conns[sender.index()].session;
        let Some(room) = self.rooms[index].as_mut() else {
            return 0;
        };
        // The frame borrows a copy of the name, so it can be written into
        // the room's own ring.
        let name = room.name.clone();
        let (room_name, id) = (name.as_str(), room.next_id());
        let frame = match ev {
            RoomEvent::Message { from, flags, text } => Frame::Message {
                room: room_name,
                id,
                time,
                from,
                flags,
                text,
            },
            RoomEvent::Joined { nick } => Frame::Joined {
                room: room_name,
                id,
                time,
                nick,
            },
            RoomEvent::Parted { nick, quit, reason } => Frame::Parted {
                room: room_name,
                id,
                time,
                nick,
                flags: if quit { FLAG_QUIT } else { 0 },
                reason,
            },
            RoomEvent::NickChanged { old, new } => Frame::NickChanged {
                room: room_name,
                id,
                time,
                old,
                new,
            },
            RoomEvent::Topic { by, topic } => Frame::TopicChanged {
                room: room_name,
                id,
                time,
                by,
                topic,
            },
            RoomEvent::ModeChanged {
                by,
                flags,
                mode,
                arg,
            } => Frame::ModeChanged {
                room: room_name,
                id,
                time,
                by,
                flags,
                mode,
                arg,
            },
            RoomEvent::Kicked { by, nick, reason } => Frame::Kicked {
                room: room_name,
                id,
                time,
                by,
                nick,
                reason,
            },
            RoomEvent::Redacted {
                by,
                target,
                from,
                reason,
            } => Frame::Redacted {
                room: room_name,
                id,
                time,
                by,
                target,
                from,
                reason,
            },
        };
        // Every field came from a decoded frame or was checked by the hub,
        // so the frame is encoded without checking again, straight into the
        // ring (debug builds check it).
        let len = frame.trusted_len();
        let sender = Sender {
            session: if skip_sender { session } else { 0 },
            conn: sender.0,
        };
        let conns = &mut self.conns;
        let id = room.push_with(
            sender,
            len,
            |dst| frame.write_trusted(dst),
            |id, sender| note_own_dropped(conns, index, id, sender),
        );
        self.pushed_since_transmit += len;
        self.events_since_transmit += 1;
        let now = self.now;
        for &member in room.members.iter() {
            let c = &mut self.conns[member.index()];
            if !c.queued {
                c.queued = true;
                if c.out.is_empty() {
                    // It was caught up: its stall timer starts now.
                    c.last_sent = now;
                }
                // Each connection is in the list at most once, and the list
                // holds as many as there are: this cannot fail.
                let _ = self.transmit.push_back(member);
            }
        }
        id
    }

    /// Queue a reply for `conn`. Input is only handled while the queue has
    /// `REPLY_RESERVE` free, so replies fit; if one does not, the connection is
    /// not reading and will be closed as stalled.
    pub(super) fn reply(&mut self, now: Instant, conn: ConnId, frame: &Frame<'_>) {
        let c = &mut self.conns[conn.index()];
        let was_empty = c.out.is_empty();
        // The Bye reserve stays free; a reply that does not fit is dropped
        // only when the connection is not reading at all, and then it is
        // closed as stalled.
        if c.out.push_keeping(frame, BYE_RESERVE).is_err() {
            return;
        }
        if was_empty {
            c.last_sent = now;
        }
        self.wake(conn);
    }

    pub(super) fn reply_error(
        &mut self,
        now: Instant,
        conn: ConnId,
        code: ErrorCode,
        tag: u32,
        subject: &str,
    ) {
        self.log(Event::Refused { conn, code });
        let subject = if subject.len() <= MAX_SHORT {
            subject
        } else {
            ""
        };
        self.reply(now, conn, &Frame::Error { code, tag, subject });
    }

    pub(super) fn wake(&mut self, conn: ConnId) {
        let c = &mut self.conns[conn.index()];
        if !c.queued {
            c.queued = true;
            let _ = self.transmit.push_back(conn);
        }
    }

    /// Leave every room, queue a `Bye` and close once it is sent.
    pub(super) fn close(&mut self, now: Instant, conn: ConnId, code: ErrorCode, reason: &str) {
        if !self.conns[conn.index()].is_open() {
            return;
        }
        self.leave_all(now, conn, reason);
        let nick = self.conns[conn.index()].nick.clone();
        self.log(Event::Closing { conn, nick, code });
        let c = &mut self.conns[conn.index()];
        c.input_len = 0;
        // BYE_RESERVE is always kept free, so the Bye fits.
        let _ = c.out.push(&Frame::Bye {
            code,
            reason: truncated::<MAX_SHORT>(reason).as_str(),
        });
        if c.state == State::Ready {
            self.welcomed -= 1;
        }
        c.state = State::Closing {
            deadline: now + CLOSE_LINGER,
        };
        self.wake(conn);
    }

    pub(super) fn finish_close(&mut self, conn: ConnId) {
        let c = &mut self.conns[conn.index()];
        if matches!(c.state, State::Free | State::Closed) {
            return;
        }
        if c.state == State::Ready {
            self.welcomed -= 1;
        }
        c.state = State::Closed;
        c.out.clear();
        let _ = self.closes.push_back(conn);
    }

    pub(super) fn free(&mut self, conn: ConnId) {
        let c = &mut self.conns[conn.index()];
        if c.state == State::Ready {
            self.welcomed -= 1;
        }
        c.state = State::Free;
        c.out.clear();
        c.input_len = 0;
        self.closes.retain(|&x| x != conn);
    }

    pub(super) fn log(&mut self, event: Event) {
        if self.events.is_full() {
            self.events.pop_front();
            self.events_dropped = self.events_dropped.saturating_add(1);
        }
        let _ = self.events.push_back(event);
    }

    pub(super) fn wall_time(&self, now: Instant) -> u64 {
        self.config
            .clock_origin_unix_ms
            .saturating_add(now.millis())
    }

    pub(super) fn room(&self, index: usize) -> Option<&Room<S>> {
        self.rooms.get(index)?.as_ref()
    }

    pub(super) fn find_room(&self, name: &str) -> Option<usize> {
        self.rooms
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| same_name(&r.name, name)))
    }

    /// The index of `room` if `conn` is in it.
    pub(super) fn joined_room(&self, conn: ConnId, room: &str) -> Option<usize> {
        let index = self.find_room(room)?;
        self.conns[conn.index()].cursor(index as u8).map(|_| index)
    }

    pub(super) fn create_room(&mut self, name: &str, fixed: bool) -> Option<usize> {
        // Epochs differ between rooms of one run (a counter) and between
        // runs (the start time); 0 is kept for "no epoch known".
        self.rooms_created = self.rooms_created.wrapping_add(1);
        let start = self.config.clock_origin_unix_ms as u32;
        let epoch = start.rotate_left(16) ^ self.rooms_created;
        let epoch = if epoch == 0 { 1 } else { epoch };
        let room = Room::new(name, fixed, epoch, &self.storage);
        if let Some(i) = self.rooms.iter().position(Option::is_none) {
            self.rooms[i] = Some(room);
            return Some(i);
        }
        self.rooms.push(Some(room)).ok()?;
        Some(self.rooms.len() - 1)
    }

    /// The welcomed connection using `nick` (case-insensitively).
    pub(super) fn nick_owner(&self, nick: &str) -> Option<ConnId> {
        let key = name_key(nick);
        let i = self.conns.iter().position(|c| {
            c.nick_key == key && c.state == State::Ready && same_name(&c.nick, nick)
        })?;
        Some(ConnId(i as u16))
    }
}

/// Event `id` of room `index`, sent by `sender` (its connection's slot
/// and session), left the history: if its sender had not got that far
/// yet, its gap notice must not count it (it is never sent its own
/// events). Session 0 stands for no sender.
pub(super) fn note_own_dropped<B>(conns: &mut [Conn<B>], index: usize, id: u64, sender: Sender) {
    if sender.session == 0 {
        return;
    }
    // A slot reused since the event was stored has another session.
    let Some(c) = conns.get_mut(usize::from(sender.conn)) else {
        return;
    };
    if c.session != sender.session {
        return;
    }
    if let Some(cursor) = c
        .joined
        .iter_mut()
        .find(|cur| usize::from(cur.room) == index)
    {
        if cursor.next_id <= id {
            cursor.own_dropped = cursor.own_dropped.saturating_add(1);
        }
    }
}

/// `s` cut to at most `N` bytes on a character boundary. Only reasons and
/// topics are ever cut (text over the limit is refused, never cut).
pub(super) fn truncated<const N: usize>(s: &str) -> String<N> {
    let mut end = s.len().min(N);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::new();
    let _ = out.push_str(&s[..end]);
    out
}

pub(super) fn short_string(s: &str) -> String<MAX_NICK> {
    truncated(s)
}

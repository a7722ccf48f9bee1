//! The session as a state machine: what the client knows and decides,
//! with no sockets, no threads and no clock of its own (quinn-proto's
//! split; the link in `session/link.rs` is the driver).
//!
//! Inputs are `handle_*(now, …)`: the link's events ([`LinkOrder::Connect`]
//! done or failed, a connection lost), the server's frames (borrowed
//! [`natter_core::wire::Frame`]s), the UI's [`Command`]s and timeouts.
//! Outputs are drained with `poll_*` until `None`: [`Update`]s for the UI,
//! encoded frames to write, orders for the link, and the next moment the
//! state wants [`handle_timeout`](SessionState::handle_timeout).
//!
//! # Reconnecting
//! Once a connection has worked, losing it is not the end: the state says
//! so ([`Update::Lost`]), waits 1, 2, 4 … up to 30 s, asks the link to
//! connect again and joins every room it was in with the room's epoch and
//! the last id it saw, so the server replays what happened meanwhile (or
//! sends a `Gap`). Own lines in the replay are recognised by id (acked) or
//! by room, text and action (sent but not acked before the loss).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use natter_core::error::{EncodeError, ErrorCode};
use natter_core::wire::{
    FLAG_ACTION, FLAG_ADD, FLAG_MORE, FLAG_QUIT, FLAG_REMOVE, FLAG_REMOVED, Frame, MAX_FRAME_LEN,
    ROLE_TEACHER, nick_problem, room_problem, same_name,
};

use super::types::{Command, ConnectError, EventKind, Login, RoomEvent, Update};
use super::words;

/// We ping after this long without sending, so the server never thinks
/// we went away (it pings after 60 s of silence itself).
pub const KEEPALIVE: Duration = Duration::from_secs(45);
/// Waits between reconnection attempts, in seconds: doubling from the
/// first, then staying at the last.
pub const BACKOFF: [u64; 6] = [1, 2, 4, 8, 16, 30];
/// After a resumed join, how long to wait for the replay to show which
/// of the lines sent just before the loss the server had taken.
pub const RESUME_GRACE: Duration = Duration::from_secs(3);
/// Own message ids remembered per room, to recognise them in a replay.
pub const OWN_IDS: usize = 512;

/// What the state asks of the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOrder {
    /// Open a connection: resolve, call [`SessionState::hello`], say hello
    /// and pass the `Welcome` to [`SessionState::handle_frame`], or report
    /// [`SessionState::handle_connect_failed`].
    Connect,
    /// Close the connection (after writing what
    /// [`SessionState::poll_transmit`] gave). Frames and losses from it
    /// no longer matter.
    Disconnect,
}

/// Who to say hello as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub nick: String,
    pub password: String,
}

/// Why a connection attempt failed before the welcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The server refused the hello with this code.
    Refused(ErrorCode),
    /// The server could not be reached or did not speak natter. Always
    /// worth another try once a connection has worked.
    Unreachable(ConnectError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The link is connecting; commands wait for the outcome.
    Connecting,
    /// Welcomed: frames flow.
    Connected,
    /// No connection until `until`, then the next attempt.
    Waiting { until: Instant },
    /// Over: nothing follows.
    Closed,
}

/// An input that arrived while connecting, handled once it is known
/// whether the connection worked.
#[derive(Debug)]
enum Deferred {
    Command(Command),
    Dropped,
}

/// What the session keeps of a room it is in.
#[derive(Debug, Default)]
struct RoomState {
    /// The name as the server spells it.
    name: String,
    epoch: u32,
    /// Ids at or above this are live (from `Entered`).
    next_id: u64,
    /// The highest id received, or `next_id - 1`: where a resume starts.
    seen: u64,
    /// Member list being received (`Names` frames with more to come), with
    /// each one's role bits.
    names: Vec<String>,
    roles: Vec<u8>,
    /// Our own messages' ids, newest last, to skip them in a replay.
    own: VecDeque<u64>,
}

/// A line sent and not yet acknowledged.
#[derive(Debug, Clone)]
struct Pending {
    tag: u32,
    room: String,
    text: String,
    action: bool,
}

/// The client session's state: rooms, own lines, reconnecting. See the
/// module docs.
#[derive(Debug)]
pub struct SessionState {
    login: Login,
    /// [`words::server_name`] of the login, as updates name it.
    server: String,
    nick: String,
    phase: Phase,
    /// Attempts since the last connection that worked (1 is the first).
    attempt: u32,
    ever_connected: bool,
    /// When we last sent a frame, for the keepalive.
    last_sent: Instant,
    rooms: BTreeMap<String, RoomState>,
    /// Rooms to join after a (re)connect, in joining order.
    wanted: Vec<String>,
    pending: Vec<Pending>,
    /// Pending lines carried over a reconnect, until the replay shows
    /// whether the server took them or the grace ends.
    unsure: Vec<Pending>,
    unsure_until: Option<Instant>,
    /// Rooms whose `Join` is answered on this connection, by key, with
    /// whether it is a resume.
    joining: BTreeMap<String, bool>,
    /// Some room was entered in this session: from then on a refused
    /// join is shown in the chat, not as a failed connection.
    ever_entered: bool,
    deferred: VecDeque<Deferred>,
    /// A teacher password sent with `Command::Teach`, not yet accepted.
    teach_pending: Option<String>,
    updates: VecDeque<Update>,
    transmits: VecDeque<Vec<u8>>,
    orders: VecDeque<LinkOrder>,
}

impl SessionState {
    /// A session about to make its first attempt: [`Update::Connecting`]
    /// and [`LinkOrder::Connect`] are waiting to be polled.
    pub fn new(login: Login, now: Instant) -> Self {
        let mut state = SessionState {
            server: words::server_name(&login),
            nick: login.nick.clone(),
            login,
            phase: Phase::Closed,
            attempt: 0,
            ever_connected: false,
            last_sent: now,
            rooms: BTreeMap::new(),
            wanted: Vec::new(),
            pending: Vec::new(),
            unsure: Vec::new(),
            unsure_until: None,
            joining: BTreeMap::new(),
            ever_entered: false,
            deferred: VecDeque::new(),
            teach_pending: None,
            updates: VecDeque::new(),
            transmits: VecDeque::new(),
            orders: VecDeque::new(),
        };
        state.start_attempt();
        state
    }

    /// The next update for the UI.
    pub fn poll_update(&mut self) -> Option<Update> {
        self.updates.pop_front()
    }

    /// The next frame to write, encoded.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// The next thing the link should do. Poll it after writing what
    /// [`poll_transmit`](Self::poll_transmit) gave, so a goodbye goes out
    /// before the connection is closed.
    pub fn poll_link(&mut self) -> Option<LinkOrder> {
        self.orders.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Connected => {
                let keepalive = self.last_sent + KEEPALIVE;
                Some(self.unsure_until.map_or(keepalive, |t| t.min(keepalive)))
            }
            Phase::Waiting { until } => Some(until),
            Phase::Connecting | Phase::Closed => None,
        }
    }

    /// The session is over; nothing more will be polled from it.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// The address resolved: who to say hello as. `None` when the login
    /// breaks a rule; then the failure is an update and the session is
    /// closed.
    pub fn hello(&mut self) -> Option<Hello> {
        let problem = nick_problem(&self.nick)
            .map(ConnectError::BadNick)
            .or_else(|| {
                let room = self.login.room.as_deref().filter(|r| !r.is_empty())?;
                room_problem(room).map(ConnectError::BadRoom)
            });
        if let Some(error) = problem {
            self.fail(error);
            return None;
        }
        Some(Hello {
            nick: self.nick.clone(),
            password: self.login.password.clone(),
        })
    }

    /// The attempt failed before the welcome. The first connection's
    /// failures end the session; later ones are retried unless the server
    /// refused for good (wrong password, banned nickname, …).
    pub fn handle_connect_failed(&mut self, now: Instant, failure: ConnectFailure) {
        if self.phase != Phase::Connecting {
            return;
        }
        let (error, retry) = match failure {
            ConnectFailure::Refused(code) => self.refused_hello(code),
            ConnectFailure::Unreachable(error) => (error, true),
        };
        if !self.ever_connected || !retry {
            self.fail(error);
        } else {
            let failed = self.attempt.saturating_sub(1) as usize;
            self.back_off(now, error.to_string(), failed);
        }
        self.run_deferred(now);
    }

    /// The connection of the moment is gone, for `reason` (in words).
    pub fn handle_lost(&mut self, now: Instant, reason: String) {
        if self.phase == Phase::Connected {
            self.back_off(now, reason, 0);
        }
    }

    /// The UI let go of the session: say goodbye if connected, and end.
    pub fn handle_dropped(&mut self, now: Instant) {
        match self.phase {
            Phase::Connecting => self.deferred.push_back(Deferred::Dropped),
            Phase::Connected => {
                let _ = self.send(
                    now,
                    &Frame::Quit {
                        reason: "closed the window",
                    },
                );
                self.close();
            }
            Phase::Waiting { .. } => {
                self.updates.push_back(Update::Closed {
                    reason: words::YOU_LEFT.into(),
                });
                self.close();
            }
            Phase::Closed => {}
        }
    }

    /// Timers: the next attempt after a backoff, the keepalive ping, the
    /// end of the resume grace.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.phase {
            Phase::Waiting { until } if now >= until => self.start_attempt(),
            Phase::Connected => {
                if now.saturating_duration_since(self.last_sent) >= KEEPALIVE {
                    let _ = self.send(now, &Frame::Ping { token: 0 });
                }
                if self.unsure_until.is_some_and(|t| now >= t) {
                    self.unsure_until = None;
                    for p in std::mem::take(&mut self.unsure) {
                        self.updates.push_back(Update::Refused {
                            tag: p.tag,
                            code: ErrorCode::Other(0),
                            subject: String::new(),
                            message: words::NOT_DELIVERED.into(),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// What the UI asked for.
    pub fn handle_command(&mut self, now: Instant, cmd: Command) {
        match self.phase {
            Phase::Connecting => self.deferred.push_back(Deferred::Command(cmd)),
            Phase::Connected => self.command(now, cmd),
            Phase::Waiting { .. } => self.offline(cmd),
            Phase::Closed => {}
        }
    }

    /// A frame from the server. While connecting only `Welcome` counts;
    /// frames a server has no business sending a client are ignored, as
    /// PROTOCOL.md allows for kinds a side does not expect.
    pub fn handle_frame(&mut self, now: Instant, frame: &Frame<'_>) {
        match self.phase {
            Phase::Connecting => {
                if let Frame::Welcome {
                    nick,
                    lobby,
                    max_text,
                    ..
                } = *frame
                {
                    self.welcomed(now, nick, lobby, usize::from(max_text));
                }
            }
            Phase::Connected => self.frame(now, frame),
            Phase::Waiting { .. } | Phase::Closed => {}
        }
    }

    fn start_attempt(&mut self) {
        self.attempt += 1;
        self.phase = Phase::Connecting;
        self.updates.push_back(Update::Connecting {
            server: self.server.clone(),
            attempt: self.attempt,
        });
        self.orders.push_back(LinkOrder::Connect);
    }

    /// Welcomed: say so and join every wanted room, resuming where we were.
    fn welcomed(&mut self, now: Instant, nick: &str, lobby: &str, max_text: usize) {
        // The first connection joins a room; a reconnection only the rooms
        // still wanted (none, after leaving or being put out of them all).
        if self.wanted.is_empty() && !self.ever_entered {
            let first = match &self.login.room {
                Some(room) if !room.is_empty() => room.clone(),
                _ if !lobby.is_empty() => lobby.to_owned(),
                _ => "lobby".to_owned(),
            };
            self.wanted.push(first);
        }
        nick.clone_into(&mut self.nick);
        self.phase = Phase::Connected;
        self.attempt = 0;
        self.ever_connected = true;
        self.last_sent = now;
        self.updates.push_back(Update::Connected {
            nick: self.nick.clone(),
            server: self.server.clone(),
            max_text,
        });
        self.joining.clear();
        // The teacher proves it before joining, so the rooms see the
        // teacher arrive (and after every reconnect: the role is the
        // connection's, never the nickname's).
        if !self.login.teacher_password.is_empty() {
            let teach = Frame::Teach {
                password: &self.login.teacher_password.clone(),
            };
            let _ = self.send(now, &teach);
        }
        for room in self.wanted.clone() {
            let (epoch, since) = self
                .rooms
                .values()
                .find(|r| same_name(&r.name, &room))
                .map_or((0, 0), |r| (r.epoch, r.seen));
            self.joining.insert(room_key(&room), since > 0);
            let join = Frame::Join {
                room: &room,
                epoch,
                since,
                key: "",
            };
            if self.send(now, &join).is_err() {
                self.fail(ConnectError::BadRoom(
                    room_problem(&room).unwrap_or("the server does not accept it"),
                ));
                return;
            }
        }
        self.run_deferred(now);
    }

    /// What a refused hello means, and whether to try again.
    fn refused_hello(&self, code: ErrorCode) -> (ConnectError, bool) {
        match code {
            // After a reconnect the old connection may still hold the
            // name for a moment: try again.
            ErrorCode::NickTaken => (ConnectError::NickTaken(self.nick.clone()), true),
            ErrorCode::BadNick => (
                ConnectError::BadNick(
                    nick_problem(&self.nick).unwrap_or("the server does not accept it"),
                ),
                false,
            ),
            ErrorCode::BadPassword => (ConnectError::BadPassword, false),
            ErrorCode::UnsupportedVersion => (ConnectError::Version, false),
            ErrorCode::ServerFull => (ConnectError::RoomFull, true),
            other => (ConnectError::Server(other), true),
        }
    }

    /// Handle what arrived while connecting, now that it is decided.
    fn run_deferred(&mut self, now: Instant) {
        while let Some(input) = self.deferred.pop_front() {
            match input {
                Deferred::Command(cmd) => self.handle_command(now, cmd),
                Deferred::Dropped => self.handle_dropped(now),
            }
        }
    }

    /// The session failed for good, with a connect-page error.
    fn fail(&mut self, error: ConnectError) {
        self.updates.push_back(Update::Failed(error));
        self.close();
    }

    fn close(&mut self) {
        if self.phase == Phase::Connected {
            self.orders.push_back(LinkOrder::Disconnect);
        }
        self.phase = Phase::Closed;
        self.deferred.clear();
    }

    /// Say the connection is lost and wait before the next try.
    fn back_off(&mut self, now: Instant, reason: String, failed: usize) {
        if self.phase == Phase::Connected {
            self.orders.push_back(LinkOrder::Disconnect);
        }
        // Nothing queued for the old connection goes to the next.
        self.transmits.clear();
        let wait = Duration::from_secs(BACKOFF[failed.min(BACKOFF.len() - 1)]);
        self.updates.push_back(Update::Lost {
            reason,
            retry_in: wait,
        });
        // Lines not acknowledged may or may not have reached the server;
        // the replay after resuming tells.
        self.unsure.append(&mut self.pending);
        self.phase = Phase::Waiting { until: now + wait };
    }

    /// A command while there is no connection: what can wait is kept (room
    /// changes), lines are refused so the person knows to send them again.
    fn offline(&mut self, cmd: Command) {
        match cmd {
            Command::Quit(_) => {
                self.updates.push_back(Update::Closed {
                    reason: words::YOU_LEFT.into(),
                });
                self.close();
            }
            Command::Say { tag, .. } | Command::Whisper { tag, .. } => {
                self.updates.push_back(Update::Refused {
                    tag,
                    code: ErrorCode::Other(0),
                    subject: String::new(),
                    message: words::NOT_SENT_OFFLINE.into(),
                });
            }
            Command::Join(room) => {
                if !self.wanted.iter().any(|r| same_name(r, &room)) {
                    self.wanted.push(room);
                }
            }
            Command::Part { room, .. } => {
                self.forget_room(&room);
                self.updates.push_back(Update::Left { room });
            }
            other => self.updates.push_back(Update::Refused {
                tag: 0,
                code: ErrorCode::Other(0),
                subject: String::new(),
                message: words::not_done_offline(&other),
            }),
        }
    }

    /// Send what the UI asked for.
    fn command(&mut self, now: Instant, cmd: Command) {
        let sent = match &cmd {
            Command::Say {
                tag,
                room,
                text,
                action,
            } => {
                self.pending.push(Pending {
                    tag: *tag,
                    room: room.clone(),
                    text: text.clone(),
                    action: *action,
                });
                let say = Frame::Say {
                    tag: *tag,
                    room,
                    flags: flags(*action),
                    text,
                };
                self.send(now, &say)
            }
            Command::Whisper {
                tag,
                to,
                text,
                action,
            } => {
                let whisper = Frame::Whisper {
                    tag: *tag,
                    to,
                    flags: flags(*action),
                    text,
                };
                self.send(now, &whisper)
            }
            Command::Nick(nick) => self.send(now, &Frame::SetNick { nick }),
            Command::Topic { room, topic } => self.send(now, &Frame::SetTopic { room, topic }),
            Command::Join(room) => {
                self.joining.insert(room_key(room), false);
                let join = Frame::Join {
                    room,
                    epoch: 0,
                    since: 0,
                    key: "",
                };
                self.send(now, &join)
            }
            Command::Part { room, reason } => self.send(now, &Frame::Part { room, reason }),
            Command::Teach(password) => {
                // Kept to prove again after a reconnect once it is right.
                self.teach_pending = Some(password.clone());
                self.send(now, &Frame::Teach { password })
            }
            Command::Mode {
                room,
                add,
                mode,
                arg,
            } => {
                let flags = match add {
                    Some(true) => FLAG_ADD,
                    Some(false) => FLAG_REMOVE,
                    None => 0,
                };
                // Mode letters are ASCII; anything else is no mode at all.
                let mode = if mode.is_ascii() { *mode as u8 } else { b'?' };
                let frame = Frame::Mode {
                    room,
                    flags,
                    mode,
                    arg,
                };
                self.send(now, &frame)
            }
            Command::Kick { room, nick, reason } => {
                self.send(now, &Frame::Kick { room, nick, reason })
            }
            Command::Invite { room, nick } => self.send(now, &Frame::Invite { room, nick }),
            Command::Redact { room, id, reason } => self.send(
                now,
                &Frame::Redact {
                    room,
                    id: *id,
                    reason,
                },
            ),
            Command::Quit(reason) => {
                let _ = self.send(now, &Frame::Quit { reason });
                self.updates.push_back(Update::Closed {
                    reason: words::YOU_LEFT.into(),
                });
                self.close();
                return;
            }
        };
        if let Err(why) = sent {
            // The UI checks what it sends; this is the backstop.
            let tag = match cmd {
                Command::Say { tag, .. } | Command::Whisper { tag, .. } => tag,
                _ => 0,
            };
            self.pending.retain(|p| p.tag != tag || tag == 0);
            self.updates.push_back(Update::Refused {
                tag,
                code: ErrorCode::BadText,
                subject: String::new(),
                message: format!("not sent: {why}"),
            });
        }
    }

    /// Turn a frame from the server into updates.
    fn frame(&mut self, now: Instant, frame: &Frame<'_>) {
        match *frame {
            Frame::Ping { token } => {
                let _ = self.send(now, &Frame::Pong { token });
            }
            Frame::Entered {
                room,
                topic,
                epoch,
                next_id,
                ..
            } => self.entered(now, room, topic, epoch, next_id),
            Frame::Names {
                room,
                flags,
                ref nicks,
                roles,
            } => {
                if let Some(state) = self.rooms.get_mut(&room_key(room)) {
                    for (i, nick) in nicks.iter().enumerate() {
                        state.names.push(nick.to_owned());
                        state.roles.push(roles.get(i).copied().unwrap_or(0));
                    }
                    if flags & FLAG_MORE == 0 {
                        let nicks = std::mem::take(&mut state.names);
                        let roles = std::mem::take(&mut state.roles);
                        self.updates.push_back(Update::Members {
                            room: room.to_owned(),
                            nicks,
                            roles,
                        });
                    }
                }
            }
            Frame::Left { room, .. } => {
                self.forget_room(room);
                self.updates.push_back(Update::Left {
                    room: room.to_owned(),
                });
            }
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                let action = flags & FLAG_ACTION != 0;
                // Removed by an operator since: its words are gone.
                let text = if flags & FLAG_REMOVED != 0 {
                    super::types::REMOVED
                } else {
                    text
                };
                let line = Line { from, text, action };
                self.event(room, id, time, Some(line), || EventKind::Message {
                    from: from.to_owned(),
                    text: text.to_owned(),
                    action,
                });
            }
            Frame::Joined {
                room,
                id,
                time,
                nick,
            } => self.event(room, id, time, None, || EventKind::Joined {
                nick: nick.to_owned(),
            }),
            Frame::Parted {
                room,
                id,
                time,
                nick,
                flags,
                reason,
            } => self.event(room, id, time, None, || EventKind::Parted {
                nick: nick.to_owned(),
                quit: flags & FLAG_QUIT != 0,
                reason: reason.to_owned(),
            }),
            Frame::NickChanged {
                room,
                id,
                time,
                old,
                new,
            } => self.event(room, id, time, None, || EventKind::NickChanged {
                old: old.to_owned(),
                new: new.to_owned(),
            }),
            Frame::TopicChanged {
                room,
                id,
                time,
                by,
                topic,
            } => self.event(room, id, time, None, || EventKind::Topic {
                by: by.to_owned(),
                topic: topic.to_owned(),
            }),
            Frame::ModeChanged {
                room,
                id,
                time,
                by,
                flags,
                mode,
                arg,
            } => self.event(room, id, time, None, || EventKind::Mode {
                by: by.to_owned(),
                add: flags & FLAG_ADD != 0,
                mode: char::from(mode),
                arg: arg.to_owned(),
            }),
            Frame::Kicked {
                room,
                id,
                time,
                by,
                nick,
                reason,
            } => {
                self.event(room, id, time, None, || EventKind::Kicked {
                    by: by.to_owned(),
                    nick: nick.to_owned(),
                    reason: reason.to_owned(),
                });
                if same_name(nick, &self.nick) {
                    // Out, and not to be rejoined after a reconnect; the
                    // window keeps the room's view to say why.
                    self.forget_room(room);
                }
            }
            Frame::Redacted {
                room,
                id,
                time,
                by,
                target,
                from,
                reason,
            } => self.event(room, id, time, None, || EventKind::Redacted {
                by: by.to_owned(),
                target,
                from: from.to_owned(),
                reason: reason.to_owned(),
            }),
            Frame::YouAre { roles } if roles & ROLE_TEACHER != 0 => {
                if let Some(password) = self.teach_pending.take() {
                    self.login.teacher_password = password;
                }
                self.updates.push_back(Update::Teacher);
            }
            Frame::RoomState {
                room,
                modes,
                limit,
                slow,
                key,
            } => self.updates.push_back(Update::RoomModes {
                room: room.to_owned(),
                modes: modes.to_owned(),
                limit,
                slow,
                key: key.to_owned(),
            }),
            Frame::Listed { room, mask, .. } => self.updates.push_back(Update::Listed {
                room: room.to_owned(),
                mask: mask.to_owned(),
            }),
            Frame::Invited { room, by, nick } => self.updates.push_back(Update::Invited {
                room: room.to_owned(),
                by: by.to_owned(),
                nick: nick.to_owned(),
            }),
            Frame::Private {
                time,
                from,
                flags,
                text,
            } => self.updates.push_back(Update::Private {
                time,
                from: from.to_owned(),
                text: text.to_owned(),
                action: flags & FLAG_ACTION != 0,
            }),
            Frame::Ack {
                tag,
                room,
                id,
                time,
            } => {
                if let Some(state) = self.room_mut(room) {
                    if state.own.len() >= OWN_IDS {
                        state.own.pop_front();
                    }
                    state.own.push_back(id);
                }
                self.pending.retain(|p| p.tag != tag);
                self.updates.push_back(Update::Acked { tag, id, time });
            }
            Frame::Gap { room, missed } => self.updates.push_back(Update::Gap {
                room: room.to_owned(),
                missed,
            }),
            Frame::NickSet { nick } => {
                nick.clone_into(&mut self.nick);
                self.updates.push_back(Update::NickSet {
                    nick: nick.to_owned(),
                });
            }
            Frame::Error { code, tag, subject } => self.refused(now, code, tag, subject),
            Frame::Bye { code, reason } => {
                if code == ErrorCode::Quit {
                    self.updates.push_back(Update::Closed {
                        reason: words::YOU_LEFT.into(),
                    });
                    self.close();
                } else {
                    self.back_off(now, words::bye_reason(code, reason), 0);
                }
            }
            // Client frames, a second welcome, pongs.
            _ => {}
        }
    }

    fn entered(&mut self, now: Instant, room: &str, topic: &str, epoch: u32, next_id: u64) {
        let key = room_key(room);
        let resumed = self.joining.remove(&key).unwrap_or(false);
        self.ever_entered = true;
        let state = self.rooms.entry(key).or_default();
        if state.epoch != epoch {
            // A new incarnation of the room: our old ids mean nothing there.
            state.own.clear();
        }
        room.clone_into(&mut state.name);
        state.epoch = epoch;
        state.next_id = next_id;
        state.seen = state.seen.max(next_id.saturating_sub(1));
        state.names.clear();
        if !self.wanted.iter().any(|r| same_name(r, room)) {
            self.wanted.push(room.to_owned());
        }
        if resumed && !self.unsure.is_empty() {
            self.unsure_until = Some(now + RESUME_GRACE);
        }
        self.updates.push_back(Update::Entered {
            room: room.to_owned(),
            topic: topic.to_owned(),
            resumed,
        });
    }

    /// A room event; `line` for a message, to recognise our own.
    fn event(
        &mut self,
        room: &str,
        id: u64,
        time: u64,
        line: Option<Line<'_>>,
        kind: impl FnOnce() -> EventKind,
    ) {
        let Some(state) = self.rooms.get_mut(&room_key(room)) else {
            return;
        };
        state.seen = state.seen.max(id);
        let live = id >= state.next_id;
        if let Some(line) = line {
            if state.own.contains(&id) {
                // Our own line, replayed after a resume: already shown.
                return;
            }
            // A line sent just before the connection dropped that the
            // server did take: it is delivered, not someone else's.
            if same_name(line.from, &self.nick) && !live {
                let name = &state.name;
                if let Some(i) = self.unsure.iter().position(|p| {
                    same_name(&p.room, name) && p.text == line.text && p.action == line.action
                }) {
                    let p = self.unsure.remove(i);
                    self.updates.push_back(Update::Acked {
                        tag: p.tag,
                        id,
                        time,
                    });
                    return;
                }
            }
        }
        self.updates.push_back(Update::Event(RoomEvent {
            room: room.to_owned(),
            id,
            time,
            live,
            kind: kind(),
        }));
    }

    /// The server refused a request.
    fn refused(&mut self, now: Instant, code: ErrorCode, tag: u32, subject: &str) {
        let key = room_key(subject);
        if !self.ever_entered && self.joining.contains_key(&key) {
            // The first room could not be entered: that is a failed
            // connection, shown on the connect page.
            let _ = self.send(
                now,
                &Frame::Quit {
                    reason: "could not join",
                },
            );
            self.fail(join_error(code, subject));
            return;
        }
        if tag != 0 {
            self.pending.retain(|p| p.tag != tag);
        }
        if matches!(
            code,
            ErrorCode::BadRoom
                | ErrorCode::RoomFull
                | ErrorCode::NoFreeRoom
                | ErrorCode::RoomsFixed
                | ErrorCode::TooManyRooms
        ) {
            // A refused join: not joining, nor rejoining after a reconnect.
            self.joining.remove(&key);
            self.wanted.retain(|r| !same_name(r, subject));
        }
        self.updates.push_back(Update::Refused {
            tag,
            code,
            subject: subject.to_owned(),
            message: words::refusal_text(code, subject),
        });
    }

    /// Out of `room`: neither in it nor rejoining it.
    fn forget_room(&mut self, room: &str) {
        self.wanted.retain(|r| !same_name(r, room));
        self.rooms.retain(|_, r| !same_name(&r.name, room));
    }

    fn room_mut(&mut self, room: &str) -> Option<&mut RoomState> {
        self.rooms.get_mut(&room_key(room))
    }

    /// Queue `frame` for the link, encoded.
    ///
    /// # Errors
    /// The frame breaks a rule (too long, bad name): nothing is queued.
    fn send(&mut self, now: Instant, frame: &Frame<'_>) -> Result<(), EncodeError> {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = frame.encode(&mut buf)?;
        self.transmits.push_back(buf[..n].to_vec());
        self.last_sent = now;
        Ok(())
    }
}

/// A message's fields that tell our own lines apart.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    from: &'a str,
    text: &'a str,
    action: bool,
}

fn flags(action: bool) -> u8 {
    if action { FLAG_ACTION } else { 0 }
}

/// A room's key in the session's maps: room names are letters, digits, '-'
/// and '_', and fold like IRC's, so ASCII case is the only case (as
/// `same_name` compares them: `É` and `é` are two rooms).
fn room_key(room: &str) -> String {
    room.to_ascii_lowercase()
}

/// A refused first join, for the connect page.
fn join_error(code: ErrorCode, room: &str) -> ConnectError {
    match code {
        ErrorCode::RoomFull | ErrorCode::ServerFull => ConnectError::RoomFull,
        ErrorCode::BadRoom => {
            ConnectError::BadRoom(room_problem(room).unwrap_or("the server does not accept it"))
        }
        other => ConnectError::Server(other),
    }
}

//! The network side of the client: one thread per session that connects,
//! says hello, joins, reads and writes frames and reconnects. It talks to
//! the UI only through [`Command`]s and [`Update`]s; it never touches a
//! widget, and the UI never touches a byte.
//!
//! # Threads
//! The *session thread* owns the connection's lifecycle and its writing
//! half; a *reader thread* per connection blocks on the reading half and
//! turns frames into `Inbound` values. Both feed one channel, so the
//! session thread waits on a single `recv_timeout` for commands, frames,
//! a lost connection and its own timers alike. The frame I/O is natter's
//! one blocking client, [`natter_server::client`], over `embedded-io`.
//!
//! # Reconnecting
//! Once a connection has worked, losing it is not the end: the session
//! says so ([`Update::Lost`]), waits 1, 2, 4 … up to 30 s, says hello again
//! and joins every room it was in with the room's epoch and the last id it
//! saw, so the server replays what happened meanwhile (or sends a `Gap`).

mod inbound;
pub mod state;
mod types;
pub mod words;

pub use types::*;

use std::collections::{BTreeMap, VecDeque};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use natter_core::error::ErrorCode;
use natter_core::io::{IoError, write_frame};
use natter_core::wire::{FLAG_ACTION, Frame, nick_problem, room_problem, same_name};
use natter_server::client::{Client, ClientError, Stream};

use inbound::Inbound;
use words::{bye_reason, lost_reason, not_done_offline, refusal_text, server_name};

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Silence from the server after which the connection counts as dead (it
/// pings after 60 s of silence itself).
const READ_TIMEOUT: Duration = Duration::from_secs(150);
/// A write that takes longer than this means the connection is dead.
const WRITE_TIMEOUT: Duration = Duration::from_secs(15);
/// We ping after this long without sending, so the server never thinks
/// we went away.
const KEEPALIVE: Duration = Duration::from_secs(45);
/// Waits between reconnection attempts: doubling from the first, then
/// staying at the last.
const BACKOFF: [u64; 6] = [1, 2, 4, 8, 16, 30];
/// After a resumed join, how long to wait for the replay to show which
/// of the lines sent just before the loss the server had taken.
const RESUME_GRACE: Duration = Duration::from_secs(3);
/// How long dropping a session waits for its goodbye to go out.
const DROP_WAIT: Duration = Duration::from_secs(1);
/// Own message ids remembered per room, to recognise them in a replay.
const OWN_IDS: usize = 512;

/// A running session. Dropping it says goodbye (`Quit`) and lets the
/// network thread end.
pub struct Session {
    inputs: mpsc::Sender<Input>,
    /// Disconnects when the session thread ends (its sender is dropped).
    ended: mpsc::Receiver<()>,
}

impl Session {
    /// Start connecting in the background. `wake` is called (from the
    /// network thread) after each [`Update`] is sent, e.g. `fltk::app::awake`.
    pub fn start(
        login: Login,
        wake: impl Fn() + Send + 'static,
    ) -> (Session, mpsc::Receiver<Update>) {
        let (inputs, rx) = mpsc::channel();
        let (tx, updates) = mpsc::channel();
        let ui = Ui {
            tx,
            wake: Box::new(wake),
        };
        let looped = inputs.clone();
        let (ending, ended) = mpsc::channel::<()>();
        let spawned = thread::Builder::new()
            .name("natter-session".into())
            .spawn(move || {
                Worker::new(login, ui, rx, looped).run();
                drop(ending);
            });
        if let Err(e) = spawned {
            // Only when the OS cannot make a thread; say so instead of
            // failing silently.
            log::error!("cannot start the network thread: {e}");
        }
        (Session { inputs, ended }, updates)
    }

    /// Queue a command; never blocks. After the session ended it is ignored.
    pub fn send(&self, command: Command) {
        let _ = self.inputs.send(Input::Command(command));
    }
}

impl Drop for Session {
    /// Says goodbye and waits (a second at most) for the goodbye to be
    /// written, since the process often exits right after.
    fn drop(&mut self) {
        if self.inputs.send(Input::Dropped).is_ok() {
            let _ = self.ended.recv_timeout(DROP_WAIT);
        }
    }
}

/// What the session thread waits for.
enum Input {
    Command(Command),
    /// A frame from the reader of connection `generation`.
    Frame(u64, Inbound),
    /// That reader stopped: the connection is gone, for this reason.
    Lost(u64, String),
    /// The UI let go of the session.
    Dropped,
}

/// The UI's end: updates, and the wake-up after each.
struct Ui {
    tx: mpsc::Sender<Update>,
    wake: Box<dyn Fn() + Send>,
}

impl Ui {
    fn send(&self, update: Update) {
        if self.tx.send(update).is_ok() {
            (self.wake)();
        }
    }
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
    /// Member list being received (`Names` frames with more to come).
    names: Vec<String>,
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

/// The connection of the moment.
struct Link {
    generation: u64,
    writer: Stream,
    server: String,
    last_sent: Instant,
}

/// Why a connection attempt failed: fatal ones end the session on the
/// first try; others are retried.
struct Attempt {
    error: ConnectError,
    retry: bool,
}

/// How a stretch of the session ended.
enum Next {
    /// Connect again after the backoff.
    Reconnect(String),
    /// The session is over; the UI has been told.
    Stop,
}

struct Worker {
    login: Login,
    ui: Ui,
    inputs: mpsc::Receiver<Input>,
    /// A sender into our own input channel, for reader threads.
    looped: mpsc::Sender<Input>,
    nick: String,
    generation: u64,
    rooms: BTreeMap<String, RoomState>,
    /// Rooms to join after a (re)connect, in joining order.
    wanted: Vec<String>,
    pending: Vec<Pending>,
    /// Pending lines carried over a reconnect, until the replay shows
    /// whether the server took them or the grace ends.
    unsure: Vec<Pending>,
    unsure_until: Option<Instant>,
    /// Rooms whose `Join` is answered on this connection, by name, with
    /// whether it is a resume.
    joining: BTreeMap<String, bool>,
    /// Some room was entered in this session: from then on a refused
    /// join is shown in the chat, not as a failed connection.
    ever_entered: bool,
}

impl Worker {
    fn new(
        login: Login,
        ui: Ui,
        inputs: mpsc::Receiver<Input>,
        looped: mpsc::Sender<Input>,
    ) -> Self {
        Worker {
            nick: login.nick.clone(),
            login,
            ui,
            inputs,
            looped,
            generation: 0,
            rooms: BTreeMap::new(),
            wanted: Vec::new(),
            pending: Vec::new(),
            unsure: Vec::new(),
            unsure_until: None,
            joining: BTreeMap::new(),
            ever_entered: false,
        }
    }

    fn run(mut self) {
        let mut attempt = 0u32;
        let mut ever_connected = false;
        loop {
            attempt += 1;
            self.ui.send(Update::Connecting {
                server: server_name(&self.login),
                attempt,
            });
            match self.connect() {
                Ok(link) => {
                    attempt = 0;
                    ever_connected = true;
                    match self.serve(link) {
                        Next::Stop => return,
                        Next::Reconnect(reason) => {
                            if !self.back_off(reason, 0) {
                                return;
                            }
                        }
                    }
                }
                Err(a) if !ever_connected || !a.retry => {
                    self.ui.send(Update::Failed(a.error));
                    return;
                }
                Err(a) => {
                    let failed = attempt.saturating_sub(1) as usize;
                    if !self.back_off(a.error.to_string(), failed) {
                        return;
                    }
                }
            }
        }
    }

    /// Tell the UI the connection is lost and wait before the next try,
    /// still taking commands (a `Quit` ends the session). Returns whether
    /// to try again.
    fn back_off(&mut self, reason: String, failed: usize) -> bool {
        let wait = Duration::from_secs(BACKOFF[failed.min(BACKOFF.len() - 1)]);
        self.ui.send(Update::Lost {
            reason,
            retry_in: wait,
        });
        // Lines not acknowledged may or may not have reached the server;
        // the replay after resuming tells.
        self.unsure.append(&mut self.pending);
        let until = Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            match self.inputs.recv_timeout(left) {
                Ok(Input::Command(Command::Quit(_))) | Ok(Input::Dropped) => {
                    self.ui.send(Update::Closed {
                        reason: words::YOU_LEFT.into(),
                    });
                    return false;
                }
                Ok(Input::Command(cmd)) => self.offline(cmd),
                Ok(Input::Frame(..) | Input::Lost(..)) => {}
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// A command while there is no connection: what can wait is kept (room
    /// changes), lines are refused so the person knows to send them again.
    fn offline(&mut self, cmd: Command) {
        match cmd {
            Command::Say { tag, .. } | Command::Whisper { tag, .. } => {
                self.ui.send(Update::Refused {
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
                self.wanted.retain(|r| !same_name(r, &room));
                self.rooms.retain(|_, r| !same_name(&r.name, &room));
                self.ui.send(Update::Left { room });
            }
            other => self.ui.send(Update::Refused {
                tag: 0,
                code: ErrorCode::Other(0),
                subject: String::new(),
                message: not_done_offline(&other),
            }),
        }
    }

    /// Connect, say hello and join every wanted room.
    fn connect(&mut self) -> Result<Link, Attempt> {
        let addrs = resolve(&self.login)?;
        if let Some(rule) = nick_problem(&self.nick) {
            return Err(Attempt {
                error: ConnectError::BadNick(rule),
                retry: false,
            });
        }
        if let Some(rule) = self
            .login
            .room
            .as_deref()
            .filter(|r| !r.is_empty())
            .and_then(room_problem)
        {
            return Err(Attempt {
                error: ConnectError::BadRoom(rule),
                retry: false,
            });
        }
        let client = match Client::connect_timeout(
            &addrs[..],
            &self.nick,
            &self.login.password,
            CONNECT_TIMEOUT,
        ) {
            Ok(c) => c,
            Err(e) => return Err(self.hello_error(e)),
        };
        let server = server_name(&self.login);
        let writer = client
            .socket()
            .try_clone()
            .and_then(|s| {
                s.set_write_timeout(Some(WRITE_TIMEOUT))?;
                s.set_read_timeout(Some(READ_TIMEOUT))?;
                Ok(Stream(s))
            })
            .map_err(|e| Attempt {
                error: ConnectError::Network(e.to_string()),
                retry: true,
            })?;
        if self.wanted.is_empty() {
            let first = match &self.login.room {
                Some(room) if !room.is_empty() => room.clone(),
                _ if !client.lobby.is_empty() => client.lobby.clone(),
                _ => "lobby".to_owned(),
            };
            self.wanted.push(first);
        }
        self.nick = client.nick.clone();
        self.generation += 1;
        let mut link = Link {
            generation: self.generation,
            writer,
            server: server.clone(),
            last_sent: Instant::now(),
        };
        self.ui.send(Update::Connected {
            nick: self.nick.clone(),
            server,
            max_text: client.max_text,
        });
        spawn_reader(client, self.generation, self.looped.clone());
        self.joining.clear();
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
            };
            match write(&mut link, &join) {
                Ok(()) => {}
                Err(WriteError::Invalid(_)) => {
                    return Err(Attempt {
                        error: ConnectError::BadRoom(
                            room_problem(&room).unwrap_or("the server does not accept it"),
                        ),
                        retry: false,
                    });
                }
                Err(WriteError::Io(e)) => {
                    return Err(Attempt {
                        error: ConnectError::Network(e),
                        retry: true,
                    });
                }
            }
        }
        Ok(link)
    }

    /// What a failed hello means for a person.
    fn hello_error(&self, e: ClientError) -> Attempt {
        let fatal = |error| Attempt {
            error,
            retry: false,
        };
        match e {
            ClientError::Refused(code) => match code {
                // After a reconnect the old connection may still hold the
                // name for a moment: try again.
                ErrorCode::NickTaken => Attempt {
                    error: ConnectError::NickTaken(self.nick.clone()),
                    retry: true,
                },
                ErrorCode::BadNick => fatal(ConnectError::BadNick(
                    nick_problem(&self.nick).unwrap_or("the server does not accept it"),
                )),
                ErrorCode::BadPassword => fatal(ConnectError::BadPassword),
                ErrorCode::UnsupportedVersion => fatal(ConnectError::Version),
                ErrorCode::ServerFull => Attempt {
                    error: ConnectError::RoomFull,
                    retry: true,
                },
                other => Attempt {
                    error: ConnectError::Server(other),
                    retry: true,
                },
            },
            ClientError::Io(IoError::Io(e)) => Attempt {
                error: match e.kind() {
                    std::io::ErrorKind::ConnectionRefused => ConnectError::Refused,
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                        ConnectError::Timeout
                    }
                    _ => ConnectError::Network(e.to_string()),
                },
                retry: true,
            },
            ClientError::Io(IoError::Closed { .. }) => Attempt {
                error: ConnectError::Protocol("it closed the connection at once".into()),
                retry: true,
            },
            ClientError::Io(e) => Attempt {
                error: ConnectError::Protocol(e.to_string()),
                retry: true,
            },
            ClientError::Unexpected(what) => Attempt {
                error: ConnectError::Protocol(what),
                retry: true,
            },
        }
    }

    /// Run one connection until it ends.
    fn serve(&mut self, mut link: Link) -> Next {
        loop {
            let timeout = self.next_timer(&link);
            let input = match self.inputs.recv_timeout(timeout) {
                Ok(input) => input,
                Err(RecvTimeoutError::Timeout) => {
                    self.on_timer(&mut link);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Next::Stop,
            };
            let step = match input {
                Input::Command(cmd) => self.command(&mut link, cmd),
                Input::Frame(g, frame) if g == link.generation => self.frame(&mut link, frame),
                Input::Lost(g, reason) if g == link.generation => Err(Next::Reconnect(reason)),
                Input::Frame(..) | Input::Lost(..) => Ok(()),
                Input::Dropped => {
                    let _ = write(
                        &mut link,
                        &Frame::Quit {
                            reason: "closed the window",
                        },
                    );
                    shut(&link);
                    return Next::Stop;
                }
            };
            if let Err(next) = step {
                shut(&link);
                return next;
            }
        }
    }

    fn next_timer(&self, link: &Link) -> Duration {
        let keepalive = (link.last_sent + KEEPALIVE).saturating_duration_since(Instant::now());
        match self.unsure_until {
            Some(t) => keepalive.min(t.saturating_duration_since(Instant::now())),
            None => keepalive,
        }
    }

    fn on_timer(&mut self, link: &mut Link) {
        if link.last_sent.elapsed() >= KEEPALIVE {
            // A write error shows up as a lost connection from the reader.
            let _ = write(link, &Frame::Ping { token: 0 });
        }
        if self.unsure_until.is_some_and(|t| Instant::now() >= t) {
            self.unsure_until = None;
            for p in std::mem::take(&mut self.unsure) {
                self.ui.send(Update::Refused {
                    tag: p.tag,
                    code: ErrorCode::Other(0),
                    subject: String::new(),
                    message: words::NOT_DELIVERED.into(),
                });
            }
        }
    }

    /// Send what the UI asked for.
    fn command(&mut self, link: &mut Link, cmd: Command) -> Result<(), Next> {
        let frame_result = match &cmd {
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
                write(
                    link,
                    &Frame::Say {
                        tag: *tag,
                        room,
                        flags: flags(*action),
                        text,
                    },
                )
            }
            Command::Whisper {
                tag,
                to,
                text,
                action,
            } => write(
                link,
                &Frame::Whisper {
                    tag: *tag,
                    to,
                    flags: flags(*action),
                    text,
                },
            ),
            Command::Nick(nick) => write(link, &Frame::SetNick { nick }),
            Command::Topic { room, topic } => write(link, &Frame::SetTopic { room, topic }),
            Command::Join(room) => {
                self.joining.insert(room_key(room), false);
                write(
                    link,
                    &Frame::Join {
                        room,
                        epoch: 0,
                        since: 0,
                    },
                )
            }
            Command::Part { room, reason } => write(link, &Frame::Part { room, reason }),
            Command::Quit(reason) => {
                let _ = write(link, &Frame::Quit { reason });
                self.ui.send(Update::Closed {
                    reason: words::YOU_LEFT.into(),
                });
                return Err(Next::Stop);
            }
        };
        match frame_result {
            Ok(()) => Ok(()),
            Err(WriteError::Invalid(why)) => {
                // The UI checks what it sends; this is the backstop.
                let tag = match cmd {
                    Command::Say { tag, .. } | Command::Whisper { tag, .. } => tag,
                    _ => 0,
                };
                self.pending.retain(|p| p.tag != tag || tag == 0);
                self.ui.send(Update::Refused {
                    tag,
                    code: ErrorCode::BadText,
                    subject: String::new(),
                    message: format!("not sent: {why}"),
                });
                Ok(())
            }
            Err(WriteError::Io(e)) => Err(Next::Reconnect(e)),
        }
    }

    /// Turn a frame from the server into updates.
    fn frame(&mut self, link: &mut Link, frame: Inbound) -> Result<(), Next> {
        match frame {
            Inbound::Ping { token } => {
                let _ = write(link, &Frame::Pong { token });
            }
            Inbound::Entered {
                room,
                topic,
                epoch,
                next_id,
            } => {
                let resumed = self.joining.remove(&room_key(&room)).unwrap_or(false);
                self.ever_entered = true;
                let key = room_key(&room);
                let state = self.rooms.entry(key).or_default();
                if state.epoch != epoch {
                    // A new incarnation of the room: our old ids mean
                    // nothing there.
                    state.own.clear();
                }
                state.name = room.clone();
                state.epoch = epoch;
                state.next_id = next_id;
                state.seen = state.seen.max(next_id.saturating_sub(1));
                state.names.clear();
                if !self.wanted.iter().any(|r| same_name(r, &room)) {
                    self.wanted.push(room.clone());
                }
                if resumed && !self.unsure.is_empty() {
                    self.unsure_until = Some(Instant::now() + RESUME_GRACE);
                }
                self.ui.send(Update::Entered {
                    room,
                    topic,
                    resumed,
                });
            }
            Inbound::Names { room, more, nicks } => {
                if let Some(state) = self.room_mut(&room) {
                    state.names.extend(nicks);
                    if !more {
                        let nicks = std::mem::take(&mut state.names);
                        self.ui.send(Update::Members { room, nicks });
                    }
                }
            }
            Inbound::Left { room } => {
                self.wanted.retain(|r| !same_name(r, &room));
                self.rooms.retain(|_, r| !same_name(&r.name, &room));
                self.ui.send(Update::Left { room });
            }
            Inbound::Event(event) => self.event(event),
            Inbound::Private {
                time,
                from,
                text,
                action,
            } => self.ui.send(Update::Private {
                time,
                from,
                text,
                action,
            }),
            Inbound::Ack {
                tag,
                room,
                id,
                time,
            } => {
                if let Some(state) = self.room_mut(&room) {
                    if state.own.len() >= OWN_IDS {
                        state.own.pop_front();
                    }
                    state.own.push_back(id);
                }
                self.pending.retain(|p| p.tag != tag);
                self.ui.send(Update::Acked { tag, id, time });
            }
            Inbound::Gap { room, missed } => self.ui.send(Update::Gap { room, missed }),
            Inbound::NickSet { nick } => {
                self.nick = nick.clone();
                self.ui.send(Update::NickSet { nick });
            }
            Inbound::Error { code, tag, subject } => {
                if !self.ever_entered && self.joining.contains_key(&room_key(&subject)) {
                    // The first room could not be entered: that is a failed
                    // connection, shown on the connect page.
                    let _ = write(
                        link,
                        &Frame::Quit {
                            reason: "could not join",
                        },
                    );
                    self.ui.send(Update::Failed(join_error(code, &subject)));
                    return Err(Next::Stop);
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
                    // A refused join: not joining, nor rejoining after a
                    // reconnect.
                    self.joining.remove(&room_key(&subject));
                    self.wanted.retain(|r| !same_name(r, &subject));
                }
                let message = refusal_text(code, &subject);
                self.ui.send(Update::Refused {
                    tag,
                    code,
                    subject,
                    message,
                });
            }
            Inbound::Bye { code, reason } => {
                return Err(match code {
                    ErrorCode::Quit => {
                        self.ui.send(Update::Closed {
                            reason: words::YOU_LEFT.into(),
                        });
                        Next::Stop
                    }
                    code => Next::Reconnect(bye_reason(code, &reason)),
                });
            }
        }
        Ok(())
    }

    fn event(&mut self, mut event: RoomEvent) {
        let nick = self.nick.clone();
        let Some(state) = self.room_mut(&event.room) else {
            return;
        };
        state.seen = state.seen.max(event.id);
        event.live = event.id >= state.next_id;
        if let EventKind::Message { from, text, action } = &event.kind {
            if state.own.contains(&event.id) {
                // Our own line, replayed after a resume: already shown.
                return;
            }
            // A line sent just before the connection dropped that the
            // server did take: it is delivered, not someone else's.
            if same_name(from, &nick) && !event.live {
                let room = state.name.clone();
                if let Some(i) = self.unsure.iter().position(|p| {
                    same_name(&p.room, &room) && p.text == *text && p.action == *action
                }) {
                    let p = self.unsure.remove(i);
                    self.ui.send(Update::Acked {
                        tag: p.tag,
                        id: event.id,
                        time: event.time,
                    });
                    return;
                }
            }
        }
        self.ui.send(Update::Event(event));
    }

    fn room_mut(&mut self, room: &str) -> Option<&mut RoomState> {
        self.rooms.get_mut(&room_key(room))
    }
}

/// Why a write failed.
enum WriteError {
    /// The frame breaks a rule (too long, bad name): nothing was sent.
    Invalid(String),
    /// The connection failed.
    Io(String),
}

fn write(link: &mut Link, frame: &Frame<'_>) -> Result<(), WriteError> {
    match write_frame(&mut link.writer, frame) {
        Ok(()) => {
            link.last_sent = Instant::now();
            Ok(())
        }
        Err(IoError::Encode(e)) => Err(WriteError::Invalid(e.to_string())),
        Err(e) => Err(WriteError::Io(format!("{e} ({})", link.server))),
    }
}

/// Close both halves, so the reader thread ends too.
fn shut(link: &Link) {
    let _ = link.writer.0.shutdown(std::net::Shutdown::Both);
}

fn spawn_reader(mut client: Client, generation: u64, tx: mpsc::Sender<Input>) {
    let spawned = thread::Builder::new()
        .name("natter-reader".into())
        .spawn(move || {
            loop {
                match client.recv() {
                    Ok(frame) => {
                        let Some(inbound) = Inbound::from_frame(&frame) else {
                            continue;
                        };
                        let bye = matches!(inbound, Inbound::Bye { .. });
                        if tx.send(Input::Frame(generation, inbound)).is_err() || bye {
                            return;
                        }
                    }
                    Err(e) => {
                        let reason = match &e {
                            ClientError::Io(e) => lost_reason(e),
                            other => other.to_string(),
                        };
                        let _ = tx.send(Input::Lost(generation, reason));
                        return;
                    }
                }
            }
        });
    if let Err(e) = spawned {
        log::error!("cannot start a reader thread: {e}");
    }
}

fn resolve(login: &Login) -> Result<Vec<SocketAddr>, Attempt> {
    let host = login.host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match (host, login.port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Attempt {
                    error: ConnectError::UnknownHost,
                    retry: true,
                })
            } else {
                Ok(addrs)
            }
        }
        Err(_) => Err(Attempt {
            error: ConnectError::UnknownHost,
            retry: true,
        }),
    }
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

//! The link: threads and sockets that pump a [`SessionState`]. It decides
//! nothing; it connects when told, writes what the state gives, hands
//! it frames, losses and the time, and delivers its updates to the UI.
//!
//! # Threads
//! The *session thread* runs [`Driver::run`]: it owns the state, the
//! connection's writing half and the connecting (blocking, as the hello is
//! short). A *reader thread* per connection blocks on the reading half and
//! hands each frame over as its bytes (a borrowed [`Frame`] cannot cross
//! threads; the session thread decodes it again). Both feed one channel,
//! so the session thread waits on a single `recv_timeout` for commands,
//! frames, a lost connection and the state's next timeout alike. The frame
//! I/O is natter's one blocking client, [`natter_server::client`].

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use natter_core::io::IoError;
use natter_core::wire::{Frame, MAX_FRAME_LEN, Status, VERSION, decode};
use natter_server::client::{Client, ClientError, Stream};

use super::state::{ConnectFailure, LinkOrder, SessionState};
use super::types::{Command, ConnectError, Login, Update};
use super::words;

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Silence from the server after which the connection counts as dead (it
/// pings after 60 s of silence itself).
const READ_TIMEOUT: Duration = Duration::from_secs(150);
/// A write that takes longer than this means the connection is dead.
const WRITE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long dropping a session waits for its goodbye to go out.
const DROP_WAIT: Duration = Duration::from_secs(1);

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
                Driver::new(login, ui, rx, looped).run();
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
    /// A frame, encoded, from the reader of connection `generation`.
    Frame(u64, Vec<u8>),
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

/// The connection of the moment: its writing half.
struct Conn {
    writer: Stream,
}

impl Conn {
    /// Close both halves, so the reader thread ends too.
    fn shut(&self) {
        let _ = self.writer.0.shutdown(std::net::Shutdown::Both);
    }
}

/// The session thread: the state and what it needs from the world.
struct Driver {
    state: SessionState,
    login: Login,
    ui: Ui,
    inputs: mpsc::Receiver<Input>,
    /// A sender into our own input channel, for reader threads.
    looped: mpsc::Sender<Input>,
    /// Counts connections, so a late frame or loss from an old one is
    /// told apart.
    generation: u64,
    conn: Option<Conn>,
}

impl Driver {
    fn new(
        login: Login,
        ui: Ui,
        inputs: mpsc::Receiver<Input>,
        looped: mpsc::Sender<Input>,
    ) -> Self {
        Driver {
            state: SessionState::new(login.clone(), Instant::now()),
            login,
            ui,
            inputs,
            looped,
            generation: 0,
            conn: None,
        }
    }

    fn run(mut self) {
        loop {
            self.pump();
            if let Some(order) = self.state.poll_link() {
                match order {
                    LinkOrder::Connect => self.connect(),
                    LinkOrder::Disconnect => self.disconnect(),
                }
                continue;
            }
            if self.state.is_closed() {
                self.disconnect();
                return;
            }
            let received = match self.state.poll_timeout() {
                Some(at) => self
                    .inputs
                    .recv_timeout(at.saturating_duration_since(Instant::now())),
                None => self
                    .inputs
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            let now = Instant::now();
            match received {
                Ok(Input::Command(cmd)) => self.state.handle_command(now, cmd),
                Ok(Input::Frame(g, bytes)) if g == self.generation => match decode(&bytes) {
                    Ok(Status::Complete((frame, _))) => self.state.handle_frame(now, &frame),
                    // The reader encoded a frame it had decoded: cannot happen.
                    other => log::warn!("a frame from the reader does not decode: {other:?}"),
                },
                Ok(Input::Lost(g, reason)) if g == self.generation => {
                    self.state.handle_lost(now, reason);
                }
                Ok(Input::Frame(..) | Input::Lost(..)) => {}
                Ok(Input::Dropped) => self.state.handle_dropped(now),
                Err(RecvTimeoutError::Timeout) => self.state.handle_timeout(now),
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Write what the state wants sent, then give the UI its updates.
    fn pump(&mut self) {
        while let Some(bytes) = self.state.poll_transmit() {
            let Some(conn) = &mut self.conn else {
                continue;
            };
            let written = conn
                .writer
                .0
                .write_all(&bytes)
                .and_then(|()| conn.writer.0.flush());
            if let Err(e) = written {
                let server = words::server_name(&self.login);
                let reason = format!("{} ({server})", IoError::Io(e));
                self.state.handle_lost(Instant::now(), reason);
            }
        }
        while let Some(update) = self.state.poll_update() {
            self.ui.send(update);
        }
    }

    /// Resolve, say hello and hand the welcome (or the failure) to the
    /// state; the joins come from the state as transmits.
    fn connect(&mut self) {
        let Some(addrs) = resolve(&self.login) else {
            let failure = ConnectFailure::Unreachable(ConnectError::UnknownHost);
            self.state.handle_connect_failed(Instant::now(), failure);
            return;
        };
        let Some(hello) = self.state.hello() else {
            return;
        };
        let client =
            Client::connect_timeout(&addrs[..], &hello.nick, &hello.password, CONNECT_TIMEOUT);
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                self.state
                    .handle_connect_failed(Instant::now(), hello_failure(e));
                return;
            }
        };
        let writer = client.socket().try_clone().and_then(|s| {
            s.set_write_timeout(Some(WRITE_TIMEOUT))?;
            s.set_read_timeout(Some(READ_TIMEOUT))?;
            Ok(Stream(s))
        });
        let writer = match writer {
            Ok(w) => w,
            Err(e) => {
                let failure = ConnectFailure::Unreachable(ConnectError::Network(e.to_string()));
                self.state.handle_connect_failed(Instant::now(), failure);
                return;
            }
        };
        self.generation += 1;
        self.conn = Some(Conn { writer });
        // `Client` took the welcome; the state reads it as the frame it was.
        let welcome = Frame::Welcome {
            version: VERSION,
            nick: &client.nick,
            lobby: &client.lobby,
            max_text: u16::try_from(client.max_text).unwrap_or(u16::MAX),
        };
        self.state.handle_frame(Instant::now(), &welcome);
        spawn_reader(client, self.generation, self.looped.clone());
    }

    fn disconnect(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.shut();
        }
    }
}

fn spawn_reader(mut client: Client, generation: u64, tx: mpsc::Sender<Input>) {
    let spawned = thread::Builder::new()
        .name("natter-reader".into())
        .spawn(move || {
            let mut buf = [0u8; MAX_FRAME_LEN];
            loop {
                match client.recv() {
                    Ok(frame) => {
                        let bye = matches!(frame, Frame::Bye { .. });
                        // A frame that decoded encodes again: the encoder
                        // checks exactly what the decoder accepts.
                        let Ok(n) = frame.encode(&mut buf) else {
                            continue;
                        };
                        let bytes = buf[..n].to_vec();
                        if tx.send(Input::Frame(generation, bytes)).is_err() || bye {
                            return;
                        }
                    }
                    Err(e) => {
                        let reason = match &e {
                            ClientError::Io(e) => words::lost_reason(e),
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

/// What a failed hello means, before the state decides whether to retry.
fn hello_failure(e: ClientError) -> ConnectFailure {
    let error = match e {
        ClientError::Refused(code) => return ConnectFailure::Refused(code),
        ClientError::Io(IoError::Io(e)) => match e.kind() {
            std::io::ErrorKind::ConnectionRefused => ConnectError::Refused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ConnectError::Timeout,
            _ => ConnectError::Network(e.to_string()),
        },
        ClientError::Io(IoError::Closed { .. }) => {
            ConnectError::Protocol("it closed the connection at once".into())
        }
        ClientError::Io(e) => ConnectError::Protocol(e.to_string()),
        ClientError::Unexpected(what) => ConnectError::Protocol(what),
    };
    ConnectFailure::Unreachable(error)
}

/// The login's addresses, or `None` when the name resolves to nothing.
fn resolve(login: &Login) -> Option<Vec<SocketAddr>> {
    let host = login.host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs: Vec<SocketAddr> = (host, login.port).to_socket_addrs().ok()?.collect();
    (!addrs.is_empty()).then_some(addrs)
}

//! The event loop: one thread, one `mio::Poll`, one hub.
//!
//! Each wake-up reads every readable socket into the hub, then writes what
//! the hub has for each connection that has output: one `write` per
//! connection per wake-up carries every frame queued for it, which is what
//! makes fan-out cheap. A socket that would block is simply left until mio
//! says it is writable; the hub keeps its events in the room history
//! meanwhile, so a slow reader costs the others nothing.
//!
//! # Layout
//! * `mod.rs`: the [`Server`] (binding, its thread, the loop that hands each
//!   readiness to the driver) and its [`ShutdownHandle`]; the `Driver` that
//!   keeps the hub and the sockets between wake-ups, and the end of each
//!   wake-up: timers, writing, closing, shutting down.
//! * `options.rs`: [`Options`], [`Timeouts`], the capacities they are
//!   bounded by ([`MAX_CONNS`], [`MAX_HISTORY`]...), their checks and the
//!   hub's configuration made from them.
//! * `accept.rs`: taking connections, telling each one's protocol by its
//!   first byte, and refusing those the server cannot take in a protocol
//!   they can read.
//! * `natter.rs`: natter clients' reads, and their vectored writes straight
//!   from the room's history.
//! * `irc.rs`: IRC clients' reads and writes, through their
//!   [`IrcConn`].
//! * `web.rs`: browsers: HTTP requests answered from the page in the
//!   binary, and the upgrade to a WebSocket (its `Link` frames it).
//! * `logging.rs`: the words of the server's log.

mod accept;
#[cfg(windows)]
mod console;
mod irc;
mod logging;
mod natter;
mod options;
mod web;

pub use options::{
    HISTORY_BYTES, MAX_CONNS, MAX_HISTORY, MAX_ROOMS, MEMBER_BYTES, OUT_QUEUE, Options, Timeouts,
    host_name,
};

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use log::{debug, info};
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};
use natter_core::room::ConnId;
use natter_core::time::Instant;
#[cfg(unix)]
use signal_hook::consts::{SIGINT, SIGTERM};
#[cfg(unix)]
use signal_hook_mio::v1_0::Signals;

use crate::irc::{IrcConn, OwnedProfile, SharedLines};
use crate::listener;
use crate::storage::HeapHub;
use crate::web::origins::OwnOrigins;
use crate::web::ws::CloseCode;
use accept::Refusing;
use options::{check_options, hub_config, invalid, ms, raise_open_files, storage};
use web::{HttpConn, Link};

const LISTENER: Token = Token(usize::MAX - 1);
const IRC_LISTENER: Token = Token(usize::MAX - 4);
#[cfg(unix)]
const SIGNALS: Token = Token(usize::MAX - 2);

/// Whether reads and writes must go on until the socket says "would
/// block" before the next readiness event comes. On Linux (epoll, edge
/// triggered by mio) a short read or write already says the socket is
/// drained, and the next event comes when there is more. mio on Windows
/// promises another event only after an operation returned `WouldBlock`.
const MUST_DRAIN: bool = cfg!(windows);
const WAKER: Token = Token(usize::MAX - 3);
/// Tokens of connections refused while full, waiting for their first byte
/// to say in which protocol: `REFUSING + slot`.
const REFUSING: usize = 1 << 20;
/// How long connections get to receive their goodbye at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Stops a running server from another thread, like SIGTERM does.
#[derive(Clone)]
pub struct ShutdownHandle(Arc<Waker>);

impl ShutdownHandle {
    /// Ask the server to say goodbye to everyone and stop.
    pub fn shutdown(&self) {
        // Waking can only fail if the poll is gone, i.e. already stopped.
        let _ = self.0.wake();
    }
}

/// A bound server, ready to [`run`](Server::run).
pub struct Server {
    options: Options,
    poll: Poll,
    listener: TcpListener,
    irc_listener: Option<TcpListener>,
    irc_addr: Option<SocketAddr>,
    waker: Arc<Waker>,
    local_addr: SocketAddr,
}

impl Server {
    /// Check the options and bind the listening socket.
    ///
    /// # Errors
    /// An `InvalidInput` error for bad options (with a message saying what
    /// to change), or the OS error from binding.
    pub fn bind(options: Options) -> io::Result<Server> {
        check_options(&options)?;
        let mut options = options;
        options.max_members = raise_open_files(options.max_members);
        options.room_size = options.room_size.min(options.max_members);
        let std_listener = listener::bind(options.bind)?;
        let local_addr = std_listener.local_addr()?;
        let mut listener = TcpListener::from_std(std_listener);
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let (irc_listener, irc_addr) = match options.irc_bind {
            Some(bind) => {
                let std_listener = listener::bind(bind)?;
                let addr = std_listener.local_addr()?;
                let mut l = TcpListener::from_std(std_listener);
                poll.registry()
                    .register(&mut l, IRC_LISTENER, Interest::READABLE)?;
                (Some(l), Some(addr))
            }
            None => (None, None),
        };
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        Ok(Server {
            options,
            poll,
            listener,
            irc_listener,
            irc_addr,
            waker,
            local_addr,
        })
    }

    /// The address the server listens on (with the real port when the
    /// options asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The IRC-only port's address, when there is one.
    pub fn irc_addr(&self) -> Option<SocketAddr> {
        self.irc_addr
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.waker.clone())
    }

    /// Serve until shut down. Every client gets a goodbye first.
    ///
    /// # Errors
    /// Only an error of the poll itself; client errors just close that
    /// client.
    pub fn run(self) -> io::Result<()> {
        // The loop gets a thread of its own with a generous stack (frames
        // and IRC lines are built in stack buffers, and unoptimised builds
        // keep many copies), so `run` works from a test's small-stacked
        // thread as from `main`. Untouched stack pages cost no memory.
        std::thread::Builder::new()
            .name("natter-loop".into())
            .stack_size(16 * 1024 * 1024)
            .spawn(move || self.serve())?
            .join()
            .map_err(|_| io::Error::other("the event loop thread panicked"))?
    }

    fn serve(mut self) -> io::Result<()> {
        let config = hub_config(&self.options);
        // `check_options` kept the sizes within what the hub takes.
        let mut hub = HeapHub::with_storage(config, storage(&self.options));
        for room in &self.options.rooms {
            hub.add_room(room)
                .map_err(|e| invalid(format!("room '{room}': {e}")))?;
        }
        #[cfg(unix)]
        let mut signals = if self.options.handle_signals {
            let mut s = Signals::new([SIGINT, SIGTERM])?;
            self.poll
                .registry()
                .register(&mut s, SIGNALS, Interest::READABLE)?;
            Some(s)
        } else {
            None
        };
        // Windows: Ctrl+C, Ctrl+Break and closing the console window.
        #[cfg(windows)]
        let _console = self.options.handle_signals.then(|| {
            console::install(self.shutdown_handle());
            Finished
        });
        let mut driver = Driver {
            hub: &mut hub,
            server_name: self.options.server_name.clone(),
            shared_lines: SharedLines::new(),
            irc_frames: Vec::new(),
            irc_spare: Vec::new(),
            conns: Vec::new(),
            profiles: Vec::new(),
            clock: Clock::new(),
            shutdown_deadline: None,
            writable: Vec::with_capacity(self.options.max_members),
            refusing: Vec::new(),
            origins: OwnOrigins {
                port: self.local_addr.port(),
                host_name: host_name(),
                extra: self.options.allow_origins.clone(),
            },
            http: Vec::new(),
        };
        let mut events = Events::with_capacity(1024);
        loop {
            let timeout = driver.poll_timeout();
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => driver.accept(&self.listener, false, self.poll.registry()),
                    IRC_LISTENER => {
                        if let Some(l) = &self.irc_listener {
                            driver.accept(l, true, self.poll.registry());
                        }
                    }
                    #[cfg(unix)]
                    SIGNALS => {
                        if let Some(s) = signals.as_mut() {
                            if s.pending().next().is_some() {
                                driver.begin_shutdown();
                            }
                        }
                    }
                    WAKER => driver.begin_shutdown(),
                    Token(i) if i >= REFUSING => {
                        driver.refusing_readable(i - REFUSING, self.poll.registry())
                    }
                    Token(i) => {
                        let conn = ConnId(i as u16);
                        if event.is_read_closed() || event.is_error() {
                            driver.saw_hangup(conn);
                        }
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            driver.read(conn);
                        }
                        if event.is_writable() {
                            // Not now: epoll reports "writable" with nearly
                            // every read too, and writing here would send
                            // each member part of this wake-up's messages.
                            driver.writable.push(conn);
                        }
                    }
                }
            }
            driver.after_wakeup(self.poll.registry());
            if driver.finished() {
                info!("all clients said goodbye; stopping");
                return Ok(());
            }
        }
    }
}

/// Milliseconds since the server started, as the hub's clock.
struct Clock(std::time::Instant);

impl Clock {
    fn new() -> Self {
        Clock(std::time::Instant::now())
    }

    fn now(&self) -> Instant {
        Instant(self.0.elapsed().as_millis() as u64)
    }
}

/// A client's socket and what the driver knows of it (the hub keeps the
/// rest, in its `room::Conn`).
struct Socket {
    stream: Link,
    peer: SocketAddr,
    /// The hub's input buffer was full: read again once it has room
    /// (mio is edge-triggered and will not say readable again).
    read_paused: bool,
    /// The peer has closed its side (or the socket failed): read to the
    /// end, since no new readiness will come.
    hangup: bool,
    /// What it speaks, once its first byte has arrived.
    proto: Proto,
}

/// The protocol of a connection.
enum Proto {
    /// Nothing has arrived yet.
    Unknown,
    Natter,
    Irc(Box<IrcConn>),
    /// A browser, before any upgrade to a WebSocket.
    Http(Box<HttpConn>),
}

/// What the loop keeps between wake-ups: the hub, the sockets, the buffers
/// IRC clients share and the connections being refused. Its methods are
/// spread over this module's files, one job to a file (see the Layout).
struct Driver<'h> {
    hub: &'h mut HeapHub,
    /// The server's name for IRC clients.
    server_name: String,
    /// Live room messages as IRC lines, rendered once for all IRC members.
    shared_lines: SharedLines,
    /// The hub's frames for one IRC connection, `IRC_FRAMES` at a time.
    irc_frames: Vec<u8>,
    /// The IRC output buffer connections borrow while they write.
    irc_spare: Vec<u8>,
    /// Sockets by `ConnId`.
    conns: Vec<Option<Socket>>,
    /// What each IRC client said about itself (`USER`, `AWAY`), by
    /// `ConnId`, for the others' `WHO` and `WHOIS` (its bridge has the
    /// original; this copy is lent while that bridge is busy).
    profiles: Vec<Option<OwnedProfile>>,
    clock: Clock,
    shutdown_deadline: Option<Instant>,
    /// Connections whose socket said "writable" during this wake-up: they
    /// are written once, at its end, with everything it brought.
    writable: Vec<ConnId>,
    /// Connections refused while the server was full, on the shared port,
    /// waiting to show by their first byte whether they speak IRC, so the
    /// refusal is one they can read.
    refusing: Vec<Option<Refusing>>,
    /// The pages that may open a WebSocket here.
    origins: OwnOrigins,
    /// Connections that spoke HTTP (some may have moved on since), for
    /// their request deadlines.
    http: Vec<ConnId>,
}

impl Driver<'_> {
    fn poll_timeout(&self) -> Option<Duration> {
        let now = self.clock.now();
        let refusing = self.refusing.iter().flatten().map(|r| r.deadline).min();
        let next = [
            self.hub.poll_timeout(),
            self.shutdown_deadline,
            refusing,
            self.http_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()?;
        // Round up so the timer has expired when we wake.
        Some(Duration::from_millis(
            next.saturating_since(now).millis() + 1,
        ))
    }

    /// The end of a wake-up: write what is queued, close what the hub
    /// closed, run timers and log.
    fn after_wakeup(&mut self, registry: &mio::Registry) {
        self.expire_refusing(registry);
        self.expire_http();
        let now = self.clock.now();
        if self.hub.poll_timeout().is_some_and(|t| t <= now) {
            self.hub.handle_timeout(now);
            self.resume_held_irc();
        }
        self.transmit_all();
        // Log first, while the sockets (and their addresses) are still known.
        while let Some(event) = self.hub.poll_event() {
            self.log(event);
        }
        while let Some(conn) = self.hub.poll_close() {
            if let Some(mut c) = self.conns.get_mut(conn.index()).and_then(Option::take) {
                if let Proto::Irc(irc) = &c.proto {
                    // Its last lines (the ERROR) are the goodbye.
                    let _ = c.stream.write(&irc.out);
                }
                c.stream.close(if self.shutdown_deadline.is_some() {
                    CloseCode::GoingAway
                } else {
                    CloseCode::Normal
                });
                let _ = registry.deregister(&mut c.stream);
                debug!("{}: closed", c.peer);
            }
        }
        if self.shutdown_deadline.is_some_and(|d| now >= d) {
            // Grace is over: whoever has not taken their goodbye is cut off.
            for conn in 0..self.conns.len() {
                self.drop_conn(ConnId(conn as u16), "cut off at shutdown");
            }
        }
    }

    /// Write output for every connection that has some, and for those
    /// whose socket has room again.
    fn transmit_all(&mut self) {
        while let Some(conn) = self.writable.pop() {
            self.flush(conn);
        }
        while let Some(conn) = self.hub.poll_transmit() {
            self.flush(conn);
        }
    }

    fn drop_conn(&mut self, conn: ConnId, why: &str) {
        if let Some(c) = self.conns.get_mut(conn.index()).and_then(Option::take) {
            debug!("{}: {why}", c.peer);
        }
        self.hub.handle_disconnect(self.clock.now(), conn);
    }

    fn begin_shutdown(&mut self) {
        if self.shutdown_deadline.is_none() {
            info!(
                "shutting down: saying goodbye to {} connection(s)",
                self.hub.connections()
            );
            let now = self.clock.now();
            self.hub.shutdown(now, "the server is shutting down");
            self.shutdown_deadline = Some(now + ms(SHUTDOWN_GRACE));
        }
    }

    fn finished(&self) -> bool {
        self.shutdown_deadline.is_some() && self.conns.iter().all(Option::is_none)
    }
}

/// Tells a closing Windows console, when the loop ends (however it ends),
/// that the goodbyes are said.
#[cfg(windows)]
struct Finished;

#[cfg(windows)]
impl Drop for Finished {
    fn drop(&mut self) {
        console::finished();
    }
}

//! `natter-bench scale`: thousands of members on one server.
//!
//! Three phases, one after the other:
//!
//! 1. **Ramp.** Open `members` connections at most `connect_rate` a second
//!    with at most `handshakes` between connecting and being in their room
//!    (the end of its `Names`). Each sends `Hello` and `Join` at once.
//! 2. **Idle.** Wait until nothing has arrived for `settle` (the `Joined`
//!    notices of the ramp are drained), then read the server's memory.
//! 3. **Traffic** (with senders). The first `senders` members each send
//!    `messages` at `rate` a second, spread evenly over each interval;
//!    every member reads everything, and every delivery is checked (exact
//!    text, loss, duplication, order) and timed from send to receive.
//!
//! Connections are shared out among `threads` workers, each one mio loop
//! owning every `threads`-th member; a worker reads into one buffer and
//! looks at frames where they lie (a `Message` by its offsets, everything
//! else through `wire::decode`, which borrows), so reading costs no
//! allocation. The main thread only watches shared counters and moves the
//! workers from phase to phase.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use natter_core::error::ErrorCode;
use natter_core::wire::{self, FLAG_MORE, Frame, MAX_FRAME_LEN, Status, VERSION};

use crate::load::{is_exact_payload, message_text, parse_head, payload};
use crate::tally::{Counts, Layout, Tally, percentile};

/// What to run.
#[derive(Debug, Clone)]
pub struct Spec {
    pub addr: SocketAddr,
    pub layout: Layout,
    /// Room names, one per room of the layout.
    pub rooms: Vec<String>,
    /// Messages per second per sender.
    pub rate: f64,
    /// Message size in bytes.
    pub size: usize,
    /// New connections per second at most.
    pub connect_rate: f64,
    /// Connections between connecting and joined at most.
    pub handshakes: usize,
    pub threads: usize,
    /// Quiet time that ends the idle phase's wait.
    pub settle: Duration,
    /// Give up when nothing progresses for this long.
    pub stall: Duration,
}

/// The server's counters at one moment, where they could be read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Probe {
    /// CPU time, all threads, µs.
    pub cpu_us: Option<u64>,
    /// Resident memory now (`VmRSS`), kB.
    pub rss_kb: Option<u64>,
    /// Peak resident memory (`VmHWM`), kB.
    pub hwm_kb: Option<u64>,
}

/// What a scale run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The server before the first connection.
    pub before: Probe,
    /// From the first connection to the last member in its room.
    pub ramp_s: f64,
    /// From the first connection to the last byte of the ramp's notices.
    pub settled_s: f64,
    /// Events the server said joiners missed during the ramp.
    pub ramp_gaps: u64,
    /// The server once the ramp had settled.
    pub idle: Probe,
    pub traffic: Option<Traffic>,
}

/// The traffic phase.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// From the first message sent to the last delivery received.
    pub seconds: f64,
    pub counts: Counts,
    pub p50_us: Option<u32>,
    pub p99_us: Option<u32>,
    pub max_us: Option<u32>,
    /// Server CPU time over the phase, µs.
    pub server_cpu_us: Option<u64>,
    /// This generator's own CPU time over the phase, µs: near the phase's
    /// length per thread, and the latencies are partly the generator's.
    pub generator_cpu_us: Option<u64>,
    /// The server at the end.
    pub after: Probe,
}

const RAMP: u8 = 0;
const IDLE: u8 = 1;
const TRAFFIC: u8 = 2;
const STOP: u8 = 3;

/// What the workers and the main thread share. Times are ns since the
/// run's start.
struct Shared {
    phase: AtomicU8,
    joined: AtomicUsize,
    last_join_ns: AtomicU64,
    last_rx_ns: AtomicU64,
    traffic_start_ns: AtomicU64,
    /// Workers expecting nothing more.
    done: AtomicUsize,
    error: Mutex<Option<String>>,
}

impl Shared {
    /// Record the first error and stop everyone.
    fn fail(&self, e: String) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
        self.phase.store(STOP, Relaxed);
    }

    fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }
}

/// Run the three phases against the server at `spec.addr`; `probe` reads
/// the server's counters (all `None` when there is no pid to read).
pub fn run(spec: &Spec, probe: impl Fn() -> Probe) -> io::Result<Report> {
    let threads = spec.threads.clamp(1, spec.layout.members.max(1));
    let shared = Shared {
        phase: AtomicU8::new(RAMP),
        joined: AtomicUsize::new(0),
        last_join_ns: AtomicU64::new(0),
        last_rx_ns: AtomicU64::new(0),
        traffic_start_ns: AtomicU64::new(u64::MAX),
        done: AtomicUsize::new(0),
        error: Mutex::new(None),
    };
    let before = probe();
    let start = Instant::now();
    let (watched, results) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|id| {
                let shared = &shared;
                s.spawn(move || {
                    let result =
                        Worker::new(spec, shared, start, id, threads).and_then(|w| w.run());
                    if let Err(e) = &result {
                        shared.fail(e.clone());
                    }
                    result
                })
            })
            .collect();
        let watched = watch(spec, &shared, start, threads, &probe);
        shared.phase.store(STOP, Relaxed);
        let results: Vec<_> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err("a worker thread panicked".to_owned()))
            })
            .collect();
        (watched, results)
    });
    // A worker's own error says more than the watcher's "stopped".
    let mut done = Vec::with_capacity(results.len());
    for r in results {
        done.push(r.map_err(io::Error::other)?);
    }
    let (mut report, traffic_probe) = watched.map_err(io::Error::other)?;
    let mut ramp_gaps = 0;
    let mut counts = Counts::default();
    let mut latencies = Vec::new();
    for (tally, gaps) in &mut done {
        ramp_gaps += *gaps;
        counts.add(&tally.counts);
        latencies.append(&mut tally.latencies_us);
    }
    report.ramp_gaps = ramp_gaps;
    report.before = before;
    if let Some((seconds, server_cpu_us, generator_cpu_us, after)) = traffic_probe {
        latencies.sort_unstable();
        report.traffic = Some(Traffic {
            seconds,
            counts,
            p50_us: percentile(&latencies, 0.50),
            p99_us: percentile(&latencies, 0.99),
            max_us: percentile(&latencies, 1.0),
            server_cpu_us,
            generator_cpu_us,
            after,
        });
    }
    Ok(report)
}

/// The report so far and, after traffic, its seconds, the server's and
/// the generator's CPU time and the server at the end.
type Watched = (Report, Option<(f64, Option<u64>, Option<u64>, Probe)>);

/// The main thread's part: wait for each phase to finish, read the server
/// between them, and move the workers on.
fn watch(
    spec: &Spec,
    shared: &Shared,
    start: Instant,
    threads: usize,
    probe: &impl Fn() -> Probe,
) -> Result<Watched, String> {
    let members = spec.layout.members;
    let now_ns = || start.elapsed().as_nanos() as u64;
    let tick = Duration::from_millis(10);
    let stopped = || shared.error().unwrap_or_else(|| "stopped".to_owned());
    // Ramp: until every member is in its room.
    let (mut seen, mut progress) = (0, Instant::now());
    loop {
        std::thread::sleep(tick);
        if shared.phase.load(Relaxed) == STOP {
            return Err(stopped());
        }
        let joined = shared.joined.load(Relaxed);
        if joined == members {
            break;
        }
        if joined != seen {
            (seen, progress) = (joined, Instant::now());
        } else if progress.elapsed() > spec.stall {
            return Err(format!(
                "only {joined} of {members} members got into their rooms, and none \
                 for {} s: is the server overloaded, or its --max-members too low?",
                spec.stall.as_secs()
            ));
        }
    }
    let ramp_s = shared.last_join_ns.load(Relaxed) as f64 / 1e9;
    // Idle: until the ramp's notices are read.
    shared.phase.store(IDLE, Relaxed);
    let idle_from = Instant::now();
    loop {
        std::thread::sleep(tick);
        if shared.phase.load(Relaxed) == STOP {
            return Err(stopped());
        }
        let quiet = now_ns().saturating_sub(shared.last_rx_ns.load(Relaxed));
        if quiet >= spec.settle.as_nanos() as u64 || idle_from.elapsed() > spec.stall * 4 {
            break;
        }
    }
    let settled_s = shared.last_rx_ns.load(Relaxed) as f64 / 1e9;
    let idle = probe();
    let report = Report {
        before: Probe::default(),
        ramp_s,
        settled_s,
        ramp_gaps: 0,
        idle,
        traffic: None,
    };
    let l = spec.layout;
    if l.senders == 0 || l.messages == 0 || l.expected() == 0 {
        return Ok((report, None));
    }
    // Traffic: until every worker has all it expects, or nothing arrives
    // for `stall` after the last message was due.
    let begin = now_ns() + 20_000_000;
    shared.traffic_start_ns.store(begin, Relaxed);
    let cpu_before = probe().cpu_us;
    let me = std::process::id();
    let my_cpu_before = crate::cpu_us(me);
    shared.phase.store(TRAFFIC, Relaxed);
    let sending_ns = (f64::from(l.messages) / spec.rate * 1e9) as u64;
    loop {
        std::thread::sleep(tick);
        if shared.phase.load(Relaxed) == STOP {
            return Err(stopped());
        }
        if shared.done.load(Relaxed) == threads {
            break;
        }
        let now = now_ns();
        if now > begin + sending_ns
            && now.saturating_sub(shared.last_rx_ns.load(Relaxed)) > spec.stall.as_nanos() as u64
        {
            break;
        }
    }
    let after = probe();
    let my_cpu = my_cpu_before
        .zip(crate::cpu_us(me))
        .map(|(a, b)| b.saturating_sub(a));
    let seconds = shared.last_rx_ns.load(Relaxed).saturating_sub(begin) as f64 / 1e9;
    let cpu = cpu_before
        .zip(after.cpu_us)
        .map(|(a, b)| b.saturating_sub(a));
    Ok((report, Some((seconds, cpu, my_cpu, after))))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Connecting,
    Joining,
    Joined,
}

struct Conn {
    stream: TcpStream,
    state: State,
    /// The start of a frame not yet whole.
    pending: Vec<u8>,
    output: Vec<u8>,
    /// Senders: messages sent, and when the next is due.
    sent: u32,
    next_send: Instant,
}

/// One thread's share of the members: every `threads`-th, from `id`.
struct Worker<'a> {
    spec: &'a Spec,
    shared: &'a Shared,
    start: Instant,
    id: usize,
    threads: usize,
    poll: Poll,
    conns: Vec<Conn>,
    /// Members this worker owns.
    total: usize,
    /// Of them, senders (the first ones).
    senders: usize,
    handshakes: usize,
    in_handshake: usize,
    buf: Box<[u8]>,
    tally: Tally,
    ramp_gaps: u64,
    traffic: bool,
    done: bool,
    /// Between one sender's messages.
    interval: Duration,
}

/// How much a worker reads at once; a partial frame (under
/// `MAX_FRAME_LEN`) is carried to the front, so a read always has room.
const READ_BUF: usize = 64 * 1024;

impl<'a> Worker<'a> {
    fn new(
        spec: &'a Spec,
        shared: &'a Shared,
        start: Instant,
        id: usize,
        threads: usize,
    ) -> Result<Worker<'a>, String> {
        let l = spec.layout;
        let mine: Vec<usize> = (id..l.members).step_by(threads).collect();
        let senders = mine.iter().take_while(|&&m| m < l.senders).count();
        Ok(Worker {
            spec,
            shared,
            start,
            id,
            threads,
            poll: Poll::new().map_err(|e| format!("cannot make a poll: {e}"))?,
            conns: Vec::with_capacity(mine.len()),
            total: mine.len(),
            senders,
            handshakes: spec.handshakes.div_ceil(threads).max(1),
            in_handshake: 0,
            buf: vec![0; READ_BUF + MAX_FRAME_LEN].into_boxed_slice(),
            tally: Tally::new(l, mine),
            ramp_gaps: 0,
            traffic: false,
            done: false,
            interval: Duration::from_secs_f64(1.0 / spec.rate.max(1e-3)),
        })
    }

    fn member(&self, local: usize) -> usize {
        self.id + local * self.threads
    }

    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    fn run(mut self) -> Result<(Tally, u64), String> {
        let mut events = Events::with_capacity(1024);
        loop {
            let phase = self.shared.phase.load(Relaxed);
            if phase == STOP {
                break;
            }
            let now = Instant::now();
            let mut wake = now + Duration::from_millis(50);
            if let Some(due) = self.open_due(now)? {
                wake = wake.min(due);
            }
            if phase == TRAFFIC && !self.traffic {
                self.start_traffic();
            }
            if self.traffic {
                if let Some(due) = self.send_due()? {
                    wake = wake.min(due);
                }
                if !self.done && self.tally.outstanding() == 0 {
                    self.done = true;
                    self.shared.done.fetch_add(1, Relaxed);
                }
            }
            let timeout = wake.saturating_duration_since(Instant::now());
            match self.poll.poll(&mut events, Some(timeout)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("poll: {e}")),
            }
            for event in events.iter() {
                self.handle(event.token().0, event.is_readable())?;
            }
        }
        Ok((self.tally, self.ramp_gaps))
    }

    /// Open the connections that are due; returns when the next one is.
    fn open_due(&mut self, now: Instant) -> Result<Option<Instant>, String> {
        while self.conns.len() < self.total && self.in_handshake < self.handshakes {
            let local = self.conns.len();
            let member = self.member(local);
            let due = self.start + Duration::from_secs_f64(member as f64 / self.spec.connect_rate);
            if due > now {
                return Ok(Some(due));
            }
            let addr = self.spec.addr;
            let mut stream =
                TcpStream::connect(addr).map_err(|e| connect_error(member, addr, &e))?;
            self.poll
                .registry()
                .register(
                    &mut stream,
                    Token(local),
                    Interest::READABLE | Interest::WRITABLE,
                )
                .map_err(|e| format!("member {member}: cannot poll its socket: {e}"))?;
            let mut output = Vec::with_capacity(64);
            let nick = format!("m{member}");
            let room = &self.spec.rooms[self.spec.layout.room_of(member)];
            encode(
                &mut output,
                &Frame::Hello {
                    version: VERSION,
                    nick: &nick,
                    password: "",
                },
            );
            encode(
                &mut output,
                &Frame::Join {
                    room,
                    epoch: 0,
                    since: 0,
                },
            );
            self.conns.push(Conn {
                stream,
                state: State::Connecting,
                pending: Vec::new(),
                output,
                sent: 0,
                next_send: now,
            });
            self.in_handshake += 1;
        }
        Ok(None)
    }

    fn start_traffic(&mut self) {
        self.traffic = true;
        let begin = self.start + Duration::from_nanos(self.shared.traffic_start_ns.load(Relaxed));
        let senders = self.spec.layout.senders.max(1) as f64;
        for local in 0..self.senders {
            let member = self.member(local);
            // Spread evenly over the interval, as people typing are.
            self.conns[local].next_send = begin + self.interval.mul_f64(member as f64 / senders);
        }
    }

    /// Send what is due; returns when the next message is.
    fn send_due(&mut self) -> Result<Option<Instant>, String> {
        let messages = self.spec.layout.messages;
        let mut next: Option<Instant> = None;
        for local in 0..self.senders {
            let member = self.member(local);
            let room = &self.spec.rooms[self.spec.layout.room_of(member)];
            let c = &mut self.conns[local];
            let now = Instant::now();
            while c.sent < messages && c.next_send <= now {
                let ts = now.duration_since(self.start).as_nanos() as u64;
                let text = payload(member, c.sent, ts, self.spec.size);
                let text = std::str::from_utf8(&text).unwrap_or("");
                encode(
                    &mut c.output,
                    &Frame::Say {
                        tag: c.sent + 1,
                        room,
                        flags: 0,
                        text,
                    },
                );
                c.sent += 1;
                c.next_send += self.interval;
            }
            if c.sent < messages {
                next = Some(next.map_or(c.next_send, |n| n.min(c.next_send)));
            }
            flush(c).map_err(|e| format!("member {member}: writing: {e}"))?;
        }
        Ok(next)
    }

    fn handle(&mut self, local: usize, readable: bool) -> Result<(), String> {
        let member = self.member(local);
        let Some(c) = self.conns.get_mut(local) else {
            return Ok(());
        };
        if c.state == State::Connecting {
            if let Some(e) = c.stream.take_error().ok().flatten() {
                return Err(connect_error(member, self.spec.addr, &e));
            }
            match c.stream.peer_addr() {
                Ok(_) => {
                    c.state = State::Joining;
                    // Best effort: a few bytes late is not an error here.
                    let _ = c.stream.set_nodelay(true);
                }
                Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(()),
                Err(e) => return Err(connect_error(member, self.spec.addr, &e)),
            }
        }
        flush(c).map_err(|e| format!("member {member}: writing: {e}"))?;
        if readable {
            self.read(local)?;
        }
        Ok(())
    }

    /// Read everything the socket has, frame by frame in place.
    fn read(&mut self, local: usize) -> Result<(), String> {
        let member = self.member(local);
        let mut buf = std::mem::take(&mut self.buf);
        let mut have = {
            let pending = &mut self.conns[local].pending;
            buf[..pending.len()].copy_from_slice(pending);
            let n = pending.len();
            pending.clear();
            n
        };
        let result = loop {
            match self.conns[local].stream.read(&mut buf[have..]) {
                Ok(0) => {
                    break Err(format!(
                        "member {member}: the server closed the connection{}",
                        match self.conns[local].state {
                            State::Joined => "",
                            _ => " before the member got into its room",
                        }
                    ));
                }
                Ok(n) => {
                    let short = have + n < buf.len();
                    have += n;
                    let now_ns = self.now_ns();
                    self.shared.last_rx_ns.fetch_max(now_ns, Relaxed);
                    match self.frames(local, &buf[..have], now_ns) {
                        Ok(used) => {
                            buf.copy_within(used..have, 0);
                            have -= used;
                        }
                        Err(e) => break Err(e),
                    }
                    // A short read emptied the socket: bytes arriving later
                    // wake the poll again. (A big room's member gets one
                    // message per wake-up, so this saves a read per delivery
                    // that would only say `WouldBlock`; the server does the
                    // same.)
                    if short {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(format!("member {member}: reading: {e}")),
            }
        };
        let c = &mut self.conns[local];
        c.pending.extend_from_slice(&buf[..have]);
        self.buf = buf;
        result?;
        // Pongs.
        flush(c).map_err(|e| format!("member {member}: writing: {e}"))
    }

    /// Handle the whole frames at the start of `bytes`; returns the bytes
    /// used.
    fn frames(&mut self, local: usize, bytes: &[u8], now_ns: u64) -> Result<usize, String> {
        let member = self.member(local);
        let mut at = 0;
        loop {
            let rest = &bytes[at..];
            let len = match wire::frame_len(rest) {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(e) => return Err(format!("member {member}: the server sent {e}")),
            };
            let Some(frame) = rest.get(..len) else {
                break;
            };
            at += len;
            match frame.get(2) {
                Some(0x45) => self.message(local, frame, now_ns),
                // Joined and Parted: the ramp's notices, and history.
                Some(0x46 | 0x47) => {}
                _ => self.other(local, frame, now_ns)?,
            }
        }
        Ok(at)
    }

    fn message(&mut self, local: usize, frame: &[u8], now_ns: u64) {
        let size = self.spec.size;
        let Some(text) = message_text(frame).filter(|t| is_exact_payload(t, size)) else {
            self.tally.counts.corrupt += 1;
            return;
        };
        let Some((sender, seq, ts)) = parse_head(text) else {
            self.tally.counts.corrupt += 1;
            return;
        };
        let us = (now_ns.saturating_sub(ts) / 1000).min(u64::from(u32::MAX)) as u32;
        self.tally.record(local, sender, seq, us);
    }

    fn other(&mut self, local: usize, frame: &[u8], now_ns: u64) -> Result<(), String> {
        let member = self.member(local);
        let decoded = match wire::decode(frame) {
            Ok(Status::Complete((f, _))) => f,
            Ok(Status::Partial { .. }) | Err(_) => {
                self.tally.counts.corrupt += 1;
                return Ok(());
            }
        };
        let c = &mut self.conns[local];
        match decoded {
            Frame::Names { flags, .. } if flags & FLAG_MORE == 0 && c.state == State::Joining => {
                c.state = State::Joined;
                self.in_handshake -= 1;
                self.shared.joined.fetch_add(1, Relaxed);
                self.shared.last_join_ns.fetch_max(now_ns, Relaxed);
            }
            Frame::Ping { token } => encode(&mut c.output, &Frame::Pong { token }),
            Frame::Gap { missed, .. } if self.traffic => self.tally.counts.gaps += missed,
            Frame::Gap { missed, .. } => self.ramp_gaps += missed,
            Frame::Error { code, subject, .. } if c.state != State::Joined => {
                return Err(format!(
                    "member {member} was refused: {}{}{}",
                    code.describe(),
                    if subject.is_empty() { "" } else { ": " },
                    subject
                ));
            }
            Frame::Error { .. } => self.tally.counts.refused += 1,
            Frame::Bye { code, reason } => {
                let hint = match code {
                    ErrorCode::ServerFull => {
                        " (start the server with a higher --max-members, or ask for fewer members)"
                    }
                    _ => "",
                };
                return Err(format!(
                    "member {member}: the server said goodbye: {} ({reason}){hint}",
                    code.describe()
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// Append an encoded frame. The frames here are built from checked parts
/// (nicknames and rooms the caller checked, texts under the limit), so an
/// encoding error is a bug in this tool; it then sends nothing, and the
/// server's silence shows up as a stall or a loss.
fn encode(out: &mut Vec<u8>, frame: &Frame<'_>) {
    let mut buf = [0u8; MAX_FRAME_LEN];
    if let Ok(n) = frame.encode(&mut buf) {
        out.extend_from_slice(&buf[..n]);
    }
}

fn flush(c: &mut Conn) -> io::Result<()> {
    if c.state == State::Connecting {
        return Ok(());
    }
    let mut done = 0;
    while done < c.output.len() {
        match c.stream.write(&c.output[done..]) {
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    c.output.drain(..done);
    Ok(())
}

fn connect_error(member: usize, addr: SocketAddr, e: &io::Error) -> String {
    // EMFILE and ENFILE (Linux) have no `io::ErrorKind` of their own.
    const TOO_MANY_FILES: [i32; 2] = [24, 23];
    let hint = match e.kind() {
        io::ErrorKind::AddrNotAvailable => {
            " (out of local ports: see /proc/sys/net/ipv4/ip_local_port_range, or wait \
             for the last run's connections to leave TIME_WAIT)"
        }
        io::ErrorKind::ConnectionRefused => {
            " (is the server running, and is its listen queue full?)"
        }
        _ if e
            .raw_os_error()
            .is_some_and(|n| TOO_MANY_FILES.contains(&n)) =>
        {
            " (too many open files: raise the limit)"
        }
        _ => "",
    };
    format!("member {member}: cannot connect to {addr}: {e}{hint}")
}

impl Report {
    /// The figures as a few lines of text.
    pub fn print(&self, spec: &Spec, server: &str) {
        let l = spec.layout;
        let kb = |v: Option<u64>| v.map_or("-".to_owned(), |v| format!("{} kB", thousands(v)));
        let rooms = if l.rooms == 1 {
            format!("1 room of {}", l.members)
        } else {
            format!(
                "{} rooms of {}-{}",
                l.rooms,
                l.members_in(l.rooms - 1),
                l.members_in(0)
            )
        };
        println!(
            "scale: {} members in {rooms}; {server}",
            thousands(l.members as u64)
        );
        let cpu_s = |a: Option<u64>, b: Option<u64>| {
            a.zip(b).map_or("-".to_owned(), |(a, b)| {
                format!("{:.2} s", b.saturating_sub(a) as f64 / 1e6)
            })
        };
        println!(
            "ramp     all in their rooms after {:.2} s ({:.0} joins/s; {}/s offered, at most {} handshakes at once); \
             notices drained at {:.2} s; server CPU {}; gaps {}",
            self.ramp_s,
            l.members as f64 / self.ramp_s.max(1e-9),
            spec.connect_rate,
            spec.handshakes,
            self.settled_s,
            cpu_s(self.before.cpu_us, self.idle.cpu_us),
            self.ramp_gaps,
        );
        let per_member =
            self.before
                .rss_kb
                .zip(self.idle.rss_kb)
                .map_or(String::new(), |(a, b)| {
                    format!(
                        " (before the ramp {}: {:+.1} kB per member)",
                        kb(Some(a)),
                        (b as f64 - a as f64) / l.members as f64
                    )
                });
        println!(
            "idle     server RSS {}{per_member}, peak {}",
            kb(self.idle.rss_kb),
            kb(self.idle.hwm_kb)
        );
        let Some(t) = &self.traffic else {
            return;
        };
        let c = &t.counts;
        println!(
            "traffic  {} senders x {} messages of {} bytes ({}/s each for {:.0} s)",
            l.senders.min(l.members),
            l.messages,
            spec.size,
            spec.rate,
            f64::from(l.messages) / spec.rate
        );
        println!(
            "         expected {}  received {}  lost {}  duplicated {}  out of order {}  corrupt {}  stray {}  gaps {}  refused {}",
            thousands(c.expected),
            thousands(c.delivered),
            thousands(c.lost()),
            c.duplicated,
            c.out_of_order,
            c.corrupt,
            c.stray,
            c.gaps,
            c.refused
        );
        let ms =
            |v: Option<u32>| v.map_or("-".to_owned(), |v| format!("{:.2} ms", f64::from(v) / 1e3));
        println!(
            "         send to receive: p50 {}  p99 {}  max {}",
            ms(t.p50_us),
            ms(t.p99_us),
            ms(t.max_us)
        );
        let per_delivery = match t.server_cpu_us {
            Some(us) if c.delivered > 0 => {
                format!(" ({:.2} µs per delivery)", us as f64 / c.delivered as f64)
            }
            _ => String::new(),
        };
        let s = |v: Option<u64>| v.map_or("-".to_owned(), |us| format!("{:.2} s", us as f64 / 1e6));
        println!(
            "         {} deliveries in {:.2} s; server CPU {}{per_delivery}, RSS {}, peak {}; generator CPU {}",
            thousands(c.delivered),
            t.seconds,
            s(t.server_cpu_us),
            kb(t.after.rss_kb),
            kb(t.after.hwm_kb),
            s(t.generator_cpu_us),
        );
    }

    /// The figures as one JSON object.
    pub fn json(&self, spec: &Spec) -> String {
        let l = spec.layout;
        let opt = |v: Option<u64>| v.map_or("null".to_owned(), |v| v.to_string());
        let mut s = format!(
            "{{\"members\":{},\"rooms\":{},\"senders\":{},\"messages\":{},\"rate\":{},\"size\":{},\
             \"ramp_s\":{:.3},\"settled_s\":{:.3},\"ramp_gaps\":{},\"ramp_server_cpu_us\":{},\
             \"rss_before_kb\":{},\"idle_rss_kb\":{},\"idle_hwm_kb\":{}",
            l.members,
            l.rooms,
            l.senders.min(l.members),
            l.messages,
            spec.rate,
            spec.size,
            self.ramp_s,
            self.settled_s,
            self.ramp_gaps,
            opt(self
                .before
                .cpu_us
                .zip(self.idle.cpu_us)
                .map(|(a, b)| b.saturating_sub(a))),
            opt(self.before.rss_kb),
            opt(self.idle.rss_kb),
            opt(self.idle.hwm_kb),
        );
        if let Some(t) = &self.traffic {
            let c = &t.counts;
            let us = |v: Option<u32>| opt(v.map(u64::from));
            s += &format!(
                ",\"expected\":{},\"received\":{},\"lost\":{},\"duplicated\":{},\"out_of_order\":{},\
                 \"corrupt\":{},\"stray\":{},\"gaps\":{},\"refused\":{},\"p50_us\":{},\"p99_us\":{},\
                 \"max_us\":{},\"traffic_s\":{:.3},\"traffic_server_cpu_us\":{},\"generator_cpu_us\":{},\"rss_kb\":{},\"hwm_kb\":{}",
                c.expected,
                c.delivered,
                c.lost(),
                c.duplicated,
                c.out_of_order,
                c.corrupt,
                c.stray,
                c.gaps,
                c.refused,
                us(t.p50_us),
                us(t.p99_us),
                us(t.max_us),
                t.seconds,
                opt(t.server_cpu_us),
                opt(t.generator_cpu_us),
                opt(t.after.rss_kb),
                opt(t.after.hwm_kb),
            );
        }
        s.push('}');
        s
    }
}

/// `12345678` as `12,345,678`.
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}

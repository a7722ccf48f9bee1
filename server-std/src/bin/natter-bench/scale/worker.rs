//! A worker: one thread's share of the members, in one mio loop.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use natter_core::error::ErrorCode;
use natter_core::wire::{self, FLAG_MORE, Frame, MAX_FRAME_LEN, Status, VERSION};

use crate::load::{is_exact_payload, message_text, parse_head, payload};
use crate::tally::Tally;

use super::{STOP, Shared, Spec, TRAFFIC};

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
pub(super) struct Worker<'a> {
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
    pub(super) fn new(
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

    pub(super) fn run(mut self) -> Result<(Tally, u64), String> {
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
                    key: "",
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

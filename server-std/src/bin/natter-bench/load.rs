//! The load generator: N clients in one mio thread, S of them sending M
//! messages each with at most W in flight, every delivery checked for loss,
//! duplication and order, and its latency measured on one clock.
//!
//! "In flight" for a sender is what it sent that its observer (the next
//! client round the ring) has not received yet: it works the same for
//! natter and for the reference relay, which has no acknowledgements.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream as StdStream};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use natter_core::io::FrameReader;
use natter_core::wire::{FLAG_MORE, Frame, VERSION};
use natter_server::client::Stream;

use crate::ws;

/// Which protocol the server under test speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// natter frames: hello, join, say; deliveries are `Message` frames.
    Natter,
    /// Newline-separated lines (the reference relay).
    Lines,
    /// IRC: NICK, USER, JOIN, then PRIVMSG; deliveries are the PRIVMSG
    /// lines other clients' messages arrive as.
    Irc,
    /// natter frames in WebSocket binary messages, as the browser page
    /// sends them (natter-server's `/ws`, subprotocol `natter`).
    WebSocket,
}

/// What load to offer.
#[derive(Debug, Clone)]
pub struct Spec {
    pub addr: SocketAddr,
    pub proto: Proto,
    pub clients: usize,
    pub senders: usize,
    pub messages: u32,
    pub size: usize,
    pub window: u32,
    /// Messages per second per sender, or as fast as the window allows.
    pub rate: Option<f64>,
    pub timeout: Duration,
    /// The room to load; a fresh one, so no history from earlier runs
    /// counts as deliveries.
    pub room: String,
}

/// What was measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub deliveries: u64,
    pub expected: u64,
    pub seconds: f64,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub gaps: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    /// The server's CPU time over the message phase (joins and leaves
    /// excluded), when the caller could read it.
    pub server_cpu_us: Option<u64>,
}

impl Report {
    pub fn deliveries_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.deliveries as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Fixed-width payload head: sender (5 digits), sequence (10 digits), send
/// time in ns since the start (16 hex digits).
pub const HEAD: usize = 5 + 10 + 16;

struct Client {
    stream: TcpStream,
    /// WebSocket bytes not yet unwrapped into `input`.
    ws_raw: Vec<u8>,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Next sequence number to send.
    sent: u32,
    in_flight: u32,
    next_send: Instant,
}

/// Per (receiver, sender) pair: which sequence numbers arrived.
struct Pair {
    seen: Vec<u64>,
    next: u32,
}

/// Run the load. `server_cpu` reads the server's CPU time in µs; it is read
/// when every client has joined and again when the last delivery is in, so
/// the figure covers the messages alone, as the relay (which has no joins)
/// is measured.
pub fn run(spec: &Spec, server_cpu: impl Fn() -> Option<u64>) -> io::Result<Report> {
    if spec.size < HEAD {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("--size must be at least {HEAD}"),
        ));
    }
    let start = Instant::now();
    let mut clients = Vec::with_capacity(spec.clients);
    for i in 0..spec.clients {
        clients.push(connect(spec, i, start)?);
    }
    let mut poll = Poll::new()?;
    for (i, c) in clients.iter_mut().enumerate() {
        poll.registry().register(
            &mut c.stream,
            Token(i),
            Interest::READABLE | Interest::WRITABLE,
        )?;
    }
    let words = (spec.messages as usize).div_ceil(64);
    let mut pairs: Vec<Pair> = (0..spec.clients * spec.senders)
        .map(|_| Pair {
            seen: vec![0; words],
            next: 0,
        })
        .collect();
    let mut latencies: Vec<u32> = Vec::new();
    let mut report = Report {
        expected: spec.senders as u64 * u64::from(spec.messages) * (spec.clients as u64 - 1),
        ..Report::default()
    };
    let interval = spec.rate.map(|r| Duration::from_secs_f64(1.0 / r));
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 256 * 1024];
    let cpu_before = server_cpu();
    let load_start = Instant::now();
    for (i, c) in clients.iter_mut().enumerate() {
        // At a fixed rate, senders are spread evenly over the interval,
        // as people typing are, rather than all sending at the same instant.
        c.next_send = load_start
            + interval.map_or(Duration::ZERO, |iv| {
                iv.mul_f64(i as f64 / spec.senders as f64)
            });
    }
    let mut last_progress = Instant::now();
    let mut last_delivery = load_start;
    while report.deliveries < report.expected {
        let now = Instant::now();
        if now.duration_since(load_start) > spec.timeout
            || now.duration_since(last_progress) > Duration::from_secs(5)
        {
            break;
        }
        // Queue what each sender may send now, and write.
        for (i, c) in clients.iter_mut().enumerate().take(spec.senders) {
            while c.sent < spec.messages && c.in_flight < spec.window && c.next_send <= now {
                let ts = now.duration_since(start).as_nanos() as u64;
                push_message(&mut c.output, spec, i, c.sent, ts);
                c.sent += 1;
                c.in_flight += 1;
                c.next_send = match interval {
                    Some(iv) => c.next_send + iv,
                    None => now,
                };
            }
            flush(c)?;
        }
        let timeout = match interval {
            Some(_) => clients
                .iter()
                .take(spec.senders)
                .filter(|c| c.sent < spec.messages)
                .map(|c| c.next_send.saturating_duration_since(now))
                .min()
                .unwrap_or(Duration::from_millis(50)),
            None => Duration::from_millis(50),
        };
        poll.poll(&mut events, Some(timeout))?;
        for event in events.iter() {
            let r = event.token().0;
            if event.is_writable() {
                flush(&mut clients[r])?;
            }
            if !event.is_readable() {
                continue;
            }
            loop {
                let n = match clients[r].stream.read(&mut buf) {
                    Ok(0) => {
                        return Err(io::Error::other(format!(
                            "client {r}: the server closed the connection"
                        )));
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                };
                let now_ns = start.elapsed().as_nanos() as u64;
                let mut input = std::mem::take(&mut clients[r].input);
                if spec.proto == Proto::WebSocket {
                    let raw = &mut clients[r].ws_raw;
                    raw.extend_from_slice(&buf[..n]);
                    ws::unwrap_messages(raw, &mut input)?;
                } else {
                    input.extend_from_slice(&buf[..n]);
                }
                let mut gaps = 0;
                let used = for_each_payload(spec.proto, &input, &mut gaps, |payload| {
                    let Some((s, seq, ts)) = parse_head(payload) else {
                        return;
                    };
                    if s >= spec.senders || seq >= spec.messages {
                        return;
                    }
                    let pair = &mut pairs[r * spec.senders + s];
                    let (word, bit) = (seq as usize / 64, 1u64 << (seq % 64));
                    if pair.seen[word] & bit != 0 {
                        report.duplicated += 1;
                        return;
                    }
                    pair.seen[word] |= bit;
                    if seq < pair.next {
                        report.out_of_order += 1;
                    }
                    pair.next = pair.next.max(seq + 1);
                    report.deliveries += 1;
                    latencies.push(now_ns.saturating_sub(ts).min(u64::from(u32::MAX)) as u32);
                    if (s + 1) % spec.clients == r {
                        clients[s].in_flight -= 1;
                    }
                });
                report.gaps += gaps;
                input.drain(..used);
                clients[r].input = input;
                last_progress = Instant::now();
                last_delivery = last_progress;
            }
        }
    }
    report.server_cpu_us = cpu_before
        .zip(server_cpu())
        .map(|(a, b)| b.saturating_sub(a));
    report.seconds = last_delivery.duration_since(load_start).as_secs_f64();
    report.lost = report.expected - report.deliveries;
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() - 1) as f64 * p).round() as usize;
        f64::from(latencies[i]) / 1000.0
    };
    report.p50_us = pct(0.50);
    report.p99_us = pct(0.99);
    report.max_us = pct(1.0);
    Ok(report)
}

fn connect(spec: &Spec, i: usize, start: Instant) -> io::Result<Client> {
    let std = StdStream::connect(spec.addr)?;
    std.set_nodelay(true)?;
    let mut input = Vec::new();
    let mut ws_raw = Vec::new();
    if spec.proto == Proto::WebSocket {
        (input, ws_raw) = ws::join(&std, spec.addr, &format!("b{i}"), &spec.room)
            .map_err(|e| io::Error::other(format!("client {i}: {e}")))?;
    }
    if spec.proto == Proto::Natter {
        // Hello and join with blocking I/O, then hand over to mio whatever
        // arrived after the member list.
        let nick = format!("b{i}");
        let mut stream = Stream(std.try_clone()?);
        let io_err = |e: natter_core::io::IoError<io::Error>| io::Error::other(e.to_string());
        natter_core::io::write_frame(
            &mut stream,
            &Frame::Hello {
                version: VERSION,
                nick: &nick,
                password: "",
            },
        )
        .map_err(io_err)?;
        natter_core::io::write_frame(
            &mut stream,
            &Frame::Join {
                room: &spec.room,
                epoch: 0,
                since: 0,
                key: "",
            },
        )
        .map_err(io_err)?;
        let mut reader = FrameReader::<8192>::new();
        loop {
            match reader.read_frame(&mut stream).map_err(io_err)? {
                Frame::Names { flags, .. } if flags & FLAG_MORE == 0 => break,
                Frame::Error { code, .. } | Frame::Bye { code, .. } => {
                    return Err(io::Error::other(format!(
                        "client {i} refused: {}",
                        code.describe()
                    )));
                }
                _ => {}
            }
        }
        input.extend_from_slice(reader.buffered());
    }
    if spec.proto == Proto::Irc {
        input = irc_register(&std, i, &spec.room)?;
    }
    std.set_nonblocking(true)?;
    Ok(Client {
        stream: TcpStream::from_std(std),
        ws_raw,
        input,
        output: Vec::new(),
        sent: 0,
        in_flight: 0,
        next_send: start,
    })
}

/// Register on an IRC server and join `#room`, with blocking I/O, up to
/// the end of the channel's names; returns what arrived after it.
fn irc_register(std: &StdStream, i: usize, room: &str) -> io::Result<Vec<u8>> {
    let mut s = std.try_clone()?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let nick = format!("b{i}");
    write!(s, "NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n")?;
    let mut input = Vec::new();
    let mut buf = [0u8; 4096];
    let mut joined = false;
    loop {
        while let Some(end) = input.iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&input[..end]).trim_end().to_owned();
            input.drain(..=end);
            let mut words = line.split(' ');
            let first = words.next().unwrap_or("");
            let command = if first.starts_with(':') {
                words.next().unwrap_or("")
            } else {
                first
            };
            match command {
                "PING" => {
                    let token = line.split_once("PING ").map_or("", |(_, t)| t);
                    write!(s, "PONG {token}\r\n")?;
                }
                // The welcome burst is over: join.
                "376" | "422" if !joined => {
                    joined = true;
                    write!(s, "JOIN #{room}\r\n")?;
                }
                "366" if joined => return Ok(input),
                "433" | "432" | "464" | "465" | "471" | "473" | "474" | "475" | "ERROR" => {
                    return Err(io::Error::other(format!("client {i} refused: {line}")));
                }
                _ => {}
            }
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::other(format!(
                "client {i}: the server closed the connection"
            )));
        }
        input.extend_from_slice(&buf[..n]);
    }
}

/// A message's text: the head (sender, sequence, send time), padded with
/// dots to `size` bytes (at least [`HEAD`]).
pub fn payload(sender: usize, seq: u32, ts: u64, size: usize) -> Vec<u8> {
    let mut text = format!("{sender:05}{seq:010}{ts:016x}").into_bytes();
    text.resize(size.max(HEAD), b'.');
    text
}

/// Whether `text` is exactly a text [`payload`] makes at `size` bytes:
/// the head parses, and the padding is all there and untouched.
pub fn is_exact_payload(text: &[u8], size: usize) -> bool {
    text.len() == size.max(HEAD)
        && parse_head(text).is_some()
        && text[HEAD..].iter().all(|&b| b == b'.')
}

fn push_message(out: &mut Vec<u8>, spec: &Spec, sender: usize, seq: u32, ts: u64) {
    let text = payload(sender, seq, ts, spec.size);
    match spec.proto {
        Proto::Lines => {
            out.extend_from_slice(&text);
            out.push(b'\n');
        }
        Proto::Irc => {
            out.extend_from_slice(b"PRIVMSG #");
            out.extend_from_slice(spec.room.as_bytes());
            out.extend_from_slice(b" :");
            out.extend_from_slice(&text);
            out.extend_from_slice(b"\r\n");
        }
        Proto::Natter | Proto::WebSocket => {
            let text = std::str::from_utf8(&text).unwrap_or("");
            let frame = Frame::Say {
                tag: seq,
                room: &spec.room,
                flags: 0,
                text,
            };
            let mut buf = [0u8; natter_core::wire::MAX_FRAME_LEN];
            if let Ok(n) = frame.encode(&mut buf) {
                if spec.proto == Proto::WebSocket {
                    ws::mask_into(out, &buf[..n]);
                } else {
                    out.extend_from_slice(&buf[..n]);
                }
            }
        }
    }
}

fn flush(c: &mut Client) -> io::Result<()> {
    while !c.output.is_empty() {
        match c.stream.write(&c.output) {
            Ok(n) => {
                c.output.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Call `f` with the payload of every whole delivery in `input`; returns
/// the bytes used. For natter, only `Message` frames carry payloads (parsed
/// by hand, at fixed offsets, so the generator is not the bottleneck).
fn for_each_payload(proto: Proto, input: &[u8], gaps: &mut u64, mut f: impl FnMut(&[u8])) -> usize {
    let mut at = 0;
    match proto {
        Proto::Lines => {
            while let Some(end) = input[at..].iter().position(|&b| b == b'\n') {
                f(&input[at..at + end]);
                at += end + 1;
            }
        }
        Proto::Irc => {
            // `:nick!user@host PRIVMSG #room :payload`; pings, notices
            // and the rest carry no payload. (The generator answers no
            // pings: a run is far shorter than any server's ping time.)
            while let Some(end) = input[at..].iter().position(|&b| b == b'\n') {
                let line = &input[at..at + end];
                if let Some(payload) = irc_privmsg_text(line) {
                    f(payload);
                }
                at += end + 1;
            }
        }
        Proto::Natter | Proto::WebSocket => {
            while input.len() - at >= 3 {
                let len = 2 + usize::from(u16::from_be_bytes([input[at], input[at + 1]]));
                if input.len() - at < len {
                    break;
                }
                let frame = &input[at..at + len];
                match frame[2] {
                    0x45 => {
                        if let Some(text) = message_text(frame) {
                            f(text);
                        }
                    }
                    0x4c => *gaps += 1,
                    _ => {}
                }
                at += len;
            }
        }
    }
    at
}

/// The text of an IRC `PRIVMSG` line, without its CR.
fn irc_privmsg_text(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let at = line.windows(9).position(|w| w == b" PRIVMSG ")?;
    let rest = &line[at + 9..];
    let colon = rest.windows(2).position(|w| w == b" :")?;
    Some(&rest[colon + 2..])
}

/// The text of a `Message` frame: room, id, time, from, flags, text.
pub fn message_text(frame: &[u8]) -> Option<&[u8]> {
    let room = usize::from(*frame.get(3)?);
    let from_at = 4 + room + 16;
    let from = usize::from(*frame.get(from_at)?);
    let len_at = from_at + 1 + from + 1;
    let len = usize::from(u16::from_be_bytes([
        *frame.get(len_at)?,
        *frame.get(len_at + 1)?,
    ]));
    frame.get(len_at + 2..len_at + 2 + len)
}

/// The sender, sequence number and send time at the head of a text.
pub fn parse_head(p: &[u8]) -> Option<(usize, u32, u64)> {
    let head = std::str::from_utf8(p.get(..HEAD)?).ok()?;
    let sender = head[..5].parse().ok()?;
    let seq = head[5..15].parse().ok()?;
    let ts = u64::from_str_radix(&head[15..], 16).ok()?;
    Some((sender, seq, ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_through_a_message_frame() {
        let spec = Spec {
            addr: "127.0.0.1:1".parse().unwrap(),
            proto: Proto::Natter,
            clients: 2,
            senders: 1,
            messages: 1,
            size: 64,
            window: 1,
            rate: None,
            timeout: Duration::from_secs(1),
            room: "lobby".into(),
        };
        let mut say = Vec::new();
        push_message(&mut say, &spec, 3, 42, 0xabc);
        let Ok(natter_core::wire::Status::Complete((Frame::Say { text, .. }, _))) =
            natter_core::wire::decode(&say)
        else {
            panic!()
        };
        let message = Frame::Message {
            room: "lobby",
            id: 9,
            time: 1,
            from: "b3",
            flags: 0,
            text,
        };
        let mut buf = [0u8; 256];
        let n = message.encode(&mut buf).unwrap();
        let mut got = Vec::new();
        let mut gaps = 0;
        let used = for_each_payload(Proto::Natter, &buf[..n], &mut gaps, |p| {
            got.push(parse_head(p))
        });
        assert_eq!(used, n);
        assert_eq!(got, [Some((3, 42, 0xabc))]);
    }

    #[test]
    fn only_an_untouched_payload_is_exact() {
        let text = payload(7, 9, 0x1234, 64);
        assert_eq!(parse_head(&text), Some((7, 9, 0x1234)));
        assert!(is_exact_payload(&text, 64));
        assert!(!is_exact_payload(&text[..63], 64));
        assert!(!is_exact_payload(&text, 65));
        let mut bent = text.clone();
        bent[40] = b'x';
        assert!(!is_exact_payload(&bent, 64));
        bent = text;
        bent[0] = b'x';
        assert!(!is_exact_payload(&bent, 64));
    }
}

//! Fuzz target `web`: a browser's bytes as natter-server reads them, through
//! its HTTP request parsing and its WebSocket framing
//! (`natter_server::web`).
//!
//! Input: byte 0 chooses how reads are cut (`b % 61 + 1` bytes from the
//! socket, `b / 61 % 4` picks the reader's buffer: 1, 7, 100 or 4096
//! bytes) and, in bit 7, whether the bytes after a request that is not an
//! upgrade are read as a WebSocket anyway (so the framing is fuzzed
//! directly, as natter frames or IRC lines by bit 6). The rest is what the
//! client sends.
//!
//! Checked: nothing panics; a request answered from a prefix of the bytes
//! (as the server answers once a head is whole) is answered the same from
//! all of them; every response head is ASCII, starts with `HTTP/1.1 ` and
//! ends its head; a head of `MAX_HEAD` bytes or more is never left waiting;
//! a WebSocket read in small pieces gives exactly what it gives read at
//! once — the same bytes for the hub, the same end (error or close) and
//! the same frames sent back (pongs, close); it never gives more bytes
//! than it received; what it sends parses as unmasked server frames with
//! FIN set, a close last if at all.
//!
//! This file is not part of `natter_fuzz`'s lib (which the core's tests
//! include, and the core cannot depend on the server): the target and
//! `server-std/tests/fuzz_web.rs` include it by path.

use std::io::{self, Read, Write};

use natter_server::web::http::{self, Answer, MAX_HEAD, Origins};
use natter_server::web::stream::{Carried, WsStream};

/// What the seeds reached, for the replay test.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub files: usize,
    pub upgrades: usize,
    pub refusals: usize,
    pub partial: usize,
    /// Bytes a WebSocket gave the hub.
    pub ws_bytes: usize,
    /// WebSockets ended by a protocol error, by a close, or still open.
    pub ws_refused: usize,
    pub ws_closed: usize,
    pub ws_open: usize,
    /// Pongs and closes sent.
    pub replies: usize,
}

/// Pages from 127.0.0.1:5555 only.
struct Local;

impl Origins for Local {
    fn allowed(&self, origin: &str) -> bool {
        origin == "http://127.0.0.1:5555"
    }
}

pub fn check(data: &[u8]) -> Stats {
    let mut stats = Stats::default();
    let Some((&how, input)) = data.split_first() else {
        return stats;
    };
    let cut = usize::from(how % 61) + 1;
    let buf_len = [1, 7, 100, 4096][usize::from(how / 61 % 4)];
    let whole = http::answer(input, &Local);
    check_head(&whole);
    // As the server reads: the head grows until it is answered.
    let mut answered = None;
    for end in (cut.min(input.len())..=input.len()).step_by(cut) {
        let a = http::answer(&input[..end], &Local);
        if a != Answer::Partial {
            answered = Some(a);
            break;
        }
    }
    match (&answered, &whole) {
        (Some(a), _) => assert_eq!(a, &whole, "a prefix answered differently"),
        (None, Answer::Partial) => {}
        // The last step may stop short of the end; then the whole decides.
        (None, _) => {}
    }
    if whole == Answer::Partial {
        assert!(input.len() < MAX_HEAD, "a huge head left waiting");
    }
    let ws = match whole {
        Answer::Partial => {
            stats.partial += 1;
            None
        }
        Answer::File { used, .. } => {
            stats.files += 1;
            assert!(used <= input.len());
            (how & 0x80 != 0).then_some(used)
        }
        Answer::Refuse(..) => {
            stats.refusals += 1;
            (how & 0x80 != 0).then_some(0)
        }
        Answer::Upgrade { used, carried, .. } => {
            stats.upgrades += 1;
            let rest = &input[used..];
            websocket(rest, carried, cut, buf_len, &mut stats);
            None
        }
    };
    if let Some(from) = ws {
        let carried = if how & 0x40 != 0 {
            Carried::Irc { text: how & 1 == 0 }
        } else {
            Carried::Natter
        };
        websocket(&input[from..], carried, cut, buf_len, &mut stats);
    }
    stats
}

fn check_head(answer: &Answer) {
    let head = http::response_head(answer);
    if *answer == Answer::Partial {
        assert!(head.is_empty());
        return;
    }
    assert!(head.is_ascii(), "{head:?}");
    assert!(head.starts_with("HTTP/1.1 "), "{head:?}");
    assert!(head.contains("\r\n\r\n"), "{head:?}");
}

/// How a WebSocket's reading ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// A protocol error (its message).
    Refused(String),
    /// The client closed (or the bytes ran out after a close).
    Closed,
    /// The bytes ran out; still open.
    Open,
}

/// An in-memory socket giving `input` in reads of `cut` bytes.
struct Pipe<'a> {
    input: &'a [u8],
    cut: usize,
    sent: Vec<u8>,
}

impl Read for Pipe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.input.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.cut).min(self.input.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }
}

impl Write for Pipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sent.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Read `input` as a WebSocket carrying `carried`: what the hub gets, how
/// it ends, what was sent back.
fn read_ws(input: &[u8], carried: Carried, cut: usize, buf_len: usize) -> (Vec<u8>, End, Vec<u8>) {
    let pipe = Pipe {
        input,
        cut,
        sent: Vec::new(),
    };
    let mut ws = WsStream::new(pipe, carried, &[]);
    let mut got = Vec::new();
    let mut buf = vec![0u8; buf_len];
    let end = loop {
        match ws.read(&mut buf) {
            Ok(0) => break End::Closed,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break End::Open,
            Err(e) => break End::Refused(e.to_string()),
        }
    };
    let sent = std::mem::take(&mut ws.get_mut().sent);
    (got, end, sent)
}

fn websocket(input: &[u8], carried: Carried, cut: usize, buf_len: usize, stats: &mut Stats) {
    let at_once = read_ws(input, carried, usize::MAX, 1 << 16);
    let in_pieces = read_ws(input, carried, cut, buf_len);
    assert_eq!(at_once, in_pieces, "read in pieces, a WebSocket differs");
    let (got, end, sent) = at_once;
    if carried == Carried::Natter {
        assert!(got.len() <= input.len(), "more bytes out than in");
    }
    let replies = server_frames(&sent);
    stats.replies += replies;
    stats.ws_bytes += got.len();
    match end {
        End::Refused(_) => stats.ws_refused += 1,
        End::Closed => stats.ws_closed += 1,
        End::Open => stats.ws_open += 1,
    }
}

/// Parse what the server sent as its frames: unmasked, FIN set, a close
/// last if any. Returns how many.
fn server_frames(mut sent: &[u8]) -> usize {
    let mut count = 0;
    let mut closed = false;
    while !sent.is_empty() {
        assert!(!closed, "a frame after the close");
        let [b0, b1, ..] = *sent else {
            panic!("a cut frame: {sent:?}");
        };
        assert_eq!(b0 & 0xf0, 0x80, "FIN and no reserved bits");
        assert_eq!(b1 & 0x80, 0, "server frames are not masked");
        let len = usize::from(b1 & 0x7f);
        assert!(len <= 125, "control frames only here");
        let opcode = b0 & 0x0f;
        assert!(
            opcode == 0x8 || opcode == 0xa,
            "a pong or a close: {opcode}"
        );
        closed = opcode == 0x8;
        if closed {
            assert!(len >= 2, "a close with its code");
        }
        assert!(sent.len() >= 2 + len, "a cut frame");
        sent = &sent[2 + len..];
        count += 1;
    }
    count
}

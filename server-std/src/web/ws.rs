//! WebSocket framing (RFC 6455 §5), sans I/O: the frames a client sends,
//! taken apart from a byte buffer, and the headers of the frames the server
//! sends. [`super::stream::WsStream`] puts it on a socket.
//!
//! What a server must refuse, it refuses with the close code RFC 6455 §7.4.1
//! names: an unmasked client frame, reserved bits or opcodes, a fragmented
//! or oversized control frame, a continuation with no message to continue
//! or a new message inside one (1002), a message larger than the limit
//! (1009), a text message that is not UTF-8 (1007).

use std::fmt;

/// Opcodes (RFC 6455 §5.2).
pub const CONTINUATION: u8 = 0x0;
pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xa;

/// The longest payload of a control frame.
pub const MAX_CONTROL: usize = 125;
/// The longest frame header: 2 bytes, 8 of extended length, 4 of mask.
pub const MAX_HEADER: usize = 14;

/// Close codes (RFC 6455 §7.4.1) the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// 1000: done.
    Normal,
    /// 1001: the server is going away (shutting down).
    GoingAway,
    /// 1002: the frames broke the protocol.
    Protocol,
    /// 1003: a kind of message this subprotocol does not carry.
    Unsupported,
    /// 1007: a text message that is not UTF-8.
    NotUtf8,
    /// 1008: the server's rules were broken (the hub closed it).
    Policy,
    /// 1009: a message over the limit.
    TooBig,
}

impl CloseCode {
    /// The number on the wire.
    pub fn code(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::Protocol => 1002,
            CloseCode::Unsupported => 1003,
            CloseCode::NotUtf8 => 1007,
            CloseCode::Policy => 1008,
            CloseCode::TooBig => 1009,
        }
    }
}

/// Why a client's frames were refused: the close code to send, and a reason
/// for the log and the close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: CloseCode,
    pub reason: &'static str,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebSocket {}: {}", self.code.code(), self.reason)
    }
}

impl std::error::Error for Refusal {}

fn refuse(code: CloseCode, reason: &'static str) -> Refusal {
    Refusal { code, reason }
}

/// One step of decoding.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// More bytes are needed.
    NeedMore,
    /// Payload of the message in progress, unmasked, at this range of the
    /// buffer; `last` when it ends the message. `text` says which kind of
    /// message it belongs to.
    Data {
        range: std::ops::Range<usize>,
        text: bool,
        last: bool,
    },
    /// A ping: answer with a pong carrying this payload (range).
    Ping(std::ops::Range<usize>),
    /// A pong: nothing to do.
    Pong,
    /// The client closes, with this code (if it gave one).
    Close(Option<u16>),
}

/// The frame being read: its header is taken, its payload comes.
#[derive(Debug, Clone, Copy)]
struct InFrame {
    /// Payload bytes still to come.
    remaining: u64,
    mask: [u8; 4],
    /// Position in the mask of the next payload byte.
    mask_at: usize,
    last: bool,
}

/// Takes a client's frames apart, checking every rule a server must.
#[derive(Debug)]
pub struct Decoder {
    max_message: usize,
    /// The data frame whose payload is being read.
    frame: Option<InFrame>,
    /// A message is in progress (`Some(text)`), between its first frame and
    /// the one with FIN.
    message: Option<bool>,
    /// Payload bytes of the message in progress so far.
    message_len: usize,
}

impl Decoder {
    /// A decoder refusing messages longer than `max_message` bytes.
    pub fn new(max_message: usize) -> Decoder {
        Decoder {
            max_message,
            frame: None,
            message: None,
            message_len: 0,
        }
    }

    /// Decode the next step from `buf` (the bytes received and not yet
    /// consumed), unmasking payload in place. Returns how many bytes of
    /// `buf` the step consumed, and the step.
    ///
    /// # Errors
    /// A [`Refusal`] when the client broke the protocol: close with its
    /// code, read nothing more.
    pub fn decode(&mut self, buf: &mut [u8]) -> Result<(usize, Step), Refusal> {
        if let Some(frame) = &mut self.frame {
            let take = usize::try_from(frame.remaining)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            if take == 0 && frame.remaining > 0 {
                return Ok((0, Step::NeedMore));
            }
            for byte in &mut buf[..take] {
                *byte ^= frame.mask[frame.mask_at % 4];
                frame.mask_at += 1;
            }
            frame.remaining -= take as u64;
            let done = frame.remaining == 0;
            let last = done && frame.last;
            let text = self.message == Some(true);
            if done {
                self.frame = None;
            }
            if last {
                self.message = None;
                self.message_len = 0;
            }
            return Ok((
                take,
                Step::Data {
                    range: 0..take,
                    text,
                    last,
                },
            ));
        }
        let Some(head) = parse_header(buf)? else {
            return Ok((0, Step::NeedMore));
        };
        match head.opcode {
            CONTINUATION | TEXT | BINARY => {
                let text = match (head.opcode, self.message) {
                    (CONTINUATION, Some(text)) => text,
                    (CONTINUATION, None) => {
                        return Err(refuse(CloseCode::Protocol, "continuation of no message"));
                    }
                    (_, Some(_)) => {
                        return Err(refuse(
                            CloseCode::Protocol,
                            "a new message before the last one ended",
                        ));
                    }
                    (op, None) => op == TEXT,
                };
                let total = (self.message_len as u64).saturating_add(head.len);
                if total > self.max_message as u64 {
                    return Err(refuse(CloseCode::TooBig, "message too big"));
                }
                self.message_len = total as usize;
                self.message = Some(text);
                self.frame = Some(InFrame {
                    remaining: head.len,
                    mask: head.mask,
                    mask_at: 0,
                    last: head.fin,
                });
                if head.len == 0 {
                    // An empty frame: its step is an empty payload now.
                    let (_, step) = self.decode(&mut [])?;
                    return Ok((head.header_len, step));
                }
                Ok((
                    head.header_len,
                    Step::Data {
                        range: 0..0,
                        text,
                        last: false,
                    },
                ))
            }
            CLOSE | PING | PONG => {
                let len = head.len as usize; // at most 125: checked
                let end = head.header_len + len;
                if buf.len() < end {
                    return Ok((0, Step::NeedMore));
                }
                let payload = &mut buf[head.header_len..end];
                for (i, byte) in payload.iter_mut().enumerate() {
                    *byte ^= head.mask[i % 4];
                }
                let step = match head.opcode {
                    PING => Step::Ping(head.header_len..end),
                    PONG => Step::Pong,
                    _ => match payload {
                        [] => Step::Close(None),
                        [_] => return Err(refuse(CloseCode::Protocol, "a one-byte close")),
                        [hi, lo, reason @ ..] => {
                            if std::str::from_utf8(reason).is_err() {
                                return Err(refuse(CloseCode::NotUtf8, "close reason not UTF-8"));
                            }
                            Step::Close(Some(u16::from_be_bytes([*hi, *lo])))
                        }
                    },
                };
                Ok((end, step))
            }
            _ => Err(refuse(CloseCode::Protocol, "reserved opcode")),
        }
    }
}

/// A client frame's header.
struct Header {
    fin: bool,
    opcode: u8,
    len: u64,
    mask: [u8; 4],
    header_len: usize,
}

/// The header at the start of `buf`, `None` until all of it has arrived.
fn parse_header(buf: &[u8]) -> Result<Option<Header>, Refusal> {
    let [b0, b1, ..] = *buf else {
        return Ok(None);
    };
    let fin = b0 & 0x80 != 0;
    if b0 & 0x70 != 0 {
        return Err(refuse(CloseCode::Protocol, "reserved bits set"));
    }
    let opcode = b0 & 0x0f;
    if b1 & 0x80 == 0 {
        return Err(refuse(CloseCode::Protocol, "a client frame must be masked"));
    }
    let (len, at) = match b1 & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut be = [0u8; 8];
                be.copy_from_slice(b);
                let len = u64::from_be_bytes(be);
                if len >> 63 != 0 {
                    return Err(refuse(CloseCode::Protocol, "length's top bit set"));
                }
                (len, 10)
            }
            None => return Ok(None),
        },
        short => (u64::from(short), 2),
    };
    if opcode >= CLOSE && (!fin || len > MAX_CONTROL as u64) {
        return Err(refuse(
            CloseCode::Protocol,
            "a control frame fragmented or over 125 bytes",
        ));
    }
    let Some(m) = buf.get(at..at + 4) else {
        return Ok(None);
    };
    Ok(Some(Header {
        fin,
        opcode,
        len,
        mask: [m[0], m[1], m[2], m[3]],
        header_len: at + 4,
    }))
}

/// Write the header of an unmasked server frame (FIN set) into `out`;
/// returns its length.
pub fn server_header(opcode: u8, len: usize, out: &mut [u8; MAX_HEADER]) -> usize {
    out[0] = 0x80 | opcode;
    if len < 126 {
        out[1] = len as u8;
        2
    } else if let Ok(short) = u16::try_from(len) {
        out[1] = 126;
        out[2..4].copy_from_slice(&short.to_be_bytes());
        4
    } else {
        out[1] = 127;
        out[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    }
}

/// Append a client's frame, masked as a browser masks it (with a fixed
/// mask: the server takes any). natter-server never sends one; the load
/// generator, the tests and the fuzz seeds do.
pub fn client_frame(out: &mut Vec<u8>, fin: bool, opcode: u8, payload: &[u8]) {
    const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
    out.push(u8::from(fin) << 7 | opcode);
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n if n <= 0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
}

/// The `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`
/// (RFC 6455 §4.2.2).
pub fn accept_key(key: &str) -> String {
    use base64::Engine;
    let mut sha = sha1_smol::Sha1::new();
    sha.update(key.trim().as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.digest().bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        client_frame(&mut out, fin, opcode, payload);
        out
    }

    /// Everything `bytes` decodes to: data as (text, bytes, last) pieces
    /// merged per message, or the refusal.
    fn decode_all(max: usize, mut bytes: Vec<u8>) -> Result<Vec<(Vec<u8>, bool)>, Refusal> {
        let mut d = Decoder::new(max);
        let mut at = 0;
        let mut messages = Vec::new();
        let mut current = Vec::new();
        loop {
            let (n, step) = d.decode(&mut bytes[at..])?;
            match step {
                Step::NeedMore => return Ok(messages),
                Step::Data { range, text, last } => {
                    current.extend_from_slice(&bytes[at + range.start..at + range.end]);
                    if last {
                        messages.push((std::mem::take(&mut current), text));
                    }
                }
                Step::Ping(_) | Step::Pong | Step::Close(_) => {}
            }
            at += n;
        }
    }

    #[test]
    fn the_rfc_accept_key() {
        // RFC 6455 §1.3's example.
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn fragments_make_one_message() {
        let mut bytes = frame(false, TEXT, b"Hel");
        bytes.extend(frame(true, PING, b"p"));
        bytes.extend(frame(true, CONTINUATION, b"lo"));
        bytes.extend(frame(true, BINARY, &[0u8; 300]));
        bytes.extend(frame(true, BINARY, &[7u8; 70_000]));
        let got = decode_all(100_000, bytes).unwrap();
        assert_eq!(got[0], (b"Hello".to_vec(), true));
        assert_eq!(got[1], (vec![0u8; 300], false));
        assert_eq!(got[2], (vec![7u8; 70_000], false));
    }

    #[test]
    fn byte_by_byte_is_the_same() {
        let mut bytes = frame(false, BINARY, b"abc");
        bytes.extend(frame(true, CONTINUATION, b"def"));
        let mut d = Decoder::new(100);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        for b in bytes {
            buf.push(b);
            loop {
                let (n, step) = d.decode(&mut buf).unwrap();
                if let Step::Data { range, .. } = &step {
                    out.extend_from_slice(&buf[range.clone()]);
                }
                buf.drain(..n);
                if n == 0 {
                    break;
                }
            }
        }
        assert_eq!(out, b"abcdef");
    }

    #[test]
    fn broken_frames_get_their_close_codes() {
        let code = |bytes: Vec<u8>| decode_all(1000, bytes).unwrap_err().code;
        let mut unmasked = frame(true, BINARY, b"x");
        unmasked[1] &= 0x7f;
        assert_eq!(code(unmasked), CloseCode::Protocol);
        assert_eq!(code(frame(true, 0x3, b"")), CloseCode::Protocol);
        assert_eq!(code(frame(true, CONTINUATION, b"x")), CloseCode::Protocol);
        assert_eq!(code(frame(false, PING, b"x")), CloseCode::Protocol);
        assert_eq!(code(frame(true, PING, &[0; 126])), CloseCode::Protocol);
        let mut rsv = frame(true, BINARY, b"x");
        rsv[0] |= 0x40;
        assert_eq!(code(rsv), CloseCode::Protocol);
        let mut two = frame(false, TEXT, b"a");
        two.extend(frame(true, TEXT, b"b"));
        assert_eq!(code(two), CloseCode::Protocol);
        assert_eq!(code(frame(true, BINARY, &[0; 1001])), CloseCode::TooBig);
        let mut split = frame(false, BINARY, &[0; 600]);
        split.extend(frame(true, CONTINUATION, &[0; 600]));
        assert_eq!(code(split), CloseCode::TooBig);
        assert_eq!(code(frame(true, CLOSE, &[3])), CloseCode::Protocol);
    }

    #[test]
    fn close_and_ping_are_read() {
        let mut d = Decoder::new(10);
        let mut ping = frame(true, PING, b"hi");
        let (n, step) = d.decode(&mut ping).unwrap();
        assert_eq!(n, ping.len());
        let Step::Ping(r) = step else {
            panic!("{step:?}")
        };
        assert_eq!(&ping[r], b"hi");
        let mut close = frame(true, CLOSE, &[0x03, 0xe8, b'o', b'k']);
        assert_eq!(d.decode(&mut close).unwrap().1, Step::Close(Some(1000)));
    }

    #[test]
    fn server_headers() {
        let mut h = [0u8; MAX_HEADER];
        let n = server_header(BINARY, 5, &mut h);
        assert_eq!(&h[..n], &[0x82, 5]);
        let n = server_header(TEXT, 300, &mut h);
        assert_eq!(&h[..n], &[0x81, 126, 1, 44]);
        let n = server_header(BINARY, 70_000, &mut h);
        assert_eq!(&h[..n], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    }
}

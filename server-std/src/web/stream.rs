//! A WebSocket connection as a byte stream, so the event loop reads and
//! writes a browser exactly as it does a TCP client: the same hub, the same
//! flow control, the same IRC bridge.
//!
//! * **natter** (subprotocol `natter`): binary messages carry natter's
//!   frames. Reading gives their payloads as one byte stream; each `write`
//!   becomes one binary message (the loop writes whole frames).
//! * **IRC** (`text.ircv3.net`, `binary.ircv3.net`): each message is one
//!   IRC line without its CR LF (IRCv3's WebSocket specification). Reading
//!   gives the lines with CR LF; writing sends each line as a message.
//!
//! Output the socket did not take waits here (one `write`'s worth at most):
//! `write` refuses more with `WouldBlock` until it is gone, so the loop
//! sees a slow browser as it sees a full socket and the hub's gap and
//! stall rules apply unchanged.

use std::io::{self, IoSlice, Read, Write};

use super::ws::{self, CloseCode, Decoder, MAX_HEADER, Refusal, Step};

/// What the messages carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// natter frames in binary messages.
    Natter,
    /// IRC lines, one per message: in text messages (`text.ircv3.net`) or
    /// binary ones (`binary.ircv3.net`).
    Irc { text: bool },
}

/// The largest natter message a client may send (its frames are at most
/// 1 KiB each; a client may batch some).
pub const MAX_NATTER_MESSAGE: usize = 64 * 1024;
/// The largest IRC message: a line with IRCv3 tags (8191 + 512 bytes).
pub const MAX_IRC_MESSAGE: usize = 8704;
/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 4 * 1024;
/// Decoded input kept ahead of the reader at most.
const INBOX: usize = 4 * 1024;

/// A WebSocket over `S` (a `mio` TCP stream in the server).
#[derive(Debug)]
pub struct WsStream<S> {
    inner: S,
    carried: Carried,
    decoder: Decoder,
    /// Bytes received, not yet decoded: `raw[raw_at..]`.
    raw: Vec<u8>,
    raw_at: usize,
    /// Decoded input for the reader: `inbox[inbox_at..]`.
    inbox: Vec<u8>,
    inbox_at: usize,
    /// The IRC line being received (messages may come in fragments).
    line: Vec<u8>,
    /// The start of an IRC line being written (a write may end mid-line).
    out_line: Vec<u8>,
    /// Frames made, not yet taken by the socket: `out[out_at..]`.
    out: Vec<u8>,
    out_at: usize,
    /// The socket's end was read, or a close frame.
    eof: bool,
    /// Our close frame is queued: nothing more is sent.
    closing: bool,
    /// The client broke the protocol: the error for the reader once it has
    /// what came before.
    failed: Option<io::Error>,
}

impl<S: Read + Write> WsStream<S> {
    /// A WebSocket on `inner`, whose handshake is done; `early` holds bytes
    /// the client sent right after its request.
    pub fn new(inner: S, carried: Carried, early: &[u8]) -> WsStream<S> {
        let max = match carried {
            Carried::Natter => MAX_NATTER_MESSAGE,
            Carried::Irc { .. } => MAX_IRC_MESSAGE,
        };
        WsStream {
            inner,
            carried,
            decoder: Decoder::new(max),
            raw: early.to_vec(),
            raw_at: 0,
            inbox: Vec::new(),
            inbox_at: 0,
            line: Vec::new(),
            out_line: Vec::new(),
            out: Vec::new(),
            out_at: 0,
            eof: false,
            closing: false,
            failed: None,
        }
    }

    /// The socket underneath.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The socket underneath, to register it with the poll.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// What the messages carry.
    pub fn carried(&self) -> Carried {
        self.carried
    }

    /// Output is waiting for the socket.
    pub fn has_pending(&self) -> bool {
        self.out_at < self.out.len()
    }

    /// Write what waits; `Ok(true)` when all of it is gone.
    ///
    /// # Errors
    /// The socket's error (not `WouldBlock`: that is `Ok(false)`).
    pub fn send_pending(&mut self) -> io::Result<bool> {
        while self.out_at < self.out.len() {
            match self.inner.write(&self.out[self.out_at..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.out_at += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.clear();
        self.out_at = 0;
        if self.out.capacity() > READ_CHUNK {
            // A burst's buffer is not kept for an idle connection.
            self.out = Vec::new();
        }
        Ok(true)
    }

    /// Queue a close frame with `code` and try to send it. Nothing is sent
    /// after it.
    pub fn close(&mut self, code: CloseCode, reason: &str) {
        if self.closing {
            return;
        }
        let mut payload = code.code().to_be_bytes().to_vec();
        let reason = reason.as_bytes();
        payload.extend_from_slice(&reason[..reason.len().min(ws::MAX_CONTROL - 2)]);
        if std::str::from_utf8(&payload[2..]).is_err() {
            payload.truncate(2);
        }
        self.frame(ws::CLOSE, &[&payload]);
        self.closing = true;
        let _ = self.send_pending();
    }

    /// Append one server frame to the output.
    fn frame(&mut self, opcode: u8, parts: &[&[u8]]) {
        if self.closing {
            return;
        }
        let len = parts.iter().map(|p| p.len()).sum();
        let mut head = [0u8; MAX_HEADER];
        let n = ws::server_header(opcode, len, &mut head);
        self.out.extend_from_slice(&head[..n]);
        for part in parts {
            self.out.extend_from_slice(part);
        }
    }

    /// One binary message of `bufs` (`len` bytes), written straight from
    /// them with its header in one vectored write, as a TCP client's frames
    /// are; only what the socket does not take is copied, to wait.
    fn write_message(&mut self, bufs: &[IoSlice<'_>], len: usize) -> io::Result<usize> {
        let mut head = [0u8; MAX_HEADER];
        let head_len = ws::server_header(ws::BINARY, len, &mut head);
        let mut iov = Vec::with_capacity(bufs.len() + 1);
        iov.push(IoSlice::new(&head[..head_len]));
        iov.extend(bufs.iter().map(|b| IoSlice::new(b)));
        let written = loop {
            match self.inner.write_vectored(&iov) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break 0,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        // Keep the rest, from wherever the socket stopped.
        let mut skip = written;
        for piece in std::iter::once(&head[..head_len]).chain(bufs.iter().map(|b| &**b)) {
            if skip >= piece.len() {
                skip -= piece.len();
                continue;
            }
            self.out.extend_from_slice(&piece[skip..]);
            skip = 0;
        }
        Ok(len)
    }

    /// Decode what was received into the inbox, until it is full or
    /// nothing whole is left; `Ok(true)` if anything happened.
    fn decode(&mut self) -> io::Result<bool> {
        let mut progress = false;
        while self.inbox.len() - self.inbox_at < INBOX && !self.eof {
            let (n, step) = match self.decoder.decode(&mut self.raw[self.raw_at..]) {
                Ok(step) => step,
                Err(refusal) => return Err(self.refused(refusal)),
            };
            let at = self.raw_at;
            self.raw_at += n;
            match step {
                Step::NeedMore => break,
                Step::Data { range, text, last } => {
                    let data = at + range.start..at + range.end;
                    self.take_data(data, text, last)?;
                }
                Step::Ping(range) => {
                    let payload = self.raw[at + range.start..at + range.end].to_vec();
                    self.frame(ws::PONG, &[&payload]);
                    self.send_pending()?;
                }
                Step::Pong => {}
                Step::Close(code) => {
                    // Answer with the same code (RFC 6455 §5.5.1), then end.
                    let answer = match code {
                        Some(1000) | None => CloseCode::Normal,
                        Some(_) => CloseCode::GoingAway,
                    };
                    self.close(answer, "");
                    self.eof = true;
                }
            }
            progress = true;
        }
        if self.raw_at == self.raw.len() {
            self.raw.clear();
            self.raw_at = 0;
        }
        Ok(progress)
    }

    /// A piece of a data message's payload, at `range` of `raw`.
    fn take_data(
        &mut self,
        range: std::ops::Range<usize>,
        text: bool,
        last: bool,
    ) -> io::Result<()> {
        if self.inbox_at == self.inbox.len() {
            self.inbox.clear();
            self.inbox_at = 0;
        }
        match self.carried {
            Carried::Natter if text => Err(self.refused(Refusal {
                code: CloseCode::Unsupported,
                reason: "natter frames come in binary messages",
            })),
            Carried::Natter => {
                self.inbox.extend_from_slice(&self.raw[range]);
                Ok(())
            }
            Carried::Irc { .. } => {
                self.line.extend_from_slice(&self.raw[range]);
                if !last {
                    return Ok(());
                }
                if text && std::str::from_utf8(&self.line).is_err() {
                    return Err(self.refused(Refusal {
                        code: CloseCode::NotUtf8,
                        reason: "a text message must be UTF-8",
                    }));
                }
                // A line's own CR LF (some clients send it) is not doubled.
                while matches!(self.line.last(), Some(b'\r' | b'\n')) {
                    self.line.pop();
                }
                self.inbox.extend_from_slice(&self.line);
                self.inbox.extend_from_slice(b"\r\n");
                self.line.clear();
                Ok(())
            }
        }
    }

    /// Close with the refusal's code; the error for the caller.
    fn refused(&mut self, refusal: Refusal) -> io::Error {
        self.close(refusal.code, refusal.reason);
        self.eof = true;
        io::Error::new(io::ErrorKind::InvalidData, refusal)
    }
}

impl<S: Read + Write> Read for WsStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut given = 0;
        loop {
            let ready = &self.inbox[self.inbox_at..];
            let n = ready.len().min(buf.len() - given);
            buf[given..given + n].copy_from_slice(&ready[..n]);
            self.inbox_at += n;
            given += n;
            if given == buf.len() {
                return Ok(given);
            }
            if let Some(e) = self.failed.take() {
                // What came before the bad frame is delivered first.
                if given > 0 {
                    self.failed = Some(e);
                    return Ok(given);
                }
                return Err(e);
            }
            match self.decode() {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    self.failed = Some(e);
                    continue;
                }
            }
            if self.eof {
                return Ok(given);
            }
            // Nothing whole is buffered: read more from the socket.
            if self.raw_at > 0 {
                self.raw.drain(..self.raw_at);
                self.raw_at = 0;
            }
            let had = self.raw.len();
            self.raw.resize(had + READ_CHUNK, 0);
            let read = self.inner.read(&mut self.raw[had..]);
            let got = *read.as_ref().unwrap_or(&0);
            self.raw.truncate(had + got);
            match read {
                Ok(0) => {
                    self.eof = true;
                    return Ok(given);
                }
                Ok(_) => {}
                Err(e) if given > 0 && e.kind() == io::ErrorKind::WouldBlock => return Ok(given),
                Err(e) => return Err(e),
            }
        }
    }
}

impl<S: Read + Write> Write for WsStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    /// All of `bufs` as one message (natter) or one message per line (IRC),
    /// or `WouldBlock` while earlier output waits.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if !self.send_pending()? {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if self.closing {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let len = bufs.iter().map(|b| b.len()).sum();
        if len == 0 {
            return Ok(0);
        }
        match self.carried {
            Carried::Natter => return self.write_message(bufs, len),
            Carried::Irc { text } => {
                let opcode = if text { ws::TEXT } else { ws::BINARY };
                for buf in bufs {
                    self.out_line.extend_from_slice(buf);
                }
                let mut start = 0;
                let line = std::mem::take(&mut self.out_line);
                while let Some(end) = line[start..].iter().position(|&b| b == b'\n') {
                    let mut l = &line[start..start + end];
                    if let [rest @ .., b'\r'] = l {
                        l = rest;
                    }
                    if text && std::str::from_utf8(l).is_err() {
                        let lossy = String::from_utf8_lossy(l).into_owned();
                        self.frame(opcode, &[lossy.as_bytes()]);
                    } else {
                        self.frame(opcode, &[l]);
                    }
                    start += end + 1;
                }
                self.out_line = line[start..].to_vec();
            }
        }
        // What the socket does not take now waits for its next "writable".
        self.send_pending()?;
        Ok(len)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_pending().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory socket: what the client sent, what the server wrote,
    /// and how much it takes per write before "would block".
    struct Pipe {
        input: Vec<u8>,
        at: usize,
        output: Vec<u8>,
        room: usize,
    }

    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.input.len() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.input.len() - self.at);
            buf[..n].copy_from_slice(&self.input[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            self.output.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn masked(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [1, 2, 3, 4];
        let mut out = vec![0x80 | opcode, 0x80 | payload.len() as u8];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    fn pipe(input: Vec<u8>, room: usize) -> Pipe {
        Pipe {
            input,
            at: 0,
            output: Vec::new(),
            room,
        }
    }

    #[test]
    fn irc_lines_in_and_out() {
        let mut input = masked(ws::TEXT, b"NICK ann");
        input.extend(masked(ws::TEXT, b"USER a 0 * :Ann\r\n"));
        let mut s = WsStream::new(pipe(input, 1 << 20), Carried::Irc { text: true }, &[]);
        let mut buf = [0u8; 100];
        let n = s.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"NICK ann\r\nUSER a 0 * :Ann\r\n");
        assert_eq!(s.write(b":srv 001 ann :hi\r\n:srv 00").unwrap(), 25);
        assert_eq!(s.write(b"2 ann :x\r\n").unwrap(), 10);
        let out = &s.get_ref().output;
        assert_eq!(&out[..2], &[0x81, 16]);
        assert_eq!(&out[2..18], b":srv 001 ann :hi");
        assert_eq!(&out[18..20], &[0x81, 15]);
        assert_eq!(&out[20..], b":srv 002 ann :x");
    }

    #[test]
    fn a_slow_socket_holds_one_message_and_then_would_block() {
        let mut s = WsStream::new(pipe(Vec::new(), 3), Carried::Natter, &[]);
        assert_eq!(s.write(&[9; 10]).unwrap(), 10);
        assert!(s.has_pending());
        let e = s.write(&[9; 10]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        s.get_mut().room = 100;
        assert!(s.send_pending().unwrap());
        assert_eq!(s.get_ref().output, [&[0x82, 10][..], &[9; 10]].concat());
    }

    #[test]
    fn ping_gets_its_pong_and_close_ends_the_stream() {
        let mut input = masked(ws::PING, b"hey");
        input.extend(masked(ws::BINARY, &[0, 1, 9]));
        input.extend(masked(ws::CLOSE, &[0x03, 0xe8]));
        let mut s = WsStream::new(pipe(input, 1000), Carried::Natter, &[]);
        let mut buf = [0u8; 10];
        assert_eq!(s.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], &[0, 1, 9]);
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        let out = &s.get_ref().output;
        assert_eq!(out, &[0x8a, 3, b'h', b'e', b'y', 0x88, 2, 0x03, 0xe8]);
    }

    #[test]
    fn garbage_is_refused_with_a_close_frame() {
        let mut s = WsStream::new(pipe(vec![0xff; 20], 1000), Carried::Natter, &[]);
        let e = s.read(&mut [0u8; 10]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(&s.get_ref().output[..4], &[0x88, 19, 0x03, 0xea]);
    }
}

//! Browsers in the loop: HTTP requests answered from the page built into
//! the binary, and the upgrade that turns a connection into a WebSocket,
//! after which it is a natter or IRC client like any other (its [`Link`]
//! does the framing).

use std::io::{self, Read, Write};
use std::time::Duration;

use log::{debug, info};
use mio::net::TcpStream;
use mio::{Interest, Registry, Token, event::Source};
use natter_core::room::ConnId;
use natter_core::time::Instant;

use super::options::ms;
use super::{Driver, Proto, Socket};
use crate::irc::IrcConn;
use crate::web::http::{self, Answer, MAX_HEAD};
use crate::web::stream::{Carried, WsStream};
use crate::web::ws::CloseCode;

/// How long a browser has to send a whole request head, from its
/// connection or its last answer: a client that trickles headers in
/// (slowloris) is closed after it.
pub(super) const HTTP_WAIT: Duration = Duration::from_secs(5);

/// A client's socket: TCP, or a WebSocket over it.
pub(super) enum Link {
    Tcp(TcpStream),
    Ws(Box<WsStream<TcpStream>>),
}

impl Link {
    /// The TCP socket underneath.
    pub(super) fn tcp(&self) -> &TcpStream {
        match self {
            Link::Tcp(s) => s,
            Link::Ws(ws) => ws.get_ref(),
        }
    }

    /// Output the WebSocket made and the socket has not taken yet: sent
    /// now if it can be; `Ok(false)` while some still waits.
    pub(super) fn send_pending(&mut self) -> io::Result<bool> {
        match self {
            Link::Tcp(_) => Ok(true),
            Link::Ws(ws) => ws.send_pending(),
        }
    }

    /// Say goodbye at the WebSocket level (nothing for TCP).
    pub(super) fn close(&mut self, code: CloseCode) {
        if let Link::Ws(ws) = self {
            ws.close(code, "");
        }
    }

    pub(super) fn is_ws(&self) -> bool {
        matches!(self, Link::Ws(_))
    }
}

impl Read for Link {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Link::Tcp(s) => s.read(buf),
            Link::Ws(ws) => ws.read(buf),
        }
    }
}

impl Write for Link {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Link::Tcp(s) => s.write(buf),
            Link::Ws(ws) => ws.write(buf),
        }
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Link::Tcp(s) => s.write_vectored(bufs),
            Link::Ws(ws) => ws.write_vectored(bufs),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.flush(),
            Link::Ws(ws) => ws.flush(),
        }
    }
}

impl Source for Link {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.register(registry, token, interests),
            Link::Ws(ws) => ws.get_mut().register(registry, token, interests),
        }
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.reregister(registry, token, interests),
            Link::Ws(ws) => ws.get_mut().reregister(registry, token, interests),
        }
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.deregister(registry),
            Link::Ws(ws) => ws.get_mut().deregister(registry),
        }
    }
}

/// A browser's connection before any upgrade: its request so far, or the
/// answer being written.
pub(super) struct HttpConn {
    buf: Vec<u8>,
    /// The request head must be whole by then.
    pub(super) deadline: Instant,
    /// The answer being written: its head, then the file's bytes.
    answer: Option<Outgoing>,
}

struct Outgoing {
    head: Vec<u8>,
    body: &'static [u8],
    /// Bytes of head then body written so far.
    at: usize,
    /// Close once written (a refusal, or `Connection: close`).
    close: bool,
}

impl HttpConn {
    pub(super) fn new(now: Instant) -> HttpConn {
        HttpConn {
            buf: Vec::new(),
            deadline: now + ms(HTTP_WAIT),
            answer: None,
        }
    }
}

impl Driver<'_> {
    /// A browser's request bytes: answer each whole request.
    pub(super) fn read_http(&mut self, conn: ConnId) {
        let now = self.clock.now();
        loop {
            let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
                return;
            };
            let Proto::Http(h) = &mut c.proto else {
                return;
            };
            if h.answer.is_some() {
                // One answer at a time; the next request waits its turn.
                return;
            }
            let answer = http::answer(&h.buf, &self.origins);
            if answer == Answer::Partial {
                let had = h.buf.len();
                h.buf.resize(MAX_HEAD.max(had + 1), 0);
                let read = c.stream.read(&mut h.buf[had..]);
                h.buf.truncate(had + *read.as_ref().unwrap_or(&0));
                match read {
                    Ok(0) => return self.drop_conn(conn, "closed the connection"),
                    Ok(_) => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return self.drop_conn(conn, &e.to_string()),
                }
            }
            let head = http::response_head(&answer).into_bytes();
            match answer {
                Answer::Partial => return,
                Answer::File {
                    asset,
                    head_only,
                    not_modified,
                    keep_alive,
                    used,
                } => {
                    debug!("{}: GET {}", c.peer, asset.path);
                    h.buf.drain(..used);
                    h.deadline = now + ms(HTTP_WAIT);
                    h.answer = Some(Outgoing {
                        head,
                        body: if head_only || not_modified {
                            &[]
                        } else {
                            asset.body
                        },
                        at: 0,
                        close: !keep_alive,
                    });
                }
                Answer::Refuse(status, why) => {
                    info!("{}: HTTP {}: {why}", c.peer, status.code());
                    h.answer = Some(Outgoing {
                        head,
                        body: &[],
                        at: 0,
                        close: true,
                    });
                }
                Answer::Upgrade { carried, used, .. } => {
                    let early = h.buf[used..].to_vec();
                    return self.upgrade(conn, &head, carried, &early);
                }
            }
            self.write_http(conn);
        }
    }

    /// Write the answer being written; the hub's output for a connection
    /// that never said hello (its timeout's `Bye`) is not for a browser.
    pub(super) fn write_http(&mut self, conn: ConnId) {
        let now = self.clock.now();
        loop {
            let mut tx = self.hub.transmit(now, conn, 64 * 1024);
            let mut pieces: [&[u8]; 4] = [&[]; 4];
            if tx.pieces(&mut pieces) == 0 {
                break;
            }
            let lent = tx.len();
            tx.commit(lent);
        }
        let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
            return;
        };
        let Proto::Http(h) = &mut c.proto else {
            return;
        };
        let Some(out) = &mut h.answer else {
            return;
        };
        let total = out.head.len() + out.body.len();
        while out.at < total {
            let rest = if out.at < out.head.len() {
                &out.head[out.at..]
            } else {
                &out.body[out.at - out.head.len()..]
            };
            match c.stream.write(rest) {
                Ok(0) => return self.drop_conn(conn, "closed the connection"),
                Ok(n) => out.at += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.drop_conn(conn, &e.to_string()),
            }
        }
        if out.close {
            // End our side and take what it still sends, so closing does
            // not reset the connection before it reads the answer.
            let _ = c.stream.tcp().shutdown(std::net::Shutdown::Write);
            let mut sink = [0u8; 1024];
            for _ in 0..8 {
                if !matches!(c.stream.read(&mut sink), Ok(n) if n > 0) {
                    break;
                }
            }
            return self.drop_conn(conn, "answered");
        }
        h.answer = None;
        // A request that came meanwhile (pipelined) is answered now.
        self.read_http(conn);
    }

    /// Answer the handshake and make the connection a WebSocket carrying
    /// natter frames or IRC lines; `early` is what followed the request.
    fn upgrade(&mut self, conn: ConnId, head: &[u8], carried: Carried, early: &[u8]) {
        let Some(Some(c)) = self.conns.get_mut(conn.index()).map(Option::take) else {
            return;
        };
        // The first bytes of a fresh connection: the socket takes them all.
        let Link::Tcp(mut tcp) = c.stream else {
            return self.drop_conn(conn, "upgraded twice");
        };
        if !matches!(tcp.write(head), Ok(n) if n == head.len()) {
            return self.drop_conn(conn, "could not answer its WebSocket handshake");
        }
        info!(
            "{}: WebSocket ({})",
            c.peer,
            match carried {
                Carried::Natter => "natter",
                Carried::Irc { .. } => "IRC",
            }
        );
        self.conns[conn.index()] = Some(Socket {
            stream: Link::Ws(Box::new(WsStream::new(tcp, carried, early))),
            proto: match carried {
                Carried::Natter => Proto::Natter,
                Carried::Irc { .. } => Proto::Irc(Box::new(IrcConn::new(&self.server_name))),
            },
            ..c
        });
        self.read(conn);
    }

    /// Close browsers whose request head did not come in time.
    pub(super) fn expire_http(&mut self) {
        if self.http.is_empty() {
            return;
        }
        let now = self.clock.now();
        let mut i = 0;
        while i < self.http.len() {
            let conn = self.http[i];
            let deadline = match self.conns.get(conn.index()) {
                Some(Some(c)) => match &c.proto {
                    Proto::Http(h) if h.answer.is_none() => Some(h.deadline),
                    Proto::Http(_) => None,
                    _ => {
                        self.http.swap_remove(i);
                        continue;
                    }
                },
                _ => {
                    self.http.swap_remove(i);
                    continue;
                }
            };
            if deadline.is_some_and(|d| d <= now) {
                if let Some(Some(c)) = self.conns.get_mut(conn.index()) {
                    let _ = c.stream.write(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                }
                self.drop_conn(conn, "too slow to send its request");
                self.http.swap_remove(i);
                continue;
            }
            i += 1;
        }
    }

    /// The earliest deadline of a request head.
    pub(super) fn http_deadline(&self) -> Option<Instant> {
        self.http
            .iter()
            .filter_map(|conn| match self.conns.get(conn.index()) {
                Some(Some(c)) => match &c.proto {
                    Proto::Http(h) if h.answer.is_none() => Some(h.deadline),
                    _ => None,
                },
                _ => None,
            })
            .min()
    }
}

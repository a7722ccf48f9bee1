//! Accepting connections, telling their protocol by their first bytes, and
//! refusing, in a protocol they can read, those the server cannot take.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use log::{debug, info, warn};
use mio::net::{TcpListener, TcpStream};
use mio::{Interest, Token};
use natter_core::error::ErrorCode;
use natter_core::room::{ConnId, ConnectError};
use natter_core::time::Instant;
use natter_core::wire::{Frame, Protocol, SNIFF_LEN, sniff};

use super::options::ms;
use super::web::{HttpConn, Link};
use super::{Driver, Proto, REFUSING, Socket};
use crate::irc::IrcConn;
use crate::listener;
use crate::web::http::{self, Status};

/// Refused connections that may wait for their first byte at once; beyond
/// that they are refused in natter's protocol straight away.
pub(super) const MAX_REFUSING: usize = 16;
/// How long a refused connection may take to send its first byte.
const REFUSING_WAIT: Duration = Duration::from_secs(2);

/// A connection the server cannot take, waiting for its first byte.
pub(super) struct Refusing {
    stream: TcpStream,
    peer: SocketAddr,
    code: ErrorCode,
    pub(super) deadline: Instant,
}

impl Driver<'_> {
    /// Take new connections; `irc_only` for the IRC-only port, whose
    /// clients are IRC whatever their first byte.
    pub(super) fn accept(
        &mut self,
        listener: &TcpListener,
        irc_only: bool,
        registry: &mio::Registry,
    ) {
        loop {
            let (mut stream, peer) = match listener.accept() {
                // Show IPv4 clients of the dual-stack socket as 10.0.0.5,
                // not ::ffff:10.0.0.5: that is what the teacher knows.
                Ok((stream, peer)) => (
                    stream,
                    SocketAddr::new(peer.ip().to_canonical(), peer.port()),
                ),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Out of file descriptors and the like: the pending
                    // connections wait in the backlog for the next wake-up.
                    warn!("accept failed: {e}");
                    return;
                }
            };
            if self.shutdown_deadline.is_some() {
                self.refuse_in_kind(stream, peer, ErrorCode::ShuttingDown, irc_only, registry);
                continue;
            }
            if let Err(e) = listener::tune_accepted(&stream) {
                debug!("{peer}: socket options: {e}");
            }
            let now = self.clock.now();
            let conn = match self.hub.handle_connect(now) {
                Ok(conn) => conn,
                Err(ConnectError::ServerFull) | Err(_) => {
                    info!("{peer}: refused, the server is full");
                    self.refuse_in_kind(stream, peer, ErrorCode::ServerFull, irc_only, registry);
                    continue;
                }
            };
            let token = Token(conn.index());
            if let Err(e) =
                registry.register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
            {
                warn!("{peer}: cannot watch socket: {e}");
                self.hub.handle_disconnect(now, conn);
                continue;
            }
            debug!("{peer}: connected as #{}", conn.0);
            // For bans by address and for counting wrong passwords by
            // address (an IPv4 peer of a dual-stack socket as IPv4).
            let ip = match peer.ip() {
                std::net::IpAddr::V6(v6) => v6
                    .to_ipv4_mapped()
                    .map_or(std::net::IpAddr::V6(v6), std::net::IpAddr::V4),
                v4 => v4,
            };
            self.hub.set_address(conn, &ip.to_string());
            if let Some(profile) = self.profiles.get_mut(conn.index()) {
                // A slot's last user's profile goes with them.
                *profile = None;
            }
            if self.conns.len() <= conn.index() {
                self.conns.resize_with(conn.index() + 1, || None);
            }
            self.conns[conn.index()] = Some(Socket {
                stream: Link::Tcp(stream),
                peer,
                read_paused: false,
                hangup: false,
                proto: if irc_only {
                    Proto::Irc(Box::new(IrcConn::new(&self.server_name)))
                } else {
                    Proto::Unknown
                },
            });
        }
    }

    /// What `conn` speaks, from its first bytes (peeked, so they are still
    /// read as usual); `None` until they tell, or once it is gone.
    pub(super) fn protocol(&mut self, conn: ConnId) -> Option<Protocol> {
        let now = self.clock.now();
        let c = self.conns.get_mut(conn.index())?.as_mut()?;
        match c.proto {
            Proto::Natter => return Some(Protocol::Natter),
            Proto::Irc(_) => return Some(Protocol::Irc),
            Proto::Http(_) => return Some(Protocol::Http),
            Proto::Unknown => {}
        }
        match first_bytes(c.stream.tcp()) {
            Ok(FirstBytes::Undecided) => None,
            Ok(FirstBytes::Closed) => {
                self.drop_conn(conn, "closed the connection");
                None
            }
            Ok(FirstBytes::Speaks(proto)) => {
                c.proto = match proto {
                    Protocol::Natter => Proto::Natter,
                    Protocol::Irc => {
                        debug!("{}: speaks IRC", c.peer);
                        Proto::Irc(Box::new(IrcConn::new(&self.server_name)))
                    }
                    Protocol::Http => {
                        debug!("{}: speaks HTTP", c.peer);
                        self.http.push(conn);
                        Proto::Http(Box::new(HttpConn::new(now)))
                    }
                };
                Some(proto)
            }
            Err(e) => {
                self.drop_conn(conn, &e.to_string());
                None
            }
        }
    }

    /// Refuse a connection the server cannot take, in its own protocol:
    /// IRC's at once on the IRC-only port, else once its first byte shows
    /// which (natter clients and IRC clients both speak first), or
    /// natter's if it says nothing in time or too many are waiting.
    fn refuse_in_kind(
        &mut self,
        mut stream: TcpStream,
        peer: SocketAddr,
        code: ErrorCode,
        irc_only: bool,
        registry: &mio::Registry,
    ) {
        if irc_only {
            return refuse(&mut stream, code, Protocol::Irc);
        }
        self.refuse_later(stream, peer, code, registry);
    }

    fn refuse_later(
        &mut self,
        mut stream: TcpStream,
        peer: SocketAddr,
        code: ErrorCode,
        registry: &mio::Registry,
    ) {
        let slot = match self.refusing.iter().position(Option::is_none) {
            Some(i) => i,
            None if self.refusing.len() < MAX_REFUSING => {
                self.refusing.push(None);
                self.refusing.len() - 1
            }
            None => return refuse(&mut stream, code, Protocol::Natter),
        };
        if registry
            .register(&mut stream, Token(REFUSING + slot), Interest::READABLE)
            .is_err()
        {
            return refuse(&mut stream, code, Protocol::Natter);
        }
        let deadline = self.clock.now() + ms(REFUSING_WAIT);
        self.refusing[slot] = Some(Refusing {
            stream,
            peer,
            code,
            deadline,
        });
    }

    /// A refused connection sent something (or hung up): refuse it in its
    /// protocol and close it.
    pub(super) fn refusing_readable(&mut self, slot: usize, registry: &mio::Registry) {
        let Some(Some(r)) = self.refusing.get_mut(slot) else {
            return;
        };
        let proto = match first_bytes(&r.stream) {
            Ok(FirstBytes::Undecided) => return,
            Ok(FirstBytes::Speaks(proto)) => Some(proto),
            Ok(FirstBytes::Closed) | Err(_) => None,
        };
        if let Some(mut r) = self.refusing[slot].take() {
            if let Some(proto) = proto {
                debug!("{}: refused in {proto:?}", r.peer);
                refuse(&mut r.stream, r.code, proto);
                // Closing with its line unread would reset the connection,
                // and a reset can discard the refusal before the client
                // reads it: end our side, then take what it sent.
                // (At most a few reads: a client that keeps sending is
                // not worth more.)
                let _ = r.stream.shutdown(std::net::Shutdown::Write);
                let mut sink = [0u8; 1024];
                for _ in 0..8 {
                    if !matches!(r.stream.read(&mut sink), Ok(n) if n > 0) {
                        break;
                    }
                }
            }
            let _ = registry.deregister(&mut r.stream);
        }
    }

    /// Refuse, in natter's protocol, the refused connections that said
    /// nothing in time.
    pub(super) fn expire_refusing(&mut self, registry: &mio::Registry) {
        let now = self.clock.now();
        for slot in &mut self.refusing {
            if slot.as_ref().is_some_and(|r| r.deadline <= now) {
                if let Some(mut r) = slot.take() {
                    refuse(&mut r.stream, r.code, Protocol::Natter);
                    let _ = registry.deregister(&mut r.stream);
                }
            }
        }
    }
}

/// What a connection has sent so far, as far as telling its protocol goes.
enum FirstBytes {
    /// Nothing yet, or not enough to tell (`GE`: HTTP's `GET `?).
    Undecided,
    /// It closed without sending anything.
    Closed,
    /// It speaks this (its bytes are still waiting to be read).
    Speaks(Protocol),
}

/// What the bytes waiting on `stream` say, peeked so they are still read
/// as usual.
fn first_bytes(stream: &TcpStream) -> io::Result<FirstBytes> {
    let mut first = [0u8; SNIFF_LEN];
    match stream.peek(&mut first) {
        Ok(0) => Ok(FirstBytes::Closed),
        Ok(n) => Ok(sniff(&first[..n]).map_or(FirstBytes::Undecided, FirstBytes::Speaks)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ) =>
        {
            Ok(FirstBytes::Undecided)
        }
        Err(e) => Err(e),
    }
}

/// Tell a connection we cannot take it, best effort, and drop it: in its
/// protocol, or natter's `Bye` when nothing has arrived to tell it by.
fn refuse(stream: &mut TcpStream, code: ErrorCode, proto: Protocol) {
    let said = match proto {
        Protocol::Irc => format!("ERROR :{}\r\n", code.describe()).into_bytes(),
        Protocol::Http => http::refusal(Status::Unavailable, code.describe()).into_bytes(),
        Protocol::Natter => {
            let mut buf = [0u8; 300];
            match (Frame::Bye {
                code,
                reason: code.describe(),
            })
            .encode(&mut buf)
            {
                Ok(n) => buf[..n].to_vec(),
                Err(_) => return,
            }
        }
    };
    let _ = stream.write(&said);
}

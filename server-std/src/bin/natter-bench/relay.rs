//! The reference relay: a bare single-threaded mio program that splits its
//! input on newlines and writes every line to every other connection. No
//! protocol, no limits, no flow control: the practical ceiling for a chat
//! relay on this kernel, against which natter-server is measured.
//!
//! Like natter-server it batches: lines read during one wake-up are
//! appended to each other connection's buffer, and each buffer is written
//! once at the end of the wake-up.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::SocketAddr;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

const LISTENER: Token = Token(usize::MAX);

struct Peer {
    stream: TcpStream,
    /// Bytes of an incomplete line.
    partial: Vec<u8>,
    /// Bytes to write to this peer.
    out: Vec<u8>,
}

/// Run the relay on `addr` forever, printing `port: N` once listening.
pub fn run(addr: SocketAddr) -> io::Result<()> {
    let mut listener = TcpListener::bind(addr)?;
    println!("port: {}", listener.local_addr()?.port());
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut peers: HashMap<Token, Peer> = HashMap::new();
    let mut next = 0;
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        poll.poll(&mut events, None)?;
        for event in events.iter() {
            if event.token() == LISTENER {
                while let Ok((mut stream, _)) = listener.accept() {
                    stream.set_nodelay(true)?;
                    let token = Token(next);
                    next += 1;
                    poll.registry().register(
                        &mut stream,
                        token,
                        Interest::READABLE | Interest::WRITABLE,
                    )?;
                    peers.insert(
                        token,
                        Peer {
                            stream,
                            partial: Vec::new(),
                            out: Vec::new(),
                        },
                    );
                }
                continue;
            }
            let from = event.token();
            let mut closed = false;
            if event.is_readable() {
                let Some(peer) = peers.get_mut(&from) else {
                    continue;
                };
                loop {
                    match peer.stream.read(&mut buf) {
                        Ok(0) => {
                            closed = true;
                            break;
                        }
                        Ok(n) => peer.partial.extend_from_slice(&buf[..n]),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(_) => {
                            closed = true;
                            break;
                        }
                    }
                }
                // Whole lines go to everyone else.
                if let Some(end) = peer.partial.iter().rposition(|&b| b == b'\n') {
                    let lines: Vec<u8> = peer.partial.drain(..=end).collect();
                    for (token, other) in peers.iter_mut() {
                        if *token != from {
                            other.out.extend_from_slice(&lines);
                        }
                    }
                }
            }
            if closed {
                peers.remove(&from);
            }
        }
        // One write per peer per wake-up.
        for peer in peers.values_mut() {
            while !peer.out.is_empty() {
                match peer.stream.write(&peer.out) {
                    Ok(n) => {
                        peer.out.drain(..n);
                    }
                    Err(_) => break,
                }
            }
        }
    }
}

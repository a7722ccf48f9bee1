//! natter clients' I/O: their bytes into the hub as fast as it takes them,
//! and the hub's frames out to them in vectored writes, straight from the
//! room's history. `read` and `flush` are where every connection's I/O
//! starts; they hand IRC clients to `irc.rs`.

use std::io::{self, IoSlice, Read, Write};

use natter_core::room::ConnId;
use natter_core::wire::Protocol;

use super::{Driver, MUST_DRAIN, Proto};
use crate::listener;

/// Bytes offered to one connection per `write` call at most: its kernel
/// send buffer.
const SEND_BUDGET: usize = listener::SEND_BUFFER;
/// Bytes per WebSocket message at most: each `write` is one message,
/// and what the socket does not take waits in the `Link`.
const WS_BUDGET: usize = 64 * 1024;
/// Pieces (queued replies, runs of events) per vectored write at most.
const PIECES: usize = 64;

impl Driver<'_> {
    /// Read everything the socket has, as fast as the hub takes it.
    pub(super) fn read(&mut self, conn: ConnId) {
        match self.protocol(conn) {
            Some(Protocol::Natter) => self.read_natter(conn),
            Some(Protocol::Irc) => self.read_irc(conn),
            Some(Protocol::Http) => self.read_http(conn),
            None => {}
        }
    }

    fn read_natter(&mut self, conn: ConnId) {
        let now = self.clock.now();
        loop {
            let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
                return;
            };
            let buf = self.hub.recv_buf(conn);
            if buf.is_empty() {
                c.read_paused = true;
                return;
            }
            let free = buf.len();
            match c.stream.read(buf) {
                Ok(0) => return self.drop_conn(conn, "closed the connection"),
                Ok(n) => {
                    let drained = n < free;
                    self.hub.handle_received(now, conn, n);
                    if self.hub.should_transmit() {
                        // Many events arrived: send them before reading
                        // more, so no one falls off the history meanwhile.
                        self.transmit_all();
                    }
                    if drained && !self.hung_up(conn) && !MUST_DRAIN {
                        // A short read took all the socket had; whatever
                        // arrives next wakes the poll again (as tokio
                        // does), so no `read` is spent on "would block".
                        // A hangup that came with the data is read to the
                        // end instead: no new readiness will announce it.
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.drop_conn(conn, &e.to_string()),
            }
        }
    }

    pub(super) fn saw_hangup(&mut self, conn: ConnId) {
        if let Some(Some(c)) = self.conns.get_mut(conn.index()) {
            c.hangup = true;
        }
    }

    fn hung_up(&self, conn: ConnId) -> bool {
        matches!(self.conns.get(conn.index()), Some(Some(c)) if c.hangup)
    }

    /// Write what the hub has for `conn` until it has no more or the socket
    /// is full.
    pub(super) fn flush(&mut self, conn: ConnId) {
        let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
            return;
        };
        // A WebSocket's frames the socket did not take go first.
        match c.stream.send_pending() {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => return self.drop_conn(conn, &e.to_string()),
        }
        let budget = if c.stream.is_ws() {
            WS_BUDGET
        } else {
            SEND_BUDGET
        };
        match c.proto {
            Proto::Irc(_) => return self.flush_irc(conn),
            Proto::Http(_) => return self.write_http(conn),
            Proto::Natter | Proto::Unknown => {}
        }
        let now = self.clock.now();
        loop {
            let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
                return;
            };
            // What the hub has for it, written in place from the room's
            // history: no copy on the way to the kernel.
            let mut tx = self.hub.transmit(now, conn, budget);
            let mut pieces: [&[u8]; PIECES] = [&[]; PIECES];
            let count = tx.pieces(&mut pieces);
            if count == 0 {
                break;
            }
            let mut iov = [IoSlice::new(&[]); PIECES];
            let mut len = 0;
            for (slot, piece) in iov.iter_mut().zip(&pieces[..count]) {
                *slot = IoSlice::new(piece);
                len += piece.len();
            }
            match c.stream.write_vectored(&iov[..count]) {
                Ok(n) => {
                    tx.commit(n);
                    if n < len && !MUST_DRAIN {
                        // The socket is full: wait until mio says writable.
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.drop_conn(conn, &e.to_string()),
            }
        }
        // Sending made room for requests that were waiting (with room in
        // the input buffer still, or with reading paused), and they for
        // more input.
        self.hub.resume_input(now, conn);
        if let Some(Some(c)) = self.conns.get_mut(conn.index()) {
            if c.read_paused && !self.hub.recv_buf(conn).is_empty() {
                c.read_paused = false;
                self.read(conn);
            }
        }
    }
}

//! The driver's loop: reading, the IRC connections' pump around the core's line reader and shared lines, writing, settling.

use super::*;

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    /// Feed waiting input, write output where the hub says there is some
    /// (and where it was held back from a client that reads again), take
    /// closes; until nothing moves.
    pub(super) fn settle(&mut self) -> Check {
        for _ in 0..10_000 {
            let mut progress = false;
            for ci in 0..CLIENTS {
                progress |= self.offer(ci)?;
            }
            let mut ids = Vec::new();
            while let Some(id) = self.hub.poll_transmit() {
                ids.push(id);
            }
            for c in &self.clients {
                if c.blocked && !c.paused {
                    ids.extend(c.conn);
                }
            }
            for id in ids {
                progress |= self.flush(id)?;
            }
            while let Some(id) = self.hub.poll_close() {
                let Some(ci) = self.client_of(id) else {
                    return Err(format!("poll_close gave {id:?}, which no client holds"));
                };
                let c = &self.clients[ci];
                ensure!(
                    c.bye || c.paused,
                    "client {ci} is reading, but {id:?} was closed without a Bye"
                );
                self.gone(ci);
                self.stats.closes += 1;
                progress = true;
            }
            self.drain_events();
            if !progress {
                return Ok(());
            }
        }
        Err("the hub never goes quiet".to_string())
    }

    pub(super) fn drain_events(&mut self) {
        while self.hub.poll_event().is_some() {}
    }

    /// The server reads what the client sent, as far as the hub takes it.
    pub(super) fn offer(&mut self, ci: usize) -> Result<bool, String> {
        if self.clients[ci].irc {
            self.offer_irc(ci)
        } else {
            self.offer_natter(ci)
        }
    }

    pub(super) fn offer_natter(&mut self, ci: usize) -> Result<bool, String> {
        let mut took = false;
        loop {
            let c = &mut self.clients[ci];
            let Some(id) = c.conn else {
                return Ok(took);
            };
            if c.wire.is_empty() {
                return Ok(took);
            }
            let len = c
                .wire
                .len()
                .min(read_size(c.chunk, c.wire.len(), usize::MAX));
            let n = self.hub.handle_bytes(self.now, id, &c.wire[..len]);
            ensure!(n <= len, "handle_bytes took {n} of {len} bytes");
            c.wire.drain(..n);
            self.drain_events();
            if n == 0 {
                return Ok(took);
            }
            took = true;
        }
    }

    /// `read_irc` of the std server: first what the last lines made, then
    /// the lines waiting, then more bytes from the socket.
    pub(super) fn offer_irc(&mut self, ci: usize) -> Result<bool, String> {
        let mut took = false;
        loop {
            loop {
                let c = &mut self.clients[ci];
                let (Some(id), Some(side)) = (c.conn, c.side.as_mut()) else {
                    return Ok(took);
                };
                if !side.pending.is_empty() {
                    let n = self.hub.handle_bytes(self.now, id, &side.pending);
                    ensure!(n <= side.pending.len(), "handle_bytes took {n} bytes");
                    side.pending.drain(..n);
                    took |= n > 0;
                    self.drain_events();
                    let c = &mut self.clients[ci];
                    if c.side.as_ref().is_some_and(|s| !s.pending.is_empty()) {
                        return Ok(took);
                    }
                    // The hub's answers to those lines go out before the
                    // bridge answers the next ones, as the server does.
                    took |= self.flush_irc(ci, id)?;
                }
                let mut log = Vec::new();
                if let Some(side) = self.clients[ci].side.as_mut() {
                    side.lines(&self.hub, &mut log);
                }
                took |= !log.is_empty();
                for h in log {
                    self.handled(ci, h)?;
                }
                self.read_lines(ci);
                let c = &self.clients[ci];
                if c.side.as_ref().is_none_or(|s| s.pending.is_empty()) {
                    break;
                }
            }
            let c = &mut self.clients[ci];
            if c.wire.is_empty()
                || c.side
                    .as_ref()
                    .is_some_and(|s| s.out.len() >= IRC_OUT_LOW || s.bridge.awaiting_hub())
            {
                // Nothing to read, or its own answers wait unread: the
                // server reads no more until they are written.
                return Ok(took);
            }
            let n = c.wire.len().min(read_size(c.chunk, c.wire.len(), 4096));
            took = true;
            let mut log = Vec::new();
            if let Some(side) = c.side.as_mut() {
                // Never more than the line buffer has room for, as the
                // server reads into it.
                let taken = side.received(&c.wire[..n], &self.hub, &mut log);
                c.wire.drain(..taken);
            }
            for h in log {
                self.handled(ci, h)?;
            }
            // The answers the bridge made itself (numerics, `PONG`, `WHO`)
            // are written too: the server is woken "writable" with every
            // read.
            self.read_lines(ci);
        }
    }

    /// Write what the hub has for `id` to its client.
    pub(super) fn flush(&mut self, id: ConnId) -> Result<bool, String> {
        let Some(ci) = self.client_of(id) else {
            return Ok(false);
        };
        if self.clients[ci].irc {
            return self.flush_irc(ci, id);
        }
        let mut buf = [0u8; 4096];
        if self.clients[ci].paused {
            // The socket is full: the write would block.
            let len = self.hub.transmit(self.now, id, buf.len()).copy_to(&mut buf);
            self.clients[ci].blocked |= len > 0;
            return Ok(false);
        }
        self.clients[ci].blocked = false;
        let mut progress = false;
        for _ in 0..10_000 {
            // The core's pump writes as a driver does: lend, write, commit,
            // let waiting requests go on.
            let mut socket = Socket(&mut self.clients[ci]);
            if self.pump.flush(&mut self.hub, self.now, id, &mut socket) == 0 {
                return Ok(progress);
            }
            progress = true;
            self.drain_events();
            self.read_frames(ci)?;
            if self.clients[ci].conn != Some(id) {
                return Ok(true);
            }
        }
        Err(format!("{id:?}: transmit never runs dry"))
    }

    /// `flush_irc` of the std server: the hub's frames through the bridge
    /// while the client's lines leave room, then the client reads them
    /// (unless it is not reading).
    pub(super) fn flush_irc(&mut self, ci: usize, id: ConnId) -> Result<bool, String> {
        let mut buf = vec![0u8; IRC_FRAMES];
        let mut progress = false;
        self.clients[ci].blocked = false;
        for _ in 0..10_000 {
            let c = &mut self.clients[ci];
            let Some(side) = c.side.as_mut() else {
                return Ok(progress);
            };
            if side.out.len() >= IRC_OUT_LOW {
                c.blocked = true;
                return Ok(progress);
            }
            let mut tx = self.hub.transmit(self.now, id, buf.len());
            let taken = tx.copy_to(&mut buf);
            tx.commit(taken);
            if taken == 0 {
                // All the hub had: a batch of replayed history is whole.
                let mut lines = Vec::new();
                side.bridge
                    .handle_caught_up(&mut |l: &[u8]| lines.push(l.to_vec()));
                side.out.extend(lines.iter().flatten());
                let name = side.bridge.client_name().to_string();
                self.show(ci, &lines, &name, Origin::CaughtUp)
                    .map_err(|e| format!("client {ci}, caught up: {e}"))?;
                return Ok(progress);
            }
            progress = true;
            let mut rest = &buf[..taken];
            while !rest.is_empty() {
                let len = match frame_len(rest) {
                    Ok(Some(len)) if len <= rest.len() => len,
                    other => {
                        return Err(format!(
                            "transmit lent bytes that are not whole frames: {other:?}"
                        ));
                    }
                };
                let (bytes, after) = rest.split_at(len);
                rest = after;
                let Ok(Status::Complete((frame, _))) = decode(bytes) else {
                    return Err(format!(
                        "transmit lent a frame that does not decode: {bytes:02x?}"
                    ));
                };
                let (lines, name) = self.render(ci, bytes)?;
                let shown = self
                    .show(ci, &lines, &name, Origin::Frame)
                    .map_err(|e| format!("client {ci}, for {frame:?}: {e}"))?;
                self.observe(ci, frame, Some(&shown))
                    .map_err(|e| format!("client {ci} (IRC), {frame:?}: {e}"))?;
                if let Some(side) = self.clients[ci].side.as_mut() {
                    side.out.extend(lines.iter().flatten());
                }
            }
            self.read_lines(ci);
            self.hub.resume_input(self.now, id);
            self.drain_events();
        }
        Err(format!("{id:?}: transmit never runs dry"))
    }

    /// The lines of one frame for IRC client `ci`, and its name in
    /// numerics after it: `transmitted` of the std server, one frame at a
    /// time. A live room message another IRC member's bridge already
    /// rendered is copied from the shared slots when this bridge shows it
    /// live too; otherwise the bridge renders the frame, and a live message
    /// is kept for the others.
    pub(super) fn render(
        &mut self,
        ci: usize,
        bytes: &[u8],
    ) -> Result<(Vec<Vec<u8>>, String), String> {
        let Some(side) = self.clients[ci].side.as_mut() else {
            return Ok((Vec::new(), String::new()));
        };
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let how = self
            .shared
            .render(&mut side.bridge, bytes, &mut |l: &[u8]| {
                lines.push(l.to_vec())
            });
        match how {
            Some(Rendered::Copied) => self.stats.shared += 1,
            Some(Rendered::Written) => {}
            None => return Err(format!("a frame that decodes is not one: {bytes:02x?}")),
        }
        Ok((lines, side.bridge.client_name().to_string()))
    }

    /// A reading IRC client reads its lines, and answers a `PING`.
    pub(super) fn read_lines(&mut self, ci: usize) {
        let c = &mut self.clients[ci];
        if c.paused {
            return;
        }
        let Some(side) = c.side.as_mut() else {
            return;
        };
        let out = std::mem::take(&mut side.out);
        for line in out.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b"PING ") {
                c.wire
                    .extend_from_slice(format!("PONG {SERVER}\r\n").as_bytes());
            }
        }
    }

    /// A reading natter client decodes the whole frames it has.
    pub(super) fn read_frames(&mut self, ci: usize) -> Check {
        loop {
            let c = &self.clients[ci];
            if c.irc || c.paused {
                return Ok(());
            }
            let n = match decode(&c.inbox) {
                Ok(Status::Complete((_, n))) => n,
                Ok(Status::Partial { .. }) => return Ok(()),
                Err(e) => {
                    let head = &c.inbox[..c.inbox.len().min(16)];
                    return Err(format!(
                        "client {ci} got bytes that do not decode ({e:?}): {head:02x?}"
                    ));
                }
            };
            let raw: Vec<u8> = self.clients[ci].inbox.drain(..n).collect();
            let Ok(Status::Complete((frame, _))) = decode(&raw) else {
                return Err("a frame that decoded a moment ago does not".to_string());
            };
            self.observe(ci, frame, None)
                .map_err(|e| format!("client {ci} (natter), {frame:?}: {e}"))?;
        }
    }
}

//! The driver's actions: what each step of a script does to the hub and the clients, and the writing half of a wake-up.

use super::*;

impl<S: Storage + Default> World<S> {
    pub(super) fn apply(&mut self, op: &Op) -> Check {
        let ci = |c: u8| usize::from(c) % CLIENTS;
        match *op {
            Op::Connect(c) => self.connect(ci(c))?,
            Op::Login(c, n) => {
                self.connect(ci(c))?;
                self.request(
                    ci(c),
                    &Req::Hello {
                        nick: n,
                        password: u8::from(!self.config.password.is_empty()),
                    },
                )?;
            }
            Op::Send(c, ref req) => self.request(ci(c), req)?,
            Op::Raw(c, mode, ref bytes) => {
                let client = &mut self.clients[ci(c)];
                if client.conn.is_some() {
                    if mode & 1 != 0 {
                        client.outbox.extend((bytes.len() as u16).to_be_bytes());
                    }
                    client.outbox.extend_from_slice(bytes);
                    client.garbled = true;
                    // Raw bytes may hold a `Teach` with the right password.
                    self.any_teacher_nick = true;
                }
                self.offer(ci(c))?;
            }
            Op::Disconnect(c) => self.disconnect(ci(c)),
            Op::Reconnect(c, n) => {
                let c = ci(c);
                self.disconnect(c);
                self.apply(&Op::Login(c as u8, n))?;
                let seen: Vec<String> = self.clients[c].last_seen.keys().cloned().collect();
                for room in seen {
                    let r = ROOMS.iter().position(|&r| key(r) == room).unwrap_or(0);
                    self.request(
                        c,
                        &Req::Join {
                            room: r as u8,
                            mode: 1,
                            epoch: 0,
                            since: 0,
                        },
                    )?;
                }
            }
            Op::Advance(v) => {
                // A wake-up ends with its output written before the driver
                // sleeps until the next timer.
                self.settle()?;
                let ms = if v < 0x8000 {
                    u64::from(v)
                } else {
                    u64::from(v - 0x8000) * 8
                };
                self.advance(ms)?;
            }
            Op::Pause(c) => self.clients[ci(c)].paused = true,
            Op::Resume(c) => self.clients[ci(c)].paused = false,
            Op::Socket(c, w, r) => {
                let c = &mut self.clients[ci(c)];
                c.window = match w & 0x7f {
                    0 => None,
                    w => Some(usize::from(w)),
                };
                c.sent_zero = w & 0x80 == 0;
                c.chunk = (r != 0).then_some(usize::from(r));
            }
            Op::Trickle(c, n) => self.trickle(ci(c), usize::from(n) + 1)?,
            Op::Shutdown => self.hub.shutdown(self.now, "class is over"),
        }
        Ok(())
    }

    pub(super) fn connect(&mut self, ci: usize) -> Check {
        if self.clients[ci].conn.is_some() {
            return Ok(());
        }
        // The log's events name connections: read them while each slot is
        // still held by the client it was held by when they happened (a
        // `Parted` of a slot freed and given out again here would be
        // credited to the wrong client).
        self.drain_events()?;
        let held = self.clients.iter().filter(|c| c.conn.is_some()).count();
        match self.hub.handle_connect(self.now) {
            Ok(id) => {
                ensure!(
                    held < self.limit(),
                    "accepted {id:?} with all {} slots held",
                    self.limit()
                );
                ensure!(
                    self.client_of(id).is_none(),
                    "{id:?} handed out while the driver still holds it"
                );
                let c = &mut self.clients[ci];
                c.conn = Some(id);
                c.inbox.clear();
                c.outbox.clear();
                c.blocked = false;
                c.bye = false;
                c.nick = None;
                c.stays.clear();
                c.joins.clear();
                c.entered.clear();
                c.garbled = false;
                c.names.clear();
                c.taught = false;
                c.teacher = false;
                c.asked = false;
                c.entering = None;
            }
            Err(ConnectError::ServerFull) => {
                ensure!(
                    held >= self.limit(),
                    "refused a connection with {held} of {} slots held",
                    self.limit()
                );
                self.stats.refused_connects += 1;
            }
            Err(e) => return Err(format!("handle_connect: {e:?}")),
        }
        Ok(())
    }

    /// Encode a request into the client's outbox and offer it to the hub.
    pub(super) fn request(&mut self, ci: usize, req: &Req) -> Check {
        if self.clients[ci].conn.is_none() {
            return Ok(());
        }
        let room = |r: u8| ROOMS[usize::from(r) % ROOMS.len()];
        let nick = |n: u8| NICKS[usize::from(n) % NICKS.len()];
        if let Req::Hello { nick: n, .. } | Req::SetNick { nick: n } = *req {
            // Whoever may prove the password may be announced under any
            // name it asks for.
            if self.clients[ci].taught {
                self.teacher_nicks.insert(key(nick(n)));
            }
            self.clients[ci].names.insert(key(nick(n)));
        }
        match *req {
            Req::Hello { nick, password } => self.send(
                ci,
                &Frame::Hello {
                    version: VERSION,
                    nick: NICKS[usize::from(nick) % NICKS.len()],
                    password: PASSWORDS[usize::from(password) % PASSWORDS.len()],
                },
            ),
            Req::Join {
                room: r,
                mode,
                epoch,
                since,
            } => {
                let name = room(r);
                let (epoch, since) = match mode % 3 {
                    0 => (0, 0),
                    1 => self.clients[ci]
                        .last_seen
                        .get(&key(name))
                        .copied()
                        .unwrap_or((0, 0)),
                    _ => (epoch, since),
                };
                let joins = self.clients[ci].joins.entry(key(name)).or_default();
                joins.push((epoch, since));
                self.send(
                    ci,
                    &Frame::Join {
                        room: name,
                        epoch,
                        since,
                        key: "",
                    },
                );
            }
            Req::Part { room: r, reason } => self.send(
                ci,
                &Frame::Part {
                    room: room(r),
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Req::Say {
                room: r,
                len,
                count,
            } => {
                for i in 0..count % 4 + 1 {
                    let c = &mut self.clients[ci];
                    c.tag = c.tag.wrapping_add(1);
                    let tag = c.tag;
                    let text = text(ci, tag, TEXT_LENS[usize::from(len) % TEXT_LENS.len()]);
                    let flags = if i == 1 { FLAG_ACTION } else { 0 };
                    self.send(
                        ci,
                        &Frame::Say {
                            tag,
                            room: room(r),
                            flags,
                            text: &text,
                        },
                    );
                    self.clients[ci].said.insert(tag, (text, flags));
                }
            }
            Req::SetNick { nick } => self.send(
                ci,
                &Frame::SetNick {
                    nick: NICKS[usize::from(nick) % NICKS.len()],
                },
            ),
            Req::Quit { reason } => self.send(
                ci,
                &Frame::Quit {
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Req::Whisper { to, len } => {
                let text = text(ci, 0, TEXT_LENS[usize::from(len) % TEXT_LENS.len()]);
                self.send(
                    ci,
                    &Frame::Whisper {
                        tag: 0,
                        to: NICKS[usize::from(to) % NICKS.len()],
                        flags: 0,
                        text: &text,
                    },
                );
            }
            Req::SetTopic { room: r, len } => {
                let topic = text(ci, 0, TOPIC_LENS[usize::from(len) % TOPIC_LENS.len()]);
                self.send(
                    ci,
                    &Frame::SetTopic {
                        room: room(r),
                        topic: &topic,
                    },
                );
            }
            Req::Ping { token } => self.send(
                ci,
                &Frame::Ping {
                    token: u32::from(token),
                },
            ),
            Req::Pong { token } => self.send(
                ci,
                &Frame::Pong {
                    token: u32::from(token),
                },
            ),
            Req::ServerOnly { room: r } => self.send(
                ci,
                &Frame::Left {
                    room: room(r),
                    reason: "",
                },
            ),
            Req::Teach { password } => {
                let password = TEACH_PASSWORDS[usize::from(password) % TEACH_PASSWORDS.len()];
                if password == TEACHER_PASSWORD {
                    let c = &mut self.clients[ci];
                    c.taught = true;
                    self.teacher_nicks.extend(c.names.iter().cloned());
                }
                self.send(ci, &Frame::Teach { password });
            }
            Req::Mode {
                room: r,
                flags,
                mode,
                arg,
            } => {
                let flags =
                    [0, FLAG_ADD, FLAG_REMOVE, FLAG_ADD | FLAG_REMOVE][usize::from(flags % 4)];
                self.clients[ci].asked |= flags == 0;
                self.send(
                    ci,
                    &Frame::Mode {
                        room: room(r),
                        flags,
                        mode: MODES[usize::from(mode) % MODES.len()],
                        arg: MODE_ARGS[usize::from(arg) % MODE_ARGS.len()],
                    },
                );
            }
            Req::Kick {
                room: r,
                nick: n,
                reason,
            } => self.send(
                ci,
                &Frame::Kick {
                    room: room(r),
                    nick: nick(n),
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Req::Invite { room: r, nick: n } => self.send(
                ci,
                &Frame::Invite {
                    room: room(r),
                    nick: nick(n),
                },
            ),
        }
        self.offer(ci).map(|_| ())
    }

    pub(super) fn send(&mut self, ci: usize, frame: &Frame<'_>) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = frame.encode(&mut buf).expect("the driver's frames encode");
        self.clients[ci].outbox.extend_from_slice(&buf[..n]);
    }

    /// The hub reads what the client has sent (one read per chunk, while
    /// it takes them). Returns whether it took anything.
    pub(super) fn offer(&mut self, ci: usize) -> Result<bool, String> {
        let mut took = false;
        loop {
            let c = &mut self.clients[ci];
            let Some(id) = c.conn else {
                return Ok(took);
            };
            if c.outbox.is_empty() {
                return Ok(took);
            }
            let len = c.outbox.len().min(c.chunk.unwrap_or(usize::MAX));
            let n = self.hub.handle_bytes(self.now, id, &c.outbox[..len]);
            ensure!(n <= len, "handle_bytes took {n} of {len} bytes");
            c.outbox.drain(..n);
            if n == 0 {
                return Ok(took);
            }
            took = true;
            self.drain_events()?;
        }
    }

    pub(super) fn disconnect(&mut self, ci: usize) {
        if let Some(id) = self.clients[ci].conn {
            self.hub.handle_disconnect(self.now, id);
            self.gone(ci);
        }
    }

    /// Run the hub's timers at each deadline up to `ms` from now, writing
    /// output after each, as a driver sleeping on `poll_timeout` would.
    pub(super) fn advance(&mut self, ms: u64) -> Check {
        let target = Instant(self.now.0 + ms);
        for _ in 0..1000 {
            let next = self.hub.poll_timeout().filter(|&t| t <= target);
            self.now = next.unwrap_or(target).max(self.now);
            self.hub.handle_timeout(self.now);
            self.settle()?;
            let after = self.hub.poll_timeout();
            ensure!(
                after.is_none_or(|t| t > self.now),
                "after handle_timeout({:?}) the next timer is {after:?}",
                self.now
            );
            if next.is_none() {
                return Ok(());
            }
        }
        Err(format!("timers never get to {target:?}"))
    }

    /// A client that is not reading takes `n` bytes once.
    pub(super) fn trickle(&mut self, ci: usize, n: usize) -> Check {
        let Some(id) = self.clients[ci].conn else {
            return Ok(());
        };
        let mut buf = [0u8; 4096];
        let mut tx = self.hub.transmit(self.now, id, buf.len());
        let len = tx.copy_to(&mut buf);
        let n = n.min(len);
        self.clients[ci].inbox.extend_from_slice(&buf[..n]);
        tx.commit(n);
        self.clients[ci].blocked |= n < len;
        self.drain_events()?;
        self.read(ci)
    }

    /// The writing half of a wake-up: write output where the hub says there
    /// is some (and where sockets became writable again), feed waiting
    /// input, take closes; until nothing moves.
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
                // A reading client has had its Bye by the time the hub
                // closes (only one that was not reading is cut off).
                let c = &self.clients[ci];
                ensure!(
                    c.bye || c.paused,
                    "client {ci} is reading, but {id:?} was closed without a Bye"
                );
                self.gone(ci);
                self.stats.closes += 1;
                progress = true;
            }
            self.drain_events()?;
            if !progress {
                return Ok(());
            }
        }
        Err("the hub never goes quiet".to_string())
    }

    /// Write what the hub has for `id`, as far as its client's socket
    /// takes it.
    pub(super) fn flush(&mut self, id: ConnId) -> Result<bool, String> {
        let Some(ci) = self.client_of(id) else {
            // A connection the driver no longer holds: nothing to write to.
            return Ok(false);
        };
        let mut buf = [0u8; 4096];
        if self.clients[ci].paused {
            // The socket is full: the write would block.
            let mut tx = self.hub.transmit(self.now, id, buf.len());
            let len = tx.copy_to(&mut buf);
            if self.clients[ci].sent_zero {
                tx.commit(0);
            }
            self.clients[ci].blocked |= len > 0;
            self.drain_events()?;
            return Ok(false);
        }
        self.clients[ci].blocked = false;
        let mut progress = false;
        // A frame is at most 1 KiB and the queue 3 KiB; ten thousand writes
        // of one byte each is far more than one flush can need.
        for _ in 0..10_000 {
            // The core's pump writes as a driver does: lend, write what the
            // socket takes, commit, let waiting requests go on.
            let mut socket = Socket(&mut self.clients[ci]);
            let written = self.pump.flush(&mut self.hub, self.now, id, &mut socket);
            if written == 0 {
                return Ok(progress);
            }
            progress = true;
            self.drain_events()?;
            self.read(ci)?;
            if self.clients[ci].conn != Some(id) {
                return Ok(true);
            }
        }
        Err(format!("{id:?}: transmit never runs dry"))
    }

    pub(super) fn drain_events(&mut self) -> Check {
        if self.hub.events_dropped() > 0 {
            // A `Parted` lost from the log would pair each later `Left`
            // with the wrong id: check no more of them.
            self.parted_at.clear();
            while self.hub.poll_event().is_some() {}
            return Ok(());
        }
        while let Some(event) = self.hub.poll_event() {
            if let Event::Parted {
                conn,
                ref room,
                id,
                ref nick,
            } = event
            {
                // A room that exists from the start has one incarnation:
                // its model needs no epoch, and learns a member's part
                // even when nobody is told (it quit, alone in the room).
                let k = key(room);
                if self.fixed.contains(&k) {
                    let nick = nick.to_string();
                    self.note(&k, 0, id, roles::Ev::Parted { nick })?;
                }
                // The client that holds the slot now held it when the event
                // happened (`connect` reads the log before a slot is given
                // out again). Its view may not have a stay in the room yet:
                // a client that is not reading has the `Entered` of the stay
                // this `Parted` ends still waiting, before its `Left`.
                if let Some(ci) = self.client_of(conn) {
                    self.parted_at.entry((ci, k)).or_default().push_back(id);
                }
            }
        }
        Ok(())
    }

    /// The client's connection is gone: closed by the hub or dropped.
    pub(super) fn gone(&mut self, ci: usize) {
        let c = &mut self.clients[ci];
        if c.conn.take().is_none() {
            return;
        }
        c.inbox.clear();
        c.outbox.clear();
        c.nick = None;
        c.bye = false;
        c.blocked = false;
        let rooms: Vec<String> = c.stays.keys().cloned().collect();
        for room in rooms {
            self.end_stay(ci, &room);
        }
        self.parted_at.retain(|(c, _), _| *c != ci);
    }

    pub(super) fn end_stay(&mut self, ci: usize, room: &str) {
        let c = &mut self.clients[ci];
        if let Some(stay) = c.stays.remove(room).filter(|s| s.last > 0) {
            c.last_seen
                .insert(room.to_string(), (stay.room_epoch, stay.last));
        }
    }
}

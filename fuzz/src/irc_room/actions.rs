//! The driver's actions: what each step of a script does, in either protocol.

use super::*;

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    pub(super) fn apply(&mut self, op: &Op) -> Check {
        let ci = |c: u8| usize::from(c & 0x7f) % CLIENTS;
        let lf = |c: u8| c & 0x80 != 0;
        match *op {
            Op::Login { client, nick, how } => {
                let c = ci(client);
                self.connect(c)?;
                let nick = NICKS[usize::from(nick) % NICKS.len()];
                if self.clients[c].irc {
                    let mut lines = Vec::new();
                    let caps = how >> 3;
                    let negotiate = how & 1 != 0 || caps != 0;
                    if how & 1 != 0 {
                        lines.push("CAP LS 302".to_string());
                    }
                    if caps != 0 {
                        lines.push(format!("CAP REQ :{}", cap_list(caps, false)));
                    }
                    if how & 2 != 0 {
                        lines.push("PASS wrong".to_string());
                    } else if self.password {
                        lines.push("PASS pw".to_string());
                    }
                    let (n, u) = (format!("NICK {nick}"), "USER student 0 * :A Student");
                    if how & 4 != 0 {
                        lines.extend([u.to_string(), n]);
                    } else {
                        lines.extend([n, u.to_string()]);
                    }
                    if negotiate {
                        lines.push("CAP END".to_string());
                    }
                    for line in lines {
                        self.send_line(c, &line, lf(client));
                    }
                } else {
                    let password = if how & 2 != 0 {
                        "wrong"
                    } else if self.password {
                        "pw"
                    } else {
                        ""
                    };
                    self.send_frame(
                        c,
                        &Frame::Hello {
                            version: VERSION,
                            nick,
                            password,
                        },
                    );
                }
            }
            Op::Act { client, ref act } => {
                let c = ci(client);
                self.connect(c)?;
                if self.clients[c].irc {
                    let line = self.irc_line(act);
                    self.send_line(c, &line, lf(client));
                } else {
                    self.natter_act(c, act);
                }
            }
            Op::Raw { client, ref bytes } => {
                let c = ci(client);
                self.connect(c)?;
                let cl = &mut self.clients[c];
                cl.wire.extend_from_slice(bytes);
                cl.garbled = true;
            }
            Op::Long { client, kind, n } => {
                let c = ci(client);
                self.connect(c)?;
                let n = usize::from(n);
                if self.clients[c].irc {
                    let bytes = match kind % 4 {
                        0 => format!("PRIVMSG #lobby :{}\r\n", "x".repeat(480 + n)),
                        1 => "A".repeat(8 * n),
                        2 => format!("@{} PRIVMSG #lobby :tagged\r\n", "a=b;".repeat(8 * n)),
                        _ => format!("PRIVMSG #lobby :{}\r\n", "ë".repeat(n)),
                    };
                    self.clients[c].wire.extend_from_slice(bytes.as_bytes());
                } else {
                    match kind % 4 {
                        0 => {
                            let text = "x".repeat((480 + n).min(512));
                            self.say(c, "lobby", &text, 0);
                        }
                        1 => {
                            let cl = &mut self.clients[c];
                            cl.wire.extend_from_slice(&[0xff, 0xff]);
                            cl.garbled = true;
                        }
                        _ => {}
                    }
                }
            }
            Op::Connect(c) => self.connect(ci(c))?,
            Op::Disconnect(c) => self.disconnect(ci(c)),
            Op::Pause(c) => self.clients[ci(c)].paused = true,
            Op::Resume(c) => self.resume(ci(c))?,
            Op::Chunk { client, size } => {
                self.clients[ci(client)].chunk = (size != 0).then_some(usize::from(size));
            }
            Op::Advance(v) => {
                self.settle()?;
                let ms = if v < 0x8000 {
                    u64::from(v)
                } else {
                    u64::from(v - 0x8000) * 8
                };
                self.advance(ms)?;
            }
            Op::Shutdown => self.hub.shutdown(self.now, "class is over"),
        }
        Ok(())
    }

    pub(super) fn next_text(&mut self, spec: u8) -> String {
        self.seq += 1;
        text(self.seq, TEXT_LENS[usize::from(spec & 7)], spec >> 3)
    }

    /// The IRC line for an act, without its line ending.
    pub(super) fn irc_line(&mut self, act: &Act) -> String {
        let room = |r: u8| ROOMS[usize::from(r) % ROOMS.len()];
        let nick = |n: u8| NICKS[usize::from(n) % NICKS.len()];
        let wrap = |text: String, spec: u8| {
            if spec & 0x20 != 0 {
                format!("\u{1}ACTION {text}\u{1}")
            } else {
                text
            }
        };
        match *act {
            Act::Join { room: r } => format!("JOIN {}", room(r)),
            Act::Part { room: r, reason } => match REASONS[usize::from(reason) % REASONS.len()] {
                "" => format!("PART {}", room(r)),
                why => format!("PART {} :{why}", room(r)),
            },
            Act::Say { room: r, text } => {
                let t = wrap(self.next_text(text), text);
                format!("PRIVMSG {} :{t}", room(r))
            }
            Act::Notice { room: r, text } => {
                let t = wrap(self.next_text(text), text);
                format!("NOTICE {} :{t}", room(r))
            }
            Act::Whisper { to, text } => {
                let t = wrap(self.next_text(text), text);
                format!("PRIVMSG {} :{t}", nick(to))
            }
            Act::Nick { nick: n } => format!("NICK {}", nick(n)),
            Act::Topic { room: r, len } => match len % 6 {
                5 => format!("TOPIC {}", room(r)),
                l => {
                    self.seq += 1;
                    let topic = text(self.seq, TOPIC_LENS[usize::from(l)], len >> 3);
                    format!("TOPIC {} :{topic}", room(r))
                }
            },
            Act::Quit { reason } => {
                format!("QUIT :{}", REASONS[usize::from(reason) % REASONS.len()])
            }
            Act::Ping { token } if token & 0x80 != 0 => format!("PONG :t{}", token & 0x7f),
            Act::Ping { token } => format!("PING :t{token}"),
            Act::Query { kind, arg } => query_line(kind, arg),
            Act::Caps { caps } => {
                let list = format!("CAP REQ :{}", cap_list(caps & 0x3f, caps & 0x40 != 0));
                if caps & 0x80 != 0 {
                    format!("{list}\r\nCAP LIST")
                } else {
                    list
                }
            }
        }
    }

    /// The natter frames for an act. Invalid names make no frame (the
    /// encoder refuses them; the decode target covers such bytes).
    pub(super) fn natter_act(&mut self, ci: usize, act: &Act) {
        let room = |r: u8| {
            let name = ROOMS[usize::from(r) % ROOMS.len()];
            name.strip_prefix('#').unwrap_or(name)
        };
        let nick = |n: u8| NICKS[usize::from(n) % NICKS.len()];
        let flags = |spec: u8| if spec & 0x20 != 0 { FLAG_ACTION } else { 0 };
        match *act {
            Act::Join { room: r } => self.send_frame(
                ci,
                &Frame::Join {
                    room: room(r),
                    epoch: 0,
                    since: 0,
                    key: "",
                },
            ),
            Act::Part { room: r, reason } => self.send_frame(
                ci,
                &Frame::Part {
                    room: room(r),
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Act::Say { room: r, text } | Act::Notice { room: r, text } => {
                let t = self.next_text(text);
                self.say(ci, room(r), &t, flags(text));
            }
            Act::Whisper { to, text } => {
                let t = self.next_text(text);
                let tag = self.next_tag(ci);
                self.clients[ci].said.insert(tag, (t.clone(), flags(text)));
                self.send_frame(
                    ci,
                    &Frame::Whisper {
                        tag,
                        to: nick(to),
                        flags: flags(text),
                        text: &t,
                    },
                );
            }
            Act::Nick { nick: n } => self.send_frame(ci, &Frame::SetNick { nick: nick(n) }),
            Act::Topic { room: r, len } => {
                if len % 6 < 5 {
                    self.seq += 1;
                    let topic = text(self.seq, TOPIC_LENS[usize::from(len % 6)], len >> 3);
                    self.send_frame(
                        ci,
                        &Frame::SetTopic {
                            room: room(r),
                            topic: &topic,
                        },
                    );
                }
            }
            Act::Quit { reason } => self.send_frame(
                ci,
                &Frame::Quit {
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Act::Ping { token } if token & 0x80 != 0 => self.send_frame(
                ci,
                &Frame::Pong {
                    token: u32::from(token),
                },
            ),
            Act::Ping { token } => self.send_frame(
                ci,
                &Frame::Ping {
                    token: u32::from(token),
                },
            ),
            Act::Caps { .. } => {}
            Act::Query { kind, arg } => match kind % 3 {
                0 => self.send_frame(
                    ci,
                    &Frame::Hello {
                        version: VERSION,
                        nick: nick(arg),
                        password: "",
                    },
                ),
                1 => self.send_frame(
                    ci,
                    &Frame::Left {
                        room: room(arg),
                        reason: "",
                    },
                ),
                _ => self.send_frame(
                    ci,
                    &Frame::Ping {
                        token: u32::from(arg),
                    },
                ),
            },
        }
    }

    /// A natter client's `Say`, remembered by its tag.
    /// A natter client's next tag (its own series: tags are per
    /// connection).
    pub(super) fn next_tag(&mut self, ci: usize) -> u32 {
        let c = &mut self.clients[ci];
        c.tag = c.tag.wrapping_add(1).max(1);
        c.tag
    }

    pub(super) fn say(&mut self, ci: usize, room: &str, text: &str, flags: u8) {
        let tag = self.next_tag(ci);
        self.clients[ci].said.insert(tag, (text.to_string(), flags));
        self.send_frame(
            ci,
            &Frame::Say {
                tag,
                room,
                flags,
                text,
            },
        );
    }

    pub(super) fn send_frame(&mut self, ci: usize, frame: &Frame<'_>) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        if let Ok(n) = frame.encode(&mut buf) {
            self.clients[ci].wire.extend_from_slice(&buf[..n]);
        }
    }

    pub(super) fn send_line(&mut self, ci: usize, line: &str, lf_only: bool) {
        let wire = &mut self.clients[ci].wire;
        wire.extend_from_slice(line.as_bytes());
        wire.extend_from_slice(if lf_only { b"\n" } else { b"\r\n" });
    }

    pub(super) fn connect(&mut self, ci: usize) -> Check {
        if self.clients[ci].conn.is_some() {
            return Ok(());
        }
        // Each client holds at most one of the hub's slots, and the hub has
        // one per client: a refusal is a leaked slot.
        let id = self
            .hub
            .handle_connect(self.now)
            .map_err(|e| format!("client {ci} refused a connection: {e:?}"))?;
        ensure!(
            self.client_of(id).is_none(),
            "{id:?} handed out while the driver still holds it"
        );
        let c = &mut self.clients[ci];
        c.conn = Some(id);
        c.generation += 1;
        c.side = c.irc.then(IrcSide::new);
        Ok(())
    }

    pub(super) fn disconnect(&mut self, ci: usize) {
        if let Some(id) = self.clients[ci].conn {
            self.hub.handle_disconnect(self.now, id);
            self.gone(ci);
        }
    }

    /// The client's connection is gone: closed by the hub or dropped.
    pub(super) fn gone(&mut self, ci: usize) {
        let c = &mut self.clients[ci];
        c.conn = None;
        c.wire.clear();
        c.side = None;
        c.inbox.clear();
        c.nick = None;
        c.bye = false;
        c.blocked = false;
        c.stays.clear();
        c.said.clear();
        c.garbled = false;
        c.asked.clear();
        c.deferred.clear();
        c.caps = Caps::default();
        c.batch = None;
        c.quits.clear();
        c.quit_events = 0;
    }

    /// The client reads again, starting with what waited for it.
    pub(super) fn resume(&mut self, ci: usize) -> Check {
        self.clients[ci].paused = false;
        self.read_lines(ci);
        self.read_frames(ci)
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
            if next.is_none() {
                return Ok(());
            }
        }
        Err(format!("timers never get to {target:?}"))
    }
}

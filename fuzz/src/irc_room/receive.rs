//! What a client receives, natter frames or IRC lines, checked against what it knows.

use super::*;

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    pub(super) fn stay(&mut self, ci: usize, room: &str) -> Result<&mut Stay, String> {
        self.clients[ci]
            .stays
            .get_mut(&key(room))
            .ok_or_else(|| format!("a frame of {room}, which it is not in"))
    }

    /// A room event arrived: ids only go up within a stay.
    pub(super) fn event(&mut self, ci: usize, room: &str, id: u64) -> Result<&mut Stay, String> {
        let stay = self.stay(ci, room)?;
        ensure!(id > stay.last, "event {id} after event {}", stay.last);
        if stay.gap_open {
            stay.holes.push((stay.last, id));
            stay.gap_open = false;
        }
        stay.last = id;
        Ok(stay)
    }

    /// One frame the hub sent client `ci`; for an IRC client, with the
    /// lines its bridge made of it.
    pub(super) fn observe(
        &mut self,
        ci: usize,
        frame: Frame<'_>,
        lines: Option<&[Shown]>,
    ) -> Check {
        ensure!(!self.clients[ci].bye, "a frame after the Bye");
        let generation = self.clients[ci].generation;
        if let Some(lines) = lines {
            self.tags_of(ci, &frame, lines)?;
        }
        match frame {
            Frame::Welcome { nick, .. } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_none(), "welcomed twice");
                c.nick = Some(nick.to_string());
                if c.irc {
                    self.stats.irc_welcomes += 1;
                } else {
                    self.stats.natter_welcomes += 1;
                }
            }
            Frame::NickSet { nick } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "NickSet before the welcome");
                c.nick = Some(nick.to_string());
            }
            Frame::Entered {
                room,
                epoch,
                next_id,
                ..
            } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "entered before the welcome");
                let stay = Stay {
                    epoch,
                    next_id,
                    last: 0,
                    gap_open: false,
                    holes: Vec::new(),
                    got: BTreeSet::new(),
                };
                ensure!(c.stays.insert(key(room), stay).is_none(), "entered twice");
            }
            Frame::Left { room, reason } => {
                self.stay(ci, room)?;
                self.clients[ci].stays.remove(&key(room));
                if let Some(lines) = lines {
                    // The client's own part, with its reason.
                    let me = self.clients[ci].nick.clone().unwrap_or_default();
                    let (_, m) = one_line(lines, &user_prefix(&me), "PART", &format!("#{room}"))?;
                    ensure!(
                        m.param(1).unwrap_or_default() == reason && m.params().len() <= 2,
                        "its own part for {reason:?} is {:?}",
                        m.params()
                    );
                }
            }
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                let stay = self.event(ci, room, id)?;
                stay.got.insert(id);
                let (epoch, live) = (stay.epoch, id >= stay.next_id);
                if let Some(lines) = lines {
                    self.message_lines(ci, &frame, epoch, live, lines)?;
                }
                let message = (key(room), epoch, id);
                let content = (from.to_string(), text.to_string(), flags, time);
                match self.acked.get(&message) {
                    Some(acked) => {
                        ensure!(
                            acked.sender != (ci, generation),
                            "its own message {id} came back"
                        );
                        ensure!(
                            acked.content == content,
                            "message {message:?} is {content:?}, its sender was told {:?}",
                            acked.content
                        );
                    }
                    None => {
                        let first = self
                            .received
                            .entry(message.clone())
                            .or_insert_with(|| content.clone());
                        ensure!(
                            *first == content,
                            "message {message:?} is {content:?} here and {first:?} elsewhere"
                        );
                    }
                }
            }
            Frame::Joined { room, id, .. }
            | Frame::Parted { room, id, .. }
            | Frame::NickChanged { room, id, .. }
            | Frame::TopicChanged { room, id, .. } => {
                let stay = self.event(ci, room, id)?;
                let (epoch, live) = (stay.epoch, id >= stay.next_id);
                if let Some(lines) = lines {
                    if live {
                        self.event_lines(ci, &frame, epoch, lines)?;
                    } else {
                        // History other than messages is passed over.
                        ensure!(lines.is_empty(), "lines for a replayed event");
                    }
                }
            }
            Frame::Gap { room, missed } => {
                let stay = self.stay(ci, room)?;
                ensure!(missed > 0, "told it missed nothing");
                stay.gap_open = true;
                self.stats.gaps += 1;
                if let Some(lines) = lines {
                    let [line] = lines else {
                        return Err(format!("{} lines for a gap", lines.len()));
                    };
                    let line = &line.body;
                    let m = parse(&line[..line.len() - 2]).map_err(|e| e.to_string())?;
                    let said = format!("You missed {missed} messages");
                    ensure!(
                        m.prefix == Some(SERVER)
                            && m.is("NOTICE")
                            && m.param(0) == Some(format!("#{room}").as_str())
                            && m.param(1).is_some_and(|t| t.starts_with(&said)),
                        "the gap notice is {:?}",
                        String::from_utf8_lossy(line)
                    );
                }
            }
            Frame::Private {
                from,
                flags,
                text,
                time,
            } => {
                if let Some(lines) = lines {
                    let me = self.clients[ci].nick.clone().unwrap_or_default();
                    let action = flags & FLAG_ACTION != 0;
                    let command = command_of(flags);
                    text_lines(lines, &user_prefix(from), command, &me, action, text)?;
                    for line in lines {
                        let want = Want {
                            time: Some(time),
                            ..Want::default()
                        };
                        self.expect_tags(ci, line, want)?;
                    }
                    self.stats.privates += 1;
                }
            }
            Frame::Ack {
                tag,
                room,
                id,
                time,
            } => self.ack(ci, tag, room, id, time, lines)?,
            Frame::Error { code, tag, .. } => {
                ensure!(
                    !matches!(code, ErrorCode::Other(_)),
                    "an error code the protocol does not define"
                );
                self.stats.errors += 1;
                let c = &mut self.clients[ci];
                if tag != 0 {
                    if c.irc {
                        let asked = c.asked.pop_front();
                        ensure!(
                            asked.as_ref().is_some_and(|a| a.tag == tag),
                            "an Error for tag {tag}, but the oldest request waiting is {asked:?}"
                        );
                        // A refused message is never echoed: the answer
                        // is the server's alone.
                        let echo = asked.as_ref().is_some_and(|a| a.echo);
                        if let Some(lines) = lines {
                            for line in lines {
                                let m = parse(&line.body[..line.body.len() - 2])
                                    .map_err(|e| e.to_string())?;
                                ensure!(
                                    m.prefix == Some(SERVER),
                                    "a refused {asked:?} got {:?}",
                                    String::from_utf8_lossy(&line.body)
                                );
                            }
                            self.stats.echoes_refused += u64::from(echo);
                        }
                    } else {
                        c.said.remove(&tag);
                    }
                }
            }
            Frame::Bye { .. } => {
                let c = &mut self.clients[ci];
                c.bye = true;
                c.stays.clear();
                c.nick = None;
            }
            Frame::Ping { token } => {
                if !self.clients[ci].irc {
                    self.send_frame(ci, &Frame::Pong { token });
                }
            }
            Frame::Names { room, .. } => {
                self.stay(ci, room)?;
            }
            // Answers to `MODE #room` and `MODE #room b` (anyone may ask).
            Frame::RoomState { .. } | Frame::Listed { .. } => {}
            Frame::Pong { .. } => {}
            _ => return Err("a frame only a client sends".to_string()),
        }
        Ok(())
    }

    /// The hub acknowledged a `Say` (or a whisper, with no room).
    pub(super) fn ack(
        &mut self,
        ci: usize,
        tag: u32,
        room: &str,
        id: u64,
        time: u64,
        lines: Option<&[Shown]>,
    ) -> Check {
        self.stats.acks += u64::from(!room.is_empty());
        let generation = self.clients[ci].generation;
        let what = if self.clients[ci].irc {
            let c = &mut self.clients[ci];
            let Some(asked) = c.asked.pop_front() else {
                return Err(format!("an Ack for tag {tag}, and no request is waiting"));
            };
            ensure!(
                asked.tag == tag,
                "an Ack for tag {tag}, but the oldest request waiting is {asked:?}"
            );
            match &asked.room {
                Some(r) => ensure!(same_name(r, room), "an Ack in {room} for {asked:?}"),
                None => ensure!(room.is_empty(), "an Ack in {room} for {asked:?}"),
            }
            if let Some(lines) = lines {
                let epoch = c.stays.get(&key(room)).map(|s| s.epoch);
                self.echo(ci, &asked, room, epoch, id, time, lines)?;
            }
            Some((asked.text, asked.flags))
        } else {
            let c = &mut self.clients[ci];
            let said = c.said.remove(&tag);
            ensure!(
                c.garbled || said.is_some(),
                "an Ack for tag {tag}, which it never used"
            );
            said.filter(|_| !c.garbled)
        };
        let c = &mut self.clients[ci];
        if room.is_empty() {
            ensure!(id == 0, "a whisper acknowledged with id {id}");
            return Ok(());
        }
        let Some(stay) = c.stays.get(&key(room)) else {
            return Err(format!("an Ack in {room}, which it is not in"));
        };
        ensure!(
            id >= stay.next_id && id > stay.last,
            "an Ack for id {id}: {stay:?}"
        );
        let Some((text, flags)) = what else {
            return Ok(());
        };
        let nick = c.nick.clone().ok_or("an Ack before the welcome")?;
        let message = (key(room), stay.epoch, id);
        let content = (nick, text, flags, time);
        if let Some(first) = self.received.remove(&message) {
            ensure!(
                first == content,
                "message {message:?} was received as {first:?}, its sender was told {content:?}"
            );
        }
        let irc = c.irc;
        self.acked.insert(
            message.clone(),
            Acked {
                content,
                sender: (ci, generation),
                irc,
            },
        );
        self.fresh.push(message);
        Ok(())
    }
}

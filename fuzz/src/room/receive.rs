//! What clients receive: every frame decoded and checked against what the client knows.

use super::*;

impl<S: Storage + Default> World<S> {
    /// Decode and check every whole frame the client has received.
    pub(super) fn read(&mut self, ci: usize) -> Check {
        loop {
            let inbox = &self.clients[ci].inbox;
            let n = match decode(inbox) {
                Ok(Status::Complete((_, n))) => n,
                Ok(Status::Partial { .. }) => return Ok(()),
                Err(e) => {
                    let head = &inbox[..inbox.len().min(16)];
                    return Err(format!(
                        "client {ci} got bytes that do not decode ({e:?}): {head:02x?}"
                    ));
                }
            };
            let raw: Vec<u8> = self.clients[ci].inbox.drain(..n).collect();
            let Ok(Status::Complete((frame, _))) = decode(&raw) else {
                unreachable!("decoded a moment ago")
            };
            self.receive(ci, frame)
                .map_err(|e| format!("client {ci}, {frame:?}: {e}"))?;
        }
    }

    /// `ci` got `Left` for `room`, whose own `Parted` was event `parted`:
    /// every owed event before that reached it or was counted by a `Gap`.
    pub(super) fn left_before(&mut self, ci: usize, room: &str, parted: u64) -> Check {
        let stay = self.stay(ci, room)?;
        ensure!(
            parted > stay.last,
            "got event {} after its own Parted {parted}",
            stay.last
        );
        let unexplained = stay.unexplained_before(parted);
        ensure!(
            unexplained <= stay.missed + stay.unnumbered,
            "Left without {unexplained} events before its own Parted {parted} \
             (after {}, gaps for {}): {stay:?}",
            stay.last,
            stay.missed
        );
        self.stats.departures += 1;
        Ok(())
    }

    pub(super) fn stay(&mut self, ci: usize, room: &str) -> Result<&mut Stay, String> {
        self.clients[ci]
            .stays
            .get_mut(&key(room))
            .ok_or_else(|| format!("a frame of {room}, which it is not in"))
    }

    /// A room event arrived: ids only go up, its own never come back, and
    /// every owed event it skipped is its own or counted by a gap notice.
    pub(super) fn event(&mut self, ci: usize, room: &str, id: u64) -> Check {
        let stay = self.stay(ci, room)?;
        ensure!(id > stay.last, "event {id} after event {}", stay.last);
        ensure!(!stay.own.contains(&id), "its own message came back");
        ensure!(
            id - stay.last <= 1 << 20,
            "event {id} after {}: an implausible jump",
            stay.last
        );
        // Every event owed between the last one and this one is its
        // own or was counted by a gap notice in between.
        let hole = id - stay.last - 1;
        ensure!(
            stay.missed <= hole,
            "gap notices for {} events where {hole} are missing",
            stay.missed
        );
        let unexplained = stay.unexplained_before(id);
        ensure!(
            unexplained <= stay.missed + stay.unnumbered,
            "{unexplained} events before {id} lost silently (after {}, gaps for {}): {stay:?}",
            stay.last,
            stay.missed
        );
        // Where the whole hole was owed, the notices may not count more
        // than the owed events that are not its own (issue 8: its own
        // messages were once counted). Before a fresh join's `next_id` the
        // client cannot tell where the replay started, so that part of a
        // hole is only bounded above (by its length, checked above).
        let own_join = stay.joined_at..stay.next_id;
        if (stay.last + 1..id)
            .all(|i| stay.owed(i) || stay.own.contains(&i) || own_join.contains(&i))
        {
            ensure!(
                stay.missed <= unexplained,
                "gap notices for {} events before {id} where {unexplained} owed events of \
                 others are missing (after {}): {stay:?}",
                stay.missed,
                stay.last
            );
        }
        stay.last = id;
        stay.missed = 0;
        self.stats.events += 1;
        Ok(())
    }

    /// A room event arrived: keep it for the room's model (after the
    /// checks of `receive`, which know whether it is in a stay).
    fn learn(&mut self, ci: usize, frame: &Frame<'_>, ev: roles::Ev) -> Check {
        let (room, id) = match *frame {
            Frame::Message { room, id, .. }
            | Frame::Joined { room, id, .. }
            | Frame::Parted { room, id, .. }
            | Frame::NickChanged { room, id, .. }
            | Frame::TopicChanged { room, id, .. }
            | Frame::ModeChanged { room, id, .. }
            | Frame::Kicked { room, id, .. } => (room, id),
            _ => return Ok(()),
        };
        let epoch = self.stay(ci, room)?.room_epoch;
        self.note(&key(room), epoch, id, ev)
    }

    /// A message's content, as its sender's `Ack` says it is (`acked`) or
    /// as a receiver got it: every copy, live or from the history, must be
    /// what was sent, by whom, at the time the sender was told.
    pub(super) fn compare(&mut self, message: MessageKey, content: Content, acked: bool) -> Check {
        let known = self.acked.get(&message).or(self.received.get(&message));
        if let Some(known) = known {
            ensure!(
                *known == content,
                "message {message:?} is {content:?} here and {known:?} elsewhere"
            );
            self.stats.contents += 1;
        }
        if acked {
            self.acked.insert(message, content);
        } else {
            self.received.entry(message).or_insert(content);
        }
        Ok(())
    }

    pub(super) fn receive(&mut self, ci: usize, frame: Frame<'_>) -> Check {
        ensure!(!self.clients[ci].bye, "a frame after the Bye");
        if let Some((room, epoch, next_id)) = self.clients[ci].entering.take() {
            // The frame after `Entered` (and its `Gap`): the room's
            // `RoomState` when a control is on, something else when none is.
            match frame {
                Frame::Gap { room: r, .. } if key(r) == room => {
                    self.clients[ci].entering = Some((room, epoch, next_id));
                }
                Frame::RoomState {
                    room: r,
                    modes,
                    limit,
                    slow,
                    key: room_key,
                } if key(r) == room => {
                    let shown = roles::Shown {
                        modes: modes.bytes().collect(),
                        limit,
                        slow,
                        key: room_key.to_string(),
                    };
                    self.shown(&room, epoch, next_id - 1, Some(shown))?;
                }
                _ => self.shown(&room, epoch, next_id - 1, None)?,
            }
        }
        if let Some(ev) = roles::Ev::of(&frame) {
            self.learn(ci, &frame, ev)?;
        }
        match frame {
            Frame::Welcome {
                nick,
                max_text,
                version,
                ..
            } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_none(), "welcomed twice");
                ensure!(
                    version == VERSION && usize::from(max_text) == self.limits.text,
                    "bad welcome"
                );
                c.nick = Some(nick.to_string());
                self.stats.welcomes += 1;
            }
            Frame::NickSet { nick } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "NickSet before the welcome");
                c.nick = Some(nick.to_string());
                for stay in c.stays.values_mut() {
                    stay.unnumbered += 1;
                }
            }
            Frame::Entered {
                room,
                epoch,
                next_id,
                members,
                topic,
            } => {
                let k = key(room);
                let capacity = self.capacity();
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "entered before the welcome");
                ensure!(!c.stays.contains_key(&k), "entered twice");
                ensure!(epoch != 0 && next_id >= 1, "epoch 0 or id 0");
                ensure!(
                    members >= 1 && usize::from(members) <= capacity,
                    "{members} members, capacity {capacity}"
                );
                ensure!(topic.len() <= self.limits.text, "topic over the limit");
                // A resume is checked from `since` on only when this
                // `Entered` surely answers it.
                let sent = c.joins.remove(&k).unwrap_or_default();
                let from = match sent[..] {
                    [(e, since)]
                        if !c.garbled
                            && !c.entered.contains(&k)
                            && e == epoch
                            && since > 0
                            && since < next_id =>
                    {
                        self.stats.resumes += 1;
                        since + 1
                    }
                    _ => next_id,
                };
                c.entered.insert(k.clone());
                // Its own join is the event before `next_id`, after the
                // teacher's announcement when it is the teacher; it hears of
                // neither.
                let nick = c.nick.clone().unwrap_or_default();
                let teacher = c.teacher;
                if !c.garbled && !c.asked {
                    c.entering = Some((k.clone(), epoch, next_id));
                }
                c.stays.insert(
                    k.clone(),
                    Stay {
                        room_epoch: epoch,
                        next_id,
                        from,
                        last: 0,
                        missed: 0,
                        own: BTreeSet::new(),
                        unnumbered: 0,
                        // A teacher's join is two events: `Joined`, `T`.
                        joined_at: next_id.saturating_sub(if teacher { 2 } else { 1 }),
                    },
                );
                self.stats.entered += 1;
                if teacher {
                    ensure!(next_id >= 3, "a teacher entered before two events");
                    self.note(&k, epoch, next_id - 1, roles::Ev::teacher(&nick))?;
                    self.note(&k, epoch, next_id - 2, roles::Ev::Joined { nick })?;
                } else {
                    self.note(&k, epoch, next_id - 1, roles::Ev::Joined { nick })?;
                }
            }
            Frame::Left { room, .. } => {
                self.stay(ci, room)?;
                let k = key(room);
                self.clients[ci].joins.remove(&k);
                let parted = self
                    .parted_at
                    .get_mut(&(ci, k.clone()))
                    .and_then(VecDeque::pop_front);
                if let Some(parted) = parted {
                    self.left_before(ci, &k, parted)?;
                    let epoch = self.stay(ci, room)?.room_epoch;
                    let nick = self.clients[ci].nick.clone().unwrap_or_default();
                    self.note(&k, epoch, parted, roles::Ev::Parted { nick })?;
                }
                self.end_stay(ci, &k);
            }
            Frame::Names {
                room, flags, nicks, ..
            } => {
                self.stay(ci, room)?;
                ensure!(flags & !FLAG_MORE == 0, "undefined flags");
                ensure!(nicks.len() <= MAX_NAMES_PER_FRAME, "{} names", nicks.len());
            }
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                self.event(ci, room, id)?;
                let room_epoch = self.stay(ci, room)?.room_epoch;
                let content = (from.to_string(), text.to_string(), flags, time);
                self.compare((key(room), room_epoch, id), content, false)?;
            }
            Frame::Joined { room, id, .. }
            | Frame::Parted { room, id, .. }
            | Frame::NickChanged { room, id, .. }
            | Frame::TopicChanged { room, id, .. }
            | Frame::ModeChanged { room, id, .. } => self.event(ci, room, id)?,
            Frame::Kicked { room, id, nick, .. } => {
                // Its own kick is live; one replayed from the history (of an
                // earlier stay, or of whoever had the name) is news.
                let me = self.clients[ci].nick.as_deref().map(key) == Some(key(nick));
                if me && id >= self.stay(ci, room)?.next_id {
                    // Put out: everything before the kick reached it or was
                    // counted, and the stay is over.
                    self.left_before(ci, room, id)?;
                    self.event(ci, room, id)?;
                    self.end_stay(ci, &key(room));
                    self.stats.kicked += 1;
                } else {
                    self.event(ci, room, id)?;
                }
            }
            Frame::Gap { room, missed } => {
                let stay = self.stay(ci, room)?;
                ensure!(missed > 0, "told it missed nothing");
                stay.missed = stay.missed.saturating_add(missed);
                self.stats.gaps += 1;
            }
            Frame::Ack {
                room,
                id,
                tag,
                time,
            } if !room.is_empty() => {
                let stay = self.stay(ci, room)?;
                ensure!(
                    id >= stay.next_id && id > stay.last && stay.own.insert(id),
                    "Ack for id {id}: {stay:?}"
                );
                let room_epoch = stay.room_epoch;
                self.stats.acks += 1;
                let from = self.clients[ci].nick.clone().unwrap_or_default();
                self.note(&key(room), room_epoch, id, roles::Ev::Message { from })?;
                let c = &mut self.clients[ci];
                let said = c.said.remove(&tag);
                // After raw bytes, which may hold a `Say` of any tag, the
                // client no longer knows what a tag stood for.
                if !c.garbled {
                    ensure!(said.is_some(), "Ack for tag {tag}, which it never used");
                    let (text, flags) = said.unwrap_or_default();
                    let nick = c.nick.clone().unwrap_or_default();
                    let content = (nick, text, flags, time);
                    self.compare((key(room), room_epoch, id), content, true)?;
                }
            }
            Frame::Ack { id, .. } => ensure!(id == 0, "a whisper acked with id {id}"),
            Frame::Bye { .. } => {
                let c = &mut self.clients[ci];
                c.bye = true;
                c.nick = None;
                c.outbox.clear();
                let rooms: Vec<String> = c.stays.keys().cloned().collect();
                for room in rooms {
                    self.end_stay(ci, &room);
                }
            }
            Frame::Ping { token } => {
                if !self.clients[ci].bye {
                    self.send(ci, &Frame::Pong { token });
                }
            }
            Frame::Error { code, .. } => {
                ensure!(
                    !matches!(code, ErrorCode::Other(_)),
                    "an error code the protocol does not define"
                );
                self.stats.errors += 1;
                use ErrorCode::*;
                let control = matches!(
                    code,
                    NotOperator
                        | Moderated
                        | Muted
                        | SlowMode
                        | Banned
                        | InviteOnly
                        | BadKey
                        | NickLocked
                        | PrivateOff
                );
                if control {
                    self.stats.refused_by_controls += 1;
                    // Replies come in the order their requests were handled:
                    // this one was handled after the password was proved.
                    ensure!(
                        !self.clients[ci].teacher,
                        "the teacher was refused by a control"
                    );
                }
            }
            Frame::YouAre { roles } => {
                let c = &mut self.clients[ci];
                ensure!(
                    c.taught || c.garbled,
                    "YouAre, but it never sent the teacher password"
                );
                ensure!(roles == ROLE_TEACHER, "roles {roles:#x}");
                if !c.teacher {
                    // Its rooms (those it has entered and not left before
                    // this reply) were told, not it.
                    for stay in c.stays.values_mut() {
                        stay.unnumbered += 1;
                    }
                    self.stats.teachers += 1;
                }
                c.teacher = true;
            }
            Frame::Invited { by, nick, .. } => {
                let me = self.clients[ci].nick.as_deref().map(key);
                ensure!(
                    me == Some(key(by)) || me == Some(key(nick)),
                    "an invitation between others"
                );
            }
            // Answers to questions (see `entering` above for `RoomState`).
            Frame::Private { .. }
            | Frame::Pong { .. }
            | Frame::RoomState { .. }
            | Frame::Listed { .. } => {}
            _ => return Err("a frame only a client sends".to_string()),
        }
        Ok(())
    }
}

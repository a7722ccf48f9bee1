//! The IRCv3 side of what an IRC client gets, by the capabilities its
//! `CAP ACK`s turned on: tag sections, `chathistory` batches, echoes of
//! its own messages, and one `QUIT` per quitter.

use super::*;

/// Where lines given to [`World::show`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A frame of the hub's, through the bridge or the shared lines.
    Frame,
    /// The bridge's own answers to a line of the client's.
    Reply,
    /// `Bridge::handle_caught_up`, when the hub had nothing more.
    CaughtUp,
}

/// The tags a line must carry, of those its client's capabilities ask
/// for (`batch` is given only when the client takes batches).
#[derive(Debug, Default)]
pub(super) struct Want {
    pub batch: Option<String>,
    pub msgid: Option<String>,
    pub time: Option<u64>,
}

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    /// Lines IRC client `ci` gets, in the order it gets them: each within
    /// IRC's rules once its tag section is off ([`check_line`]), the tag
    /// section well formed ([`split_tags`]); `BATCH` lines taken out and
    /// checked: a batch opens only for a client with `batch` and
    /// `server-time`, only for `chathistory` of a channel, never inside
    /// another; a `batch` tag names the open batch; a batch closes by its
    /// reference, not empty, and only a frame's lines or the end of the
    /// hub's output (`handle_caught_up`, which writes nothing else) open
    /// or close one. The bridge's answers to a line carry no tags (they
    /// may come while a batch is open: it is not theirs). The other
    /// lines are returned with the batch open when each came.
    pub(super) fn show(
        &mut self,
        ci: usize,
        lines: &[Vec<u8>],
        name: &str,
        origin: Origin,
    ) -> Result<Vec<Shown>, String> {
        let mut shown = Vec::new();
        for line in lines {
            self.stats.lines_out += 1;
            let text = String::from_utf8_lossy(line);
            let (tags, body) = split_tags(line)?;
            check_line(body, name)?;
            let m = parse(&body[..body.len() - 2]).map_err(|e| format!("{e}: {text:?}"))?;
            let c = &mut self.clients[ci];
            if m.is("BATCH") {
                ensure!(
                    origin != Origin::Reply && m.prefix == Some(SERVER) && tags.is_empty(),
                    "a BATCH line as {origin:?}: {text:?}"
                );
                let reference = m.param(0).unwrap_or_default();
                if let Some(r) = reference.strip_prefix('+') {
                    ensure!(
                        origin == Origin::Frame,
                        "a batch opened as {origin:?}: {text:?}"
                    );
                    ensure!(
                        c.caps.batch && c.caps.time,
                        "a batch for a client without batch and server-time ({:?}): {text:?}",
                        c.caps
                    );
                    if let Some(open) = &c.batch {
                        return Err(format!("a batch inside batch {open:?}: {text:?}"));
                    }
                    let room = m.param(2).and_then(|r| r.strip_prefix('#'));
                    let Some(room) = room.filter(|_| {
                        !r.is_empty() && m.params().len() == 3 && m.param(1) == Some("chathistory")
                    }) else {
                        return Err(format!("not a chathistory batch of a channel: {text:?}"));
                    };
                    c.batch = Some(Batch {
                        reference: r.to_string(),
                        room: room.to_string(),
                        lines: 0,
                    });
                } else if let Some(r) = reference.strip_prefix('-') {
                    let open = c.batch.take();
                    ensure!(
                        open.as_ref().is_some_and(|b| b.reference == r
                            && b.lines > 0
                            && m.params().len() == 1),
                        "{text:?} closes {open:?}"
                    );
                    self.stats.batches += 1;
                } else {
                    return Err(format!("a BATCH neither opened nor closed: {text:?}"));
                }
                continue;
            }
            ensure!(
                origin != Origin::CaughtUp,
                "catching up wrote more than a batch's end: {text:?}"
            );
            ensure!(
                origin == Origin::Frame || tags.is_empty(),
                "tags on an answer: {text:?}"
            );
            if let Some((_, b)) = tags.iter().find(|(k, _)| k == "batch") {
                match c.batch.as_mut() {
                    Some(open) if open.reference == *b => open.lines += 1,
                    open => return Err(format!("{text:?} in a batch; open: {open:?}")),
                }
            }
            shown.push(Shown {
                tags,
                body: body.to_vec(),
                in_batch: c
                    .batch
                    .as_ref()
                    .map(|b| (b.reference.clone(), b.room.clone())),
            });
        }
        Ok(shown)
    }

    /// Line `s` of IRC client `ci` carries exactly the tags `want` names
    /// that its capabilities turn on, in the bridge's order (`batch`,
    /// `msgid`, `time`), and no others.
    pub(super) fn expect_tags(&mut self, ci: usize, s: &Shown, want: Want) -> Check {
        let caps = self.clients[ci].caps;
        let mut due = Vec::new();
        if let Some(b) = want.batch {
            due.push(("batch".to_string(), b));
        }
        if let Some(id) = want.msgid.filter(|_| caps.tags) {
            due.push(("msgid".to_string(), id));
            self.stats.msgids += 1;
        }
        if let Some(t) = want.time.filter(|_| caps.time) {
            due.push(("time".to_string(), rfc3339(t)));
            self.stats.timed += 1;
        }
        ensure!(
            s.tags == due,
            "tags {:?} where {due:?} are due ({caps:?}): {:?}",
            s.tags,
            String::from_utf8_lossy(&s.body)
        );
        Ok(())
    }

    /// A line of client `ci`'s (`line`, which made `replies`) was read:
    /// a `CAP REQ` is answered `ACK` exactly when
    /// every name it lists is one the server offers (`NAK` otherwise,
    /// and for none), repeating the list, and an `ACK` turns them on.
    pub(super) fn read_line(&mut self, ci: usize, line: &Message<'_>, replies: &[Shown]) -> Check {
        let c = &mut self.clients[ci];
        let request = (line.is("CAP")
            && line.param(0).is_some_and(|s| s.eq_ignore_ascii_case("REQ")))
        .then(|| line.param(1).unwrap_or_default());
        let mut answered = false;
        for reply in replies {
            let Ok(m) = parse(&reply.body[..reply.body.len() - 2]) else {
                continue;
            };
            let answer = m
                .param(1)
                .filter(|a| m.is("CAP") && (*a == "ACK" || *a == "NAK"));
            let Some(answer) = answer else {
                continue;
            };
            let list = m.param(2).unwrap_or_default();
            ensure!(
                request == Some(list) && !answered,
                "{answer} {list:?} for {} {:?}",
                line.command,
                line.params()
            );
            answered = true;
            let known = |w: &str| {
                let name = w.strip_prefix('-').unwrap_or(w);
                CAPABILITIES.iter().any(|c| c.name == name)
            };
            let words: Vec<&str> = list.split(' ').filter(|w| !w.is_empty()).collect();
            let ok = !words.is_empty() && words.iter().all(|w| known(w));
            ensure!((answer == "ACK") == ok, "{answer} for the request {list:?}");
            if ok {
                c.caps.apply(list);
                self.stats.caps_acked += 1;
            } else {
                self.stats.caps_naked += 1;
            }
        }
        ensure!(
            request.is_none() || answered,
            "CAP REQ {request:?} got neither ACK nor NAK"
        );
        Ok(())
    }

    /// The lines of a live `Parted` with `FLAG_QUIT` of `nick` at `time`
    /// in `room`, for IRC client `ci`: one `QUIT :reason` from the quitter,
    /// tagged with its time, the first time the quit shows; none for the
    /// same quit in another room. The quit is the same when its nickname
    /// and time are and its rooms so far do not hold `room` (a quitter
    /// leaves each room once). A bridge remembers the last
    /// [`RECENT_QUITS`] quit events, so once that many came after a quit
    /// was first shown, it may show it again or not.
    pub(super) fn quit(
        &mut self,
        ci: usize,
        room: &str,
        nick: &str,
        time: u64,
        reason: &str,
        lines: &[Shown],
    ) -> Check {
        let c = &mut self.clients[ci];
        let (k, r) = (key(nick), key(room));
        let events = c.quit_events;
        c.quit_events += 1;
        let seen = c
            .quits
            .iter_mut()
            .rev()
            .find(|q| q.nick == k && q.time == time);
        let (due, lenient) = match seen {
            Some(q) if !q.rooms.contains(&r) => {
                q.rooms.insert(r);
                (0, events - q.first >= RECENT_QUITS)
            }
            seen => {
                let lenient = seen.is_some_and(|q| events - q.first >= RECENT_QUITS);
                c.quits.push(QuitSeen {
                    nick: k,
                    time,
                    rooms: BTreeSet::from([r]),
                    first: events,
                });
                (1, lenient)
            }
        };
        ensure!(
            lines.len() == due || lenient && lines.len() <= 1,
            "{} lines for the quit of {nick} in {room} ({} due): {:?}",
            lines.len(),
            due,
            lines
                .iter()
                .map(|l| String::from_utf8_lossy(&l.body).into_owned())
                .collect::<Vec<_>>()
        );
        if due == 0 {
            self.stats.quits_merged += 1;
        }
        for line in lines {
            let m = parse(&line.body[..line.body.len() - 2]).map_err(|e| e.to_string())?;
            ensure!(
                m.prefix == Some(user_prefix(nick).as_str())
                    && m.is("QUIT")
                    && m.params().len() == 1
                    && m.param(0) == Some(reason),
                "the quit of {nick} ({reason:?}) is {:?}",
                String::from_utf8_lossy(&line.body)
            );
            self.expect_tags(
                ci,
                line,
                Want {
                    time: Some(time),
                    ..Want::default()
                },
            )?;
            self.stats.quits += 1;
        }
        Ok(())
    }
}

/// One line of `lines`, parsed, from `prefix` with `command` and first
/// parameter `first`.
pub(super) fn one_line<'l>(
    lines: &'l [Shown],
    prefix: &str,
    command: &str,
    first: &str,
) -> Result<(&'l Shown, Message<'l>), String> {
    let [line] = lines else {
        return Err(format!("{} lines for one {command}", lines.len()));
    };
    let m = parse(&line.body[..line.body.len() - 2]).map_err(|e| e.to_string())?;
    ensure!(
        m.prefix == Some(prefix) && m.is(command) && m.param(0) == Some(first),
        "expected {command} {first} from {prefix}, got {:?}",
        String::from_utf8_lossy(&line.body)
    );
    Ok((line, m))
}

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    /// What every frame's lines share: none but a replayed message's is
    /// inside a batch (the bridge closes one before anything else), and
    /// only lines about what a member did carry tags (those are checked
    /// by kind: [`message_lines`](Self::message_lines),
    /// [`event_lines`](Self::event_lines), [`echo`](Self::echo),
    /// `Private`).
    pub(super) fn tags_of(&mut self, _ci: usize, frame: &Frame<'_>, lines: &[Shown]) -> Check {
        let tagged = matches!(
            frame,
            Frame::Message { .. }
                | Frame::Private { .. }
                | Frame::Ack { .. }
                | Frame::Joined { .. }
                | Frame::Parted { .. }
                | Frame::NickChanged { .. }
                | Frame::TopicChanged { .. }
        );
        for line in lines {
            let body = String::from_utf8_lossy(&line.body);
            if !matches!(frame, Frame::Message { .. }) {
                ensure!(
                    line.in_batch.is_none(),
                    "{body:?} inside batch {:?}",
                    line.in_batch
                );
            }
            ensure!(
                tagged || line.tags.is_empty(),
                "tags {:?} on {body:?}",
                line.tags
            );
        }
        Ok(())
    }

    /// The lines of a room `Message` for IRC client `ci`, in a stay of
    /// `epoch`: live, or replayed with `server-time`, `PRIVMSG`/`NOTICE`
    /// lines from the sender (a CTCP `ACTION` for an action) cut as
    /// [`text_lines`] says, each tagged with the message's `msgid` (later
    /// pieces `/2`, `/3`...) and time, and a replayed one with the open
    /// batch of its room when the client takes batches; replayed without
    /// `server-time`, untagged `NOTICE`s from the server reading
    /// `[HH:MM] <nick> text` (or `* nick text`) at the time in UTC.
    pub(super) fn message_lines(
        &mut self,
        ci: usize,
        frame: &Frame<'_>,
        epoch: u32,
        live: bool,
        lines: &[Shown],
    ) -> Check {
        let Frame::Message {
            room,
            id,
            time,
            from,
            flags,
            text,
        } = *frame
        else {
            return Ok(());
        };
        let caps = self.clients[ci].caps;
        let target = format!("#{room}");
        let action = flags & FLAG_ACTION != 0;
        if live || caps.time {
            text_lines(
                lines,
                &user_prefix(from),
                command_of(flags),
                &target,
                action,
                text,
            )?;
            for (i, line) in lines.iter().enumerate() {
                let batch = if live {
                    ensure!(
                        line.in_batch.is_none(),
                        "a live message inside batch {:?}",
                        line.in_batch
                    );
                    None
                } else if caps.batch {
                    match &line.in_batch {
                        Some((r, b)) if same_name(b, room) => Some(r.clone()),
                        other => {
                            return Err(format!("a replayed message of {room} in batch {other:?}"));
                        }
                    }
                } else {
                    None
                };
                let want = Want {
                    batch,
                    msgid: Some(msgid(room, epoch, id, i + 1)),
                    time: Some(time),
                };
                self.expect_tags(ci, line, want)?;
            }
            if !live {
                self.stats.history += 1;
                self.stats.timed_history += 1;
            }
        } else {
            let minutes = time / 60_000 % (24 * 60);
            let (h, m) = (minutes / 60, minutes % 60);
            let line = if action {
                format!("[{h:02}:{m:02}] * {from} {text}")
            } else {
                format!("[{h:02}:{m:02}] <{from}> {text}")
            };
            text_lines(lines, SERVER, "NOTICE", &target, false, &line)?;
            for l in lines {
                ensure!(
                    l.tags.is_empty() && l.in_batch.is_none(),
                    "a replayed notice with tags {:?} in batch {:?}",
                    l.tags,
                    l.in_batch
                );
            }
            self.stats.history += 1;
        }
        if lines.len() > 1 {
            self.stats.split += 1;
        }
        Ok(())
    }

    /// The line of a live room event other than a message, for IRC
    /// client `ci` in a stay of `epoch`: `JOIN`, `PART #room :reason`
    /// and `TOPIC` from the member, with the event's `msgid` and time; a
    /// quit as [`quit`](Self::quit) says; a nickname change as at most one
    /// `NICK` (the bridge shows a change the hub reports in several
    /// rooms once) with its time.
    pub(super) fn event_lines(
        &mut self,
        ci: usize,
        frame: &Frame<'_>,
        epoch: u32,
        lines: &[Shown],
    ) -> Check {
        let tags = |room, id, time| Want {
            batch: None,
            msgid: Some(msgid(room, epoch, id, 1)),
            time: Some(time),
        };
        match *frame {
            Frame::Joined {
                room,
                id,
                time,
                nick,
            } => {
                let (line, _) = one_line(lines, &user_prefix(nick), "JOIN", &format!("#{room}"))?;
                self.expect_tags(ci, line, tags(room, id, time))
            }
            Frame::Parted {
                room,
                time,
                nick,
                flags,
                reason,
                ..
            } if flags & FLAG_QUIT != 0 => self.quit(ci, room, nick, time, reason, lines),
            Frame::Parted {
                room,
                id,
                time,
                nick,
                reason,
                ..
            } => {
                let (line, m) = one_line(lines, &user_prefix(nick), "PART", &format!("#{room}"))?;
                ensure!(
                    m.param(1).unwrap_or_default() == reason && m.params().len() <= 2,
                    "the part of {nick} for {reason:?} is {:?}",
                    m.params()
                );
                self.stats.parts += 1;
                self.expect_tags(ci, line, tags(room, id, time))
            }
            Frame::NickChanged { time, old, new, .. } => {
                ensure!(lines.len() <= 1, "{} lines for a new nickname", lines.len());
                for line in lines {
                    let m = parse(&line.body[..line.body.len() - 2]).map_err(|e| e.to_string())?;
                    ensure!(
                        m.prefix == Some(user_prefix(old).as_str())
                            && m.is("NICK")
                            && m.param(0) == Some(new),
                        "{old} became {new}: {:?}",
                        String::from_utf8_lossy(&line.body)
                    );
                    let want = Want {
                        time: Some(time),
                        ..Want::default()
                    };
                    self.expect_tags(ci, line, want)?;
                }
                Ok(())
            }
            Frame::TopicChanged {
                room, id, time, by, ..
            } => {
                let (line, _) = one_line(lines, &user_prefix(by), "TOPIC", &format!("#{room}"))?;
                self.expect_tags(ci, line, tags(room, id, time))
            }
            _ => Ok(()),
        }
    }

    /// The lines of the hub's `Ack` of IRC client `ci`'s `asked`, event
    /// `id` of `room` (in a stay of `epoch`; no room for a whisper) at
    /// `time`: sent with `echo-message` on, the message itself from the
    /// client's own nickname to the target as it wrote it, cut as [`text_lines`]
    /// says, with the event's `msgid` (a room's) and time; sent without
    /// it (even if turned on since), nothing. (An `Ack` comes once per request, so this is an echo
    /// exactly once; a refusal's lines are the server's alone.)
    #[allow(clippy::too_many_arguments)]
    pub(super) fn echo(
        &mut self,
        ci: usize,
        asked: &Asked,
        room: &str,
        epoch: Option<u32>,
        id: u64,
        time: u64,
        lines: &[Shown],
    ) -> Check {
        let c = &self.clients[ci];
        if !asked.echo {
            ensure!(
                lines.is_empty(),
                "{} lines for the Ack of a message sent without echo-message",
                lines.len()
            );
            return Ok(());
        }
        let me = c.nick.clone().ok_or("an Ack before the welcome")?;
        let action = asked.flags & FLAG_ACTION != 0;
        let command = command_of(asked.flags);
        text_lines(
            lines,
            &user_prefix(&me),
            command,
            &asked.target,
            action,
            &asked.text,
        )
        .map_err(|e| format!("the echo of {asked:?}: {e}"))?;
        for (i, line) in lines.iter().enumerate() {
            let msgid = match (room.is_empty(), epoch) {
                (true, _) => None,
                (false, Some(epoch)) => Some(msgid(room, epoch, id, i + 1)),
                (false, None) => return Err(format!("an echo in {room}, which it is not in")),
            };
            let want = Want {
                batch: None,
                msgid,
                time: Some(time),
            };
            self.expect_tags(ci, line, want)?;
        }
        self.stats.echoes += 1;
        Ok(())
    }
}

//! natter to IRC: the frames the hub sends a connection, as IRC lines.

use heapless::String;

use super::caps::{Caps, ISUPPORT};
use super::control::prefixes;
use super::write::{Prefix, Source, Tags, user_prefix};
use super::{
    Bridge, Joined, Lines, QuitSeen, TAG_NOTICE, TAG_PRIVMSG, channel, or_star, truncated,
};
use crate::error::ErrorCode;
use crate::irc::numeric::Numeric;
use crate::irc::{MAX_LINE, MAX_PARAMS};
use crate::wire::{
    FLAG_ACTION, FLAG_MORE, FLAG_NOTICE, FLAG_QUIT, FLAG_REMOVED, Frame, MAX_SHORT, MAX_TEXT,
    name_key, same_name,
};

impl Bridge {
    /// One frame the hub sent this connection.
    pub fn handle_frame(&mut self, frame: &Frame<'_>, out: &mut impl Lines) {
        if self.batch.is_some() && !self.continues_batch(frame) {
            self.close_batch(out);
        }
        match *frame {
            Frame::Welcome { nick, lobby, .. } => self.welcome(nick, lobby, out),
            Frame::Entered {
                room,
                topic,
                epoch,
                next_id,
                ..
            } => {
                let joined = Joined {
                    name: truncated(room),
                    next_id,
                    epoch,
                };
                self.rooms.retain(|r| !same_name(&r.name, room));
                let _ = self.rooms.push(joined);
                let me = self.nick.clone();
                self.from(out, &me, "JOIN", &[&channel(room)]);
                // As IRC servers do: 332 on joining only when there is a
                // topic (331 answers a query; HexChat shows it raw).
                if !topic.is_empty() {
                    self.topic_reply(out, room, topic);
                }
            }
            Frame::Names {
                room,
                flags,
                nicks,
                roles,
            } => {
                let with_roles = nicks
                    .iter()
                    .enumerate()
                    .map(|(i, nick)| (nick, roles.get(i).copied().unwrap_or(0)));
                self.names_reply(out, room, &mut with_roles.into_iter());
                if flags & FLAG_MORE == 0 {
                    self.end_of_names(out, &channel(room));
                }
            }
            Frame::Left { room, reason } => {
                self.rooms.retain(|r| !same_name(&r.name, room));
                let me = self.nick.clone();
                if reason.is_empty() {
                    self.from(out, &me, "PART", &[&channel(room)]);
                } else {
                    self.from(out, &me, "PART", &[&channel(room), reason]);
                }
            }
            // A message an operator removed: IRC shows nothing of it.
            Frame::Message { flags, .. } if flags & FLAG_REMOVED != 0 => {}
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                let action = flags & FLAG_ACTION != 0;
                let command = if flags & FLAG_NOTICE != 0 {
                    "NOTICE"
                } else {
                    "PRIVMSG"
                };
                let mut tags = self.event_tags(room, id, time);
                if !self.is_history(room, id) {
                    let source = Source::User(from);
                    self.text_tagged(out, &tags, source, command, &channel(room), text, action);
                } else if self.caps.has(Caps::SERVER_TIME) {
                    // Replayed history as it was said, at its own time,
                    // in a batch when the client takes batches.
                    tags.batch = self.open_batch(room, out);
                    let source = Source::User(from);
                    self.text_tagged(out, &tags, source, command, &channel(room), text, action);
                } else {
                    // Without `server-time`, replayed history is a notice
                    // from the server with the time it was said, so it
                    // does not read as live.
                    let mut line: String<{ MAX_TEXT + 64 }> = String::new();
                    let _ = push_time(&mut line, time, self.utc_offset);
                    let _ = if action {
                        line.push_str("* ")
                            .and(line.push_str(from))
                            .and(line.push(' '))
                    } else {
                        line.push('<')
                            .and(line.push_str(from))
                            .and(line.push_str("> "))
                    };
                    let _ = line.push_str(text);
                    self.text(out, Source::Server, "NOTICE", &channel(room), &line, false);
                }
            }
            Frame::Joined {
                room,
                id,
                time,
                nick,
            } if !self.is_history(room, id) => {
                let tags = self.event_tags(room, id, time);
                self.event_line(out, &tags, nick, "JOIN", &[&channel(room)]);
            }
            Frame::Parted {
                room,
                id,
                time,
                nick,
                flags,
                reason,
            } if !self.is_history(room, id) => {
                let tags = self.event_tags(room, id, time);
                if flags & FLAG_QUIT == 0 {
                    self.event_line(out, &tags, nick, "PART", &[&channel(room), reason]);
                } else if self.first_news_of_quit(nick, room, time) {
                    // The hub says it in each shared room; IRC once.
                    let tags = Tags {
                        time: Some(time),
                        ..Tags::NONE
                    };
                    self.event_line(out, &tags, nick, "QUIT", &[reason]);
                }
            }
            Frame::NickChanged {
                room,
                id,
                time,
                old,
                new,
            } if !self.is_history(room, id) => {
                let pair = (truncated(old), truncated(new));
                if self.last_rename.as_ref() != Some(&pair) {
                    let tags = Tags {
                        time: Some(time),
                        ..Tags::NONE
                    };
                    self.event_line(out, &tags, old, "NICK", &[new]);
                    self.last_rename = Some(pair);
                }
            }
            Frame::TopicChanged {
                room,
                id,
                time,
                by,
                topic,
            } if !self.is_history(room, id) => {
                let tags = self.event_tags(room, id, time);
                self.event_line(out, &tags, by, "TOPIC", &[&channel(room), topic]);
            }
            Frame::Private {
                time,
                from,
                flags,
                text,
            } => {
                let me = self.nick.clone();
                let action = flags & FLAG_ACTION != 0;
                let command = if flags & FLAG_NOTICE != 0 {
                    "NOTICE"
                } else {
                    "PRIVMSG"
                };
                let tags = Tags {
                    time: Some(time),
                    ..Tags::NONE
                };
                self.text_tagged(out, &tags, Source::User(from), command, &me, text, action);
            }
            Frame::Ack {
                tag,
                room,
                id,
                time,
            } if (tag == TAG_PRIVMSG || tag == TAG_NOTICE) && self.answers_echo() => {
                self.echo(out, room, id, time)
            }
            Frame::Gap { room, missed } => {
                let mut line: String<128> = String::new();
                let _ = core::fmt::write(
                    &mut line,
                    format_args!(
                        "You missed {missed} messages here: the server could not send them to you in time"
                    ),
                );
                self.text(out, Source::Server, "NOTICE", &channel(room), &line, false);
            }
            Frame::NickSet { nick } => {
                let old = core::mem::replace(&mut self.nick, truncated(nick));
                self.from(out, &old, "NICK", &[nick]);
            }
            Frame::Error { code, tag, subject } => {
                if (tag == TAG_PRIVMSG || tag == TAG_NOTICE) && self.answers_echo() {
                    // Refused: nothing to echo.
                    self.echo = None;
                }
                self.error(code, tag, subject, out)
            }
            Frame::Ping { token } => {
                self.ping = token;
                let server = self.server.clone();
                self.send(out, None, "PING", &[&server]);
            }
            Frame::Bye { reason, .. } => {
                let mut line: String<{ MAX_SHORT + 16 }> = String::new();
                let _ = line.push_str("Closing link: ");
                let _ = line.push_str(reason);
                self.send(out, None, "ERROR", &[&line]);
            }
            Frame::YouAre { .. }
            | Frame::RoomState { .. }
            | Frame::ModeChanged { .. }
            | Frame::Kicked { .. }
            | Frame::Listed { .. }
            | Frame::Redacted { .. }
            | Frame::Invited { .. } => self.control_frame(frame, out),
            // History the bridge passes over, and frames a server never
            // sends a client.
            _ => {}
        }
    }

    /// The hub has nothing more for this connection for now: a batch of
    /// replayed history still open is complete (a client shows a batch
    /// once it ends). The driver calls this whenever it has taken all the
    /// hub had for the connection.
    pub fn handle_caught_up(&mut self, out: &mut impl Lines) {
        if self.batch.is_some() {
            self.close_batch(out);
        }
    }

    /// Does `frame` belong in the open batch: replayed history of its room?
    fn continues_batch(&self, frame: &Frame<'_>) -> bool {
        match (frame, &self.batch) {
            (Frame::Message { room, id, .. }, Some((_, batch))) => {
                same_name(room, batch) && self.is_history(room, *id)
            }
            _ => false,
        }
    }

    /// The batch for replayed history of `room`, opened if it is not yet;
    /// `None` when the client takes no batches.
    fn open_batch(&mut self, room: &str, out: &mut impl Lines) -> Option<u32> {
        if !self.caps.has(Caps::BATCH) {
            return None;
        }
        if let Some((reference, _)) = &self.batch {
            return Some(*reference);
        }
        self.batches = self.batches.wrapping_add(1);
        let reference = self.batches;
        self.batch = Some((reference, truncated(room)));
        let mut start: String<16> = String::new();
        let _ = core::fmt::write(&mut start, format_args!("+{reference}"));
        let server = self.server.clone();
        self.send(
            out,
            Some(&server),
            "BATCH",
            &[&start, "chathistory", &channel(room)],
        );
        Some(reference)
    }

    /// Close the open batch of replayed history, if there is one.
    pub(crate) fn close_batch(&mut self, out: &mut (impl Lines + ?Sized)) {
        if let Some((reference, _)) = self.batch.take() {
            let mut end: String<16> = String::new();
            let _ = core::fmt::write(&mut end, format_args!("-{reference}"));
            let server = self.server.clone();
            self.send(out, Some(&server), "BATCH", &[&end]);
        }
    }

    /// A live room `Message`'s lines without tags: the same for every
    /// member who shows it live (`shared::SharedLines` keeps them, and
    /// [`copy_live`](Bridge::copy_live) adds each member's tags).
    pub(crate) fn live_lines(&self, frame: &Frame<'_>, out: &mut (impl Lines + ?Sized)) {
        if let Frame::Message {
            room,
            from,
            flags,
            text,
            ..
        } = *frame
            && flags & FLAG_REMOVED == 0
        {
            let action = flags & FLAG_ACTION != 0;
            let command = if flags & FLAG_NOTICE != 0 {
                "NOTICE"
            } else {
                "PRIVMSG"
            };
            let source = Source::User(from);
            self.text(out, source, command, &channel(room), text, action);
        }
    }

    /// The hub answered a `PRIVMSG`/`NOTICE`: is it the answer to the
    /// message waiting to be echoed? The hub answers in order, so not
    /// while messages sent before it are unanswered.
    fn answers_echo(&mut self) -> bool {
        self.unanswered = self.unanswered.saturating_sub(1);
        match &mut self.echo {
            Some(echo) if echo.after > 0 => {
                echo.after -= 1;
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    /// The hub took the message waiting to be echoed as event `id` of
    /// `room` (or, for a private message, `room` is empty) at `time`.
    fn echo(&mut self, out: &mut impl Lines, room: &str, id: u64, time: u64) {
        let Some(echo) = self.echo.take() else {
            return;
        };
        let tags = if room.is_empty() {
            Tags {
                time: Some(time),
                ..Tags::NONE
            }
        } else {
            self.event_tags(room, id, time)
        };
        let command = if echo.notice { "NOTICE" } else { "PRIVMSG" };
        let me = self.nick.clone();
        let source = Source::User(&me);
        self.text_tagged(
            out,
            &tags,
            source,
            command,
            &echo.target,
            &echo.text,
            echo.action,
        );
    }

    /// `353 RPL_NAMREPLY` lines for `nicks` of `room`.
    fn names_reply(
        &self,
        out: &mut (impl Lines + ?Sized),
        room: &str,
        nicks: &mut dyn Iterator<Item = (&str, u8)>,
    ) {
        let mut names = NameLines::new(self, room);
        for (nick, roles) in nicks {
            names.push(self, out, nick, roles);
        }
        names.finish(self, out);
    }

    pub(super) fn end_of_names(&self, out: &mut (impl Lines + ?Sized), target: &str) {
        self.numeric(
            out,
            Numeric::RPL_ENDOFNAMES,
            &[target, "End of /NAMES list"],
        );
    }

    pub(super) fn welcome(&mut self, nick: &str, lobby: &str, out: &mut impl Lines) {
        self.welcomed = true;
        self.nick = truncated(nick);
        let mut text: String<128> = String::new();
        let _ = text.push_str("Welcome to natter, ");
        let _ = text.push_str(nick);
        self.numeric(out, Numeric::RPL_WELCOME, &[&text]);
        let server = self.server.clone();
        let mut host: String<128> = String::new();
        let _ = host.push_str("Your host is ");
        let _ = host.push_str(&server);
        let _ = host.push_str(", running natter");
        self.numeric(out, Numeric::RPL_YOURHOST, &[&host]);
        self.numeric(
            out,
            Numeric::RPL_CREATED,
            &["This server speaks natter and IRC on one port"],
        );
        self.numeric(
            out,
            Numeric::RPL_MYINFO,
            &[&server, "natter-0.1", "i", "NPSbiklmotv", "Sbklov"],
        );
        // As many tokens to a line as IRC's 15 parameters take, with the
        // nickname first and the words last.
        for chunk in ISUPPORT.chunks(MAX_PARAMS - 2) {
            let mut tokens: heapless::Vec<&str, { MAX_PARAMS - 1 }> =
                chunk.iter().map(|&(token, _)| token).collect();
            let _ = tokens.push("are supported by this server");
            self.numeric(out, Numeric::RPL_ISUPPORT, &tokens);
        }
        self.numeric(out, Numeric::ERR_NOMOTD, &["MOTD File is missing"]);
        if !lobby.is_empty() {
            let mut hint: String<96> = String::new();
            let _ = hint.push_str("The lobby is #");
            let _ = hint.push_str(lobby);
            let _ = hint.push_str(": /join #");
            let _ = hint.push_str(lobby);
            let me = self.nick.clone();
            self.text(out, Source::Server, "NOTICE", &me, &hint, false);
        }
    }

    pub(super) fn error(&mut self, code: ErrorCode, tag: u32, subject: &str, out: &mut impl Lines) {
        if tag == TAG_NOTICE {
            // IRC never answers a NOTICE.
            return;
        }
        let ch = channel(subject);
        // Refusals about a member name it and the room ("bob maths");
        // refusals of a mode name the room and the letter ("maths k").
        let (first, second) = subject.split_once(' ').unwrap_or((subject, "*"));
        match code {
            ErrorCode::NickTaken => {
                self.hello_sent = false;
                self.numeric(
                    out,
                    Numeric::ERR_NICKNAMEINUSE,
                    &[subject, "Nickname is already in use"],
                );
            }
            ErrorCode::BadNick => {
                self.hello_sent = false;
                self.numeric(
                    out,
                    Numeric::ERR_ERRONEUSNICKNAME,
                    &[or_star(subject), crate::wire::NICK_RULES],
                );
            }
            ErrorCode::BadPassword | ErrorCode::TooManyGuesses if self.welcomed => {
                // A wrong `OPER` password: still connected.
                self.numeric(out, Numeric::ERR_PASSWDMISMATCH, &["Password incorrect"]);
            }
            ErrorCode::BadPassword | ErrorCode::TooManyGuesses => {
                self.hello_sent = false;
                self.numeric(out, Numeric::ERR_PASSWDMISMATCH, &["Password incorrect"]);
            }
            ErrorCode::NoSuchNick => self.numeric(
                out,
                Numeric::ERR_NOSUCHNICK,
                &[subject, "No such nick/channel"],
            ),
            ErrorCode::NotInRoom if tag == TAG_PRIVMSG => self.numeric(
                out,
                Numeric::ERR_CANNOTSENDTOCHAN,
                &[&ch, "Cannot send to channel (join it first)"],
            ),
            ErrorCode::NotInRoom => self.numeric(
                out,
                Numeric::ERR_NOTONCHANNEL,
                &[&ch, "You're not on that channel"],
            ),
            ErrorCode::RoomFull => self.numeric(
                out,
                Numeric::ERR_CHANNELISFULL,
                &[&ch, "Cannot join channel (+l)"],
            ),
            ErrorCode::TooManyRooms => self.numeric(
                out,
                Numeric::ERR_TOOMANYCHANNELS,
                &[&ch, "You have joined too many channels"],
            ),
            ErrorCode::BadRoom | ErrorCode::RoomsFixed | ErrorCode::NoFreeRoom => {
                self.numeric(out, Numeric::ERR_NOSUCHCHANNEL, &[&ch, code.describe()])
            }
            ErrorCode::AlreadyInRoom => {}
            ErrorCode::TheyAreInRoom => self.numeric(
                out,
                Numeric::ERR_USERONCHANNEL,
                &[first, &channel(second), "is already on that channel"],
            ),
            ErrorCode::NoSuchRoom => {
                self.numeric(out, Numeric::ERR_NOSUCHCHANNEL, &[&ch, "No such channel"])
            }
            ErrorCode::Moderated | ErrorCode::Muted | ErrorCode::SlowMode => {
                self.numeric(out, Numeric::ERR_CANNOTSENDTOCHAN, &[&ch, code.describe()])
            }
            ErrorCode::PrivateOff => self.numeric(
                out,
                Numeric::ERR_CANNOTSENDTOCHAN,
                &[subject, code.describe()],
            ),
            ErrorCode::NotOperator => self.numeric(
                out,
                Numeric::ERR_CHANOPRIVSNEEDED,
                &[&ch, "You're not channel operator"],
            ),
            ErrorCode::TeacherProtected => self.numeric(
                out,
                Numeric::ERR_CHANOPRIVSNEEDED,
                &[subject, code.describe()],
            ),
            ErrorCode::TheyAreNotInRoom => self.numeric(
                out,
                Numeric::ERR_USERNOTINCHANNEL,
                &[first, &channel(second), "They aren't on that channel"],
            ),
            ErrorCode::Banned => self.numeric(
                out,
                Numeric::ERR_BANNEDFROMCHAN,
                &[&ch, "Cannot join channel (+b)"],
            ),
            ErrorCode::InviteOnly => self.numeric(
                out,
                Numeric::ERR_INVITEONLYCHAN,
                &[&ch, "Cannot join channel (+i)"],
            ),
            ErrorCode::BadKey => self.numeric(
                out,
                Numeric::ERR_BADCHANNELKEY,
                &[&ch, "Cannot join channel (+k)"],
            ),
            ErrorCode::NoTeacher => self.numeric(
                out,
                Numeric::ERR_NOOPERHOST,
                &["No O-lines for your host: this server has no teacher password"],
            ),
            ErrorCode::NickLocked => {
                self.numeric(out, Numeric::ERR_NONICKCHANGE, &[code.describe()])
            }
            ErrorCode::UnknownMode => {
                self.numeric(out, Numeric::ERR_UNKNOWNMODE, &[second, code.describe()])
            }
            ErrorCode::BadModeArg => self.numeric(
                out,
                Numeric::ERR_INVALIDMODEPARAM,
                &[&channel(first), second, "*", code.describe()],
            ),
            ErrorCode::ListFull => self.numeric(
                out,
                Numeric::ERR_BANLISTFULL,
                &[&channel(first), second, code.describe()],
            ),

            ErrorCode::BadText => self.numeric(out, Numeric::ERR_NOTEXTTOSEND, &[code.describe()]),
            _ => {
                let me = or_star(&self.nick);
                self.text(out, Source::Server, "NOTICE", me, code.describe(), false);
            }
        }
    }

    /// `true` the first time the quit of `nick` at `time` reaches this
    /// bridge: a quit is a `Parted` in every room the member was in, all
    /// at the same time, and IRC shows one `QUIT`. The rooms' events may
    /// interleave (one room's backlog is sent before the next), so the
    /// last `RECENT_QUITS` reports are remembered, each with its room;
    /// more than that in flight at once could show a quit twice, which
    /// clients take as a no-op. A member leaves a room once, so a quit of
    /// the same nickname and time in a room already reported is another
    /// quit: the member came back under that name and quit again within
    /// the millisecond, and it shows too.
    fn first_news_of_quit(&mut self, nick: &str, room: &str, time: u64) -> bool {
        // The key and the time's low bits: quits of one nickname a
        // millisecond apart never meet within 49 days.
        let seen = QuitSeen {
            nick: name_key(nick),
            time: (time & 0xffff_ffff) as u32,
            room: name_key(room),
        };
        let same = |q: &QuitSeen| q.nick == seen.nick && q.time == seen.time;
        let news = if self.quits.iter().any(|q| *q == seen) {
            // Another quit: forget the earlier one's rooms.
            let earlier = core::mem::take(&mut self.quits);
            for q in earlier.iter().filter(|q| !same(q)) {
                let _ = self.quits.push_back(*q);
            }
            true
        } else {
            !self.quits.iter().any(same)
        };
        if self.quits.is_full() {
            self.quits.pop_front();
        }
        let _ = self.quits.push_back(seen);
        news
    }

    pub(super) fn topic_reply(&mut self, out: &mut (impl Lines + ?Sized), room: &str, topic: &str) {
        let ch = channel(room);
        if topic.is_empty() {
            self.numeric(out, Numeric::RPL_NOTOPIC, &[&ch, "No topic is set"]);
        } else {
            self.numeric(out, Numeric::RPL_TOPIC, &[&ch, topic]);
        }
    }
}

/// `[HH:MM] ` of a server time (milliseconds since the Unix epoch), at
/// `utc_offset` minutes from UTC.
pub(super) fn push_time<const N: usize>(
    line: &mut String<N>,
    time_ms: u64,
    utc_offset: i32,
) -> Result<(), ()> {
    const DAY: i64 = 24 * 60;
    let utc = (time_ms / 60_000 % DAY as u64) as i64;
    let minutes = (utc + i64::from(utc_offset)).rem_euclid(DAY);
    let (h, m) = (minutes / 60, minutes % 60);
    core::fmt::write(line, format_args!("[{h:02}:{m:02}] ")).map_err(|_| ())
}

/// `353 RPL_NAMREPLY` lines being filled: as many names to a line as fit
/// (with `userhost-in-names`, each as `nick!nick@natter`).
pub(super) struct NameLines {
    channel: String<{ crate::wire::MAX_ROOM + 1 }>,
    names: String<{ MAX_LINE }>,
    budget: usize,
}

impl NameLines {
    pub(super) fn new(bridge: &Bridge, room: &str) -> NameLines {
        let channel = channel(room);
        // What a 353 line takes besides the names:
        // ":server 353 me = #room :" and CR LF.
        let overhead =
            1 + bridge.server.len() + 5 + bridge.client_name().len() + 3 + channel.len() + 4;
        NameLines {
            channel,
            names: String::new(),
            budget: MAX_LINE.saturating_sub(overhead),
        }
    }

    pub(super) fn push(
        &mut self,
        bridge: &Bridge,
        out: &mut (impl Lines + ?Sized),
        nick: &str,
        roles: u8,
    ) {
        let mut name: Prefix = String::new();
        let _ = name.push_str(prefixes(roles, bridge.caps.has(Caps::MULTI_PREFIX)));
        let _ = if bridge.caps.has(Caps::USERHOST_IN_NAMES) {
            name.push_str(&user_prefix(nick))
        } else {
            name.push_str(nick)
        };
        if !self.names.is_empty() && self.names.len() + 1 + name.len() > self.budget {
            self.flush(bridge, out);
        }
        if !self.names.is_empty() {
            let _ = self.names.push(' ');
        }
        let _ = self.names.push_str(&name);
    }

    pub(super) fn finish(mut self, bridge: &Bridge, out: &mut (impl Lines + ?Sized)) {
        self.flush(bridge, out);
    }

    fn flush(&mut self, bridge: &Bridge, out: &mut (impl Lines + ?Sized)) {
        if !self.names.is_empty() {
            bridge.numeric(
                out,
                Numeric::RPL_NAMREPLY,
                &["=", &self.channel, &self.names],
            );
            self.names.clear();
        }
    }
}

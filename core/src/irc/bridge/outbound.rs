//! natter to IRC: the frames the hub sends a connection, as IRC lines.

use heapless::String;

use super::write::Source;
use super::{Bridge, Joined, Lines, TAG_NOTICE, TAG_PRIVMSG, channel, or_star, truncated};
use crate::error::ErrorCode;
use crate::irc::MAX_LINE;
use crate::irc::numeric::Numeric;
use crate::wire::{
    FLAG_ACTION, FLAG_MORE, FLAG_QUIT, Frame, MAX_SHORT, MAX_TEXT, name_key, same_name,
};

impl Bridge {
    /// One frame the hub sent this connection.
    pub fn handle_frame(&mut self, frame: &Frame<'_>, out: &mut impl Lines) {
        match *frame {
            Frame::Welcome { nick, lobby, .. } => self.welcome(nick, lobby, out),
            Frame::Entered {
                room,
                topic,
                next_id,
                ..
            } => {
                let joined = Joined {
                    name: truncated(room),
                    next_id,
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
            Frame::Names { room, flags, nicks } => {
                // One 353 per frame: 32 names of 24 bytes fit one line.
                let mut names: String<{ MAX_LINE }> = String::new();
                for nick in nicks.iter() {
                    if !names.is_empty() {
                        let _ = names.push(' ');
                    }
                    let _ = names.push_str(nick);
                }
                let ch = channel(room);
                self.numeric(out, Numeric::RPL_NAMREPLY, &["=", &ch, &names]);
                if flags & FLAG_MORE == 0 {
                    self.numeric(out, Numeric::RPL_ENDOFNAMES, &[&ch, "End of /NAMES list"]);
                }
            }
            Frame::Left { room } => {
                self.rooms.retain(|r| !same_name(&r.name, room));
                let me = self.nick.clone();
                self.from(out, &me, "PART", &[&channel(room)]);
            }
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                if self.is_history(room, id) {
                    // Replayed history: as a notice from the server, with
                    // the time it was said, so it does not read as live.
                    let mut line: String<{ MAX_TEXT + 64 }> = String::new();
                    let _ = push_time(&mut line, time, self.utc_offset);
                    let _ = if flags & FLAG_ACTION != 0 {
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
                } else {
                    let action = flags & FLAG_ACTION != 0;
                    self.text(
                        out,
                        Source::User(from),
                        "PRIVMSG",
                        &channel(room),
                        text,
                        action,
                    );
                }
            }
            Frame::Joined { room, id, nick, .. } if !self.is_history(room, id) => {
                self.from(out, nick, "JOIN", &[&channel(room)]);
            }
            Frame::Parted {
                room,
                id,
                time,
                nick,
                flags,
                reason,
            } if !self.is_history(room, id) => {
                if flags & FLAG_QUIT == 0 {
                    self.from(out, nick, "PART", &[&channel(room), reason]);
                } else if self.first_news_of_quit(nick, time) {
                    // The hub says it in each shared room; IRC once.
                    self.from(out, nick, "QUIT", &[reason]);
                }
            }
            Frame::NickChanged {
                room, id, old, new, ..
            } if !self.is_history(room, id) => {
                let pair = (truncated(old), truncated(new));
                if self.last_rename.as_ref() != Some(&pair) {
                    self.from(out, old, "NICK", &[new]);
                    self.last_rename = Some(pair);
                }
            }
            Frame::TopicChanged {
                room,
                id,
                by,
                topic,
                ..
            } if !self.is_history(room, id) => {
                self.from(out, by, "TOPIC", &[&channel(room), topic]);
            }
            Frame::Private {
                from, flags, text, ..
            } => {
                let me = self.nick.clone();
                let action = flags & FLAG_ACTION != 0;
                self.text(out, Source::User(from), "PRIVMSG", &me, text, action);
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
            Frame::Error { code, tag, subject } => self.error(code, tag, subject, out),
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
            // Acks, history the bridge passes over, and frames a server
            // never sends a client.
            _ => {}
        }
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
        self.numeric(out, Numeric::RPL_MYINFO, &[&server, "natter-0.1", "i", "b"]);
        self.numeric(
            out,
            Numeric::RPL_ISUPPORT,
            &[
                "CHANTYPES=#",
                "PREFIX=",
                "NICKLEN=24",
                "CHANNELLEN=25",
                "CASEMAPPING=strict-rfc1459",
                "CHANMODES=b,,,",
                "NETWORK=natter",
                "are supported by this server",
            ],
        );
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
            ErrorCode::BadPassword => {
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
    /// last `RECENT_QUITS` quits are remembered; more quits than that in
    /// flight at once could show one twice, which clients take as a no-op,
    /// never not at all.
    fn first_news_of_quit(&mut self, nick: &str, time: u64) -> bool {
        // The key and the time's low bits: quits of one nickname a
        // millisecond apart never meet within 49 days.
        let quit = u64::from(name_key(nick)) << 32 | (time & 0xffff_ffff);
        if self.quits.iter().any(|&q| q == quit) {
            return false;
        }
        if self.quits.is_full() {
            self.quits.pop_front();
        }
        let _ = self.quits.push_back(quit);
        true
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

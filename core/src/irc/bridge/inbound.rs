//! IRC to natter: the lines a client sends, as frames for the hub or
//! answers from the bridge. Which handler runs, and the checks every
//! command shares, are the table's (`commands.rs`).

use heapless::String;

use super::commands::Io;
use super::write::Source;
use super::{
    Bridge, Directory, Frames, Lines, TAG_NOTICE, TAG_PRIVMSG, or_star, room_of, short, truncated,
};
use crate::irc::numeric::Numeric;
use crate::irc::{Message, ParseError, parse, split_text};
use crate::wire::{FLAG_ACTION, Frame, MAX_TEXT, VERSION, is_valid_nick, same_name};

/// Most `WHO` replies for one room (see `who`).
const MAX_WHO: usize = 500;

impl Bridge {
    /// One line from the client (without its line ending). Queries are
    /// answered from `dir`; requests go to `hub` as frames.
    pub fn handle_line(
        &mut self,
        line: &[u8],
        dir: &impl Directory,
        hub: &mut impl Frames,
        out: &mut impl Lines,
    ) {
        let message = match parse(line) {
            Ok(m) => m,
            // IRC ignores empty lines.
            Err(ParseError::Empty) => return,
            Err(ParseError::NotUtf8) => {
                // IRC has no numeric for this; a server notice says it.
                let me = or_star(&self.nick);
                let text = "Your line was not valid UTF-8 and was dropped: natter text is UTF-8";
                return self.text(out, Source::Server, "NOTICE", me, text, false);
            }
            Err(_) => {
                return self.numeric(out, Numeric::ERR_UNKNOWNCOMMAND, &["*", "Unreadable line"]);
            }
        };
        self.dispatch(&message, &mut Io { dir, hub, out });
    }

    /// A line too long for IRC was dropped (`reader::Read::TooLong`): tell
    /// the client, `417 ERR_INPUTTOOLONG`.
    pub fn handle_too_long(&mut self, out: &mut impl Lines) {
        self.numeric(
            out,
            Numeric::ERR_INPUTTOOLONG,
            &["Input line was too long (512 bytes at most)"],
        );
    }

    pub(super) fn cap(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let sub = message.param(0).unwrap_or("");
        let me = or_star(&self.nick);
        let server = self.server.clone();
        if sub.eq_ignore_ascii_case("LS") || sub.eq_ignore_ascii_case("LIST") {
            // Capabilities are not implemented, so none are offered.
            if !self.welcomed {
                self.negotiating = true;
            }
            self.send(io.out, Some(&server), "CAP", &[me, sub, ""]);
        } else if sub.eq_ignore_ascii_case("REQ") {
            self.send(
                io.out,
                Some(&server),
                "CAP",
                &[me, "NAK", message.param(1).unwrap_or("")],
            );
        } else if sub.eq_ignore_ascii_case("END") {
            self.negotiating = false;
        } else {
            self.numeric(
                io.out,
                Numeric::ERR_INVALIDCAPCMD,
                &[sub, "Invalid CAP command"],
            );
        }
        if !self.welcomed {
            self.try_hello(io.hub);
        }
    }

    pub(super) fn pass(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        if let Some(pass) = message.param(0) {
            self.password = truncated(pass);
        }
        self.try_hello(io.hub);
    }

    pub(super) fn nick(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        match message.param(0) {
            None => self.numeric(io.out, Numeric::ERR_NONICKNAMEGIVEN, &["No nickname given"]),
            Some(nick) if !is_valid_nick(nick) => self.numeric(
                io.out,
                Numeric::ERR_ERRONEUSNICKNAME,
                &[nick, crate::wire::NICK_RULES],
            ),
            Some(nick) if self.welcomed => io.hub.frame(&Frame::SetNick { nick }),
            Some(nick) => {
                self.nick = truncated(nick);
                // A new nickname after a refused one: say hello again.
                self.hello_sent = false;
            }
        }
        if !self.welcomed {
            self.try_hello(io.hub);
        }
    }

    pub(super) fn user(&mut self, _: &Message<'_>, io: &mut Io<'_>) {
        self.user = true;
        self.try_hello(io.hub);
    }

    /// Say hello to the hub once the nickname, the user and the end of
    /// capability negotiation are in.
    fn try_hello(&mut self, hub: &mut (impl Frames + ?Sized)) {
        if !self.nick.is_empty() && self.user && !self.negotiating && !self.hello_sent {
            self.hello_sent = true;
            hub.frame(&Frame::Hello {
                version: VERSION,
                nick: &self.nick,
                password: &self.password,
            });
        }
    }

    pub(super) fn ping(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let token = message.param(0).unwrap_or("");
        self.send(
            io.out,
            Some(self.server.as_str()),
            "PONG",
            &[self.server.as_str(), token],
        );
    }

    pub(super) fn pong(&mut self, _: &Message<'_>, io: &mut Io<'_>) {
        io.hub.frame(&Frame::Pong { token: self.ping });
    }

    pub(super) fn quit(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        io.hub.frame(&Frame::Quit {
            reason: short(message.param(0).unwrap_or("")),
        });
    }

    pub(super) fn join(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let targets = message.param(0).unwrap_or("");
        for target in targets.split(',') {
            match room_of(target) {
                Some(room) if self.room(room).is_some() => {}
                Some(room) => io.hub.frame(&Frame::Join {
                    room,
                    epoch: 0,
                    since: 0,
                }),
                None => self.no_such_channel(io.out, target),
            }
        }
    }

    pub(super) fn part(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let targets = message.param(0).unwrap_or("");
        for target in targets.split(',') {
            match room_of(target) {
                Some(room) => io.hub.frame(&Frame::Part {
                    room,
                    reason: short(message.param(1).unwrap_or("")),
                }),
                None => self.no_such_channel(io.out, target),
            }
        }
    }

    /// `PRIVMSG` and `NOTICE`: the same, except that IRC never answers a
    /// `NOTICE`.
    pub(super) fn say(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let notice = message.is("NOTICE");
        let (Some(target), text) = (message.param(0), message.param(1)) else {
            if !notice {
                self.numeric(
                    io.out,
                    Numeric::ERR_NORECIPIENT,
                    &[&format_no_recipient(message.command)],
                );
            }
            return;
        };
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            if !notice {
                self.numeric(io.out, Numeric::ERR_NOTEXTTOSEND, &["No text to send"]);
            }
            return;
        };
        let (text, flags) = match text.strip_prefix("\u{1}ACTION ") {
            Some(action) => (action.strip_suffix('\u{1}').unwrap_or(action), FLAG_ACTION),
            // Other CTCP requests (VERSION, PING...) are not passed on.
            None if text.starts_with('\u{1}') => return,
            None => (text, 0),
        };
        let tag = if notice { TAG_NOTICE } else { TAG_PRIVMSG };
        // An IRC line's text always fits natter's; split all the same, so
        // nothing is cut if the limits ever change.
        let mut rest = text;
        while !rest.is_empty() {
            let (piece, tail) = split_text(rest, MAX_TEXT);
            rest = tail;
            match room_of(target) {
                Some(room) => io.hub.frame(&Frame::Say {
                    tag,
                    room,
                    flags,
                    text: piece,
                }),
                None if target.starts_with('#') => {
                    if !notice {
                        self.no_such_channel(io.out, target);
                    }
                    return;
                }
                None if !is_valid_nick(target) => {
                    if !notice {
                        self.numeric(
                            io.out,
                            Numeric::ERR_NOSUCHNICK,
                            &[target, "No such nick/channel"],
                        );
                    }
                    return;
                }
                None => io.hub.frame(&Frame::Whisper {
                    tag,
                    to: target,
                    flags,
                    text: piece,
                }),
            }
        }
    }

    pub(super) fn topic(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let target = message.param(0).unwrap_or("");
        let Some(room) = room_of(target) else {
            return self.no_such_channel(io.out, target);
        };
        if let Some(topic) = message.param(1) {
            return io.hub.frame(&Frame::SetTopic { room, topic });
        }
        match self.room(room).map(|r| r.name.clone()) {
            Some(name) => {
                let topic = io.dir.topic(&name).unwrap_or("");
                self.topic_reply(io.out, &name, topic);
            }
            None => self.numeric(
                io.out,
                Numeric::ERR_NOTONCHANNEL,
                &[target, "You're not on that channel"],
            ),
        }
    }

    pub(super) fn mode(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let target = message.param(0).unwrap_or("");
        let out = &mut *io.out;
        match room_of(target) {
            Some(_)
                if message
                    .param(1)
                    .is_some_and(|m| m.trim_start_matches('+') == "b") =>
            {
                self.numeric(
                    out,
                    Numeric::RPL_ENDOFBANLIST,
                    &[target, "End of channel ban list"],
                )
            }
            Some(_) => self.numeric(out, Numeric::RPL_CHANNELMODEIS, &[target, "+"]),
            None if same_name(target, &self.nick) => {
                self.numeric(out, Numeric::RPL_UMODEIS, &["+"])
            }
            None => self.numeric(
                out,
                Numeric::ERR_USERSDONTMATCH,
                &["Cannot change mode for other users"],
            ),
        }
    }

    pub(super) fn who(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let target = message.param(0).unwrap_or("*");
        let out = &mut *io.out;
        // Rooms are public, as channels are on most networks: members are
        // listed to anyone who asks.
        if let Some(room) = room_of(target) {
            // At most MAX_WHO replies: a school assembly's lobby would
            // otherwise put hundreds of kilobytes into one client's output
            // at once, beyond the bound the driver keeps on it.
            let mut listed = 0;
            io.dir.each_member(room, &mut |member| {
                if listed == MAX_WHO {
                    return;
                }
                listed += 1;
                self.numeric(
                    out,
                    Numeric::RPL_WHOREPLY,
                    &[
                        target,
                        member,
                        "natter",
                        &self.server,
                        member,
                        "H",
                        "0 natter",
                    ],
                );
            });
        }
        self.numeric(out, Numeric::RPL_ENDOFWHO, &[target, "End of WHO list"]);
    }

    pub(super) fn whois(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let out = &mut *io.out;
        let Some(target) = message.param(message.params().len().saturating_sub(1)) else {
            return self.numeric(out, Numeric::ERR_NONICKNAMEGIVEN, &["No nickname given"]);
        };
        let known = same_name(target, &self.nick) || io.dir.is_online(target);
        if known {
            self.numeric(
                out,
                Numeric::RPL_WHOISUSER,
                &[target, target, "natter", "*", target],
            );
        } else {
            self.numeric(
                out,
                Numeric::ERR_NOSUCHNICK,
                &[target, "No such nick/channel"],
            );
        }
        self.numeric(out, Numeric::RPL_ENDOFWHOIS, &[target, "End of WHOIS list"]);
    }

    pub(super) fn lusers(&mut self, _: &Message<'_>, io: &mut Io<'_>) {
        self.numeric(
            io.out,
            Numeric::RPL_LUSERCLIENT,
            &["There are users in natter rooms on 1 server"],
        );
        self.numeric(
            io.out,
            Numeric::RPL_LUSERME,
            &["I have clients and 1 server"],
        );
    }

    fn no_such_channel(&self, out: &mut (impl Lines + ?Sized), target: &str) {
        self.numeric(
            out,
            Numeric::ERR_NOSUCHCHANNEL,
            &[target, "No such channel"],
        );
    }
}

fn format_no_recipient(command: &str) -> String<48> {
    let mut s = String::new();
    let _ = s.push_str("No recipient given (");
    let _ = s.push_str(command);
    let _ = s.push(')');
    s
}

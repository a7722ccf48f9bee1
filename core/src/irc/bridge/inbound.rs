//! IRC to natter: the lines a client sends, as frames for the hub or
//! answers from the bridge. Which handler runs, and the checks every
//! command shares, are the table's (`commands.rs`).

use core::fmt::Write as _;

use heapless::String;

use super::caps::{CAPABILITIES, Caps};
use super::commands::Io;
use super::control::prefixes;
use super::outbound::NameLines;
use super::write::Rfc3339;
use super::{
    Bridge, Directory, Echo, Frames, Lines, Person, TAG_NOTICE, TAG_PRIVMSG, channel, or_star,
    room_of, short, truncated,
};
use crate::irc::numeric::Numeric;
use crate::irc::{MAX_LINE, Message, ParseError, parse, split_text};
use crate::room::MAX_JOINED;
use crate::wire::{
    FLAG_ACTION, FLAG_NOTICE, Frame, MAX_ROOM, MAX_TEXT, VERSION, is_valid_nick, same_name,
};

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
                // IRCv3's answer (`UTF8ONLY` in 005): a standard reply
                // naming the command, if it can be read.
                let command = command_of(line);
                let server = self.server.clone();
                let text = "Your line was not valid UTF-8 and was dropped: natter text is UTF-8";
                return self.send(out, Some(&server), "FAIL", &[command, "INVALID_UTF8", text]);
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

    /// `CAP`: capability negotiation (IRCv3 `CAP` version 302). `LS`
    /// and `REQ` before registration hold it until `CAP END`.
    pub(super) fn cap(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let sub = message.param(0).unwrap_or("");
        let me = or_star(&self.nick);
        let server = self.server.clone();
        let mut list: String<{ MAX_LINE }> = String::new();
        if sub.eq_ignore_ascii_case("LS") {
            for (i, cap) in CAPABILITIES.iter().enumerate() {
                let _ = list.push_str(if i == 0 { "" } else { " " });
                let _ = list.push_str(cap.name);
            }
            self.negotiating |= !self.welcomed;
            self.write_line(io.out, "", Some(&server), "CAP", &[me, "LS", &list], true);
        } else if sub.eq_ignore_ascii_case("LIST") {
            let _ = write!(list, "{}", self.caps.names());
            self.write_line(io.out, "", Some(&server), "CAP", &[me, "LIST", &list], true);
        } else if sub.eq_ignore_ascii_case("REQ") {
            let asked = message.param(1).unwrap_or("");
            self.negotiating |= !self.welcomed;
            let answer = match self.caps.requested(asked) {
                Some(caps) => {
                    self.caps = caps;
                    "ACK"
                }
                None => "NAK",
            };
            self.write_line(io.out, "", Some(&server), "CAP", &[me, answer, asked], true);
        } else if sub.eq_ignore_ascii_case("END") {
            self.negotiating = false;
        } else {
            self.numeric(
                io.out,
                Numeric::ERR_INVALIDCAPCMD,
                &[or_star(sub), "Invalid CAP command"],
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

    /// `USER username mode unused :realname`: the last part of
    /// registration. An empty username or real name is a missing one.
    pub(super) fn user(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let (Some(user), Some(realname)) = (
            message.param(0).filter(|u| !u.is_empty()),
            message.param(3).filter(|r| !r.is_empty()),
        ) else {
            return self.numeric(
                io.out,
                Numeric::ERR_NEEDMOREPARAMS,
                &["USER", "Not enough parameters"],
            );
        };
        self.user = true;
        // A username is one word, as IRC shows it in `nick!user@host`.
        self.username = truncated(user.trim_start_matches('~'));
        self.realname = truncated(realname);
        self.profile_version = self.profile_version.wrapping_add(1);
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
        let Some(token) = message.param(0) else {
            return self.numeric(io.out, Numeric::ERR_NOORIGIN, &["No origin specified"]);
        };
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
        let mut keys = message.param(1).unwrap_or("").split(',');
        for target in targets.split(',') {
            let key = short(keys.next().unwrap_or(""));
            match room_of(target) {
                Some(room) if self.room(room).is_some() => {}
                Some(room) => io.hub.frame(&Frame::Join {
                    room,
                    epoch: 0,
                    since: 0,
                    key,
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
        if text.is_empty() {
            // An action of nothing (`\x01ACTION \x01`): natter has no
            // empty texts, so nothing goes to the hub, and nothing may wait
            // for an answer to echo (it would hold the client's lines for
            // good).
            return;
        }
        let (tag, flags) = if notice {
            (TAG_NOTICE, flags | FLAG_NOTICE)
        } else {
            (TAG_PRIVMSG, flags)
        };
        let room = room_of(target);
        if room.is_none() && target.starts_with('#') {
            if !notice {
                self.no_such_channel(io.out, target);
            }
            return;
        }
        if room.is_none() && !is_valid_nick(target) {
            if !notice {
                self.numeric(
                    io.out,
                    Numeric::ERR_NOSUCHNICK,
                    &[target, "No such nick/channel"],
                );
            }
            return;
        }
        if let (None, false) = (room, notice) {
            if let Some(away) = io.dir.person(target).and_then(|p| p.away) {
                let nick = io.dir.person(target).map_or(target, |p| p.nick);
                self.numeric(io.out, Numeric::RPL_AWAY, &[nick, away]);
            }
        }
        if self.caps.has(Caps::ECHO_MESSAGE) {
            // Held until the hub answers (the driver reads no more lines
            // meanwhile): echoed on its `Ack`, forgotten on its `Error`.
            // Messages sent before `echo-message` was turned on may still
            // be waiting for theirs, which come first.
            self.echo = Some(Echo {
                after: self.unanswered,
                notice,
                action: flags & FLAG_ACTION != 0,
                target: truncated(target),
                text: truncated(text),
            });
        }
        // An IRC line's text always fits natter's; split all the same, so
        // nothing is cut if the limits ever change.
        let mut rest = text;
        while !rest.is_empty() {
            let (piece, tail) = split_text(rest, MAX_TEXT);
            rest = tail;
            self.unanswered = self.unanswered.saturating_add(1);
            match room {
                Some(room) => io.hub.frame(&Frame::Say {
                    tag,
                    room,
                    flags,
                    text: piece,
                }),
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
        if io.dir.topic(room).is_none() {
            return self.no_such_channel(io.out, target);
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

    /// `WHO #room`, `WHO nick`, `WHO mask` or `WHO *`: who is there, one
    /// `352` each (at most `MAX_WHO`), then `315`. Rooms are public, as
    /// channels are on most networks: a room's members are listed to
    /// anyone who asks, and so is anyone asked for by exact nickname; a
    /// mask (`*`, `?`) matches only people who share a room with the
    /// asker, so that `WHO *` is not a list of the whole school.
    pub(super) fn who(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let mask = message.param(0).filter(|m| !m.is_empty()).unwrap_or("*");
        let (dir, out) = (io.dir, &mut *io.out);
        let mut listed = 0;
        let mut reply = |bridge: &Bridge, channel: &str, nick: &str, roles: u8| {
            // At most MAX_WHO replies: a school assembly's lobby would
            // otherwise put hundreds of kilobytes into one client's output
            // at once, beyond the bound the driver keeps on it.
            if listed < MAX_WHO {
                if let Some(person) = bridge.person(dir, nick) {
                    listed += 1;
                    bridge.who_reply(out, channel, &person, roles);
                }
            }
        };
        if let Some(room) = room_of(mask) {
            if let Some(name) = dir.room_name(room) {
                let channel = channel(name);
                dir.each_member(name, &mut |member, roles| {
                    reply(self, &channel, member, roles)
                });
            }
        } else if !mask.contains(['*', '?']) && mask != "0" {
            reply(self, "*", mask, 0);
        } else {
            let mine = self.my_rooms();
            let me = self.nick.clone();
            dir.each_person(&mut |nick| {
                let shared = same_name(nick, &me) || {
                    let mut any = false;
                    dir.each_room_of(nick, &mut |room, _| {
                        any |= mine.iter().any(|m| same_name(m, room));
                    });
                    any
                };
                if shared && (mask == "0" || glob(mask, nick)) {
                    reply(self, "*", nick, 0);
                }
            });
        }
        self.numeric(out, Numeric::RPL_ENDOFWHO, &[mask, "End of WHO list"]);
    }

    /// `WHOIS [server] nick[,nick]`: who someone is, where they are, and
    /// how long since they spoke.
    pub(super) fn whois(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let out = &mut *io.out;
        let Some(targets) = message.params().last().filter(|t| !t.is_empty()) else {
            return self.numeric(out, Numeric::ERR_NONICKNAMEGIVEN, &["No nickname given"]);
        };
        for target in targets.split(',').filter(|t| !t.is_empty()) {
            let Some(person) = self.person(io.dir, target) else {
                self.numeric(
                    out,
                    Numeric::ERR_NOSUCHNICK,
                    &[target, "No such nick/channel"],
                );
                self.numeric(out, Numeric::RPL_ENDOFWHOIS, &[target, "End of WHOIS list"]);
                continue;
            };
            let nick = person.nick;
            self.numeric(
                out,
                Numeric::RPL_WHOISUSER,
                &[nick, person.user, HOST, "*", person.realname],
            );
            let mut rooms: String<{ MAX_LINE }> = String::new();
            let multi = self.caps.has(Caps::MULTI_PREFIX);
            io.dir.each_room_of(nick, &mut |room, roles| {
                let _ = write!(rooms, "{}#{room} ", prefixes(roles, multi));
            });
            if !rooms.is_empty() {
                self.numeric(out, Numeric::RPL_WHOISCHANNELS, &[nick, rooms.trim_end()]);
            }
            let server = self.server.clone();
            self.numeric(out, Numeric::RPL_WHOISSERVER, &[nick, &server, "natter"]);
            if person.teacher {
                self.numeric(
                    out,
                    Numeric::RPL_WHOISOPERATOR,
                    &[nick, "is the teacher (an IRC operator)"],
                );
            }
            if let Some(away) = person.away {
                self.numeric(out, Numeric::RPL_AWAY, &[nick, away]);
            }
            let (mut idle, mut signon): (String<20>, String<20>) = (String::new(), String::new());
            let _ = write!(idle, "{}", person.idle);
            let _ = write!(signon, "{}", person.signon);
            self.numeric(
                out,
                Numeric::RPL_WHOISIDLE,
                &[nick, &idle, &signon, "seconds idle, signon time"],
            );
            self.numeric(out, Numeric::RPL_ENDOFWHOIS, &[nick, "End of WHOIS list"]);
        }
    }

    /// `LUSERS`: how many are here. One server, no operators yet, and no
    /// one invisible.
    pub(super) fn lusers(&mut self, _: &Message<'_>, io: &mut Io<'_>) {
        let census = io.dir.census();
        let (users, peak) = (census.welcomed, census.peak_welcomed.max(census.welcomed));
        let mut line: String<96> = String::new();
        let mut say = |bridge: &Bridge, numeric, args: core::fmt::Arguments<'_>, text: &str| {
            line.clear();
            let _ = line.write_fmt(args);
            let mut params: heapless::Vec<&str, 4> =
                line.split(' ').filter(|p| !p.is_empty()).collect();
            let _ = params.push(text);
            bridge.numeric(io.out, numeric, &params);
        };
        let mut there: String<64> = String::new();
        let _ = write!(
            there,
            "There are {users} users and 0 invisible on 1 servers"
        );
        say(self, Numeric::RPL_LUSERCLIENT, format_args!(""), &there);
        say(
            self,
            Numeric::RPL_LUSEROP,
            format_args!("0"),
            "operator(s) online",
        );
        let greeting = census.greeting;
        say(
            self,
            Numeric::RPL_LUSERUNKNOWN,
            format_args!("{greeting}"),
            "unknown connection(s)",
        );
        let rooms = census.rooms;
        say(
            self,
            Numeric::RPL_LUSERCHANNELS,
            format_args!("{rooms}"),
            "channels formed",
        );
        let mut have: String<64> = String::new();
        let _ = write!(have, "I have {users} clients and 0 servers");
        say(self, Numeric::RPL_LUSERME, format_args!(""), &have);
        let mut now: String<64> = String::new();
        let _ = write!(now, "Current local users {users}, max {peak}");
        say(
            self,
            Numeric::RPL_LOCALUSERS,
            format_args!("{users} {peak}"),
            &now,
        );
        now.clear();
        let _ = write!(now, "Current global users {users}, max {peak}");
        say(
            self,
            Numeric::RPL_GLOBALUSERS,
            format_args!("{users} {peak}"),
            &now,
        );
    }

    /// `AWAY :message` marks the client away (`306`), `AWAY` back (`305`).
    /// Others see it in `WHO` (`G`), `WHOIS` and when they message it (`301`).
    pub(super) fn away(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        match message.param(0).filter(|m| !m.is_empty()) {
            Some(text) => {
                self.away = Some(truncated(text));
                self.numeric(
                    io.out,
                    Numeric::RPL_NOWAWAY,
                    &["You have been marked as being away"],
                );
            }
            None => {
                self.away = None;
                self.numeric(
                    io.out,
                    Numeric::RPL_UNAWAY,
                    &["You are no longer marked as being away"],
                );
            }
        }
        self.profile_version = self.profile_version.wrapping_add(1);
    }

    /// `USERHOST nick [nick...]`: up to five people's `nick=+user@host`
    /// (`-` for someone away), in one `302`; nobody for who is not online.
    pub(super) fn userhost(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let mut reply: String<{ MAX_LINE }> = String::new();
        for nick in message.params().iter().take(5) {
            if let Some(person) = self.person(io.dir, nick) {
                let here = if person.away.is_some() { '-' } else { '+' };
                let space = if reply.is_empty() { "" } else { " " };
                let _ = write!(reply, "{space}{}={here}{}@{HOST}", person.nick, person.user);
            }
        }
        self.numeric(io.out, Numeric::RPL_USERHOST, &[&reply]);
    }

    /// `TIME`: the server's time, in UTC.
    pub(super) fn time(&mut self, _: &Message<'_>, io: &mut Io<'_>) {
        let mut now: String<32> = String::new();
        let _ = write!(now, "{}", Rfc3339(io.dir.now_ms()));
        let server = self.server.clone();
        self.numeric(io.out, Numeric::RPL_TIME, &[&server, &now]);
    }

    /// `nick` as `WHO` and `WHOIS` show them; this client from its own
    /// profile (the driver may not have it yet).
    fn person<'d>(&'d self, dir: &'d dyn Directory, nick: &str) -> Option<Person<'d>> {
        let person = dir.person(nick)?;
        if !same_name(nick, &self.nick) {
            return Some(person);
        }
        let own = self.profile();
        Some(Person {
            user: own.user,
            realname: own.realname,
            away: own.away,
            ..person
        })
    }

    /// One `352 RPL_WHOREPLY`.
    /// One `352`: `flags` are `H` (here) or `G` (away), `*` for the
    /// teacher, then the member's prefix in `channel` (`@`, `+`).
    fn who_reply(
        &self,
        out: &mut (impl Lines + ?Sized),
        channel: &str,
        person: &Person<'_>,
        roles: u8,
    ) {
        let mut flags: String<8> = String::new();
        let _ = flags.push(if person.away.is_some() { 'G' } else { 'H' });
        if person.teacher {
            let _ = flags.push('*');
        }
        let _ = flags.push_str(prefixes(roles, self.caps.has(Caps::MULTI_PREFIX)));
        let mut last: String<{ MAX_LINE }> = String::new();
        let _ = write!(last, "0 {}", person.realname);
        let server = self.server.clone();
        self.numeric(
            out,
            Numeric::RPL_WHOREPLY,
            &[
                channel,
                person.user,
                HOST,
                &server,
                person.nick,
                &flags,
                &last,
            ],
        );
    }

    /// The rooms this client is in, by name.
    fn my_rooms(&self) -> heapless::Vec<String<MAX_ROOM>, MAX_JOINED> {
        self.rooms.iter().map(|r| r.name.clone()).collect()
    }

    /// `NAMES [#a,#b]`: the members of each room, as on joining (rooms are
    /// public, so for anyone who asks); with no room, just the end.
    pub(super) fn names(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let Some(targets) = message.param(0) else {
            return self.end_of_names(io.out, "*");
        };
        for target in targets.split(',').filter(|t| !t.is_empty()) {
            if let Some(room) = room_of(target).and_then(|r| io.dir.room_name(r)) {
                let mut names = NameLines::new(self, room);
                let (mut listed, out) = (0, &mut *io.out);
                io.dir.each_member(room, &mut |member, roles| {
                    // As many as `WHO` lists, for the same reason.
                    if listed < MAX_WHO {
                        listed += 1;
                        names.push(self, out, member, roles);
                    }
                });
                names.finish(self, out);
            }
            self.end_of_names(io.out, target);
        }
    }

    /// `TAGMSG`: a message of tags only (`message-tags`). natter has
    /// nothing to carry them in, so they go no further.
    pub(super) fn tagmsg(&mut self, _: &Message<'_>, _: &mut Io<'_>) {}

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

/// The host IRC shows for everyone: natter does not reveal addresses.
const HOST: &str = "natter";

/// Does `name` match the `WHO` mask `mask` (`*` any run, `?` any one
/// character), with case folded as nicknames fold it?
fn glob(mask: &str, name: &str) -> bool {
    let fold = |b: u8| match b {
        b'[' => b'{',
        b']' => b'}',
        b'\\' => b'|',
        b => b.to_ascii_lowercase(),
    };
    // The length of the character at `at` in `name`.
    let char_len = |at: usize| name[at..].chars().next().map_or(1, char::len_utf8);
    let (m, n) = (mask.as_bytes(), name.as_bytes());
    let (mut mi, mut ni) = (0, 0);
    // Where the last `*` was, and where in `name` it has matched up to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match m.get(mi) {
            Some(b'?') => {
                mi += 1;
                ni += char_len(ni);
            }
            Some(b'*') => {
                star = Some((mi, ni));
                mi += 1;
            }
            Some(&b) if fold(b) == fold(n[ni]) => {
                mi += 1;
                ni += 1;
            }
            _ => match star {
                // Let the last `*` take one more character, and go on.
                Some((sm, sn)) => {
                    let sn = sn + char_len(sn);
                    star = Some((sm, sn));
                    mi = sm + 1;
                    ni = sn;
                }
                None => return false,
            },
        }
    }
    m.get(mi..)
        .is_some_and(|rest| rest.iter().all(|&b| b == b'*'))
}

/// The command of a line that is not UTF-8, if its command word is
/// readable, else `*`.
fn command_of(line: &[u8]) -> &str {
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let mut word = words.next().unwrap_or_default();
    if word.starts_with(b"@") {
        word = words.next().unwrap_or_default();
    }
    if word.starts_with(b":") {
        word = words.next().unwrap_or_default();
    }
    match core::str::from_utf8(word) {
        Ok(command)
            if !command.is_empty() && command.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            command
        }
        _ => "*",
    }
}

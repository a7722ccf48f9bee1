//! One IRC connection as a natter client: [`Bridge`] turns the IRC lines
//! a client sends into the natter frames the hub understands, and the
//! frames the hub sends that connection into IRC lines. The hub never
//! knows it is talking to IRC, so rooms, history, flood limits,
//! backpressure and gap notices work exactly as for natter's own clients.
//!
//! Sans-IO like the rest of the core: the driver gives each line to
//! [`Bridge::handle_line`] and each frame of the hub's output for the
//! connection to [`Bridge::handle_frame`], and gets back, through two
//! callbacks, the frames to feed to the hub and the lines to write.
//!
//! What a client gets for what it sends (RFC 2812 numerics):
//!
//! | IRC | natter | answer |
//! |-----|--------|--------|
//! | `CAP LS`/`CAP END`/`CAP REQ` | none | no capabilities (`CAP * LS :`, `NAK`) |
//! | `PASS`, `NICK`, `USER` | `Hello` once all are in | 001-005, 422; 431, 432, 433, 464, 462 |
//! | `JOIN #a,#b` | `Join` each | `JOIN`, 332 (if there is a topic), 353, 366; 403, 405, 471 |
//! | `PART #a [:why]` | `Part` | `PART`; 442 |
//! | `PRIVMSG`/`NOTICE #room\|nick :text` | `Say`/`Whisper` (CTCP ACTION as an action) | 401, 404, 411, 412 (none for `NOTICE`) |
//! | `NICK new` | `SetNick` | `NICK`; 432, 433 |
//! | `TOPIC #r [:text]` | `SetTopic` | 332/331 for a query; 442 |
//! | `QUIT [:why]` | `Quit` | `ERROR` |
//! | `PING`/`PONG` | `Pong` to the hub's pings | `PONG` |
//! | `MODE #r`, `MODE #r b`, `MODE nick` | none | 324, 368, 221 |
//! | `WHO #r`, `WHOIS nick`, `LUSERS` | none | 352/315, 311/318 or 401, 251/255 |
//! | anything else | none | 421; 451 before registration |

use heapless::{String, Vec};

use super::numeric::Numeric;
use super::{MAX_LINE, Message, parse, split_text, write};
use crate::error::ErrorCode;
use crate::room::MAX_JOINED;
use crate::wire::{
    FLAG_ACTION, FLAG_MORE, Frame, MAX_NICK, MAX_ROOM, MAX_SHORT, MAX_TEXT, VERSION, is_valid_nick,
    is_valid_room, same_name,
};

/// Longest server name used as the IRC prefix.
pub const MAX_SERVER_NAME: usize = 63;

/// Tags a bridge puts on the `Say`s it sends, so a refusal can be answered
/// as IRC would: with a numeric for `PRIVMSG`, silently for `NOTICE`.
const TAG_PRIVMSG: u32 = 1;
const TAG_NOTICE: u32 = 2;

/// A joined room, as the bridge needs it to show the hub's events.
struct Joined {
    name: String<MAX_ROOM>,
    /// Events with smaller ids are history, replayed on joining.
    next_id: u64,
}

/// What the bridge asks about rooms and people when a client queries them
/// (`WHO`, `WHOIS`, `TOPIC`): the hub's present state, which the driver
/// lends with each line. The bridge keeps no copy of member lists or
/// topics, so an IRC connection costs under a kilobyte of bridge state
/// however big its rooms are, and answers are never stale. [`Hub`]
/// implements it.
///
/// [`Hub`]: crate::room::Hub
pub trait Directory {
    /// Call `each` with the nickname of every member of `room`, in joining
    /// order (nobody if there is no such room).
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str));
    /// The topic of `room` (empty when none is set), or `None` if there is
    /// no such room.
    fn topic(&self, room: &str) -> Option<&str>;
    /// `true` when someone is connected as `nick` (case-insensitively).
    fn is_online(&self, nick: &str) -> bool;
}

impl<S: crate::room::Storage> Directory for crate::room::Hub<S> {
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str)) {
        for nick in self.members(room) {
            each(nick);
        }
    }

    fn topic(&self, room: &str) -> Option<&str> {
        self.topic(room)
    }

    fn is_online(&self, nick: &str) -> bool {
        self.is_online(nick)
    }
}

/// One IRC connection's state: registration, its nickname and rooms.
pub struct Bridge {
    server: String<MAX_SERVER_NAME>,
    nick: String<MAX_NICK>,
    password: String<MAX_SHORT>,
    user: bool,
    negotiating: bool,
    hello_sent: bool,
    welcomed: bool,
    /// The token of the hub's last `Ping`, for the client's `PONG`.
    ping: u32,
    /// Minutes to add to UTC for the times of replayed history.
    utc_offset: i32,
    rooms: Vec<Joined, MAX_JOINED>,
    /// The last nickname change passed on: the hub reports it once per
    /// shared room, IRC once.
    last_rename: Option<(String<MAX_NICK>, String<MAX_NICK>)>,
}

/// Where a bridge's lines go: each is one whole line with its CR LF.
pub trait Lines {
    /// Take one line.
    fn line(&mut self, line: &[u8]);
}

impl<F: FnMut(&[u8])> Lines for F {
    fn line(&mut self, line: &[u8]) {
        self(line)
    }
}

/// Where a bridge's frames for the hub go.
pub trait Frames {
    /// Take one frame.
    fn frame(&mut self, frame: &Frame<'_>);
}

impl<F: FnMut(&Frame<'_>)> Frames for F {
    fn frame(&mut self, frame: &Frame<'_>) {
        self(frame)
    }
}

impl Bridge {
    /// A connection to a server called `server` (its IRC prefix; cut to
    /// [`MAX_SERVER_NAME`] bytes).
    pub fn new(server: &str) -> Bridge {
        let mut name = String::new();
        for c in server.chars().filter(|c| !c.is_whitespace()) {
            if name.push(c).is_err() {
                break;
            }
        }
        if name.is_empty() {
            let _ = name.push_str("natter");
        }
        Bridge {
            server: name,
            nick: String::new(),
            password: String::new(),
            user: false,
            negotiating: false,
            hello_sent: false,
            welcomed: false,
            ping: 0,
            utc_offset: 0,
            rooms: Vec::new(),
            last_rename: None,
        }
    }

    /// Show the times of replayed history at `minutes` from UTC (the
    /// server's time zone; the bridge has no clock or zone of its own).
    /// Without it they are UTC.
    pub fn with_utc_offset(mut self, minutes: i32) -> Bridge {
        self.utc_offset = minutes.clamp(-24 * 60, 24 * 60);
        self
    }

    /// The name this server goes by in IRC prefixes.
    pub fn server_name(&self) -> &str {
        &self.server
    }

    /// The client's nickname as numerics name it: `*` before registration.
    pub fn client_name(&self) -> &str {
        if self.welcomed { &self.nick } else { "*" }
    }

    /// The hello is with the hub and its answer has not come back: the
    /// driver holds the client's next lines until it has (a client may
    /// send `NICK`, `USER` and `JOIN` in one write, and IRC servers
    /// register it before reading the `JOIN`; here registration takes the
    /// hub's `Welcome`, so the `JOIN` waits for it rather than getting 451).
    pub fn awaiting_welcome(&self) -> bool {
        self.hello_sent && !self.welcomed
    }

    /// Welcomed by the hub: past registration.
    pub fn registered(&self) -> bool {
        self.welcomed
    }

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
            Err(super::ParseError::Empty) => return,
            Err(super::ParseError::NotUtf8) => {
                // IRC has no numeric for this; a server notice says it.
                let me = if self.nick.is_empty() {
                    "*"
                } else {
                    self.nick.as_str()
                };
                let text = "Your line was not valid UTF-8 and was dropped: natter text is UTF-8";
                return self.text(out, Source::Server, "NOTICE", me, text, false);
            }
            Err(_) => {
                return self.numeric(out, Numeric::ERR_UNKNOWNCOMMAND, &["*", "Unreadable line"]);
            }
        };
        let p = |i| message.param(i);
        if message.is("CAP") {
            self.cap(&message, out);
            if !self.welcomed {
                self.try_hello(hub);
            }
            return;
        }
        if message.is("PING") {
            let token = p(0).unwrap_or("");
            return self.send(
                out,
                Some(self.server.as_str()),
                "PONG",
                &[self.server.as_str(), token],
            );
        }
        if message.is("PONG") {
            return hub.frame(&Frame::Pong { token: self.ping });
        }
        if message.is("QUIT") {
            return hub.frame(&Frame::Quit {
                reason: short(p(0).unwrap_or("")),
            });
        }
        if !self.welcomed {
            return self.register(&message, hub, out);
        }
        match () {
            _ if message.is("NICK") => match p(0) {
                None => self.numeric(out, Numeric::ERR_NONICKNAMEGIVEN, &["No nickname given"]),
                Some(nick) if !is_valid_nick(nick) => self.numeric(
                    out,
                    Numeric::ERR_ERRONEUSNICKNAME,
                    &[nick, crate::wire::NICK_RULES],
                ),
                Some(nick) => hub.frame(&Frame::SetNick { nick }),
            },
            _ if message.is("PASS") || message.is("USER") => self.numeric(
                out,
                Numeric::ERR_ALREADYREGISTRED,
                &["You may not reregister"],
            ),
            _ if message.is("JOIN") => self.join(&message, hub, out),
            _ if message.is("PART") => match p(0) {
                None => self.numeric(
                    out,
                    Numeric::ERR_NEEDMOREPARAMS,
                    &["PART", "Not enough parameters"],
                ),
                Some(targets) => {
                    for target in targets.split(',') {
                        match room_of(target) {
                            Some(room) => hub.frame(&Frame::Part {
                                room,
                                reason: short(p(1).unwrap_or("")),
                            }),
                            None => self.numeric(
                                out,
                                Numeric::ERR_NOSUCHCHANNEL,
                                &[target, "No such channel"],
                            ),
                        }
                    }
                }
            },
            _ if message.is("PRIVMSG") || message.is("NOTICE") => self.say(&message, hub, out),
            _ if message.is("TOPIC") => self.topic(&message, dir, hub, out),
            _ if message.is("MODE") => self.mode(&message, out),
            _ if message.is("WHO") => self.who(&message, dir, out),
            _ if message.is("WHOIS") => self.whois(&message, dir, out),
            _ if message.is("LUSERS") => {
                self.numeric(
                    out,
                    Numeric::RPL_LUSERCLIENT,
                    &["There are users in natter rooms on 1 server"],
                );
                self.numeric(out, Numeric::RPL_LUSERME, &["I have clients and 1 server"]);
            }
            _ => self.numeric(
                out,
                Numeric::ERR_UNKNOWNCOMMAND,
                &[message.command, "Unknown command"],
            ),
        }
    }

    fn cap(&mut self, message: &Message<'_>, out: &mut impl Lines) {
        let sub = message.param(0).unwrap_or("");
        let me = if self.nick.is_empty() {
            "*"
        } else {
            self.nick.as_str()
        };
        let server = self.server.clone();
        if sub.eq_ignore_ascii_case("LS") || sub.eq_ignore_ascii_case("LIST") {
            // Capabilities are not implemented, so none are offered.
            if !self.welcomed {
                self.negotiating = true;
            }
            self.send(out, Some(&server), "CAP", &[me, sub, ""]);
        } else if sub.eq_ignore_ascii_case("REQ") {
            self.send(
                out,
                Some(&server),
                "CAP",
                &[me, "NAK", message.param(1).unwrap_or("")],
            );
        } else if sub.eq_ignore_ascii_case("END") {
            self.negotiating = false;
        } else {
            self.numeric(
                out,
                Numeric::ERR_INVALIDCAPCMD,
                &[sub, "Invalid CAP command"],
            );
        }
    }

    fn register(&mut self, message: &Message<'_>, hub: &mut impl Frames, out: &mut impl Lines) {
        let p = |i| message.param(i);
        if message.is("PASS") {
            match p(0) {
                Some(pass) => self.password = truncated(pass),
                None => self.numeric(
                    out,
                    Numeric::ERR_NEEDMOREPARAMS,
                    &["PASS", "Not enough parameters"],
                ),
            }
        } else if message.is("NICK") {
            match p(0) {
                None => self.numeric(out, Numeric::ERR_NONICKNAMEGIVEN, &["No nickname given"]),
                Some(nick) if !is_valid_nick(nick) => self.numeric(
                    out,
                    Numeric::ERR_ERRONEUSNICKNAME,
                    &[nick, crate::wire::NICK_RULES],
                ),
                Some(nick) => {
                    self.nick = truncated(nick);
                    // A new nickname after a refused one: say hello again.
                    self.hello_sent = false;
                }
            }
        } else if message.is("USER") {
            if message.params().len() < 4 {
                return self.numeric(
                    out,
                    Numeric::ERR_NEEDMOREPARAMS,
                    &["USER", "Not enough parameters"],
                );
            }
            self.user = true;
        } else {
            return self.numeric(
                out,
                Numeric::ERR_NOTREGISTERED,
                &["You have not registered"],
            );
        }
        self.try_hello(hub);
    }

    /// Say hello to the hub once the nickname, the user and the end of
    /// capability negotiation are in.
    fn try_hello(&mut self, hub: &mut impl Frames) {
        if !self.nick.is_empty() && self.user && !self.negotiating && !self.hello_sent {
            self.hello_sent = true;
            hub.frame(&Frame::Hello {
                version: VERSION,
                nick: &self.nick,
                password: &self.password,
            });
        }
    }

    fn join(&mut self, message: &Message<'_>, hub: &mut impl Frames, out: &mut impl Lines) {
        let Some(targets) = message.param(0) else {
            return self.numeric(
                out,
                Numeric::ERR_NEEDMOREPARAMS,
                &["JOIN", "Not enough parameters"],
            );
        };
        for target in targets.split(',') {
            match room_of(target) {
                Some(room) if self.room(room).is_some() => {}
                Some(room) => hub.frame(&Frame::Join {
                    room,
                    epoch: 0,
                    since: 0,
                }),
                None => self.numeric(
                    out,
                    Numeric::ERR_NOSUCHCHANNEL,
                    &[target, "No such channel"],
                ),
            }
        }
    }

    fn say(&mut self, message: &Message<'_>, hub: &mut impl Frames, out: &mut impl Lines) {
        let notice = message.is("NOTICE");
        let (Some(target), text) = (message.param(0), message.param(1)) else {
            if !notice {
                self.numeric(
                    out,
                    Numeric::ERR_NORECIPIENT,
                    &[&format_no_recipient(message.command)],
                );
            }
            return;
        };
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            if !notice {
                self.numeric(out, Numeric::ERR_NOTEXTTOSEND, &["No text to send"]);
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
                Some(room) => hub.frame(&Frame::Say {
                    tag,
                    room,
                    flags,
                    text: piece,
                }),
                None if target.starts_with('#') => {
                    if !notice {
                        self.numeric(
                            out,
                            Numeric::ERR_NOSUCHCHANNEL,
                            &[target, "No such channel"],
                        );
                    }
                    return;
                }
                None if !is_valid_nick(target) => {
                    if !notice {
                        self.numeric(
                            out,
                            Numeric::ERR_NOSUCHNICK,
                            &[target, "No such nick/channel"],
                        );
                    }
                    return;
                }
                None => hub.frame(&Frame::Whisper {
                    tag,
                    to: target,
                    flags,
                    text: piece,
                }),
            }
        }
    }

    fn topic(
        &mut self,
        message: &Message<'_>,
        dir: &impl Directory,
        hub: &mut impl Frames,
        out: &mut impl Lines,
    ) {
        let Some(target) = message.param(0) else {
            return self.numeric(
                out,
                Numeric::ERR_NEEDMOREPARAMS,
                &["TOPIC", "Not enough parameters"],
            );
        };
        let Some(room) = room_of(target) else {
            return self.numeric(
                out,
                Numeric::ERR_NOSUCHCHANNEL,
                &[target, "No such channel"],
            );
        };
        if let Some(topic) = message.param(1) {
            return hub.frame(&Frame::SetTopic { room, topic });
        }
        match self.room(room).map(|r| r.name.clone()) {
            Some(name) => {
                let topic = dir.topic(&name).unwrap_or("");
                self.topic_reply(out, &name, topic);
            }
            None => self.numeric(
                out,
                Numeric::ERR_NOTONCHANNEL,
                &[target, "You're not on that channel"],
            ),
        }
    }

    fn mode(&mut self, message: &Message<'_>, out: &mut impl Lines) {
        let Some(target) = message.param(0) else {
            return self.numeric(
                out,
                Numeric::ERR_NEEDMOREPARAMS,
                &["MODE", "Not enough parameters"],
            );
        };
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

    fn who(&mut self, message: &Message<'_>, dir: &impl Directory, out: &mut impl Lines) {
        let target = message.param(0).unwrap_or("*");
        // Rooms are public, as channels are on most networks: members are
        // listed to anyone who asks.
        if let Some(room) = room_of(target) {
            dir.each_member(room, &mut |member| {
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

    fn whois(&mut self, message: &Message<'_>, dir: &impl Directory, out: &mut impl Lines) {
        let Some(target) = message.param(message.params().len().saturating_sub(1)) else {
            return self.numeric(out, Numeric::ERR_NONICKNAMEGIVEN, &["No nickname given"]);
        };
        let known = same_name(target, &self.nick) || dir.is_online(target);
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
                nick,
                reason,
                ..
            } if !self.is_history(room, id) => {
                self.from(out, nick, "PART", &[&channel(room), reason]);
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
                let mut line: String<80> = String::new();
                let _ = core::fmt::write(
                    &mut line,
                    format_args!(
                        "You missed {missed} messages here: they are no longer in the server's history"
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

    fn welcome(&mut self, nick: &str, lobby: &str, out: &mut impl Lines) {
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

    fn error(&mut self, code: ErrorCode, tag: u32, subject: &str, out: &mut impl Lines) {
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
                    &[subject_or(subject), crate::wire::NICK_RULES],
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
                let me = self.nick.clone();
                let target = if me.is_empty() { "*" } else { me.as_str() };
                self.text(
                    out,
                    Source::Server,
                    "NOTICE",
                    target,
                    code.describe(),
                    false,
                );
            }
        }
    }

    fn topic_reply(&mut self, out: &mut impl Lines, room: &str, topic: &str) {
        let ch = channel(room);
        if topic.is_empty() {
            self.numeric(out, Numeric::RPL_NOTOPIC, &[&ch, "No topic is set"]);
        } else {
            self.numeric(out, Numeric::RPL_TOPIC, &[&ch, topic]);
        }
    }

    /// `true` when this bridge shows event `id` of `room` as live. A live
    /// room `Message` becomes the same lines for every IRC member (its
    /// sender's prefix, the channel, the text split the one way), so a
    /// driver with many IRC members may render it once, through any
    /// member's bridge, and give the others a copy of those lines when
    /// this is `true` for them (replayed history reads differently: a
    /// notice with the time it was said).
    pub fn shows_live(&self, room: &str, id: u64) -> bool {
        !self.is_history(room, id)
    }

    fn is_history(&self, room: &str, id: u64) -> bool {
        self.rooms
            .iter()
            .find(|r| same_name(&r.name, room))
            .is_some_and(|r| id < r.next_id)
    }

    fn room(&self, room: &str) -> Option<&Joined> {
        self.rooms.iter().find(|r| same_name(&r.name, room))
    }

    /// A numeric for this client: `:server NNN nick params...`.
    fn numeric(&self, out: &mut impl Lines, code: Numeric, params: &[&str]) {
        // Before registration the client has no nickname yet, as IRC sees it.
        let me = self.client_name();
        let mut all: Vec<&str, 17> = Vec::new();
        let _ = all.push(me);
        for p in params {
            let _ = all.push(p);
        }
        self.send(out, Some(&self.server), code.as_str(), &all);
    }

    /// A command from user `nick`: `:nick!nick@natter CMD params...`.
    fn from(&self, out: &mut impl Lines, nick: &str, command: &str, params: &[&str]) {
        let prefix = user_prefix(nick);
        self.send(out, Some(&prefix), command, params);
    }

    /// `text` to `target` as `command` (`PRIVMSG` or `NOTICE`) from
    /// `source`, split over as many lines as it needs, never cut.
    fn text(
        &self,
        out: &mut impl Lines,
        source: Source<'_>,
        command: &str,
        target: &str,
        text: &str,
        action: bool,
    ) {
        let prefix: Prefix = match source {
            Source::Server => truncated(&self.server),
            Source::User(nick) => user_prefix(nick),
        };
        // What the rest of the line takes: ":prefix CMD target :" CR LF,
        // and the CTCP wrapping of an action.
        let overhead = 1
            + prefix.len()
            + 1
            + command.len()
            + 1
            + target.len()
            + 2
            + 2
            + if action { 9 } else { 0 };
        let budget = MAX_LINE.saturating_sub(overhead).max(1);
        let mut rest = text;
        loop {
            let (piece, tail) = split_text(rest, budget);
            rest = tail;
            if action {
                let mut wrapped: String<{ MAX_LINE }> = String::new();
                let _ = wrapped.push_str("\u{1}ACTION ");
                let _ = wrapped.push_str(piece);
                let _ = wrapped.push('\u{1}');
                self.send_trailing(out, Some(&prefix), command, &[target, &wrapped]);
            } else {
                self.send_trailing(out, Some(&prefix), command, &[target, piece]);
            }
            if rest.is_empty() {
                break;
            }
        }
    }

    fn send(&self, out: &mut impl Lines, prefix: Option<&str>, command: &str, params: &[&str]) {
        self.write_line(out, prefix, command, params, false);
    }

    fn send_trailing(
        &self,
        out: &mut impl Lines,
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
    ) {
        self.write_line(out, prefix, command, params, true);
    }

    fn write_line(
        &self,
        out: &mut impl Lines,
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
        trailing: bool,
    ) {
        let mut buf = [0u8; MAX_LINE];
        // Everything the bridge sends was checked on its way in (names by
        // the hub, texts split to fit); a line that still cannot be
        // written is not sent rather than sent broken.
        match write(&mut buf, prefix, command, params, trailing) {
            Ok(n) => out.line(&buf[..n]),
            Err(super::WriteError::TooLong { .. }) => {
                // Only a topic can be longer than an IRC line (natter's
                // are up to 512 bytes, like its texts, and IRC shows a
                // topic on one line): shown cut, with an ellipsis, rather
                // than not at all.
                if let Some(n) = write_cut(&mut buf, prefix, command, params) {
                    out.line(&buf[..n]);
                }
            }
            Err(super::WriteError::BadParam) => {}
        }
    }
}

/// Write a line whose last parameter is too long for it, cut at a
/// character boundary to fit, with `…` at the end; its length.
fn write_cut(
    buf: &mut [u8; MAX_LINE],
    prefix: Option<&str>,
    command: &str,
    params: &[&str],
) -> Option<usize> {
    const ELLIPSIS: &str = "\u{2026}";
    let mut cut: String<MAX_LINE> = String::new();
    let (last, middle) = params.split_last()?;
    let mut head: Vec<&str, { super::MAX_PARAMS }> = middle.iter().copied().collect();
    head.push("").ok()?;
    let fixed = write(buf, prefix, command, &head, true).ok()?;
    let mut end = MAX_LINE
        .checked_sub(fixed + ELLIPSIS.len())?
        .min(last.len());
    while !last.is_char_boundary(end) {
        end -= 1;
    }
    cut.push_str(&last[..end]).ok()?;
    cut.push_str(ELLIPSIS).ok()?;
    if let Some(slot) = head.last_mut() {
        *slot = &cut;
    }
    write(buf, prefix, command, &head, true).ok()
}

/// Who an IRC line is from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// This server.
    Server,
    /// A member, by nickname.
    User(&'a str),
}

/// `#room` for IRC.
fn channel(room: &str) -> String<{ MAX_ROOM + 1 }> {
    let mut ch = String::new();
    let _ = ch.push('#');
    let _ = ch.push_str(room);
    ch
}

/// The natter room an IRC channel names, if it is a valid one.
fn room_of(target: &str) -> Option<&str> {
    target.strip_prefix('#').filter(|r| is_valid_room(r))
}

/// A line's source: a server name, or `nick!nick@natter`.
type Prefix = String<{ MAX_SERVER_NAME + 16 }>;

fn user_prefix(nick: &str) -> Prefix {
    let mut p = String::new();
    let _ = p.push_str(nick);
    let _ = p.push('!');
    let _ = p.push_str(nick);
    let _ = p.push_str("@natter");
    p
}

fn subject_or(subject: &str) -> &str {
    if subject.is_empty() { "*" } else { subject }
}

fn format_no_recipient(command: &str) -> String<48> {
    let mut s = String::new();
    let _ = s.push_str("No recipient given (");
    let _ = s.push_str(command);
    let _ = s.push(')');
    s
}

/// A reason or password cut to a *short* field's 255 bytes, at a
/// character boundary.
fn short(s: &str) -> &str {
    split_text(s, MAX_SHORT).0
}

fn truncated<const N: usize>(s: &str) -> String<N> {
    let mut out = String::new();
    let _ = out.push_str(split_text(s, N).0);
    out
}

/// `[HH:MM] ` of a server time (milliseconds since the Unix epoch), at
/// `utc_offset` minutes from UTC.
fn push_time<const N: usize>(
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

#[cfg(test)]
mod tests;

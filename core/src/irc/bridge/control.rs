//! The teacher's and operators' IRC commands (`OPER`, `MODE`, `KICK`,
//! `INVITE`) as natter frames, and the hub's answers to them (`YouAre`,
//! `ModeChanged`, `Kicked`, `RoomState`, `Listed`, `Invited`) as IRC lines.
//!
//! The hub decides everything: the bridge only translates. A `MODE` line
//! with several changes (`+mv-o bob cat`) is one `Mode` frame per change,
//! and each change the hub makes comes back as one `MODE` line.

use heapless::String;

use super::caps::Caps;
use super::commands::Io;
use super::write::{Source, Tags};
use super::{Bridge, Lines, channel, room_of, short};
use crate::irc::Message;
use crate::irc::numeric::Numeric;
use crate::room::controls::{MODE_TEACHER, ROOM_MODES};
use crate::wire::{FLAG_ADD, FLAG_REMOVE, Frame, ROLE_OPERATOR, ROLE_VOICE, name_key, same_name};

/// Room modes with a parameter when set (`k`, `l`, `S`) or always (`o`,
/// `v`, and `b` unless it asks for the list).
fn takes_param(letter: u8, add: bool) -> bool {
    match letter {
        b'o' | b'v' | b'b' => true,
        b'k' | b'l' | b'S' => add,
        _ => false,
    }
}

fn is_known(letter: u8) -> bool {
    matches!(letter, b'o' | b'v' | b'b' | b'k' | b'l' | b'S')
        || ROOM_MODES.iter().any(|&(l, ..)| l == letter)
}

impl Bridge {
    /// `OPER <name> <password>`: prove the teacher password (the name is
    /// not checked: there is one teacher password).
    pub(super) fn oper(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let password = message.param(1).unwrap_or("");
        io.hub.frame(&Frame::Teach {
            password: short(password),
        });
    }

    /// `MODE #room [changes [params...]]`, or a user's own modes.
    pub(super) fn mode(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let target = message.param(0).unwrap_or("");
        let Some(room) = room_of(target) else {
            let out = &mut *io.out;
            return if same_name(target, &self.nick) {
                let modes = if self.teacher { "+o" } else { "+" };
                self.numeric(out, Numeric::RPL_UMODEIS, &[modes])
            } else if target.starts_with('#') {
                self.numeric(
                    out,
                    Numeric::ERR_NOSUCHCHANNEL,
                    &[target, "No such channel"],
                )
            } else {
                self.numeric(
                    out,
                    Numeric::ERR_USERSDONTMATCH,
                    &["Cannot change mode for other users"],
                )
            };
        };
        let Some(changes) = message.param(1) else {
            self.ask_modes(room);
            return io.hub.frame(&Frame::Mode {
                room,
                flags: 0,
                mode: 0,
                arg: "",
            });
        };
        let mut params = message.params().iter().skip(2);
        let mut add = true;
        for letter in changes.bytes() {
            match letter {
                b'+' => add = true,
                b'-' => add = false,
                _ if !is_known(letter) => {
                    let mut l: String<4> = String::new();
                    let _ = l.push(char::from(letter));
                    self.numeric(
                        io.out,
                        Numeric::ERR_UNKNOWNMODE,
                        &[&l, "is not a mode natter knows"],
                    );
                }
                _ if takes_param(letter, add) => match params.next() {
                    Some(arg) => io.hub.frame(&Frame::Mode {
                        room,
                        flags: if add { FLAG_ADD } else { FLAG_REMOVE },
                        mode: letter,
                        arg: short(arg),
                    }),
                    // `MODE #r b` (or `+b`) with no mask asks for the list.
                    None if letter == b'b' => io.hub.frame(&Frame::Mode {
                        room,
                        flags: 0,
                        mode: letter,
                        arg: "",
                    }),
                    None => {
                        let mut l: String<4> = String::new();
                        let _ = l.push(char::from(letter));
                        self.numeric(
                            io.out,
                            Numeric::ERR_INVALIDMODEPARAM,
                            &[target, &l, "*", "That mode needs a parameter"],
                        );
                    }
                },
                _ => io.hub.frame(&Frame::Mode {
                    room,
                    flags: if add { FLAG_ADD } else { FLAG_REMOVE },
                    mode: letter,
                    arg: "",
                }),
            }
        }
    }

    /// `KICK #room nick[,nick] [:reason]`.
    pub(super) fn kick(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let target = message.param(0).unwrap_or("");
        let Some(room) = room_of(target) else {
            return self.numeric(
                io.out,
                Numeric::ERR_NOSUCHCHANNEL,
                &[target, "No such channel"],
            );
        };
        let me = self.nick.clone();
        let reason = message.param(2).filter(|r| !r.is_empty()).unwrap_or(&me);
        for nick in message.param(1).unwrap_or("").split(',') {
            if crate::wire::is_valid_nick(nick) {
                io.hub.frame(&Frame::Kick {
                    room,
                    nick,
                    reason: short(reason),
                });
            } else {
                self.numeric(
                    io.out,
                    Numeric::ERR_NOSUCHNICK,
                    &[nick, "No such nick/channel"],
                );
            }
        }
    }

    /// `INVITE nick #room`.
    pub(super) fn invite(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let (nick, target) = (
            message.param(0).unwrap_or(""),
            message.param(1).unwrap_or(""),
        );
        match room_of(target) {
            Some(room) if crate::wire::is_valid_nick(nick) => {
                io.hub.frame(&Frame::Invite { room, nick })
            }
            Some(_) => self.numeric(
                io.out,
                Numeric::ERR_NOSUCHNICK,
                &[nick, "No such nick/channel"],
            ),
            None => self.numeric(
                io.out,
                Numeric::ERR_NOSUCHCHANNEL,
                &[target, "No such channel"],
            ),
        }
    }

    /// `REDACT #room msgid [:reason]` (`draft/message-redaction`): remove
    /// a room message by the `msgid` the bridge gave it (`room-epoch-id`).
    pub(super) fn redact(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let (target, msgid) = (
            message.param(0).unwrap_or(""),
            message.param(1).unwrap_or(""),
        );
        let reason = short(message.param(2).unwrap_or(""));
        let found = room_of(target).and_then(|room| {
            // The room name may hold '-': the epoch and id are the last two
            // parts (a long message's pieces add `/n`).
            let whole = msgid.split('/').next()?;
            let (rest, id) = whole.rsplit_once('-')?;
            let (named, epoch) = rest.rsplit_once('-')?;
            let joined = self.room(room)?;
            let ok = same_name(named, room) && epoch.parse::<u32>().ok()? == joined.epoch;
            ok.then_some((room, id.parse::<u64>().ok()?))
        });
        match found {
            Some((room, id)) => io.hub.frame(&Frame::Redact { room, id, reason }),
            None => {
                let server = self.server.clone();
                self.send(
                    io.out,
                    Some(&server),
                    "FAIL",
                    &[
                        "REDACT",
                        "UNKNOWN_MSGID",
                        target,
                        msgid,
                        "This message id is not one of that room's",
                    ],
                );
            }
        }
    }

    /// Remember that the client asked for `room`'s modes: the hub's
    /// `RoomState` for it becomes a `324` (the one after a join does not).
    fn ask_modes(&mut self, room: &str) {
        if self.mode_queries.is_full() {
            self.mode_queries.remove(0);
        }
        let _ = self.mode_queries.push(name_key(room));
    }

    /// The hub's answers and events for the controls, as IRC lines.
    pub(super) fn control_frame(&mut self, frame: &Frame<'_>, out: &mut impl Lines) {
        match *frame {
            Frame::YouAre { .. } => {
                self.numeric(
                    out,
                    Numeric::RPL_YOUREOPER,
                    &["You are now the teacher (an IRC operator)"],
                );
                // As IRC servers do: the operator's user mode.
                if !core::mem::replace(&mut self.teacher, true) {
                    let me = self.nick.clone();
                    self.from(out, &me, "MODE", &[&me, "+o"]);
                }
            }
            Frame::RoomState {
                room,
                modes,
                limit,
                slow,
                key,
            } => {
                let Some(i) = self.mode_queries.iter().position(|&k| k == name_key(room)) else {
                    return;
                };
                self.mode_queries.remove(i);
                self.room_modes_reply(out, room, modes, limit, slow, key);
            }
            Frame::ModeChanged {
                room,
                id,
                time,
                by,
                flags,
                mode,
                arg,
            } if !self.is_history(room, id) => {
                let tags = self.event_tags(room, id, time);
                let mut change: String<4> = String::new();
                let _ = change.push(if flags & FLAG_ADD != 0 { '+' } else { '-' });
                // The teacher is operator in every room: IRC shows `+o`.
                let letter = if mode == MODE_TEACHER { b'o' } else { mode };
                let _ = change.push(char::from(letter));
                let ch = channel(room);
                if arg.is_empty() {
                    self.event_line(out, &tags, by, "MODE", &[&ch, &change]);
                } else {
                    self.event_line(out, &tags, by, "MODE", &[&ch, &change, arg]);
                }
            }
            Frame::Kicked {
                room,
                id,
                time,
                by,
                nick,
                reason,
            } if !self.is_history(room, id) => {
                if same_name(nick, &self.nick) {
                    self.rooms.retain(|r| !same_name(&r.name, room));
                }
                let tags = self.event_tags(room, id, time);
                self.event_line(out, &tags, by, "KICK", &[&channel(room), nick, reason]);
            }
            Frame::Redacted {
                room,
                id,
                time,
                by,
                target,
                from,
                reason,
            } if !self.is_history(room, id) => {
                let ch = channel(room);
                if self.caps.has(Caps::MESSAGE_REDACTION) {
                    let epoch = self.room(room).map_or(0, |r| r.epoch);
                    let mut msgid: String<48> = String::new();
                    let _ = core::fmt::write(&mut msgid, format_args!("{room}-{epoch}-{target}"));
                    let tags = Tags {
                        time: Some(time),
                        ..Tags::NONE
                    };
                    self.event_line(out, &tags, by, "REDACT", &[&ch, &msgid, reason]);
                } else {
                    let mut text: String<96> = String::new();
                    let _ = core::fmt::write(
                        &mut text,
                        format_args!("{by} removed a message by {from}"),
                    );
                    self.text(out, Source::Server, "NOTICE", &ch, &text, false);
                }
            }
            Frame::Listed { room, mask, .. } => {
                let ch = channel(room);
                if mask.is_empty() {
                    self.numeric(
                        out,
                        Numeric::RPL_ENDOFBANLIST,
                        &[&ch, "End of channel ban list"],
                    );
                } else {
                    self.numeric(out, Numeric::RPL_BANLIST, &[&ch, mask]);
                }
            }
            Frame::Invited { room, by, nick } => {
                let ch = channel(room);
                if same_name(by, &self.nick) {
                    self.numeric(out, Numeric::RPL_INVITING, &[nick, &ch]);
                } else {
                    self.event_line(out, &Tags::NONE, by, "INVITE", &[nick, &ch]);
                }
            }
            _ => {}
        }
    }

    /// `324`: the room's modes and their parameters.
    fn room_modes_reply(
        &self,
        out: &mut impl Lines,
        room: &str,
        modes: &str,
        limit: u16,
        slow: u16,
        key: &str,
    ) {
        let mut letters: String<16> = String::new();
        let _ = letters.push('+');
        let _ = letters.push_str(modes);
        let mut numbers: [String<8>; 2] = Default::default();
        let mut params: heapless::Vec<&str, 4> = heapless::Vec::new();
        if !key.is_empty() {
            let _ = letters.push('k');
            let _ = params.push(key);
        }
        for (i, (letter, value)) in [('l', limit), ('S', slow)].into_iter().enumerate() {
            if value > 0 {
                let _ = letters.push(letter);
                let _ = core::fmt::write(&mut numbers[i], format_args!("{value}"));
            }
        }
        for n in numbers.iter().filter(|n| !n.is_empty()) {
            let _ = params.push(n);
        }
        let ch = channel(room);
        let mut all: heapless::Vec<&str, 6> = heapless::Vec::new();
        let _ = all.push(&ch);
        let _ = all.push(&letters);
        for p in params {
            let _ = all.push(p);
        }
        self.numeric(out, Numeric::RPL_CHANNELMODEIS, &all);
    }
}

/// A member's prefix in `NAMES`: `@` for operators (and the teacher), `+`
/// for voiced members; both with `multi-prefix`, else the highest.
pub(super) fn prefixes(roles: u8, multi: bool) -> &'static str {
    let (op, voice) = (roles & ROLE_OPERATOR != 0, roles & ROLE_VOICE != 0);
    match (op, voice) {
        (true, true) if multi => "@+",
        (true, _) => "@",
        (false, true) => "+",
        (false, false) => "",
    }
}

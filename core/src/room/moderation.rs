//! The teacher's and operators' requests (`Teach`, `Mode`, `Kick`,
//! `Invite`), and the checks every other request passes through when a
//! room has controls on: who may join, speak, whisper, rename and set the
//! topic. The rules are in [`controls`](super::controls); this is where the
//! hub applies them.

use heapless::String;

use super::controls::{
    MAX_KEY, MAX_MASK, MAX_SLOW, MODE_TEACHER, ROOM_MODES, bits, normalise_mask,
};
use super::events::RoomEvent;
use super::hub::{short_string, truncated};
use super::storage::Storage;
use super::{ConnId, Event, Hub, REPLY_RESERVE};
use crate::error::ErrorCode;
use crate::time::Instant;
use crate::wire::{
    FLAG_ADD, FLAG_REMOVE, Frame, MAX_FRAME_LEN, MAX_ROOM, ROLE_MUTED, ROLE_OPERATOR, ROLE_TEACHER,
    ROLE_VOICE, name_key,
};

/// Why a request that room controls stop was stopped.
type Refusal = (ErrorCode, &'static str);

impl<S: Storage> Hub<S> {
    /// `conn`'s role bits in the room in slot `index` (`ROLE_*`).
    pub(super) fn roles_in(&self, conn: ConnId, index: usize) -> u8 {
        let c = &self.conns[conn.index()];
        if c.teacher {
            return ROLE_TEACHER | ROLE_OPERATOR;
        }
        let mut roles = c
            .joined
            .iter()
            .find(|cur| usize::from(cur.room) == index)
            .map_or(0, |cur| cur.role);
        if let Some(room) = self.room(index) {
            if roles & ROLE_OPERATOR == 0 && room.controls.listed(true, &c.nick, &c.address) {
                roles |= ROLE_MUTED;
            }
        }
        roles
    }

    /// Is `conn` an operator of the room in slot `index` (or the teacher)?
    /// Asked often (every private message checks each room of both sides),
    /// so without the mute masks `roles_in` matches.
    fn is_operator(&self, conn: ConnId, index: usize) -> bool {
        let c = &self.conns[conn.index()];
        c.teacher
            || c.joined
                .iter()
                .any(|cur| usize::from(cur.room) == index && cur.role & ROLE_OPERATOR != 0)
    }

    // ----- checks on the ordinary requests ------------------------------

    /// May `conn` join the room in slot `index` with `key`? Teachers pass
    /// every control; a wrong key counts as a wrong password.
    pub(super) fn may_join(
        &mut self,
        now: Instant,
        conn: ConnId,
        index: usize,
        key: &str,
    ) -> Option<ErrorCode> {
        let c = &self.conns[conn.index()];
        let room = self.rooms[index].as_ref()?;
        if c.teacher {
            return None;
        }
        let controls = &room.controls;
        if controls.listed(false, &c.nick, &c.address) {
            return Some(ErrorCode::Banned);
        }
        if controls.has(bits::INVITE_ONLY) && !controls.invited.contains(&c.nick_key) {
            return Some(ErrorCode::InviteOnly);
        }
        if controls.limit > 0 && room.members.len() >= usize::from(controls.limit) {
            return Some(ErrorCode::RoomFull);
        }
        if controls.key.is_empty() || controls.key == key {
            return None;
        }
        if key.is_empty() {
            // No key given is not a guess: nothing to count.
            return Some(ErrorCode::BadKey);
        }
        // A room key is a password: guessing it costs as guessing others.
        if let Some(code) = self.may_guess(now, conn) {
            return Some(code);
        }
        self.guessed_wrong(now, conn);
        Some(ErrorCode::BadKey)
    }

    /// May `conn` speak in the room in slot `index` now? Operators (and
    /// the teacher) always may; a muted member never; in a moderated room
    /// only voiced members; in slow mode, once per `slow` seconds.
    pub(super) fn may_say(&self, now: Instant, conn: ConnId, index: usize) -> Option<ErrorCode> {
        let roles = self.roles_in(conn, index);
        if roles & ROLE_OPERATOR != 0 {
            return None;
        }
        let controls = &self.room(index)?.controls;
        if roles & ROLE_MUTED != 0 {
            return Some(ErrorCode::Muted);
        }
        if controls.has(bits::MODERATED) && roles & ROLE_VOICE == 0 {
            return Some(ErrorCode::Moderated);
        }
        let c = &self.conns[conn.index()];
        let last = c
            .joined
            .iter()
            .find(|cur| usize::from(cur.room) == index)?
            .last_said;
        let slow_ms = u32::from(controls.slow) * 1000;
        let since = said_at(now).wrapping_sub(last);
        (controls.slow > 0 && last != 0 && since < slow_ms).then_some(ErrorCode::SlowMode)
    }

    /// Note that `conn` spoke in the room in slot `index` (slow mode).
    pub(super) fn spoke_in(&mut self, now: Instant, conn: ConnId, index: usize) {
        let c = &mut self.conns[conn.index()];
        if let Some(cur) = c
            .joined
            .iter_mut()
            .find(|cur| usize::from(cur.room) == index)
        {
            cur.last_said = said_at(now);
        }
    }

    /// May `from` message `to` privately? Not when either is a student in a
    /// room with private messages off (`P`), unless the other is the
    /// teacher or that room's operator.
    pub(super) fn may_whisper(&self, from: ConnId, to: ConnId) -> Option<ErrorCode> {
        let blocked = |a: ConnId, b: ConnId| {
            self.conns[a.index()].joined.iter().any(|cur| {
                let index = usize::from(cur.room);
                let off = self
                    .room(index)
                    .is_some_and(|r| r.controls.has(bits::NO_PRIVATE));
                off && !self.is_operator(a, index)
                    && !self.is_operator(b, index)
                    && !self.conns[b.index()].teacher
            })
        };
        (blocked(from, to) || blocked(to, from)).then_some(ErrorCode::PrivateOff)
    }

    /// May `conn` change nickname? Not while in a room with nicknames
    /// locked (`N`) where it is not an operator.
    pub(super) fn may_rename(&self, conn: ConnId) -> Option<ErrorCode> {
        let c = &self.conns[conn.index()];
        let locked = c.joined.iter().any(|cur| {
            let index = usize::from(cur.room);
            let lock = self
                .room(index)
                .is_some_and(|r| r.controls.has(bits::NICK_LOCK));
            lock && !self.is_operator(conn, index)
        });
        locked.then_some(ErrorCode::NickLocked)
    }

    /// May `conn` set the topic of the room in slot `index`?
    pub(super) fn may_set_topic(&self, conn: ConnId, index: usize) -> Option<ErrorCode> {
        let locked = self
            .room(index)
            .is_some_and(|r| r.controls.has(bits::TOPIC_LOCK));
        (locked && !self.is_operator(conn, index)).then_some(ErrorCode::NotOperator)
    }

    // ----- the controls' own requests -------------------------------------

    /// `Teach`: prove the teacher password.
    pub(super) fn teach(&mut self, now: Instant, conn: ConnId, password: &str) {
        if self.config.teacher_password.is_empty() {
            return self.reply_error(now, conn, ErrorCode::NoTeacher, 0, "");
        }
        if self.conns[conn.index()].teacher {
            return self.reply(
                now,
                conn,
                &Frame::YouAre {
                    roles: ROLE_TEACHER,
                },
            );
        }
        if let Some(code) = self.may_guess(now, conn) {
            return self.strike(now, conn, code, "");
        }
        if self.config.teacher_password != password {
            self.guessed_wrong(now, conn);
            return self.strike(now, conn, ErrorCode::BadPassword, "");
        }
        let c = &mut self.conns[conn.index()];
        c.teacher = true;
        c.wrong_guesses = 0;
        let nick = c.nick.clone();
        self.reply(
            now,
            conn,
            &Frame::YouAre {
                roles: ROLE_TEACHER,
            },
        );
        self.log(Event::Teacher { conn, nick });
        // The others in its rooms see it become the teacher.
        let rooms: heapless::Vec<u8, { super::MAX_JOINED }> = self.conns[conn.index()]
            .joined
            .iter()
            .map(|cur| cur.room)
            .collect();
        for room in rooms {
            self.announce_teacher(now, conn, usize::from(room));
        }
    }

    /// `Mode`: change one of `room`'s modes, or say what is set.
    pub(super) fn mode(
        &mut self,
        now: Instant,
        conn: ConnId,
        room: &str,
        flags: u8,
        mode: u8,
        arg: &str,
    ) {
        // Anyone may ask what a room's modes and bans are, as on IRC.
        if flags == 0 {
            return match self.find_room(room) {
                Some(index) => self.tell_modes(now, conn, index, mode),
                None => self.reply_error(now, conn, ErrorCode::NoSuchRoom, 0, room),
            };
        }
        let Some(index) = self.room_of_request(now, conn, room) else {
            return;
        };
        if flags == FLAG_ADD | FLAG_REMOVE {
            return self.refuse_mode(now, conn, ErrorCode::BadModeArg, room, mode);
        }
        if !self.is_operator(conn, index) {
            return self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
        }
        let add = flags == FLAG_ADD;
        let changed = match self.apply_mode(index, add, mode, arg) {
            Ok(changed) => changed,
            Err((code, _)) => {
                return match code {
                    ErrorCode::NoSuchNick | ErrorCode::TeacherProtected => {
                        self.reply_error(now, conn, code, 0, arg)
                    }
                    ErrorCode::TheyAreNotInRoom => self.refuse_about(now, conn, code, arg, room),
                    _ => self.refuse_mode(now, conn, code, room, mode),
                };
            }
        };
        let Some(arg) = changed else {
            // Nothing changed: IRC servers say nothing either.
            return;
        };
        let nick = self.conns[conn.index()].nick.clone();
        self.push_event(
            now,
            index,
            conn,
            false,
            RoomEvent::ModeChanged {
                by: &nick,
                flags,
                mode,
                arg: &arg,
            },
        );
        let mut what = String::<4>::new();
        let _ = what.push(if add { '+' } else { '-' });
        let _ = what.push(char::from(mode));
        // A key is a password: it stays out of the log.
        let target = if mode == b'k' { "" } else { arg.as_str() };
        self.audit(conn, index, &what, target);
    }

    /// The slot of `room` for a control request: `NoSuchRoom` if there is
    /// no such room, `NotInRoom` if `conn` is not in it.
    fn room_of_request(&mut self, now: Instant, conn: ConnId, room: &str) -> Option<usize> {
        if self.find_room(room).is_none() {
            self.reply_error(now, conn, ErrorCode::NoSuchRoom, 0, room);
            return None;
        }
        let index = self.joined_room(conn, room);
        if index.is_none() {
            self.reply_error(now, conn, ErrorCode::NotInRoom, 0, room);
        }
        index
    }

    /// Refuse a mode change: the subject is the room and the mode's letter
    /// (`maths k`), as IRC's `696` and `472` need both.
    fn refuse_mode(&mut self, now: Instant, conn: ConnId, code: ErrorCode, room: &str, mode: u8) {
        let mut subject = String::<{ crate::wire::MAX_ROOM + 2 }>::new();
        let _ = subject.push_str(room);
        let _ = subject.push(' ');
        let _ = subject.push(if mode.is_ascii_graphic() {
            char::from(mode)
        } else {
            '?'
        });
        self.reply_error(now, conn, code, 0, &subject);
    }

    /// Refuse a request about a member: the subject is the nickname and
    /// the room (`bob maths`), as IRC's `441` and `443` need both.
    fn refuse_about(
        &mut self,
        now: Instant,
        conn: ConnId,
        code: ErrorCode,
        nick: &str,
        room: &str,
    ) {
        let mut subject = String::<{ crate::wire::MAX_NICK + 1 + crate::wire::MAX_ROOM }>::new();
        let _ = subject.push_str(nick);
        let _ = subject.push(' ');
        let _ = subject.push_str(room);
        self.reply_error(now, conn, code, 0, &subject);
    }

    /// Change mode `mode` of the room in slot `index`: the argument the
    /// event carries if it changed anything, `None` if not.
    fn apply_mode(
        &mut self,
        index: usize,
        add: bool,
        mode: u8,
        arg: &str,
    ) -> Result<Option<String<MAX_MASK>>, Refusal> {
        const BAD_ARG: Refusal = (ErrorCode::BadModeArg, "");
        let as_arg = |s: &str| -> String<MAX_MASK> { truncated(s) };
        match mode {
            b'o' | b'v' => {
                let target = self.nick_owner(arg).ok_or((ErrorCode::NoSuchNick, ""))?;
                let t = &self.conns[target.index()];
                if t.teacher && mode == b'o' && !add {
                    return Err((ErrorCode::TeacherProtected, ""));
                }
                let nick = as_arg(&t.nick);
                let bit = if mode == b'o' {
                    ROLE_OPERATOR
                } else {
                    ROLE_VOICE
                };
                let c = &mut self.conns[target.index()];
                let cur = c
                    .joined
                    .iter_mut()
                    .find(|cur| usize::from(cur.room) == index)
                    .ok_or((ErrorCode::TheyAreNotInRoom, ""))?;
                let before = cur.role;
                if add {
                    cur.role |= bit;
                } else {
                    cur.role &= !bit;
                }
                Ok((cur.role != before).then_some(nick))
            }
            b'k' => {
                let room = self.rooms[index].as_mut().ok_or(BAD_ARG)?;
                let c = &mut room.controls;
                if add {
                    let ok = !arg.is_empty() && arg.len() <= MAX_KEY && !arg.contains([' ', ',']);
                    if !ok {
                        return Err(BAD_ARG);
                    }
                    if c.key == arg {
                        // The same key again changes nothing: no event.
                        return Ok(None);
                    }
                    c.key = truncated(arg);
                    Ok(Some(as_arg(arg)))
                } else if c.key.is_empty() {
                    Ok(None)
                } else {
                    c.key.clear();
                    Ok(Some(as_arg("*")))
                }
            }
            b'l' | b'S' => {
                let value = if add {
                    let n = parse_u16(arg).ok_or(BAD_ARG)?;
                    let max = if mode == b'S' { MAX_SLOW } else { u16::MAX };
                    if n == 0 || n > max {
                        return Err(BAD_ARG);
                    }
                    n
                } else {
                    0
                };
                let room = self.rooms[index].as_mut().ok_or(BAD_ARG)?;
                let slot = if mode == b'l' {
                    &mut room.controls.limit
                } else {
                    &mut room.controls.slow
                };
                let before = core::mem::replace(slot, value);
                let shown = if add { decimal(value) } else { String::new() };
                Ok((before != value).then_some(shown))
            }
            b'b' => {
                let mask = self.mask_for(arg).ok_or(BAD_ARG)?;
                // A mask that names the teacher outright is refused; a
                // wider one may match them, but teachers pass bans and
                // mutes anyway.
                let plain = mask.strip_prefix("m:").unwrap_or(&mask);
                if let Some(nick) = plain.strip_suffix("!*@*") {
                    if self
                        .nick_owner(nick)
                        .is_some_and(|t| self.conns[t.index()].teacher)
                        && add
                    {
                        return Err((ErrorCode::TeacherProtected, ""));
                    }
                }
                let room = self.rooms[index].as_mut().ok_or(BAD_ARG)?;
                let changed = if add {
                    room.controls
                        .add_mask(&mask)
                        .map_err(|()| (ErrorCode::ListFull, ""))?
                } else {
                    room.controls.remove_mask(&mask)
                };
                Ok(changed.then_some(mask))
            }
            _ => {
                let &(_, bit, _) = ROOM_MODES
                    .iter()
                    .find(|(letter, ..)| *letter == mode)
                    .ok_or((ErrorCode::UnknownMode, ""))?;
                let room = self.rooms[index].as_mut().ok_or(BAD_ARG)?;
                let before = room.controls.modes;
                if add {
                    room.controls.modes |= bit;
                } else {
                    room.controls.modes &= !bit;
                }
                Ok((room.controls.modes != before).then(String::new))
            }
        }
    }

    /// A mask from what an operator typed; `@nick` is the address of
    /// `nick`, who is online.
    fn mask_for(&self, arg: &str) -> Option<String<MAX_MASK>> {
        let (mute, rest) = match arg.strip_prefix("m:") {
            Some(rest) => ("m:", rest),
            None => ("", arg),
        };
        if let Some(nick) = rest.strip_prefix('@') {
            if let Some(owner) = self.nick_owner(nick) {
                let address = &self.conns[owner.index()].address;
                if !address.is_empty() {
                    let mut s = String::<MAX_MASK>::new();
                    for part in [mute, "*!*@", address.as_str()] {
                        s.push_str(part).ok()?;
                    }
                    return Some(s);
                }
            }
        }
        normalise_mask(arg)
    }

    /// Answer a `Mode` that asks: mode 0 is the room's `RoomState`, `b` its
    /// list of bans and mutes.
    fn tell_modes(&mut self, now: Instant, conn: ConnId, index: usize, mode: u8) {
        match mode {
            0 => self.reply_room_state(now, conn, index),
            b'b' => {
                let Some(room) = self.room(index) else {
                    return;
                };
                let name = room.name.clone();
                let masks = room.controls.masks.clone();
                for mask in masks.iter().map(|m| m.as_str()).chain([""]) {
                    let listed = Frame::Listed {
                        room: &name,
                        mode,
                        mask,
                    };
                    self.reply(now, conn, &listed);
                }
            }
            _ => {
                let name = self.room(index).map(|r| r.name.clone()).unwrap_or_default();
                self.refuse_mode(now, conn, ErrorCode::UnknownMode, &name, mode);
            }
        }
    }

    /// Send `conn` the modes of the room in slot `index`.
    pub(super) fn reply_room_state(&mut self, now: Instant, conn: ConnId, index: usize) {
        let Some(room) = self.room(index) else {
            return;
        };
        let (name, c) = (room.name.clone(), room.controls.clone());
        let letters = c.letters();
        let state = Frame::RoomState {
            room: &name,
            modes: &letters,
            limit: c.limit,
            slow: c.slow,
            key: &c.key,
        };
        self.reply(now, conn, &state);
    }

    /// `Kick`: put `nick` out of `room`.
    pub(super) fn kick(
        &mut self,
        now: Instant,
        conn: ConnId,
        room: &str,
        nick: &str,
        reason: &str,
    ) {
        let Some(index) = self.room_of_request(now, conn, room) else {
            return;
        };
        if !self.is_operator(conn, index) {
            return self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
        }
        let Some(target) = self.nick_owner(nick) else {
            return self.reply_error(now, conn, ErrorCode::NoSuchNick, 0, nick);
        };
        if self.conns[target.index()].cursor(index as u8).is_none() {
            return self.refuse_about(now, conn, ErrorCode::TheyAreNotInRoom, nick, room);
        }
        if self.conns[target.index()].teacher {
            return self.reply_error(now, conn, ErrorCode::TeacherProtected, 0, nick);
        }
        if !self.take_token(now, conn, 0) {
            return;
        }
        // Everything before the kick reaches the kicked, then the kick.
        self.queue_unsent(target, index);
        let Some((kicked, name)) = self.take_out(target, index) else {
            return;
        };
        let by = self.conns[conn.index()].nick.clone();
        let ev = RoomEvent::Kicked {
            by: &by,
            nick: &kicked,
            reason,
        };
        let id = self.push_event(now, index, conn, false, ev);
        let time = self.wall_time(now);
        let frame = Frame::Kicked {
            room: &name,
            id,
            time,
            by: &by,
            nick: &kicked,
            reason,
        };
        self.reply(now, target, &frame);
        self.audit(conn, index, "kick", &kicked);
    }

    /// `Invite`: let `nick` into `room` past `i`, and tell them.
    pub(super) fn invite(&mut self, now: Instant, conn: ConnId, room: &str, nick: &str) {
        let Some(index) = self.room_of_request(now, conn, room) else {
            return;
        };
        let closed = self
            .room(index)
            .is_some_and(|r| r.controls.has(bits::INVITE_ONLY));
        if closed && !self.is_operator(conn, index) {
            return self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
        }
        let Some(target) = self.nick_owner(nick) else {
            return self.reply_error(now, conn, ErrorCode::NoSuchNick, 0, nick);
        };
        if self.conns[target.index()].cursor(index as u8).is_some() {
            return self.refuse_about(now, conn, ErrorCode::TheyAreInRoom, nick, room);
        }
        if !self.take_token(now, conn, 0) {
            return;
        }
        let invited = self.conns[target.index()].nick.clone();
        let by = self.conns[conn.index()].nick.clone();
        let name = self.room(index).map(|r| r.name.clone()).unwrap_or_default();
        let frame = Frame::Invited {
            room: &name,
            by: &by,
            nick: &invited,
        };
        // As a whisper: never into a queue that is not being read, where
        // invitations would crowd out what it must get (a `Kicked`). Found
        // by the `room` fuzz target (fuzz/regressions/room/).
        let needed = frame.encoded_len().unwrap_or(MAX_FRAME_LEN);
        if self.conns[target.index()].out.free() < needed + REPLY_RESERVE {
            return self.reply_error(now, conn, ErrorCode::RecipientBusy, 0, nick);
        }
        let Some(r) = self.rooms[index].as_mut() else {
            return;
        };
        r.controls.invite(name_key(&invited));
        self.reply(now, conn, &frame);
        self.reply(now, target, &frame);
        self.audit(conn, index, "invite", &invited);
    }

    /// `Redact`: remove message `target` of `room` from every window and
    /// from its history. Everyone in the room (the operator too) gets the
    /// `Redacted` event; whoever reads the history later finds the message
    /// flagged removed, its text gone.
    pub(super) fn redact(
        &mut self,
        now: Instant,
        conn: ConnId,
        room: &str,
        target: u64,
        reason: &str,
    ) {
        let Some(index) = self.room_of_request(now, conn, room) else {
            return;
        };
        if !self.is_operator(conn, index) {
            return self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
        }
        let Some(r) = self.rooms[index].as_mut() else {
            return;
        };
        let Some((from, already)) = r.remove_message(target) else {
            return self.reply_error(now, conn, ErrorCode::NoSuchMessage, 0, room);
        };
        if already {
            return;
        }
        let by = self.conns[conn.index()].nick.clone();
        let ev = RoomEvent::Redacted {
            by: &by,
            target,
            from: &from,
            reason,
        };
        self.push_event(now, index, conn, false, ev);
        // The audit line names whose message, never its words.
        self.audit(conn, index, "remove", &from);
    }

    /// Write an operator's action to the log: the audit trail.
    fn audit(&mut self, conn: ConnId, index: usize, what: &str, target: &str) {
        let room: String<MAX_ROOM> = self.room(index).map(|r| r.name.clone()).unwrap_or_default();
        let nick = self.conns[conn.index()].nick.clone();
        self.log(Event::Moderated {
            conn,
            nick,
            room,
            what: truncated(what),
            target: truncated(target),
        });
    }

    /// A teacher joining a room (or becoming the teacher in it): everyone
    /// in it sees its role, the teacher too (an IRC client learns it is an
    /// operator only from its own `MODE +o`).
    pub(super) fn announce_teacher(&mut self, now: Instant, conn: ConnId, index: usize) {
        let nick = short_string(&self.conns[conn.index()].nick);
        let ev = RoomEvent::ModeChanged {
            by: &nick,
            flags: FLAG_ADD,
            mode: MODE_TEACHER,
            arg: &nick,
        };
        self.push_event(now, index, conn, false, ev);
    }
}

/// `now` as a cursor's `last_said`: the clock's milliseconds plus one,
/// wrapping, and never 0 (which means never).
fn said_at(now: Instant) -> u32 {
    (now.0 as u32).wrapping_add(1).max(1)
}

/// A number of up to five ASCII digits (no sign, no spaces), as a `u16`.
/// By hand rather than `str::parse`, whose error formatting a
/// microcontroller would carry for nothing.
fn parse_u16(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 {
        return None;
    }
    s.bytes().try_fold(0u16, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u16::from(digit))
    })
}

/// `n` in decimal, without `core::fmt` (kept off the firmware's flash).
fn decimal(mut n: u16) -> String<MAX_MASK> {
    let mut digits = [0u8; 5];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut s = String::new();
    for &d in digits[..len].iter().rev() {
        let _ = s.push(char::from(d));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_and_written_by_hand() {
        for (text, want) in [
            ("0", Some(0)),
            ("30", Some(30)),
            ("65535", Some(65535)),
            ("65536", None),
            ("+5", None),
            ("", None),
            ("123456", None),
            ("1a", None),
        ] {
            assert_eq!(parse_u16(text), want, "{text}");
        }
        for n in [0, 7, 30, 3600, 65535] {
            assert_eq!(decimal(n).parse::<u16>(), Ok(n));
        }
    }
}

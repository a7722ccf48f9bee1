//! Handling a connection's input: decoding its frames and answering each
//! request (hello, join, part, say, whisper, nick, topic, quit, ping).

use heapless::{String, Vec};

use super::conn::{self, Cursor, State};
use super::events::RoomEvent;
use super::hub::{short_string, truncated};
use super::storage::{Slots, Storage};
use super::{ConnId, Event, Hub, MAX_STRIKES, REPLY_RESERVE};
use crate::error::{DecodeError, ErrorCode};
use crate::time::Instant;
use crate::wire::{
    Frame, MAX_FRAME_LEN, MAX_NICK, MAX_ROOM, ROLE_OPERATOR, Status, VERSION, decode_client,
    frame_len, is_server_kind, name_key,
};

impl<S: Storage> Hub<S> {
    /// Handle every whole frame in `conn`'s input while its output queue has
    /// room for the replies.
    pub(super) fn process_input(&mut self, now: Instant, conn: ConnId) {
        let mut used = 0;
        loop {
            let c = &self.conns[conn.index()];
            // A connection that gave a wrong password waits before its
            // next frame is read (`handle_timeout` resumes it).
            if !c.is_open() || c.out.free() < REPLY_RESERVE || now < c.hold_until {
                break;
            }
            let pending = &c.input[used..c.input_len];
            let len = match frame_len(pending) {
                Ok(Some(len)) if len <= pending.len() => len,
                Ok(_) => break,
                Err(error) => {
                    self.log(Event::BadFrame { conn, error });
                    self.reply_error(now, conn, error.code(), 0, "");
                    self.close(now, conn, ErrorCode::Malformed, "frame over the size limit");
                    return;
                }
            };
            // Copy the frame out so the hub can change while it is handled.
            let mut frame_buf = [0u8; MAX_FRAME_LEN];
            frame_buf[..len].copy_from_slice(&pending[..len]);
            used += len;
            match decode_client(&frame_buf[..len]) {
                Ok(Status::Complete((frame, _))) => self.handle_frame(now, conn, frame),
                Ok(Status::Partial { .. }) => {}
                // A frame only a server sends: not understood here, but no
                // strike (it is a client's mistake, not garbage).
                Err(DecodeError::UnknownKind(kind)) if is_server_kind(kind) => {
                    self.reply_error(now, conn, ErrorCode::UnexpectedFrame, 0, "")
                }
                Err(error) => self.bad_frame(now, conn, error),
            }
        }
        let c = &mut self.conns[conn.index()];
        if c.is_open() && used > 0 {
            c.input.copy_within(used..c.input_len, 0);
            c.input_len -= used;
        }
    }

    pub(super) fn bad_frame(&mut self, now: Instant, conn: ConnId, error: DecodeError) {
        self.log(Event::BadFrame { conn, error });
        self.strike(now, conn, error.code(), "");
    }

    /// Refuse a request that counts against the connection: a bad frame or
    /// a failed hello. Too many and the connection is closed.
    pub(super) fn strike(&mut self, now: Instant, conn: ConnId, code: ErrorCode, subject: &str) {
        let c = &mut self.conns[conn.index()];
        c.strikes = c.strikes.saturating_add(1);
        if c.strikes > MAX_STRIKES {
            self.reply_error(now, conn, code, 0, subject);
            self.close(now, conn, code, "too many refused requests");
        } else {
            self.reply_error(now, conn, code, 0, subject);
        }
    }

    pub(super) fn handle_frame(&mut self, now: Instant, conn: ConnId, frame: Frame<'_>) {
        let ready = self.conns[conn.index()].state == State::Ready;
        match frame {
            Frame::Ping { token } => self.reply(now, conn, &Frame::Pong { token }),
            Frame::Pong { .. } => {}
            Frame::Quit { reason } => {
                self.leave_all(now, conn, reason);
                self.close(now, conn, ErrorCode::Quit, "goodbye");
            }
            Frame::Hello { nick, password, .. } if !ready => self.hello(now, conn, nick, password),
            Frame::Hello { .. } => self.reply_error(now, conn, ErrorCode::AlreadyWelcomed, 0, ""),
            _ if !frame.is_client_frame() => {
                self.reply_error(now, conn, ErrorCode::UnexpectedFrame, 0, "")
            }
            _ if !ready => {
                self.reply_error(now, conn, ErrorCode::HelloFirst, frame.request_tag(), "")
            }
            Frame::Join {
                room,
                epoch,
                since,
                key,
            } => self.join(now, conn, room, epoch, since, key),
            Frame::Part { room, reason } => match self.joined_room(conn, room) {
                Some(index) => self.part(now, conn, index, reason, true),
                None => self.reply_error(now, conn, ErrorCode::NotInRoom, 0, room),
            },
            Frame::Say {
                tag,
                room,
                flags,
                text,
            } => self.say(now, conn, tag, room, flags, text),
            Frame::Whisper {
                tag,
                to,
                flags,
                text,
            } => self.whisper(now, conn, tag, to, flags, text),
            Frame::SetNick { nick } => self.set_nick(now, conn, nick),
            Frame::SetTopic { room, topic } => self.set_topic(now, conn, room, topic),
            Frame::Teach { password } => self.teach(now, conn, password),
            Frame::Mode {
                room,
                flags,
                mode,
                arg,
            } => self.mode(now, conn, room, flags, mode, arg),
            Frame::Kick { room, nick, reason } => self.kick(now, conn, room, nick, reason),
            Frame::Invite { room, nick } => self.invite(now, conn, room, nick),
            Frame::Redact { room, id, reason } => self.redact(now, conn, room, id, reason),
            _ => self.reply_error(now, conn, ErrorCode::UnexpectedFrame, 0, ""),
        }
    }

    pub(super) fn hello(&mut self, now: Instant, conn: ConnId, nick: &str, password: &str) {
        let wrong = !self.config.password.is_empty() && self.config.password != password;
        let refusal = if self.config.password.is_empty() {
            None
        } else if let Some(code) = self.may_guess(now, conn) {
            // Too many wrong guesses from its address: not even checked.
            Some((code, ""))
        } else if wrong {
            self.guessed_wrong(now, conn);
            Some((ErrorCode::BadPassword, ""))
        } else {
            None
        };
        let refusal = if refusal.is_some() {
            refusal
        } else if self.nick_owner(nick).is_some() {
            Some((ErrorCode::NickTaken, nick))
        } else {
            None
        };
        if let Some((code, subject)) = refusal {
            // Retrying is fine; guessing passwords all day is not.
            return self.strike(now, conn, code, subject);
        }
        let c = &mut self.conns[conn.index()];
        c.state = State::Ready;
        c.nick.clear();
        // The decoder checked the nick, which is at most MAX_NICK bytes.
        let _ = c.nick.push_str(nick);
        c.nick_key = name_key(nick);
        self.welcomed += 1;
        self.peak_welcomed = self.peak_welcomed.max(self.welcomed);
        let lobby = self
            .rooms
            .iter()
            .flatten()
            .find(|r| r.fixed)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        // `with_storage` keeps the text limit within MAX_TEXT.
        let max_text = self.limits.text as u16;
        self.reply(
            now,
            conn,
            &Frame::Welcome {
                version: VERSION,
                nick,
                lobby: &lobby,
                max_text,
            },
        );
        self.log(Event::Welcomed {
            conn,
            nick: short_string(nick),
        });
    }

    pub(super) fn join(
        &mut self,
        now: Instant,
        conn: ConnId,
        name: &str,
        epoch: u32,
        since: u64,
        key: &str,
    ) {
        if self.joined_room(conn, name).is_some() {
            return self.reply_error(now, conn, ErrorCode::AlreadyInRoom, 0, name);
        }
        if self.conns[conn.index()].joined.is_full() {
            return self.reply_error(now, conn, ErrorCode::TooManyRooms, 0, name);
        }
        let (index, created) = match self.find_room(name) {
            Some(i) => (i, false),
            None if !self.config.allow_new_rooms => {
                return self.reply_error(now, conn, ErrorCode::RoomsFixed, 0, name);
            }
            None => match self.create_room(name, false) {
                Some(i) => (i, true),
                None => return self.reply_error(now, conn, ErrorCode::NoFreeRoom, 0, name),
            },
        };
        if let Some(code) = self.may_join(now, conn, index, key) {
            return self.reply_error(now, conn, code, 0, name);
        }
        let capacity = self.config.room_capacity.min(self.limits.conns);
        let Some(room) = self.rooms[index].as_mut() else {
            return;
        };
        // A member list may also hold fewer than the limits say (it is the
        // storage's): full either way.
        if room.members.len() >= capacity || room.members.push(conn).is_err() {
            if created {
                self.rooms[index] = None;
            }
            return self.reply_error(now, conn, ErrorCode::RoomFull, 0, name);
        }
        // Announce before the joiner's cursor is placed, so its own join is
        // in the history behind it (and skipped for it like its messages).
        let nick = self.conns[conn.index()].nick.clone();
        self.push_event(now, index, conn, true, RoomEvent::Joined { nick: &nick });
        if self.conns[conn.index()].teacher {
            self.announce_teacher(now, conn, index);
        }
        let Some(room) = self.rooms[index].as_mut() else {
            return;
        };
        // A fresh join replays `history` events before the joiner's own.
        let replay = self.config.history.saturating_add(1);
        let start = room.start_for(epoch, since, replay);
        let room_name = room.name.clone();
        let topic = room.topic.clone();
        let entered = Frame::Entered {
            room: &room_name,
            topic: &topic,
            epoch: room.epoch,
            next_id: room.next_id(),
            members: room.members.len() as u16,
        };
        self.reply(now, conn, &entered);
        if start.missed > 0 {
            self.reply(
                now,
                conn,
                &Frame::Gap {
                    room: &room_name,
                    missed: start.missed,
                },
            );
        }
        let cursor = Cursor {
            room: index as u8,
            next_id: start.first,
            owed_from: start.owed_from,
            own_dropped: 0,
            names_from: Some(0),
            // Whoever creates a room is its operator, as on IRC.
            role: if created { ROLE_OPERATOR } else { 0 },
            last_said: 0,
        };
        // `joined` was checked not to be full.
        let _ = self.conns[conn.index()].joined.push(cursor);
        // A room with controls on says so; one without says nothing.
        if self.room(index).is_some_and(|r| r.controls.any()) {
            self.reply_room_state(now, conn, index);
        }
        // An invitation is used up by the join.
        let nick_key = self.conns[conn.index()].nick_key;
        if let Some(r) = self.rooms[index].as_mut() {
            r.controls.invited.retain(|&k| k != nick_key);
        }
        let nick = self.conns[conn.index()].nick.clone();
        self.log(Event::Joined {
            conn,
            nick,
            room: truncated(&room_name),
            created,
        });
    }

    pub(super) fn part(
        &mut self,
        now: Instant,
        conn: ConnId,
        index: usize,
        reason: &str,
        confirm: bool,
    ) {
        if confirm {
            // Everything before its own `Parted` reaches it, or is counted.
            self.queue_unsent(conn, index);
        }
        let Some((nick, room_name)) = self.take_out(conn, index) else {
            return;
        };
        if confirm {
            self.reply(
                now,
                conn,
                &Frame::Left {
                    room: &room_name,
                    reason,
                },
            );
        }
        let id = self.push_event(
            now,
            index,
            conn,
            true,
            RoomEvent::Parted {
                nick: &nick,
                // Only quitting (`leave_all`) parts without confirming.
                quit: !confirm,
                reason,
            },
        );
        self.log(Event::Parted {
            conn,
            nick,
            room: truncated(&room_name),
            id,
        });
        if let Some(room) = &self.rooms[index] {
            if room.members.is_empty() && !room.fixed {
                self.rooms[index] = None;
            }
        }
    }

    /// Take `conn` out of the room in slot `index`: its cursor and its
    /// place in the member list. Returns its nickname and the room's name
    /// (`None` if the room is gone).
    pub(super) fn take_out(
        &mut self,
        conn: ConnId,
        index: usize,
    ) -> Option<(String<MAX_NICK>, String<MAX_ROOM>)> {
        let c = &mut self.conns[conn.index()];
        c.joined.retain(|cur| usize::from(cur.room) != index);
        let nick = c.nick.clone();
        let room = self.rooms[index].as_mut()?;
        room.remove_member(conn);
        Some((nick, room.name.clone()))
    }

    pub(super) fn leave_all(&mut self, now: Instant, conn: ConnId, reason: &str) {
        while let Some(cursor) = self.conns[conn.index()].joined.last().copied() {
            self.part(now, conn, usize::from(cursor.room), reason, false);
        }
    }

    pub(super) fn say(
        &mut self,
        now: Instant,
        conn: ConnId,
        tag: u32,
        room: &str,
        flags: u8,
        text: &str,
    ) {
        let Some(index) = self.joined_room(conn, room) else {
            return self.reply_error(now, conn, ErrorCode::NotInRoom, tag, room);
        };
        if text.len() > self.limits.text {
            return self.reply_error(now, conn, ErrorCode::BadText, tag, "");
        }
        if let Some(code) = self.may_say(now, conn, index) {
            return self.reply_error(now, conn, code, tag, room);
        }
        if !self.take_token(now, conn, tag) {
            return;
        }
        self.spoke_in(now, conn, index);
        self.conns[conn.index()].last_spoke = now;
        let nick = self.conns[conn.index()].nick.clone();
        let id = self.push_event(
            now,
            index,
            conn,
            true,
            RoomEvent::Message {
                from: &nick,
                flags,
                text,
            },
        );
        // Acknowledge with the room's own spelling, as events carry it.
        let room_name = self.room(index).map(|r| r.name.clone()).unwrap_or_default();
        let time = self.wall_time(now);
        self.reply(
            now,
            conn,
            &Frame::Ack {
                tag,
                room: &room_name,
                id,
                time,
            },
        );
    }

    pub(super) fn whisper(
        &mut self,
        now: Instant,
        conn: ConnId,
        tag: u32,
        to: &str,
        flags: u8,
        text: &str,
    ) {
        if text.len() > self.limits.text {
            return self.reply_error(now, conn, ErrorCode::BadText, tag, "");
        }
        let Some(target) = self.nick_owner(to) else {
            return self.reply_error(now, conn, ErrorCode::NoSuchNick, tag, to);
        };
        if let Some(code) = self.may_whisper(conn, target) {
            return self.reply_error(now, conn, code, tag, to);
        }
        if !self.take_token(now, conn, tag) {
            return;
        }
        self.conns[conn.index()].last_spoke = now;
        let time = self.wall_time(now);
        let from = self.conns[conn.index()].nick.clone();
        let private = Frame::Private {
            time,
            from: &from,
            flags,
            text,
        };
        let needed = private.encoded_len().unwrap_or(MAX_FRAME_LEN);
        if self.conns[target.index()].out.free() < needed + REPLY_RESERVE {
            return self.reply_error(now, conn, ErrorCode::RecipientBusy, tag, to);
        }
        self.reply(now, target, &private);
        self.reply(
            now,
            conn,
            &Frame::Ack {
                tag,
                room: "",
                id: 0,
                time,
            },
        );
    }

    pub(super) fn set_nick(&mut self, now: Instant, conn: ConnId, nick: &str) {
        match self.nick_owner(nick) {
            Some(owner) if owner != conn => {
                return self.reply_error(now, conn, ErrorCode::NickTaken, 0, nick);
            }
            _ => {}
        }
        if let Some(code) = self.may_rename(conn) {
            return self.reply_error(now, conn, code, 0, nick);
        }
        if !self.take_token(now, conn, 0) {
            return;
        }
        let c = &mut self.conns[conn.index()];
        let old = core::mem::replace(&mut c.nick, short_string(nick));
        c.nick_key = name_key(nick);
        let rooms: Vec<u8, { conn::MAX_JOINED }> = c.joined.iter().map(|cur| cur.room).collect();
        for room in rooms {
            let ev = RoomEvent::NickChanged {
                old: &old,
                new: nick,
            };
            self.push_event(now, usize::from(room), conn, true, ev);
        }
        self.reply(now, conn, &Frame::NickSet { nick });
        self.log(Event::NickChanged {
            conn,
            nick: short_string(nick),
        });
    }

    pub(super) fn set_topic(&mut self, now: Instant, conn: ConnId, room: &str, topic: &str) {
        let Some(index) = self.joined_room(conn, room) else {
            return self.reply_error(now, conn, ErrorCode::NotInRoom, 0, room);
        };
        if topic.len() > self.limits.text {
            return self.reply_error(now, conn, ErrorCode::BadText, 0, room);
        }
        if let Some(code) = self.may_set_topic(conn, index) {
            return self.reply_error(now, conn, code, 0, room);
        }
        if !self.take_token(now, conn, 0) {
            return;
        }
        if let Some(r) = self.rooms[index].as_mut() {
            r.topic = truncated(topic);
        }
        let nick = self.conns[conn.index()].nick.clone();
        // The setter sees the change too: it is their confirmation.
        self.push_event(
            now,
            index,
            conn,
            false,
            RoomEvent::Topic { by: &nick, topic },
        );
    }

    /// Take a flood-limit token, or tell the sender (with the request's tag)
    /// that it is sending too fast.
    pub(super) fn take_token(&mut self, now: Instant, conn: ConnId, tag: u32) -> bool {
        let (rate, burst) = (self.config.flood_rate, self.config.flood_burst);
        if self.conns[conn.index()].bucket.take(now, rate, burst) {
            return true;
        }
        self.reply_error(now, conn, ErrorCode::Flooding, tag, "");
        false
    }
}

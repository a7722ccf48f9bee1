//! What the window does with each [`Update`] from the session.

use std::sync::mpsc::TryRecvError;
use std::time::Instant;

use fltk::app;

use super::conversation::Delivery;
use super::{App, Msg, Page, Room, Status, UPDATES_PER_TURN};
use crate::session::{EventKind, RoomEvent, Update};
use crate::transcript::{Kind, Line, clock, mentions};

impl App {
    pub(super) fn drain_updates(&mut self) {
        let Some(updates) = &self.updates else {
            return;
        };
        let mut batch = Vec::new();
        let mut ended = false;
        while batch.len() < UPDATES_PER_TURN {
            match updates.try_recv() {
                Ok(update) => batch.push(update),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    ended = true;
                    break;
                }
            }
        }
        if batch.len() == UPDATES_PER_TURN {
            // More are waiting: come back after this turn's redraw.
            app::awake();
        }
        let follow = self.chat.log.following();
        let any = !batch.is_empty();
        for update in batch {
            self.on_update(update);
        }
        if ended && self.updates.is_some() {
            self.updates = None;
            if !matches!(self.status, Status::Closed(_)) {
                self.on_update(Update::Closed {
                    reason: "the connection ended".into(),
                });
            }
        }
        if any && follow && self.page == Page::Chat {
            self.chat.log.show_end();
            // Once more after the next redraw: the display wraps new lines
            // lazily, so the first scroll can fall a few lines short.
            let sender = self.sender;
            app::add_timeout3(0.02, move |_| sender.send(Msg::FollowEnd));
        }
        if any {
            self.update_status();
            self.update_title();
        }
    }

    fn on_update(&mut self, update: Update) {
        match update {
            Update::Connecting { server, attempt } => {
                let text = match attempt {
                    1 => format!("Connecting to {server}…"),
                    n => format!("Connecting to {server}… (try {n})"),
                };
                if self.page == Page::Connect {
                    self.connect.say(&text, false, &self.colors);
                }
                self.status = Status::Connecting(server);
            }
            Update::Connected {
                nick,
                server,
                max_text,
            } => self.on_connected(nick, server, max_text),
            Update::Failed(e) => {
                self.session = None;
                self.updates = None;
                self.stop_hosting();
                self.show_connect_page(&e.to_string(), true);
            }
            Update::Lost { reason, retry_in } => {
                // One line per outage; each retry only updates the status.
                if !self.outage {
                    self.outage = true;
                    let why = reason.trim_end_matches('.');
                    self.system(&format!("Connection lost: {why}. Reconnecting…"));
                }
                self.status = Status::Lost {
                    reason,
                    retry_at: Instant::now() + retry_in,
                };
            }
            Update::Entered {
                room,
                topic,
                resumed,
            } => self.on_entered(room, topic, resumed),
            Update::Members { room, nicks } => {
                if let Some(r) = self.room_mut(&room) {
                    r.members = nicks;
                }
                self.show_room();
            }
            Update::Event(event) => self.on_event(event),
            Update::Private {
                time,
                from,
                text,
                action,
            } => {
                let text = if action { format!("* {text}") } else { text };
                self.count_unread(true);
                self.push(
                    Line::new(clock(time), Kind::PrivateFrom, &from, &text),
                    true,
                );
            }
            Update::Acked { tag, .. } => self.chat.log.settle(tag, Delivery::Delivered),
            Update::Gap { room, missed } => {
                let what = if missed == 1 { "message" } else { "messages" };
                self.system(&format!(
                    "You missed {missed} {what} in #{room}: the server could not send them to you in time."
                ));
            }
            Update::Left { room } => {
                self.rooms.retain(|r| r.name != room);
                if self.current.as_deref() == Some(room.as_str()) {
                    self.current = self.rooms.first().map(|r| r.name.clone());
                }
                self.system(&format!("You left #{room}."));
                self.show_room();
            }
            Update::NickSet { nick } => {
                self.system(&format!("You are now known as {nick}."));
                // The server tells the others with NickChanged, not us.
                let old = std::mem::replace(&mut self.nick, nick.clone());
                for room in &mut self.rooms {
                    rename_member(&mut room.members, &old, &nick);
                }
                self.show_room();
                self.save_settings();
            }
            Update::Refused { tag, message, .. } => {
                if tag != 0 {
                    self.chat.log.settle(tag, Delivery::NotDelivered);
                    self.error(&format!("Not delivered: {message}"));
                } else {
                    self.error(&message);
                }
            }
            Update::Closed { reason } => {
                self.session = None;
                self.system(&format!("Disconnected: {reason}."));
                self.status = Status::Closed(reason);
            }
        }
    }

    fn on_connected(&mut self, nick: String, server: String, max_text: usize) {
        self.nick = nick;
        self.server = server;
        self.max_text = max_text;
        self.status = Status::Connected;
        if self.page == Page::Connect {
            self.connect.say("", false, &self.colors);
            self.show_chat_page();
        }
        let again = if std::mem::take(&mut self.outage) {
            "Reconnected"
        } else {
            "Connected"
        };
        self.system(&format!("{again} to {} as {}.", self.server, self.nick));
        self.save_settings();
    }

    fn on_entered(&mut self, room: String, topic: String, resumed: bool) {
        match self.room_mut(&room) {
            Some(r) => r.topic = topic.clone(),
            None => self.rooms.push(Room {
                name: room.clone(),
                topic: topic.clone(),
                members: Vec::new(),
            }),
        }
        let news = if resumed {
            format!("Back in #{room}.")
        } else if topic.is_empty() {
            format!("You are in #{room}. Type a message and press Enter; /help lists commands.")
        } else {
            format!("You are in #{room}. The topic is: {topic}")
        };
        self.current = Some(room);
        self.system(&news);
        self.show_room();
        self.chat.focus_input();
    }

    fn on_event(&mut self, event: RoomEvent) {
        let RoomEvent {
            room,
            time,
            live,
            kind,
            ..
        } = event;
        let time = clock(time);
        let mut line = match kind {
            EventKind::Message { from, text, action } => {
                let mention = mentions(&text, &self.nick);
                if live {
                    self.count_unread(mention);
                }
                let kind = if action { Kind::Action } else { Kind::Message };
                let mut line = Line::new(time, kind, &from, &text);
                line.room = self.other_room(&room);
                self.push(line, mention);
                return;
            }
            EventKind::Joined { nick } => {
                self.change_members(&room, live, |m| add_member(m, &nick));
                Line::new(time, Kind::System, "", &format!("{nick} joined"))
            }
            EventKind::Parted { nick, quit, reason } => {
                self.change_members(&room, live, |m| m.retain(|n| n != &nick));
                let went = if quit { "quit" } else { "left" };
                let text = match reason.is_empty() {
                    true => format!("{nick} {went}"),
                    false => format!("{nick} {went} ({reason})"),
                };
                Line::new(time, Kind::System, "", &text)
            }
            EventKind::NickChanged { old, new } => {
                self.change_members(&room, live, |m| rename_member(m, &old, &new));
                Line::new(
                    time,
                    Kind::System,
                    "",
                    &format!("{old} is now known as {new}"),
                )
            }
            EventKind::Topic { by, topic } => {
                if live && let Some(r) = self.room_mut(&room) {
                    r.topic = topic.clone();
                }
                let text = match topic.is_empty() {
                    true => format!("{by} cleared the topic"),
                    false => format!("{by} set the topic: {topic}"),
                };
                Line::new(time, Kind::System, "", &text)
            }
        };
        line.room = self.other_room(&room);
        self.push(line, false);
        self.show_room();
    }

    /// Apply a live join, part or rename to `room`'s list. History is only
    /// shown: the list from `Members` already includes what it says.
    fn change_members(&mut self, room: &str, live: bool, change: impl FnOnce(&mut Vec<String>)) {
        if !live {
            return;
        }
        if let Some(r) = self.room_mut(room) {
            change(&mut r.members);
        }
    }
}

fn add_member(members: &mut Vec<String>, nick: &str) {
    if !members.iter().any(|m| m == nick) {
        members.push(nick.to_owned());
    }
}

fn rename_member(members: &mut [String], old: &str, new: &str) {
    for nick in members.iter_mut().filter(|n| n.as_str() == old) {
        *nick = new.to_owned();
    }
}

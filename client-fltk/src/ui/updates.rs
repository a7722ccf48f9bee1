//! What the window does with each [`Update`] from the session: each lands
//! in the view it concerns (`crate::views` says which).

use std::sync::mpsc::TryRecvError;
use std::time::Instant;

use fltk::app;

use super::conversation::Log;
use super::{App, Page, Status, UPDATES_PER_TURN};
use crate::session::{EventKind, RoomEvent, Update};
use crate::transcript::{self, Kind, Line, clock, mentions};
use crate::views::{Count, Delivery, RoomView, Target};

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
        if any {
            // The room list's counts, the view on show (kept at its end
            // unless scrolled away), its members, the status and title.
            self.show_view();
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
                    self.system_everywhere(&format!("Connection lost: {why}. Reconnecting…"));
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
            Update::Members { room, nicks, roles } => {
                if let Some(view) = self.views.room_mut(&room) {
                    view.set_members(nicks, &roles);
                }
            }
            Update::Event(event) => self.on_event(event),
            Update::Private {
                time,
                from,
                text,
                action,
            } => {
                // A raised hand goes to the room's member list, not a
                // private view.
                if action && self.hand_raised(&from, &text) {
                    return;
                }
                let text = if action { format!("* {text}") } else { text };
                self.count_unread(true);
                let target = Target::Private(from.clone());
                self.open_view(target.clone());
                let line = Line::new(clock(time), Kind::PrivateFrom, &from, &text);
                // Counted as for you, but not highlighted: in a view of its
                // own every line would be.
                self.views.show(Some(&target), line, false, Count::Mention);
            }
            Update::Acked { tag, id, .. } => {
                if id != 0 {
                    self.views.identify(tag, id);
                }
                self.views.settle(tag, Delivery::Delivered);
            }
            Update::Gap { room, missed } => {
                let what = if missed == 1 { "message" } else { "messages" };
                self.system_in(
                    &Target::Room(room.clone()),
                    Kind::System,
                    &format!(
                        "You missed {missed} {what} in #{room}: the server could not send them to you in time."
                    ),
                );
            }
            Update::Left { room } => {
                if let Some(log) = self.views.close(&Target::Room(room.clone())) {
                    log.delete();
                }
                // Said where you are now, the room's view being gone.
                self.system(&format!("You left #{room}."));
            }
            Update::NickSet { nick } => {
                self.system_everywhere(&format!("You are now known as {nick}."));
                // The server tells the others with NickChanged, not us.
                let old = std::mem::replace(&mut self.nick, nick.clone());
                for view in self.views.rooms_mut() {
                    view.rename_member(&old, &nick);
                }
                self.save_settings();
            }
            Update::Refused {
                tag,
                subject,
                message,
                ..
            } => {
                if tag != 0 {
                    // In the view the line was sent from (or the selected
                    // one, if it was closed since).
                    let target = self.views.settle(tag, Delivery::NotDelivered);
                    let line = Line::new(
                        transcript::now(),
                        Kind::Error,
                        "",
                        &format!("Not delivered: {message}"),
                    );
                    self.views.show(target.as_ref(), line, false, Count::Quiet);
                } else {
                    // About a room you are in, or about no view.
                    let room = Target::Room(subject);
                    self.system_in(&room, Kind::Error, &message);
                }
            }
            Update::Teacher => {
                // Said once per connection, not after every reconnect.
                if !std::mem::replace(&mut self.teacher, true) && !self.told_teacher {
                    self.told_teacher = true;
                    self.system_everywhere(
                        "You are the teacher: you run every room. Right-click someone in the member list \
                         to give the word, mute or put them out; Room settings… for the room; /help lists the commands.",
                    );
                    if let Some(hosted) = &self.hosted {
                        let text = format!(
                            "A colleague can help you run the class: give them the teacher password {} \
                             (they type /oper {} once connected).",
                            hosted.teacher_password, hosted.teacher_password
                        );
                        self.system(&text);
                    }
                }
            }
            Update::RoomModes {
                room,
                modes,
                limit,
                slow,
                key,
            } => {
                if let Some(view) = self.views.room_mut(&room) {
                    view.controls.modes = modes;
                    view.controls.limit = limit;
                    view.controls.slow = slow;
                    view.controls.key = key;
                }
            }
            Update::Listed { room, mask } => {
                if !mask.is_empty() {
                    self.listing.push(mask);
                    return;
                }
                let list = std::mem::take(&mut self.listing);
                let text = match list.is_empty() {
                    true => format!("Nobody is banned or muted in #{room}."),
                    false => {
                        let words: Vec<String> = list
                            .iter()
                            .map(|m| match m.strip_prefix("m:") {
                                Some(mute) => format!("{mute} (muted)"),
                                None => format!("{m} (banned)"),
                            })
                            .collect();
                        format!("Banned and muted in #{room}: {}", words.join(", "))
                    }
                };
                self.system_in(&Target::Room(room), Kind::System, &text);
            }
            Update::Invited { room, by, nick } => {
                let text = if natter_core::wire::same_name(&by, &self.nick) {
                    format!("You invited {nick} to #{room}.")
                } else {
                    format!("{by} invited you to #{room}: type /join {room}")
                };
                self.system(&text);
            }
            Update::Closed { reason } => {
                self.session = None;
                self.system_everywhere(&format!("Disconnected: {reason}."));
                self.status = Status::Closed(reason);
            }
        }
    }

    fn on_connected(&mut self, nick: String, server: String, max_text: usize) {
        // A role is the connection's: proved again after a reconnect.
        self.teacher = false;
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
        self.system_everywhere(&format!("{again} to {} as {}.", self.server, self.nick));
        self.save_settings();
    }

    /// In a room: its view opens (the first one takes over what was said
    /// before it) and, unless this is a reconnection, is selected.
    fn on_entered(&mut self, room: String, topic: String, resumed: bool) {
        let target = Target::Room(room.clone());
        self.open_view(target.clone());
        if let Some(view) = self.views.get_mut(&target) {
            view.topic.clone_from(&topic);
        }
        let news = if resumed {
            format!("Back in #{room}.")
        } else if topic.is_empty() {
            format!("You are in #{room}. Type a message and press Enter; /help lists commands.")
        } else {
            format!("You are in #{room}. The topic is: {topic}")
        };
        self.system_in(&target, Kind::System, &news);
        if !resumed {
            self.views.select_target(&target);
            self.chat.focus_input();
        }
    }

    fn on_event(&mut self, event: RoomEvent) {
        let RoomEvent {
            room,
            id,
            time,
            live,
            kind,
        } = event;
        let target = Target::Room(room);
        let time = clock(time);
        let line = match kind {
            EventKind::Message { from, text, action } => {
                let mention = mentions(&text, &self.nick);
                let count = match (live, mention) {
                    (false, _) => Count::Quiet,
                    (true, false) => Count::Unread,
                    (true, true) => Count::Mention,
                };
                if live {
                    self.count_unread(mention);
                }
                let kind = if action { Kind::Action } else { Kind::Message };
                let line = Line::new(time, kind, &from, &text).with_id(id);
                self.views.show(Some(&target), line, mention, count);
                return;
            }
            EventKind::Joined { nick } => {
                self.change_members(&target, live, |v| v.add_member(&nick));
                Line::new(time, Kind::System, "", &format!("{nick} joined"))
            }
            EventKind::Parted { nick, quit, reason } => {
                self.change_members(&target, live, |v| v.remove_member(&nick));
                let went = if quit { "quit" } else { "left" };
                let text = match reason.is_empty() {
                    true => format!("{nick} {went}"),
                    false => format!("{nick} {went} ({reason})"),
                };
                Line::new(time, Kind::System, "", &text)
            }
            EventKind::NickChanged { old, new } => {
                self.change_members(&target, live, |v| v.rename_member(&old, &new));
                let text = format!("{old} is now known as {new}");
                // A private conversation with them follows the new name
                // (said there once, however many rooms you share).
                if live && self.views.rename_private(&old, &new) {
                    let line = Line::new(time.clone(), Kind::System, "", &text);
                    let private = Target::Private(new.clone());
                    self.views.show(Some(&private), line, false, Count::Quiet);
                }
                Line::new(time, Kind::System, "", &text)
            }
            EventKind::Mode { by, add, mode, arg } => {
                // Replayed history is only said: the member list and the
                // room's modes came as they are now.
                let text = match self.views.get_mut(&target) {
                    Some(view) if live => view.apply_mode(&by, add, mode, &arg),
                    Some(view) => {
                        let mut members = view.members.clone();
                        let mut controls = view.controls.clone();
                        crate::roles::apply_mode(&mut members, &mut controls, &by, add, mode, &arg)
                    }
                    None => return,
                };
                Line::new(time, Kind::System, "", &text)
            }
            EventKind::Redacted {
                by,
                target: removed,
                from,
                reason,
            } => {
                self.views
                    .redact(target.name(), removed, crate::session::REMOVED);
                let why = match reason.is_empty() {
                    true => String::new(),
                    false => format!(" ({reason})"),
                };
                Line::new(
                    time,
                    Kind::System,
                    "",
                    &format!("{by} removed a message by {from}{why}"),
                )
            }
            EventKind::Kicked { by, nick, reason } => {
                self.change_members(&target, live, |v| v.remove_member(&nick));
                let room = target.name().to_owned();
                let why = match reason.is_empty() {
                    true => String::new(),
                    false => format!(": {reason}"),
                };
                if live && natter_core::wire::same_name(&nick, &self.nick) {
                    let out = format!(
                        "{by} put you out of #{room}{why}. You can try /join {room} again later."
                    );
                    if let Some(view) = self.views.get_mut(&target) {
                        view.out = Some(out.clone());
                    }
                    Line::new(time, Kind::Error, "", &out)
                } else {
                    Line::new(
                        time,
                        Kind::System,
                        "",
                        &format!("{by} put {nick} out of the room{why}"),
                    )
                }
            }
            EventKind::Topic { by, topic } => {
                if live && let Some(view) = self.views.get_mut(&target) {
                    view.topic.clone_from(&topic);
                }
                let text = match topic.is_empty() {
                    true => format!("{by} cleared the topic"),
                    false => format!("{by} set the topic: {topic}"),
                };
                Line::new(time, Kind::System, "", &text)
            }
        };
        self.views.show(Some(&target), line, false, Count::Quiet);
    }

    /// Apply a live join, part or rename to a room's list. History is only
    /// shown: the list from `Members` already includes what it says.
    fn change_members(
        &mut self,
        room: &Target,
        live: bool,
        change: impl FnOnce(&mut RoomView<Log>),
    ) {
        if !live {
            return;
        }
        if let Some(view) = self.views.get_mut(room) {
            change(view);
        }
    }
}

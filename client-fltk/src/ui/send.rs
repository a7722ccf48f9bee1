//! What the window does with a line typed into the input: it goes to the
//! selected view (a room, or the other person of a private view).

use std::path::{Path, PathBuf};

use super::{App, Msg};
use crate::commands::{self, Input};
use crate::session::Command;
use crate::transcript::{self, Kind, Line};
use crate::views::Target;

impl App {
    pub(super) fn send_line(&mut self) {
        self.emoji.hide();
        let line = self.chat.take_input();
        match commands::parse(&line, self.max_text) {
            Input::Nothing => {}
            Input::Say { pieces, action } => {
                if let Some(target) = self.target_or_complain() {
                    if let Some(why) = self.why_silent(&target) {
                        // Kept in the input line for when the word is given.
                        self.chat.insert_input(&line);
                        self.error(&why);
                    } else if let Target::Room(room) = &target
                        && let Some(left) = self.slow_wait(room)
                    {
                        // Kept in the input line, to send when the wait is over.
                        self.chat.insert_input(&line);
                        let s = left.as_secs_f64().ceil() as u64;
                        self.error(&format!("Slow mode in #{room}: wait {s} s, then send."));
                    } else {
                        self.say(&target, pieces, action);
                        if let Target::Room(room) = &target {
                            self.spoke(room);
                        }
                    }
                }
            }
            Input::Whisper { to, pieces } => {
                let target = Target::Private(to);
                self.show_private(&target);
                self.say(&target, pieces, false);
            }
            Input::Query(nick) => self.show_private(&Target::Private(nick)),
            Input::Nick(nick) => self.command(Command::Nick(nick)),
            Input::Topic(topic) => match self.target_or_complain() {
                Some(Target::Room(room)) => self.command(Command::Topic { room, topic }),
                Some(Target::Private(_)) => {
                    self.error("A private conversation has no topic: /topic is for rooms.");
                }
                None => {}
            },
            Input::Join(room) => {
                let target = Target::Room(room.clone());
                if !self.views.select_target(&target) {
                    self.system(&format!("Joining #{room}…"));
                    self.command(Command::Join(room));
                }
            }
            Input::Part {
                room: Some(room),
                reason,
            } => {
                self.command(Command::Part { room, reason });
            }
            Input::Part { room: None, reason } => match self.target_or_complain() {
                Some(Target::Room(room)) => self.command(Command::Part { room, reason }),
                Some(Target::Private(_)) => self.close_view(),
                None => {}
            },
            Input::Close => self.close_view(),
            Input::Quit(reason) => {
                self.command(Command::Quit(reason));
                self.handle(Msg::Quit);
            }
            Input::Save(path) => self.save_transcript(path.map(|p| expand_home(&p))),
            Input::Info(text) => self.system(&text),
            Input::Controls(controls) => {
                for control in controls {
                    self.control(control);
                }
            }
            Input::Teach(password) => {
                self.system("Checking the teacher password…");
                self.command(Command::Teach(password));
            }
            Input::RaiseHand => self.raise_hand(),
            Input::RoomSettings => self.open_room_settings(),
            Input::Remove(nick) => self.remove_last(nick.as_deref()),
            Input::MuteEverywhere(nick) => self.mute_everywhere(&nick),
        }
        self.views.current().show_end();
        self.show_view();
    }

    /// Say `pieces` to `target`: in a room, or privately to its person.
    /// Each shows in `target`'s view, waiting for the server's answer.
    fn say(&mut self, target: &Target, pieces: Vec<String>, action: bool) {
        for text in pieces {
            let tag = self.take_tag();
            let (command, line) = match target {
                Target::Room(room) => {
                    let kind = if action { Kind::Action } else { Kind::Own };
                    let line = Line::new(transcript::now(), kind, &self.nick, &text);
                    let command = Command::Say {
                        tag,
                        room: room.clone(),
                        text,
                        action,
                    };
                    (command, line)
                }
                Target::Private(to) => {
                    let shown = if action {
                        format!("* {text}")
                    } else {
                        text.clone()
                    };
                    let line = Line::new(transcript::now(), Kind::PrivateTo, to, &shown);
                    let command = Command::Whisper {
                        tag,
                        to: to.clone(),
                        text,
                        action,
                    };
                    (command, line)
                }
            };
            self.views.show_own(target, line, tag);
            self.command(command);
        }
    }

    /// Open the private view of `target` if needed, and show it.
    fn show_private(&mut self, target: &Target) {
        self.open_view(target.clone());
        self.views.select_target(target);
    }

    /// Send to the session, or say why nothing can be sent.
    pub(super) fn command(&mut self, command: Command) {
        match &self.session {
            Some(session) => session.send(command),
            None => self.error("Not connected. Press Disconnect, then connect again."),
        }
    }

    pub(super) fn take_tag(&mut self) -> u32 {
        let tag = self.next_tag;
        // Tags are never 0: 0 is the tag of errors about no request.
        self.next_tag = self.next_tag.checked_add(1).unwrap_or(1);
        tag
    }

    /// Where the input line sends to, or `None` after saying there is
    /// nowhere.
    fn target_or_complain(&mut self) -> Option<Target> {
        let target = self.views.selected_target().cloned();
        if target.is_none() {
            self.error("You are not in a room yet. Type /join and a room name, like /join maths.");
        }
        target
    }
}

/// `~/x` as a path in the home folder, for `/save ~/notes.txt`.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

//! What the window does with a line typed into the input.

use std::path::{Path, PathBuf};

use super::{App, Msg};
use crate::commands::{self, Input};
use crate::session::Command;
use crate::transcript::{self, Kind, Line};

impl App {
    pub(super) fn send_line(&mut self) {
        self.emoji.hide();
        let line = self.chat.take_input();
        match commands::parse(&line, self.max_text) {
            Input::Nothing => {}
            Input::Say { pieces, action } => self.say(pieces, action),
            Input::Whisper { to, pieces } => {
                for text in pieces {
                    let tag = self.take_tag();
                    self.command(Command::Whisper {
                        tag,
                        to: to.clone(),
                        text: text.clone(),
                        action: false,
                    });
                    let line = Line::new(transcript::now(), Kind::PrivateTo, &to, &text);
                    self.chat.log.push(line, false, Some(tag));
                }
            }
            Input::Nick(nick) => self.command(Command::Nick(nick)),
            Input::Topic(topic) => {
                if let Some(room) = self.room_or_complain() {
                    self.command(Command::Topic { room, topic });
                }
            }
            Input::Join(room) => {
                self.system(&format!("Joining #{room}…"));
                self.command(Command::Join(room));
            }
            Input::Part(reason) => {
                if let Some(room) = self.room_or_complain() {
                    self.command(Command::Part { room, reason });
                }
            }
            Input::Quit(reason) => {
                self.command(Command::Quit(reason));
                self.handle(Msg::Quit);
            }
            Input::Save(path) => self.save_transcript(path.map(|p| expand_home(&p))),
            Input::Info(text) => self.system(&text),
        }
        self.chat.log.show_end();
    }

    fn say(&mut self, pieces: Vec<String>, action: bool) {
        let Some(room) = self.room_or_complain() else {
            return;
        };
        for text in pieces {
            let tag = self.take_tag();
            self.command(Command::Say {
                tag,
                room: room.clone(),
                text: text.clone(),
                action,
            });
            let kind = if action { Kind::Action } else { Kind::Own };
            let line = Line::new(transcript::now(), kind, &self.nick, &text);
            self.chat.log.push(line, false, Some(tag));
        }
    }

    /// Send to the session, or say why nothing can be sent.
    fn command(&mut self, command: Command) {
        match &self.session {
            Some(session) => session.send(command),
            None => self.error("Not connected. Press Disconnect, then connect again."),
        }
    }

    fn take_tag(&mut self) -> u32 {
        let tag = self.next_tag;
        // Tags are never 0: 0 is the tag of errors about no request.
        self.next_tag = self.next_tag.checked_add(1).unwrap_or(1);
        tag
    }

    fn room_or_complain(&mut self) -> Option<String> {
        if self.current.is_none() {
            self.error("You are not in a room yet. Type /join and a room name, like /join maths.");
        }
        self.current.clone()
    }
}

/// `~/x` as a path in the home folder, for `/save ~/notes.txt`.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

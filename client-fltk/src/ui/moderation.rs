//! The teacher's side of the window (issue 17): the member menu, the
//! room settings dialog, the raised hand, slow mode's countdown, and the
//! room bar that tells students how the room is run and why they may not
//! type. What is allowed comes from `crate::roles`; the server decides.

use std::time::{Duration, Instant};

use fltk::app;
use fltk::button::{Button, CheckButton};
use fltk::dialog;
use fltk::enums::Align;
use fltk::frame::Frame;
use fltk::group::Flex;
use fltk::input::{Input, IntInput};
use fltk::menu::MenuItem;
use fltk::prelude::*;
use fltk::window::Window;

use super::App;
use crate::commands::Control;
use crate::roles::{self, Action, RoomControls};
use crate::session::Command;
use crate::views::Target;
use natter_core::wire::{ROLE_OPERATOR, ROLE_VOICE};

/// What a raised hand says, as an action whispered to the room's
/// operators (any client shows it; the window marks the member list).
pub const HAND: &str = "raises a hand in #";

/// The room a raised hand is for, from the whispered action's text.
pub fn hand_room(text: &str) -> Option<&str> {
    text.strip_prefix(HAND)
        .map(|rest| rest.trim_end_matches(" ✋"))
}

/// The member menu's items, built once: FLTK keeps menu items for the
/// program's life.
pub fn member_menu() -> MenuItem {
    let labels: Vec<&'static str> = Action::ALL.iter().map(|a| a.label()).collect();
    MenuItem::new(&labels)
}

impl App {
    /// Your roles in `room` (0 where you are not listed).
    pub(super) fn my_roles(&self, room: &str) -> u8 {
        let target = Target::Room(room.to_owned());
        self.views
            .get(&target)
            .map_or(0, |v| v.roles_of(&self.nick))
    }

    /// Carry out a control typed or picked for the selected room.
    pub(super) fn control(&mut self, control: Control) {
        let Some(Target::Room(room)) = self.views.selected_target().cloned() else {
            return self.error("Room controls work in a room: pick one in the list first.");
        };
        let command = match control {
            Control::Mode { add, mode, arg } => Command::Mode {
                room,
                add,
                mode,
                arg,
            },
            Control::Kick { nick, reason } => Command::Kick { room, nick, reason },
            Control::Invite { nick } => Command::Invite { room, nick },
        };
        self.command(command);
    }

    /// The member menu for the selected member of the room on show, at
    /// the mouse (or the member's line, from the keyboard): only what you
    /// may do to them is enabled.
    pub(super) fn open_member_menu(&mut self) {
        let Some(Target::Room(room)) = self.views.selected_target().cloned() else {
            return;
        };
        let Some(member) = self
            .chat
            .selected_member()
            .and_then(|i| self.views.selected().and_then(|v| v.members.get(i)))
            .cloned()
        else {
            return;
        };
        let mine = self.my_roles(&room);
        for (i, action) in Action::ALL.iter().enumerate() {
            if let Some(mut item) = self.member_menu.at(i as i32) {
                if roles::may(mine, *action, member.roles) && member.nick != self.nick {
                    item.activate();
                } else {
                    item.deactivate();
                }
            }
        }
        if mine & ROLE_OPERATOR == 0 {
            self.system(&format!(
                "Only the teacher (or the room's operators) can act on {}; you can /msg them.",
                member.nick
            ));
        }
        let (x, y) = (app::event_x(), app::event_y());
        let Some(chosen) = self.member_menu.popup(x, y) else {
            return;
        };
        let Some(action) = chosen
            .label()
            .and_then(|l| Action::ALL.into_iter().find(|a| a.label() == l))
        else {
            return;
        };
        let nick = member.nick;
        let control = match action {
            Action::GiveWord => mode(true, 'v', &nick),
            Action::TakeWord => mode(false, 'v', &nick),
            Action::Mute => mode(true, 'b', &format!("m:{nick}")),
            Action::Unmute => mode(false, 'b', &format!("m:{nick}")),
            Action::Ban => mode(true, 'b', &nick),
            Action::MakeOperator => mode(true, 'o', &nick),
            Action::TakeOperator => mode(false, 'o', &nick),
            Action::RemoveLast => return self.remove_last(Some(&nick)),
            Action::MuteEverywhere => return self.mute_everywhere(&nick),
            Action::Kick => {
                let Some(reason) = dialog::input_default(
                    &format!("Put {nick} out of #{room}. Why? (they will read this)"),
                    "",
                ) else {
                    return;
                };
                Control::Kick {
                    nick,
                    reason: reason
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(200)
                        .collect(),
                }
            }
        };
        self.control(control);
    }

    /// Mute `nick` in every room you run (the server has no wider mute:
    /// each room keeps its own list).
    pub(super) fn mute_everywhere(&mut self, nick: &str) {
        let rooms: Vec<String> = self
            .views
            .iter()
            .filter_map(|v| match &v.target {
                Target::Room(room) if v.roles_of(&self.nick) & ROLE_OPERATOR != 0 => {
                    Some(room.clone())
                }
                _ => None,
            })
            .collect();
        for room in rooms {
            self.command(Command::Mode {
                room,
                add: Some(true),
                mode: 'b',
                arg: format!("m:{nick}"),
            });
        }
    }

    /// Remove the last message (by `nick`, or anyone's) of the room on
    /// show, as far as this window has it.
    pub(super) fn remove_last(&mut self, nick: Option<&str>) {
        let Some(Target::Room(room)) = self.views.selected_target().cloned() else {
            return self.error("Messages are removed in a room: pick one in the list first.");
        };
        match self.views.last_message(&room, nick) {
            Some(id) => self.command(Command::Redact {
                room,
                id,
                reason: String::new(),
            }),
            None => self.error(&match nick {
                Some(nick) => format!("There is no message by {nick} in #{room} to remove."),
                None => format!("There is no message in #{room} to remove."),
            }),
        }
    }

    /// Raise your hand in the room on show: a private action to each of
    /// its operators, who see it in their member list.
    pub(super) fn raise_hand(&mut self) {
        let Some(view) = self.views.selected() else {
            return;
        };
        let Target::Room(room) = view.target.clone() else {
            return self.error("Hands are raised in a room.");
        };
        let operators: Vec<String> = view
            .members
            .iter()
            .filter(|m| m.roles & ROLE_OPERATOR != 0 && m.nick != self.nick)
            .map(|m| m.nick.clone())
            .collect();
        if operators.is_empty() {
            return self.error(&format!("Nobody runs #{room} right now: just say it."));
        }
        for to in operators {
            let tag = self.take_tag();
            self.command(Command::Whisper {
                tag,
                to,
                text: format!("{HAND}{room} ✋"),
                action: true,
            });
        }
        self.system_in(
            &Target::Room(room),
            crate::transcript::Kind::System,
            "You raised your hand: the teacher sees it.",
        );
    }

    /// A private action that is a raised hand: mark it in the room's
    /// member list and say it there. `true` if it was one.
    pub(super) fn hand_raised(&mut self, from: &str, text: &str) -> bool {
        let Some(room) = hand_room(text).map(str::to_owned) else {
            return false;
        };
        let target = Target::Room(room.clone());
        let Some(view) = self.views.get_mut(&target) else {
            return false;
        };
        if !view.raise_hand(from, true) {
            return false;
        }
        self.system_in(
            &target,
            crate::transcript::Kind::System,
            &format!("✋ {from} raises a hand (right-click them to give the word)"),
        );
        true
    }

    /// The room bar, the input line and the send button for the view on
    /// show: how the room is run, why you may not type, the hand and the
    /// settings buttons, slow mode's countdown.
    pub(super) fn refresh_room_state(&mut self) {
        let Some(view) = self.views.selected() else {
            self.chat.set_room_state(None, None, false, false);
            self.chat.set_send_label("Send");
            return;
        };
        let Target::Room(room) = view.target.clone() else {
            self.chat.set_room_state(None, None, false, false);
            self.chat.set_send_label("Send");
            return;
        };
        let mine = view.roles_of(&self.nick);
        let note = roles::banner(&room, &view.controls, mine);
        let silent = match &view.out {
            Some(why) => Some((format!("You were put out of #{room}"), why.clone())),
            None => roles::why_silent(&room, &view.controls, mine).map(|why| {
                let short = roles::silent_note(&room, &view.controls, mine).unwrap_or_default();
                (short, why)
            }),
        };
        let hand = view.out.is_none()
            && view.controls.has('m')
            && mine & (ROLE_OPERATOR | ROLE_VOICE) == 0;
        let operator = view.out.is_none() && mine & ROLE_OPERATOR != 0;
        let silent = silent.as_ref().map(|(s, w)| (s.as_str(), w.as_str()));
        self.chat
            .set_room_state(note.as_deref(), silent, hand, operator);
        let label = match self.slow_wait(&room) {
            Some(left) => format!("Send ({})", left.as_secs_f64().ceil() as u64),
            None => "Send".to_owned(),
        };
        self.chat.set_send_label(&label);
    }

    /// Why you may not say anything to `target` now (muted, no word in a
    /// moderated room, put out of it), or `None`.
    pub(super) fn why_silent(&self, target: &Target) -> Option<String> {
        let view = self.views.get(target)?;
        let Target::Room(room) = &view.target else {
            return None;
        };
        if let Some(out) = &view.out {
            return Some(out.clone());
        }
        roles::why_silent(room, &view.controls, view.roles_of(&self.nick))
    }

    /// How long you must still wait before speaking in `room` (slow mode).
    pub(super) fn slow_wait(&self, room: &str) -> Option<Duration> {
        let until = self.slow_until.get(&room.to_lowercase())?;
        let left = until.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// You spoke in `room`: with slow mode on (and you no operator), the
    /// countdown starts.
    pub(super) fn spoke(&mut self, room: &str) {
        let Some(view) = self.views.get(&Target::Room(room.to_owned())) else {
            return;
        };
        let slow = view.controls.slow;
        if slow > 0 && view.roles_of(&self.nick) & ROLE_OPERATOR == 0 {
            self.slow_until.insert(
                room.to_lowercase(),
                Instant::now() + Duration::from_secs(u64::from(slow)),
            );
        }
    }

    /// The room settings dialog for the room on show: its switches, slow
    /// mode, limit and key. Each change is sent as its own mode.
    pub(super) fn open_room_settings(&mut self) {
        let Some(view) = self.views.selected() else {
            return;
        };
        let Target::Room(room) = view.target.clone() else {
            return;
        };
        if self.my_roles(&room) & ROLE_OPERATOR == 0 {
            return self.error(&format!(
                "Only the teacher (or #{room}'s operators) can change its settings."
            ));
        }
        let before = view.controls.clone();
        let Some(after) = settings_dialog(&room, &before) else {
            return;
        };
        for control in changes(&before, &after) {
            self.control(control);
        }
    }
}

fn mode(add: bool, letter: char, arg: &str) -> Control {
    Control::Mode {
        add: Some(add),
        mode: letter,
        arg: arg.to_owned(),
    }
}

/// The switches of the settings dialog, with what each does in words.
const SWITCHES: [(char, &str); 5] = [
    (
        'm',
        "Only the teacher speaks (moderated): give students the word",
    ),
    ('t', "Only the teacher changes the topic"),
    ('i', "Closed to newcomers (invite only)"),
    ('N', "Nicknames locked (no renaming, no impersonation)"),
    ('P', "No private messages between students"),
];

/// The modes to send to go from `before` to `after`.
pub fn changes(before: &RoomControls, after: &RoomControls) -> Vec<Control> {
    let mut out = Vec::new();
    for (letter, _) in SWITCHES {
        if before.has(letter) != after.has(letter) {
            out.push(mode(after.has(letter), letter, ""));
        }
    }
    for (letter, old, new) in [
        ('S', before.slow, after.slow),
        ('l', before.limit, after.limit),
    ] {
        if old != new {
            out.push(match new {
                0 => mode(false, letter, ""),
                n => mode(true, letter, &n.to_string()),
            });
        }
    }
    if before.key != after.key {
        out.push(match after.key.as_str() {
            "" => mode(false, 'k', ""),
            key => mode(true, 'k', key),
        });
    }
    out
}

/// Ask for a room's settings in a small modal window; `None` if closed
/// or cancelled.
fn settings_dialog(room: &str, now: &RoomControls) -> Option<RoomControls> {
    let (w, h) = (460, 380);
    let mut win = Window::default()
        .with_size(w, h)
        .with_label(&format!("Settings of #{room}"));
    win.make_modal(true);
    let mut col = Flex::new(10, 10, w - 20, h - 20, None).column();
    col.set_pad(6);
    let mut boxes = Vec::new();
    for (letter, words) in SWITCHES {
        let b = CheckButton::default().with_label(words);
        b.set_checked(now.has(letter));
        col.fixed(&b, 26);
        boxes.push((letter, b));
    }
    let number = |col: &mut Flex, label: &str, value: u16| {
        let mut row = Flex::default().row();
        let mut l = Frame::default().with_label(label);
        l.set_align(Align::Left | Align::Inside);
        let mut input = IntInput::default();
        row.fixed(&input, 80);
        input.set_value(&value.to_string());
        row.end();
        col.fixed(&row, 30);
        input
    };
    let slow = number(
        &mut col,
        "Slow mode: seconds between messages (0: off)",
        now.slow,
    );
    let limit = number(&mut col, "Most people in the room (0: no limit)", now.limit);
    let mut row = Flex::default().row();
    let mut l = Frame::default().with_label("Room key (empty: none)");
    l.set_align(Align::Left | Align::Inside);
    let mut key = Input::default();
    key.set_value(&now.key);
    row.fixed(&key, 160);
    row.end();
    col.fixed(&row, 30);
    Frame::default();
    let mut buttons = Flex::default().row();
    Frame::default();
    let mut cancel = Button::default().with_label("Cancel");
    let mut ok = Button::default().with_label("Apply");
    buttons.fixed(&cancel, 100);
    buttons.fixed(&ok, 100);
    buttons.end();
    col.fixed(&buttons, 32);
    col.end();
    win.end();
    win.show();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx2 = tx.clone();
    ok.set_callback(move |_| {
        let _ = tx.send(true);
    });
    cancel.set_callback(move |_| {
        let _ = tx2.send(false);
    });
    let apply = loop {
        if !win.shown() {
            break false;
        }
        if let Ok(apply) = rx.try_recv() {
            break apply;
        }
        if !app::wait() {
            break false;
        }
    };
    win.hide();
    if !apply {
        return None;
    }
    let mut after = now.clone();
    after.modes = boxes
        .iter()
        .filter(|(_, b)| b.is_checked())
        .map(|(letter, _)| *letter)
        .collect();
    after.slow = slow.value().trim().parse().unwrap_or(0).min(3600);
    after.limit = limit.value().trim().parse().unwrap_or(0);
    after.key = key.value().trim().replace([' ', ','], "");
    Some(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialog_sends_only_what_changed() {
        let before = RoomControls {
            modes: "mt".into(),
            slow: 5,
            ..RoomControls::default()
        };
        let after = RoomControls {
            modes: "tP".into(),
            slow: 0,
            limit: 30,
            key: "pi".into(),
            ..RoomControls::default()
        };
        assert_eq!(
            changes(&before, &after),
            [
                mode(false, 'm', ""),
                mode(true, 'P', ""),
                mode(false, 'S', ""),
                mode(true, 'l', "30"),
                mode(true, 'k', "pi"),
            ]
        );
        assert!(changes(&before, &before).is_empty());
    }

    #[test]
    fn a_raised_hand_names_its_room() {
        assert_eq!(hand_room("raises a hand in #maths ✋"), Some("maths"));
        assert_eq!(hand_room("waves"), None);
    }
}

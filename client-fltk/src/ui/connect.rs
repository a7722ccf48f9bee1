//! The connect page: where to connect and who to be, a Connect button
//! (Enter or Alt+C from any field), and "Host a room on this computer"
//! (Alt+H).
//! Problems are shown in a line under the buttons, and what was typed is
//! kept so the user only fixes what is wrong.

use fltk::app::Sender;
use fltk::button::{Button, ReturnButton};
use fltk::enums::{Align, CallbackTrigger, Color, Font};
use fltk::frame::Frame;
use fltk::group::Flex;
use fltk::input::{Input, IntInput, SecretInput};
use fltk::prelude::*;

use super::Msg;
use super::theme::{self, Colors};
use crate::session::Login;
use crate::settings::Theme;

/// What the user typed, before it is checked.
#[derive(Debug, Clone)]
pub struct Form {
    pub host: String,
    pub port: String,
    pub nick: String,
    pub password: String,
    pub room: String,
}

pub struct ConnectPage {
    root: Flex,
    host: Input,
    port: IntInput,
    nick: Input,
    password: SecretInput,
    room: Input,
    message: Frame,
    notice: Frame,
    theme_button: Button,
}

const LABEL_W: i32 = 110;
const ROW_H: i32 = 34;

impl ConnectPage {
    /// Build the page in the current group, filling it.
    pub fn new(sender: Sender<Msg>, x: i32, y: i32, w: i32, h: i32) -> ConnectPage {
        let mut root = Flex::new(x, y, w, h, None).column();
        root.set_margin(20);
        root.set_pad(8);
        Frame::default(); // space above, grows

        let mut title = Frame::default().with_label("natter");
        title.set_label_size(34);
        title.set_label_font(Font::HelveticaBold);
        root.fixed(&title, 50);
        let subtitle = Frame::default().with_label("Chat with your class");
        root.fixed(&subtitle, 28);

        let host = field(
            &mut root,
            ("Server address", "from your teacher"),
            Input::default(),
            sender,
        );
        let port = field(
            &mut root,
            ("Port", "usually 5555"),
            IntInput::default(),
            sender,
        );
        let nick = field(
            &mut root,
            ("Nickname", "what others see"),
            Input::default(),
            sender,
        );
        let password = field(
            &mut root,
            ("Password", "if the room has one"),
            SecretInput::default(),
            sender,
        );
        let room = field(
            &mut root,
            ("Room", "empty: the lobby"),
            Input::default(),
            sender,
        );

        let mut buttons = Flex::default().row();
        Frame::default();
        let mut connect = ReturnButton::default().with_label("&Connect");
        connect.emit(sender, Msg::Connect);
        buttons.fixed(&connect, 140);
        let mut host_button = Button::default().with_label("&Host a room on this computer");
        host_button.emit(sender, Msg::Host);
        host_button.set_tooltip("Start a chat server here; others connect to this computer");
        buttons.fixed(&host_button, 260);
        Frame::default();
        buttons.end();
        root.fixed(&buttons, 38);

        let mut message = Frame::default();
        message.set_align(Align::Center | Align::Inside | Align::Wrap);
        message.set_label_size(15);
        root.fixed(&message, 70);
        let mut notice = Frame::default();
        notice.set_align(Align::Center | Align::Inside | Align::Wrap);
        notice.set_label_size(13);
        root.fixed(&notice, 40);

        Frame::default(); // space below, grows
        let mut bottom = Flex::default().row();
        Frame::default();
        let mut theme_button = Button::default();
        theme_button.emit(sender, Msg::ToggleTheme);
        bottom.fixed(&theme_button, 110);
        bottom.end();
        root.fixed(&bottom, 30);
        root.end();

        ConnectPage {
            root,
            host,
            port,
            nick,
            password,
            room,
            message,
            notice,
            theme_button,
        }
    }

    pub fn show(&mut self) {
        self.root.show();
        let _ = self.nick.take_focus();
        // The suggested or remembered nickname is selected, so typing
        // replaces it and Enter keeps it.
        let end = self.nick.value().len() as i32;
        let _ = self.nick.set_position(end);
        let _ = self.nick.set_mark(0);
    }

    pub fn hide(&mut self) {
        self.root.hide();
    }

    /// Fill the fields (settings, overridden by the command line).
    pub fn fill(&mut self, login: &Login) {
        self.host.set_value(&login.host);
        self.port.set_value(&login.port.to_string());
        self.nick.set_value(&login.nick);
        self.password.set_value(&login.password);
        self.room.set_value(login.room.as_deref().unwrap_or(""));
    }

    pub fn form(&self) -> Form {
        Form {
            host: self.host.value().trim().to_owned(),
            port: self.port.value().trim().to_owned(),
            nick: self.nick.value().trim().to_owned(),
            password: self.password.value(),
            room: self.room.value().trim().trim_start_matches('#').to_owned(),
        }
    }

    /// Show a problem (red) or progress (plain) under the buttons.
    pub fn say(&mut self, text: &str, problem: bool, colors: &Colors) {
        self.message.set_label(&text.replace('@', "@@"));
        self.message.set_label_color(if problem {
            colors.error
        } else {
            Color::Foreground
        });
        self.message.redraw_label();
        self.root.redraw();
    }

    /// A line about the settings file (shown once, quietly).
    pub fn set_notice(&mut self, text: &str) {
        self.notice.set_label(&text.replace('@', "@@"));
        self.root.redraw();
    }

    pub fn set_theme(&mut self, theme: Theme) {
        self.theme_button.set_label(theme::switch_label(theme));
    }
}

/// A labelled input row in `root`; Enter in it presses Connect.
/// `hint` (may be empty) is shown quietly to the right of the input.
fn field<I: InputExt + Clone>(
    root: &mut Flex,
    (label, hint): (&str, &str),
    input: I,
    sender: Sender<Msg>,
) -> I {
    let mut row = Flex::default().row();
    Frame::default();
    let mut name = Frame::default().with_label(label);
    name.set_align(Align::Right | Align::Inside);
    row.fixed(&name, LABEL_W);
    row.add(&input);
    row.fixed(&input, 300);
    let mut hint_frame = Frame::default().with_label(hint);
    hint_frame.set_align(Align::Left | Align::Inside);
    hint_frame.set_label_size(13);
    hint_frame.set_label_color(Color::Inactive);
    row.end();
    root.fixed(&row, ROW_H);
    let mut input = input;
    input.set_text_size(15);
    input.set_trigger(CallbackTrigger::EnterKeyAlways);
    input.emit(sender, Msg::Connect);
    input
}

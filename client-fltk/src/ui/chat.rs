//! The chat page: the room and topic on top (and, when hosting, a banner
//! saying what others should type), the conversation with the member list
//! beside it, the input line, and a status line at the bottom. Alt+S
//! saves the transcript, Alt+D disconnects (Alt+H stops hosting).

use fltk::app::Sender;
use fltk::browser::HoldBrowser;
use fltk::button::Button;
use fltk::enums::{Align, CallbackTrigger, Font};
use fltk::frame::Frame;
use fltk::group::Flex;
use fltk::input::Input;
use fltk::prelude::*;

use super::Msg;
use super::conversation::Log;
use super::theme::{self, Colors, TEXT_SIZE};
use crate::settings::Theme;

pub struct ChatPage {
    root: Flex,
    topic: Frame,
    banner: Frame,
    pub log: Log,
    members: HoldBrowser,
    input: Input,
    emoji_button: Button,
    status: Frame,
    theme_button: Button,
    disconnect_button: Button,
}

impl ChatPage {
    /// Build the page in the current group, filling `x, y, w, h`.
    pub fn new(sender: Sender<Msg>, colors: &Colors, x: i32, y: i32, w: i32, h: i32) -> ChatPage {
        let mut root = Flex::new(x, y, w, h, None).column();
        root.set_margin(6);
        root.set_pad(6);

        let mut top = Flex::default().row();
        let mut topic = Frame::default();
        topic.set_align(Align::Left | Align::Inside | Align::Clip);
        topic.set_label_font(Font::HelveticaBold);
        topic.set_label_size(TEXT_SIZE + 1);
        let theme_button = small_button(&mut top, "", 100, sender, Msg::ToggleTheme);
        small_button(&mut top, "&Save transcript…", 140, sender, Msg::Save);
        let disconnect_button = small_button(&mut top, "&Disconnect", 110, sender, Msg::Disconnect);
        top.end();
        root.fixed(&top, 30);

        let mut banner = Frame::default();
        banner.set_label_size(24);
        banner.set_label_font(Font::HelveticaBold);
        banner.set_frame(fltk::enums::FrameType::FlatBox);
        banner.set_align(Align::Center | Align::Inside | Align::Wrap);
        root.fixed(&banner, 56);
        banner.hide();

        let mut middle = Flex::default().row();
        let log = Log::new(colors, sender);
        let mut members = HoldBrowser::default();
        members.set_text_size(TEXT_SIZE);
        middle.fixed(&members, 180);
        middle.end();

        let mut bottom = Flex::default().row();
        let mut input = Input::default();
        input.set_text_size(TEXT_SIZE);
        input.set_trigger(CallbackTrigger::EnterKeyAlways);
        input.emit(sender, Msg::Send);
        if super::probe::enabled() {
            input.handle(|_, event| {
                if event == fltk::enums::Event::KeyDown {
                    super::probe::key_pressed();
                }
                // Measuring only: the input handles the key as usual.
                false
            });
        }
        input.set_tooltip("Type a message and press Enter. /help lists the commands.");
        let mut emoji_button = small_button(&mut bottom, "😀", 44, sender, Msg::ToggleEmoji);
        emoji_button.set_label_size(20);
        emoji_button.set_tooltip("Insert an emoji");
        small_button(&mut bottom, "Send", 80, sender, Msg::Send);
        bottom.end();
        root.fixed(&bottom, 36);

        let mut status = Frame::default();
        status.set_align(Align::Left | Align::Inside | Align::Clip);
        root.fixed(&status, 22);
        root.end();

        let mut page = ChatPage {
            root,
            topic,
            banner,
            log,
            members,
            input,
            emoji_button,
            status,
            theme_button,
            disconnect_button,
        };
        page.set_colors(colors);
        page
    }

    pub fn show(&mut self) {
        self.root.show();
        self.focus_input();
    }

    pub fn hide(&mut self) {
        self.root.hide();
    }

    pub fn focus_input(&mut self) {
        let _ = self.input.take_focus();
    }

    /// Take the typed line out of the input, leaving it empty and focused.
    pub fn take_input(&mut self) -> String {
        let line = self.input.value();
        self.input.set_value("");
        self.focus_input();
        line
    }

    /// Insert `text` at the cursor of the input line.
    pub fn insert_input(&mut self, text: &str) {
        let _ = self.input.insert(text);
        self.focus_input();
    }

    pub fn set_topic(&mut self, room: &str, topic: &str) {
        let label = if room.is_empty() {
            "Not in a room: type /join and a room name".to_owned()
        } else if topic.is_empty() {
            format!("#{room}")
        } else {
            format!("#{room} — {topic}")
        };
        self.topic.set_label(&label.replace('@', "@@"));
        self.topic.set_tooltip(&label);
        self.root.redraw();
    }

    /// Show the hosting banner, or hide it with `None`.
    pub fn set_banner(&mut self, text: Option<&str>) {
        match text {
            Some(text) => {
                self.banner.set_label(&text.replace('@', "@@"));
                self.banner.show();
            }
            None => self.banner.hide(),
        }
        self.root.layout();
        self.root.redraw();
    }

    /// While hosting, leaving stops the server for everyone: say so.
    pub fn set_hosting(&mut self, hosting: bool) {
        let (label, tip) = match hosting {
            true => ("Stop &hosting", "Stop the server: everyone is disconnected"),
            false => (
                "&Disconnect",
                "Leave the chat and go back to the connect page",
            ),
        };
        self.disconnect_button.set_label(label);
        self.disconnect_button.set_tooltip(tip);
    }

    pub fn set_members(&mut self, nicks: &[String]) {
        self.members.clear();
        for nick in nicks {
            // '@' starts a formatting code in FLTK browsers; "@." ends them.
            self.members.add(&format!("@.{nick}"));
        }
    }

    pub fn set_status(&mut self, text: &str) {
        self.status.set_label(&text.replace('@', "@@"));
        self.status.redraw_label();
        self.root.redraw();
    }

    pub fn set_colors(&mut self, colors: &Colors) {
        self.log.set_colors(colors);
        self.banner.set_color(colors.banner_bg);
        self.banner.set_label_color(colors.banner_text);
        self.root.redraw();
    }

    pub fn set_theme(&mut self, theme: Theme, colors: &Colors) {
        self.theme_button.set_label(theme::switch_label(theme));
        self.set_colors(colors);
    }

    /// Where the emoji grid opens: its bottom right at the emoji button's
    /// top right.
    pub fn emoji_anchor(&self) -> (i32, i32) {
        let b = &self.emoji_button;
        (b.x() + b.w(), b.y() - 2)
    }
}

fn small_button(row: &mut Flex, label: &str, w: i32, sender: Sender<Msg>, msg: Msg) -> Button {
    let mut b = Button::default().with_label(label);
    b.emit(sender, msg);
    row.fixed(&b, w);
    b
}

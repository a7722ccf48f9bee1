//! The chat page: the room and topic on top (and, when hosting, a banner
//! saying what others should type); in the middle the room list on the
//! left, the selected room's conversation, and its member list on the
//! right; the input line, and a status line at the bottom. Alt+S saves
//! the transcript, Alt+D disconnects (Alt+H stops hosting, Alt+Q hides or
//! shows the banner's QR codes); Alt+1…9 and Ctrl+PageUp/PageDown switch
//! rooms, Ctrl+W leaves or closes one.

use fltk::app::{self, Sender};
use fltk::browser::HoldBrowser;
use fltk::button::Button;
use fltk::enums::{Align, CallbackTrigger, Event, Font};
use fltk::frame::Frame;
use fltk::group::Flex;
use fltk::input::Input;
use fltk::prelude::*;

use std::cell::Cell;
use std::rc::Rc;

use super::conversation::Log;
use super::qr::{self, QrFrame};
use super::theme::{self, Colors, TEXT_SIZE};
use super::{Msg, view_key};
use crate::settings::Theme;
use crate::views::{RoomView, Target};

/// The room list's width, and the member list's, at the default window
/// size; both narrow in a narrow window (see `side_widths`).
const ROOMS_W: i32 = 160;
const MEMBERS_W: i32 = 170;
/// The hosting banner's height without QR codes.
const BANNER_H: i32 = 56;

pub struct ChatPage {
    root: Flex,
    topic: Frame,
    /// The hosting banner: what to type, and the join page's QR codes.
    banner_row: Flex,
    banner: Frame,
    codes: Vec<QrFrame>,
    /// Whether the teacher wants the codes (the "Hide QR codes" button):
    /// shared with the resize callback, which shows those that fit.
    codes_wanted: Rc<Cell<bool>>,
    qr_button: Button,
    /// How the room on show is run (moderated, slow mode...) and why you
    /// may not speak, with the raise-hand and room-settings buttons.
    room_bar: Flex,
    room_note: Frame,
    hand_button: Button,
    settings_button: Button,
    rooms: HoldBrowser,
    close_button: Button,
    /// Where each view's conversation lies; only the selected one shows.
    stack: Flex,
    members: HoldBrowser,
    /// What the room and member lists show now, to redraw them only when
    /// it changes.
    shown_rooms: Vec<String>,
    shown_members: Vec<String>,
    input: Input,
    emoji_button: Button,
    send_button: Button,
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
        let mut qr_button = small_button(&mut top, "Hide &QR codes", 130, sender, Msg::ToggleCodes);
        qr_button.hide();
        let theme_button = small_button(&mut top, "", 100, sender, Msg::ToggleTheme);
        small_button(&mut top, "&Save transcript…", 140, sender, Msg::Save);
        let disconnect_button = small_button(&mut top, "&Disconnect", 110, sender, Msg::Disconnect);
        top.end();
        root.fixed(&top, 30);

        let mut banner_row = Flex::default().row();
        banner_row.set_frame(fltk::enums::FrameType::FlatBox);
        banner_row.set_margin(4);
        banner_row.set_pad(8);
        let mut banner = Frame::default();
        banner.set_label_size(20);
        banner.set_label_font(Font::HelveticaBold);
        banner.set_align(Align::Center | Align::Inside | Align::Wrap);
        let codes: Vec<QrFrame> = (0..qr::MAX_CODES).map(|_| QrFrame::new()).collect();
        let codes_wanted = Rc::new(Cell::new(true));
        banner_row.end();
        root.fixed(&banner_row, BANNER_H);
        banner_row.hide();

        let mut room_bar = Flex::default().row();
        let mut room_note = Frame::default();
        room_note.set_align(Align::Left | Align::Inside | Align::Clip);
        room_note.set_label_font(Font::HelveticaBold);
        let mut hand_button =
            small_button(&mut room_bar, "✋ &Raise hand", 130, sender, Msg::RaiseHand);
        hand_button.set_tooltip("Ask the teacher for the word: operators see your hand up");
        let mut settings_button = small_button(
            &mut room_bar,
            "Room se&ttings…",
            130,
            sender,
            Msg::RoomSettings,
        );
        settings_button.set_tooltip("Moderation, slow mode, locks and the room's key and limit");
        room_bar.end();
        root.fixed(&room_bar, 30);
        room_bar.hide();

        let mut middle = Flex::default().row();
        let mut side = Flex::default().column();
        side.set_pad(4);
        let mut rooms = HoldBrowser::default();
        rooms.set_text_size(TEXT_SIZE);
        rooms.set_tooltip(
            "Your rooms and private conversations: Alt+1…9 or Ctrl+PageUp/PageDown switch",
        );
        rooms.set_callback(move |b| {
            // Browser lines count from 1; 0 is no line (a click below the last).
            if let Some(index) = (b.value() as usize).checked_sub(1) {
                let by_mouse = matches!(app::event(), Event::Push | Event::Released | Event::Drag);
                sender.send(Msg::PickView { index, by_mouse });
            }
        });
        pass_view_keys(&mut rooms, sender);
        let mut close_button = Button::default().with_label("Leave room");
        close_button.emit(sender, Msg::CloseView);
        close_button
            .set_tooltip("Leave the selected room, or close a private conversation (Ctrl+W)");
        side.fixed(&close_button, 28);
        side.end();
        middle.fixed(&side, ROOMS_W);
        let mut stack = Flex::default().column();
        stack.set_margin(0);
        stack.set_pad(0);
        stack.end();
        let mut members = HoldBrowser::default();
        members.set_text_size(TEXT_SIZE);
        members.set_tooltip(crate::roles::MEMBER_MARKS);
        // A right click selects the line and opens the member menu; so does
        // the Menu key on the selected line.
        members.set_trigger(CallbackTrigger::Changed | CallbackTrigger::NotChanged);
        members.set_callback(move |_| {
            if app::event() == Event::Push && app::event_mouse_button() == app::MouseButton::Right {
                sender.send(Msg::MemberMenu);
            }
        });
        members.handle(move |_, event| {
            if event == Event::KeyDown && app::event_key() == fltk::enums::Key::Menu {
                sender.send(Msg::MemberMenu);
                return true;
            }
            if event == Event::KeyDown
                && let Some(msg) = view_key()
            {
                sender.send(msg);
                return true;
            }
            false
        });
        middle.fixed(&members, MEMBERS_W);
        middle.end();

        let mut bottom = Flex::default().row();
        let mut input = Input::default();
        input.set_text_size(TEXT_SIZE);
        input.set_trigger(CallbackTrigger::EnterKeyAlways);
        input.emit(sender, Msg::Send);
        let probing = super::probe::enabled();
        input.handle(move |_, event| {
            if event != fltk::enums::Event::KeyDown {
                return false;
            }
            if probing {
                super::probe::key_pressed();
            }
            if let Some(msg) = view_key() {
                sender.send(msg);
                return true;
            }
            // Otherwise the input handles the key as usual.
            false
        });
        input.set_tooltip("Type a message and press Enter. /help lists the commands.");
        let mut emoji_button = small_button(&mut bottom, "😀", 44, sender, Msg::ToggleEmoji);
        emoji_button.set_label_size(20);
        emoji_button.set_tooltip("Insert an emoji");
        let send_button = small_button(&mut bottom, "Send", 80, sender, Msg::Send);
        bottom.end();
        root.fixed(&bottom, 36);

        // In a narrow window the room and member lists narrow too, so the
        // conversation keeps at least half of it.
        // The banner's codes too: those that do not fit beside its
        // sentence are hidden.
        let (mut narrowing, sides) = (middle.clone(), (side.clone(), members.clone()));
        let (mut row, mut row_codes) = (banner_row.clone(), codes.clone());
        let wanted = codes_wanted.clone();
        root.resize_callback(move |root, _, _, w, _| {
            let (rooms_w, members_w) = side_widths(w);
            if sides.0.w() != rooms_w || sides.1.w() != members_w {
                narrowing.fixed(&sides.0, rooms_w);
                narrowing.fixed(&sides.1, members_w);
                narrowing.layout();
            }
            fit_codes(
                &mut row,
                &mut row_codes,
                wanted.get(),
                w - 2 * root.margin(),
            );
        });

        let mut status = Frame::default();
        status.set_align(Align::Left | Align::Inside | Align::Clip);
        root.fixed(&status, 22);
        root.end();

        let mut page = ChatPage {
            root,
            topic,
            banner_row,
            banner,
            codes,
            codes_wanted,
            qr_button,
            room_bar,
            room_note,
            hand_button,
            settings_button,
            rooms,
            close_button,
            stack,
            members,
            shown_rooms: Vec::new(),
            shown_members: Vec::new(),
            input,
            emoji_button,
            send_button,
            status,
            theme_button,
            disconnect_button,
        };
        page.set_colors(colors);
        page
    }

    /// A new, hidden conversation view in the page.
    pub fn new_log(&mut self, colors: &Colors, sender: Sender<Msg>) -> Log {
        Log::new(colors, sender, &mut self.stack)
    }

    /// Lay the conversation on show out (after showing or hiding one).
    pub fn relayout_views(&mut self) {
        self.stack.layout();
        self.stack.redraw();
    }

    /// Show the list of views, with `selected` highlighted. Unread views
    /// are bold, and those with messages for you in the mention colour;
    /// private conversations are in italics.
    pub fn set_rooms<'a, C: 'a>(
        &mut self,
        views: impl Iterator<Item = &'a RoomView<C>>,
        selected: Option<usize>,
        colors: &Colors,
    ) {
        let lines: Vec<String> = views
            .map(|v| {
                let mut format = String::new();
                if matches!(v.target, Target::Private(_)) {
                    format.push_str("@i");
                }
                if v.unread > 0 {
                    format.push_str("@b");
                }
                if v.mentions > 0 {
                    format.push_str(&format!("@C{}", colors.error.bits()));
                }
                // '@' starts a formatting code in FLTK browsers; "@." ends them.
                format!("{format}@.{}", v.label())
            })
            .collect();
        if lines != self.shown_rooms {
            self.rooms.clear();
            for line in &lines {
                self.rooms.add(line);
            }
            self.shown_rooms = lines;
        }
        // With no view the list is empty, so nothing is selected either.
        if let Some(line) = selected.map(|i| i as i32 + 1)
            && self.rooms.value() != line
        {
            self.rooms.select(line);
        }
    }

    /// Say what the close button does for the view on show (nothing
    /// while there is none).
    pub fn set_close_action(&mut self, on_show: Option<&Target>) {
        let label = match on_show {
            Some(Target::Private(_)) => "Close",
            _ => "Leave room",
        };
        if self.close_button.label() != label {
            self.close_button.set_label(label);
        }
        match on_show {
            Some(_) => self.close_button.activate(),
            None => self.close_button.deactivate(),
        }
    }

    pub fn show(&mut self) {
        self.root.show();
        // A conversation shown while the page was hidden was not laid out.
        self.relayout_views();
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

    /// The line on top: the view on show and its topic.
    pub fn set_topic(&mut self, label: &str) {
        self.topic.set_label(&label.replace('@', "@@"));
        self.topic.set_tooltip(label);
        self.root.redraw();
    }

    /// Show the hosting banner with a QR code of each join address in
    /// `urls` (the first few), or hide it with `None`.
    pub fn set_banner(&mut self, text: Option<&str>, urls: &[String]) {
        match text {
            Some(text) => {
                self.banner.set_label(&text.replace('@', "@@"));
                for (i, code) in self.codes.iter_mut().enumerate() {
                    code.set(urls.get(i).map(String::as_str));
                }
                // A new server: its codes are on show until hidden again.
                self.codes_wanted.set(true);
                self.lay_out_banner();
                self.banner_row.show();
            }
            None => {
                for code in &mut self.codes {
                    code.set(None);
                }
                self.lay_out_banner();
                self.banner_row.hide();
            }
        }
    }

    /// The "Hide QR codes" / "Show QR codes" button: once the phones have
    /// joined, the conversation may have the banner's room back.
    pub fn toggle_codes(&mut self) {
        self.codes_wanted.set(!self.codes_wanted.get());
        self.lay_out_banner();
    }

    /// The banner's height, its codes and the button after a change.
    fn lay_out_banner(&mut self) {
        let wanted = self.codes_wanted.get();
        let any = self.codes.iter().any(|c| c.size().is_some());
        let label = if wanted {
            "Hide &QR codes"
        } else {
            "Show &QR codes"
        };
        self.qr_button.set_label(label);
        self.qr_button.set_tooltip(if wanted {
            "Hide the QR codes that phones scan to join, to give the conversation more room"
        } else {
            "Show QR codes of this room's address: a phone's camera opens the chat in its browser"
        });
        set_shown(&mut self.qr_button, any);
        let tallest = self.codes.iter().filter_map(QrFrame::size).map(|(_, h)| h);
        let height = match wanted {
            true => tallest.map(|h| h + 8).fold(BANNER_H, i32::max),
            false => BANNER_H,
        };
        self.root.fixed(&self.banner_row, height);
        let inner_w = self.root.w() - 2 * self.root.margin();
        fit_codes(&mut self.banner_row, &mut self.codes, wanted, inner_w);
        self.root.layout();
        // The page draws no background of its own: the window must, or the
        // banner's old, taller picture stays between the moved widgets.
        match self.root.window() {
            Some(mut window) => window.redraw(),
            None => self.root.redraw(),
        }
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

    pub fn set_members(&mut self, labels: Vec<String>) {
        if labels == self.shown_members {
            return;
        }
        self.members.clear();
        for label in &labels {
            // '@' starts a formatting code in FLTK browsers; "@." ends them.
            self.members.add(&format!("@.{label}"));
        }
        self.shown_members = labels;
    }

    /// The member list's selected line (0 for the first), if any.
    pub fn selected_member(&self) -> Option<usize> {
        (self.members.value() as usize).checked_sub(1)
    }

    /// Say how the room on show is run (`note`), whether you may send
    /// messages (`silent` says why not), and which buttons apply: the raised hand
    /// for whoever lacks the word, room settings for its operators.
    pub fn set_room_state(
        &mut self,
        note: Option<&str>,
        silent: Option<(&str, &str)>,
        hand: bool,
        operator: bool,
    ) {
        // `silent` is the bar's short words and the full reason.
        let text = match (silent, note) {
            (Some((short, _)), _) => short.to_owned(),
            (None, Some(note)) => note.to_owned(),
            (None, None) => String::new(),
        };
        let silent = silent.map(|(_, why)| why);
        let show = !text.is_empty() || operator;
        if self.room_note.label() != text.replace('@', "@@") {
            self.room_note.set_label(&text.replace('@', "@@"));
            self.room_note.set_tooltip(&text);
        }
        set_shown(&mut self.hand_button, hand);
        set_shown(&mut self.settings_button, operator);
        let changed = show != self.room_bar.visible();
        set_shown(&mut self.room_bar, show);
        // Messages cannot be sent, and the send button says so; the input
        // line stays, for commands (/msg the teacher, /part, /save...).
        match silent {
            Some(why) if self.send_button.active() => {
                self.send_button.deactivate();
                self.send_button.set_tooltip(why);
                self.input
                    .set_tooltip(&format!("{why} Commands still work: /help lists them."));
            }
            None if !self.send_button.active() => {
                self.send_button.activate();
                self.send_button.set_tooltip("");
                self.input
                    .set_tooltip("Type a message and press Enter. /help lists the commands.");
            }
            _ => {}
        }
        if changed {
            self.root.layout();
        }
        self.root.redraw();
    }

    /// The send button's label: `Send`, or a slow mode's countdown.
    pub fn set_send_label(&mut self, label: &str) {
        if self.send_button.label() != label {
            self.send_button.set_label(label);
        }
    }

    pub fn set_status(&mut self, text: &str) {
        self.status.set_label(&text.replace('@', "@@"));
        self.status.redraw_label();
        self.root.redraw();
    }

    pub fn set_colors(&mut self, colors: &Colors) {
        // Mention colours in the room list follow the theme.
        self.shown_rooms.clear();
        self.banner_row.set_color(colors.banner_bg);
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

/// The room and member lists' widths for a window `window_w` wide: as
/// designed from 900 pixels up, narrower below, so the conversation keeps
/// half the window at the smallest size (640).
fn side_widths(window_w: i32) -> (i32, i32) {
    if window_w >= 900 {
        return (ROOMS_W, MEMBERS_W);
    }
    let shrink = |w: i32, least: i32| (w * window_w / 900).max(least);
    (shrink(ROOMS_W, 120), shrink(MEMBERS_W, 120))
}

/// Let the view-switching keys through a list that would take them (a
/// browser takes PageUp/PageDown to scroll).
fn pass_view_keys(browser: &mut HoldBrowser, sender: Sender<Msg>) {
    browser.handle(move |_, event| {
        if event == Event::KeyDown
            && let Some(msg) = view_key()
        {
            sender.send(msg);
            return true;
        }
        false
    });
}

/// Show the banner's codes that fit in a banner `banner_w` wide (none
/// unless `wanted`), in order, and hide the rest.
fn fit_codes(row: &mut Flex, codes: &mut [QrFrame], wanted: bool, banner_w: i32) {
    let row_w = banner_w - 2 * row.margin();
    // The codes held come first (`set_banner` fills them in order).
    let widths: Vec<i32> = codes
        .iter()
        .map_while(|c| c.size().map(|(w, _)| w))
        .collect();
    let fit = if wanted {
        qr::codes_that_fit(row_w, row.pad(), &widths)
    } else {
        0
    };
    let mut changed = false;
    for (i, code) in codes.iter_mut().enumerate() {
        let width = widths.get(i).filter(|_| i < fit);
        changed |= width.is_some() != code.frame.visible();
        set_shown(&mut code.frame, width.is_some());
        row.fixed(&code.frame, width.copied().unwrap_or(0));
    }
    if changed {
        row.layout();
        row.redraw();
    }
}

fn set_shown(w: &mut impl WidgetExt, shown: bool) {
    if shown && !w.visible() {
        w.show();
    } else if !shown && w.visible() {
        w.hide();
    }
}

fn small_button(row: &mut Flex, label: &str, w: i32, sender: Sender<Msg>, msg: Msg) -> Button {
    let mut b = Button::default().with_label(label);
    b.emit(sender, msg);
    row.fixed(&b, w);
    b
}

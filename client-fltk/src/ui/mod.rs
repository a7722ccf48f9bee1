//! The window: a connect page and a chat page in one window, and the
//! message pump that joins them to the session.
//!
//! Widgets never do work in their callbacks: each sends a [`Msg`] on an
//! FLTK channel, and `App` handles it in the loop, together with the
//! session's [`Update`]s (the session thread wakes the loop with
//! `app::awake`). So all state lives in one place and the UI thread never
//! blocks.
//!
//! Each room and private conversation is a view (`crate::views`, plain
//! data: which view a line lands in, unread counts, the selection); the
//! window gives each view its own conversation widget and shows the
//! selected one.

mod chat;
mod connect;
mod conversation;
mod emoji;
mod moderation;
mod probe;
mod qr;
mod send;
mod theme;
mod updates;

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use fltk::app::{self, Receiver, Sender};
use fltk::enums::{Event, Key, Shortcut};
use fltk::prelude::*;
use fltk::window::DoubleWindow;

use crate::host::{self, Hosted};
use crate::names::{nick_problem, room_problem};
use crate::session::{Command, Login, Session, Update};
use crate::settings::{self, Settings, Theme};
use crate::transcript::{self, Kind, Line};
use crate::views::{Count, Target, Views};
use chat::ChatPage;
use connect::{ConnectPage, Form};
use conversation::Log;
use emoji::EmojiGrid;
use theme::Colors;

/// What the command line asked for; `None` fields come from the settings.
#[derive(Debug, Clone, Default)]
pub struct Start {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub nick: Option<String>,
    pub password: Option<String>,
    /// The teacher password to prove on connecting.
    pub teacher_password: Option<String>,
    pub room: Option<String>,
    /// Connect at once.
    pub connect: bool,
    /// Host a room at once.
    pub host_room: bool,
    pub theme: Option<Theme>,
}

/// What a widget asks the loop to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    /// Connect with what the connect page says.
    Connect,
    /// Host a room here, then connect to it.
    Host,
    /// Send (or carry out) the input line.
    Send,
    /// Open or close the emoji grid.
    ToggleEmoji,
    /// Insert `EMOJI[i]` into the input line.
    Emoji(usize),
    /// Ask where, then save the transcript.
    Save,
    ToggleTheme,
    /// Hide or show the hosting banner's QR codes.
    ToggleCodes,
    /// Leave (and stop hosting); back to the connect page.
    Disconnect,
    /// Escape pressed: close the emoji grid.
    Escape,
    /// A view was picked in the room list (by its index there); with the
    /// mouse, the input line takes the keyboard back.
    PickView {
        index: usize,
        by_mouse: bool,
    },
    /// Alt+1…9: show the view with this index.
    SelectView(usize),
    /// Ctrl+PageDown (1) and Ctrl+PageUp (-1): the next or previous view.
    StepView(isize),
    /// Ctrl+W or the button: leave the selected room, or close the
    /// private conversation.
    CloseView,
    /// The user scrolled the conversation.
    ViewScrolled,
    /// Scroll to the end again once the display has laid out new lines.
    FollowEnd,
    /// Ctrl+Q, /quit or the window's close button.
    Quit,
    /// Twice a second: countdown and focus.
    Tick,
    /// Right click or the Menu key in the member list: what you can do to
    /// that member.
    MemberMenu,
    /// Ask the room's operators for the word.
    RaiseHand,
    /// The room on show's settings dialog (operators).
    RoomSettings,
}

/// Most updates handled before the window gets to redraw: a history of
/// thousands of lines shows up in steps instead of freezing the window.
const UPDATES_PER_TURN: usize = 1_000;

/// Open the window and run until it is closed.
pub fn run(start: Start) {
    let app = app::App::default();
    app::set_font_size(theme::TEXT_SIZE);
    theme::use_wide_fonts();
    app::set_scheme(app::Scheme::Gtk);
    let (sender, receiver) = app::channel::<Msg>();
    let mut ui = App::new(&start, sender);
    ui.begin(&start);
    // A steady tick drives the reconnect countdown and notices focus
    // changes; twice a second costs nothing.
    app::add_timeout3(0.5, move |handle| {
        sender.send(Msg::Tick);
        app::repeat_timeout3(0.5, handle);
    });
    let probing = probe::enabled();
    while app.wait() {
        ui.pump(&receiver);
        if probing {
            probe::after_turn();
        }
    }
    ui.shut_down();
}

/// Which page is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Connect,
    Chat,
}

/// What the status line says.
#[derive(Debug, Clone)]
enum Status {
    Connecting(String),
    Connected,
    Lost { reason: String, retry_at: Instant },
    Closed(String),
}

struct App {
    window: DoubleWindow,
    sender: Sender<Msg>,
    connect: ConnectPage,
    chat: ChatPage,
    emoji: EmojiGrid,
    page: Page,
    theme: Theme,
    colors: Colors,
    settings: Settings,
    config_dir: Option<PathBuf>,
    session: Option<Session>,
    updates: Option<mpsc::Receiver<Update>>,
    /// Host and port to remember once connected (the typed host, even when
    /// hosting connects to 127.0.0.1).
    remember: (String, u16),
    hosted: Option<Hosted>,
    status: Status,
    /// Lost the connection and not yet back (the session retries).
    outage: bool,
    nick: String,
    server: String,
    max_text: usize,
    /// Every room and private conversation, and which is on show.
    views: Views<Log>,
    next_tag: u32,
    focused: bool,
    unread: u32,
    unread_mentions: u32,
    /// You proved the teacher password on this connection.
    teacher: bool,
    /// The teacher password from the command line, proved on connecting.
    teacher_password: String,
    /// You were told you are the teacher in this session.
    told_teacher: bool,
    /// The member menu's items (made once: FLTK keeps them).
    member_menu: fltk::menu::MenuItem,
    /// When slow mode lets you speak again, by room (lower case).
    slow_until: std::collections::HashMap<String, Instant>,
    /// A room's ban and mute list being received.
    listing: Vec<String>,
}

impl App {
    fn new(start: &Start, sender: Sender<Msg>) -> App {
        let (settings, config_dir, notice) = load_settings();
        let theme = start.theme.unwrap_or(settings.theme);
        let colors = theme::apply(theme);
        let (w, h) = (900, 640);
        let mut window = DoubleWindow::new(100, 100, w, h, "natter");
        let mut connect = ConnectPage::new(sender, 0, 0, w, h);
        let mut chat = ChatPage::new(sender, &colors, 0, 0, w, h);
        let mut home = chat.new_log(&colors, sender);
        home.set_on_show(true);
        let emoji = EmojiGrid::new(sender);
        window.end();
        window.make_resizable(true);
        window.size_range(640, 460, 0, 0);
        handle_window_keys(&mut window, sender);
        chat.hide();
        connect.set_notice(notice.as_deref().unwrap_or(""));
        connect.set_theme(theme);
        chat.set_theme(theme, &colors);
        let mut app = App {
            window,
            sender,
            connect,
            chat,
            emoji,
            page: Page::Connect,
            theme,
            colors,
            remember: (settings.host.clone(), settings.port),
            settings,
            config_dir,
            session: None,
            updates: None,
            hosted: None,
            status: Status::Connecting(String::new()),
            outage: false,
            nick: String::new(),
            server: String::new(),
            // Until the server says its own limit.
            max_text: natter_core::wire::MAX_TEXT,
            views: Views::new(home),
            next_tag: 1,
            focused: true,
            unread: 0,
            unread_mentions: 0,
            teacher: false,
            teacher_password: start.teacher_password.clone().unwrap_or_default(),
            told_teacher: false,
            member_menu: moderation::member_menu(),
            slow_until: std::collections::HashMap::new(),
            listing: Vec::new(),
        };
        app.fill_form(start);
        app
    }

    /// Show the window, and connect or host at once if asked to.
    fn begin(&mut self, start: &Start) {
        self.window.show();
        self.connect.show();
        if start.host_room {
            self.handle(Msg::Host);
        } else if start.connect {
            self.handle(Msg::Connect);
        }
    }

    fn fill_form(&mut self, start: &Start) {
        let s = &self.settings;
        let login = Login {
            host: start.host.clone().unwrap_or_else(|| s.host.clone()),
            port: start.port.unwrap_or(s.port),
            nick: start.nick.clone().unwrap_or_else(|| s.nick.clone()),
            password: start.password.clone().unwrap_or_default(),
            room: start.room.clone(),
            teacher_password: String::new(),
        };
        self.connect.fill(&login);
    }

    /// One turn of the loop: widget messages, then session updates.
    fn pump(&mut self, receiver: &Receiver<Msg>) {
        while let Some(msg) = receiver.recv() {
            self.handle(msg);
        }
        self.drain_updates();
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Connect => self.connect_from_form(),
            Msg::Host => self.host_from_form(),
            Msg::Send => self.send_line(),
            Msg::ToggleEmoji => {
                let (right, bottom) = self.chat.emoji_anchor();
                self.emoji.toggle(right, bottom);
            }
            Msg::Emoji(i) => {
                self.emoji.hide();
                if let Some(e) = emoji::EMOJI.get(i) {
                    self.chat.insert_input(e);
                }
            }
            Msg::Save => self.save_transcript(None),
            Msg::ToggleTheme => self.toggle_theme(),
            Msg::ToggleCodes => {
                self.chat.toggle_codes();
                // Alt+Q or a click, then typing goes on in the input line.
                self.chat.focus_input();
            }
            Msg::Disconnect => self.disconnect("Disconnected."),
            Msg::Escape => {
                self.emoji.hide();
                if self.page == Page::Chat {
                    self.chat.focus_input();
                }
            }
            Msg::PickView { index, by_mouse } => {
                self.select_view(index);
                if by_mouse {
                    self.chat.focus_input();
                }
            }
            Msg::SelectView(index) => self.select_view(index),
            Msg::StepView(by) => {
                self.views.step(by);
                self.show_view();
            }
            Msg::CloseView => self.close_view(),
            Msg::ViewScrolled => self.views.current().user_scrolled(),
            Msg::FollowEnd => {
                let log = self.views.current();
                if log.following() {
                    log.show_end();
                }
            }
            Msg::Quit => self.window.hide(),
            Msg::Tick => self.tick(),
            Msg::MemberMenu => self.open_member_menu(),
            Msg::RaiseHand => {
                self.raise_hand();
                self.show_view();
                // The button took the keyboard; the input line gets it back.
                self.chat.focus_input();
            }
            Msg::RoomSettings => self.open_room_settings(),
        }
    }

    // ----- connecting -------------------------------------------------

    /// The form as a login, or `None` after saying what to fix.
    fn checked_form(&mut self) -> Option<(Form, Login)> {
        let form = self.connect.form();
        let problem = form_problem(&form);
        if let Some(problem) = problem {
            self.connect.say(&problem, true, &self.colors);
            return None;
        }
        let login = Login {
            host: form.host.clone(),
            port: form.port.parse().unwrap_or(settings::DEFAULT_PORT),
            nick: form.nick.clone(),
            password: form.password.clone(),
            room: (!form.room.is_empty()).then(|| form.room.clone()),
            teacher_password: self.teacher_password.clone(),
        };
        Some((form, login))
    }

    fn connect_from_form(&mut self) {
        let Some((_, login)) = self.checked_form() else {
            return;
        };
        self.stop_hosting();
        self.remember = (login.host.clone(), login.port);
        self.start_session(login);
    }

    fn host_from_form(&mut self) {
        let Some((form, mut login)) = self.checked_form() else {
            return;
        };
        self.stop_hosting();
        self.connect.say(
            &format!("Starting a server on port {}…", login.port),
            false,
            &self.colors,
        );
        app::flush();
        let room = (!form.room.is_empty()).then_some(form.room.as_str());
        match host::start(login.port, &form.password, room) {
            Ok(hosted) => {
                let addresses = host::addresses();
                let banner = host::banner_text(&addresses, hosted.port);
                let urls: Vec<String> = addresses
                    .iter()
                    .map(|ip| natter_server::web::qr::join_url(*ip, hosted.port))
                    .collect();
                self.chat.set_banner(Some(&banner), &urls);
                self.chat.set_hosting(true);
                login.host = "127.0.0.1".into();
                login.port = hosted.port;
                // Whoever hosts is the teacher.
                login.teacher_password.clone_from(&hosted.teacher_password);
                self.hosted = Some(hosted);
                self.remember = (form.host, login.port);
                self.start_session(login);
            }
            Err(e) => self.connect.say(&e.to_string(), true, &self.colors),
        }
    }

    fn start_session(&mut self, login: Login) {
        // Dropping an earlier session says goodbye on it.
        self.session = None;
        self.told_teacher = false;
        self.slow_until.clear();
        // A new connection starts with no views; the transcript stays.
        let home = self.new_log();
        let gone = self.views.reset(home);
        self.delete_logs(gone);
        self.outage = false;
        let server = format!("{}:{}", login.host, login.port);
        let (session, updates) = Session::start(login, app::awake);
        self.session = Some(session);
        self.updates = Some(updates);
        self.status = Status::Connecting(server.clone());
        self.show_view();
        self.connect
            .say(&format!("Connecting to {server}…"), false, &self.colors);
    }

    fn stop_hosting(&mut self) {
        if let Some(hosted) = self.hosted.take() {
            hosted.stop();
        }
        self.chat.set_banner(None, &[]);
        self.chat.set_hosting(false);
    }

    /// End the session and go back to the connect page, saying `why`.
    fn disconnect(&mut self, why: &str) {
        self.session = None;
        self.updates = None;
        self.stop_hosting();
        self.show_connect_page(why, false);
    }

    fn show_connect_page(&mut self, message: &str, problem: bool) {
        self.emoji.hide();
        self.chat.hide();
        self.connect.show();
        self.connect.say(message, problem, &self.colors);
        self.page = Page::Connect;
        self.update_title();
    }

    fn show_chat_page(&mut self) {
        self.connect.hide();
        self.chat.show();
        self.page = Page::Chat;
    }

    // ----- views ------------------------------------------------------------

    /// A new conversation widget for a view.
    fn new_log(&mut self) -> Log {
        self.chat.new_log(&self.colors, self.sender)
    }

    /// The view of `target`, opened if it is not (see `Views::open`).
    fn open_view(&mut self, target: Target) -> usize {
        self.views
            .open(target, || self.chat.new_log(&self.colors, self.sender))
    }

    fn delete_logs(&mut self, logs: Vec<Log>) {
        for log in logs {
            log.delete();
        }
    }

    /// Put view `index` on show (and read).
    fn select_view(&mut self, index: usize) {
        if self.views.select(index) {
            self.show_view();
        }
    }

    /// Leave the selected room (its view closes when the server says it
    /// is left), or close the selected private conversation.
    fn close_view(&mut self) {
        match self.views.selected_target().cloned() {
            Some(Target::Room(room)) => self.command(Command::Part {
                room,
                reason: String::new(),
            }),
            Some(target @ Target::Private(_)) => {
                if let Some(log) = self.views.close(&target) {
                    log.delete();
                }
                self.show_view();
            }
            None => self.error("There is nothing to close: you are in no room."),
        }
    }

    /// Show the selected view: its conversation (where it was scrolled to,
    /// or at the end if it was following), its place in the room list,
    /// its topic and members, and the status and title that name it.
    fn show_view(&mut self) {
        let mut following = false;
        let mut changed = false;
        for (log, on_show) in self.views.conversations_mut() {
            changed |= log.set_on_show(on_show);
            if on_show {
                following = log.following();
            }
        }
        if changed {
            self.chat.relayout_views();
        }
        if following && self.page == Page::Chat {
            self.views.current().show_end();
            let sender = self.sender;
            app::add_timeout3(0.02, move |_| sender.send(Msg::FollowEnd));
        }
        self.refresh_lists();
        self.update_status();
        self.update_title();
    }

    /// The room list (labels change with unread counts), the topic line
    /// and the member list of the view on show.
    fn refresh_lists(&mut self) {
        self.chat
            .set_rooms(self.views.iter(), self.views.selected_index(), &self.colors);
        let (topic, members) = match self.views.selected() {
            Some(view) => match &view.target {
                Target::Room(room) if view.topic.is_empty() => (
                    format!("#{room}"),
                    view.members.iter().map(|m| m.label()).collect(),
                ),
                Target::Room(room) => (
                    format!("#{room} — {}", view.topic),
                    view.members.iter().map(|m| m.label()).collect(),
                ),
                Target::Private(nick) => (
                    // Short enough for the narrowest window's top line.
                    format!("Private conversation with {nick}"),
                    vec![nick.clone(), self.nick.clone()],
                ),
            },
            None => (
                "Not in a room: type /join and a room name".to_owned(),
                Vec::new(),
            ),
        };
        self.chat.set_topic(&topic);
        self.chat.set_members(members);
        self.chat.set_close_action(self.views.selected_target());
        self.refresh_room_state();
    }

    // ----- showing --------------------------------------------------------

    /// A line about no room: in the selected view.
    fn system(&mut self, text: &str) {
        let line = Line::new(transcript::now(), Kind::System, "", text);
        self.views.show(None, line, false, Count::Quiet);
    }

    /// An error about no room: in the selected view.
    fn error(&mut self, text: &str) {
        let line = Line::new(transcript::now(), Kind::Error, "", text);
        self.views.show(None, line, false, Count::Quiet);
    }

    /// A line about `target` in its view (the selected one if it has none).
    fn system_in(&mut self, target: &Target, kind: Kind, text: &str) {
        let line = Line::new(transcript::now(), kind, "", text);
        self.views.show(Some(target), line, false, Count::Quiet);
    }

    /// News about the connection, which concerns every view.
    fn system_everywhere(&mut self, text: &str) {
        let line = Line::new(transcript::now(), Kind::System, "", text);
        self.views.show_everywhere(line);
    }

    fn update_status(&mut self) {
        let text = match &self.status {
            Status::Connecting(server) => format!("Connecting to {server}…"),
            Status::Connected => {
                let place = match self.views.selected() {
                    Some(view) if matches!(view.target, Target::Private(_)) => {
                        format!("private conversation with {}", view.target.name())
                    }
                    Some(view) => match view.members.len() {
                        1 => "1 member".to_owned(),
                        n => format!("{n} members"),
                    },
                    None => "in no room".to_owned(),
                };
                format!("Connected to {} as {} — {place}", self.server, self.nick)
            }
            Status::Lost { reason, retry_at } => {
                let left = retry_at.saturating_duration_since(Instant::now());
                // The countdown before the reason: a long reason is cut
                // at the window's edge, the countdown must not be.
                let why = reason.trim_end_matches('.');
                match left.as_secs_f64().ceil() as u64 {
                    0 => format!("Connection lost — reconnecting… ({why})"),
                    s => format!("Connection lost — reconnecting in {s} s… ({why})"),
                }
            }
            Status::Closed(reason) => {
                format!("Disconnected: {reason}. Press Disconnect to connect again.")
            }
        };
        self.chat.set_status(&text);
    }

    /// "natter — room — nick" ("natter — bob (private) — ada" for a
    /// private view), with unread counts in front while the window is not
    /// focused: "(3, 1 mention) natter — lobby — ada".
    fn update_title(&mut self) {
        let view = self.views.selected_target().map(|t| match t {
            Target::Room(room) => room.clone(),
            Target::Private(nick) => format!("{nick} (private)"),
        });
        let place = (self.page == Page::Chat).then_some((view.as_deref(), &*self.nick));
        let title = window_title(self.unread, self.unread_mentions, place);
        if self.window.label() != title {
            self.window.set_label(&title);
        }
    }

    fn count_unread(&mut self, mention: bool) {
        if !self.focused {
            self.unread += 1;
            self.unread_mentions += u32::from(mention);
        }
    }

    fn tick(&mut self) {
        // FLTK has no focused widget exactly while another window has the
        // keyboard.
        let focused = app::focus().is_some();
        if focused != self.focused {
            self.focused = focused;
            if focused {
                self.unread = 0;
                self.unread_mentions = 0;
            }
            self.update_title();
        }
        if matches!(self.status, Status::Lost { .. }) {
            self.update_status();
        }
        if !self.slow_until.is_empty() {
            // Slow mode's countdown on the send button.
            self.slow_until.retain(|_, until| *until > Instant::now());
            self.refresh_room_state();
        }
    }

    // ----- transcript, theme, settings -----------------------------------

    fn save_transcript(&mut self, path: Option<PathBuf>) {
        let Some(path) = path.or_else(|| self.ask_transcript_path()) else {
            return;
        };
        match transcript::save(&path, self.views.transcript()) {
            Ok(n) => self.system(&format!("Saved {n} lines to {}.", path.display())),
            Err(e) => self.error(&format!(
                "Could not save the transcript to {}: {e}. Pick another folder or name.",
                path.display()
            )),
        }
        self.views.current().show_end();
    }

    fn ask_transcript_path(&mut self) -> Option<PathBuf> {
        use fltk::dialog::{NativeFileChooser, NativeFileChooserOptions, NativeFileChooserType};
        let mut chooser = NativeFileChooser::new(NativeFileChooserType::BrowseSaveFile);
        chooser.set_title("Save the transcript");
        chooser.set_option(NativeFileChooserOptions::SaveAsConfirm);
        let room = self.views.selected_target().map_or("chat", Target::name);
        chooser.set_preset_file(&format!("natter-{room}.txt"));
        if let Some(home) = std::env::var_os("HOME") {
            let _ = chooser.set_directory(&PathBuf::from(home));
        }
        chooser.set_filter("Text\t*.txt");
        chooser.show();
        let path = chooser.filename();
        (!path.as_os_str().is_empty()).then_some(path)
    }

    fn toggle_theme(&mut self) {
        self.theme = self.theme.other();
        self.colors = theme::apply(self.theme);
        self.connect.set_theme(self.theme);
        self.chat.set_theme(self.theme, &self.colors);
        for (log, _) in self.views.conversations_mut() {
            log.set_colors(&self.colors);
        }
        self.refresh_lists();
        self.save_settings();
        self.window.redraw();
    }

    fn save_settings(&mut self) {
        let (host, port) = self.remember.clone();
        self.settings = Settings {
            host,
            port,
            nick: if self.nick.is_empty() {
                self.settings.nick.clone()
            } else {
                self.nick.clone()
            },
            theme: self.theme,
        };
        let Some(dir) = &self.config_dir else {
            return;
        };
        if let Err(e) = settings::save(dir, &self.settings) {
            log::warn!("cannot save settings in {}: {e}", dir.display());
        }
    }

    /// Say goodbye: the session first (so our own quit goes out), then the
    /// hosted server, which says goodbye to everyone else.
    fn shut_down(&mut self) {
        self.session = None;
        self.stop_hosting();
    }
}

/// "natter — room — nick" (just "natter" on the connect page), with
/// unread counts in front: "(3, 1 mention) natter — lobby — ada".
fn window_title(unread: u32, mentions: u32, place: Option<(Option<&str>, &str)>) -> String {
    let mut title = match (unread, mentions) {
        (0, _) => String::new(),
        (n, 0) => format!("({n}) "),
        (n, 1) => format!("({n}, 1 mention) "),
        (n, m) => format!("({n}, {m} mentions) "),
    };
    title.push_str("natter");
    if let Some((room, nick)) = place {
        if let Some(room) = room {
            title.push_str(&format!(" — {room}"));
        }
        title.push_str(&format!(" — {nick}"));
    }
    title
}

/// Settings, where they live, and a sentence for the user if something is
/// wrong with them.
fn load_settings() -> (Settings, Option<PathBuf>, Option<String>) {
    match settings::config_dir() {
        Some(dir) => {
            let (s, problem) = settings::load(&dir);
            (s, Some(dir), problem)
        }
        None => (
            Settings::defaults(),
            None,
            Some("natter cannot find a folder to keep its settings in, so it will not remember them.".into()),
        ),
    }
}

/// The keys that switch views, wherever the keyboard is: Alt+1…9 shows
/// that view, Ctrl+PageUp/PageDown the one above or below (as in HexChat
/// and irssi), Ctrl+W leaves or closes it. `None` for any other key.
fn view_key() -> Option<Msg> {
    let state = app::event_state();
    let (ctrl, alt) = (
        state.contains(Shortcut::Ctrl),
        state.contains(Shortcut::Alt),
    );
    let key = app::event_key();
    match (ctrl, alt) {
        (true, false) if key == Key::PageUp => Some(Msg::StepView(-1)),
        (true, false) if key == Key::PageDown => Some(Msg::StepView(1)),
        (true, false) if key == Key::from_char('w') => Some(Msg::CloseView),
        (false, true) => {
            let digit = key.bits() - i32::from(b'1');
            (0..9)
                .contains(&digit)
                .then_some(Msg::SelectView(digit as usize))
        }
        _ => None,
    }
}

/// Keys for the whole window: Ctrl+Q quits, the view keys switch views
/// (`view_key`); Escape closes the emoji grid (and, unlike FLTK's
/// default, never the window); closing the window quits cleanly.
fn handle_window_keys(window: &mut DoubleWindow, sender: Sender<Msg>) {
    window.set_callback(move |_| {
        if app::event() == Event::Close {
            sender.send(Msg::Quit);
        } else {
            sender.send(Msg::Escape);
        }
    });
    window.handle(move |_, event| {
        let ctrl_q =
            app::event_state().contains(Shortcut::Ctrl) && app::event_key() == Key::from_char('q');
        if matches!(event, Event::Shortcut | Event::KeyDown) && ctrl_q {
            sender.send(Msg::Quit);
            return true;
        }
        if event == Event::Shortcut
            && let Some(msg) = view_key()
        {
            sender.send(msg);
            return true;
        }
        false
    });
}

/// What is wrong with the connect form, in words, or `None`.
fn form_problem(form: &Form) -> Option<String> {
    if form.host.is_empty() {
        return Some("Type the server's address (your teacher has it), or host a room.".into());
    }
    if !matches!(form.port.parse::<u16>(), Ok(1..)) {
        return Some(
            "The port must be a number from 1 to 65535 (natter's usual one is 5555).".into(),
        );
    }
    if let Some(p) = nick_problem(&form.nick) {
        return Some(format!("That nickname cannot be used: {p}."));
    }
    if form.room.is_empty() {
        return None;
    }
    room_problem(&form.room)
        .map(|p| format!("That room name cannot be used: {p}. Or leave it empty for the lobby."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert_eq!(window_title(0, 0, None), "natter");
        assert_eq!(
            window_title(0, 0, Some((Some("lobby"), "ada"))),
            "natter — lobby — ada"
        );
        assert_eq!(window_title(0, 0, Some((None, "ada"))), "natter — ada");
        assert_eq!(
            window_title(3, 1, Some((Some("lobby"), "ada"))),
            "(3, 1 mention) natter — lobby — ada"
        );
        assert_eq!(window_title(5, 0, None), "(5) natter");
        assert_eq!(window_title(5, 2, None), "(5, 2 mentions) natter");
    }
}

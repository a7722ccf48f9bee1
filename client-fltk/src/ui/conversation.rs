//! The conversation view: an FLTK `TextDisplay` over a text buffer and a
//! style buffer (one style byte per text byte), which stays fast with
//! thousands of lines, unlike a widget per line.
//!
//! Memory is bounded: the view keeps at most [`MAX_LINES`] lines and drops
//! the oldest [`DROP_CHUNK`] at once when it has more. Dropping rebuilds
//! the display's text, and FLTK then measures every kept line again to
//! wrap it (tens of milliseconds for thousands of lines), so it happens
//! rarely and leaves half the lines: a key typed during a flood of 1,000
//! messages a second is on screen in 17 ms (median; see BENCHMARKS.md).
//! The transcript keeps much more, as plain lines, for every view at once
//! (`views::Views`).
//!
//! Each room and private conversation has its own `Log` (so its own
//! scroll position); all of them lie on top of each other in one group,
//! and only the selected one is shown.

use std::collections::{HashMap, VecDeque};

use fltk::app::Sender;
use fltk::enums::{Color, Event, Font};
use fltk::group::Flex;
use fltk::prelude::*;
use fltk::text::{StyleTableEntryExt, TextAttr, TextBuffer, TextDisplay, WrapMode};

use super::Msg;
use super::theme::{Colors, TEXT_SIZE};
use crate::nickcolor::{self, PALETTE};
use crate::transcript::{Kind, Line};
use crate::views::{Conversation, Delivery};

/// Lines kept on screen (between half this and this many).
pub const MAX_LINES: usize = 4_000;
/// Lines dropped at once when there are more than [`MAX_LINES`].
pub const DROP_CHUNK: usize = 2_000;

// Style bytes: 'A' + index into the table built by `style_table`.
const TEXT: u8 = b'A';
const TIME: u8 = b'B';
const SYSTEM: u8 = b'C';
const ACTION: u8 = b'D';
const OWN_NICK: u8 = b'E';
const PRIVATE: u8 = b'F';
const MENTION: u8 = b'G';
const ERROR: u8 = b'H';
const MARK: u8 = b'I';
const NICK0: u8 = b'J';

/// The delivery marks of own lines. All three are 3 bytes of UTF-8, so a
/// mark is replaced in place and no later position moves.
const PENDING: &str = "…";
const DELIVERED: &str = "✓";
const NOT_DELIVERED: &str = "✗";

pub struct Log {
    display: TextDisplay,
    text: TextBuffer,
    style: TextBuffer,
    /// Each kept line, with its text and style bytes as in the buffers
    /// (newline included): the view is rebuilt from these when old lines
    /// go, never read back from FLTK (fltk-rs 1.5.23's
    /// `TextBuffer::text_range` and `text` leak the C copy they make).
    lines: VecDeque<Styled>,
    /// The number of the front line in `lines` (lines are numbered from
    /// the start of the conversation).
    first_line: usize,
    /// Bytes dropped from the front so far: a position that counts from
    /// the start of the conversation minus this is a buffer position.
    dropped: usize,
    /// Pending own lines: tag → the line's number and where its mark is,
    /// within the line and counted from the start of the conversation.
    pending: HashMap<u32, Mark>,
    /// Room messages on screen: event id → the line's number.
    ids: HashMap<u64, usize>,
    /// Keep the end in view? True unless the user scrolled away from it.
    following: bool,
}

impl Log {
    /// A view in `parent` (a column that lays out only the one on show),
    /// hidden until [`Log::set_on_show`]. Scrolling it sends
    /// [`Msg::ViewScrolled`], for [`Log::user_scrolled`].
    pub fn new(colors: &Colors, sender: Sender<Msg>, parent: &mut Flex) -> Log {
        let mut text = TextBuffer::default();
        let mut style = TextBuffer::default();
        // FLTK's buffers keep every change for undo, without limit: a view
        // that only grows would keep all it ever showed.
        text.can_undo(false);
        style.can_undo(false);
        let mut display = TextDisplay::new(parent.x(), parent.y(), parent.w(), parent.h(), None);
        // Hidden before it joins the column: the column lays out what is
        // visible as it is added, and would give this one half of it.
        display.hide();
        parent.add(&display);
        display.set_buffer(text.clone());
        display.wrap_mode(WrapMode::AtBounds, 0);
        display.set_text_size(TEXT_SIZE);
        display.set_scrollbar_size(14);
        display.handle(move |_, event| {
            // The display would scroll with Ctrl+PageUp/PageDown: switch
            // views instead, as everywhere else in the window.
            if event == Event::KeyDown
                && let Some(msg) = super::view_key()
            {
                sender.send(msg);
                return true;
            }
            // Sent now, handled after FLTK has scrolled: the loop sees
            // where the user left the view.
            if matches!(event, Event::MouseWheel | Event::Released | Event::KeyUp) {
                sender.send(Msg::ViewScrolled);
            }
            false
        });
        let mut log = Log {
            display,
            text,
            style,
            lines: VecDeque::new(),
            first_line: 0,
            dropped: 0,
            pending: HashMap::new(),
            ids: HashMap::new(),
            following: true,
        };
        log.set_colors(colors);
        log
    }

    /// Restyle for another theme (the style bytes stay; the table changes).
    pub fn set_colors(&mut self, colors: &Colors) {
        self.display.set_color(colors.view_bg);
        self.display.set_text_color(colors.text);
        self.display
            .set_highlight_data_ext(self.style.clone(), style_table(colors));
        self.display.redraw();
    }

    /// Show or hide this view; `true` if that changed anything (its
    /// group must then lay it out).
    pub fn set_on_show(&mut self, on_show: bool) -> bool {
        if on_show == self.display.visible() {
            return false;
        }
        if on_show {
            self.display.show();
        } else {
            self.display.hide();
        }
        true
    }

    /// Take the view off its group and free it (its room was left, or its
    /// private view closed).
    pub fn delete(self) {
        // The display first: FLTK's display unhooks itself from its
        // buffers when it goes, so they must still be there.
        TextDisplay::delete(self.display);
    }

    /// Should new lines scroll the view? Not while the user has scrolled
    /// up to read.
    pub fn following(&self) -> bool {
        self.following
    }

    /// The user scrolled: follow new lines again only if they left the
    /// end in view. (Asked only now, not while lines pour in, because the
    /// display lays wrapped lines out lazily and only knows what it shows
    /// once it has drawn.)
    pub fn user_scrolled(&mut self) {
        // FLTK leaves x, y at 0 for a position that is not displayed.
        self.following = self.display.position_to_xy(self.text.length()) != (0, 0);
    }

    /// Scroll so the last line is visible, and follow new lines again.
    pub fn show_end(&mut self) {
        self.following = true;
        // Scroll to a top line past any there can be, rather than with
        // `show_insert_position`, which trusts line starts the display may
        // not have laid out yet after a burst of lines: FLTK clamps it to
        // the last screenful. (Counting the wrapped lines instead measures
        // the whole text, many milliseconds for 5,000 lines, on every
        // batch of updates.)
        self.display.scroll(self.text.length().max(1), 0);
    }

    /// Add `line`. `mention` highlights its text; `pending` is the tag of
    /// an own line waiting for the server's answer.
    pub fn push(&mut self, line: &Line, mention: bool, pending: Option<u32>) {
        let mut out = Styled::default();
        let parts = line.parts();
        let body = match line.kind {
            Kind::System => SYSTEM,
            Kind::Error => ERROR,
            Kind::Action => ACTION,
            Kind::PrivateFrom | Kind::PrivateTo => PRIVATE,
            _ if mention => MENTION,
            Kind::Message | Kind::Own => TEXT,
        };
        let nick = match line.kind {
            // Your own lines (messages, and actions waiting for an answer).
            Kind::Own => OWN_NICK,
            Kind::Action if pending.is_some() => OWN_NICK,
            _ => NICK0 + nickcolor::color_index(&line.nick) as u8,
        };
        out.add(&parts.time, TIME);
        out.add(&parts.before, body);
        out.add(&parts.nick, nick);
        out.words_at = out.text.len() + line.text_offset().min(parts.after.len());
        out.add(&parts.after, if mention { MENTION } else { body });
        out.words_end = out.text.len();
        if let Some(id) = line.id {
            self.ids.insert(id, self.first_line + self.lines.len());
        }
        if let Some(tag) = pending {
            out.add(" ", MARK);
            let mark = Mark {
                line: self.first_line + self.lines.len(),
                in_line: out.text.len(),
                at: self.dropped + self.text.length() as usize + out.text.len(),
            };
            self.pending.insert(tag, mark);
            out.add(PENDING, MARK);
        }
        out.add("\n", TEXT);
        self.text.append(&out.text);
        self.style.append(&out.styles);
        self.lines.push_back(out);
        if self.lines.len() > MAX_LINES {
            self.drop_oldest(DROP_CHUNK);
        }
    }

    /// Mark the own line `tag` as delivered or not. Unknown tags (lines
    /// already dropped) are ignored.
    pub fn settle(&mut self, tag: u32, how: Delivery) {
        let Some(mark) = self.pending.remove(&tag) else {
            return;
        };
        let (Some(pos), Some(index)) = (
            mark.at.checked_sub(self.dropped),
            mark.line.checked_sub(self.first_line),
        ) else {
            return;
        };
        let Some(kept) = self.lines.get_mut(index) else {
            return;
        };
        let (symbol, style) = match how {
            Delivery::Delivered => (DELIVERED, MARK),
            Delivery::NotDelivered => (NOT_DELIVERED, ERROR),
        };
        let range = mark.in_line..mark.in_line + PENDING.len();
        if kept.text.get(range.clone()) != Some(PENDING) {
            return;
        }
        let styles = String::from(style as char).repeat(symbol.len());
        kept.text.replace_range(range.clone(), symbol);
        kept.styles.replace_range(range, &styles);
        let (start, end) = (pos as i32, (pos + PENDING.len()) as i32);
        self.text.replace(start, end, symbol);
        self.style.replace(start, end, &styles);
    }

    /// The own line `tag` is message `id` (the server took it).
    pub fn identify(&mut self, tag: u32, id: u64) {
        if let Some(mark) = self.pending.get(&tag) {
            self.ids.insert(id, mark.line);
        }
    }

    /// Message `id` was removed: its words give way to `text`, shown as
    /// a system line's. Lines after it move; their marks move with them.
    pub fn redact(&mut self, id: u64, text: &str) {
        let Some(number) = self.ids.remove(&id) else {
            return;
        };
        let Some(kept) = number
            .checked_sub(self.first_line)
            .and_then(|i| self.lines.get_mut(i))
        else {
            return;
        };
        let range = kept.words_at..kept.words_end;
        let (Some(old_text), Some(_)) =
            (kept.text.get(range.clone()), kept.styles.get(range.clone()))
        else {
            return;
        };
        let delta = text.len() as isize - old_text.len() as isize;
        kept.text.replace_range(range.clone(), text);
        let styles = String::from(SYSTEM as char).repeat(text.len());
        kept.styles.replace_range(range, &styles);
        kept.words_end = (kept.words_end as isize + delta) as usize;
        for mark in self.pending.values_mut().filter(|m| m.line > number) {
            mark.at = (mark.at as isize + delta) as usize;
        }
        let mut all = String::with_capacity(self.text.length() as usize);
        let mut all_styles = String::with_capacity(all.capacity());
        for kept in &self.lines {
            all.push_str(&kept.text);
            all_styles.push_str(&kept.styles);
        }
        self.text.set_text(&all);
        self.style.set_text(&all_styles);
    }

    fn drop_oldest(&mut self, count: usize) {
        let bytes: usize = self.lines.drain(..count).map(|kept| kept.text.len()).sum();
        // Set the whole text to what is kept rather than removing the
        // front: after a removal at the front FLTK's wrapped line count
        // falls short and the view stops a few lines above the end (seen
        // with fltk 1.5.23). One copy per DROP_CHUNK lines is cheap.
        let mut text = String::with_capacity(self.text.length() as usize);
        let mut styles = String::with_capacity(text.capacity());
        for kept in &self.lines {
            text.push_str(&kept.text);
            styles.push_str(&kept.styles);
        }
        self.text.set_text(&text);
        self.style.set_text(&styles);
        self.first_line += count;
        self.dropped += bytes;
        let first = self.first_line;
        self.pending.retain(|_, mark| mark.line >= first);
        self.ids.retain(|_, line| *line >= first);
    }
}

impl Conversation for Log {
    fn push(&mut self, line: &Line, mention: bool, pending: Option<u32>) {
        Log::push(self, line, mention, pending);
    }

    fn settle(&mut self, tag: u32, how: Delivery) {
        Log::settle(self, tag, how);
    }

    fn identify(&mut self, tag: u32, id: u64) {
        Log::identify(self, tag, id);
    }

    fn redact(&mut self, id: u64, text: &str) {
        Log::redact(self, id, text);
    }
}

/// Where a pending own line's mark is.
#[derive(Debug, Clone, Copy)]
struct Mark {
    /// The line's number.
    line: usize,
    /// Bytes into the line.
    in_line: usize,
    /// Bytes into the conversation.
    at: usize,
}

/// A line's text and its style bytes, built side by side.
#[derive(Default)]
struct Styled {
    text: String,
    /// One style letter per byte of `text` (ASCII, so a `String`).
    styles: String,
    /// Where the message's own words are in `text` (a removal replaces
    /// them).
    words_at: usize,
    words_end: usize,
}

impl Styled {
    fn add(&mut self, s: &str, style: u8) {
        self.text.push_str(s);
        self.styles
            .extend(std::iter::repeat_n(style as char, s.len()));
    }
}

/// The style table, in the order of the style bytes above.
fn style_table(c: &Colors) -> Vec<StyleTableEntryExt> {
    let entry = |color: Color, font: Font| StyleTableEntryExt {
        color,
        font,
        size: TEXT_SIZE,
        attr: TextAttr::None,
        bgcolor: c.view_bg,
    };
    let mut table = vec![
        entry(c.text, Font::Helvetica),         // TEXT
        entry(c.dim, Font::Helvetica),          // TIME
        entry(c.system, Font::HelveticaItalic), // SYSTEM
        entry(c.text, Font::HelveticaItalic),   // ACTION
        entry(c.text, Font::HelveticaBold),     // OWN_NICK
        entry(c.private, Font::Helvetica),      // PRIVATE
        StyleTableEntryExt {
            attr: TextAttr::BgColor,
            bgcolor: c.mention_bg,
            ..entry(c.text, Font::HelveticaBold)
        }, // MENTION
        entry(c.error, Font::HelveticaItalic),  // ERROR
        entry(c.dim, Font::Helvetica),          // MARK
    ];
    table.extend(
        PALETTE
            .iter()
            .map(|&(r, g, b)| entry(Color::from_rgb(r, g, b), Font::HelveticaBold)),
    );
    table
}

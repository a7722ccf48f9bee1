//! The emoji grid: a panel of common emoji that opens above the input
//! line. It is a group inside the main window rather than a window of its
//! own, so it needs no window manager and never hides behind the chat.

use fltk::app::Sender;
use fltk::button::Button;
use fltk::enums::FrameType;
use fltk::group::Group;
use fltk::prelude::*;

use super::Msg;

/// Forty emoji a class uses most, in rows of [`COLUMNS`].
pub const EMOJI: [&str; 40] = [
    "😀", "😂", "🙂", "😉", "😍", "🤔", "😮", "😢", "😡", "😴", //
    "👍", "👎", "👏", "🙌", "👋", "🙏", "💪", "🤝", "✌️", "👀", //
    "❤️", "🎉", "🔥", "⭐", "✅", "❌", "❓", "❗", "💡", "📚", //
    "✏️", "📝", "🧮", "🧪", "🌍", "🎵", "⚽", "🍕", "☕", "⏰",
];

const COLUMNS: i32 = 10;
const CELL: i32 = 40;
const WIDTH: i32 = COLUMNS * CELL + 8;
const HEIGHT: i32 = EMOJI.len() as i32 / COLUMNS * CELL + 8;

/// The panel; hidden until [`EmojiGrid::toggle`].
pub struct EmojiGrid {
    group: Group,
}

impl EmojiGrid {
    /// Build the panel in the current group. Clicking an emoji sends
    /// [`Msg::Emoji`] with its index.
    pub fn new(sender: Sender<Msg>) -> EmojiGrid {
        let mut group = Group::new(0, 0, WIDTH, HEIGHT, None);
        group.set_frame(FrameType::UpBox);
        for (i, emoji) in EMOJI.iter().enumerate() {
            let (col, row) = (i as i32 % COLUMNS, i as i32 / COLUMNS);
            let mut b = Button::new(4 + col * CELL, 4 + row * CELL, CELL, CELL, None);
            b.set_label(emoji);
            b.set_label_size(20);
            b.set_frame(FrameType::FlatBox);
            b.set_tooltip("Insert into the message");
            b.emit(sender, Msg::Emoji(i));
        }
        group.end();
        // When the window is resized, the panel moves but its buttons keep
        // their size (`toggle` puts the panel back to its own size too).
        group.make_resizable(false);
        group.hide();
        EmojiGrid { group }
    }

    /// Show the panel with its bottom right corner at `(right, bottom)`,
    /// or hide it if it is showing.
    pub fn toggle(&mut self, right: i32, bottom: i32) {
        if self.group.visible() {
            self.hide();
            return;
        }
        let (x, y) = ((right - WIDTH).max(0), (bottom - HEIGHT).max(0));
        self.group.resize(x, y, WIDTH, HEIGHT);
        self.group.show();
        if let Some(mut parent) = self.group.parent() {
            parent.redraw();
        }
    }

    pub fn hide(&mut self) {
        self.group.hide();
        if let Some(mut parent) = self.group.parent() {
            parent.redraw();
        }
    }
}

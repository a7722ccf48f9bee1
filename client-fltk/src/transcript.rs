//! The conversation as plain data: one [`Line`] per thing shown, which the
//! window draws with styles and `/save` writes as text lines like
//! `[09:41] <ann> hello`. No widgets here.

use std::io::{self, Write};
use std::path::Path;

/// Lines kept for the transcript a teacher saves, every room's together:
/// a whole lesson of a busy class (about 15 MB at most).
pub const TRANSCRIPT_LINES: usize = 100_000;

/// What kind of line it is; the window styles each kind apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Someone's message in a room.
    Message,
    /// Your own message (shown bold, with a delivery mark).
    Own,
    /// A `/me` action: `* ann waves`.
    Action,
    /// A private message from `nick` to you.
    PrivateFrom,
    /// A private message from you to `nick`.
    PrivateTo,
    /// Joins, parts, renames, topics, gaps, connection news.
    System,
    /// Something went wrong; the text says what to do.
    Error,
}

/// One line of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Local time as `HH:MM`.
    pub time: String,
    pub kind: Kind,
    /// Who: the sender (or, for [`Kind::PrivateTo`], the recipient). Empty
    /// for system and error lines.
    pub nick: String,
    pub text: String,
    /// The room it was said in, for the transcript (`#room` in front);
    /// `None` for private lines (their kind says so) and news about no
    /// room. The window does not show it: each room has its own view.
    pub room: Option<String>,
    /// The room event id of a message (for own lines, once the server
    /// took them), so an operator's removal finds it.
    pub id: Option<u64>,
    /// The tag of an own line, until the server answers it.
    pub tag: Option<u32>,
}

/// The parts of a line in drawing order, for the window to style: the
/// time, the text before the nick, the nick, and the text after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub time: String,
    pub before: String,
    pub nick: String,
    pub after: String,
}

impl Line {
    pub fn new(time: String, kind: Kind, nick: &str, text: &str) -> Line {
        Line {
            time,
            kind,
            nick: nick.to_owned(),
            text: text.to_owned(),
            room: None,
            id: None,
            tag: None,
        }
    }

    /// The same line, as message `id` of its room.
    pub fn with_id(mut self, id: u64) -> Line {
        self.id = Some(id);
        self
    }

    /// Where the message's own words start in [`Line::parts`]' `after`
    /// (after `> ` or the action's space).
    pub fn text_offset(&self) -> usize {
        match self.kind {
            Kind::Message | Kind::Own | Kind::PrivateFrom => 2,
            Kind::PrivateTo => 2,
            Kind::Action => 1,
            Kind::System | Kind::Error => 0,
        }
    }

    /// Split for drawing in its room's view (so without the room).
    pub fn parts(&self) -> Parts {
        let (before, after) = match self.kind {
            Kind::Message | Kind::Own => ("<", format!("> {}", self.text)),
            Kind::Action => ("* ", format!(" {}", self.text)),
            Kind::PrivateFrom => ("(private) <", format!("> {}", self.text)),
            Kind::PrivateTo => ("(private to ", format!(") {}", self.text)),
            Kind::System | Kind::Error => ("— ", self.text.clone()),
        };
        Parts {
            time: format!("[{}] ", self.time),
            before: before.to_owned(),
            nick: self.nick.clone(),
            after,
        }
    }

    /// The line as text for the transcript, with its room, e.g.
    /// `[09:41] #lobby <ann> hello`.
    pub fn plain(&self) -> String {
        let p = self.parts();
        let room = match &self.room {
            Some(room) => format!("#{room} "),
            None => String::new(),
        };
        format!("{}{room}{}{}{}", p.time, p.before, p.nick, p.after)
    }
}

/// `ms` (milliseconds since the Unix epoch, server time) as local `HH:MM`.
pub fn clock(ms: u64) -> String {
    let utc = i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis);
    match utc {
        Some(t) => t.with_timezone(&chrono::Local).format("%H:%M").to_string(),
        None => "--:--".to_owned(),
    }
}

/// The local time now as `HH:MM`, for lines the client makes itself.
pub fn now() -> String {
    chrono::Local::now().format("%H:%M").to_string()
}

/// Does `text` mention `nick` as a word (case-insensitively, as natter
/// compares nicknames)? "ann" is mentioned in "ann: hi" and "hi @Ann!",
/// not in "annual".
pub fn mentions(text: &str, nick: &str) -> bool {
    if nick.is_empty() {
        return false;
    }
    let word_char = |c: char| c.is_alphanumeric() || (crate::names::nick_char_ok(c) && c != '-');
    let lower = text.to_ascii_lowercase();
    let nick = nick.to_ascii_lowercase();
    lower.match_indices(&nick).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + nick.len()..].chars().next();
        !before.is_some_and(word_char) && !after.is_some_and(word_char)
    })
}

/// Write `lines` to `path` as text, one line each, replacing the file.
///
/// # Errors
/// The file cannot be created or written (no such folder, no permission,
/// disk full).
pub fn save<'a>(path: &Path, lines: impl IntoIterator<Item = &'a Line>) -> io::Result<usize> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    let mut count = 0;
    for line in lines {
        writeln!(out, "{}", line.plain())?;
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: Kind, nick: &str, text: &str) -> String {
        Line::new("09:41".into(), kind, nick, text).plain()
    }

    #[test]
    fn plain_lines() {
        assert_eq!(line(Kind::Message, "ann", "hi"), "[09:41] <ann> hi");
        assert_eq!(line(Kind::Own, "me", "yo"), "[09:41] <me> yo");
        assert_eq!(line(Kind::Action, "ann", "waves"), "[09:41] * ann waves");
        assert_eq!(
            line(Kind::PrivateFrom, "bob", "psst"),
            "[09:41] (private) <bob> psst"
        );
        assert_eq!(
            line(Kind::PrivateTo, "bob", "ok"),
            "[09:41] (private to bob) ok"
        );
        assert_eq!(line(Kind::System, "", "bob joined"), "[09:41] — bob joined");
        let mut other_room = Line::new("09:41".into(), Kind::Message, "cat", "hey");
        other_room.room = Some("maths".into());
        assert_eq!(other_room.plain(), "[09:41] #maths <cat> hey");
    }

    #[test]
    fn clock_is_hours_and_minutes() {
        let t = clock(1_700_000_000_000);
        assert_eq!(t.len(), 5);
        assert_eq!(&t[2..3], ":");
        assert!(t.chars().filter(char::is_ascii_digit).count() == 4);
        assert_eq!(clock(u64::MAX), "--:--");
    }

    #[test]
    fn mentions_are_whole_words() {
        assert!(mentions("ann: look", "ann"));
        assert!(mentions("hi @Ann!", "ann"));
        assert!(mentions("ANN", "ann"));
        assert!(!mentions("annual report", "ann"));
        assert!(!mentions("joann", "ann"));
        assert!(!mentions("ann_2 is here", "ann"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn save_writes_one_line_each() {
        let dir = std::env::temp_dir().join(format!("natter-transcript-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.txt");
        let lines = [
            Line::new("10:00".into(), Kind::Message, "ann", "hi"),
            Line::new("10:01".into(), Kind::Action, "bob", "waves"),
        ];
        assert_eq!(save(&path, &lines).unwrap(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "[10:00] <ann> hi\n[10:01] * bob waves\n");
        assert!(save(&dir.join("no/such/dir/t.txt"), &lines).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! IRC's line protocol, sans-IO: splitting a byte stream into lines,
//! parsing a line into a [`Message`] that borrows from it, and writing one
//! back, in fixed buffers (RFC 1459/2812 and the Modern IRC documents).
//! No allocation, so a microcontroller could speak IRC too; what the
//! commands mean in a natter room is the hub's business, not this
//! module's.
//!
//! The limits are IRC's: a line is at most [`MAX_LINE`] bytes with its
//! CR LF, a message has at most [`MAX_PARAMS`] parameters. IRCv3 message
//! tags (`@a=b;c ...`) are accepted in front of a line, up to
//! [`MAX_TAGS`] bytes more (what IRCv3 allows a client), and handed over
//! unparsed.
//!
//! Decisions where the RFCs leave room (docs/DESIGN.md has the why):
//! * a line may end in CR LF or in LF alone (many clients and `nc` send a
//!   bare LF); a lone CR inside a line is an error;
//! * invalid UTF-8 and NUL bytes are errors, reported to the client with a
//!   numeric, rather than replaced: natter's texts are UTF-8, and a
//!   replaced message would not be what its author sent;
//! * a line longer than the limit is an error for that line only: it is
//!   dropped up to its line feed ([`Line::TooLong`]).
//!
//! # Layout
//! * this module: [`next_line`], [`parse`] into a [`Message`], [`write()`],
//!   [`split_text`];
//! * [`reader`]: [`reader::LineReader`], the line framing every driver
//!   wraps (the input buffer, overlong lines dropped and reported once, a
//!   partial line scanned once);
//! * [`numeric`]: every numeric reply by its RFC name;
//! * [`bridge`]: an IRC connection as a natter client of the hub:
//!   `commands.rs` (the command table and its dispatcher: `451`, `461`,
//!   `462`, `421` in one place), `inbound.rs` (the handlers: IRC to
//!   natter), `outbound.rs` (natter to IRC), `write.rs` (numerics and
//!   lines);
//! * [`shared`]: live room messages written once for every IRC member.
//!
//! A new command is a row in `bridge/commands.rs` and a handler in
//! `bridge/inbound.rs` (and any new numeric in `numeric.rs`).

use core::fmt;

pub mod bridge;
pub mod numeric;
pub mod reader;
pub mod shared;

/// Longest line, CR LF included (RFC 1459 section 2.3).
pub const MAX_LINE: usize = 512;
/// Most bytes of IRCv3 tags (with the `@` and the space after them) in
/// front of a line a client sends, on top of [`MAX_LINE`]: `message-tags`
/// allows clients 4,094 bytes of tag data (servers may add their own, up
/// to 8,191 in all, on what they send).
pub const MAX_TAGS: usize = 4096;
/// Most parameters of one message (RFC 2812 section 2.3.1).
pub const MAX_PARAMS: usize = 15;

/// What [`next_line`] found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// A whole line (without its line ending) and the bytes it took,
    /// ending included.
    Complete(&'a [u8], usize),
    /// No line feed yet within the limit: read more.
    Partial,
    /// No line feed within the limit: the line is too long. The driver
    /// drops these bytes, then everything up to and including the next
    /// line feed (the rest of that line), and answers the line with
    /// `417 ERR_INPUTTOOLONG`; the lines after it are read as usual.
    TooLong {
        /// Bytes to drop now: as many as a line may have. The rest of the
        /// line is dropped up to its line feed; what follows is read.
        skip: usize,
    },
}

/// Find the first line in `buf`. A line is at most [`MAX_LINE`] bytes
/// with its ending, plus tags.
pub fn next_line(buf: &[u8]) -> Line<'_> {
    let limit = line_limit(buf);
    match buf.iter().take(limit).position(|&b| b == b'\n') {
        Some(lf) => {
            let end = if lf > 0 && buf[lf - 1] == b'\r' {
                lf - 1
            } else {
                lf
            };
            Line::Complete(&buf[..end], lf + 1)
        }
        None if buf.len() >= limit => Line::TooLong { skip: limit },
        None => Line::Partial,
    }
}

/// How long the line at the start of `buf` may be: [`MAX_LINE`], plus
/// its tags when it has them.
fn line_limit(buf: &[u8]) -> usize {
    if buf.first() != Some(&b'@') {
        return MAX_LINE;
    }
    match buf.iter().take(MAX_TAGS).position(|&b| b == b' ') {
        Some(space) => MAX_LINE + space + 1,
        // Tags longer than a client may send (or not all here yet): the
        // line is too long once that many bytes came without their end.
        None => MAX_TAGS,
    }
}

/// Why a line is not a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing but spaces (IRC says to ignore such lines silently).
    Empty,
    /// A NUL byte, or a CR that does not end the line.
    ControlChar,
    /// The bytes are not UTF-8.
    NotUtf8,
    /// Tags or a prefix but no command.
    NoCommand,
    /// The command is neither letters nor a three-digit numeric.
    BadCommand,
    /// More than [`MAX_PARAMS`] parameters.
    TooManyParams,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::Empty => "empty line",
            ParseError::ControlChar => "NUL or CR inside the line",
            ParseError::NotUtf8 => "the line is not valid UTF-8",
            ParseError::NoCommand => "no command",
            ParseError::BadCommand => "the command is not a word or a numeric",
            ParseError::TooManyParams => "more than 15 parameters",
        })
    }
}

impl core::error::Error for ParseError {}

/// One IRC message, borrowing from its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// IRCv3 tags, without the `@`, unparsed.
    pub tags: Option<&'a str>,
    /// The source, without the `:` (clients usually send none).
    pub prefix: Option<&'a str>,
    /// The command as sent (compare with [`Message::is`]).
    pub command: &'a str,
    params: [&'a str; MAX_PARAMS],
    count: usize,
}

impl<'a> Message<'a> {
    /// The parameters, the trailing one (after ` :`) included as the last.
    pub fn params(&self) -> &[&'a str] {
        &self.params[..self.count]
    }

    /// Parameter `i`, if there is one.
    pub fn param(&self, i: usize) -> Option<&'a str> {
        self.params().get(i).copied()
    }

    /// Is this `command`, in any case (IRC commands are case-insensitive)?
    pub fn is(&self, command: &str) -> bool {
        self.command.eq_ignore_ascii_case(command)
    }
}

/// Parse one line (without its line ending, as [`next_line`] gives it).
///
/// ```
/// use natter_core::irc::parse;
/// let m = parse(b"PRIVMSG #lobby :hi all").unwrap();
/// assert!(m.is("privmsg"));
/// assert_eq!(m.params(), ["#lobby", "hi all"]);
/// ```
///
/// # Errors
/// A [`ParseError`] saying what is wrong; nothing is ever partly parsed.
pub fn parse(line: &[u8]) -> Result<Message<'_>, ParseError> {
    if line.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
        return Err(ParseError::ControlChar);
    }
    let line = core::str::from_utf8(line).map_err(|_| ParseError::NotUtf8)?;
    let mut rest = line.trim_start_matches(' ');
    if rest.is_empty() {
        return Err(ParseError::Empty);
    }
    let mut message = Message {
        tags: None,
        prefix: None,
        command: "",
        params: [""; MAX_PARAMS],
        count: 0,
    };
    if let Some(tagged) = rest.strip_prefix('@') {
        let (tags, after) = word(tagged);
        message.tags = Some(tags);
        rest = after;
    }
    if let Some(prefixed) = rest.strip_prefix(':') {
        let (prefix, after) = word(prefixed);
        message.prefix = Some(prefix);
        rest = after;
    }
    let (command, mut rest) = word(rest);
    if command.is_empty() {
        return Err(ParseError::NoCommand);
    }
    let numeric = command.len() == 3 && command.bytes().all(|b| b.is_ascii_digit());
    if !numeric && !command.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ParseError::BadCommand);
    }
    message.command = command;
    while !rest.is_empty() {
        if message.count == MAX_PARAMS {
            return Err(ParseError::TooManyParams);
        }
        let param = if let Some(trailing) = rest.strip_prefix(':') {
            rest = "";
            trailing
        } else {
            let (param, after) = word(rest);
            rest = after;
            param
        };
        message.params[message.count] = param;
        message.count += 1;
    }
    Ok(message)
}

/// Why a message could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WriteError {
    /// It does not fit the buffer, or would be longer than [`MAX_LINE`].
    TooLong {
        /// Bytes it needs at least.
        needed: usize,
    },
    /// A NUL, CR or LF somewhere, an empty or spaced command or prefix, or a
    /// middle parameter that is empty, holds a space or starts with `:`.
    BadParam,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::TooLong { needed } => write!(f, "the line needs {needed} bytes"),
            WriteError::BadParam => f.write_str("a parameter cannot be sent on one IRC line"),
        }
    }
}

impl core::error::Error for WriteError {}

/// The word at the start of `s` and what follows its spaces.
fn word(s: &str) -> (&str, &str) {
    match s.find(' ') {
        Some(space) => (&s[..space], s[space..].trim_start_matches(' ')),
        None => (s, ""),
    }
}

/// Write one message with its CR LF into `out`: `:prefix COMMAND params`,
/// the last parameter as a trailing one (after ` :`) when it must be (it
/// is empty, holds a space or starts with `:`) or when `trailing` says so.
/// Returns the bytes written.
///
/// ```
/// use natter_core::irc::write;
/// let mut buf = [0u8; 512];
/// let n = write(&mut buf, Some("natter"), "001", &["ann", "Welcome to natter, ann"], false).unwrap();
/// assert_eq!(&buf[..n], b":natter 001 ann :Welcome to natter, ann\r\n");
/// ```
///
/// # Errors
/// [`WriteError::TooLong`] if it does not fit `out` or would be longer
/// than [`MAX_LINE`]; [`WriteError::BadParam`] for a NUL, CR or LF
/// anywhere, or a middle parameter that is empty, holds a space or starts
/// with `:`. On error `out` holds nothing meaningful and nothing
/// should be sent.
pub fn write(
    out: &mut [u8],
    prefix: Option<&str>,
    command: &str,
    params: &[&str],
    trailing: bool,
) -> Result<usize, WriteError> {
    let bad = |s: &str| s.bytes().any(|b| b == 0 || b == b'\r' || b == b'\n');
    let word_ok = |s: &str| !s.is_empty() && !s.contains(' ') && !s.starts_with(':') && !bad(s);
    if params.len() > MAX_PARAMS || !word_ok(command) || prefix.is_some_and(|p| !word_ok(p)) {
        return Err(WriteError::BadParam);
    }
    let (middle, last) = match params.split_last() {
        Some((last, middle)) => (middle, Some(*last)),
        None => (params, None),
    };
    if middle.iter().any(|p| !word_ok(p)) || last.is_some_and(bad) {
        return Err(WriteError::BadParam);
    }
    let mut w = Writer { out, at: 0 };
    if let Some(prefix) = prefix {
        w.put(":")?;
        w.put(prefix)?;
        w.put(" ")?;
    }
    w.put(command)?;
    for p in middle {
        w.put(" ")?;
        w.put(p)?;
    }
    if let Some(last) = last {
        w.put(" ")?;
        if trailing || !word_ok(last) {
            w.put(":")?;
        }
        w.put(last)?;
    }
    w.put("\r\n")?;
    if w.at > MAX_LINE {
        return Err(WriteError::TooLong { needed: w.at });
    }
    Ok(w.at)
}

struct Writer<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, s: &str) -> Result<(), WriteError> {
        let end = self.at + s.len();
        let Some(dst) = self.out.get_mut(self.at..end) else {
            return Err(WriteError::TooLong { needed: end });
        };
        dst.copy_from_slice(s.as_bytes());
        self.at = end;
        Ok(())
    }
}

/// The longest start of `text` that is at most `budget` bytes, ending at a
/// space where there is one in its second half (the space stays with
/// this piece), else at a character boundary: how a natter message too
/// long for one IRC line is split for IRC readers, never cut. Returns the
/// piece and the rest; the rest is empty when `text` fits. A budget below
/// 4 bytes still takes one character, so the split always moves on.
///
/// ```
/// use natter_core::irc::split_text;
/// assert_eq!(split_text("one two three", 9), ("one two ", "three"));
/// assert_eq!(split_text("zoë", 2), ("zo", "ë"));
/// ```
pub fn split_text(text: &str, budget: usize) -> (&str, &str) {
    if text.len() <= budget {
        return (text, "");
    }
    let mut end = budget;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == 0 {
        end = text.chars().next().map_or(0, char::len_utf8);
    } else if let Some(space) = text[..end].rfind(' ') {
        if space + 1 >= end / 2 && space + 1 < end {
            end = space + 1;
        }
    }
    text.split_at(end)
}

#[cfg(test)]
mod tests;

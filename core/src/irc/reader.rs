//! [`LineReader`]: IRC lines out of a byte stream, in a fixed buffer. The
//! one line framing of every IRC driver (the std server, the fuzz
//! drivers, firmware): the driver reads into [`LineReader::space`], says
//! how much came with [`LineReader::filled`], and takes what is whole with
//! [`LineReader::next`], a [`Read::Line`] for the bridge or a
//! [`Read::TooLong`] to answer with `417` (`Bridge::handle_too_long`).
//!
//! * A line longer than IRC allows is dropped up to its line feed, and the
//!   lines after it are read as usual; it is reported once.
//! * A partial line is scanned once, not once per read: the reader
//!   remembers how much of it holds no line feed and looks only at what
//!   came after (a client sending 1-byte segments once cost the server
//!   some 4 KB of scanning per byte).

use super::{Line, MAX_LINE, MAX_TAGS, next_line};

/// What [`LineReader::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read<'a> {
    /// A whole line, without its line ending.
    Line(&'a [u8]),
    /// A line too long for IRC (or for this reader): its first bytes are
    /// gone and the rest will be dropped up to its line feed. IRC's answer
    /// is `417 ERR_INPUTTOOLONG`, once per line.
    TooLong,
}

/// A buffer of `N` bytes that cuts what a client sends into lines. The
/// default holds the longest line IRC allows, tags included
/// ([`MAX_LINE`] + [`MAX_TAGS`]); a smaller reader (at least [`MAX_LINE`])
/// reports a tagged line that does not fit it as too long.
///
/// ```
/// use natter_core::irc::reader::{LineReader, Read};
/// let mut reader: LineReader = LineReader::new();
/// assert_eq!(reader.push(b"NICK ann\r\nUSER ann 0 * :A"), 25); // all of it
/// assert_eq!(reader.next(), Some(Read::Line(b"NICK ann")));
/// assert_eq!(reader.next(), None); // the USER line is not whole yet
/// reader.push(b"nn\n");
/// assert_eq!(reader.next(), Some(Read::Line(b"USER ann 0 * :Ann")));
/// ```
pub struct LineReader<const N: usize = { MAX_LINE + MAX_TAGS }> {
    buf: [u8; N],
    /// The bytes waiting are `buf[start..end]`.
    start: usize,
    end: usize,
    /// Bytes from `start` known to hold no line feed.
    scanned: usize,
    /// Dropping the rest of an overlong line, up to its line feed.
    dropping: bool,
}

impl<const N: usize> LineReader<N> {
    /// An empty reader.
    pub const fn new() -> Self {
        const { assert!(N >= MAX_LINE, "a LineReader holds at least one IRC line") };
        LineReader {
            buf: [0; N],
            start: 0,
            end: 0,
            scanned: 0,
            dropping: false,
        }
    }

    /// Room to read into; say how much was read with [`filled`]. Never
    /// empty once [`next`] has returned `None`: what waits then is at most
    /// a partial line shorter than the buffer.
    ///
    /// [`filled`]: LineReader::filled
    /// [`next`]: LineReader::next
    pub fn space(&mut self) -> &mut [u8] {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf[self.end..]
    }

    /// `n` bytes were read into [`space`](LineReader::space) (more than it
    /// had counts as all of it).
    pub fn filled(&mut self, n: usize) {
        self.end = self.end.saturating_add(n).min(N);
    }

    /// Copy as much of `data` as there is room for; returns how much.
    pub fn push(&mut self, data: &[u8]) -> usize {
        let space = self.space();
        let n = data.len().min(space.len());
        space[..n].copy_from_slice(&data[..n]);
        self.filled(n);
        n
    }

    /// The bytes waiting: whole lines not taken yet and a partial one.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The next whole line, or an overlong one to answer; `None` until
    /// more bytes come.
    #[allow(clippy::should_implement_trait)] // it lends from the buffer
    pub fn next(&mut self) -> Option<Read<'_>> {
        if self.dropping {
            let rest = &self.buf[self.start..self.end];
            match rest.iter().position(|&b| b == b'\n') {
                Some(lf) => {
                    self.start += lf + 1;
                    self.dropping = false;
                }
                None => {
                    self.start = self.end;
                    return None;
                }
            }
        }
        let rest = &self.buf[self.start..self.end];
        let fresh = rest.get(self.scanned..).unwrap_or(&[]);
        if !fresh.contains(&b'\n') {
            // Still no line feed: the line is not whole yet, unless it is
            // already too long for any line (tags included), or fills the
            // buffer, which `next_line` decides.
            let limit = if rest.first() == Some(&b'@') {
                MAX_LINE + MAX_TAGS
            } else {
                MAX_LINE
            };
            if rest.len() < limit.min(N) {
                self.scanned = rest.len();
                return None;
            }
        }
        self.scanned = 0;
        match next_line(rest) {
            Line::Complete(line, used) => {
                let at = self.start;
                self.start += used;
                Some(Read::Line(&self.buf[at..at + line.len()]))
            }
            Line::TooLong { skip } => {
                self.start += skip;
                self.dropping = true;
                Some(Read::TooLong)
            }
            // No line feed, and a line IRC would allow (a tagged one) but
            // this buffer cannot hold: too long for this reader.
            Line::Partial => {
                self.start = self.end;
                self.dropping = true;
                Some(Read::TooLong)
            }
        }
    }
}

impl<const N: usize> Default for LineReader<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// What a reader makes of `input` pushed `chunk` bytes at a time:
    /// lines as text, `417` for each overlong one.
    fn read<const N: usize>(input: &[u8], chunk: usize) -> Vec<std::string::String> {
        let mut reader = LineReader::<N>::new();
        let mut got = Vec::new();
        for piece in input.chunks(chunk) {
            let mut rest = piece;
            while !rest.is_empty() {
                let n = reader.push(rest);
                rest = &rest[n..];
                while let Some(read) = reader.next() {
                    got.push(match read {
                        Read::Line(l) => std::string::String::from_utf8_lossy(l).into_owned(),
                        Read::TooLong => "417".into(),
                    });
                }
                assert!(reader.buffered().len() < N, "a full reader after next()");
            }
        }
        got
    }

    #[test]
    fn lines_end_in_lf_or_crlf_and_empty_lines_are_lines() {
        for chunk in [1, 2, 3, 7, 512, 4096] {
            assert_eq!(
                read::<512>(b"NICK ann\r\nUSER a 0 * :A\n\r\n\nPING x", chunk),
                ["NICK ann", "USER a 0 * :A", "", ""],
                "{chunk}"
            );
        }
    }

    #[test]
    fn a_line_arriving_a_byte_at_a_time_is_scanned_once() {
        let mut reader: LineReader = LineReader::new();
        for &b in b"PRIVMSG #lobby :hello" {
            reader.push(&[b]);
            assert_eq!(reader.next(), None);
            // Everything waiting has been looked at, once.
            assert_eq!(reader.scanned, reader.buffered().len());
        }
        reader.push(b"\r\n");
        assert_eq!(reader.next(), Some(Read::Line(b"PRIVMSG #lobby :hello")));
        assert_eq!(reader.next(), None);
        assert!(reader.buffered().is_empty());
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_read_and_one_more_byte_is_too_long() {
        let mut line = [b'x'; MAX_LINE];
        line[MAX_LINE - 2..].copy_from_slice(b"\r\n");
        let mut input = line.to_vec();
        input.extend_from_slice(b"PING a\n");
        let got = read::<{ MAX_LINE + MAX_TAGS }>(&input, 1);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), MAX_LINE - 2);
        assert_eq!(got[1], "PING a");
        // 511 bytes and CR LF: the LF is the 513th byte.
        let mut input = [b'x'; MAX_LINE - 1].to_vec();
        input.extend_from_slice(b"\r\nPING b\n");
        for chunk in [1, 100, 4096] {
            assert_eq!(
                read::<{ MAX_LINE + MAX_TAGS }>(&input, chunk),
                ["417", "PING b"]
            );
        }
    }

    #[test]
    fn an_overlong_line_is_dropped_up_to_its_lf_with_one_417() {
        let mut input = b"PRIVMSG #lobby :".to_vec();
        input.resize(2000, b'x');
        input.extend_from_slice(b"\r\nPING :after\r\n");
        for chunk in [1, 5, 511, 512, 513, 4096] {
            assert_eq!(
                read::<{ MAX_LINE + MAX_TAGS }>(&input, chunk),
                ["417", "PING :after"]
            );
            assert_eq!(read::<512>(&input, chunk), ["417", "PING :after"]);
        }
        // Byte by byte, no more than a line is ever held.
        let mut reader: LineReader = LineReader::new();
        let mut too_long = 0;
        for b in &input {
            reader.push(std::slice::from_ref(b));
            while let Some(read) = reader.next() {
                too_long += usize::from(read == Read::TooLong);
            }
            assert!(reader.buffered().len() < MAX_LINE);
        }
        assert_eq!(too_long, 1);
    }

    #[test]
    fn tags_make_room_for_themselves_and_a_small_reader_refuses_them() {
        let mut input = b"@".to_vec();
        input.resize(4000, b't');
        input.extend_from_slice(b" PRIVMSG #lobby :hi\r\nPING x\r\n");
        let line = std::string::String::from_utf8_lossy(&input[..input.len() - 10]).into_owned();
        for chunk in [1, 64, 4096, 10_000] {
            assert_eq!(
                read::<{ MAX_LINE + MAX_TAGS }>(&input, chunk),
                [line.as_str(), "PING x"]
            );
            assert_eq!(read::<1024>(&input, chunk), ["417", "PING x"]);
        }
        // Tags and a line beyond both limits.
        let mut input = b"@".to_vec();
        input.resize(MAX_LINE + MAX_TAGS + 100, b't');
        input.extend_from_slice(b"\nPING y\n");
        for chunk in [1, 4096] {
            assert_eq!(
                read::<{ MAX_LINE + MAX_TAGS }>(&input, chunk),
                ["417", "PING y"]
            );
        }
    }
}

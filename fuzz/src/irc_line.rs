//! `irc_line`: any bytes read as an IRC server reads a connection: cut into
//! lines with [`next_line`] (dropping an overlong line up to its line
//! feed), each line parsed.
//!
//! Checked for every input: nothing panics; every byte is accounted for
//! (lines and dropped bytes add up to the input, less an unfinished line
//! at the end); a line is never longer than the limit; a parsed message
//! written back with [`write`] (when it fits one line) parses to the same
//! command and parameters; [`split_text`] of each trailing parameter
//! gives pieces within budget that join back to the text. Every line also
//! goes through an IRC [`Bridge`]: every frame it makes for the hub is
//! valid (it encodes), every line it answers with is one IRC line that
//! parses. The same bytes read by the core's [`LineReader`] (as the
//! drivers read a socket, in reads of a size the input picks) give the
//! same lines and the same overlong ones, in the same order.

use natter_core::irc::bridge::{Bridge, Directory, MAX_AWAY, MAX_REALNAME, MAX_USERNAME, Person};
use natter_core::irc::reader::{LineReader, Read};
use natter_core::irc::{Line, MAX_LINE, MAX_TAGS, Message, next_line, parse, split_text, write};
use natter_core::room::{Census, MAX_JOINED};
use natter_core::wire::{Frame, MAX_FRAME_LEN, VERSION};

/// How reading an input went (for the replay test's coverage checks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Lines that parsed.
    pub messages: usize,
    /// Lines that did not.
    pub refused: usize,
    /// Lines dropped for being too long.
    pub too_long: usize,
}

/// Read all of `data`; panics if the IRC line code breaks a promise.
pub fn check(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    // What the line reader must find: `Some(line)`, or `None` for an
    // overlong line.
    let mut want: Vec<Option<Vec<u8>>> = Vec::new();
    let mut rest = data;
    let mut accounted = 0;
    let mut dropping = false;
    let mut bridge = Bridge::new("fuzz.example");
    let dir = Longest::new();
    // Half the inputs run registered, so commands past registration are
    // reached without spending bytes on NICK and USER.
    if data.first().is_some_and(|b| b & 1 == 1) {
        bridge.handle_frame(
            &Frame::Welcome {
                version: VERSION,
                nick: "ann",
                lobby: "lobby",
                max_text: 512,
            },
            &mut |_: &[u8]| {},
        );
    }
    loop {
        if dropping {
            // The rest of an overlong line, up to its line feed.
            match rest.iter().position(|&b| b == b'\n') {
                Some(lf) => {
                    accounted += lf + 1;
                    rest = &rest[lf + 1..];
                    dropping = false;
                    continue;
                }
                None => break,
            }
        }
        match next_line(rest) {
            Line::Complete(line, used) => {
                assert!(used <= MAX_LINE + MAX_TAGS && used > line.len());
                assert_eq!(&rest[..line.len()], line);
                want.push(Some(line.to_vec()));
                bridged(&mut bridge, &dir, line);
                match parse(line) {
                    Ok(message) => {
                        out.messages += 1;
                        rewrite(&message);
                    }
                    Err(_) => out.refused += 1,
                }
                accounted += used;
                rest = &rest[used..];
            }
            Line::Partial => {
                assert!(!rest.contains(&b'\n') || rest.len() > MAX_LINE);
                break;
            }
            Line::TooLong { skip } => {
                assert!(skip >= MAX_LINE && skip <= rest.len());
                assert!(!rest[..skip].contains(&b'\n'));
                out.too_long += 1;
                want.push(None);
                accounted += skip;
                rest = &rest[skip..];
                dropping = true;
            }
        }
    }
    assert!(accounted + rest.len() == data.len());
    let found = read_by_reader(data);
    // An unfinished tagged line at the very end: `next_line` calls it too
    // long once it passes its own tags' limit, while the reader (as the
    // server always did) waits for its line feed or for the longest line
    // any tags allow before it scans the tags; with more bytes both agree.
    let tail = data.rsplit(|&b| b == b'\n').next().unwrap_or(&[]);
    let unfinished_tagged = tail.first() == Some(&b'@') && want.last() == Some(&None);
    if unfinished_tagged && found.len() + 1 == want.len() {
        assert_eq!(found[..], want[..found.len()]);
    } else {
        assert_eq!(found, want);
    }
    out
}

/// `data` through a [`LineReader`], in reads of 1 to 4,096 bytes (the
/// size from the input's last byte): each line, or `None` for an overlong
/// one.
fn read_by_reader(data: &[u8]) -> Vec<Option<Vec<u8>>> {
    let read = match data.last() {
        Some(&b) if b & 0x80 != 0 => 4096,
        Some(&b) => usize::from(b & 0x7f) + 1,
        None => 1,
    };
    let mut reader: LineReader = LineReader::new();
    let mut found = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let end = data.len().min(at + read);
        let n = reader.push(&data[at..end]);
        assert!(n > 0, "a reader with no room after next() gave None");
        at += n;
        while let Some(got) = reader.next() {
            found.push(match got {
                Read::Line(line) => Some(line.to_vec()),
                Read::TooLong => None,
            });
        }
    }
    found
}

/// Write `message` back and parse it again: the same command and
/// parameters, unless it cannot be one line (then `write` must say so).
fn rewrite(message: &Message<'_>) {
    let mut buf = [0u8; MAX_LINE];
    let params = message.params();
    if let Ok(n) = write(&mut buf, None, message.command, params, false) {
        assert!(n <= MAX_LINE && buf[..n].ends_with(b"\r\n"));
        let again = parse(&buf[..n - 2]).expect("a written line parses");
        assert!(again.command == message.command);
        assert_eq!(again.params(), params);
    }
    if let Some(text) = params.last() {
        for budget in [1, 7, 100] {
            let (mut rest, mut joined) = (*text, String::new());
            while !rest.is_empty() {
                let (head, tail) = split_text(rest, budget);
                assert!(!head.is_empty() && head.len() <= budget.max(4));
                joined.push_str(head);
                rest = tail;
            }
            assert_eq!(joined, *text);
        }
    }
}

/// What the bridge is told of the hub: members and a topic at their
/// longest, so every answer built from them is as long as it gets.
struct Longest {
    topic: String,
}

const LONG_NICK: &str = "abcdefghijklmnopqrstuvwx";

impl Longest {
    fn new() -> Longest {
        // Natter's longest topic, in two-byte letters.
        Longest {
            topic: "\u{e9}".repeat(256),
        }
    }
}

impl Directory for Longest {
    fn each_member(&self, _room: &str, each: &mut dyn FnMut(&str, u8)) {
        // The longest prefixes, so the longest lines.
        for nick in ["ann", LONG_NICK] {
            each(
                nick,
                natter_core::wire::ROLE_OPERATOR | natter_core::wire::ROLE_VOICE,
            );
        }
    }

    fn topic(&self, _room: &str) -> Option<&str> {
        Some(&self.topic)
    }

    fn room_name(&self, _room: &str) -> Option<&str> {
        Some("abcdefghijklmnopqrstuvwx")
    }

    fn person(&self, nick: &str) -> Option<Person<'_>> {
        (nick == LONG_NICK).then_some(Person {
            nick: LONG_NICK,
            user: &self.topic[..MAX_USERNAME],
            realname: &self.topic[..MAX_REALNAME],
            away: Some(&self.topic[..MAX_AWAY]),
            signon: u64::MAX,
            idle: u64::MAX,
            // The longest WHO flags and WHOIS lines.
            teacher: true,
        })
    }

    fn each_person(&self, each: &mut dyn FnMut(&str)) {
        each(LONG_NICK);
    }

    fn each_room_of(&self, _nick: &str, each: &mut dyn FnMut(&str, u8)) {
        for _ in 0..MAX_JOINED {
            each(
                "abcdefghijklmnopqrstuvwx",
                natter_core::wire::ROLE_OPERATOR | natter_core::wire::ROLE_VOICE,
            );
        }
    }

    fn census(&self) -> Census {
        Census {
            welcomed: usize::MAX,
            greeting: usize::MAX,
            rooms: usize::MAX,
            peak_welcomed: usize::MAX,
        }
    }

    fn now_ms(&self) -> u64 {
        u64::MAX
    }
}

/// Give `line` to the bridge: the frames it makes must encode, the lines
/// it sends must be IRC lines.
fn bridged(bridge: &mut Bridge, dir: &Longest, line: &[u8]) {
    bridge.handle_line(
        line,
        dir,
        &mut |frame: &Frame<'_>| {
            let mut buf = [0u8; MAX_FRAME_LEN];
            if let Err(e) = frame.encode(&mut buf) {
                panic!("the bridge made an invalid frame {frame:?}: {e}");
            }
        },
        &mut |out: &[u8]| {
            // IRCv3 tags (the capabilities a client asked for) come on top
            // of the 512 bytes a line may have.
            let line = match out.strip_prefix(b"@") {
                Some(tagged) => {
                    let space = tagged.iter().position(|&b| b == b' ').expect("tags end");
                    &tagged[space + 1..]
                }
                None => out,
            };
            assert!(line.len() <= MAX_LINE && out.ends_with(b"\r\n"), "{out:?}");
            let body = &out[..out.len() - 2];
            assert!(!body.contains(&b'\n') && !body.contains(&b'\r'), "{out:?}");
            parse(body).expect("a bridge line parses");
        },
    );
}

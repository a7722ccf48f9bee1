//! One line per case, as httparse's tests do.

extern crate std;

use std::string::{String, ToString};

use super::*;

/// `parse(line)` gives this prefix, command and these parameters.
macro_rules! parses {
    ($line:expr, $prefix:expr, $command:expr, [$($param:expr),*]) => {{
        let m = parse($line).unwrap_or_else(|e| panic!("{:?}: {e}", $line));
        assert_eq!(m.prefix, $prefix, "{:?}", $line);
        assert_eq!(m.command, $command, "{:?}", $line);
        let want: &[&str] = &[$($param),*];
        assert_eq!(m.params(), want, "{:?}", $line);
    }};
}

/// `parse(line)` fails with this error.
macro_rules! refuses {
    ($line:expr, $err:expr) => {
        assert_eq!(parse($line), Err($err), "{:?}", $line)
    };
}

#[test]
fn parse_table() {
    parses!(b"NICK ann", None, "NICK", ["ann"]);
    parses!(b"nick ann", None, "nick", ["ann"]);
    parses!(
        b"USER ann 0 * :Ann Lee",
        None,
        "USER",
        ["ann", "0", "*", "Ann Lee"]
    );
    parses!(
        b"PRIVMSG #lobby :hi all",
        None,
        "PRIVMSG",
        ["#lobby", "hi all"]
    );
    parses!(b"PRIVMSG #lobby hi", None, "PRIVMSG", ["#lobby", "hi"]);
    parses!(b"PRIVMSG #lobby :", None, "PRIVMSG", ["#lobby", ""]);
    parses!(b"PRIVMSG #lobby ::-)", None, "PRIVMSG", ["#lobby", ":-)"]);
    parses!(
        b"PRIVMSG #lobby :\x01ACTION waves\x01",
        None,
        "PRIVMSG",
        ["#lobby", "\u{1}ACTION waves\u{1}"]
    );
    parses!(
        b":ann!a@host PRIVMSG bob :psst",
        Some("ann!a@host"),
        "PRIVMSG",
        ["bob", "psst"]
    );
    parses!(b"  PING   tok  ", None, "PING", ["tok"]);
    parses!(b"CAP LS 302", None, "CAP", ["LS", "302"]);
    parses!(b"QUIT", None, "QUIT", []);
    parses!(
        b":srv 001 ann :Welcome",
        Some("srv"),
        "001",
        ["ann", "Welcome"]
    );
    parses!(
        "PRIVMSG #café :zoë 日本 👋".as_bytes(),
        None,
        "PRIVMSG",
        ["#café", "zoë 日本 👋"]
    );
    parses!(b"JOIN #a,#b key", None, "JOIN", ["#a,#b", "key"]);
    parses!(
        b"A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 :15 is the last",
        None,
        "A",
        [
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9",
            "10",
            "11",
            "12",
            "13",
            "14",
            "15 is the last"
        ]
    );
    refuses!(b"", ParseError::Empty);
    refuses!(b"    ", ParseError::Empty);
    refuses!(b":prefix-only", ParseError::NoCommand);
    refuses!(b"@a=b", ParseError::NoCommand);
    refuses!(b"PRI\0VMSG #a :x", ParseError::ControlChar);
    refuses!(b"PRIVMSG #a :x\ry", ParseError::ControlChar);
    refuses!(b"PRIVMSG #a :\xff\xfe", ParseError::NotUtf8);
    refuses!(b"PRIV-MSG #a", ParseError::BadCommand);
    refuses!(b"12 x", ParseError::BadCommand);
    refuses!(
        b"A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
        ParseError::TooManyParams
    );
}

#[test]
fn tags_are_handed_over() {
    let m = parse(b"@time=2026-12-03T10:00:00Z;msgid=x :srv PRIVMSG #a :hi").unwrap();
    assert_eq!(m.tags, Some("time=2026-12-03T10:00:00Z;msgid=x"));
    assert_eq!(m.prefix, Some("srv"));
    assert!(m.is("privmsg"));
    assert_eq!(m.param(1), Some("hi"));
    assert_eq!(m.param(2), None);
}

#[test]
fn lines_split_on_lf_or_crlf_within_the_limit() {
    assert_eq!(next_line(b"NICK a\r\nUSER"), Line::Complete(b"NICK a", 8));
    assert_eq!(next_line(b"NICK a\nUSER"), Line::Complete(b"NICK a", 7));
    assert_eq!(next_line(b"\r\n"), Line::Complete(b"", 2));
    assert_eq!(next_line(b"NICK a"), Line::Partial);
    assert_eq!(next_line(b""), Line::Partial);
    // 510 bytes and CR LF fit; 511 and CR LF do not.
    let mut long = [b'x'; 512];
    long[510] = b'\r';
    long[511] = b'\n';
    assert_eq!(next_line(&long), Line::Complete(&long[..510], 512));
    let over = [b'x'; 600];
    assert_eq!(next_line(&over), Line::TooLong { skip: 512 });
    assert_eq!(next_line(&over[..511]), Line::Partial);
    // Tags get room of their own.
    let mut tagged = [b'x'; 700];
    tagged[0] = b'@';
    tagged[200] = b' ';
    tagged[698] = b'\r';
    tagged[699] = b'\n';
    assert!(matches!(next_line(&tagged), Line::Complete(_, 700)));
    // A client's tags are at most 4,094 bytes with `@` and a space around
    // them (IRCv3 message-tags); one more is a line too long.
    let mut tags = std::vec![b'a'; 4096 + 20];
    tags[0] = b'@';
    tags[4095] = b' ';
    tags[4096 + 18] = b'\r';
    tags[4096 + 19] = b'\n';
    assert!(matches!(next_line(&tags), Line::Complete(_, 4116)));
    tags[4095] = b'a';
    tags[4096] = b' ';
    assert_eq!(next_line(&tags), Line::TooLong { skip: MAX_TAGS });
    assert_eq!(next_line(&tags[..4095]), Line::Partial);
}

/// `write(prefix, command, params, trailing)` gives exactly these bytes.
macro_rules! writes {
    ($prefix:expr, $command:expr, [$($param:expr),*], $trailing:expr, $want:expr) => {{
        let mut buf = [0u8; MAX_LINE];
        let n = write(&mut buf, $prefix, $command, &[$($param),*], $trailing).unwrap();
        assert_eq!(&buf[..n], $want);
        // And it parses back to the same message.
        let m = parse(&buf[..n - 2]).unwrap();
        assert_eq!(m.command, $command);
        let want: &[&str] = &[$($param),*];
        assert_eq!(m.params(), want);
    }};
}

#[test]
fn write_table() {
    writes!(None, "PING", ["tok"], false, b"PING tok\r\n");
    writes!(
        Some("srv"),
        "PONG",
        ["srv", "tok"],
        false,
        b":srv PONG srv tok\r\n"
    );
    writes!(
        Some("srv"),
        "001",
        ["ann", "Welcome to natter"],
        false,
        b":srv 001 ann :Welcome to natter\r\n"
    );
    writes!(
        Some("a!a@h"),
        "PRIVMSG",
        ["#lobby", "hi"],
        true,
        b":a!a@h PRIVMSG #lobby :hi\r\n"
    );
    writes!(
        Some("srv"),
        "332",
        ["ann", "#lobby", ""],
        false,
        b":srv 332 ann #lobby :\r\n"
    );
    writes!(
        None,
        "PRIVMSG",
        ["#a", ":-)"],
        false,
        b"PRIVMSG #a ::-)\r\n"
    );
    writes!(None, "QUIT", [], false, b"QUIT\r\n");
}

#[test]
fn write_refuses_what_one_line_cannot_carry() {
    let mut buf = [0u8; MAX_LINE];
    let bad = |params: &[&str]| write(&mut [0u8; MAX_LINE], None, "PRIVMSG", params, false);
    assert_eq!(bad(&["#a", "x\r\nQUIT"]), Err(WriteError::BadParam));
    assert_eq!(bad(&["#a", "nul\0"]), Err(WriteError::BadParam));
    assert_eq!(bad(&["two words", "x"]), Err(WriteError::BadParam));
    assert_eq!(bad(&["", "x"]), Err(WriteError::BadParam));
    assert_eq!(bad(&[":a", "x"]), Err(WriteError::BadParam));
    assert_eq!(
        write(&mut buf, Some("bad prefix"), "PING", &["x"], false),
        Err(WriteError::BadParam)
    );
    let text = "x".repeat(600);
    assert!(matches!(
        write(&mut [0u8; 1024], None, "PRIVMSG", &["#a", &text], false),
        Err(WriteError::TooLong { .. })
    ));
    assert!(matches!(
        write(&mut [0u8; 8], None, "PRIVMSG", &["#a", "hello"], false),
        Err(WriteError::TooLong { .. })
    ));
}

#[test]
fn split_text_table() {
    let cases: &[(&str, usize, &str, &str)] = &[
        ("short", 10, "short", ""),
        ("one two three", 9, "one two ", "three"),
        ("one two three", 13, "one two three", ""),
        ("abcdefghij", 4, "abcd", "efghij"),
        // Not at a space in the first half: that would waste the line.
        ("a bcdefghij", 8, "a bcdefg", "hij"),
        ("zoë", 2, "zo", "ë"),
        ("zoë", 3, "zo", "ë"),
        ("日本語", 4, "日", "本語"),
        ("👋👋", 1, "👋", "👋"),
    ];
    for &(text, budget, head, tail) in cases {
        assert_eq!(
            split_text(text, budget),
            (head, tail),
            "{text:?} in {budget}"
        );
    }
}

#[test]
fn split_text_never_loses_or_cuts() {
    let text = "Grüße aus Köln, ça va? 日本語のテキスト 👋 and some more words to wrap";
    for budget in 1..80 {
        let mut rest = text;
        let mut joined = String::new();
        while !rest.is_empty() {
            let (head, tail) = split_text(rest, budget);
            assert!(!head.is_empty(), "no progress at {budget}");
            assert!(head.len() <= budget.max(4));
            joined.push_str(head);
            rest = tail;
        }
        assert_eq!(joined, text.to_string(), "budget {budget}");
    }
}

//! Nickname and room-name rules, and the case folding that makes `Bob`,
//! `bob` and `BOB` the same person.
//!
//! The rules are chosen so every natter name is also a valid IRC name
//! (RFC 2812 nicknames and `#channel` names), while still allowing accented
//! and non-Latin letters for the classroom.
//!
//! "Letter" is a short, fixed list of Unicode ranges ([`LETTERS`]) rather
//! than Unicode's full `Alphabetic` property, and case folding is IRC's
//! (ASCII plus RFC 1459's `[]\` for `{}|`), not Unicode's: Rust's Unicode
//! tables cost 14 KB of flash, half of what the whole hub should take on a
//! microcontroller, and IRC servers and clients fold names exactly this
//! way, so a bridge and the server always agree on who is who.

/// Longest nickname, in bytes of UTF-8 (a nickname of accented letters is
/// shorter in characters).
pub const MAX_NICK: usize = 24;
/// Longest room name, in bytes of UTF-8, without IRC's leading `#`.
pub const MAX_ROOM: usize = 24;

/// The nickname rules in words, with what to do: the one text every error
/// message about a nickname uses (`ErrorCode::BadNick`, the client, the
/// server's messages). [`nick_problem`] says which rule a name breaks.
pub const NICK_RULES: &str = "nicknames are up to 24 bytes (an accented letter takes 2) of letters, digits, '-' and _ [ ] \\ ` ^ { } |, with no spaces, not starting with a digit or '-'; pick another";

/// The room-name rules in words: the one text every error message about a
/// room name uses. [`room_problem`] says which rule a name breaks.
pub const ROOM_RULES: &str = "room names are 1 to 24 bytes (an accented letter takes 2) of letters, digits, '-' and '_', with no spaces and no '#'";

/// Characters IRC allows in nicknames besides letters and digits.
const IRC_SPECIAL: &[char] = &['_', '[', ']', '\\', '`', '^', '{', '}', '|'];

/// Letters beyond ASCII, as inclusive ranges of code points: the Latin,
/// Greek, Cyrillic, Armenian, Hebrew, Arabic and Thai alphabets, Vietnamese,
/// Japanese kana, CJK ideographs and Hangul. Punctuation, symbols, spaces,
/// combining marks and emoji are not letters.
pub const LETTERS: &[(u32, u32)] = &[
    (0x00C0, 0x00D6), // Latin-1: À..Ö
    (0x00D8, 0x00F6), // Ø..ö
    (0x00F8, 0x024F), // ø..ÿ, Latin Extended-A and -B
    (0x0386, 0x0386), // Greek: Ά
    (0x0388, 0x03FF), // Έ.., the Greek alphabet
    (0x0400, 0x0481), // Cyrillic
    (0x048A, 0x052F),
    (0x0531, 0x0556), // Armenian
    (0x0561, 0x0587),
    (0x05D0, 0x05EA), // Hebrew
    (0x0620, 0x064A), // Arabic
    (0x0E01, 0x0E30), // Thai
    (0x1E00, 0x1EFF), // Latin Extended Additional (Vietnamese)
    (0x3041, 0x3096), // Hiragana
    (0x30A1, 0x30FA), // Katakana
    (0x30FC, 0x30FC), // ー (long vowel mark)
    (0x4E00, 0x9FFF), // CJK unified ideographs
    (0xAC00, 0xD7A3), // Hangul syllables
];

/// Is `c` a letter: ASCII, or in [`LETTERS`]?
fn is_letter(c: char) -> bool {
    let c = u32::from(c);
    (c < 0x80 && (c as u8).is_ascii_alphabetic())
        || LETTERS.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// Is `nick` a valid nickname?
///
/// 1 to [`MAX_NICK`] bytes; letters (ASCII or [`LETTERS`]), ASCII digits,
/// `-` and IRC's specials `` _ [ ] \ ` ^ { } | ``; it must not start with a
/// digit or `-` (IRC reserves those, and `#`, `:` or spaces are never
/// allowed).
///
/// ```
/// use natter_core::wire::is_valid_nick;
/// assert!(is_valid_nick("zoë_2"));
/// assert!(!is_valid_nick("2pac"));
/// assert!(!is_valid_nick("#teacher"));
/// assert!(!is_valid_nick("two words"));
/// ```
pub fn is_valid_nick(nick: &str) -> bool {
    let mut chars = nick.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    nick.len() <= MAX_NICK
        && (is_letter(first) || IRC_SPECIAL.contains(&first))
        && chars.all(|c| is_letter(c) || c.is_ascii_digit() || c == '-' || IRC_SPECIAL.contains(&c))
}

/// Which nickname rule `nick` breaks, in words for a person, or `None`
/// when it is valid (exactly when [`is_valid_nick`] is true).
///
/// ```
/// use natter_core::wire::nick_problem;
/// assert_eq!(nick_problem("ada"), None);
/// assert_eq!(nick_problem("2pac"), Some("it must start with a letter or one of _ [ ] \\ ` ^ { } |, not a digit or '-'"));
/// ```
pub fn nick_problem(nick: &str) -> Option<&'static str> {
    let Some(first) = nick.chars().next() else {
        return Some("it is empty");
    };
    if nick.len() > MAX_NICK {
        return Some("it is longer than 24 bytes (an accented letter takes 2)");
    }
    if !(is_letter(first) || IRC_SPECIAL.contains(&first))
        && (first.is_ascii_digit() || first == '-')
    {
        return Some(
            "it must start with a letter or one of _ [ ] \\ ` ^ { } |, not a digit or '-'",
        );
    }
    let allowed =
        |c: char| is_letter(c) || c.is_ascii_digit() || c == '-' || IRC_SPECIAL.contains(&c);
    if nick.chars().any(|c| c == ' ' || c.is_whitespace()) {
        return Some("it may not contain spaces");
    }
    if !nick.chars().all(allowed) {
        return Some(
            "it may only hold letters, digits, '-' and _ [ ] \\ ` ^ { } | (no # : ! @ , . or emoji)",
        );
    }
    None
}

/// Which room-name rule `room` breaks, in words for a person, or `None`
/// when it is valid (exactly when [`is_valid_room`] is true).
///
/// ```
/// use natter_core::wire::room_problem;
/// assert_eq!(room_problem("class-4b"), None);
/// assert!(room_problem("#lobby").is_some());
/// ```
pub fn room_problem(room: &str) -> Option<&'static str> {
    if room.is_empty() {
        Some("type a room name")
    } else if room.len() > MAX_ROOM {
        Some("it is longer than 24 bytes (an accented letter takes 2)")
    } else if !is_valid_room(room) {
        Some("it may only hold letters, digits, '-' and '_' (no spaces, no '#')")
    } else {
        None
    }
}

/// Is `room` a valid room name?
///
/// 1 to [`MAX_ROOM`] bytes of letters (ASCII or [`LETTERS`]), ASCII
/// digits, `-` and `_`. An IRC client sees it as `#room`.
///
/// ```
/// use natter_core::wire::is_valid_room;
/// assert!(is_valid_room("class-4b"));
/// assert!(!is_valid_room("#lobby"));
/// assert!(!is_valid_room(""));
/// ```
pub fn is_valid_room(room: &str) -> bool {
    !room.is_empty()
        && room.len() <= MAX_ROOM
        && room
            .chars()
            .all(|c| is_letter(c) || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Characters of `name` after IRC's case folding (`strict-rfc1459`): ASCII
/// lower case, and `[`, `]`, `\` as the upper case of `{`, `}`, `|`.
fn folded(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().map(|c| match c {
        '[' => '{',
        ']' => '}',
        '\\' => '|',
        c => c.to_ascii_lowercase(),
    })
}

/// Are `a` and `b` the same name once case is folded?
///
/// ```
/// use natter_core::wire::same_name;
/// assert!(same_name("Zoë", "ZOë"));
/// assert!(same_name("[bot]", "{BOT}"));
/// assert!(!same_name("ann", "anne"));
/// // As on IRC, only ASCII letters have a case.
/// assert!(!same_name("zoë", "ZOË"));
/// ```
pub fn same_name(a: &str, b: &str) -> bool {
    // Folding maps ASCII to ASCII, so it keeps lengths; most names match
    // byte for byte (the hub compares a room's name with itself as each
    // event is sent), and a byte comparison is a memcmp.
    a.len() == b.len() && (a == b || folded(a).eq(folded(b)))
}

/// A 32-bit key of `name` once case is folded (FNV-1a): names that are the
/// same (by [`same_name`]) have the same key, so comparing keys first rules
/// out almost every other name without folding either. The hub keeps each
/// nickname's key, so finding who has a nickname among thousands is a scan
/// of integers.
///
/// ```
/// use natter_core::wire::name_key;
/// assert_eq!(name_key("[Bot]"), name_key("{bot}"));
/// assert_ne!(name_key("ann"), name_key("anne"));
/// ```
pub fn name_key(name: &str) -> u32 {
    let mut key = 0x811c_9dc5_u32;
    let mut utf8 = [0; 4];
    for c in folded(name) {
        for &byte in c.encode_utf8(&mut utf8).as_bytes() {
            key = (key ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;

    /// The hub finds a nickname by its key first: names that are the same
    /// must have the same key.
    #[test]
    fn names_that_are_the_same_have_the_same_key() {
        for (a, b) in [
            ("ann", "ANN"),
            ("[bot]", "{BOT}"),
            ("a\\b", "A|b"),
            ("Zoë", "zoë"),
            ("日本", "日本"),
        ] {
            assert!(same_name(a, b), "{a} {b}");
            assert_eq!(name_key(a), name_key(b), "{a} {b}");
        }
        assert!(!same_name("zoë", "ZOË"));
    }

    /// The words and the code are one rule: the limits and IRC's specials
    /// the texts name are the ones the checks use.
    #[test]
    fn the_rule_texts_name_the_limits_and_characters_the_checks_use() {
        let nick_limit = format!("up to {MAX_NICK} bytes (an accented letter takes 2)");
        let room_limit = format!("1 to {MAX_ROOM} bytes (an accented letter takes 2)");
        assert!(NICK_RULES.contains(&nick_limit), "{NICK_RULES}");
        assert!(ROOM_RULES.contains(&room_limit), "{ROOM_RULES}");
        let long = format!("it is longer than {MAX_NICK} bytes (an accented letter takes 2)");
        assert_eq!(nick_problem(&"a".repeat(MAX_NICK + 1)), Some(long.as_str()));
        let long = format!("it is longer than {MAX_ROOM} bytes (an accented letter takes 2)");
        assert_eq!(room_problem(&"a".repeat(MAX_ROOM + 1)), Some(long.as_str()));
        let specials: std::string::String = IRC_SPECIAL.iter().map(|c| format!("{c} ")).collect();
        assert!(NICK_RULES.contains(specials.trim_end()), "{NICK_RULES}");
        for c in IRC_SPECIAL {
            let bad_first = format!("{c}ok");
            assert!(is_valid_nick(&bad_first), "{bad_first} is refused");
        }
    }

    #[test]
    fn nick_table() {
        let cases: &[(&str, bool)] = &[
            ("bob", true),
            ("Bob_2", true),
            ("zoë", true),
            ("Łukasz", true),
            ("日本", true),
            ("[away]", true),
            ("a-b", true),
            ("_x", true),
            ("", false),
            ("2bob", false),
            ("-bob", false),
            ("#bob", false),
            (":bob", false),
            ("bo b", false),
            ("bob!", false),
            ("bob@host", false),
            ("tab\tbob", false),
            ("bob\u{200B}", false),
            ("zoë\u{0308}", false),
            ("ann☺", false),
            ("Ωmega", true),
            ("Сергей", true),
            ("abcdefghijklmnopqrstuvwx", true),
            ("abcdefghijklmnopqrstuvwxy", false),
        ];
        for (nick, ok) in cases {
            assert_eq!(is_valid_nick(nick), *ok, "{nick:?}");
            // The words for a person agree with the rule.
            assert_eq!(nick_problem(nick).is_none(), *ok, "{nick:?}");
        }
    }

    #[test]
    fn room_table() {
        let cases: &[(&str, bool)] = &[
            ("lobby", true),
            ("4b", true),
            ("maths_2", true),
            ("café", true),
            ("", false),
            ("#lobby", false),
            ("two words", false),
            ("a,b", false),
            ("日本語", true),
            ("non\u{00A0}breaking", false),
        ];
        for (room, ok) in cases {
            assert_eq!(room_problem(room).is_none(), *ok, "{room:?}");
            assert_eq!(is_valid_room(room), *ok, "{room:?}");
        }
    }

    #[test]
    fn folding() {
        assert!(same_name("ÉMILE", "Émile"));
        assert!(!same_name("ÉMILE", "émile"), "IRC folds ASCII only");
        assert!(same_name("a[b]\\", "A{B}|"));
        assert!(!same_name("bob", "bobby"));
        assert!(!same_name("bob", "bab"));
    }
}

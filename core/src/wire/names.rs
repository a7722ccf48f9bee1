//! Nickname and room-name rules, and the case folding that makes `Bob`,
//! `bob` and `BOB` the same person.
//!
//! The rules are chosen so every natter name is also a valid IRC name
//! (RFC 2812 nicknames and `#channel` names), while still allowing accented
//! and non-Latin letters for the classroom.

/// Longest nickname, in bytes of UTF-8 (a nickname of accented letters is
/// shorter in characters).
pub const MAX_NICK: usize = 24;
/// Longest room name, in bytes of UTF-8, without IRC's leading `#`.
pub const MAX_ROOM: usize = 24;

/// Characters IRC allows in nicknames besides letters and digits.
const IRC_SPECIAL: &[char] = &['_', '[', ']', '\\', '`', '^', '{', '}', '|'];

/// Is `nick` a valid nickname?
///
/// 1 to [`MAX_NICK`] bytes; letters (any script), ASCII digits, `-` and
/// IRC's specials `` _ [ ] \ ` ^ { } | ``; it must not start with a digit
/// or `-` (IRC reserves those, and `#`, `:` or spaces are never allowed).
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
        && (first.is_alphabetic() || IRC_SPECIAL.contains(&first))
        && chars.all(|c| {
            c.is_alphabetic() || c.is_ascii_digit() || c == '-' || IRC_SPECIAL.contains(&c)
        })
}

/// Is `room` a valid room name?
///
/// 1 to [`MAX_ROOM`] bytes of letters (any script), ASCII digits, `-` and
/// `_`. An IRC client sees it as `#room`.
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
            .all(|c| c.is_alphabetic() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Characters of `name` after case folding: Unicode lower case, plus IRC's
/// RFC 1459 mapping where `[`, `]` and `\` are the upper case of `{`, `}` and
/// `|`.
fn folded(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().flat_map(char::to_lowercase).map(|c| match c {
        '[' => '{',
        ']' => '}',
        '\\' => '|',
        c => c,
    })
}

/// Are `a` and `b` the same name once case is folded?
///
/// ```
/// use natter_core::wire::same_name;
/// assert!(same_name("Zoë", "ZOË"));
/// assert!(same_name("[bot]", "{BOT}"));
/// assert!(!same_name("ann", "anne"));
/// ```
pub fn same_name(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("abcdefghijklmnopqrstuvwx", true),
            ("abcdefghijklmnopqrstuvwxy", false),
        ];
        for (nick, ok) in cases {
            assert_eq!(is_valid_nick(nick), *ok, "{nick:?}");
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
        ];
        for (room, ok) in cases {
            assert_eq!(is_valid_room(room), *ok, "{room:?}");
        }
    }

    #[test]
    fn folding() {
        assert!(same_name("ÉMILE", "émile"));
        assert!(same_name("a[b]\\", "A{B}|"));
        assert!(!same_name("bob", "bobby"));
        assert!(!same_name("bob", "bab"));
    }
}

//! Which nickname or room-name rule a name breaks, in words a person can
//! act on. natter-core's `is_valid_nick`/`is_valid_room` stay the only
//! authority: the checks here only explain a refusal, character by
//! character, with the same functions.

use natter_core::wire::{MAX_NICK, MAX_ROOM, is_valid_nick, is_valid_room};

/// Why `nick` is not a valid nickname, or `None` when it is.
pub fn nick_problem(nick: &str) -> Option<String> {
    if is_valid_nick(nick) {
        return None;
    }
    Some(if nick.is_empty() {
        "type a nickname".to_owned()
    } else if nick.len() > MAX_NICK {
        format!(
            "it is too long ({} bytes; at most {MAX_NICK}, and accented letters count double)",
            nick.len()
        )
    } else if nick.contains(char::is_whitespace) {
        "it must not contain spaces (use _ or - instead)".to_owned()
    } else if let Some(c) = nick.chars().find(|&c| !nick_char_ok(c)) {
        format!("'{c}' is not allowed; use letters, digits and - _ [ ] \\ ` ^ {{ }} |")
    } else {
        "it must not start with a digit or '-'".to_owned()
    })
}

/// Why `room` is not a valid room name, or `None` when it is.
pub fn room_problem(room: &str) -> Option<String> {
    if is_valid_room(room) {
        return None;
    }
    Some(if room.is_empty() {
        "type a room name".to_owned()
    } else if room.len() > MAX_ROOM {
        format!("it is too long ({} bytes; at most {MAX_ROOM})", room.len())
    } else if let Some(c) = room.chars().find(|&c| !is_valid_room(c.encode_utf8(&mut [0; 4]))) {
        format!("'{c}' is not allowed; use letters, digits, - and _ (no '#')")
    } else {
        "it breaks the room name rules".to_owned()
    })
}

/// May `c` appear in a nickname after its first character? Asked of the
/// core with a letter in front, so the answer is the core's.
pub fn nick_char_ok(c: char) -> bool {
    let mut probe = String::from("a");
    probe.push(c);
    is_valid_nick(&probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_each_rule() {
        assert_eq!(nick_problem("ann"), None);
        assert_eq!(nick_problem("").as_deref(), Some("type a nickname"));
        assert!(nick_problem("a b").unwrap().contains("spaces"));
        assert!(nick_problem("2pac").unwrap().contains("start with a digit"));
        assert!(nick_problem("-x").unwrap().contains("start with a digit"));
        assert!(nick_problem("ann!").unwrap().contains("'!'"));
        assert!(nick_problem(&"a".repeat(25)).unwrap().contains("too long"));
        assert_eq!(room_problem("class-4b"), None);
        assert!(room_problem("#lobby").unwrap().contains("'#'"));
        assert!(room_problem("").is_some());
    }
}

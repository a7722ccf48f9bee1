//! Which room-name rule a name breaks, in words a person can act on (for
//! nicknames natter-core has [`nick_problem`] itself). natter-core's
//! `is_valid_*` functions stay the only authority: the checks here only
//! explain a refusal, character by character, with those functions.

pub use natter_core::wire::nick_problem;
use natter_core::wire::{MAX_ROOM, is_valid_nick, is_valid_room};

/// Why `room` is not a valid room name, or `None` when it is.
pub fn room_problem(room: &str) -> Option<String> {
    if is_valid_room(room) {
        return None;
    }
    Some(if room.is_empty() {
        "type a room name".to_owned()
    } else if room.len() > MAX_ROOM {
        format!("it is too long ({} bytes; at most {MAX_ROOM})", room.len())
    } else if let Some(c) = room
        .chars()
        .find(|&c| !is_valid_room(c.encode_utf8(&mut [0; 4])))
    {
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
    fn explains_room_rules() {
        assert!(nick_char_ok('_') && nick_char_ok('7') && !nick_char_ok(' '));
        assert_eq!(room_problem("class-4b"), None);
        assert!(room_problem("#lobby").unwrap().contains("'#'"));
        assert!(room_problem("").is_some());
    }
}

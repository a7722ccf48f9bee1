//! Name rules for the window. natter-core is the one source of the rules
//! and of the words that explain them ([`nick_problem`],
//! [`room_problem`]); this only adds a per-character question the
//! settings and the mention finder need.

use natter_core::wire::is_valid_nick;
pub use natter_core::wire::{nick_problem, room_problem};

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
        assert!(nick_problem("2pac").is_some());
        assert!(room_problem("").is_some());
    }
}

//! What the window knows of a room's roles and controls (issue 17), as
//! plain data: each member's roles, the room's modes, and what follows
//! for you: whether you may speak and why not, what the banner says,
//! which of the member menu's actions you may take, and the system line
//! each change shows ("ms-lee muted bob"). The server decides everything;
//! this only mirrors what it said, so the window never offers what the
//! server would refuse and never hides why.

use natter_core::room::controls::identity_matches;
use natter_core::wire::{ROLE_MUTED, ROLE_OPERATOR, ROLE_TEACHER, ROLE_VOICE, same_name};

/// One person in a room's member list, with their roles there
/// (`ROLE_*` bits) and whether they have raised a hand (seen by operators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub nick: String,
    pub roles: u8,
    pub hand: bool,
}

impl Member {
    pub fn new(nick: &str, roles: u8) -> Member {
        Member {
            nick: nick.to_owned(),
            roles,
            hand: false,
        }
    }

    /// How the member list shows this member.
    pub fn label(&self) -> String {
        member_label(&self.nick, self.roles, self.hand)
    }
}

/// The controls on a room, as its members were told (`RoomModes`, then
/// each `Mode` event).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomControls {
    /// The on/off modes' letters: `i`, `m`, `t`, `N`, `P`.
    pub modes: String,
    /// Most members, 0 for none.
    pub limit: u16,
    /// Seconds between a student's messages, 0 for none.
    pub slow: u16,
    /// The room key, empty for none.
    pub key: String,
    /// Mute masks (without their `m:`), for the muted marks.
    pub mutes: Vec<String>,
}

impl RoomControls {
    pub fn has(&self, mode: char) -> bool {
        self.modes.contains(mode)
    }

    fn set(&mut self, mode: char, on: bool) {
        if on && !self.has(mode) {
            self.modes.push(mode);
        } else if !on {
            self.modes.retain(|c| c != mode);
        }
    }

    /// Is `nick` muted here, by what the room was told?
    pub fn mutes(&self, nick: &str) -> bool {
        self.mutes.iter().any(|m| identity_matches(m, nick, ""))
    }
}

/// What an operator may do to a member from the member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    GiveWord,
    TakeWord,
    Mute,
    MuteEverywhere,
    Unmute,
    Kick,
    Ban,
    MakeOperator,
    TakeOperator,
    RemoveLast,
}

impl Action {
    /// Every action, in the menu's order.
    pub const ALL: [Action; 10] = [
        Action::GiveWord,
        Action::TakeWord,
        Action::Mute,
        Action::MuteEverywhere,
        Action::Unmute,
        Action::Kick,
        Action::Ban,
        Action::MakeOperator,
        Action::TakeOperator,
        Action::RemoveLast,
    ];

    /// The menu item's words.
    pub fn label(self) -> &'static str {
        match self {
            Action::GiveWord => "Give the word",
            Action::TakeWord => "Take the word away",
            Action::Mute => "Mute",
            Action::MuteEverywhere => "Mute in all my rooms",
            Action::Unmute => "Unmute",
            Action::Kick => "Put out of the room…",
            Action::Ban => "Ban from the room",
            Action::MakeOperator => "Make co-teacher (operator)",
            Action::TakeOperator => "Take operator away",
            Action::RemoveLast => "Remove their last message",
        }
    }
}

/// What the member list's marks mean (its tooltip).
pub const MEMBER_MARKS: &str = "@ runs the room · + has the word · 🎓 the teacher · 🔇 muted · ✋ hand up. \
Right-click someone (or press the Menu key) for what you can do.";

/// The room bar's words for why you may not speak: short, the bar is
/// one line; `why_silent` says it in full.
pub fn silent_note(room: &str, controls: &RoomControls, roles: u8) -> Option<String> {
    if roles & ROLE_OPERATOR != 0 {
        return None;
    }
    if roles & ROLE_MUTED != 0 {
        return Some(format!("The teacher muted you in #{room}"));
    }
    if controls.has('m') && roles & ROLE_VOICE == 0 {
        return Some(format!("Only the teacher speaks in #{room}"));
    }
    None
}

/// How the member list shows someone: `@` operators, `+` voiced members,
/// then the marks a person reads: teacher, muted, a raised hand.
pub fn member_label(nick: &str, roles: u8, hand: bool) -> String {
    let prefix = if roles & ROLE_OPERATOR != 0 {
        "@"
    } else if roles & ROLE_VOICE != 0 {
        "+"
    } else {
        ""
    };
    // Short marks: the member list is narrow (its tooltip says what
    // each means: MEMBER_MARKS).
    let mut label = format!("{prefix}{nick}");
    if roles & ROLE_TEACHER != 0 {
        label.push_str(" 🎓");
    }
    if roles & ROLE_MUTED != 0 {
        label.push_str(" 🔇");
    }
    if hand {
        label.push_str(" ✋");
    }
    label
}

/// May someone with `mine` roles take `action` on someone with `theirs`?
/// Only operators (and the teacher) act; nobody acts on the teacher; each
/// action only where it changes something.
pub fn may(mine: u8, action: Action, theirs: u8) -> bool {
    if mine & ROLE_OPERATOR == 0 || theirs & ROLE_TEACHER != 0 {
        return false;
    }
    let (op, voice, muted) = (
        theirs & ROLE_OPERATOR != 0,
        theirs & ROLE_VOICE != 0,
        theirs & ROLE_MUTED != 0,
    );
    match action {
        Action::GiveWord => !voice,
        Action::TakeWord => voice,
        Action::Mute => !muted && !op,
        Action::MuteEverywhere => !op,
        Action::Unmute => muted,
        Action::Kick | Action::Ban | Action::RemoveLast => true,
        Action::MakeOperator => !op,
        Action::TakeOperator => op,
    }
}

/// Why you may not speak in a room now, in words, or `None` if you may.
/// `roles` are yours there.
pub fn why_silent(room: &str, controls: &RoomControls, roles: u8) -> Option<String> {
    if roles & ROLE_OPERATOR != 0 {
        return None;
    }
    if roles & ROLE_MUTED != 0 {
        return Some(format!(
            "The teacher muted you in #{room}: your messages do not reach anyone."
        ));
    }
    if controls.has('m') && roles & ROLE_VOICE == 0 {
        return Some(format!(
            "Only the teacher speaks in #{room} now. Raise your hand to ask for the word."
        ));
    }
    None
}

/// The line under the topic that says how the room is run, or `None`
/// when nothing is on. `roles` are yours there.
pub fn banner(room: &str, controls: &RoomControls, roles: u8) -> Option<String> {
    let mut parts = Vec::new();
    if controls.has('m') {
        let you = if roles & ROLE_OPERATOR != 0 {
            ""
        } else if roles & ROLE_VOICE != 0 {
            " (you have the word)"
        } else {
            ""
        };
        parts.push(format!("Only the teacher speaks in #{room}{you}"));
    }
    if controls.slow > 0 {
        parts.push(format!("slow mode: a message every {} s", controls.slow));
    }
    if controls.has('P') {
        parts.push("no private messages between students".to_owned());
    }
    if controls.has('N') {
        parts.push("nicknames locked".to_owned());
    }
    if controls.has('i') {
        parts.push("closed to newcomers".to_owned());
    }
    if parts.is_empty() {
        return None;
    }
    let mut text = parts.join(" · ");
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    Some(text)
}

/// The nickname a mask names outright (`bob!*@*` is bob), if it does.
fn nick_of(mask: &str) -> Option<&str> {
    mask.strip_suffix("!*@*")
        .filter(|n| !n.contains(['*', '?']))
}

/// A member list and the controls of one room, changed by one `Mode`
/// event: `by` set (`add`) or took away `mode` with `arg`. Returns the
/// system line to show.
pub fn apply_mode(
    members: &mut [Member],
    controls: &mut RoomControls,
    by: &str,
    add: bool,
    mode: char,
    arg: &str,
) -> String {
    let set_role = |members: &mut [Member], bit: u8| {
        for m in members.iter_mut().filter(|m| same_name(&m.nick, arg)) {
            if add {
                m.roles |= bit;
            } else {
                m.roles &= !bit;
            }
            // Given the word, the hand is down.
            if add && bit & (ROLE_VOICE | ROLE_OPERATOR) != 0 {
                m.hand = false;
            }
        }
    };
    match (mode, add) {
        ('T', _) => {
            set_role(members, ROLE_TEACHER | ROLE_OPERATOR);
            format!("{arg} is the teacher")
        }
        ('o', true) => {
            set_role(members, ROLE_OPERATOR);
            format!("{by} made {arg} a co-teacher (operator)")
        }
        ('o', false) => {
            set_role(members, ROLE_OPERATOR);
            format!("{by} took operator away from {arg}")
        }
        ('v', true) => {
            set_role(members, ROLE_VOICE);
            format!("{by} gave {arg} the word")
        }
        ('v', false) => {
            set_role(members, ROLE_VOICE);
            format!("{by} took the word away from {arg}")
        }
        ('b', _) => {
            let (mute, mask) = match arg.strip_prefix("m:") {
                Some(mask) => (true, mask),
                None => (false, arg),
            };
            let who = nick_of(mask).unwrap_or(mask).to_owned();
            if mute {
                if add {
                    controls.mutes.push(mask.to_owned());
                } else {
                    controls.mutes.retain(|m| !m.eq_ignore_ascii_case(mask));
                }
                for m in members.iter_mut() {
                    if controls.mutes(&m.nick) && m.roles & ROLE_OPERATOR == 0 {
                        m.roles |= ROLE_MUTED;
                    } else {
                        m.roles &= !ROLE_MUTED;
                    }
                }
                match add {
                    true => format!("{by} muted {who}"),
                    false => format!("{by} unmuted {who}"),
                }
            } else {
                match add {
                    true => format!("{by} banned {who} from the room"),
                    false => format!("{by} lifted the ban on {who}"),
                }
            }
        }
        ('k', true) => {
            arg.clone_into(&mut controls.key);
            format!("{by} set a key for the room")
        }
        ('k', false) => {
            controls.key.clear();
            format!("{by} removed the room's key")
        }
        ('l', true) => {
            controls.limit = arg.parse().unwrap_or(0);
            format!("{by} limited the room to {arg} people")
        }
        ('l', false) => {
            controls.limit = 0;
            format!("{by} removed the room's limit")
        }
        ('S', true) => {
            controls.slow = arg.parse().unwrap_or(0);
            format!("{by} turned slow mode on: one message every {arg} seconds")
        }
        ('S', false) => {
            controls.slow = 0;
            format!("{by} turned slow mode off")
        }
        (letter, on) => {
            controls.set(letter, on);
            match (letter, on) {
                ('m', true) => {
                    format!("{by} made the room moderated: only those given the word speak")
                }
                ('m', false) => format!("{by} let everyone speak again"),
                ('t', true) => format!("{by} locked the topic"),
                ('t', false) => format!("{by} unlocked the topic"),
                ('i', true) => format!("{by} closed the room to newcomers"),
                ('i', false) => format!("{by} opened the room to newcomers"),
                ('N', true) => format!("{by} locked nicknames"),
                ('N', false) => format!("{by} unlocked nicknames"),
                ('P', true) => format!("{by} turned private messages between students off"),
                ('P', false) => format!("{by} turned private messages between students on"),
                (other, true) => format!("{by} set mode {other}"),
                (other, false) => format!("{by} unset mode {other}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class() -> (Vec<Member>, RoomControls) {
        let members = ["ms-lee", "bob", "cat"]
            .iter()
            .map(|n| Member::new(n, 0))
            .collect();
        (members, RoomControls::default())
    }

    fn roles(members: &[Member], nick: &str) -> u8 {
        members
            .iter()
            .find(|m| m.nick == nick)
            .map_or(0, |m| m.roles)
    }

    #[test]
    fn events_change_roles_and_say_so() {
        let (mut m, mut c) = class();
        let cases = [
            ("ms-lee", true, 'T', "ms-lee", "ms-lee is the teacher"),
            (
                "ms-lee",
                true,
                'm',
                "",
                "ms-lee made the room moderated: only those given the word speak",
            ),
            ("ms-lee", true, 'v', "bob", "ms-lee gave bob the word"),
            ("ms-lee", true, 'b', "m:cat!*@*", "ms-lee muted cat"),
            (
                "ms-lee",
                true,
                'S',
                "5",
                "ms-lee turned slow mode on: one message every 5 seconds",
            ),
            (
                "ms-lee",
                true,
                'o',
                "bob",
                "ms-lee made bob a co-teacher (operator)",
            ),
            (
                "ms-lee",
                true,
                'b',
                "dan!*@*",
                "ms-lee banned dan from the room",
            ),
        ];
        for (by, add, mode, arg, want) in cases {
            assert_eq!(apply_mode(&mut m, &mut c, by, add, mode, arg), want);
        }
        assert_eq!(roles(&m, "ms-lee"), ROLE_TEACHER | ROLE_OPERATOR);
        assert_eq!(roles(&m, "bob"), ROLE_OPERATOR | ROLE_VOICE);
        assert_eq!(roles(&m, "cat"), ROLE_MUTED);
        assert!(c.has('m'));
        assert_eq!(c.slow, 5);
        apply_mode(&mut m, &mut c, "ms-lee", false, 'b', "m:cat!*@*");
        assert_eq!(roles(&m, "cat"), 0);
        apply_mode(&mut m, &mut c, "ms-lee", false, 'm', "");
        assert!(!c.has('m'));
    }

    #[test]
    fn students_learn_why_they_cannot_speak() {
        let mut c = RoomControls::default();
        assert_eq!(why_silent("maths", &c, 0), None);
        c.set('m', true);
        let why = why_silent("maths", &c, 0).unwrap_or_default();
        assert!(why.contains("Raise your hand"), "{why}");
        assert_eq!(why_silent("maths", &c, ROLE_VOICE), None);
        assert_eq!(why_silent("maths", &c, ROLE_OPERATOR), None);
        let why = why_silent("maths", &c, ROLE_VOICE | ROLE_MUTED).unwrap_or_default();
        assert!(why.contains("muted you"), "{why}");
        assert_eq!(
            banner("maths", &c, 0).as_deref(),
            Some("Only the teacher speaks in #maths")
        );
        c.slow = 10;
        c.set('P', true);
        assert_eq!(
            banner("maths", &c, ROLE_VOICE).as_deref(),
            Some(
                "Only the teacher speaks in #maths (you have the word) · slow mode: a message every 10 s · no private messages between students"
            )
        );
    }

    #[test]
    fn the_menu_offers_only_what_you_may_do() {
        let op = ROLE_OPERATOR;
        let teacher = ROLE_TEACHER | ROLE_OPERATOR;
        for action in Action::ALL {
            assert!(!may(0, action, 0), "a student may not {action:?}");
            assert!(
                !may(teacher, action, teacher),
                "nobody may {action:?} the teacher"
            );
        }
        assert!(may(op, Action::GiveWord, 0));
        assert!(!may(op, Action::GiveWord, ROLE_VOICE));
        assert!(may(op, Action::TakeWord, ROLE_VOICE));
        assert!(may(op, Action::Mute, 0));
        assert!(!may(op, Action::Mute, ROLE_MUTED));
        assert!(may(op, Action::Unmute, ROLE_MUTED));
        assert!(may(teacher, Action::MakeOperator, 0));
        assert!(may(teacher, Action::TakeOperator, op));
    }

    #[test]
    fn labels_show_every_mark() {
        assert_eq!(
            member_label("ms-lee", ROLE_TEACHER | ROLE_OPERATOR, false),
            "@ms-lee 🎓"
        );
        assert_eq!(member_label("bob", ROLE_VOICE, false), "+bob");
        assert_eq!(member_label("cat", ROLE_MUTED, true), "cat 🔇 ✋");
    }
}

//! Roles and room controls: who may do what in a room, and the modes that
//! say so (issue 17, `docs/PROTOCOL.md` §4.6).
//!
//! Every face (natter's protocol, the IRC bridge, a browser) reaches these
//! through the same frames (`Teach`, `Mode`, `Kick`, `Invite`), so the rules
//! are enforced once, here, and never by a client. A nickname gives nothing:
//! the teacher is whoever proved the teacher password on this connection.
//!
//! * Roles: the teacher (server-wide, operator in every room), a room's
//!   operators (whoever created it, and whoever an operator makes one) and
//!   its voiced members, kept in each member's cursor (its place in the room).
//! * A room's `Controls`: its on/off modes ([`ROOM_MODES`]), key, member
//!   limit, slow mode, invitations, and one list of masks for bans and
//!   `m:` mutes (IRC's model, as ergo's mute extban).
//! * Wrong passwords (the server's, the teacher's, a room key) cost the
//!   guesser: each connection waits longer after each wrong one, and an
//!   address that has guessed wrong too often is refused for a while
//!   (`Guessers`).

use heapless::{String, Vec};

use crate::time::{Duration, Instant};
use crate::wire::MAX_NICK;

/// On/off room modes: bits of a room's `Controls::modes`.
pub mod bits {
    /// `i`: only invited members join.
    pub const INVITE_ONLY: u8 = 0x01;
    /// `m`: only operators and voiced members speak.
    pub const MODERATED: u8 = 0x02;
    /// `t`: only operators set the topic.
    pub const TOPIC_LOCK: u8 = 0x04;
    /// `N`: members cannot change nickname (no impersonation).
    pub const NICK_LOCK: u8 = 0x08;
    /// `P`: no private messages between students.
    pub const NO_PRIVATE: u8 = 0x10;
}

/// The on/off modes, by letter, with what each means: the one table the
/// hub, the IRC bridge's `CHANMODES` and the docs read.
pub const ROOM_MODES: &[(u8, u8, &str)] = &[
    (b'i', bits::INVITE_ONLY, "only invited members join"),
    (
        b'm',
        bits::MODERATED,
        "only operators and voiced members speak",
    ),
    (b't', bits::TOPIC_LOCK, "only operators set the topic"),
    (
        b'N',
        bits::NICK_LOCK,
        "nobody but operators changes nickname",
    ),
    (
        b'P',
        bits::NO_PRIVATE,
        "no private messages between students",
    ),
];

/// The mode letter of the teacher's role in `ModeChanged` events (natter's
/// own; IRC shows it as `+o`).
pub const MODE_TEACHER: u8 = b'T';

/// Longest room key.
pub const MAX_KEY: usize = 23;
/// Longest ban or mute mask (with its `m:`).
pub const MAX_MASK: usize = 64;
/// Most masks (bans and mutes together) in one room: IRC's `MAXLIST`.
pub const MAX_MASKS: usize = 8;
/// Most pending invitations in one room; the oldest goes first.
const MAX_INVITED: usize = 4;
/// Longest peer address the hub keeps: an IPv6 address in text (39
/// bytes at most without a zone).
pub const MAX_ADDRESS: usize = 40;
/// Longest slow mode, in seconds.
pub const MAX_SLOW: u16 = 3600;

/// A room's controls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Controls {
    /// On/off modes: [`bits`].
    pub modes: u8,
    /// Most members; 0 for the room's capacity.
    pub limit: u16,
    /// Seconds a member (not an operator) waits between messages; 0 for none.
    pub slow: u16,
    /// Key a joiner must give; empty for none.
    pub key: String<MAX_KEY>,
    /// Bans and mutes, as normalised masks (`nick!user@host`; mutes start
    /// with `m:`).
    pub masks: Vec<String<MAX_MASK>, MAX_MASKS>,
    /// Nickname keys of members invited past `i`, until they join.
    pub invited: Vec<u32, MAX_INVITED>,
}

impl Controls {
    /// Is any control on (a mode, key, limit, slow mode, ban or mute)?
    pub fn any(&self) -> bool {
        self.modes != 0
            || self.limit != 0
            || self.slow != 0
            || !self.key.is_empty()
            || !self.masks.is_empty()
    }

    pub fn has(&self, bit: u8) -> bool {
        self.modes & bit != 0
    }

    /// The on/off modes' letters, in table order (what `RoomState` and
    /// IRC's `324` show).
    pub fn letters(&self) -> String<8> {
        let mut s = String::new();
        for &(letter, bit, _) in ROOM_MODES {
            if self.has(bit) {
                let _ = s.push(char::from(letter));
            }
        }
        s
    }

    /// Is someone called `nick` at `address` banned (`mute: false`) or
    /// muted (`mute: true`) here?
    pub fn listed(&self, mute: bool, nick: &str, address: &str) -> bool {
        self.masks.iter().any(|m| match m.strip_prefix("m:") {
            Some(mask) => mute && identity_matches(mask, nick, address),
            None => !mute && identity_matches(m, nick, address),
        })
    }

    /// Add a normalised mask: `Ok(false)` when it was there already.
    pub fn add_mask(&mut self, mask: &str) -> Result<bool, ()> {
        if self.masks.iter().any(|m| eq_folded(m, mask)) {
            return Ok(false);
        }
        let mut s = String::new();
        s.push_str(mask).map_err(|_| ())?;
        self.masks.push(s).map_err(|_| ())?;
        Ok(true)
    }

    /// Remove a mask: `false` when it was not there.
    pub fn remove_mask(&mut self, mask: &str) -> bool {
        let before = self.masks.len();
        self.masks.retain(|m| !eq_folded(m, mask));
        self.masks.len() != before
    }

    pub fn invite(&mut self, nick_key: u32) {
        if self.invited.contains(&nick_key) {
            return;
        }
        if self.invited.is_full() {
            self.invited.remove(0);
        }
        let _ = self.invited.push(nick_key);
    }
}

/// A ban or mute mask in the form the room keeps, from what an operator
/// typed: `bob` is `bob!*@*`, `bob!x` is `bob!x@*`, `@host` is `*!*@host`,
/// and `m:` before any of them makes it a mute. `None` for a mask that is
/// empty, has spaces or commas, or is too long.
pub fn normalise_mask(arg: &str) -> Option<String<MAX_MASK>> {
    let (mute, mask) = match arg.strip_prefix("m:") {
        Some(rest) => (true, rest),
        None => (false, arg),
    };
    if mask.is_empty() || mask.bytes().any(|b| b == b' ' || b == b',') {
        return None;
    }
    let mut s = String::<MAX_MASK>::new();
    if mute {
        s.push_str("m:").ok()?;
    }
    let (who, host) = match mask.split_once('@') {
        Some((who, host)) => (who, host),
        None => (mask, "*"),
    };
    let (nick, user) = match who.split_once('!') {
        Some((nick, user)) => (nick, user),
        None => (who, "*"),
    };
    fn or_any(s: &str) -> &str {
        if s.is_empty() { "*" } else { s }
    }
    for part in [or_any(nick), "!", or_any(user), "@", or_any(host)] {
        s.push_str(part).ok()?;
    }
    Some(s)
}

/// Does `mask` (`nick!user@host`, with `*` and `?`) match someone called
/// `nick` at `address`? natter has no user names, so a member is
/// `nick!nick@natter` (as IRC clients see them) and also
/// `nick!nick@address`: a mask matching either matches them.
pub fn identity_matches(mask: &str, nick: &str, address: &str) -> bool {
    let mut buf = [0u8; 2 * MAX_NICK + 2 + MAX_ADDRESS];
    [b"natter".as_slice(), address.as_bytes()]
        .iter()
        .filter(|host| !host.is_empty())
        .any(|host| {
            let mut len = 0;
            for part in [nick.as_bytes(), b"!", nick.as_bytes(), b"@", host] {
                let end = (len + part.len()).min(buf.len());
                buf[len..end].copy_from_slice(&part[..end - len]);
                len = end;
            }
            glob(mask.as_bytes(), &buf[..len])
        })
}

/// IRC's case folding of one byte (ASCII, with `[]\` as `{}|`).
fn fold(b: u8) -> u8 {
    match b {
        b'[' => b'{',
        b']' => b'}',
        b'\\' => b'|',
        b => b.to_ascii_lowercase(),
    }
}

fn eq_folded(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
}

/// Wildcard match, case folded: `*` is any run of bytes, `?` any one.
/// Greedy with one backtrack point, so time is bounded by the lengths'
/// product (masks and identities are under 130 bytes).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || fold(c) == fold(text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// How wrong passwords cost a connection: it waits `GUESS_DELAY` after its
/// first, twice as long after each next (up to `MAX_GUESS_DELAY`) before
/// its next frame is read.
pub(crate) const GUESS_DELAY: Duration = Duration::from_millis(250);
const MAX_GUESS_DELAY: Duration = Duration::from_secs(8);

/// How long a connection waits before its next frame is read, after its
/// `wrong`-th wrong password.
pub(crate) fn guess_delay(wrong: u8) -> Duration {
    let doublings = u32::from(wrong.saturating_sub(1)).min(5);
    Duration::from_millis((GUESS_DELAY.millis() << doublings).min(MAX_GUESS_DELAY.millis()))
}

/// Wrong passwords an address may make at once: far more than a class
/// behind one NAT address mistyping once each.
pub(crate) const GUESS_BURST: u32 = 60;
/// And one more every this many milliseconds after that.
pub(crate) const GUESS_EVERY_MS: u64 = 5_000;
/// Addresses whose wrong guesses are counted; the fullest allowance is
/// forgotten first.
const GUESSERS: usize = 16;

/// Wrong-password allowances by address: a token bucket each (60 at once,
/// then one per 5 s). An address with none left is refused without its
/// password being checked until one has come back.
#[derive(Debug, Default)]
pub(crate) struct Guessers {
    by_address: Vec<Guesser, GUESSERS>,
}

#[derive(Debug, Clone, Copy)]
struct Guesser {
    key: u32,
    /// Allowance left, in milliseconds: a guess costs `GUESS_EVERY_MS`,
    /// and each millisecond adds one back (so no rounding loses any).
    credit: u64,
    updated: Instant,
}

/// A full allowance, in milliseconds.
const FULL_CREDIT: u64 = GUESS_BURST as u64 * GUESS_EVERY_MS;

impl Guesser {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_since(self.updated).millis();
        self.credit = self.credit.saturating_add(elapsed).min(FULL_CREDIT);
        self.updated = self.updated.max(now);
    }
}

impl Guessers {
    /// May `address` (its key) try a password now?
    pub fn may_guess(&mut self, now: Instant, key: u32) -> bool {
        match self.by_address.iter_mut().find(|g| g.key == key) {
            Some(g) => {
                g.refill(now);
                g.credit >= GUESS_EVERY_MS
            }
            None => true,
        }
    }

    /// `address` guessed wrong.
    pub fn wrong(&mut self, now: Instant, key: u32) {
        if !self.by_address.iter().any(|g| g.key == key) {
            let fresh = Guesser {
                key,
                credit: FULL_CREDIT,
                updated: now,
            };
            if self.by_address.push(fresh).is_err() {
                // Forget the address with the most allowance left: the one
                // least like a guesser.
                for g in self.by_address.iter_mut() {
                    g.refill(now);
                }
                if let Some(i) =
                    (0..self.by_address.len()).max_by_key(|&i| self.by_address[i].credit)
                {
                    self.by_address[i] = fresh;
                }
            }
        }
        if let Some(g) = self.by_address.iter_mut().find(|g| g.key == key) {
            g.refill(now);
            g.credit = g.credit.saturating_sub(GUESS_EVERY_MS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_normalised_as_irc_servers_do() {
        let cases = [
            ("bob", Some("bob!*@*")),
            ("bob!x", Some("bob!x@*")),
            ("@10.0.0.7", Some("*!*@10.0.0.7")),
            ("*!*@10.0.0.7", Some("*!*@10.0.0.7")),
            ("m:bob", Some("m:bob!*@*")),
            ("m:*!*@natter", Some("m:*!*@natter")),
            ("", None),
            ("m:", None),
            ("a b", None),
            ("a,b", None),
        ];
        for (arg, want) in cases {
            assert_eq!(normalise_mask(arg).as_deref(), want, "{arg}");
        }
    }

    #[test]
    fn masks_match_nick_and_address_case_folded() {
        let cases = [
            ("bob!*@*", "bob", "10.0.0.7", true),
            ("BOB!*@*", "bob", "", true),
            ("b?b!*@*", "bab", "", true),
            ("bob!*@*", "bobby", "", false),
            ("*!*@10.0.0.7", "ann", "10.0.0.7", true),
            ("*!*@10.0.0.7", "ann", "10.0.0.8", false),
            ("*!*@natter", "ann", "10.0.0.8", true),
            ("*!*@10.0.0.*", "ann", "10.0.0.8", true),
            ("a[b]!*@*", "A{B}", "", true),
            ("*", "anyone", "", true),
            ("*x*y*z", "axxyyz", "", false),
            ("*x*y*z*", "nick-xayz", "", true),
        ];
        for (mask, nick, address, want) in cases {
            assert_eq!(
                identity_matches(mask, nick, address),
                want,
                "{mask} {nick} {address}"
            );
        }
    }

    #[test]
    fn controls_keep_masks_once_and_tell_bans_from_mutes() {
        let mut c = Controls::default();
        assert_eq!(c.add_mask("bob!*@*"), Ok(true));
        assert_eq!(c.add_mask("BOB!*@*"), Ok(false), "the same mask, folded");
        assert_eq!(c.add_mask("m:cat!*@*"), Ok(true));
        assert!(c.listed(false, "bob", ""));
        assert!(!c.listed(true, "bob", ""));
        assert!(c.listed(true, "cat", ""));
        assert!(!c.listed(false, "cat", ""));
        for i in 0..MAX_MASKS - 2 {
            let mask = normalise_mask(&format_nick(i)).unwrap();
            assert_eq!(c.add_mask(&mask), Ok(true));
        }
        assert_eq!(c.add_mask("z!*@*"), Err(()), "full");
        assert!(c.remove_mask("bob!*@*"));
        assert!(!c.remove_mask("bob!*@*"));
        assert!(!c.listed(false, "bob", ""));
    }

    fn format_nick(i: usize) -> String<8> {
        let mut s = String::new();
        let _ = s.push_str("n");
        let _ = s.push(char::from(b'a' + i as u8));
        s
    }

    #[test]
    fn a_guesser_waits_longer_each_time_and_an_address_runs_out() {
        let delays: [u64; 7] = core::array::from_fn(|i| guess_delay(i as u8 + 1).millis());
        assert_eq!(delays, [250, 500, 1000, 2000, 4000, 8000, 8000]);

        let mut g = Guessers::default();
        let now = Instant(1_000);
        for _ in 0..GUESS_BURST {
            assert!(g.may_guess(now, 7));
            g.wrong(now, 7);
        }
        assert!(!g.may_guess(now, 7), "the allowance is spent");
        assert!(g.may_guess(now, 8), "another address is not touched");
        assert!(!g.may_guess(now + Duration::from_millis(GUESS_EVERY_MS - 1), 7));
        assert!(g.may_guess(now + Duration::from_millis(GUESS_EVERY_MS), 7));
    }

    #[test]
    fn a_class_behind_one_address_mistyping_once_each_is_not_locked_out() {
        let mut g = Guessers::default();
        for student in 0..30u64 {
            let now = Instant(student * 200);
            assert!(g.may_guess(now, 1));
            g.wrong(now, 1);
        }
        assert!(g.may_guess(Instant(6_000), 1));
    }

    #[test]
    fn a_full_table_forgets_the_least_suspicious_address() {
        let mut g = Guessers::default();
        let now = Instant(0);
        for _ in 0..GUESS_BURST {
            g.wrong(now, 0);
        }
        for key in 1..=GUESSERS as u32 {
            g.wrong(now, key);
        }
        assert!(!g.may_guess(now, 0), "the guesser is still remembered");
    }
}

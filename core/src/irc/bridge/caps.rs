//! IRCv3 capabilities and `005 RPL_ISUPPORT`: what this server offers,
//! each in one table that `CAP LS`, the welcome and docs/IRC.md all
//! follow (core/tests/irc_doc.rs holds the document to them).
//!
//! A capability is listed only once it works; docs/IRC.md says why the
//! others are not offered.

use core::fmt;

/// The capabilities a client has turned on, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps(u8);

/// One capability.
pub struct Capability {
    /// Its name in `CAP` (IRCv3 spelling).
    pub name: &'static str,
    /// What it does here, in docs/IRC.md's words.
    pub what: &'static str,
    bit: Caps,
}

impl Caps {
    /// No capabilities: a client that never sent `CAP REQ`.
    pub const NONE: Caps = Caps(0);
    /// `batch`: replayed history comes in a `chathistory` batch.
    pub const BATCH: Caps = Caps(1 << 0);
    /// `echo-message`: a client's own messages come back once the hub
    /// has taken them.
    pub const ECHO_MESSAGE: Caps = Caps(1 << 1);
    /// `message-tags`: `msgid` on room messages; client tags accepted.
    pub const MESSAGE_TAGS: Caps = Caps(1 << 2);
    /// `multi-prefix`: every prefix of a member in `NAMES` and `WHO`.
    pub const MULTI_PREFIX: Caps = Caps(1 << 3);
    /// `server-time`: the `time` tag on what members did.
    pub const SERVER_TIME: Caps = Caps(1 << 4);
    /// `userhost-in-names`: `nick!user@host` in `NAMES`.
    pub const USERHOST_IN_NAMES: Caps = Caps(1 << 5);
    /// `draft/message-redaction`: a removed message comes as `REDACT`.
    pub const MESSAGE_REDACTION: Caps = Caps(1 << 6);

    /// Are all of `other`'s capabilities on?
    pub fn has(self, other: Caps) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    fn with(self, other: Caps, on: bool) -> Caps {
        if on {
            Caps(self.0 | other.0)
        } else {
            Caps(self.0 & !other.0)
        }
    }

    /// Apply a `CAP REQ` list (`a b -c`): all of it, or `None` (then
    /// nothing changes and the answer is `NAK`) if any name is unknown
    /// or the list is empty.
    pub fn requested(self, list: &str) -> Option<Caps> {
        let mut caps = self;
        let mut any = false;
        for word in list.split(' ').filter(|w| !w.is_empty()) {
            let (name, on) = match word.strip_prefix('-') {
                Some(name) => (name, false),
                None => (word, true),
            };
            let cap = CAPABILITIES.iter().find(|c| c.name == name)?;
            caps = caps.with(cap.bit, on);
            any = true;
        }
        any.then_some(caps)
    }

    /// The names of the capabilities on, separated by spaces (`CAP LIST`).
    pub fn names(self) -> Names {
        Names(self)
    }
}

/// [`Caps::names`]: the names, written with `Display`.
pub struct Names(Caps);

impl fmt::Display for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for cap in CAPABILITIES.iter().filter(|c| self.0.has(c.bit)) {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(cap.name)?;
            first = false;
        }
        Ok(())
    }
}

const fn capability(name: &'static str, bit: Caps, what: &'static str) -> Capability {
    Capability { name, what, bit }
}

/// Every capability `CAP LS` offers, in its order.
pub const CAPABILITIES: &[Capability] = &[
    capability(
        "batch",
        Caps::BATCH,
        "with `server-time`, a room's replayed history comes as one `chathistory` batch",
    ),
    capability(
        "draft/message-redaction",
        Caps::MESSAGE_REDACTION,
        "a message an operator removed comes as `REDACT #room msgid`, and operators may send `REDACT` (others get a `NOTICE`)",
    ),
    capability(
        "echo-message",
        Caps::ECHO_MESSAGE,
        "your own `PRIVMSG`/`NOTICE` comes back once the hub has taken it (natter's `Ack`), with its time and id",
    ),
    capability(
        "message-tags",
        Caps::MESSAGE_TAGS,
        "room messages carry `msgid` (natter's room, epoch and event id); tags a client sends are accepted and not passed on",
    ),
    capability(
        "multi-prefix",
        Caps::MULTI_PREFIX,
        "every prefix of a member in `NAMES`, `WHO` and `WHOIS`: `@+` for an operator with the word",
    ),
    capability(
        "server-time",
        Caps::SERVER_TIME,
        "the `time` tag on what members did, and history replayed as ordinary lines at their original time",
    ),
    capability(
        "userhost-in-names",
        Caps::USERHOST_IN_NAMES,
        "`NAMES` shows `nick!user@host`",
    ),
];

/// Every `005 RPL_ISUPPORT` token the welcome sends, and what it says.
pub const ISUPPORT: &[(&str, &str)] = &[
    ("AWAYLEN=128", "away messages are kept to 128 bytes"),
    (
        "CASEMAPPING=strict-rfc1459",
        "names compare as RFC 1459 says, without `~`/`^`",
    ),
    ("CHANLIMIT=#:8", "at most 8 rooms at once"),
    (
        "CHANMODES=b,k,lS,imtNP",
        "bans and `m:` mutes; key; limit and slow mode (seconds); invite-only, moderated, topic lock, nicknames locked, no private messages between students",
    ),
    (
        "CHANNELLEN=25",
        "room names are up to 24 bytes after the `#`",
    ),
    ("CHANTYPES=#", "rooms are `#name`"),
    (
        "EXTBAN=,m",
        "`+b m:mask` mutes whoever matches (ergo's model)",
    ),
    (
        "CLIENTTAGDENY=*",
        "tags a client sends are not passed on: natter's frames have nowhere to carry them",
    ),
    ("MAXLIST=b:8", "at most 8 bans and mutes together per room"),
    ("NETWORK=natter", "the network's name"),
    ("NICKLEN=24", "nicknames are up to 24 bytes"),
    (
        "PREFIX=(ov)@+",
        "operators (and the teacher, operator in every room) `@`, voiced members `+`",
    ),
    (
        "TOPICLEN=512",
        "topics are up to 512 bytes (shown cut on one IRC line)",
    ),
    ("USERLEN=16", "`USER`'s username is kept to 16 bytes"),
    (
        "UTF8ONLY",
        "lines must be UTF-8: others get `FAIL <command> INVALID_UTF8` and are dropped",
    ),
];

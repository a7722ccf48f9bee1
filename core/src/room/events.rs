//! The vocabulary of what happens in a hub: log events for the driver,
//! the typed errors of its set-up calls, and the room events it records.

use heapless::String;

use super::ConnId;
use crate::error::{DecodeError, ErrorCode};
use crate::wire::{MAX_NICK, MAX_ROOM};

/// Longest target an audit event ([`Event::Moderated`]) keeps: a nickname,
/// a number or a ban mask (cut to this length).
pub const MAX_TARGET: usize = MAX_NICK;

/// Why a connection could not be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConnectError {
    /// Every connection slot is taken. The driver should send
    /// `Bye { code: ServerFull }` and close.
    ServerFull,
}

/// Why a room could not be added at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RoomError {
    /// The name breaks the room-name rules.
    BadName,
    /// A room of that name exists.
    Exists,
    /// All `ROOMS` slots are taken.
    NoSlot,
}

impl core::fmt::Display for RoomError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            RoomError::BadName => crate::wire::ROOM_RULES,
            RoomError::Exists => "a room of that name already exists",
            RoomError::NoSlot => "no free room slot",
        })
    }
}

impl core::error::Error for RoomError {}

/// Something that happened, for the driver's log. Message bodies never
/// appear here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
#[allow(missing_docs)] // the fields are named for what the variant says
pub enum Event {
    /// A hello was accepted.
    Welcomed {
        conn: ConnId,
        nick: String<MAX_NICK>,
    },
    /// A member joined a room (creating it if `created`).
    Joined {
        conn: ConnId,
        nick: String<MAX_NICK>,
        room: String<MAX_ROOM>,
        created: bool,
    },
    /// A member left a room; `id` is its `Parted` event's.
    Parted {
        conn: ConnId,
        nick: String<MAX_NICK>,
        room: String<MAX_ROOM>,
        id: u64,
    },
    /// A member changed nickname.
    NickChanged {
        conn: ConnId,
        nick: String<MAX_NICK>,
    },
    /// A wrong password (the server's, the teacher's or a room key); the
    /// password itself is never in the log.
    WrongPassword { conn: ConnId },
    /// A connection proved the teacher password.
    Teacher {
        conn: ConnId,
        nick: String<MAX_NICK>,
    },
    /// An operator changed a mode (`what` is `+m`, `-o`...), kicked or
    /// invited someone: the audit trail. `target` is the nickname, mask
    /// or number the change was about (never a key).
    Moderated {
        conn: ConnId,
        nick: String<MAX_NICK>,
        room: String<MAX_ROOM>,
        what: String<6>,
        target: String<MAX_TARGET>,
    },
    /// A connection sent a frame that does not decode.
    BadFrame { conn: ConnId, error: DecodeError },
    /// A request was refused with this code.
    Refused { conn: ConnId, code: ErrorCode },
    /// The hub is closing a connection (`nick` is empty before a hello),
    /// for this reason.
    Closing {
        conn: ConnId,
        nick: String<MAX_NICK>,
        code: ErrorCode,
    },
    /// The peer went away (`nick` is empty before a hello).
    Disconnected {
        conn: ConnId,
        nick: String<MAX_NICK>,
    },
}

/// What happened in a room, before the hub encodes it into the room's
/// history as the frame members get (`Frame::Message`, `Frame::Joined`...).
pub(crate) enum RoomEvent<'a> {
    Message {
        from: &'a str,
        flags: u8,
        text: &'a str,
    },
    Joined {
        nick: &'a str,
    },
    Parted {
        nick: &'a str,
        /// It quit or was disconnected: `FLAG_QUIT`.
        quit: bool,
        reason: &'a str,
    },
    NickChanged {
        old: &'a str,
        new: &'a str,
    },
    Topic {
        by: &'a str,
        topic: &'a str,
    },
    ModeChanged {
        by: &'a str,
        flags: u8,
        mode: u8,
        arg: &'a str,
    },
    Kicked {
        by: &'a str,
        nick: &'a str,
        reason: &'a str,
    },
    Redacted {
        by: &'a str,
        target: u64,
        from: &'a str,
        reason: &'a str,
    },
}

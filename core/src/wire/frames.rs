//! The frame table: the one place where each frame's kind byte and fields
//! are written down.
//!
//! A frame is a kind byte followed by a fixed list of fields, so the
//! [`Frame`] enum, the decoder and the encoder are three readings of the
//! same list. Written out by hand they are three copies that must agree
//! field for field, and tests cannot catch every slip: a pair of fields
//! swapped in both the decoder and the encoder still round-trips through
//! this crate, and only breaks every other implementation of
//! `docs/PROTOCOL.md`. So each frame is one row of the table at the end of
//! this file:
//!
//! ```text
//! /// Say `text` in `room`; ...      the variant's doc
//! 0x04 client => Say {               kind byte, who sends it => variant
//!     tag: u32 = Int,                each field, in wire order:
//!     room: &'a str = Field::Room,       name: Rust type = wire shape
//!     flags: u8 = Flags(FLAG_ACTION | FLAG_NOTICE),
//!     text: &'a str = Field::Text,
//! },
//! ```
//!
//! and `frames!` turns the table into
//!
//! * the [`Frame`] enum, with each variant's doc opening with its kind byte;
//! * [`Frame::kind`];
//! * [`Frame::is_client_frame`], from each row's sender: `client`,
//!   `server` or `both`;
//! * `read_fields`, the decoder's match on the kind byte. Each arm is a
//!   struct expression with the fields in table order, and Rust evaluates
//!   a struct expression's fields in the order they are written, so the
//!   fields are read in wire order and the first bad field is the one
//!   reported;
//! * `write_fields`, the encoder's match, writing the fields in the same
//!   order.
//!
//! A wire shape is a value implementing `codec::Shape`, which reads one
//! field, writes it, and refuses what the protocol refuses. They follow the
//! field encodings of `docs/PROTOCOL.md`, section 3, with two more for the
//! bytes that carry a meaning of their own, the version and the error code:
//!
//! | Shape              | On the wire                                          |
//! |--------------------|------------------------------------------------------|
//! | `Int`              | big-endian, as wide as the field's type (`u8`..`u64`) |
//! | `Field::Nick`, …   | a string with its length prefix and rule (*nick*, *room*, *room-or-empty*, *short*, *text*, *topic*) |
//! | `Flags(mask)`      | a flags byte; bits outside `mask` are refused        |
//! | `Version`          | a byte that must be [`VERSION`](super::VERSION)      |
//! | `Code`             | an [`ErrorCode`] as its byte                         |
//! | `Nicks`            | a count, then that many nicknames                    |
//!
//! A shape only fits fields of the types it reads, so a row whose type and
//! shape disagree (`nick: u32 = Field::Nick`) does not compile.

use super::codec::{Code, Field, Flags, Int, Nicks, Reader, Roles, Shape, Sink, Version, Writer};
use super::{
    FLAG_ACTION, FLAG_ADD, FLAG_MORE, FLAG_NOTICE, FLAG_QUIT, FLAG_REMOVE, FLAG_REMOVED, NickList,
    ROLE_TEACHER,
};
use crate::error::{DecodeError, ErrorCode};

/// Expands the frame table into the enum, `kind()`, the decoder's match
/// and the encoder's match (see the module docs).
macro_rules! frames {
    (@from_client client) => { true };
    (@from_client both) => { true };
    (@from_client server) => { false };
    (
        $(#[$attr:meta])*
        $vis:vis enum $Frame:ident<$a:lifetime> {
            $(
                $(#[$doc:meta])*
                $kind:literal $sender:ident => $Name:ident {
                    $( $field:ident: $ty:ty = $shape:expr ),* $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis enum $Frame<$a> {
            $(
                #[doc = concat!("`", stringify!($kind), "`")]
                $(#[$doc])*
                $Name { $( $field: $ty ),* },
            )*
        }

        impl $Frame<'_> {
            /// The frame's kind byte.
            pub fn kind(&self) -> u8 {
                match self {
                    $( $Frame::$Name { .. } => $kind, )*
                }
            }

            /// `true` for the kinds a client may send to a server.
            pub fn is_client_frame(&self) -> bool {
                match self {
                    $( $Frame::$Name { .. } => frames!(@from_client $sender), )*
                }
            }
        }

        /// The fields of a frame of kind `kind`, read in wire order, or
        /// [`DecodeError::UnknownKind`]. With `CLIENT`, only the kinds a
        /// client sends are known: a server reads nothing else, and its
        /// decoder then carries no code for the rest (2 KB of a
        /// microcontroller's flash).
        // A kind byte listed twice would leave the second row unreachable:
        // make that an error rather than a warning.
        #[deny(unreachable_patterns)]
        pub(super) fn read_fields<'r, const CLIENT: bool>(
            kind: u8,
            r: &mut Reader<'r>,
        ) -> Result<$Frame<'r>, DecodeError> {
            Ok(match kind {
                $(
                    $kind if !CLIENT || frames!(@from_client $sender) => $Frame::$Name {
                        $( $field: Shape::read(&$shape, r)?, )*
                    },
                )*
                other => return Err(DecodeError::UnknownKind(other)),
            })
        }

        /// Is `kind` the kind byte of a frame only a server sends?
        pub fn is_server_kind(kind: u8) -> bool {
            match kind {
                $( $kind => !frames!(@from_client $sender), )*
                _ => false,
            }
        }

        /// The fields of `frame`, written in wire order (the kind byte is
        /// the caller's).
        pub(super) fn write_fields<S: Sink>(
            frame: &$Frame<'_>,
            w: &mut Writer<S>,
        ) -> Result<(), DecodeError> {
            match frame {
                $(
                    $Frame::$Name { $( $field ),* } => {
                        $( Shape::write(&$shape, w, $field)?; )*
                    }
                )*
            }
            Ok(())
        }

        /// Every kind byte in the table, in table order.
        #[cfg(test)]
        pub(super) const KINDS: &[u8] = &[$( $kind ),*];
    };
}

frames! {
    /// One frame of the natter protocol. Strings borrow from the decoded buffer.
    ///
    /// Client-to-server kinds are `0x01..=0x0f` (ping and pong go both ways),
    /// server-to-client kinds are `0x41..`. Room events (`Message`, `Joined`,
    /// `Parted`, `NickChanged`, `TopicChanged`) carry the room's event id, which
    /// increases by one for each event in that room, and the server's time in
    /// milliseconds since the Unix epoch.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[cfg_attr(feature = "defmt", derive(defmt::Format))]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    #[non_exhaustive]
    #[allow(missing_docs)] // each variant's doc describes its fields, in wire order
    pub enum Frame<'a> {
        /// First frame of a connection: protocol version, nickname and
        /// password (empty when the server has none).
        0x01 client => Hello {
            version: u8 = Version,
            nick: &'a str = Field::Nick,
            password: &'a str = Field::Short,
        },
        /// Join `room`, creating it if allowed. To resume after a
        /// reconnect, `epoch` and `since` are the room's epoch (from `Entered`)
        /// and the last event id seen; a fresh join sends 0 and 0 and gets the
        /// history replayed. `key` is the room's key (mode `k`), if it has one.
        0x02 client => Join {
            room: &'a str = Field::Room,
            epoch: u32 = Int,
            since: u64 = Int,
            key: &'a str = Field::Short,
        },
        /// Leave `room`, telling the others why.
        0x03 client => Part {
            room: &'a str = Field::Room,
            reason: &'a str = Field::Short,
        },
        /// Say `text` in `room`; `tag` comes back in the `Ack` or `Error`.
        0x04 client => Say {
            tag: u32 = Int,
            room: &'a str = Field::Room,
            flags: u8 = Flags(FLAG_ACTION | FLAG_NOTICE),
            text: &'a str = Field::Text,
        },
        /// Send `text` privately to the member called `to`.
        0x05 client => Whisper {
            tag: u32 = Int,
            to: &'a str = Field::Nick,
            flags: u8 = Flags(FLAG_ACTION | FLAG_NOTICE),
            text: &'a str = Field::Text,
        },
        /// Change nickname.
        0x06 client => SetNick {
            nick: &'a str = Field::Nick,
        },
        /// Set the topic of `room` (empty clears it).
        0x07 client => SetTopic {
            room: &'a str = Field::Room,
            topic: &'a str = Field::Topic,
        },
        /// Leave the server, telling the others why.
        0x08 client => Quit {
            reason: &'a str = Field::Short,
        },
        /// Are you there? Answered by a `Pong` with the same token.
        0x09 both => Ping {
            token: u32 = Int,
        },
        /// The answer to a `Ping`.
        0x0a both => Pong {
            token: u32 = Int,
        },
        /// Prove the teacher password; answered by `YouAre`, or an
        /// `Error` (`BadPassword`, `NoTeacher`, `TooManyGuesses`).
        0x0b client => Teach {
            password: &'a str = Field::Short,
        },
        /// Change one mode of `room` (an operator's), or ask what is set:
        /// [`FLAG_ADD`] sets `mode`, [`FLAG_REMOVE`] takes it away, neither
        /// asks (mode 0: the room's `RoomState`; `b`: its list, as `Listed`).
        /// `mode` is a letter of `docs/PROTOCOL.md`'s mode table; `arg` its
        /// nickname, mask, key or number, or empty.
        0x0c client => Mode {
            room: &'a str = Field::Room,
            flags: u8 = Flags(FLAG_ADD | FLAG_REMOVE),
            mode: u8 = Int,
            arg: &'a str = Field::Short,
        },
        /// Put `nick` out of `room` (an operator's), telling them why.
        0x0d client => Kick {
            room: &'a str = Field::Room,
            nick: &'a str = Field::Nick,
            reason: &'a str = Field::Short,
        },
        /// Let `nick` into `room` although it is invite-only (mode `i`),
        /// and tell them.
        0x0e client => Invite {
            room: &'a str = Field::Room,
            nick: &'a str = Field::Nick,
        },
        /// Remove message `id` of `room` (an operator's): from every window
        /// and from the history, for `reason`.
        0x0f client => Redact {
            room: &'a str = Field::Room,
            id: u64 = Int,
            reason: &'a str = Field::Short,
        },

        /// The hello was accepted: the version spoken, the nickname as
        /// registered, the room to join first and the longest text accepted.
        0x41 server => Welcome {
            version: u8 = Version,
            nick: &'a str = Field::Nick,
            lobby: &'a str = Field::RoomOrEmpty,
            max_text: u16 = Int,
        },
        /// You are in `room`: its topic, its epoch (which changes when
        /// the room is created anew, e.g. after a server restart, so old ids
        /// mean nothing), the id its next live event will have (replayed
        /// history has smaller ids) and how many are in it.
        0x42 server => Entered {
            room: &'a str = Field::Room,
            topic: &'a str = Field::Topic,
            epoch: u32 = Int,
            next_id: u64 = Int,
            members: u16 = Int,
        },
        /// Some of the members of `room`; [`FLAG_MORE`] says more follow.
        /// `roles` has each one's role bits ([`ROLES`](super::ROLES)), in
        /// the same order (a member past its end has none).
        0x43 server => Names {
            room: &'a str = Field::Room,
            flags: u8 = Flags(FLAG_MORE),
            nicks: NickList<'a> = Nicks,
            roles: &'a [u8] = Roles,
        },
        /// You have left `room`, for `reason` (what your `Part` said).
        0x44 server => Left {
            room: &'a str = Field::Room,
            reason: &'a str = Field::Short,
        },
        // The room events, 0x45..=0x49, share a head: room, id, time.
        /// Someone said `text` in `room`; [`FLAG_REMOVED`]: an operator
        /// removed it since (the text is filler).
        0x45 server => Message {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            from: &'a str = Field::Nick,
            flags: u8 = Flags(FLAG_ACTION | FLAG_NOTICE | FLAG_REMOVED),
            text: &'a str = Field::Text,
        },
        /// `nick` joined `room`.
        0x46 server => Joined {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            nick: &'a str = Field::Nick,
        },
        /// `nick` left `room` for `reason`; [`FLAG_QUIT`] when it quit
        /// or was disconnected (leaving every room at once).
        0x47 server => Parted {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            nick: &'a str = Field::Nick,
            flags: u8 = Flags(FLAG_QUIT),
            reason: &'a str = Field::Short,
        },
        /// `old` is now called `new`.
        0x48 server => NickChanged {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            old: &'a str = Field::Nick,
            new: &'a str = Field::Nick,
        },
        /// `by` set the topic of `room`.
        0x49 server => TopicChanged {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            by: &'a str = Field::Nick,
            topic: &'a str = Field::Topic,
        },
        /// A private message for you.
        0x4a server => Private {
            time: u64 = Int,
            from: &'a str = Field::Nick,
            flags: u8 = Flags(FLAG_ACTION | FLAG_NOTICE),
            text: &'a str = Field::Text,
        },
        /// Your `Say` (or `Whisper`, with an empty room and id 0) with
        /// this `tag` was delivered as event `id` at `time`.
        0x4b server => Ack {
            tag: u32 = Int,
            room: &'a str = Field::RoomOrEmpty,
            id: u64 = Int,
            time: u64 = Int,
        },
        /// You missed `missed` events of `room`: they are no longer in
        /// the history, or you fell too far behind.
        0x4c server => Gap {
            room: &'a str = Field::Room,
            missed: u64 = Int,
        },
        /// Your nickname is now `nick`.
        0x4d server => NickSet {
            nick: &'a str = Field::Nick,
        },
        /// Your request failed; `tag` is the request's tag (0 when it has
        /// none) and `subject` the name it was about (a nick or a room), if any.
        0x4e server => Error {
            code: ErrorCode = Code,
            tag: u32 = Int,
            subject: &'a str = Field::Short,
        },
        /// The server is closing this connection, and why.
        0x4f server => Bye {
            code: ErrorCode = Code,
            reason: &'a str = Field::Short,
        },
        // Two more room events, with the same head: room, id, time.
        /// `by` changed a mode of `room`: [`FLAG_ADD`] or [`FLAG_REMOVE`]
        /// of `mode` with its `arg`, as `Mode` asked.
        0x50 server => ModeChanged {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            by: &'a str = Field::Nick,
            flags: u8 = Flags(FLAG_ADD | FLAG_REMOVE),
            mode: u8 = Int,
            arg: &'a str = Field::Short,
        },
        /// `by` put `nick` out of `room` for `reason`. When `nick` is you,
        /// you are no longer in the room (no `Left` follows).
        0x51 server => Kicked {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            by: &'a str = Field::Nick,
            nick: &'a str = Field::Nick,
            reason: &'a str = Field::Short,
        },
        /// The modes set on `room`: the letters of its on/off modes
        /// (`docs/PROTOCOL.md`'s mode table, e.g. `mt`), its member limit
        /// and slow mode in seconds (0 for none) and its key. Sent after
        /// `Entered`, and to a `Mode` that asks.
        0x52 server => RoomState {
            room: &'a str = Field::Room,
            modes: &'a str = Field::Short,
            limit: u16 = Int,
            slow: u16 = Int,
            key: &'a str = Field::Short,
        },
        /// Your roles on this server: [`ROLE_TEACHER`] once a `Teach` has
        /// proved the teacher password.
        0x53 server => YouAre {
            roles: u8 = Flags(ROLE_TEACHER),
        },
        /// One entry of `room`'s list `mode` (`b`: bans and `m:` mutes),
        /// answering a `Mode` that asks; an empty `mask` ends the list.
        0x54 server => Listed {
            room: &'a str = Field::Room,
            mode: u8 = Int,
            mask: &'a str = Field::Short,
        },
        /// `by` invited `nick` to `room`: sent to both of them.
        0x55 server => Invited {
            room: &'a str = Field::Room,
            by: &'a str = Field::Nick,
            nick: &'a str = Field::Nick,
        },
        /// A room event: `by` removed message `target` (by `from`) for
        /// `reason`. Windows replace the line; the history keeps only a
        /// `Message` flagged [`FLAG_REMOVED`].
        0x56 server => Redacted {
            room: &'a str = Field::Room,
            id: u64 = Int,
            time: u64 = Int,
            by: &'a str = Field::Nick,
            target: u64 = Int,
            from: &'a str = Field::Nick,
            reason: &'a str = Field::Short,
        },
    }
}

impl Frame<'_> {
    /// The tag of a request that has one (`Say`, `Whisper`), else 0: what
    /// an `Error` refusing this frame carries.
    pub fn request_tag(&self) -> u32 {
        match *self {
            Frame::Say { tag, .. } | Frame::Whisper { tag, .. } => tag,
            _ => 0,
        }
    }
}

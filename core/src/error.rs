//! Errors: what went wrong decoding or encoding a frame, and the error codes
//! the server puts on the wire.

use core::fmt;

/// Why a byte sequence is not a valid frame.
///
/// Every error but [`FrameTooLong`](Self::FrameTooLong) is found only once
/// the whole frame has arrived, so a reader can skip the frame and carry on
/// (its length prefix is intact); `FrameTooLong` means the stream can no
/// longer be trusted and the connection should be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// The length prefix announces more than [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN) bytes.
    FrameTooLong {
        /// The announced length of the frame, prefix included.
        len: usize,
    },
    /// The length prefix is zero: there is not even a kind byte.
    EmptyFrame,
    /// The kind byte names no frame of this protocol version.
    UnknownKind(u8),
    /// A field runs past the end of the frame.
    Truncated,
    /// Bytes are left over after the last field.
    TrailingBytes,
    /// A text field is not valid UTF-8.
    BadUtf8,
    /// A nickname breaks the rules in [`is_valid_nick`](crate::wire::is_valid_nick).
    BadNick,
    /// A room name breaks the rules in [`is_valid_room`](crate::wire::is_valid_room).
    BadRoom,
    /// A message or topic is empty where text is required, longer than
    /// [`MAX_TEXT`](crate::wire::MAX_TEXT), or holds NUL, CR or LF.
    BadText,
    /// A flags byte has bits this version does not define.
    BadFlags,
    /// A hello asks for a protocol version this build does not speak.
    UnsupportedVersion(u8),
}

impl DecodeError {
    /// The code a server sends back for this error.
    pub fn code(self) -> ErrorCode {
        match self {
            DecodeError::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
            DecodeError::BadNick => ErrorCode::BadNick,
            DecodeError::BadRoom => ErrorCode::BadRoom,
            DecodeError::BadText => ErrorCode::BadText,
            _ => ErrorCode::Malformed,
        }
    }

    /// `true` when the stream has lost its framing and must be closed.
    pub fn is_fatal(self) -> bool {
        matches!(self, DecodeError::FrameTooLong { .. })
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::FrameTooLong { len } => {
                write!(f, "frame of {len} bytes is over the limit")
            }
            DecodeError::EmptyFrame => f.write_str("empty frame"),
            DecodeError::UnknownKind(k) => write!(f, "unknown frame kind {k:#04x}"),
            DecodeError::Truncated => f.write_str("a field runs past the end of the frame"),
            DecodeError::TrailingBytes => f.write_str("bytes left over after the last field"),
            DecodeError::BadUtf8 => f.write_str("text is not valid UTF-8"),
            DecodeError::BadNick => f.write_str("invalid nickname"),
            DecodeError::BadRoom => f.write_str("invalid room name"),
            DecodeError::BadText => f.write_str("empty, oversized or control characters in text"),
            DecodeError::BadFlags => f.write_str("undefined flag bits set"),
            DecodeError::UnsupportedVersion(v) => {
                write!(f, "protocol version {v} is not supported")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// Why a frame could not be encoded. On error the output buffer is untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is shorter than the frame.
    BufferTooSmall {
        /// Bytes the frame needs.
        needed: usize,
    },
    /// A field breaks a rule the decoder enforces (a bad nickname, text over
    /// the limit, a frame over [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN)...),
    /// so the frame would be refused by its receiver.
    Invalid(DecodeError),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            EncodeError::Invalid(e) => write!(f, "frame would not decode: {e}"),
        }
    }
}

impl core::error::Error for EncodeError {}

impl From<DecodeError> for EncodeError {
    fn from(e: DecodeError) -> Self {
        EncodeError::Invalid(e)
    }
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $human:expr;)*) => {
        /// An error code carried by `Error` and `Bye` frames.
        ///
        /// Codes are stable across protocol versions; a code this build does
        /// not know decodes as [`ErrorCode::Other`] so old clients still show
        /// something sensible.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $name,)*
            /// A code from a newer protocol revision.
            Other(u8),
        }

        impl ErrorCode {
            /// The code's byte on the wire.
            pub fn to_u8(self) -> u8 {
                match self {
                    $(ErrorCode::$name => $value,)*
                    ErrorCode::Other(v) => v,
                }
            }

            /// The code for a byte from the wire.
            pub fn from_u8(v: u8) -> Self {
                match v {
                    $($value => ErrorCode::$name,)*
                    v => ErrorCode::Other(v),
                }
            }

            /// What a person should read: what happened and what to do.
            pub fn describe(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $human,)*
                    ErrorCode::Other(_) => "the server reported an error this version does not know; try updating natter",
                }
            }
        }
    };
}

error_codes! {
    /// A frame could not be decoded.
    Malformed = 1, "the program sent something the server could not understand; update or restart it";
    /// The hello asked for a protocol version the server does not speak.
    UnsupportedVersion = 2, "this version of natter is too old or too new for the server; use the same version as the teacher";
    /// Something other than a hello came before the hello.
    HelloFirst = 3, "say hello (pick a nickname) before anything else";
    /// A second hello on a welcomed connection.
    AlreadyWelcomed = 4, "you are already connected";
    /// The nickname breaks the rules.
    BadNick = 5, crate::wire::NICK_RULES;
    /// Someone already uses that nickname (case-insensitively).
    NickTaken = 6, "that nickname is taken; pick another";
    /// The password is wrong or missing.
    BadPassword = 7, "wrong password for this server; ask the teacher for it";
    /// The room name breaks the rules.
    BadRoom = 8, crate::wire::ROOM_RULES;
    /// The room has no free place.
    RoomFull = 9, "the room is full; try again later or pick another room";
    /// No free slot for another room on this server.
    NoFreeRoom = 10, "the server has no space for another room; join an existing one";
    /// The server only allows the rooms it started with.
    RoomsFixed = 11, "this server only has the teacher's rooms; join one of those";
    /// The connection is in as many rooms as it may be.
    TooManyRooms = 12, "you are in as many rooms as allowed; leave one first";
    /// The frame names a room the connection is not in.
    NotInRoom = 13, "you are not in that room; join it first";
    /// The connection is already in that room.
    AlreadyInRoom = 14, "you are already in that room";
    /// No one online has that nickname.
    NoSuchNick = 15, "no one with that nickname is online";
    /// The recipient is not reading fast enough to take a private message.
    RecipientBusy = 16, "they are not keeping up right now; try again in a moment";
    /// The sender is over the flood limit; the message was not sent.
    Flooding = 17, "you are sending too fast; wait a moment, then send again";
    /// Empty text, text over the server's limit, or NUL/CR/LF in text.
    BadText = 18, "the message is empty, too long, or has line breaks; shorten it or send it as separate lines";
    /// The server has no place for another connection.
    ServerFull = 19, "the server is full; try again later";
    /// Nothing was heard from the connection for too long.
    IdleTimeout = 20, "disconnected after a long silence; connect again";
    /// The connection did not read what the server sent for too long.
    TooSlow = 21, "your connection could not keep up and was closed; connect again";
    /// The server is stopping.
    ShuttingDown = 22, "the server is shutting down";
    /// The connection asked to quit.
    Quit = 23, "goodbye";
    /// A frame only the server may send came from a client.
    UnexpectedFrame = 24, "the program sent a frame the server does not accept; update it";
    /// The hello did not arrive in time.
    HelloTimeout = 25, "no hello arrived in time; connect again";
    /// Only the room's operators (and the teacher) may do that.
    NotOperator = 26, "only the teacher (or the room's operators) can do that";
    /// The room is moderated and the sender has not been given the word.
    Moderated = 27, "only the teacher and those given the word speak in this room; raise your hand";
    /// The sender is muted in that room.
    Muted = 28, "the teacher muted you in this room; your message was not sent";
    /// Slow mode: the sender spoke in that room too recently.
    SlowMode = 29, "slow mode is on in this room; wait a few seconds, then send again";
    /// The joiner is banned from that room.
    Banned = 30, "you are banned from this room; ask the teacher";
    /// The room is closed to newcomers who were not invited.
    InviteOnly = 31, "this room is closed to newcomers; ask the teacher to invite you";
    /// The room's key is missing or wrong.
    BadKey = 32, "this room needs a key; ask the teacher for it";
    /// `Teach` on a server without a teacher password.
    NoTeacher = 33, "this server has no teacher password; whoever started it is in charge";
    /// Too many wrong passwords from this connection or address: the
    /// password was not even checked.
    TooManyGuesses = 34, "too many wrong passwords; wait a minute, then try again";
    /// The member named is not in that room.
    TheyAreNotInRoom = 35, "they are not in that room";
    /// A room the sender is in has nicknames locked.
    NickLocked = 36, "nicknames are locked in a room you are in; ask the teacher to rename you";
    /// Private messages between students are off in a room one of them is in.
    PrivateOff = 37, "private messages between students are off; you can still message the teacher";
    /// The teacher cannot be kicked, banned, muted or have operator taken away.
    TeacherProtected = 38, "the teacher cannot be kicked, banned, muted or made less than operator";
    /// A mode letter natter does not know.
    UnknownMode = 39, "that is not a room setting natter knows; see /help";
    /// A mode's argument is missing or not what it needs.
    BadModeArg = 40, "that setting needs a nickname, a number or a key; see /help";
    /// The room's ban list is full.
    ListFull = 41, "the room's ban list is full; lift a ban first";
    /// The member named is already in that room.
    TheyAreInRoom = 42, "they are already in that room";
    /// No room has that name.
    NoSuchRoom = 43, "there is no room of that name";
    /// `Redact` names a message that is not (or no longer) in the room's
    /// history, or is not a message.
    NoSuchMessage = 44, "that message is no longer in the room's history";
}

/// By hand rather than derived: a derived impl would make values such as
/// `Other(1)`, which encodes as `Malformed` and so never decodes back to
/// itself. Fuzz input gets exactly the codes the wire can carry.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ErrorCode {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ErrorCode::from_u8(u.arbitrary()?))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(1))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

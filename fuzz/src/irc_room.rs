//! `irc_room`: one hub shared by natter clients and IRC clients, each IRC
//! client behind its own [`Bridge`], driven by a script; what crosses
//! between the two worlds is checked message by message.
//!
//! # The driver
//! [`CLIENTS`] clients; the first setup byte says which of them speak IRC.
//! A natter client's requests are frames, encoded and offered with
//! [`Hub::handle_bytes`]. An IRC client's bytes go through the pump of the
//! std server's `IrcConn` (`server-std/src/irc.rs`) around the same core
//! parts: the core's [`LineReader`] cuts the lines (an overlong line
//! dropped up to its line feed and answered with `417` by
//! [`Bridge::handle_too_long`]), the frames a line makes wait in `pending`
//! and no further line is read until the hub has taken them. The hub's
//! output for it is taken with [`Hub::transmit`], `copy_to` and `commit`,
//! and turned into lines frame by frame by the core's [`SharedLines`], as
//! the server's `transmitted` does: a live room message another IRC
//! member's bridge already rendered is copied from a shared slot (found by
//! the frame's exact bytes, used when [`Bridge::shows_live`] says this
//! member sees it live too), anything else goes to
//! [`Bridge::handle_frame`]. The bridge answers queries from the hub
//! itself (its `Directory`). The lines wait for the client, and output is
//! taken only while fewer than [`IRC_OUT_LOW`] bytes of them do. That and
//! the number of shared slots are the server's `OUT_LOW` and
//! `SHARED_SLOTS`, scaled down like the hub, so backpressure and reused
//! slots are reached by short inputs. A reading
//! IRC client reads its lines after each read of its input (the bridge's
//! own answers, which the server writes because epoll reports a socket
//! writable with its reads) and after each batch of output. After writing
//! a connection's output the driver calls [`Hub::resume_input`].
//!
//! A script step is one action: log in (natter `Hello`; IRC `NICK`/`USER`
//! with or without `CAP LS 302`/`CAP END` and `PASS`, in either order),
//! act (join, part, say, notice, whisper, nick, topic, quit, ping: a frame
//! for a natter client, the IRC command for an IRC client, with fuzz-chosen
//! names and texts, some of them invalid), an IRC-only query (`MODE`,
//! `WHO`, `WHOIS`, `LUSERS`, `CAP`, unknown commands, missing parameters,
//! CTCP, prefixes and tags...), raw bytes, an overlong or unfinished line
//! or huge tags, connect, disconnect, stop or start reading, how many bytes
//! the server reads at a time (which cuts lines and frames anywhere), let
//! the clock run, shut down. After each step the driver settles: it feeds
//! waiting input, writes output to every connection the hub names (and to
//! reading clients whose output was held back), takes closes, until nothing
//! moves. Clients answer pings while they read.
//!
//! # The checks
//! A broken promise is an `Err` naming the step; nothing here panics (the
//! fuzz target does, on the `Err`).
//! * Nothing panics; every frame the hub sends a natter client decodes,
//!   and is a server's frame; every frame a bridge makes encodes.
//! * Every line a bridge sends an IRC client (and the driver's `417`) is at
//!   most [`MAX_LINE`] bytes with its CR LF, ends in CR LF, has no NUL, CR
//!   or LF inside, is UTF-8 and parses; it has a prefix (the server's name,
//!   or `nick!nick@natter` with a valid nickname), except `PING` and
//!   `ERROR`, which have none; a numeric's first parameter is the client's
//!   name as the bridge gives it (`*` before registration).
//! * Bad input changes nothing for others: a line that does not parse
//!   makes no frame, and every frame a line makes is one its command may
//!   make (`JOIN` a `Join` per target, `PRIVMSG` a `Say` or `Whisper`,
//!   `NICK`, `USER`, `PASS` or `CAP END` a `Hello` before registration...;
//!   `MODE`, `WHO`, `PING`, unknown commands none). A registered client's
//!   `PRIVMSG`/`NOTICE` to a channel or a nickname makes exactly the `Say`
//!   or `Whisper` the bridge's table promises (tag 1 or 2, the text, CTCP
//!   `ACTION` as [`FLAG_ACTION`]).
//! * The hub answers each tagged request of a bridge once, in order: every
//!   `Ack` and tagged `Error` an IRC client gets matches the oldest `Say` or
//!   `Whisper` its bridge sent that is not answered yet.
//! * A message's frame reaches an IRC client as IRC says it (rendered by
//!   its own bridge or copied from another's): a live
//!   `Message` as `PRIVMSG #room` lines from `nick!nick@natter` (CTCP
//!   `ACTION` for an action), replayed history as `NOTICE #room` lines from
//!   the server reading `[HH:MM] <nick> text` (or `* nick text`), a
//!   `Private` as `PRIVMSG` lines to the client's nickname, a `Gap` as one
//!   notice; and the text is cut as `split_text` documents: each line's
//!   piece is the longest start of the rest that fits that line's 512 bytes
//!   (ending at a space in its second half where there is one), and the
//!   pieces join to exactly the text.
//! * Delivery across worlds, the point of the target: a `Say` the hub
//!   acknowledged (from either kind of client; an IRC client's as the `Say`
//!   its bridge made) is recorded with its sender's nickname, text, flags
//!   and time. Once the driver has settled, every other client that is
//!   reading and whose stay in the room began before the message (its
//!   `Entered` said a `next_id` at most the message's id) and has not ended
//!   has received that `Message` with that content, unless a `Gap` it got
//!   covers the id; a client that was not reading is checked once it reads
//!   again. For an IRC receiver, receiving the frame is receiving the
//!   `PRIVMSG` lines, as checked above. Every copy anyone gets, live or
//!   replayed, has the content the sender's `Ack` confirmed, and a sender
//!   never gets its own message back.
//! * Once settled, a reading client has no input left waiting (its bytes,
//!   and an IRC client's `pending` frames, were all taken) and the hub has
//!   no output for it that it did not announce.
//!
//! Whispers are checked on the way in (the bridge's `Whisper`, the hub's
//! answer) and on the way out (a `Private` as IRC lines), not for delivery:
//! who holds a nickname when the hub handles a whisper is not known to the
//! driver.
//!
//! # Input layout
//! Plain bytes read front to back with [`Unstructured`]'s byte-at-a-time
//! integers, so a seed can be written by hand ([`Script::to_bytes`] is the
//! inverse of [`Script::parse`]): two bytes of [`Setup`], then steps, each
//! an op byte and its operands (see [`Script::parse`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use arbitrary::Unstructured;
use natter_core::error::ErrorCode;
use natter_core::irc::bridge::{Bridge, Directory};
use natter_core::irc::reader::{LineReader, Read};
use natter_core::irc::shared::{CapacityError, Rendered, SharedLines, Slot, SlotBytes};
use natter_core::irc::{MAX_LINE, Message, parse, split_text};
use natter_core::room::{Config, ConnId, InlineHub, Pump, Received, Wire};
use natter_core::time::Instant;
use natter_core::wire::{
    FLAG_ACTION, Frame, MAX_FRAME_LEN, Status, VERSION, decode, frame_len, is_valid_nick,
    is_valid_room, same_name,
};

/// Clients; the hub has exactly as many connection slots.
pub const CLIENTS: usize = 6;
/// Most steps run from one input.
const MAX_STEPS: usize = 256;
/// The server name the bridges use in their prefixes.
pub const SERVER: &str = "irc.natter.test";
/// IRC output waiting for a client below which the driver takes more of
/// the hub's frames (the std server's `OUT_LOW` is 8 KiB).
pub const IRC_OUT_LOW: usize = 2048;
/// Slots of the shared rendering of live messages (far fewer than the std
/// server's `SHARED_SLOTS`), so slots are reused and ids collide.
const SHARED_SLOTS: usize = 16;
/// Bytes of the hub's output taken for an IRC client at a time.
const IRC_FRAMES: usize = 4096;
/// Wall-clock time at `Instant(0)`: the protocol examples' date, so the
/// `[HH:MM]` of replayed history is not `[00:00]`.
const CLOCK_ORIGIN: u64 = 1_764_234_900_000;

/// The usual hub, `InlineHub<6, 2, 1024, 64, 3072>`: texts up to 64 bytes, so
/// most IRC lines are refused as too long for it (`412`).
type SmallWorld = World<1024, 64, 3072>;
/// The wide hub, `InlineHub<6, 2, 4096, 512, 4096>`: texts of natter's full 512
/// bytes, which an IRC client can only receive split over several lines.
type WideWorld = World<4096, 512, 4096>;

/// Channels as IRC clients name them; natter clients use the same names
/// without the `#`. Some are invalid, the last is two targets.
pub const ROOMS: [&str; 8] = [
    "#lobby",
    "#other",
    "#LOBBY",
    "#zoë",
    "lobby",
    "#bad!",
    "#",
    "#lobby,#other",
];
/// Nicknames: valid ones (some the same name in another case, one of the
/// full 24 bytes), then invalid ones.
pub const NICKS: [&str; 12] = [
    "ann",
    "bob",
    "Ann",
    "cat",
    "dan",
    "zoë",
    "[bot]",
    "{BOT}",
    "abcdefghijklmnopqrstuvwx",
    "9lives",
    "#chan",
    "a:b",
];
/// Lengths of message texts: around the small hub's 64, an IRC line's
/// room for text, and natter's 512 (which no IRC line can carry).
pub const TEXT_LENS: [usize; 8] = [1, 9, 60, 64, 65, 200, 440, 512];
/// Lengths of topics; a sixth choice asks for the topic instead.
const TOPIC_LENS: [usize; 5] = [0, 9, 64, 65, 300];
/// Part and quit reasons, the longest as long as a reason may be.
const REASONS: [&str; 4] = ["", "lunch", "zoë's turn", LONG_REASON];
const LONG_REASON: &str = concat!(
    "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr",
    "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr",
    "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
);
/// Events of history replayed on a fresh join.
const HISTORY: [usize; 8] = [usize::MAX, 0, 1, 2, 4, 8, 32, usize::MAX];

/// The hub's settings and who speaks what, from two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Setup {
    /// Bits 0-5: client `i` speaks IRC when bit `i` is set; bit 6: the wide
    /// hub ([`WideWorld`]); bit 7: a flood limit (5/s, burst 10).
    pub irc: u8,
    /// Bits 0-2: events of history replayed on a join ([`HISTORY`]); bit 3:
    /// password `pw`; bit 4: classroom mode, `lobby` and `other` fixed and
    /// no others; bit 5: rooms hold at most 3.
    pub flags: u8,
}

/// What a client does, in its own protocol. Indices are taken modulo the
/// length of the list they index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// `JOIN #room` / `Join`.
    Join { room: u8 },
    /// `PART #room :reason` / `Part`, a reason of [`REASONS`].
    Part { room: u8, reason: u8 },
    /// `PRIVMSG #room :text` / `Say`; see [`text`] for the text byte.
    Say { room: u8, text: u8 },
    /// `NOTICE #room :text` / a `Say`.
    Notice { room: u8, text: u8 },
    /// `PRIVMSG nick :text` / `Whisper`, to a nickname of [`NICKS`].
    Whisper { to: u8, text: u8 },
    /// `NICK nick` / `SetNick`.
    Nick { nick: u8 },
    /// `TOPIC #room :topic` / `SetTopic`: `len % 6` picks a length of
    /// [`TOPIC_LENS`], or (5) asks for the topic (IRC only).
    Topic { room: u8, len: u8 },
    /// `QUIT :reason` / `Quit`.
    Quit { reason: u8 },
    /// `PING :token` / `Ping`; with bit 7 of `token`, `PONG` / `Pong`.
    Ping { token: u8 },
    /// For an IRC client one line of [`query_line`]; for a natter client a
    /// second `Hello`, a server-only frame or a `Ping` (`kind % 3`).
    Query { kind: u8, arg: u8 },
}

/// One action of the driver. Client bytes are taken modulo [`CLIENTS`]
/// after their bit 7, which makes that client's lines end in LF alone
/// rather than CR LF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Connect if needed and register with a nickname of [`NICKS`]. `how`:
    /// bit 0 negotiates capabilities first (`CAP LS 302` ... `CAP END`),
    /// bit 1 gives a wrong password (else the right one, if there is one),
    /// bit 2 sends `USER` before `NICK`.
    Login { client: u8, nick: u8, how: u8 },
    /// Connect if needed and act.
    Act { client: u8, act: Act },
    /// Connect if needed and send these bytes as they are.
    Raw { client: u8, bytes: Vec<u8> },
    /// Connect if needed and send something long: `kind % 4` is 0 for a
    /// `PRIVMSG #lobby` of `480 + n` bytes of text (the line is too long
    /// from 495), 1 for `8 * n` bytes of a line not yet ended, 2 for
    /// `32 * n` bytes of IRCv3 tags in front of a `PRIVMSG`, 3 for a
    /// `PRIVMSG` of `n` two-byte letters. A natter client sends a `Say` of
    /// up to 512 bytes for 0, an oversize length prefix for 1, nothing
    /// else.
    Long { client: u8, kind: u8, n: u8 },
    /// Open a connection, if the client has none (nothing is sent).
    Connect(u8),
    /// The driver drops the connection.
    Disconnect(u8),
    /// The client stops reading.
    Pause(u8),
    /// The client reads again.
    Resume(u8),
    /// The server reads this client's bytes `size` at a time (0: all; at
    /// least a 32nd of what waits).
    Chunk { client: u8, size: u8 },
    /// Let time pass: below 0x8000 that many ms, above it 8 ms per step.
    Advance(u16),
    /// The server says goodbye to everyone.
    Shutdown,
}

/// A whole input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub setup: Setup,
    pub steps: Vec<Op>,
}

fn byte(u: &mut Unstructured<'_>) -> u8 {
    u.arbitrary().unwrap_or(0)
}

impl Act {
    fn parse(u: &mut Unstructured<'_>) -> Act {
        // Saying is what a room is for: three codes of twelve.
        match byte(u) % 12 {
            0 => Act::Join { room: byte(u) },
            1 => Act::Part {
                room: byte(u),
                reason: byte(u),
            },
            3 => Act::Notice {
                room: byte(u),
                text: byte(u),
            },
            4 => Act::Whisper {
                to: byte(u),
                text: byte(u),
            },
            5 => Act::Nick { nick: byte(u) },
            6 => Act::Topic {
                room: byte(u),
                len: byte(u),
            },
            7 => Act::Quit { reason: byte(u) },
            8 => Act::Ping { token: byte(u) },
            9 => Act::Query {
                kind: byte(u),
                arg: byte(u),
            },
            _ => Act::Say {
                room: byte(u),
                text: byte(u),
            },
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match *self {
            Act::Join { room } => out.extend([0, room]),
            Act::Part { room, reason } => out.extend([1, room, reason]),
            Act::Say { room, text } => out.extend([2, room, text]),
            Act::Notice { room, text } => out.extend([3, room, text]),
            Act::Whisper { to, text } => out.extend([4, to, text]),
            Act::Nick { nick } => out.extend([5, nick]),
            Act::Topic { room, len } => out.extend([6, room, len]),
            Act::Quit { reason } => out.extend([7, reason]),
            Act::Ping { token } => out.extend([8, token]),
            Act::Query { kind, arg } => out.extend([9, kind, arg]),
        }
    }
}

impl Script {
    /// Read a script from fuzz input. Never fails: missing bytes are zeros.
    ///
    /// An op byte `b` means, by `b % 16`: 0-3 and 14 `Act` (client, then
    /// the act's kind byte and operands), 4 and 13 `Login` (client, nick,
    /// how), 5 `Raw` (client, length, bytes), 6 `Long` (client, kind, n),
    /// 7 `Connect`, 8 `Disconnect`, 9 `Pause`, 10 `Resume` (client), 11
    /// `Chunk` (client, size), 12 `Advance` (two bytes, little-endian);
    /// 15 is `Shutdown` when `b` is 0xff, else `Act`.
    pub fn parse(data: &[u8]) -> Script {
        let mut u = Unstructured::new(data);
        let setup = Setup {
            irc: byte(&mut u),
            flags: byte(&mut u),
        };
        let mut steps = Vec::new();
        while !u.is_empty() && steps.len() < MAX_STEPS {
            let code = byte(&mut u);
            let op = match code % 16 {
                4 | 13 => Op::Login {
                    client: byte(&mut u),
                    nick: byte(&mut u),
                    how: byte(&mut u),
                },
                5 => {
                    let client = byte(&mut u);
                    let len = usize::from(byte(&mut u)).min(u.len());
                    let bytes = u.bytes(len).unwrap_or_default().to_vec();
                    Op::Raw { client, bytes }
                }
                6 => Op::Long {
                    client: byte(&mut u),
                    kind: byte(&mut u),
                    n: byte(&mut u),
                },
                7 => Op::Connect(byte(&mut u)),
                8 => Op::Disconnect(byte(&mut u)),
                9 => Op::Pause(byte(&mut u)),
                10 => Op::Resume(byte(&mut u)),
                11 => Op::Chunk {
                    client: byte(&mut u),
                    size: byte(&mut u),
                },
                12 => Op::Advance(u.arbitrary().unwrap_or(0)),
                15 if code == 0xff => Op::Shutdown,
                _ => Op::Act {
                    client: byte(&mut u),
                    act: Act::parse(&mut u),
                },
            };
            steps.push(op);
        }
        Script { setup, steps }
    }

    /// The input that [`parse`](Self::parse)s to this script (for writing
    /// seeds).
    ///
    /// # Panics
    /// If a `Raw` step has more than 255 bytes (make it several steps).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.setup.irc, self.setup.flags];
        for op in &self.steps {
            match *op {
                Op::Login { client, nick, how } => out.extend([4, client, nick, how]),
                Op::Act { client, ref act } => {
                    out.extend([0, client]);
                    act.write(&mut out);
                }
                Op::Raw { client, ref bytes } => {
                    assert!(bytes.len() <= 255, "raw bytes of one step: at most 255");
                    out.extend([5, client, bytes.len() as u8]);
                    out.extend(bytes);
                }
                Op::Long { client, kind, n } => out.extend([6, client, kind, n]),
                Op::Connect(c) => out.extend([7, c]),
                Op::Disconnect(c) => out.extend([8, c]),
                Op::Pause(c) => out.extend([9, c]),
                Op::Resume(c) => out.extend([10, c]),
                Op::Chunk { client, size } => out.extend([11, client, size]),
                Op::Advance(ms) => {
                    out.push(12);
                    out.extend(ms.to_le_bytes());
                }
                Op::Shutdown => out.push(0xff),
            }
        }
        out
    }
}

/// A text of exactly `len` bytes, unique by `seq`: `spec & 7` picks the
/// length of [`TEXT_LENS`], `spec >> 3 & 3` the style: words and spaces, no
/// spaces at all, two-byte letters (`ë`, so a split must not cut one), or a
/// leading `:` then three-byte letters and spaces.
pub fn text(seq: u32, len: usize, style: u8) -> String {
    let mut t = match style & 3 {
        0 => format!("{seq} "),
        1 => format!("{seq}-"),
        2 => format!("{seq}"),
        _ => format!(":{seq} "),
    };
    let fill = ["ab cd ", "x", "ë", "字 "][usize::from(style & 3)];
    while t.len() < len {
        for c in fill.chars() {
            if t.len() + c.len_utf8() <= len {
                t.push(c);
            } else if t.len() < len {
                t.push('x');
            }
        }
    }
    // `len` may be shorter than the number itself.
    while t.len() > len {
        t.pop();
    }
    t
}

/// An IRC line of the query vocabulary (`kind % 32`), about a channel of
/// [`ROOMS`] (`arg % 8`) and a nickname of [`NICKS`] (`arg / 8`).
pub fn query_line(kind: u8, arg: u8) -> String {
    let room = ROOMS[usize::from(arg) % ROOMS.len()];
    let nick = NICKS[usize::from(arg / 8) % NICKS.len()];
    match kind % 32 {
        0 => format!("MODE {room}"),
        1 => format!("MODE {room} +b"),
        2 => format!("MODE {nick}"),
        3 => format!("WHO {room}"),
        4 => format!("WHOIS {nick}"),
        5 => "LUSERS".to_string(),
        6 => "CAP LS 302".to_string(),
        7 => "CAP REQ :multi-prefix sasl".to_string(),
        8 => "CAP END".to_string(),
        9 => "CAP BOGUS".to_string(),
        10 => "FOO bar :baz".to_string(),
        11 => "PASS pw".to_string(),
        12 => "USER u 0 * :Real Name".to_string(),
        13 => format!("privmsg {room} :lower case"),
        14 => "PRIVMSG".to_string(),
        15 => format!("PRIVMSG {room}"),
        16 => format!("PRIVMSG {room} :"),
        17 => format!("PRIVMSG {room} :\u{1}VERSION\u{1}"),
        18 => format!(":{nick}!x@y PRIVMSG {room} :prefixed"),
        19 => format!("@time=2026-01-01T00:00:00.000Z;+draft/reply=1 PRIVMSG {room} :tagged"),
        20 => format!("NOTICE {nick} :psst"),
        21 => "JOIN".to_string(),
        22 => "TOPIC".to_string(),
        23 => "NICK".to_string(),
        24 => format!("PART {room},#nope :bye"),
        25 => "001 x :numeric".to_string(),
        26 => format!("PRIVMSG {room} :\u{1}ACTION \u{1}"),
        27 => "   ".to_string(),
        28 => String::new(),
        29 => format!("PRIVMSG {room} :a\u{1}ACTION b"),
        30 => "PING".to_string(),
        _ => format!("PRIVMSG {room},{nick} :two targets"),
    }
}

/// What a run reached (for the replay test's coverage checks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Lines given to bridges.
    pub lines_in: u64,
    /// Of them, lines that do not parse.
    pub unparsed: u64,
    /// Overlong lines dropped.
    pub too_long: u64,
    /// Lines bridges sent.
    pub lines_out: u64,
    /// Welcomes, to IRC and natter clients.
    pub irc_welcomes: u64,
    pub natter_welcomes: u64,
    /// `Say`s the hub acknowledged.
    pub acks: u64,
    /// Messages checked as received, by sender's and receiver's kind.
    pub irc_to_natter: u64,
    pub natter_to_irc: u64,
    pub irc_to_irc: u64,
    pub natter_to_natter: u64,
    /// Of those between worlds, actions.
    pub cross_actions: u64,
    /// Messages an IRC client got over several lines.
    pub split: u64,
    /// Replayed messages an IRC client got as notices.
    pub history: u64,
    /// Whispers an IRC client got.
    pub privates: u64,
    /// Live messages an IRC client got as another member's rendering.
    pub shared: u64,
    pub gaps: u64,
    /// Messages not checked for a receiver because a gap covers them.
    pub excused: u64,
    pub errors: u64,
    pub closes: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, s: Stats) {
        self.lines_in += s.lines_in;
        self.unparsed += s.unparsed;
        self.too_long += s.too_long;
        self.lines_out += s.lines_out;
        self.irc_welcomes += s.irc_welcomes;
        self.natter_welcomes += s.natter_welcomes;
        self.acks += s.acks;
        self.irc_to_natter += s.irc_to_natter;
        self.natter_to_irc += s.natter_to_irc;
        self.irc_to_irc += s.irc_to_irc;
        self.natter_to_natter += s.natter_to_natter;
        self.cross_actions += s.cross_actions;
        self.split += s.split;
        self.history += s.history;
        self.privates += s.privates;
        self.shared += s.shared;
        self.gaps += s.gaps;
        self.excused += s.excused;
        self.errors += s.errors;
        self.closes += s.closes;
    }
}

/// Run the script in `data`; `Err` says which step broke which promise.
///
/// # Errors
/// The first broken promise, with the step it broke at.
pub fn check(data: &[u8]) -> Result<Stats, String> {
    run(&Script::parse(data))
}

/// Run a script.
///
/// # Errors
/// The first broken promise, with the step it broke at and the setup.
pub fn run(script: &Script) -> Result<Stats, String> {
    let result = if script.setup.irc & 0x40 != 0 {
        WideWorld::new(script.setup).play(&script.steps)
    } else {
        SmallWorld::new(script.setup).play(&script.steps)
    };
    result.map_err(|e| format!("{e}\nsetup: {:?}", script.setup))
}

type Check = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}

/// A name as the hub compares names (the rule of [`same_name`]): ASCII
/// lower case, and `[]\` as `{}|`.
fn key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '[' => '{',
            ']' => '}',
            '\\' => '|',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Bytes the server reads at a time: the client's chunk size, but at
/// least a 32nd of what waits, so a long input is cut into a few dozen
/// reads rather than read byte by byte (the line scan, like the server's,
/// starts over at each read, so that would be quadratic and slow the
/// fuzzer down for nothing new); `all` without a chunk size.
fn read_size(chunk: Option<usize>, waiting: usize, all: usize) -> usize {
    chunk.map_or(all, |c| c.max(waiting / 32))
}

/// `nick!nick@natter`, the prefix of a member's lines.
fn user_prefix(nick: &str) -> String {
    format!("{nick}!{nick}@natter")
}

/// The server side of one IRC connection: `server-std/src/irc.rs`'s
/// `IrcConn`, with a log of what each line did for the checks.
struct IrcSide {
    bridge: Bridge,
    /// Bytes read and not yet a whole line.
    reader: LineReader,
    /// Frames made from its lines that the hub has not taken yet.
    pending: Vec<u8>,
    /// IRC lines waiting for the client to read them.
    out: Vec<u8>,
}

/// What one line did: the frames it made for the hub and the lines it
/// answered with.
struct Handled {
    /// The line, or `None` for an overlong one the driver dropped.
    line: Option<Vec<u8>>,
    /// The bridge was registered before the line.
    registered: bool,
    frames: Vec<Vec<u8>>,
    /// A frame the bridge made that does not encode, and why.
    unencodable: Option<String>,
    replies: Vec<Vec<u8>>,
    /// The client's name in numerics, after the line.
    name: String,
}

impl IrcSide {
    fn new() -> IrcSide {
        IrcSide {
            bridge: Bridge::new(SERVER),
            reader: LineReader::new(),
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Bytes read from the socket: as many of `data` as the line buffer
    /// has room for (the server reads into it); returns how many.
    fn received(&mut self, data: &[u8], dir: &impl Directory, log: &mut Vec<Handled>) -> usize {
        let n = self.reader.push(data);
        self.lines(dir, log);
        n
    }

    /// Turn the whole lines waiting into frames, until the hub has to take
    /// what they made, the answers waiting for the client fill its output
    /// (the server's `IrcConn::output_full`) or its hello awaits the hub's
    /// answer.
    fn lines(&mut self, dir: &impl Directory, log: &mut Vec<Handled>) {
        while self.pending.is_empty()
            && self.out.len() < IRC_OUT_LOW
            && !self.bridge.awaiting_welcome()
        {
            let Some(read) = self.reader.next() else {
                break;
            };
            let mut h = Handled {
                line: None,
                registered: self.bridge.registered(),
                frames: Vec::new(),
                unencodable: None,
                replies: Vec::new(),
                name: String::new(),
            };
            let (pending, out) = (&mut self.pending, &mut self.out);
            let (frames, unencodable, replies) =
                (&mut h.frames, &mut h.unencodable, &mut h.replies);
            let mut answer = |line: &[u8]| {
                out.extend_from_slice(line);
                replies.push(line.to_vec());
            };
            match read {
                Read::Line(line) => {
                    h.line = Some(line.to_vec());
                    self.bridge.handle_line(
                        line,
                        dir,
                        &mut |frame: &Frame<'_>| {
                            let mut buf = [0u8; MAX_FRAME_LEN];
                            match frame.encode(&mut buf) {
                                Ok(n) => {
                                    pending.extend_from_slice(&buf[..n]);
                                    frames.push(buf[..n].to_vec());
                                }
                                Err(e) => *unencodable = Some(format!("{frame:?}: {e}")),
                            }
                        },
                        &mut answer,
                    );
                }
                Read::TooLong => self.bridge.handle_too_long(&mut answer),
            }
            h.name = self.bridge.client_name().to_string();
            log.push(h);
        }
    }
}

/// A slot's bytes, growable as the server's `SlotBuffer` is.
#[derive(Default)]
struct SlotBuffer(Vec<u8>);

impl SlotBytes for SlotBuffer {
    fn as_slice(&self) -> &[u8] {
        &self.0
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn try_extend(&mut self, bytes: &[u8]) -> Result<(), CapacityError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// A `Say` or `Whisper` a bridge sent, waiting for the hub's answer.
#[derive(Debug)]
struct Asked {
    tag: u32,
    /// The room of a `Say`; `None` for a whisper.
    room: Option<String>,
    text: String,
    flags: u8,
}

/// One stay of a client in a room, from `Entered` to `Left`, `Bye` or the
/// end of the connection.
#[derive(Debug)]
struct Stay {
    epoch: u32,
    /// Events from this id on are live.
    next_id: u64,
    /// The last event id received, 0 before the first.
    last: u64,
    /// A `Gap` came after event `last`, and no event since.
    gap_open: bool,
    /// Ids strictly between the two that a `Gap` said were missed.
    holes: Vec<(u64, u64)>,
    /// Ids of the messages received.
    got: BTreeSet<u64>,
}

impl Stay {
    fn excused(&self, id: u64) -> bool {
        self.gap_open && id > self.last || self.holes.iter().any(|&(a, b)| a < id && id < b)
    }
}

/// A natter client's socket, as the core's pump writes to it: it takes
/// everything.
struct Socket<'c>(&'c mut Client);

impl Wire for Socket<'_> {
    fn read(&mut self, _: ConnId, _: &mut [u8]) -> Received {
        // The driver offers input itself.
        Received::Nothing
    }

    fn write(&mut self, _: ConnId, bytes: &[u8]) -> usize {
        self.0.inbox.extend_from_slice(bytes);
        bytes.len()
    }

    fn closed(&mut self, _: ConnId) {}
}

/// One client and, at most, one connection of it.
#[derive(Default)]
struct Client {
    irc: bool,
    conn: Option<ConnId>,
    /// Connections opened so far, to tell them apart.
    generation: u32,
    /// Bytes sent that the server has not read yet.
    wire: Vec<u8>,
    /// Bytes the server reads at a time.
    chunk: Option<usize>,
    paused: bool,
    /// The hub had output for it that the driver did not take.
    blocked: bool,
    /// An IRC client's server side, while connected.
    side: Option<IrcSide>,
    /// A natter client's received bytes not yet decoded.
    inbox: Vec<u8>,
    /// The nickname the hub confirmed.
    nick: Option<String>,
    /// Got a `Bye` on this connection.
    bye: bool,
    /// Rooms it is in, by room key.
    stays: BTreeMap<String, Stay>,
    /// A natter client's last tag, and its tagged requests not answered.
    tag: u32,
    said: BTreeMap<u32, (String, u8)>,
    /// A natter client sent raw bytes: its tags no longer mean anything.
    garbled: bool,
    /// An IRC client's bridge's tagged requests not answered, oldest first.
    asked: VecDeque<Asked>,
    /// Messages to check once it reads again, with the connection they
    /// were for.
    deferred: Vec<(MessageKey, u32)>,
}

/// A message by room key, room epoch and id.
type MessageKey = (String, u32, u64);
/// What everyone must see of a message: sender's nickname, text, flags,
/// time.
type Content = (String, String, u8, u64);

/// An acknowledged message and who sent it (client, connection).
struct Acked {
    content: Content,
    sender: (usize, u32),
    irc: bool,
}

struct World<const HIST: usize, const TEXT: usize, const OUT: usize> {
    hub: InlineHub<CLIENTS, 2, HIST, TEXT, OUT>,
    password: bool,
    now: Instant,
    clients: Vec<Client>,
    /// Texts made so far, to keep them unique.
    seq: u32,
    acked: BTreeMap<MessageKey, Acked>,
    /// Copies received before their sender's `Ack`.
    received: BTreeMap<MessageKey, Content>,
    /// Acknowledged since the last delivery check.
    fresh: Vec<MessageKey>,
    /// Live messages as IRC lines, rendered once for all IRC members.
    shared: SharedLines<Vec<Slot<SlotBuffer>>>,
    stats: Stats,
    pump: Pump,
}

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    fn new(setup: Setup) -> Self {
        let f = setup.flags;
        let classroom = f & 0x10 != 0;
        let mut config = Config {
            allow_new_rooms: !classroom,
            history: HISTORY[usize::from(f & 7)],
            max_conns: CLIENTS,
            room_capacity: if f & 0x20 != 0 { 3 } else { usize::MAX },
            flood_rate: if setup.irc & 0x80 != 0 { 5 } else { 0 },
            flood_burst: 10,
            clock_origin_unix_ms: CLOCK_ORIGIN,
            ..Config::default()
        };
        if f & 0x08 != 0 {
            let _ = config.password.push_str("pw");
        }
        let mut hub = InlineHub::new(config);
        hub.add_room("lobby").expect("lobby");
        if classroom {
            hub.add_room("other").expect("other");
        }
        World {
            hub,
            password: f & 0x08 != 0,
            now: Instant(0),
            clients: (0..CLIENTS)
                .map(|i| Client {
                    irc: setup.irc & (1 << i) != 0,
                    ..Client::default()
                })
                .collect(),
            seq: 0,
            acked: BTreeMap::new(),
            received: BTreeMap::new(),
            fresh: Vec::new(),
            shared: SharedLines::new((0..SHARED_SLOTS).map(|_| Slot::default()).collect()),
            stats: Stats::default(),
            pump: Pump::new(),
        }
    }

    fn play(mut self, steps: &[Op]) -> Result<Stats, String> {
        for (i, op) in steps.iter().enumerate() {
            let at = |e: String| format!("step {i} ({op:?}): {e}");
            self.apply(op).map_err(at)?;
            self.settle().map_err(at)?;
            self.check_quiet().map_err(at)?;
            self.check_deliveries().map_err(at)?;
        }
        // The end: everyone reads everything.
        let at = |e: String| format!("at the end: {e}");
        for ci in 0..CLIENTS {
            self.resume(ci).map_err(at)?;
        }
        self.settle().map_err(at)?;
        self.check_quiet().map_err(at)?;
        self.check_deliveries().map_err(at)?;
        Ok(self.stats)
    }

    fn client_of(&self, conn: ConnId) -> Option<usize> {
        self.clients.iter().position(|c| c.conn == Some(conn))
    }

    // ----- actions -------------------------------------------------------

    fn apply(&mut self, op: &Op) -> Check {
        let ci = |c: u8| usize::from(c & 0x7f) % CLIENTS;
        let lf = |c: u8| c & 0x80 != 0;
        match *op {
            Op::Login { client, nick, how } => {
                let c = ci(client);
                self.connect(c)?;
                let nick = NICKS[usize::from(nick) % NICKS.len()];
                if self.clients[c].irc {
                    let mut lines = Vec::new();
                    if how & 1 != 0 {
                        lines.push("CAP LS 302".to_string());
                    }
                    if how & 2 != 0 {
                        lines.push("PASS wrong".to_string());
                    } else if self.password {
                        lines.push("PASS pw".to_string());
                    }
                    let (n, u) = (format!("NICK {nick}"), "USER student 0 * :A Student");
                    if how & 4 != 0 {
                        lines.extend([u.to_string(), n]);
                    } else {
                        lines.extend([n, u.to_string()]);
                    }
                    if how & 1 != 0 {
                        lines.push("CAP END".to_string());
                    }
                    for line in lines {
                        self.send_line(c, &line, lf(client));
                    }
                } else {
                    let password = if how & 2 != 0 {
                        "wrong"
                    } else if self.password {
                        "pw"
                    } else {
                        ""
                    };
                    self.send_frame(
                        c,
                        &Frame::Hello {
                            version: VERSION,
                            nick,
                            password,
                        },
                    );
                }
            }
            Op::Act { client, ref act } => {
                let c = ci(client);
                self.connect(c)?;
                if self.clients[c].irc {
                    let line = self.irc_line(act);
                    self.send_line(c, &line, lf(client));
                } else {
                    self.natter_act(c, act);
                }
            }
            Op::Raw { client, ref bytes } => {
                let c = ci(client);
                self.connect(c)?;
                let cl = &mut self.clients[c];
                cl.wire.extend_from_slice(bytes);
                cl.garbled = true;
            }
            Op::Long { client, kind, n } => {
                let c = ci(client);
                self.connect(c)?;
                let n = usize::from(n);
                if self.clients[c].irc {
                    let bytes = match kind % 4 {
                        0 => format!("PRIVMSG #lobby :{}\r\n", "x".repeat(480 + n)),
                        1 => "A".repeat(8 * n),
                        2 => format!("@{} PRIVMSG #lobby :tagged\r\n", "a=b;".repeat(8 * n)),
                        _ => format!("PRIVMSG #lobby :{}\r\n", "ë".repeat(n)),
                    };
                    self.clients[c].wire.extend_from_slice(bytes.as_bytes());
                } else {
                    match kind % 4 {
                        0 => {
                            let text = "x".repeat((480 + n).min(512));
                            self.say(c, "lobby", &text, 0);
                        }
                        1 => {
                            let cl = &mut self.clients[c];
                            cl.wire.extend_from_slice(&[0xff, 0xff]);
                            cl.garbled = true;
                        }
                        _ => {}
                    }
                }
            }
            Op::Connect(c) => self.connect(ci(c))?,
            Op::Disconnect(c) => self.disconnect(ci(c)),
            Op::Pause(c) => self.clients[ci(c)].paused = true,
            Op::Resume(c) => self.resume(ci(c))?,
            Op::Chunk { client, size } => {
                self.clients[ci(client)].chunk = (size != 0).then_some(usize::from(size));
            }
            Op::Advance(v) => {
                self.settle()?;
                let ms = if v < 0x8000 {
                    u64::from(v)
                } else {
                    u64::from(v - 0x8000) * 8
                };
                self.advance(ms)?;
            }
            Op::Shutdown => self.hub.shutdown(self.now, "class is over"),
        }
        Ok(())
    }

    fn next_text(&mut self, spec: u8) -> String {
        self.seq += 1;
        text(self.seq, TEXT_LENS[usize::from(spec & 7)], spec >> 3)
    }

    /// The IRC line for an act, without its line ending.
    fn irc_line(&mut self, act: &Act) -> String {
        let room = |r: u8| ROOMS[usize::from(r) % ROOMS.len()];
        let nick = |n: u8| NICKS[usize::from(n) % NICKS.len()];
        let wrap = |text: String, spec: u8| {
            if spec & 0x20 != 0 {
                format!("\u{1}ACTION {text}\u{1}")
            } else {
                text
            }
        };
        match *act {
            Act::Join { room: r } => format!("JOIN {}", room(r)),
            Act::Part { room: r, reason } => match REASONS[usize::from(reason) % REASONS.len()] {
                "" => format!("PART {}", room(r)),
                why => format!("PART {} :{why}", room(r)),
            },
            Act::Say { room: r, text } => {
                let t = wrap(self.next_text(text), text);
                format!("PRIVMSG {} :{t}", room(r))
            }
            Act::Notice { room: r, text } => {
                let t = wrap(self.next_text(text), text);
                format!("NOTICE {} :{t}", room(r))
            }
            Act::Whisper { to, text } => {
                let t = wrap(self.next_text(text), text);
                format!("PRIVMSG {} :{t}", nick(to))
            }
            Act::Nick { nick: n } => format!("NICK {}", nick(n)),
            Act::Topic { room: r, len } => match len % 6 {
                5 => format!("TOPIC {}", room(r)),
                l => {
                    self.seq += 1;
                    let topic = text(self.seq, TOPIC_LENS[usize::from(l)], len >> 3);
                    format!("TOPIC {} :{topic}", room(r))
                }
            },
            Act::Quit { reason } => {
                format!("QUIT :{}", REASONS[usize::from(reason) % REASONS.len()])
            }
            Act::Ping { token } if token & 0x80 != 0 => format!("PONG :t{}", token & 0x7f),
            Act::Ping { token } => format!("PING :t{token}"),
            Act::Query { kind, arg } => query_line(kind, arg),
        }
    }

    /// The natter frames for an act. Invalid names make no frame (the
    /// encoder refuses them; the decode target covers such bytes).
    fn natter_act(&mut self, ci: usize, act: &Act) {
        let room = |r: u8| {
            let name = ROOMS[usize::from(r) % ROOMS.len()];
            name.strip_prefix('#').unwrap_or(name)
        };
        let nick = |n: u8| NICKS[usize::from(n) % NICKS.len()];
        let flags = |spec: u8| if spec & 0x20 != 0 { FLAG_ACTION } else { 0 };
        match *act {
            Act::Join { room: r } => self.send_frame(
                ci,
                &Frame::Join {
                    room: room(r),
                    epoch: 0,
                    since: 0,
                },
            ),
            Act::Part { room: r, reason } => self.send_frame(
                ci,
                &Frame::Part {
                    room: room(r),
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Act::Say { room: r, text } | Act::Notice { room: r, text } => {
                let t = self.next_text(text);
                self.say(ci, room(r), &t, flags(text));
            }
            Act::Whisper { to, text } => {
                let t = self.next_text(text);
                let tag = self.next_tag(ci);
                self.clients[ci].said.insert(tag, (t.clone(), flags(text)));
                self.send_frame(
                    ci,
                    &Frame::Whisper {
                        tag,
                        to: nick(to),
                        flags: flags(text),
                        text: &t,
                    },
                );
            }
            Act::Nick { nick: n } => self.send_frame(ci, &Frame::SetNick { nick: nick(n) }),
            Act::Topic { room: r, len } => {
                if len % 6 < 5 {
                    self.seq += 1;
                    let topic = text(self.seq, TOPIC_LENS[usize::from(len % 6)], len >> 3);
                    self.send_frame(
                        ci,
                        &Frame::SetTopic {
                            room: room(r),
                            topic: &topic,
                        },
                    );
                }
            }
            Act::Quit { reason } => self.send_frame(
                ci,
                &Frame::Quit {
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Act::Ping { token } if token & 0x80 != 0 => self.send_frame(
                ci,
                &Frame::Pong {
                    token: u32::from(token),
                },
            ),
            Act::Ping { token } => self.send_frame(
                ci,
                &Frame::Ping {
                    token: u32::from(token),
                },
            ),
            Act::Query { kind, arg } => match kind % 3 {
                0 => self.send_frame(
                    ci,
                    &Frame::Hello {
                        version: VERSION,
                        nick: nick(arg),
                        password: "",
                    },
                ),
                1 => self.send_frame(ci, &Frame::Left { room: room(arg) }),
                _ => self.send_frame(
                    ci,
                    &Frame::Ping {
                        token: u32::from(arg),
                    },
                ),
            },
        }
    }

    /// A natter client's `Say`, remembered by its tag.
    /// A natter client's next tag (its own series: tags are per
    /// connection).
    fn next_tag(&mut self, ci: usize) -> u32 {
        let c = &mut self.clients[ci];
        c.tag = c.tag.wrapping_add(1).max(1);
        c.tag
    }

    fn say(&mut self, ci: usize, room: &str, text: &str, flags: u8) {
        let tag = self.next_tag(ci);
        self.clients[ci].said.insert(tag, (text.to_string(), flags));
        self.send_frame(
            ci,
            &Frame::Say {
                tag,
                room,
                flags,
                text,
            },
        );
    }

    fn send_frame(&mut self, ci: usize, frame: &Frame<'_>) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        if let Ok(n) = frame.encode(&mut buf) {
            self.clients[ci].wire.extend_from_slice(&buf[..n]);
        }
    }

    fn send_line(&mut self, ci: usize, line: &str, lf_only: bool) {
        let wire = &mut self.clients[ci].wire;
        wire.extend_from_slice(line.as_bytes());
        wire.extend_from_slice(if lf_only { b"\n" } else { b"\r\n" });
    }

    fn connect(&mut self, ci: usize) -> Check {
        if self.clients[ci].conn.is_some() {
            return Ok(());
        }
        // Each client holds at most one of the hub's slots, and the hub has
        // one per client: a refusal is a leaked slot.
        let id = self
            .hub
            .handle_connect(self.now)
            .map_err(|e| format!("client {ci} refused a connection: {e:?}"))?;
        ensure!(
            self.client_of(id).is_none(),
            "{id:?} handed out while the driver still holds it"
        );
        let c = &mut self.clients[ci];
        c.conn = Some(id);
        c.generation += 1;
        c.side = c.irc.then(IrcSide::new);
        Ok(())
    }

    fn disconnect(&mut self, ci: usize) {
        if let Some(id) = self.clients[ci].conn {
            self.hub.handle_disconnect(self.now, id);
            self.gone(ci);
        }
    }

    /// The client's connection is gone: closed by the hub or dropped.
    fn gone(&mut self, ci: usize) {
        let c = &mut self.clients[ci];
        c.conn = None;
        c.wire.clear();
        c.side = None;
        c.inbox.clear();
        c.nick = None;
        c.bye = false;
        c.blocked = false;
        c.stays.clear();
        c.said.clear();
        c.garbled = false;
        c.asked.clear();
        c.deferred.clear();
    }

    /// The client reads again, starting with what waited for it.
    fn resume(&mut self, ci: usize) -> Check {
        self.clients[ci].paused = false;
        self.read_lines(ci);
        self.read_frames(ci)
    }

    /// Run the hub's timers at each deadline up to `ms` from now, writing
    /// output after each, as a driver sleeping on `poll_timeout` would.
    fn advance(&mut self, ms: u64) -> Check {
        let target = Instant(self.now.0 + ms);
        for _ in 0..1000 {
            let next = self.hub.poll_timeout().filter(|&t| t <= target);
            self.now = next.unwrap_or(target).max(self.now);
            self.hub.handle_timeout(self.now);
            self.settle()?;
            if next.is_none() {
                return Ok(());
            }
        }
        Err(format!("timers never get to {target:?}"))
    }

    // ----- the driver's loop ---------------------------------------------

    /// Feed waiting input, write output where the hub says there is some
    /// (and where it was held back from a client that reads again), take
    /// closes; until nothing moves.
    fn settle(&mut self) -> Check {
        for _ in 0..10_000 {
            let mut progress = false;
            for ci in 0..CLIENTS {
                progress |= self.offer(ci)?;
            }
            let mut ids = Vec::new();
            while let Some(id) = self.hub.poll_transmit() {
                ids.push(id);
            }
            for c in &self.clients {
                if c.blocked && !c.paused {
                    ids.extend(c.conn);
                }
            }
            for id in ids {
                progress |= self.flush(id)?;
            }
            while let Some(id) = self.hub.poll_close() {
                let Some(ci) = self.client_of(id) else {
                    return Err(format!("poll_close gave {id:?}, which no client holds"));
                };
                let c = &self.clients[ci];
                ensure!(
                    c.bye || c.paused,
                    "client {ci} is reading, but {id:?} was closed without a Bye"
                );
                self.gone(ci);
                self.stats.closes += 1;
                progress = true;
            }
            self.drain_events();
            if !progress {
                return Ok(());
            }
        }
        Err("the hub never goes quiet".to_string())
    }

    fn drain_events(&mut self) {
        while self.hub.poll_event().is_some() {}
    }

    /// The server reads what the client sent, as far as the hub takes it.
    fn offer(&mut self, ci: usize) -> Result<bool, String> {
        if self.clients[ci].irc {
            self.offer_irc(ci)
        } else {
            self.offer_natter(ci)
        }
    }

    fn offer_natter(&mut self, ci: usize) -> Result<bool, String> {
        let mut took = false;
        loop {
            let c = &mut self.clients[ci];
            let Some(id) = c.conn else {
                return Ok(took);
            };
            if c.wire.is_empty() {
                return Ok(took);
            }
            let len = c
                .wire
                .len()
                .min(read_size(c.chunk, c.wire.len(), usize::MAX));
            let n = self.hub.handle_bytes(self.now, id, &c.wire[..len]);
            ensure!(n <= len, "handle_bytes took {n} of {len} bytes");
            c.wire.drain(..n);
            self.drain_events();
            if n == 0 {
                return Ok(took);
            }
            took = true;
        }
    }

    /// `read_irc` of the std server: first what the last lines made, then
    /// the lines waiting, then more bytes from the socket.
    fn offer_irc(&mut self, ci: usize) -> Result<bool, String> {
        let mut took = false;
        loop {
            loop {
                let c = &mut self.clients[ci];
                let (Some(id), Some(side)) = (c.conn, c.side.as_mut()) else {
                    return Ok(took);
                };
                if !side.pending.is_empty() {
                    let n = self.hub.handle_bytes(self.now, id, &side.pending);
                    ensure!(n <= side.pending.len(), "handle_bytes took {n} bytes");
                    side.pending.drain(..n);
                    took |= n > 0;
                    self.drain_events();
                    let c = &mut self.clients[ci];
                    if c.side.as_ref().is_some_and(|s| !s.pending.is_empty()) {
                        return Ok(took);
                    }
                }
                let mut log = Vec::new();
                if let Some(side) = self.clients[ci].side.as_mut() {
                    side.lines(&self.hub, &mut log);
                }
                took |= !log.is_empty();
                for h in log {
                    self.handled(ci, h)?;
                }
                self.read_lines(ci);
                let c = &self.clients[ci];
                if c.side.as_ref().is_none_or(|s| s.pending.is_empty()) {
                    break;
                }
            }
            let c = &mut self.clients[ci];
            if c.wire.is_empty()
                || c.side
                    .as_ref()
                    .is_some_and(|s| s.out.len() >= IRC_OUT_LOW || s.bridge.awaiting_welcome())
            {
                // Nothing to read, or its own answers wait unread: the
                // server reads no more until they are written.
                return Ok(took);
            }
            let n = c.wire.len().min(read_size(c.chunk, c.wire.len(), 4096));
            took = true;
            let mut log = Vec::new();
            if let Some(side) = c.side.as_mut() {
                // Never more than the line buffer has room for, as the
                // server reads into it.
                let taken = side.received(&c.wire[..n], &self.hub, &mut log);
                c.wire.drain(..taken);
            }
            for h in log {
                self.handled(ci, h)?;
            }
            // The answers the bridge made itself (numerics, `PONG`, `WHO`)
            // are written too: the server is woken "writable" with every
            // read.
            self.read_lines(ci);
        }
    }

    /// Write what the hub has for `id` to its client.
    fn flush(&mut self, id: ConnId) -> Result<bool, String> {
        let Some(ci) = self.client_of(id) else {
            return Ok(false);
        };
        if self.clients[ci].irc {
            return self.flush_irc(ci, id);
        }
        let mut buf = [0u8; 4096];
        if self.clients[ci].paused {
            // The socket is full: the write would block.
            let len = self.hub.transmit(self.now, id, buf.len()).copy_to(&mut buf);
            self.clients[ci].blocked |= len > 0;
            return Ok(false);
        }
        self.clients[ci].blocked = false;
        let mut progress = false;
        for _ in 0..10_000 {
            // The core's pump writes as a driver does: lend, write, commit,
            // let waiting requests go on.
            let mut socket = Socket(&mut self.clients[ci]);
            if self.pump.flush(&mut self.hub, self.now, id, &mut socket) == 0 {
                return Ok(progress);
            }
            progress = true;
            self.drain_events();
            self.read_frames(ci)?;
            if self.clients[ci].conn != Some(id) {
                return Ok(true);
            }
        }
        Err(format!("{id:?}: transmit never runs dry"))
    }

    /// `flush_irc` of the std server: the hub's frames through the bridge
    /// while the client's lines leave room, then the client reads them
    /// (unless it is not reading).
    fn flush_irc(&mut self, ci: usize, id: ConnId) -> Result<bool, String> {
        let mut buf = vec![0u8; IRC_FRAMES];
        let mut progress = false;
        self.clients[ci].blocked = false;
        for _ in 0..10_000 {
            let c = &mut self.clients[ci];
            let Some(side) = c.side.as_mut() else {
                return Ok(progress);
            };
            if side.out.len() >= IRC_OUT_LOW {
                c.blocked = true;
                return Ok(progress);
            }
            let mut tx = self.hub.transmit(self.now, id, buf.len());
            let taken = tx.copy_to(&mut buf);
            tx.commit(taken);
            if taken == 0 {
                return Ok(progress);
            }
            progress = true;
            let mut rest = &buf[..taken];
            while !rest.is_empty() {
                let len = match frame_len(rest) {
                    Ok(Some(len)) if len <= rest.len() => len,
                    other => {
                        return Err(format!(
                            "transmit lent bytes that are not whole frames: {other:?}"
                        ));
                    }
                };
                let (bytes, after) = rest.split_at(len);
                rest = after;
                let Ok(Status::Complete((frame, _))) = decode(bytes) else {
                    return Err(format!(
                        "transmit lent a frame that does not decode: {bytes:02x?}"
                    ));
                };
                let (lines, name) = self.render(ci, bytes)?;
                for line in &lines {
                    self.stats.lines_out += 1;
                    check_line(line, &name)
                        .map_err(|e| format!("client {ci}, for {frame:?}: {e}"))?;
                }
                self.observe(ci, frame, Some(&lines))
                    .map_err(|e| format!("client {ci} (IRC), {frame:?}: {e}"))?;
                if let Some(side) = self.clients[ci].side.as_mut() {
                    side.out.extend(lines.iter().flatten());
                }
            }
            self.read_lines(ci);
            self.hub.resume_input(self.now, id);
            self.drain_events();
        }
        Err(format!("{id:?}: transmit never runs dry"))
    }

    /// The lines of one frame for IRC client `ci`, and its name in
    /// numerics after it: `transmitted` of the std server, one frame at a
    /// time. A live room message another IRC member's bridge already
    /// rendered is copied from the shared slots when this bridge shows it
    /// live too; otherwise the bridge renders the frame, and a live message
    /// is kept for the others.
    fn render(&mut self, ci: usize, bytes: &[u8]) -> Result<(Vec<Vec<u8>>, String), String> {
        let Some(side) = self.clients[ci].side.as_mut() else {
            return Ok((Vec::new(), String::new()));
        };
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let how = self
            .shared
            .render(&mut side.bridge, bytes, &mut |l: &[u8]| {
                lines.push(l.to_vec())
            });
        match how {
            Some(Rendered::Copied) => self.stats.shared += 1,
            Some(Rendered::Written) => {}
            None => return Err(format!("a frame that decodes is not one: {bytes:02x?}")),
        }
        Ok((lines, side.bridge.client_name().to_string()))
    }

    /// A reading IRC client reads its lines, and answers a `PING`.
    fn read_lines(&mut self, ci: usize) {
        let c = &mut self.clients[ci];
        if c.paused {
            return;
        }
        let Some(side) = c.side.as_mut() else {
            return;
        };
        let out = std::mem::take(&mut side.out);
        for line in out.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b"PING ") {
                c.wire
                    .extend_from_slice(format!("PONG {SERVER}\r\n").as_bytes());
            }
        }
    }

    /// A reading natter client decodes the whole frames it has.
    fn read_frames(&mut self, ci: usize) -> Check {
        loop {
            let c = &self.clients[ci];
            if c.irc || c.paused {
                return Ok(());
            }
            let n = match decode(&c.inbox) {
                Ok(Status::Complete((_, n))) => n,
                Ok(Status::Partial { .. }) => return Ok(()),
                Err(e) => {
                    let head = &c.inbox[..c.inbox.len().min(16)];
                    return Err(format!(
                        "client {ci} got bytes that do not decode ({e:?}): {head:02x?}"
                    ));
                }
            };
            let raw: Vec<u8> = self.clients[ci].inbox.drain(..n).collect();
            let Ok(Status::Complete((frame, _))) = decode(&raw) else {
                return Err("a frame that decoded a moment ago does not".to_string());
            };
            self.observe(ci, frame, None)
                .map_err(|e| format!("client {ci} (natter), {frame:?}: {e}"))?;
        }
    }

    // ----- what a line did ------------------------------------------------

    /// Check what one line of an IRC client made, and remember its tagged
    /// requests.
    fn handled(&mut self, ci: usize, h: Handled) -> Check {
        for reply in &h.replies {
            self.stats.lines_out += 1;
            check_line(reply, &h.name).map_err(|e| format!("client {ci}: {e}"))?;
        }
        let Some(line) = h.line else {
            self.stats.too_long += 1;
            return Ok(());
        };
        self.stats.lines_in += 1;
        let shown = String::from_utf8_lossy(&line);
        if let Some(why) = h.unencodable {
            return Err(format!(
                "client {ci}: {shown:?} made a frame that does not encode: {why}"
            ));
        }
        let mut frames = Vec::new();
        for bytes in &h.frames {
            match decode(bytes) {
                Ok(Status::Complete((frame, n))) if n == bytes.len() => frames.push(frame),
                other => return Err(format!("a bridge frame does not decode back: {other:?}")),
            }
        }
        let message = match parse(&line) {
            Ok(m) => m,
            Err(_) => {
                self.stats.unparsed += 1;
                ensure!(
                    frames.is_empty(),
                    "client {ci}: the unreadable line {shown:?} made frames: {frames:?}"
                );
                return Ok(());
            }
        };
        for frame in &frames {
            ensure!(
                may_make(&message, h.registered, frame),
                "client {ci}: {shown:?} (registered: {}) made {frame:?}",
                h.registered
            );
        }
        let targets = match message.param(0) {
            Some(p) if message.is("JOIN") || message.is("PART") => p.split(',').count(),
            _ => 1,
        };
        ensure!(
            frames.len() <= targets,
            "client {ci}: {shown:?} made {} frames: {frames:?}",
            frames.len()
        );
        if h.registered && (message.is("PRIVMSG") || message.is("NOTICE")) {
            let want = said(&message);
            ensure!(
                frames == want,
                "client {ci}: {shown:?} made {frames:?}, not {want:?}"
            );
        }
        let c = &mut self.clients[ci];
        for frame in frames {
            match frame {
                Frame::Say {
                    tag,
                    room,
                    flags,
                    text,
                } => c.asked.push_back(Asked {
                    tag,
                    room: Some(room.to_string()),
                    text: text.to_string(),
                    flags,
                }),
                Frame::Whisper {
                    tag, flags, text, ..
                } => c.asked.push_back(Asked {
                    tag,
                    room: None,
                    text: text.to_string(),
                    flags,
                }),
                _ => {}
            }
        }
        Ok(())
    }

    // ----- what a client receives ------------------------------------------

    fn stay(&mut self, ci: usize, room: &str) -> Result<&mut Stay, String> {
        self.clients[ci]
            .stays
            .get_mut(&key(room))
            .ok_or_else(|| format!("a frame of {room}, which it is not in"))
    }

    /// A room event arrived: ids only go up within a stay.
    fn event(&mut self, ci: usize, room: &str, id: u64) -> Result<&mut Stay, String> {
        let stay = self.stay(ci, room)?;
        ensure!(id > stay.last, "event {id} after event {}", stay.last);
        if stay.gap_open {
            stay.holes.push((stay.last, id));
            stay.gap_open = false;
        }
        stay.last = id;
        Ok(stay)
    }

    /// One frame the hub sent client `ci`; for an IRC client, with the
    /// lines its bridge made of it.
    fn observe(&mut self, ci: usize, frame: Frame<'_>, lines: Option<&[Vec<u8>]>) -> Check {
        ensure!(!self.clients[ci].bye, "a frame after the Bye");
        let generation = self.clients[ci].generation;
        match frame {
            Frame::Welcome { nick, .. } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_none(), "welcomed twice");
                c.nick = Some(nick.to_string());
                if c.irc {
                    self.stats.irc_welcomes += 1;
                } else {
                    self.stats.natter_welcomes += 1;
                }
            }
            Frame::NickSet { nick } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "NickSet before the welcome");
                c.nick = Some(nick.to_string());
            }
            Frame::Entered {
                room,
                epoch,
                next_id,
                ..
            } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "entered before the welcome");
                let stay = Stay {
                    epoch,
                    next_id,
                    last: 0,
                    gap_open: false,
                    holes: Vec::new(),
                    got: BTreeSet::new(),
                };
                ensure!(c.stays.insert(key(room), stay).is_none(), "entered twice");
            }
            Frame::Left { room } => {
                self.stay(ci, room)?;
                self.clients[ci].stays.remove(&key(room));
            }
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                let stay = self.event(ci, room, id)?;
                stay.got.insert(id);
                let (epoch, live) = (stay.epoch, id >= stay.next_id);
                if let Some(lines) = lines {
                    let target = format!("#{room}");
                    if live {
                        let action = flags & FLAG_ACTION != 0;
                        text_lines(lines, &user_prefix(from), "PRIVMSG", &target, action, text)?;
                    } else {
                        let minutes = time / 60_000 % (24 * 60);
                        let (h, m) = (minutes / 60, minutes % 60);
                        let line = if flags & FLAG_ACTION != 0 {
                            format!("[{h:02}:{m:02}] * {from} {text}")
                        } else {
                            format!("[{h:02}:{m:02}] <{from}> {text}")
                        };
                        text_lines(lines, SERVER, "NOTICE", &target, false, &line)?;
                        self.stats.history += 1;
                    }
                    if lines.len() > 1 {
                        self.stats.split += 1;
                    }
                }
                let message = (key(room), epoch, id);
                let content = (from.to_string(), text.to_string(), flags, time);
                match self.acked.get(&message) {
                    Some(acked) => {
                        ensure!(
                            acked.sender != (ci, generation),
                            "its own message {id} came back"
                        );
                        ensure!(
                            acked.content == content,
                            "message {message:?} is {content:?}, its sender was told {:?}",
                            acked.content
                        );
                    }
                    None => {
                        let first = self
                            .received
                            .entry(message.clone())
                            .or_insert_with(|| content.clone());
                        ensure!(
                            *first == content,
                            "message {message:?} is {content:?} here and {first:?} elsewhere"
                        );
                    }
                }
            }
            Frame::Joined { room, id, .. }
            | Frame::Parted { room, id, .. }
            | Frame::NickChanged { room, id, .. }
            | Frame::TopicChanged { room, id, .. } => {
                self.event(ci, room, id)?;
            }
            Frame::Gap { room, missed } => {
                let stay = self.stay(ci, room)?;
                ensure!(missed > 0, "told it missed nothing");
                stay.gap_open = true;
                self.stats.gaps += 1;
                if let Some(lines) = lines {
                    let [line] = lines else {
                        return Err(format!("{} lines for a gap", lines.len()));
                    };
                    let m = parse(&line[..line.len() - 2]).map_err(|e| e.to_string())?;
                    let said = format!("You missed {missed} messages");
                    ensure!(
                        m.prefix == Some(SERVER)
                            && m.is("NOTICE")
                            && m.param(0) == Some(format!("#{room}").as_str())
                            && m.param(1).is_some_and(|t| t.starts_with(&said)),
                        "the gap notice is {:?}",
                        String::from_utf8_lossy(line)
                    );
                }
            }
            Frame::Private {
                from, flags, text, ..
            } => {
                if let Some(lines) = lines {
                    let me = self.clients[ci].nick.clone().unwrap_or_default();
                    let action = flags & FLAG_ACTION != 0;
                    text_lines(lines, &user_prefix(from), "PRIVMSG", &me, action, text)?;
                    self.stats.privates += 1;
                }
            }
            Frame::Ack {
                tag,
                room,
                id,
                time,
            } => self.ack(ci, tag, room, id, time)?,
            Frame::Error { code, tag, .. } => {
                ensure!(
                    !matches!(code, ErrorCode::Other(_)),
                    "an error code the protocol does not define"
                );
                self.stats.errors += 1;
                let c = &mut self.clients[ci];
                if tag != 0 {
                    if c.irc {
                        let asked = c.asked.pop_front();
                        ensure!(
                            asked.as_ref().is_some_and(|a| a.tag == tag),
                            "an Error for tag {tag}, but the oldest request waiting is {asked:?}"
                        );
                    } else {
                        c.said.remove(&tag);
                    }
                }
            }
            Frame::Bye { .. } => {
                let c = &mut self.clients[ci];
                c.bye = true;
                c.stays.clear();
                c.nick = None;
            }
            Frame::Ping { token } => {
                if !self.clients[ci].irc {
                    self.send_frame(ci, &Frame::Pong { token });
                }
            }
            Frame::Names { room, .. } => {
                self.stay(ci, room)?;
            }
            Frame::Pong { .. } => {}
            _ => return Err("a frame only a client sends".to_string()),
        }
        Ok(())
    }

    /// The hub acknowledged a `Say` (or a whisper, with no room).
    fn ack(&mut self, ci: usize, tag: u32, room: &str, id: u64, time: u64) -> Check {
        self.stats.acks += u64::from(!room.is_empty());
        let generation = self.clients[ci].generation;
        let c = &mut self.clients[ci];
        let what = if c.irc {
            let Some(asked) = c.asked.pop_front() else {
                return Err(format!("an Ack for tag {tag}, and no request is waiting"));
            };
            ensure!(
                asked.tag == tag,
                "an Ack for tag {tag}, but the oldest request waiting is {asked:?}"
            );
            match &asked.room {
                Some(r) => ensure!(same_name(r, room), "an Ack in {room} for {asked:?}"),
                None => ensure!(room.is_empty(), "an Ack in {room} for {asked:?}"),
            }
            Some((asked.text, asked.flags))
        } else {
            let said = c.said.remove(&tag);
            ensure!(
                c.garbled || said.is_some(),
                "an Ack for tag {tag}, which it never used"
            );
            said.filter(|_| !c.garbled)
        };
        if room.is_empty() {
            ensure!(id == 0, "a whisper acknowledged with id {id}");
            return Ok(());
        }
        let Some(stay) = c.stays.get(&key(room)) else {
            return Err(format!("an Ack in {room}, which it is not in"));
        };
        ensure!(
            id >= stay.next_id && id > stay.last,
            "an Ack for id {id}: {stay:?}"
        );
        let Some((text, flags)) = what else {
            return Ok(());
        };
        let nick = c.nick.clone().ok_or("an Ack before the welcome")?;
        let message = (key(room), stay.epoch, id);
        let content = (nick, text, flags, time);
        if let Some(first) = self.received.remove(&message) {
            ensure!(
                first == content,
                "message {message:?} was received as {first:?}, its sender was told {content:?}"
            );
        }
        let irc = c.irc;
        self.acked.insert(
            message.clone(),
            Acked {
                content,
                sender: (ci, generation),
                irc,
            },
        );
        self.fresh.push(message);
        Ok(())
    }

    // ----- once settled ---------------------------------------------------

    /// A reading client has no input left waiting, and the hub has no
    /// output for it that it did not announce.
    fn check_quiet(&mut self) -> Check {
        let mut buf = [0u8; 4096];
        for ci in 0..CLIENTS {
            let c = &self.clients[ci];
            let Some(id) = c.conn else { continue };
            if c.paused || c.bye {
                continue;
            }
            let pending = c.side.as_ref().map_or(0, |s| s.pending.len());
            ensure!(
                c.wire.is_empty() && pending == 0,
                "client {ci} reads, but {} bytes it sent and {pending} bytes of its frames \
                 were never taken",
                c.wire.len()
            );
            ensure!(
                c.inbox.is_empty(),
                "client {ci} is left with {} bytes of a frame",
                c.inbox.len()
            );
            let len = self.hub.transmit(self.now, id, buf.len()).copy_to(&mut buf);
            ensure!(
                len == 0,
                "client {ci} reads, but the hub kept {len} bytes for {id:?} without saying so"
            );
        }
        Ok(())
    }

    /// Every message acknowledged since the last check (and every one put
    /// off for a client that was not reading) has reached the clients in
    /// its room.
    fn check_deliveries(&mut self) -> Check {
        let fresh = std::mem::take(&mut self.fresh);
        for message in &fresh {
            for ci in 0..CLIENTS {
                let generation = self.clients[ci].generation;
                self.expect(ci, message, generation)?;
            }
        }
        for ci in 0..CLIENTS {
            if self.clients[ci].paused {
                continue;
            }
            for (message, generation) in std::mem::take(&mut self.clients[ci].deferred) {
                self.expect(ci, &message, generation)?;
            }
        }
        Ok(())
    }

    /// Client `ci`'s connection `generation` must have `message`, if it is
    /// in its room since before the message and reads.
    fn expect(&mut self, ci: usize, message: &MessageKey, generation: u32) -> Check {
        let Some(acked) = self.acked.get(message) else {
            return Ok(());
        };
        let c = &mut self.clients[ci];
        if c.conn.is_none() || c.generation != generation || acked.sender == (ci, generation) {
            return Ok(());
        }
        if c.paused {
            c.deferred.push((message.clone(), generation));
            return Ok(());
        }
        let (room, epoch, id) = message;
        let Some(stay) = c.stays.get(room) else {
            return Ok(());
        };
        if stay.epoch != *epoch || stay.next_id > *id {
            return Ok(());
        }
        if !stay.got.contains(id) {
            if stay.excused(*id) {
                self.stats.excused += 1;
                return Ok(());
            }
            return Err(format!(
                "client {ci} ({}) is in {room} since event {}, reads, and never got message {id} \
                 {:?} (last event {}, gaps {:?})",
                if c.irc { "IRC" } else { "natter" },
                stay.next_id,
                acked.content,
                stay.last,
                stay.holes
            ));
        }
        let s = &mut self.stats;
        match (acked.irc, c.irc) {
            (true, false) => s.irc_to_natter += 1,
            (false, true) => s.natter_to_irc += 1,
            (true, true) => s.irc_to_irc += 1,
            (false, false) => s.natter_to_natter += 1,
        }
        if acked.irc != c.irc && acked.content.2 & FLAG_ACTION != 0 {
            s.cross_actions += 1;
        }
        Ok(())
    }
}

/// May a line with this command (from a client registered or not) make
/// this frame? Only commands that ask the hub for something do.
fn may_make(m: &Message<'_>, registered: bool, frame: &Frame<'_>) -> bool {
    let is = |c| m.is(c);
    match frame {
        Frame::Hello { .. } => !registered && (is("CAP") || is("PASS") || is("NICK") || is("USER")),
        Frame::Pong { .. } => is("PONG"),
        Frame::Quit { .. } => is("QUIT"),
        Frame::SetNick { .. } => registered && is("NICK"),
        Frame::Join { .. } => registered && is("JOIN"),
        Frame::Part { .. } => registered && is("PART"),
        Frame::Say { .. } | Frame::Whisper { .. } => registered && (is("PRIVMSG") || is("NOTICE")),
        Frame::SetTopic { .. } => registered && is("TOPIC"),
        _ => false,
    }
}

/// The frames a registered client's `PRIVMSG` or `NOTICE` must make, by
/// the bridge's table: a `Say` to a channel, a `Whisper` to a nickname,
/// tag 1 (2 for a notice), CTCP `ACTION` as an action, other CTCP and
/// empty texts nothing. (An IRC line's text always fits natter's 512
/// bytes, so it is one frame.)
fn said<'m>(m: &Message<'m>) -> Vec<Frame<'m>> {
    let (Some(target), Some(text)) = (m.param(0), m.param(1)) else {
        return Vec::new();
    };
    let (text, flags) = match text.strip_prefix("\u{1}ACTION ") {
        Some(action) => (action.strip_suffix('\u{1}').unwrap_or(action), FLAG_ACTION),
        None if text.starts_with('\u{1}') => return Vec::new(),
        None => (text, 0),
    };
    let tag = if m.is("NOTICE") { 2 } else { 1 };
    if text.is_empty() {
        return Vec::new();
    }
    match target.strip_prefix('#') {
        Some(room) if is_valid_room(room) => vec![Frame::Say {
            tag,
            room,
            flags,
            text,
        }],
        Some(_) => Vec::new(),
        None if is_valid_nick(target) => vec![Frame::Whisper {
            tag,
            to: target,
            flags,
            text,
        }],
        None => Vec::new(),
    }
}

/// One line a bridge sent its client: within IRC's limits, parseable, with
/// a prefix that is the server's or a member's (`PING` and `ERROR` have
/// none), and numerics addressed to `name`.
fn check_line(line: &[u8], name: &str) -> Check {
    let shown = String::from_utf8_lossy(line);
    ensure!(
        line.len() <= MAX_LINE,
        "a line of {} bytes: {shown:?}",
        line.len()
    );
    ensure!(line.ends_with(b"\r\n"), "a line without CR LF: {shown:?}");
    let body = &line[..line.len() - 2];
    ensure!(
        !body.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n'),
        "NUL, CR or LF inside a line: {shown:?}"
    );
    ensure!(
        std::str::from_utf8(body).is_ok(),
        "a line that is not UTF-8: {shown:?}"
    );
    let m = parse(body).map_err(|e| format!("a line that does not parse ({e}): {shown:?}"))?;
    match m.prefix {
        None => ensure!(
            m.is("PING") || m.is("ERROR"),
            "a line without a prefix: {shown:?}"
        ),
        Some(SERVER) => {}
        Some(p) => {
            let nick = p.strip_suffix("@natter").and_then(|p| p.split_once('!'));
            ensure!(
                nick.is_some_and(|(a, b)| a == b && is_valid_nick(a)),
                "a line from {p:?}: {shown:?}"
            );
        }
    }
    if m.command.bytes().all(|b| b.is_ascii_digit()) {
        ensure!(
            m.param(0) == Some(name),
            "a numeric for {:?}, the client is {name:?}: {shown:?}",
            m.param(0)
        );
    }
    Ok(())
}

/// `lines` are `text` sent as `command`s from `prefix` to `target` (CTCP
/// `ACTION`s if `action`), cut as the bridge documents: each line's piece is
/// what [`split_text`] gives for the rest of the text and that line's room
/// (512 bytes less the prefix, command, target and wrapping), and together
/// they are the whole text.
fn text_lines(
    lines: &[Vec<u8>],
    prefix: &str,
    command: &str,
    target: &str,
    action: bool,
    text: &str,
) -> Check {
    ensure!(!lines.is_empty(), "no line for {text:?}");
    let mut rest = text;
    for line in lines {
        let shown = String::from_utf8_lossy(line);
        let m = parse(&line[..line.len() - 2]).map_err(|e| format!("{e}: {shown:?}"))?;
        ensure!(
            m.prefix == Some(prefix)
                && m.is(command)
                && m.params().len() == 2
                && m.param(0) == Some(target),
            "expected {command} lines from {prefix} to {target}, got {shown:?}"
        );
        let trailing = m.param(1).unwrap_or_default();
        ensure!(
            line.ends_with(format!(" :{trailing}\r\n").as_bytes()),
            "the text is not a trailing parameter: {shown:?}"
        );
        let piece = if action {
            trailing
                .strip_prefix("\u{1}ACTION ")
                .and_then(|t| t.strip_suffix('\u{1}'))
                .ok_or_else(|| format!("not a CTCP ACTION: {shown:?}"))?
        } else {
            trailing
        };
        let room = MAX_LINE.saturating_sub(line.len() - piece.len()).max(1);
        let (want, tail) = split_text(rest, room);
        ensure!(
            piece == want,
            "a piece {piece:?} where the split gives {want:?} (room {room}) of {text:?}"
        );
        rest = tail;
    }
    ensure!(
        rest.is_empty(),
        "{text:?} arrived cut: {rest:?} never came ({} lines)",
        lines.len()
    );
    Ok(())
}

/// Hand-written scripts, committed as `fuzz/seeds/irc_room/<name>` (the
/// replay test's `seeds_match_their_sources` writes them).
pub fn seed_scripts() -> Vec<(&'static str, Script)> {
    use Act::{Join, Nick, Notice, Part, Ping, Query, Quit, Say, Topic, Whisper};
    use Op::{Advance, Chunk, Login, Long, Pause, Raw, Resume, Shutdown};
    // Indices into NICKS, ROOMS and the text byte's fields.
    const ANN: u8 = 0;
    const BOB: u8 = 1;
    const ANN_UPPER: u8 = 2;
    const CAT: u8 = 3;
    const DAN: u8 = 4;
    const ZOE: u8 = 5;
    const BOT: u8 = 6;
    const LONG_NICK: u8 = 8;
    const BAD_NICK: u8 = 9;
    const LOBBY: u8 = 0;
    const OTHER: u8 = 1;
    const LOBBY_UPPER: u8 = 2;
    const ZOE_ROOM: u8 = 3;
    const NO_HASH: u8 = 4;
    const TWO: u8 = 7;
    const ACTION: u8 = 0x20;
    const WORDS: u8 = 0;
    const NO_SPACES: u8 = 1 << 3;
    const ACCENTS: u8 = 2 << 3;
    const COLON_CJK: u8 = 3 << 3;
    let act = |client, act| Op::Act { client, act };
    let login = |client, nick| Login {
        client,
        nick,
        how: 0,
    };
    let join = |client, room| act(client, Join { room });
    let say = |client, room, text| act(client, Say { room, text });
    let script = |irc, flags, steps| Script {
        setup: Setup { irc, flags },
        steps,
    };
    vec![
        (
            // Two IRC and two natter clients in the lobby, talking across:
            // texts, actions, notices, whispers both ways, a topic, a nick
            // change, a part and a quit.
            "cross_talk",
            script(
                0b0000_0101,
                0,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    Login {
                        client: 2,
                        nick: CAT,
                        how: 1,
                    },
                    login(3, DAN),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY_UPPER),
                    join(3, LOBBY),
                    say(0, LOBBY, 1 | WORDS),
                    say(1, LOBBY, 2 | WORDS),
                    say(2, LOBBY, 1 | ACTION),
                    say(3, LOBBY_UPPER, 1 | ACTION | ACCENTS),
                    act(
                        0,
                        Notice {
                            room: LOBBY,
                            text: 1,
                        },
                    ),
                    act(1, Whisper { to: ANN, text: 1 }),
                    act(
                        0,
                        Whisper {
                            to: DAN,
                            text: 1 | ACTION,
                        },
                    ),
                    act(2, Whisper { to: CAT, text: 1 }),
                    act(
                        3,
                        Topic {
                            room: LOBBY,
                            len: 1,
                        },
                    ),
                    act(
                        0,
                        Topic {
                            room: LOBBY,
                            len: 5,
                        },
                    ),
                    act(0, Nick { nick: ZOE }),
                    act(1, Nick { nick: BOT }),
                    say(0, LOBBY, 2 | COLON_CJK),
                    say(1, LOBBY, 2 | NO_SPACES),
                    join(0, OTHER),
                    join(3, OTHER),
                    say(3, OTHER, 1),
                    say(0, OTHER, 1),
                    act(
                        0,
                        Part {
                            room: OTHER,
                            reason: 1,
                        },
                    ),
                    act(2, Quit { reason: 2 }),
                    say(1, LOBBY, 3),
                ],
            ),
        ),
        (
            // The wide hub: 512-byte natter texts of every style reach IRC
            // clients over several lines, actions too; IRC clients send
            // the longest texts a line holds.
            "long_texts",
            script(
                0x40 | 0b0000_0110,
                0,
                vec![
                    login(0, ANN),
                    login(1, LONG_NICK),
                    login(2, BOB),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    say(0, LOBBY, 7 | WORDS),
                    say(0, LOBBY, 7 | NO_SPACES),
                    say(0, LOBBY, 7 | ACCENTS),
                    say(0, LOBBY, 7 | COLON_CJK | ACTION),
                    say(0, LOBBY, 5 | NO_SPACES | ACTION),
                    say(1, LOBBY, 6 | WORDS),
                    say(2, LOBBY, 6 | ACCENTS | ACTION),
                    say(1, LOBBY, 7),
                    act(
                        0,
                        Whisper {
                            to: LONG_NICK,
                            text: 7 | ACCENTS,
                        },
                    ),
                    act(
                        0,
                        Whisper {
                            to: BOB,
                            text: 7 | COLON_CJK | ACTION,
                        },
                    ),
                    Long {
                        client: 1,
                        kind: 0,
                        n: 14,
                    },
                    Long {
                        client: 1,
                        kind: 3,
                        n: 230,
                    },
                    Long {
                        client: 0,
                        kind: 0,
                        n: 32,
                    },
                    act(
                        0,
                        Topic {
                            room: LOBBY,
                            len: 4 | COLON_CJK,
                        },
                    ),
                ],
            ),
        ),
        (
            // Registration every way, with a password: capabilities, PASS
            // wrong and right, USER first, a bad and a taken nickname,
            // commands before registration; then every query.
            "registration",
            {
                let mut steps = vec![
                    act(0, Query { kind: 3, arg: 0 }),
                    act(0, Join { room: LOBBY }),
                    Login {
                        client: 0,
                        nick: ANN,
                        how: 1 | 2,
                    },
                    Login {
                        client: 0,
                        nick: ANN,
                        how: 1,
                    },
                    Login {
                        client: 1,
                        nick: BAD_NICK,
                        how: 4,
                    },
                    Login {
                        client: 1,
                        nick: ANN_UPPER,
                        how: 4,
                    },
                    act(1, Nick { nick: CAT }),
                    act(1, Query { kind: 11, arg: 0 }),
                    act(1, Query { kind: 12, arg: 0 }),
                    Login {
                        client: 2,
                        nick: BOB,
                        how: 2,
                    },
                    login(2, BOB),
                    join(0, LOBBY),
                    join(1, TWO),
                    join(2, NO_HASH),
                    join(2, ZOE_ROOM),
                ];
                for kind in 0..32 {
                    steps.push(act(
                        if kind % 2 == 0 { 0 } else { 1 },
                        Query {
                            kind,
                            arg: kind.wrapping_mul(29),
                        },
                    ));
                }
                steps.push(act(0, Ping { token: 3 }));
                steps.push(act(0, Ping { token: 0x83 }));
                steps.push(act(2, Query { kind: 0, arg: 0 }));
                steps.push(act(2, Query { kind: 1, arg: 0 }));
                script(0b0000_0011, 0x08, steps)
            },
        ),
        (
            // Bad bytes from IRC clients: NUL, invalid UTF-8, a lone CR, an
            // unfinished line, overlong lines and tags, cut into 1- and
            // 7-byte reads, and bare LF endings; nobody else may notice.
            "garbage",
            script(
                0b0000_0011,
                0,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    login(2, CAT),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    Chunk { client: 0, size: 1 },
                    Chunk { client: 1, size: 7 },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :nul\0here\r\n".to_vec(),
                    },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :bad \xc3\x28 utf8\r\n".to_vec(),
                    },
                    Raw {
                        client: 0,
                        bytes: b"PRIVMSG #lobby :lone\rcr\r\n\r\n\n   \r\n".to_vec(),
                    },
                    Raw {
                        client: 1,
                        bytes: b"PRIVMSG #lobby :no end".to_vec(),
                    },
                    Raw {
                        client: 1,
                        bytes: b" yet\r\nJOIN #other\nPRIVMSG #other :\xff\r\n".to_vec(),
                    },
                    Long {
                        client: 0,
                        kind: 0,
                        n: 200,
                    },
                    Long {
                        client: 1,
                        kind: 1,
                        n: 70,
                    },
                    say(1, LOBBY, 1),
                    Long {
                        client: 0,
                        kind: 2,
                        n: 255,
                    },
                    Long {
                        client: 0,
                        kind: 2,
                        n: 40,
                    },
                    say(0x80, LOBBY, 2),
                    say(2, LOBBY, 1),
                    Raw {
                        client: 2,
                        bytes: vec![0x00, 0x05, 0x04, 0xff],
                    },
                    Long {
                        client: 2,
                        kind: 1,
                        n: 1,
                    },
                    say(0, LOBBY, 1),
                ],
            ),
        ),
        (
            // Slow readers on a 4-event replay: an IRC client that stops
            // reading while others talk fills its lines, falls off the
            // history and gets a gap notice; a natter one too; pings
            // answered and a reader that never reads again is dropped.
            "slow_readers",
            script(
                0b0000_0101,
                0x04,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    login(2, CAT),
                    login(3, DAN),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    join(3, LOBBY),
                    Pause(0),
                    Pause(1),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3 | ACTION),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    say(2, LOBBY, 3),
                    say(3, LOBBY, 3),
                    Resume(0),
                    Resume(1),
                    say(2, LOBBY, 1),
                    Pause(1),
                    Advance(0x8000 + 7_600),
                    Advance(0x8000 + 7_600),
                    say(0, LOBBY, 1),
                    Advance(0x8000 + 7_600),
                    Advance(0x8000 + 7_600),
                    Advance(0x8000 + 7_600),
                ],
            ),
        ),
        (
            // History for late joiners, as notices with the time for IRC:
            // the room keeps talking, then an IRC client and a natter
            // client join; classroom mode and a room limit of 3.
            "history",
            script(
                0x40 | 0b0000_1010,
                0x10 | 0x20,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    join(0, OTHER),
                    join(1, OTHER),
                    say(0, OTHER, 2),
                    say(1, OTHER, 7 | ACTION),
                    say(0, OTHER, 7 | ACCENTS),
                    say(1, OTHER, 2),
                    act(
                        0,
                        Topic {
                            room: OTHER,
                            len: 2,
                        },
                    ),
                    login(2, CAT),
                    login(3, DAN),
                    join(3, OTHER),
                    join(2, OTHER),
                    join(2, ZOE_ROOM),
                    say(3, OTHER, 1),
                    act(
                        1,
                        Part {
                            room: OTHER,
                            reason: 3,
                        },
                    ),
                    join(1, OTHER),
                    say(2, OTHER, 1),
                ],
            ),
        ),
        (
            // A flood limit, then the server shuts down with an IRC client
            // that is not reading.
            "flood_shutdown",
            script(
                0x80 | 0b0000_0001,
                0,
                vec![
                    login(0, ANN),
                    login(1, BOB),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    say(0, LOBBY, 1),
                    act(
                        0,
                        Notice {
                            room: LOBBY,
                            text: 1,
                        },
                    ),
                    Advance(1_000),
                    say(0, LOBBY, 1),
                    Pause(0),
                    say(1, LOBBY, 1),
                    Shutdown,
                    Advance(3_000),
                    login(0, ZOE),
                ],
            ),
        ),
    ]
}

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
//! with or without `CAP LS 302`/`CAP END`, a `CAP REQ` of capabilities and
//! `PASS`, in either order), change capabilities later (`CAP REQ`),
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
//! * Every line a bridge sends an IRC client (and the driver's `417`),
//!   once its IRCv3 tag section is off (well formed, at most [`MAX_TAGS`]
//!   bytes), is at most [`MAX_LINE`] bytes with its CR LF, ends in CR LF, has no NUL, CR
//!   or LF inside, is UTF-8 and parses; it has a prefix (the server's name,
//!   or `nick!nick@natter` with a valid nickname), except `PING` and
//!   `ERROR`, which have none; a numeric's first parameter is the client's
//!   name as the bridge gives it (`*` before registration).
//! * Bad input changes nothing for others: a line that does not parse
//!   makes no frame, and every frame a line makes is one its command may
//!   make (`JOIN` a `Join` per target, `PRIVMSG` a `Say` or `Whisper`,
//!   `NICK`, `USER`, `PASS` or `CAP END` a `Hello` before registration...;
//!   `MODE` a `Mode` per change, `OPER` a `Teach`, `KICK` and `INVITE` theirs;
//!   `WHO`, `PING`, unknown commands none). A registered client's
//!   `PRIVMSG`/`NOTICE` to a channel or a nickname makes exactly the `Say`
//!   or `Whisper` the bridge's table promises (tag 1 or 2, the text, CTCP
//!   `ACTION` as [`FLAG_ACTION`]).
//! * The hub answers each tagged request of a bridge once, in order: every
//!   `Ack` and tagged `Error` an IRC client gets matches the oldest `Say` or
//!   `Whisper` its bridge sent that is not answered yet.
//! * A message's frame reaches an IRC client as IRC says it (rendered by
//!   its own bridge or copied from another's): a live
//!   `Message` as `PRIVMSG #room` lines from `nick!nick@natter` (`NOTICE`
//!   for a notice, CTCP `ACTION` for an action), replayed history as
//!   `NOTICE #room` lines from the server reading `[HH:MM] <nick> text`
//!   (or `* nick text`), or with `server-time` as the live lines, a
//!   `Private` as `PRIVMSG` lines to the client's nickname, a `Gap` as one
//!   notice; and the text is cut as `split_text` documents: each line's
//!   piece is the longest start of the rest that fits that line's 512 bytes
//!   (ending at a space in its second half where there is one), and the
//!   pieces join to exactly the text.
//! * Capabilities, per IRC client, as its `CAP ACK`s turned them on (an
//!   `ACK` exactly when every name asked for is one `CAP LS` offers, the
//!   list repeated; `NAK` otherwise): a line carries exactly the tags they
//!   ask for, in the order `batch`, `msgid`, `time` (`time` the event's,
//!   `YYYY-MM-DDThh:mm:ss.sssZ` in UTC, on what members did: messages,
//!   whispers, joins, parts, quits, nickname changes, topics, echoes;
//!   `msgid` `room-epoch-id`, `/2`, `/3`... on a split text's later lines,
//!   on room events), and the bridge's answers to lines none. With `batch`
//!   and `server-time`, replayed messages are inside a `chathistory` batch
//!   of their room: `BATCH +N` before, each tagged `batch=N`, `BATCH -N`
//!   after, never nested, no other frame's line inside, never open once
//!   settled. With `echo-message`, a `PRIVMSG`/`NOTICE` sent while it is on
//!   comes back once, on its `Ack`, from the client to the target as it
//!   wrote it, with the event's tags; a refusal's lines are the server's
//!   alone; no line of the client is read while an echo is due. A quit
//!   (`Parted` with `FLAG_QUIT`) is one `QUIT :reason` per quitter however
//!   many shared rooms report it (a report of the same nickname and time
//!   in a room already reported is another quitter's; a repeat is allowed
//!   only once 16 more quits came, which a bridge may have forgotten); a
//!   part is `PART #room :reason`, the client's own part (`Left`) its
//!   `PART` with its reason, and replayed events other than messages show
//!   nothing.
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
use natter_core::irc::bridge::caps::CAPABILITIES;
use natter_core::irc::bridge::{Bridge, Directory};
use natter_core::irc::reader::{LineReader, Read};
use natter_core::irc::shared::{CapacityError, Rendered, SharedLines, Slot, SlotBytes};
use natter_core::irc::{MAX_LINE, MAX_TAGS, Message, parse, split_text};
use natter_core::room::{Config, ConnId, InlineHub, Pump, Received, Wire};
use natter_core::time::Instant;
use natter_core::wire::{
    FLAG_ACTION, FLAG_NOTICE, FLAG_QUIT, Frame, MAX_FRAME_LEN, Status, VERSION, decode, frame_len,
    is_valid_nick, is_valid_room, same_name,
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

use caps::{Origin, Want, one_line};
use rules::{check_line, command_of, may_make, msgid, rfc3339, said, split_tags, text_lines};
pub use script::{Act, Op, Script, Setup, cap_list, query_line, text};
pub use seeds::seed_scripts;

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
    /// `CAP REQ`s answered `ACK`, and `NAK`.
    pub caps_acked: u64,
    pub caps_naked: u64,
    /// Messages echoed to their IRC sender (`echo-message`), and refusals
    /// it got no echo for.
    pub echoes: u64,
    pub echoes_refused: u64,
    /// Replayed messages an IRC client got as ordinary lines at their
    /// time (`server-time`), and `chathistory` batches closed.
    pub timed_history: u64,
    pub batches: u64,
    /// Lines checked with a `time` tag, and with a `msgid`.
    pub timed: u64,
    pub msgids: u64,
    /// `QUIT` lines, quits already shown (one quitter in another room),
    /// and `PART` lines of others.
    pub quits: u64,
    pub quits_merged: u64,
    pub parts: u64,
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
        self.caps_acked += s.caps_acked;
        self.caps_naked += s.caps_naked;
        self.echoes += s.echoes;
        self.echoes_refused += s.echoes_refused;
        self.timed_history += s.timed_history;
        self.batches += s.batches;
        self.timed += s.timed;
        self.msgids += s.msgids;
        self.quits += s.quits;
        self.quits_merged += s.quits_merged;
        self.parts += s.parts;
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
        while self.pending.is_empty() && self.out.len() < IRC_OUT_LOW && !self.bridge.awaiting_hub()
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
    /// `#room` or the nickname, as the line named it (what an echo
    /// shows).
    target: String,
    /// Sent with `echo-message` on: its `Ack` is echoed.
    echo: bool,
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
    /// An IRC client's capabilities, as the server's `CAP ACK`s said.
    caps: Caps,
    /// The `chathistory` batch open in its lines.
    batch: Option<Batch>,
    /// Quits it was shown, oldest first, and how many live quit events
    /// it got in all (see [`QuitSeen`]).
    quits: Vec<QuitSeen>,
    quit_events: u64,
}

/// The capabilities an IRC client has on, as its `CAP ACK`s said (the
/// names the line checks depend on; the others change only `NAMES`).
#[derive(Debug, Default, Clone, Copy)]
struct Caps {
    time: bool,
    batch: bool,
    tags: bool,
    echo: bool,
}

impl Caps {
    /// Apply an acknowledged `CAP REQ` list.
    fn apply(&mut self, list: &str) {
        for word in list.split(' ').filter(|w| !w.is_empty()) {
            let (name, on) = match word.strip_prefix('-') {
                Some(name) => (name, false),
                None => (word, true),
            };
            match name {
                "server-time" => self.time = on,
                "batch" => self.batch = on,
                "message-tags" => self.tags = on,
                "echo-message" => self.echo = on,
                _ => {}
            }
        }
    }
}

/// A `chathistory` batch open in an IRC client's lines.
#[derive(Debug, Clone)]
struct Batch {
    reference: String,
    room: String,
    /// Lines tagged with it so far.
    lines: u64,
}

/// A quit an IRC client was shown: the quitter's nickname key and time,
/// and the rooms whose `Parted` of it came so far. A quitter leaves
/// each room once, so a `Parted` of the same nickname and time in a room
/// already listed is another quitter's (one who came back under that
/// name within the same millisecond).
#[derive(Debug)]
struct QuitSeen {
    nick: String,
    time: u64,
    rooms: BTreeSet<String>,
    /// `Client::quit_events` when it was first seen: a bridge remembers
    /// the last [`RECENT_QUITS`] quit events, so it may show a quit again
    /// (never not at all) once that many more came.
    first: u64,
}

/// Quit events a bridge remembers (the bridge's `RECENT_QUITS`).
const RECENT_QUITS: u64 = 16;

/// One line an IRC client got: its tags, the line without them, and the
/// batch open when it came.
#[derive(Debug)]
struct Shown {
    /// The tags in their order.
    tags: rules::Tags,
    /// The line without its tag section, CR LF included.
    body: Vec<u8>,
    /// The reference and room of the batch open when the line came.
    in_batch: Option<(String, String)>,
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
}

// After `ensure!`, which they use (a macro is in scope from where it is
// defined on).
mod actions;
mod caps;
mod driver;
mod lines;
mod receive;
mod rules;
mod script;
mod seeds;
mod settled;

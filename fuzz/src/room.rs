//! `room`: a small [`Hub`] driven by a script of driver actions, with its
//! invariants checked after every step.
//!
//! # The driver
//! Up to [`CLIENTS`] logical clients, more than the hub has slots, each
//! with at most one connection at a time. A script step is one action of an
//! event-loop wake-up: connect, offer bytes the client sends (requests
//! built from choices, or raw garbage), drop a connection, let the clock
//! run, stop or resume reading, let a stopped reader take a few bytes,
//! change how many bytes a socket takes per write, shut the server down.
//! Unless a step says more actions follow in the same wake-up, the driver
//! then does what the std server does at the end of one: write output to
//! the connections [`Hub::poll_transmit`] names (and to those whose socket
//! became writable again), feed waiting input, take closes, until nothing
//! moves. A client that does not read leaves its socket full: the driver
//! tries, writes nothing and tries again once it reads.
//!
//! # The invariants
//! After every step:
//! * nothing panics, and every byte the hub sends decodes as a valid frame;
//! * capacities hold: connections, rooms, members per room; a connection
//!   is refused exactly when every slot is held; a handle is never given
//!   out while the driver still holds it;
//! * what each client sees makes sense: a welcome once, nothing after a
//!   `Bye`, events only for rooms it is in, no server-bound frame kinds;
//! * per client and stay in a room (from `Entered` to `Left`, `Bye` or the
//!   end of the connection), event ids strictly increase (nothing twice,
//!   nothing out of order), its own messages never come back, and every
//!   event it is owed and did not get is its own or is counted by a `Gap`
//!   received between the events around it ("nothing lost silently");
//!   and gap notices are exact: where every event between two it got was
//!   owed to it (live events, or the replay of a checked resume), the
//!   notices in between count exactly the owed events that are not its
//!   own (its own nickname changes aside, whose ids it is never told:
//!   there they count at least the others' and at most all);
//! * a stay ended by `Left` got every owed event before its own `Parted`
//!   (whose id the hub's log tells) or had it counted by a `Gap` before
//!   the `Left`;
//!
//! and once the wake-up's output is written:
//! * the hub has nothing more for a reading client (it did not forget to
//!   name one in `poll_transmit`), and no reading client is left with half
//!   a frame or with a `Bye` on a connection that was never closed;
//! * each room's member list at the hub is exactly the nicknames of the
//!   clients whose view says they are in it, and each client's nickname is
//!   the hub's (clients that are not reading are left out: their view lags
//!   behind by design);
//! * after the clock moved, the hub's next timer is in the future.
//!
//! # Input layout
//! Plain bytes read front to back with [`Unstructured`]'s byte-at-a-time
//! integers (so a seed can be written by hand; [`Script::to_bytes`] is the
//! inverse of [`Script::parse`]): two bytes of [`Setup`], then steps. A
//! step is an op byte (`op & 0x7f` modulo the number of ops picks the
//! action; bit 7 says more actions follow in the same wake-up) followed by
//! the action's operand bytes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use arbitrary::Unstructured;
use natter_core::error::ErrorCode;
use natter_core::room::{Config, ConnId, ConnectError, Event, InlineHub, Pump, Received, Wire};
use natter_core::time::Instant;
use natter_core::wire::{
    FLAG_ACTION, FLAG_MORE, Frame, MAX_FRAME_LEN, MAX_NAMES_PER_FRAME, Status, VERSION, decode,
};

/// The usual hub of this target, `InlineHub<6, 3, 1024, 64, 3072>`: 6
/// connections, 3 rooms, 1 KiB of history per room, texts up to 64 bytes.
type SmallWorld = World<6, 3, 1024, 64, 3072>;
/// An even smaller one, `InlineHub<4, 2, 256, 32, 2400>`, whose history ring is
/// too small for the longest events (a `Parted` with a 255-byte reason), so
/// those are not kept.
type TinyWorld = World<4, 2, 256, 32, 2400>;

/// Logical clients; more than either hub has connection slots.
pub const CLIENTS: usize = 8;
/// Most steps run from one input.
const MAX_STEPS: usize = 256;

/// Nicknames to pick from; several are the same name in another case
/// (`[` and `{` are the same letter to IRC).
pub const NICKS: [&str; 9] = [
    "ann", "bob", "Ann", "cat", "dan", "zoë", "ZOË", "[bot]", "{BOT}",
];
/// Room names to pick from: `lobby` and `maths` may exist from the start,
/// the others are created (and freed) by joining; some are spelt twice.
pub const ROOMS: [&str; 7] = ["lobby", "maths", "art", "LOBBY", "Maths", "x-1", "zoë"];
/// Lengths of message texts: around the tiny hub's 32-byte limit, the
/// usual hub's 64 and the protocol's 512.
const TEXT_LENS: [usize; 8] = [1, 8, 32, 33, 63, 64, 65, 512];
/// Lengths of topics (may be empty).
const TOPIC_LENS: [usize; 7] = [0, 9, 32, 33, 64, 65, 512];
/// Part and quit reasons: the longest is as long as a reason may be.
const REASONS: [&str; 4] = ["", "lunch", "zoë's", LONG_REASON];
const LONG_REASON: &str = concat!(
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
);
const PASSWORDS: [&str; 3] = ["", "pw", "wrong"];
const HISTORY: [usize; 8] = [usize::MAX, 1, 2, 3, 4, 8, 32, 0];
const CAPACITY: [usize; 4] = [usize::MAX, 1, 2, 3];
const MAX_CONNS: [usize; 4] = [usize::MAX, 2, 3, 5];
/// Wall-clock origins: the usual, the protocol examples' date, and one
/// that saturates.
const ORIGINS: [u64; 4] = [0, 1_764_234_900_000, u64::MAX - 1_000, 1];

/// The hub's settings and shape, from two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Setup {
    /// Bit 0: flood limit (5/s, burst 10) instead of none; bit 1:
    /// classroom mode; bit 2: password `pw`; bit 3: the tiny hub ([`TinyWorld`]); bits
    /// 4-6: events of history replayed on a join ([`HISTORY`]); bit 7: `maths` exists from
    /// the start too.
    pub flags: u8,
    /// Bits 0-1: room capacity ([`CAPACITY`]); bits 2-3: most connections
    /// ([`MAX_CONNS`]); bits 4-5: wall-clock origin ([`ORIGINS`]).
    pub limits: u8,
}

/// A request a client sends, built from choices (indices are taken modulo
/// the length of the list they index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Req {
    /// `Hello` with a nickname of [`NICKS`] and a password of [`PASSWORDS`].
    Hello {
        nick: u8,
        password: u8,
    },
    /// `Join` a room of [`ROOMS`]: `mode % 3` is 0 for a fresh join, 1 to
    /// resume from what this client last saw there, 2 for the given
    /// `epoch` and `since` (only then are they in the input).
    Join {
        room: u8,
        mode: u8,
        epoch: u32,
        since: u64,
    },
    /// `Part` with a reason of [`REASONS`].
    Part {
        room: u8,
        reason: u8,
    },
    /// `count % 4 + 1` `Say`s of a text length of [`TEXT_LENS`] (the
    /// second one an action).
    Say {
        room: u8,
        len: u8,
        count: u8,
    },
    SetNick {
        nick: u8,
    },
    Quit {
        reason: u8,
    },
    Whisper {
        to: u8,
        len: u8,
    },
    /// `SetTopic` with a topic length of [`TOPIC_LENS`].
    SetTopic {
        room: u8,
        len: u8,
    },
    Ping {
        token: u8,
    },
    Pong {
        token: u8,
    },
    /// A kind only a server may send (`Left`).
    ServerOnly {
        room: u8,
    },
}

/// One action of the driver. Client indices are taken modulo [`CLIENTS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Open a connection for the client, if it has none.
    Connect(u8),
    /// Connect if needed and say hello with a nickname of [`NICKS`].
    Login(u8, u8),
    /// The client sends a request.
    Send(u8, Req),
    /// The client sends bytes: as they are, or (odd `mode`) behind a length
    /// prefix that fits them, so they make one frame.
    Raw(u8, u8, Vec<u8>),
    /// The driver drops the connection (the peer went away).
    Disconnect(u8),
    /// Drop the connection if any, log in again with a nickname and
    /// resume every room seen before.
    Reconnect(u8, u8),
    /// Let time pass: below 0x8000 that many ms, above it 8 ms per step.
    Advance(u16),
    /// The client stops reading.
    Pause(u8),
    /// The client reads again.
    Resume(u8),
    /// Bytes the client's socket takes per write (0: all) and bytes per
    /// read on its side (0: all); bit 7 of the write size also says
    /// whether the driver commits a write that would block as 0 bytes
    /// (the std server drops the `Transmit` instead).
    Socket(u8, u8, u8),
    /// A client that is not reading takes up to `n + 1` bytes once.
    Trickle(u8, u8),
    /// The server says goodbye to everyone.
    Shutdown,
}

const OPS: u8 = 12;

impl Op {
    fn code(&self) -> u8 {
        match self {
            Op::Connect(..) => 0,
            Op::Login(..) => 1,
            Op::Send(..) => 2,
            Op::Raw(..) => 3,
            Op::Disconnect(..) => 4,
            Op::Reconnect(..) => 5,
            Op::Advance(..) => 6,
            Op::Pause(..) => 7,
            Op::Resume(..) => 8,
            Op::Socket(..) => 9,
            Op::Trickle(..) => 10,
            Op::Shutdown => 11,
        }
    }
}

/// A step: an action, and whether more actions follow before the driver
/// writes output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    pub more: bool,
}

/// A whole input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub setup: Setup,
    pub steps: Vec<Step>,
}

fn byte(u: &mut Unstructured<'_>) -> u8 {
    u.arbitrary().unwrap_or(0)
}

impl Req {
    fn parse(u: &mut Unstructured<'_>) -> Req {
        match byte(u) % 11 {
            0 => Req::Hello {
                nick: byte(u),
                password: byte(u),
            },
            1 => {
                let (room, mode) = (byte(u), byte(u));
                let (epoch, since) = match mode % 3 {
                    2 => (u.arbitrary().unwrap_or(0), u.arbitrary().unwrap_or(0)),
                    _ => (0, 0),
                };
                Req::Join {
                    room,
                    mode,
                    epoch,
                    since,
                }
            }
            2 => Req::Part {
                room: byte(u),
                reason: byte(u),
            },
            3 => Req::Say {
                room: byte(u),
                len: byte(u),
                count: byte(u),
            },
            4 => Req::SetNick { nick: byte(u) },
            5 => Req::Quit { reason: byte(u) },
            6 => Req::Whisper {
                to: byte(u),
                len: byte(u),
            },
            7 => Req::SetTopic {
                room: byte(u),
                len: byte(u),
            },
            8 => Req::Ping { token: byte(u) },
            9 => Req::Pong { token: byte(u) },
            _ => Req::ServerOnly { room: byte(u) },
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match *self {
            Req::Hello { nick, password } => out.extend([0, nick, password]),
            Req::Join {
                room,
                mode,
                epoch,
                since,
            } => {
                out.extend([1, room, mode]);
                if mode % 3 == 2 {
                    out.extend(epoch.to_le_bytes());
                    out.extend(since.to_le_bytes());
                }
            }
            Req::Part { room, reason } => out.extend([2, room, reason]),
            Req::Say { room, len, count } => out.extend([3, room, len, count]),
            Req::SetNick { nick } => out.extend([4, nick]),
            Req::Quit { reason } => out.extend([5, reason]),
            Req::Whisper { to, len } => out.extend([6, to, len]),
            Req::SetTopic { room, len } => out.extend([7, room, len]),
            Req::Ping { token } => out.extend([8, token]),
            Req::Pong { token } => out.extend([9, token]),
            Req::ServerOnly { room } => out.extend([10, room]),
        }
    }
}

impl Script {
    /// Read a script from fuzz input. Never fails: missing bytes are zeros.
    pub fn parse(data: &[u8]) -> Script {
        let mut u = Unstructured::new(data);
        let setup = Setup {
            flags: byte(&mut u),
            limits: byte(&mut u),
        };
        let mut steps = Vec::new();
        while !u.is_empty() && steps.len() < MAX_STEPS {
            let code = byte(&mut u);
            let op = match (code & 0x7f) % OPS {
                0 => Op::Connect(byte(&mut u)),
                1 => Op::Login(byte(&mut u), byte(&mut u)),
                2 => Op::Send(byte(&mut u), Req::parse(&mut u)),
                3 => {
                    let (client, mode, len) = (byte(&mut u), byte(&mut u), byte(&mut u));
                    let len = usize::from(len).min(u.len());
                    let bytes = u.bytes(len).unwrap_or_default().to_vec();
                    Op::Raw(client, mode, bytes)
                }
                4 => Op::Disconnect(byte(&mut u)),
                5 => Op::Reconnect(byte(&mut u), byte(&mut u)),
                6 => Op::Advance(u.arbitrary().unwrap_or(0)),
                7 => Op::Pause(byte(&mut u)),
                8 => Op::Resume(byte(&mut u)),
                9 => Op::Socket(byte(&mut u), byte(&mut u), byte(&mut u)),
                10 => Op::Trickle(byte(&mut u), byte(&mut u)),
                _ => Op::Shutdown,
            };
            steps.push(Step {
                op,
                more: code & 0x80 != 0,
            });
        }
        Script { setup, steps }
    }

    /// The input that [`parse`](Self::parse)s to this script (for writing
    /// seeds).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.setup.flags, self.setup.limits];
        for step in &self.steps {
            out.push(step.op.code() | if step.more { 0x80 } else { 0 });
            match step.op {
                Op::Connect(c) | Op::Disconnect(c) | Op::Pause(c) | Op::Resume(c) => out.push(c),
                Op::Login(c, n) | Op::Reconnect(c, n) | Op::Trickle(c, n) => out.extend([c, n]),
                Op::Send(c, ref req) => {
                    out.push(c);
                    req.write(&mut out);
                }
                Op::Raw(c, mode, ref bytes) => {
                    // Longer raw inputs are several steps.
                    assert!(bytes.len() <= 255, "raw bytes of one step: at most 255");
                    out.extend([c, mode, bytes.len() as u8]);
                    out.extend(bytes);
                }
                Op::Advance(ms) => out.extend(ms.to_le_bytes()),
                Op::Socket(c, w, r) => out.extend([c, w, r]),
                Op::Shutdown => {}
            }
        }
        out
    }
}

/// What a run exercised (for the replay test's coverage checks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub welcomes: u64,
    pub entered: u64,
    /// Room events delivered.
    pub events: u64,
    pub gaps: u64,
    /// Resumes whose replay was checked from `since` on.
    pub resumes: u64,
    pub acks: u64,
    /// Messages whose content a receiver got and the sender's `Ack`
    /// confirmed, compared.
    pub contents: u64,
    pub errors: u64,
    pub closes: u64,
    pub refused_connects: u64,
    /// Stays ended by `Left` checked against their own `Parted`.
    pub departures: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, s: Stats) {
        self.welcomes += s.welcomes;
        self.entered += s.entered;
        self.events += s.events;
        self.gaps += s.gaps;
        self.resumes += s.resumes;
        self.acks += s.acks;
        self.contents += s.contents;
        self.errors += s.errors;
        self.closes += s.closes;
        self.refused_connects += s.refused_connects;
        self.departures += s.departures;
    }
}

/// Run the script in `data` against a hub; panics when an invariant breaks.
pub fn check(data: &[u8]) -> Stats {
    run(&Script::parse(data))
}

/// Run a script; panics with the step and the broken invariant.
pub fn run(script: &Script) -> Stats {
    let result = if script.setup.flags & 0x08 != 0 {
        TinyWorld::new(script.setup).play(&script.steps)
    } else {
        SmallWorld::new(script.setup).play(&script.steps)
    };
    match result {
        Ok(stats) => stats,
        Err(e) => panic!("{e}\nsetup: {:?}", script.setup),
    }
}

type Check = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}

/// A name as the hub compares names: IRC's case folding, ASCII lower case
/// and `[]\` as `{}|` (the rule of `natter_core::wire::same_name`; the
/// checks below would flag a difference).
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

/// A text of `len` bytes that names its sender and tag.
fn text(client: usize, tag: u32, len: usize) -> String {
    let mut text = format!("{client}/{tag} ");
    text.truncate(len);
    while text.len() < len {
        text.push('x');
    }
    text
}

/// One stay of a client in a room, as the client sees it.
#[derive(Debug)]
struct Stay {
    room_epoch: u32,
    /// `next_id` from `Entered`: events from here on are live.
    next_id: u64,
    /// The first id it must get or be told it missed: `next_id`, or the one
    /// after `since` on a checked resume.
    from: u64,
    /// The last event id received, 0 before the first.
    last: u64,
    /// Events counted by `Gap` notices since the last event.
    missed: u64,
    /// Ids of its own messages, from their `Ack`s.
    own: BTreeSet<u64>,
    /// Nickname changes confirmed during the stay: their events are its
    /// own too, but it is not told their ids.
    nick_sets: u64,
}

impl Stay {
    /// Must this event reach the client (unless it is its own)? Live
    /// events, and on a resume the replayed ones but its own join (the
    /// event just before `next_id`).
    fn owed(&self, id: u64) -> bool {
        id >= self.next_id || id >= self.from && id + 1 < self.next_id
    }

    /// Events after the last one it got and before `id` that were owed to
    /// it and are not its own: each must be counted by a gap notice.
    fn unexplained_before(&self, id: u64) -> u64 {
        (self.last + 1..id)
            .filter(|&i| self.owed(i) && !self.own.contains(&i))
            .count() as u64
    }
}

/// A reading client's socket, as the core's pump writes to it: it takes
/// up to its window per write.
struct Socket<'c>(&'c mut Client);

impl Wire for Socket<'_> {
    fn read(&mut self, _: ConnId, _: &mut [u8]) -> Received {
        // The driver offers input itself (`World::offer`).
        Received::Nothing
    }

    fn write(&mut self, _: ConnId, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.0.window.unwrap_or(usize::MAX));
        self.0.inbox.extend_from_slice(&bytes[..n]);
        n
    }

    fn closed(&mut self, _: ConnId) {}
}

/// One logical client and, at most, one connection of it.
#[derive(Default)]
struct Client {
    conn: Option<ConnId>,
    /// Received bytes not yet decoded.
    inbox: Vec<u8>,
    /// Bytes sent that the hub has not taken yet.
    outbox: Vec<u8>,
    paused: bool,
    /// The hub had output for it while its socket was full.
    blocked: bool,
    /// Bytes its socket takes per write.
    window: Option<usize>,
    /// Bytes its side sends per read.
    chunk: Option<usize>,
    /// Commit a write that would block as 0 bytes (else drop it).
    sent_zero: bool,
    /// Got a `Bye` on this connection.
    bye: bool,
    /// The nickname the hub confirmed, once welcomed.
    nick: Option<String>,
    /// Rooms it is in, by its own view (room key to stay).
    stays: BTreeMap<String, Stay>,
    /// Per room key: the room epoch and last event id seen, to resume.
    last_seen: BTreeMap<String, (u32, u64)>,
    /// Joins sent on this connection and not yet answered, per room key.
    joins: BTreeMap<String, Vec<(u32, u64)>>,
    /// Rooms entered on this connection.
    entered: BTreeSet<String>,
    /// Sent raw bytes on this connection: which joins the hub saw is no
    /// longer known.
    garbled: bool,
    tag: u32,
    /// Text and flags of each `Say` sent, by tag, until its `Ack`.
    said: BTreeMap<u32, (String, u8)>,
}

/// A message as everyone must see it: sender's nickname, text, flags, time.
type Content = (String, String, u8, u64);
/// A message by room key, room epoch and id.
type MessageKey = (String, u32, u64);

struct World<
    const CONNS: usize,
    const ROOMS_: usize,
    const HIST: usize,
    const TEXT: usize,
    const OUT: usize,
> {
    hub: InlineHub<CONNS, ROOMS_, HIST, TEXT, OUT>,
    config: Config,
    now: Instant,
    clients: Vec<Client>,
    /// What senders' `Ack`s say each message is, and what the first
    /// receiver of each got: every copy must match.
    acked: BTreeMap<MessageKey, Content>,
    received: BTreeMap<MessageKey, Content>,
    /// The ids of each client's own `Parted` events in each room, from the
    /// hub's log (a client is not told them), oldest first: a `Left` it
    /// reads answers the oldest. (It may read that `Left` late, after it
    /// joined again and was parted again by a quit or a shutdown.)
    parted_at: BTreeMap<(usize, String), VecDeque<u64>>,
    pump: Pump,
    stats: Stats,
}

impl<
    const CONNS: usize,
    const ROOMS_: usize,
    const HIST: usize,
    const TEXT: usize,
    const OUT: usize,
> World<CONNS, ROOMS_, HIST, TEXT, OUT>
{
    fn new(setup: Setup) -> Self {
        let f = setup.flags;
        let l = setup.limits;
        let mut config = Config {
            allow_new_rooms: f & 0x02 == 0,
            history: HISTORY[usize::from(f >> 4 & 7)],
            max_conns: MAX_CONNS[usize::from(l >> 2 & 3)],
            room_capacity: CAPACITY[usize::from(l & 3)],
            flood_rate: if f & 0x01 != 0 { 5 } else { 0 },
            flood_burst: 10,
            clock_origin_unix_ms: ORIGINS[usize::from(l >> 4 & 3)],
            ..Config::default()
        };
        if f & 0x04 != 0 {
            let _ = config.password.push_str("pw");
        }
        let mut hub = InlineHub::new(config.clone());
        hub.add_room("lobby").expect("lobby");
        if f & 0x80 != 0 && ROOMS_ > 1 {
            hub.add_room("maths").expect("maths");
        }
        World {
            hub,
            config,
            now: Instant(0),
            clients: (0..CLIENTS).map(|_| Client::default()).collect(),
            acked: BTreeMap::new(),
            received: BTreeMap::new(),
            parted_at: BTreeMap::new(),
            pump: Pump::new(),
            stats: Stats::default(),
        }
    }

    fn play(mut self, steps: &[Step]) -> Result<Stats, String> {
        for (i, step) in steps.iter().enumerate() {
            let at = |e: String| format!("step {i} ({step:?}): {e}");
            self.apply(&step.op).map_err(at)?;
            self.check_always().map_err(at)?;
            if !step.more || matches!(step.op, Op::Advance(_)) {
                self.settle().map_err(at)?;
                self.check_quiet().map_err(at)?;
            }
        }
        // The end: everyone reads everything.
        let at = |e: String| format!("at the end: {e}");
        for c in &mut self.clients {
            c.paused = false;
        }
        self.settle().map_err(at)?;
        self.check_always().map_err(at)?;
        self.check_quiet().map_err(at)?;
        Ok(self.stats)
    }

    fn limit(&self) -> usize {
        self.config.max_conns.min(CONNS)
    }

    fn capacity(&self) -> usize {
        self.config.room_capacity.min(CONNS)
    }

    fn client_of(&self, conn: ConnId) -> Option<usize> {
        self.clients.iter().position(|c| c.conn == Some(conn))
    }

    // ----- actions -------------------------------------------------------

    fn apply(&mut self, op: &Op) -> Check {
        let ci = |c: u8| usize::from(c) % CLIENTS;
        match *op {
            Op::Connect(c) => self.connect(ci(c))?,
            Op::Login(c, n) => {
                self.connect(ci(c))?;
                self.request(
                    ci(c),
                    &Req::Hello {
                        nick: n,
                        password: u8::from(!self.config.password.is_empty()),
                    },
                )?;
            }
            Op::Send(c, ref req) => self.request(ci(c), req)?,
            Op::Raw(c, mode, ref bytes) => {
                let client = &mut self.clients[ci(c)];
                if client.conn.is_some() {
                    if mode & 1 != 0 {
                        client.outbox.extend((bytes.len() as u16).to_be_bytes());
                    }
                    client.outbox.extend_from_slice(bytes);
                    client.garbled = true;
                }
                self.offer(ci(c))?;
            }
            Op::Disconnect(c) => self.disconnect(ci(c)),
            Op::Reconnect(c, n) => {
                let c = ci(c);
                self.disconnect(c);
                self.apply(&Op::Login(c as u8, n))?;
                let seen: Vec<String> = self.clients[c].last_seen.keys().cloned().collect();
                for room in seen {
                    let r = ROOMS.iter().position(|&r| key(r) == room).unwrap_or(0);
                    self.request(
                        c,
                        &Req::Join {
                            room: r as u8,
                            mode: 1,
                            epoch: 0,
                            since: 0,
                        },
                    )?;
                }
            }
            Op::Advance(v) => {
                // A wake-up ends with its output written before the driver
                // sleeps until the next timer.
                self.settle()?;
                let ms = if v < 0x8000 {
                    u64::from(v)
                } else {
                    u64::from(v - 0x8000) * 8
                };
                self.advance(ms)?;
            }
            Op::Pause(c) => self.clients[ci(c)].paused = true,
            Op::Resume(c) => self.clients[ci(c)].paused = false,
            Op::Socket(c, w, r) => {
                let c = &mut self.clients[ci(c)];
                c.window = match w & 0x7f {
                    0 => None,
                    w => Some(usize::from(w)),
                };
                c.sent_zero = w & 0x80 == 0;
                c.chunk = (r != 0).then_some(usize::from(r));
            }
            Op::Trickle(c, n) => self.trickle(ci(c), usize::from(n) + 1)?,
            Op::Shutdown => self.hub.shutdown(self.now, "class is over"),
        }
        Ok(())
    }

    fn connect(&mut self, ci: usize) -> Check {
        if self.clients[ci].conn.is_some() {
            return Ok(());
        }
        let held = self.clients.iter().filter(|c| c.conn.is_some()).count();
        match self.hub.handle_connect(self.now) {
            Ok(id) => {
                ensure!(
                    held < self.limit(),
                    "accepted {id:?} with all {} slots held",
                    self.limit()
                );
                ensure!(
                    self.client_of(id).is_none(),
                    "{id:?} handed out while the driver still holds it"
                );
                let c = &mut self.clients[ci];
                c.conn = Some(id);
                c.inbox.clear();
                c.outbox.clear();
                c.blocked = false;
                c.bye = false;
                c.nick = None;
                c.stays.clear();
                c.joins.clear();
                c.entered.clear();
                c.garbled = false;
            }
            Err(ConnectError::ServerFull) => {
                ensure!(
                    held >= self.limit(),
                    "refused a connection with {held} of {} slots held",
                    self.limit()
                );
                self.stats.refused_connects += 1;
            }
            Err(e) => return Err(format!("handle_connect: {e:?}")),
        }
        Ok(())
    }

    /// Encode a request into the client's outbox and offer it to the hub.
    fn request(&mut self, ci: usize, req: &Req) -> Check {
        if self.clients[ci].conn.is_none() {
            return Ok(());
        }
        let room = |r: u8| ROOMS[usize::from(r) % ROOMS.len()];
        match *req {
            Req::Hello { nick, password } => self.send(
                ci,
                &Frame::Hello {
                    version: VERSION,
                    nick: NICKS[usize::from(nick) % NICKS.len()],
                    password: PASSWORDS[usize::from(password) % PASSWORDS.len()],
                },
            ),
            Req::Join {
                room: r,
                mode,
                epoch,
                since,
            } => {
                let name = room(r);
                let (epoch, since) = match mode % 3 {
                    0 => (0, 0),
                    1 => self.clients[ci]
                        .last_seen
                        .get(&key(name))
                        .copied()
                        .unwrap_or((0, 0)),
                    _ => (epoch, since),
                };
                let joins = self.clients[ci].joins.entry(key(name)).or_default();
                joins.push((epoch, since));
                self.send(
                    ci,
                    &Frame::Join {
                        room: name,
                        epoch,
                        since,
                    },
                );
            }
            Req::Part { room: r, reason } => self.send(
                ci,
                &Frame::Part {
                    room: room(r),
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Req::Say {
                room: r,
                len,
                count,
            } => {
                for i in 0..count % 4 + 1 {
                    let c = &mut self.clients[ci];
                    c.tag = c.tag.wrapping_add(1);
                    let tag = c.tag;
                    let text = text(ci, tag, TEXT_LENS[usize::from(len) % TEXT_LENS.len()]);
                    let flags = if i == 1 { FLAG_ACTION } else { 0 };
                    self.send(
                        ci,
                        &Frame::Say {
                            tag,
                            room: room(r),
                            flags,
                            text: &text,
                        },
                    );
                    self.clients[ci].said.insert(tag, (text, flags));
                }
            }
            Req::SetNick { nick } => self.send(
                ci,
                &Frame::SetNick {
                    nick: NICKS[usize::from(nick) % NICKS.len()],
                },
            ),
            Req::Quit { reason } => self.send(
                ci,
                &Frame::Quit {
                    reason: REASONS[usize::from(reason) % REASONS.len()],
                },
            ),
            Req::Whisper { to, len } => {
                let text = text(ci, 0, TEXT_LENS[usize::from(len) % TEXT_LENS.len()]);
                self.send(
                    ci,
                    &Frame::Whisper {
                        tag: 0,
                        to: NICKS[usize::from(to) % NICKS.len()],
                        flags: 0,
                        text: &text,
                    },
                );
            }
            Req::SetTopic { room: r, len } => {
                let topic = text(ci, 0, TOPIC_LENS[usize::from(len) % TOPIC_LENS.len()]);
                self.send(
                    ci,
                    &Frame::SetTopic {
                        room: room(r),
                        topic: &topic,
                    },
                );
            }
            Req::Ping { token } => self.send(
                ci,
                &Frame::Ping {
                    token: u32::from(token),
                },
            ),
            Req::Pong { token } => self.send(
                ci,
                &Frame::Pong {
                    token: u32::from(token),
                },
            ),
            Req::ServerOnly { room: r } => self.send(ci, &Frame::Left { room: room(r) }),
        }
        self.offer(ci).map(|_| ())
    }

    fn send(&mut self, ci: usize, frame: &Frame<'_>) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = frame.encode(&mut buf).expect("the driver's frames encode");
        self.clients[ci].outbox.extend_from_slice(&buf[..n]);
    }

    /// The hub reads what the client has sent (one read per chunk, while
    /// it takes them). Returns whether it took anything.
    fn offer(&mut self, ci: usize) -> Result<bool, String> {
        let mut took = false;
        loop {
            let c = &mut self.clients[ci];
            let Some(id) = c.conn else {
                return Ok(took);
            };
            if c.outbox.is_empty() {
                return Ok(took);
            }
            let len = c.outbox.len().min(c.chunk.unwrap_or(usize::MAX));
            let n = self.hub.handle_bytes(self.now, id, &c.outbox[..len]);
            ensure!(n <= len, "handle_bytes took {n} of {len} bytes");
            c.outbox.drain(..n);
            if n == 0 {
                return Ok(took);
            }
            took = true;
            self.drain_events();
        }
    }

    fn disconnect(&mut self, ci: usize) {
        if let Some(id) = self.clients[ci].conn {
            self.hub.handle_disconnect(self.now, id);
            self.gone(ci);
        }
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
            let after = self.hub.poll_timeout();
            ensure!(
                after.is_none_or(|t| t > self.now),
                "after handle_timeout({:?}) the next timer is {after:?}",
                self.now
            );
            if next.is_none() {
                return Ok(());
            }
        }
        Err(format!("timers never get to {target:?}"))
    }

    /// A client that is not reading takes `n` bytes once.
    fn trickle(&mut self, ci: usize, n: usize) -> Check {
        let Some(id) = self.clients[ci].conn else {
            return Ok(());
        };
        let mut buf = [0u8; 4096];
        let mut tx = self.hub.transmit(self.now, id, buf.len());
        let len = tx.copy_to(&mut buf);
        let n = n.min(len);
        self.clients[ci].inbox.extend_from_slice(&buf[..n]);
        tx.commit(n);
        self.clients[ci].blocked |= n < len;
        self.drain_events();
        self.read(ci)
    }

    /// The writing half of a wake-up: write output where the hub says there
    /// is some (and where sockets became writable again), feed waiting
    /// input, take closes; until nothing moves.
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
                // A reading client has had its Bye by the time the hub
                // closes (only one that was not reading is cut off).
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

    /// Write what the hub has for `id`, as far as its client's socket
    /// takes it.
    fn flush(&mut self, id: ConnId) -> Result<bool, String> {
        let Some(ci) = self.client_of(id) else {
            // A connection the driver no longer holds: nothing to write to.
            return Ok(false);
        };
        let mut buf = [0u8; 4096];
        if self.clients[ci].paused {
            // The socket is full: the write would block.
            let mut tx = self.hub.transmit(self.now, id, buf.len());
            let len = tx.copy_to(&mut buf);
            if self.clients[ci].sent_zero {
                tx.commit(0);
            }
            self.clients[ci].blocked |= len > 0;
            self.drain_events();
            return Ok(false);
        }
        self.clients[ci].blocked = false;
        let mut progress = false;
        // A frame is at most 1 KiB and the queue 3 KiB; ten thousand writes
        // of one byte each is far more than one flush can need.
        for _ in 0..10_000 {
            // The core's pump writes as a driver does: lend, write what the
            // socket takes, commit, let waiting requests go on.
            let mut socket = Socket(&mut self.clients[ci]);
            let written = self.pump.flush(&mut self.hub, self.now, id, &mut socket);
            if written == 0 {
                return Ok(progress);
            }
            progress = true;
            self.drain_events();
            self.read(ci)?;
            if self.clients[ci].conn != Some(id) {
                return Ok(true);
            }
        }
        Err(format!("{id:?}: transmit never runs dry"))
    }

    fn drain_events(&mut self) {
        if self.hub.events_dropped() > 0 {
            // A `Parted` lost from the log would pair each later `Left`
            // with the wrong id: check no more of them.
            self.parted_at.clear();
            while self.hub.poll_event().is_some() {}
            return;
        }
        while let Some(event) = self.hub.poll_event() {
            if let Event::Parted { conn, room, id, .. } = event {
                let client = self.clients.iter().position(|c| c.conn == Some(conn));
                // Only a client in the room can be the one who left it: a
                // slot given to another since the event has no stay there.
                let k = key(&room);
                if let Some(ci) = client.filter(|&ci| self.clients[ci].stays.contains_key(&k)) {
                    self.parted_at.entry((ci, k)).or_default().push_back(id);
                }
            }
        }
    }

    /// The client's connection is gone: closed by the hub or dropped.
    fn gone(&mut self, ci: usize) {
        let c = &mut self.clients[ci];
        if c.conn.take().is_none() {
            return;
        }
        c.inbox.clear();
        c.outbox.clear();
        c.nick = None;
        c.bye = false;
        c.blocked = false;
        let rooms: Vec<String> = c.stays.keys().cloned().collect();
        for room in rooms {
            self.end_stay(ci, &room);
        }
        self.parted_at.retain(|(c, _), _| *c != ci);
    }

    fn end_stay(&mut self, ci: usize, room: &str) {
        let c = &mut self.clients[ci];
        if let Some(stay) = c.stays.remove(room).filter(|s| s.last > 0) {
            c.last_seen
                .insert(room.to_string(), (stay.room_epoch, stay.last));
        }
    }

    // ----- what clients receive ------------------------------------------

    /// Decode and check every whole frame the client has received.
    fn read(&mut self, ci: usize) -> Check {
        loop {
            let inbox = &self.clients[ci].inbox;
            let n = match decode(inbox) {
                Ok(Status::Complete((_, n))) => n,
                Ok(Status::Partial { .. }) => return Ok(()),
                Err(e) => {
                    let head = &inbox[..inbox.len().min(16)];
                    return Err(format!(
                        "client {ci} got bytes that do not decode ({e:?}): {head:02x?}"
                    ));
                }
            };
            let raw: Vec<u8> = self.clients[ci].inbox.drain(..n).collect();
            let Ok(Status::Complete((frame, _))) = decode(&raw) else {
                unreachable!("decoded a moment ago")
            };
            self.receive(ci, frame)
                .map_err(|e| format!("client {ci}, {frame:?}: {e}"))?;
        }
    }

    /// `ci` got `Left` for `room`, whose own `Parted` was event `parted`:
    /// every owed event before that reached it or was counted by a `Gap`.
    fn left_before(&mut self, ci: usize, room: &str, parted: u64) -> Check {
        let stay = self.stay(ci, room)?;
        ensure!(
            parted > stay.last,
            "got event {} after its own Parted {parted}",
            stay.last
        );
        let unexplained = stay.unexplained_before(parted);
        ensure!(
            unexplained <= stay.missed + stay.nick_sets,
            "Left without {unexplained} events before its own Parted {parted} \
             (after {}, gaps for {}): {stay:?}",
            stay.last,
            stay.missed
        );
        self.stats.departures += 1;
        Ok(())
    }

    fn stay(&mut self, ci: usize, room: &str) -> Result<&mut Stay, String> {
        self.clients[ci]
            .stays
            .get_mut(&key(room))
            .ok_or_else(|| format!("a frame of {room}, which it is not in"))
    }

    /// A room event arrived: ids only go up, its own never come back, and
    /// every owed event it skipped is its own or counted by a gap notice.
    fn event(&mut self, ci: usize, room: &str, id: u64) -> Check {
        let stay = self.stay(ci, room)?;
        ensure!(id > stay.last, "event {id} after event {}", stay.last);
        ensure!(!stay.own.contains(&id), "its own message came back");
        ensure!(
            id - stay.last <= 1 << 20,
            "event {id} after {}: an implausible jump",
            stay.last
        );
        // Every event owed between the last one and this one is its
        // own or was counted by a gap notice in between.
        let hole = id - stay.last - 1;
        ensure!(
            stay.missed <= hole,
            "gap notices for {} events where {hole} are missing",
            stay.missed
        );
        let unexplained = stay.unexplained_before(id);
        ensure!(
            unexplained <= stay.missed + stay.nick_sets,
            "{unexplained} events before {id} lost silently (after {}, gaps for {}): {stay:?}",
            stay.last,
            stay.missed
        );
        // Where the whole hole was owed, the notices may not count more
        // than the owed events that are not its own (issue 8: its own
        // messages were once counted). Before a fresh join's `next_id` the
        // client cannot tell where the replay started, so that part of a
        // hole is only bounded above (by its length, checked above).
        let own_join = stay.next_id - 1;
        if (stay.last + 1..id).all(|i| stay.owed(i) || stay.own.contains(&i) || i == own_join) {
            ensure!(
                stay.missed <= unexplained,
                "gap notices for {} events before {id} where {unexplained} owed events of \
                 others are missing (after {}): {stay:?}",
                stay.missed,
                stay.last
            );
        }
        stay.last = id;
        stay.missed = 0;
        self.stats.events += 1;
        Ok(())
    }

    /// A message's content, as its sender's `Ack` says it is (`acked`) or
    /// as a receiver got it: every copy, live or from the history, must be
    /// what was sent, by whom, at the time the sender was told.
    fn compare(&mut self, message: MessageKey, content: Content, acked: bool) -> Check {
        let known = self.acked.get(&message).or(self.received.get(&message));
        if let Some(known) = known {
            ensure!(
                *known == content,
                "message {message:?} is {content:?} here and {known:?} elsewhere"
            );
            self.stats.contents += 1;
        }
        if acked {
            self.acked.insert(message, content);
        } else {
            self.received.entry(message).or_insert(content);
        }
        Ok(())
    }

    fn receive(&mut self, ci: usize, frame: Frame<'_>) -> Check {
        ensure!(!self.clients[ci].bye, "a frame after the Bye");
        match frame {
            Frame::Welcome {
                nick,
                max_text,
                version,
                ..
            } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_none(), "welcomed twice");
                ensure!(
                    version == VERSION && usize::from(max_text) == TEXT,
                    "bad welcome"
                );
                c.nick = Some(nick.to_string());
                self.stats.welcomes += 1;
            }
            Frame::NickSet { nick } => {
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "NickSet before the welcome");
                c.nick = Some(nick.to_string());
                for stay in c.stays.values_mut() {
                    stay.nick_sets += 1;
                }
            }
            Frame::Entered {
                room,
                epoch,
                next_id,
                members,
                topic,
            } => {
                let k = key(room);
                let capacity = self.capacity();
                let c = &mut self.clients[ci];
                ensure!(c.nick.is_some(), "entered before the welcome");
                ensure!(!c.stays.contains_key(&k), "entered twice");
                ensure!(epoch != 0 && next_id >= 1, "epoch 0 or id 0");
                ensure!(
                    members >= 1 && usize::from(members) <= capacity,
                    "{members} members, capacity {capacity}"
                );
                ensure!(topic.len() <= TEXT, "topic over the limit");
                // A resume is checked from `since` on only when this
                // `Entered` surely answers it.
                let sent = c.joins.remove(&k).unwrap_or_default();
                let from = match sent[..] {
                    [(e, since)]
                        if !c.garbled
                            && !c.entered.contains(&k)
                            && e == epoch
                            && since > 0
                            && since < next_id =>
                    {
                        self.stats.resumes += 1;
                        since + 1
                    }
                    _ => next_id,
                };
                c.entered.insert(k.clone());
                c.stays.insert(
                    k,
                    Stay {
                        room_epoch: epoch,
                        next_id,
                        from,
                        last: 0,
                        missed: 0,
                        own: BTreeSet::new(),
                        nick_sets: 0,
                    },
                );
                self.stats.entered += 1;
            }
            Frame::Left { room } => {
                self.stay(ci, room)?;
                let k = key(room);
                self.clients[ci].joins.remove(&k);
                let parted = self
                    .parted_at
                    .get_mut(&(ci, k.clone()))
                    .and_then(VecDeque::pop_front);
                if let Some(parted) = parted {
                    self.left_before(ci, &k, parted)?;
                }
                self.end_stay(ci, &k);
            }
            Frame::Names { room, flags, nicks } => {
                self.stay(ci, room)?;
                ensure!(flags & !FLAG_MORE == 0, "undefined flags");
                ensure!(nicks.len() <= MAX_NAMES_PER_FRAME, "{} names", nicks.len());
            }
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => {
                self.event(ci, room, id)?;
                let room_epoch = self.stay(ci, room)?.room_epoch;
                let content = (from.to_string(), text.to_string(), flags, time);
                self.compare((key(room), room_epoch, id), content, false)?;
            }
            Frame::Joined { room, id, .. }
            | Frame::Parted { room, id, .. }
            | Frame::NickChanged { room, id, .. }
            | Frame::TopicChanged { room, id, .. } => self.event(ci, room, id)?,
            Frame::Gap { room, missed } => {
                let stay = self.stay(ci, room)?;
                ensure!(missed > 0, "told it missed nothing");
                stay.missed = stay.missed.saturating_add(missed);
                self.stats.gaps += 1;
            }
            Frame::Ack {
                room,
                id,
                tag,
                time,
            } if !room.is_empty() => {
                let stay = self.stay(ci, room)?;
                ensure!(
                    id >= stay.next_id && id > stay.last && stay.own.insert(id),
                    "Ack for id {id}: {stay:?}"
                );
                let room_epoch = stay.room_epoch;
                self.stats.acks += 1;
                let c = &mut self.clients[ci];
                let said = c.said.remove(&tag);
                // After raw bytes, which may hold a `Say` of any tag, the
                // client no longer knows what a tag stood for.
                if !c.garbled {
                    ensure!(said.is_some(), "Ack for tag {tag}, which it never used");
                    let (text, flags) = said.unwrap_or_default();
                    let nick = c.nick.clone().unwrap_or_default();
                    let content = (nick, text, flags, time);
                    self.compare((key(room), room_epoch, id), content, true)?;
                }
            }
            Frame::Ack { id, .. } => ensure!(id == 0, "a whisper acked with id {id}"),
            Frame::Bye { .. } => {
                let c = &mut self.clients[ci];
                c.bye = true;
                c.nick = None;
                c.outbox.clear();
                let rooms: Vec<String> = c.stays.keys().cloned().collect();
                for room in rooms {
                    self.end_stay(ci, &room);
                }
            }
            Frame::Ping { token } => {
                if !self.clients[ci].bye {
                    self.send(ci, &Frame::Pong { token });
                }
            }
            Frame::Error { code, .. } => {
                ensure!(
                    !matches!(code, ErrorCode::Other(_)),
                    "an error code the protocol does not define"
                );
                self.stats.errors += 1;
            }
            Frame::Private { .. } | Frame::Pong { .. } => {}
            _ => return Err("a frame only a client sends".to_string()),
        }
        Ok(())
    }

    // ----- invariants ------------------------------------------------------

    /// What must hold at any moment.
    fn check_always(&self) -> Check {
        let open = self.hub.connections();
        ensure!(
            open <= self.limit(),
            "{open} connections open, limit {}",
            self.limit()
        );
        let rooms: Vec<(&str, usize)> = self.hub.rooms().collect();
        ensure!(rooms.len() <= ROOMS_, "{} rooms: {rooms:?}", rooms.len());
        for &(room, members) in &rooms {
            ensure!(
                members <= self.capacity(),
                "{room} has {members} members, capacity {}",
                self.capacity()
            );
        }
        for (i, &(a, _)) in rooms.iter().enumerate() {
            for &(b, _) in &rooms[..i] {
                ensure!(key(a) != key(b), "two rooms called {a} and {b}");
            }
        }
        Ok(())
    }

    /// What must hold once the wake-up's output is written.
    fn check_quiet(&mut self) -> Check {
        let mut buf = [0u8; 4096];
        for ci in 0..CLIENTS {
            let c = &self.clients[ci];
            let Some(id) = c.conn else { continue };
            if c.paused {
                continue;
            }
            ensure!(
                c.inbox.is_empty(),
                "client {ci} is left with {} bytes of a frame",
                c.inbox.len()
            );
            ensure!(
                !c.bye,
                "client {ci} got its Bye but {id:?} was never closed"
            );
            let len = self.hub.transmit(self.now, id, buf.len()).copy_to(&mut buf);
            ensure!(
                len == 0,
                "client {ci} reads, but the hub kept {len} bytes for {id:?} without saying so"
            );
            ensure!(
                self.hub.nick(id) == c.nick.as_deref(),
                "client {ci} thinks it is {:?}, the hub says {:?}",
                c.nick,
                self.hub.nick(id)
            );
        }
        // Nicknames at the hub of clients that are not reading: their view
        // may lag, so they are left out on both sides.
        let lagging: BTreeSet<String> = self
            .clients
            .iter()
            .filter(|c| c.paused)
            .filter_map(|c| self.hub.nick(c.conn?))
            .map(key)
            .collect();
        let mut rooms_seen = BTreeSet::new();
        let hub_rooms: Vec<(String, usize)> =
            self.hub.rooms().map(|(r, n)| (r.to_string(), n)).collect();
        for (room, count) in &hub_rooms {
            let members: Vec<&str> = self.hub.members(room).collect();
            ensure!(
                members.len() == *count,
                "{room} has {count} members, {} of them welcomed: {members:?}",
                members.len()
            );
            let at_hub: BTreeSet<String> = members.iter().map(|m| key(m)).collect();
            ensure!(
                at_hub.len() == members.len(),
                "{room} lists someone twice: {members:?}"
            );
            let at_hub: BTreeSet<String> = at_hub.difference(&lagging).cloned().collect();
            let k = key(room);
            let told: BTreeSet<String> = self
                .clients
                .iter()
                .filter(|c| !c.paused && c.conn.is_some() && c.stays.contains_key(&k))
                .filter_map(|c| c.nick.as_deref().map(key))
                .collect();
            ensure!(
                at_hub == told,
                "{room}: the hub has {at_hub:?}, the clients think {told:?}"
            );
            rooms_seen.insert(k);
        }
        for (ci, c) in self.clients.iter().enumerate() {
            if c.paused || c.conn.is_none() {
                continue;
            }
            for room in c.stays.keys() {
                ensure!(
                    rooms_seen.contains(room),
                    "client {ci} thinks it is in {room}, which the hub does not have"
                );
            }
        }
        Ok(())
    }
}

/// Hand-written scripts, committed as `fuzz/seeds/room/<name>` (the replay
/// test's ignored `write_seeds` writes them).
pub fn seed_scripts() -> Vec<(&'static str, Script)> {
    use Op::*;
    // Indices into NICKS and ROOMS.
    const ANN: u8 = 0;
    const BOB: u8 = 1;
    const CAT: u8 = 3;
    const DAN: u8 = 4;
    const ZOE: u8 = 5;
    const LOBBY: u8 = 0;
    const MATHS: u8 = 1;
    const ART: u8 = 2;
    let join = |c, room| {
        Send(
            c,
            Req::Join {
                room,
                mode: 0,
                epoch: 0,
                since: 0,
            },
        )
    };
    let say = |c, room, len, count| Send(c, Req::Say { room, len, count });
    let steps = |ops: Vec<Op>| ops.into_iter().map(|op| Step { op, more: false }).collect();
    let script = |flags, limits, ops| Script {
        setup: Setup { flags, limits },
        steps: steps(ops),
    };
    let mut seeds = vec![
        (
            // bob parts while ann's messages still wait for him in the
            // history: he gets them (or a gap) before `Left`, and cat, who
            // sees his `Parted`, lets the checker hold him to that.
            "part_race",
            script(
                0,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(2, CAT),
                    join(2, LOBBY),
                    Pause(1),
                    say(0, LOBBY, 1, 3),
                    Send(
                        1,
                        Req::Part {
                            room: LOBBY,
                            reason: 0,
                        },
                    ),
                    Resume(1),
                    Advance(10),
                ],
            ),
        ),
        (
            // Everything a class does in a lesson, with nobody slow.
            "session",
            script(
                0x80,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    say(0, LOBBY, 1, 0),
                    Login(1, BOB),
                    join(1, LOBBY),
                    say(1, LOBBY, 4, 2),
                    Send(0, Req::Whisper { to: BOB, len: 1 }),
                    Send(
                        1,
                        Req::SetTopic {
                            room: LOBBY,
                            len: 1,
                        },
                    ),
                    join(0, MATHS),
                    join(1, MATHS),
                    say(0, MATHS, 5, 0),
                    Send(1, Req::SetNick { nick: ZOE }),
                    say(1, LOBBY, 0, 0),
                    Send(
                        0,
                        Req::Part {
                            room: MATHS,
                            reason: 1,
                        },
                    ),
                    Send(0, Req::Ping { token: 7 }),
                    Send(1, Req::Quit { reason: 1 }),
                    Advance(1_000),
                ],
            ),
        ),
        (
            // A reader that stops, falls off a 4-event history, takes a few
            // bytes at a time and comes back: gaps, cut frames.
            "slow_reader",
            script(
                0x40,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(2, CAT),
                    join(2, LOBBY),
                    Pause(2),
                    say(0, LOBBY, 5, 3),
                    say(1, LOBBY, 6, 3),
                    Trickle(2, 40),
                    say(0, LOBBY, 5, 3),
                    Trickle(2, 0),
                    say(1, LOBBY, 1, 3),
                    Resume(2),
                    say(0, LOBBY, 0, 0),
                ],
            ),
        ),
        (
            // Lose the connection, miss some messages, come back and resume.
            "resume",
            script(
                0x50,
                0,
                vec![
                    Login(0, ANN),
                    join(0, LOBBY),
                    Login(1, BOB),
                    join(1, LOBBY),
                    say(1, LOBBY, 1, 1),
                    Disconnect(0),
                    say(1, LOBBY, 1, 3),
                    Reconnect(0, ANN),
                    say(1, LOBBY, 1, 3),
                    say(1, LOBBY, 1, 3),
                    Disconnect(0),
                    say(1, LOBBY, 1, 3),
                    say(1, LOBBY, 1, 3),
                    Reconnect(0, ANN),
                ],
            ),
        ),
        (
            // Sockets that take 1 or 7 bytes per write, input 3 bytes per
            // read.
            "partial_writes",
            script(
                0x00,
                0,
                vec![
                    Login(0, ANN),
                    Socket(0, 7, 3),
                    join(0, LOBBY),
                    Login(1, BOB),
                    Socket(1, 1, 1),
                    join(1, LOBBY),
                    say(0, LOBBY, 7, 3),
                    say(1, LOBBY, 5, 3),
                    Send(
                        0,
                        Req::SetTopic {
                            room: LOBBY,
                            len: 4,
                        },
                    ),
                ],
            ),
        ),
        (
            // Bad input of every kind, up to the ninth strike, and an
            // oversize length prefix.
            "garbage",
            script(
                0x00,
                0,
                vec![
                    Login(0, ANN),
                    Raw(0, 0, vec![0x00, 0x00]),
                    Raw(0, 0, vec![0x00, 0x01, 0x33]),
                    Raw(0, 0, vec![0x00, 0x04, 0x06, 0x02, 0xc3, 0x28]),
                    Raw(0, 1, vec![0x06, 0x02, b'9', b'x']),
                    Raw(0, 1, vec![0x09, 0x00]),
                    Raw(0, 1, vec![0x09, 0, 0, 0, 1, 0]),
                    Send(0, Req::ServerOnly { room: LOBBY }),
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 0,
                        },
                    ),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Raw(
                        1,
                        1,
                        vec![
                            0x04, 0, 0, 0, 1, 5, b'l', b'o', b'b', b'b', b'y', 2, 0, 1, b'x',
                        ],
                    ),
                    Raw(1, 1, vec![0x01, 0x02, 0x03, b'b', b'o', b'b', 0x00]),
                    Raw(1, 1, vec![0x01, 0x01, 0x03, b'B', b'O', b'B', 0x00]),
                    Raw(
                        1,
                        1,
                        vec![0x02, 0x01, b'#', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                    ),
                    Raw(
                        1,
                        1,
                        vec![0x03, 0x05, b'l', b'o', b'b', b'b', b'y', 0x01, b'\n'],
                    ),
                    Raw(
                        1,
                        1,
                        vec![0x07, 0x05, b'l', b'o', b'b', b'b', b'y', 0x00, 0x01, 0x00],
                    ),
                    Raw(1, 1, vec![0xff]),
                    Raw(1, 1, vec![]),
                    Raw(1, 1, vec![0x0a, 0, 0, 0]),
                    Raw(1, 1, vec![0x4f, 0x01, 0x00]),
                    Raw(2, 0, vec![0xff, 0xff, 1, 2, 3]),
                    Login(2, CAT),
                    Raw(2, 0, vec![0x04, 0x00]),
                ],
            ),
        ),
        (
            // Timers: no hello in time, pings answered and not, a reader
            // that never reads, a Bye nobody takes.
            "timers",
            script(
                0x00,
                0,
                vec![
                    Connect(0),
                    Login(1, BOB),
                    join(1, LOBBY),
                    Login(2, CAT),
                    join(2, LOBBY),
                    Pause(2),
                    say(1, LOBBY, 7, 3),
                    say(1, LOBBY, 7, 3),
                    Advance(10_000),
                    Advance(0x8000 + 7_500),
                    Advance(0x8000 + 7_500),
                    Advance(0x8000 + 7_500),
                    Resume(2),
                    Login(3, DAN),
                    Pause(3),
                    Advance(0x8000 + 15_000),
                ],
            ),
        ),
        (
            // The tiny hub: too many connections, rooms and members, a
            // flood limit, classroom mode off, a 256-byte history that
            // cannot keep a long Parted.
            "capacity",
            script(
                0x09 | 0x20,
                0x02 | 0x04,
                vec![
                    Login(0, ANN),
                    Login(1, BOB),
                    Login(2, CAT),
                    Login(3, DAN),
                    Connect(4),
                    join(0, LOBBY),
                    join(1, LOBBY),
                    join(2, LOBBY),
                    join(0, ART),
                    join(1, MATHS),
                    join(2, ART),
                    say(0, LOBBY, 0, 3),
                    say(0, LOBBY, 0, 3),
                    say(0, LOBBY, 0, 3),
                    say(0, LOBBY, 0, 3),
                    Send(
                        1,
                        Req::Part {
                            room: LOBBY,
                            reason: 3,
                        },
                    ),
                    Send(0, Req::Quit { reason: 3 }),
                    Connect(4),
                ],
            ),
        ),
        (
            // Password, classroom mode, then the server shuts down with a
            // reader that is not reading.
            "shutdown",
            script(
                0x06 | 0x80,
                0x10,
                vec![
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 2,
                        },
                    ),
                    Connect(0),
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 2,
                        },
                    ),
                    Send(
                        0,
                        Req::Hello {
                            nick: ANN,
                            password: 1,
                        },
                    ),
                    join(0, LOBBY),
                    join(0, ART),
                    join(0, MATHS),
                    Login(1, BOB),
                    join(1, MATHS),
                    Pause(1),
                    say(0, MATHS, 1, 3),
                    Shutdown,
                    Advance(3_000),
                ],
            ),
        ),
    ];
    // One wake-up with several actions before any output is written: a
    // member speaks, another's connection drops and its slot is taken by a
    // newcomer at once.
    let mut wakeup = script(
        0x80,
        0,
        vec![
            Login(0, ANN),
            join(0, LOBBY),
            Login(1, BOB),
            join(1, LOBBY),
            Login(2, CAT),
            join(2, LOBBY),
            say(0, LOBBY, 1, 0),
            Disconnect(1),
            Login(3, DAN),
            join(3, LOBBY),
            say(2, LOBBY, 1, 0),
        ],
    );
    for step in &mut wakeup.steps[6..10] {
        step.more = true;
    }
    seeds.push(("one_wakeup", wakeup));
    seeds
}

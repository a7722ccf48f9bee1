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
use natter_core::room::{
    Config, ConnId, ConnectError, Event, Hub, Inline, Limits, Pump, Received, Storage, Wire,
};
use natter_core::time::Instant;
use natter_core::wire::{
    FLAG_ACTION, FLAG_ADD, FLAG_MORE, FLAG_REMOVE, Frame, MAX_FRAME_LEN, MAX_NAMES_PER_FRAME,
    ROLE_TEACHER, Status, VERSION, decode,
};

pub use script::{Op, Req, Script, Setup, Step};
pub use seeds::seed_scripts;

/// The usual hub of this target, `Inline<6, 3, 1024, 64, 3072>` storage: 6
/// connections, 3 rooms, 1 KiB of history per room, texts up to 64 bytes.
type SmallWorld = World<Inline<6, 3, 1024, 64, 3072>>;
/// An even smaller one, `Inline<4, 2, 256, 32, 2400>`, whose history ring is
/// too small for the longest events (a `Parted` with a 255-byte reason), so
/// those are not kept.
type TinyWorld = World<Inline<4, 2, 256, 32, 2400>>;

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
/// The hub's teacher password (unless the setup says there is none).
pub const TEACHER_PASSWORD: &str = "chalk";
/// Passwords a `Teach` carries: the right one first.
const TEACH_PASSWORDS: [&str; 3] = [TEACHER_PASSWORD, "chalky", ""];
/// Mode letters a `Mode` names: every one the protocol has, an unknown
/// one, and 0 (with no flags: ask for the room's state).
pub const MODES: [u8; 13] = [
    b'o', b'v', b'm', b'b', b't', b'N', b'P', b'i', b'k', b'l', b'S', b'Z', 0,
];
/// Arguments a `Mode` carries: nicknames, mutes and bans (named, wild,
/// by address, naming the usual teacher), numbers (some out of range), a
/// key, one with a space, nothing.
pub const MODE_ARGS: [&str; 18] = [
    "ann",
    "bob",
    "cat",
    "dan",
    "m:bob",
    "m:*!*@natter",
    "m:C?T",
    "bob",
    "*!*@*",
    "dan!*@*",
    "@ann",
    "2",
    "1",
    "0",
    "3601",
    "k3y",
    "a b",
    "",
];
const HISTORY: [usize; 8] = [usize::MAX, 1, 2, 3, 4, 8, 32, 0];
const CAPACITY: [usize; 4] = [usize::MAX, 1, 2, 3];
const MAX_CONNS: [usize; 4] = [usize::MAX, 2, 3, 5];
/// Wall-clock origins: the usual, the protocol examples' date, and one
/// that saturates.
const ORIGINS: [u64; 4] = [0, 1_764_234_900_000, u64::MAX - 1_000, 1];

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
    /// Connections that became the teacher (`YouAre`).
    pub teachers: u64,
    /// Messages checked against the speaker's roles at the time they were
    /// said (the room's events before them all known).
    pub messages_judged: u64,
    /// `ModeChanged` and `Kicked` events checked against their author's
    /// roles at the time.
    pub controls_judged: u64,
    /// Requests refused by a control (`NotOperator`, `Muted`, `Moderated`...).
    pub refused_by_controls: u64,
    /// Members who read their own `Kicked`.
    pub kicked: u64,
    /// Room states (`RoomState` after `Entered`, or none) compared with the model.
    pub states_compared: u64,
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
        self.teachers += s.teachers;
        self.messages_judged += s.messages_judged;
        self.controls_judged += s.controls_judged;
        self.refused_by_controls += s.refused_by_controls;
        self.kicked += s.kicked;
        self.states_compared += s.states_compared;
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
    /// Its own events whose ids it is not told: nickname changes confirmed
    /// during the stay, and its announcement as the teacher (`YouAre`).
    unnumbered: u64,
    /// The id of its own join: it and the events up to `next_id` are its
    /// own (one, or two for the teacher, whose join is announced).
    joined_at: u64,
}

impl Stay {
    /// Must this event reach the client (unless it is its own)? Live
    /// events, and on a resume the replayed ones but its own join (the
    /// events from `joined_at` to `next_id`).
    fn owed(&self, id: u64) -> bool {
        id >= self.next_id || id >= self.from && id < self.joined_at
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
    /// Nicknames (keys) it asked for on this connection (`Hello`, `SetNick`).
    names: BTreeSet<String>,
    /// Sent the right teacher password on this connection.
    taught: bool,
    /// Read its `YouAre` on this connection: the teacher.
    teacher: bool,
    /// Sent a `Mode` that asks on this connection: a `RoomState` may answer it.
    asked: bool,
    /// Read `Entered` (room key, epoch, `next_id`) and waits for the
    /// `RoomState` that follows it when the room has controls on.
    entering: Option<(String, u32, u64)>,
}

/// A message as everyone must see it: sender's nickname, text, flags, time.
type Content = (String, String, u8, u64);
/// A message by room key, room epoch and id.
type MessageKey = (String, u32, u64);

struct World<S: Storage> {
    hub: Hub<S>,
    /// What the hub holds.
    limits: Limits,
    config: Config,
    now: Instant,
    clients: Vec<Client>,
    /// What senders' `Ack`s say each message is, and what the first
    /// receiver of each got: every copy must match.
    acked: BTreeMap<MessageKey, Content>,
    received: BTreeMap<MessageKey, Content>,
    /// The ids of each client's own `Parted` events in each room, from the
    /// hub's log (a client is not told them), oldest first, for its
    /// connection (dropped when that ends): a `Left` it reads answers the
    /// oldest. A client that is not reading may read that `Left` late,
    /// after it joined again and was parted again, and its view may not
    /// even have had the stay yet when the `Parted` was logged.
    parted_at: BTreeMap<(usize, String), VecDeque<u64>>,
    /// What each room (by key and epoch) is known to have seen, and its
    /// roles and controls replayed from that (see `roles.rs`).
    models: BTreeMap<(String, u32), roles::RoomModel>,
    /// Rooms that exist from the start (keys): nobody creates them, so
    /// nobody is their operator by creating them.
    fixed: BTreeSet<String>,
    /// Nicknames (keys) a connection that may be the teacher asked for:
    /// only they may be announced as the teacher.
    teacher_nicks: BTreeSet<String>,
    /// A connection that sent raw bytes may have proved the password under
    /// any nickname.
    any_teacher_nick: bool,
    pump: Pump,
    stats: Stats,
}

impl<S: Storage + Default> World<S> {
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
        if l & 0x40 == 0 {
            let _ = config.teacher_password.push_str(TEACHER_PASSWORD);
        }
        let mut hub = Hub::<S>::new(config.clone());
        hub.add_room("lobby").expect("lobby");
        if f & 0x80 != 0 && hub.limits().rooms > 1 {
            hub.add_room("maths").expect("maths");
        }
        let fixed = hub.rooms().map(|(room, _)| key(room)).collect();
        World {
            fixed,
            limits: hub.limits(),
            hub,
            config,
            now: Instant(0),
            clients: (0..CLIENTS).map(|_| Client::default()).collect(),
            acked: BTreeMap::new(),
            received: BTreeMap::new(),
            parted_at: BTreeMap::new(),
            models: BTreeMap::new(),
            teacher_nicks: BTreeSet::new(),
            any_teacher_nick: false,
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
        self.config.max_conns.min(self.limits.conns)
    }

    fn capacity(&self) -> usize {
        self.config.room_capacity.min(self.limits.conns)
    }

    fn client_of(&self, conn: ConnId) -> Option<usize> {
        self.clients.iter().position(|c| c.conn == Some(conn))
    }
}

// After `ensure!`, which they use (a macro is in scope from where it is
// defined on).
mod actions;
mod invariants;
mod receive;
mod roles;
mod script;
mod seeds;

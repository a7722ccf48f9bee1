//! What the server runs with: its options, their defaults and checks, the
//! capacities they are bounded by, and the hub's configuration made from
//! them.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use log::{debug, warn};
use natter_core::room::Config;
use natter_core::wire::MAX_SHORT;

use super::accept::MAX_REFUSING;
use crate::storage::HeapStorage;

/// Most connections the server can hold: `--max-members` sets how many it
/// does, up to this (a connection's handle is a `u16`). Each member costs
/// about [`MEMBER_BYTES`] of memory, taken when it first connects, plus the
/// kernel's socket buffers.
pub const MAX_CONNS: usize = 65_535;
/// Memory one member costs the server: its slot in the hub (the 1 KiB
/// input buffer, its rooms and timers), its output queue, and its record in
/// the event loop. Measured, with the allocator's overhead, in
/// docs/BENCHMARKS.md ("Scale").
pub const MEMBER_BYTES: usize = 6 * 1024;
/// Most rooms open at once.
pub const MAX_ROOMS: usize = 32;
/// Most events of history per room (`--history` may lower it).
pub const MAX_HISTORY: usize = 4096;
/// Bytes of history per room: about 2,600 short chat lines, or 450 of the
/// longest. Allocated when a room is created.
pub const HISTORY_BYTES: usize = 256 * 1024;
/// Output queue per connection: big enough that one `write` carries many
/// frames.
pub const OUT_QUEUE: usize = 4 * 1024;

/// What the server runs with.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Rooms that exist from the start; the first is the lobby.
    pub rooms: Vec<String>,
    /// Only the rooms above: clients may not create more.
    pub fixed_rooms: bool,
    /// Most connections at once (at most [`MAX_CONNS`]).
    pub max_members: usize,
    /// Events of history per room (at most [`MAX_HISTORY`]).
    pub history: usize,
    /// Password clients must give, if any.
    pub password: Option<String>,
    /// Password that makes whoever proves it the teacher (IRC's `OPER`),
    /// if any.
    pub teacher_password: Option<String>,
    /// Messages per second per member (0: no limit).
    pub flood_rate: u32,
    /// Burst of messages per member.
    pub flood_burst: u32,
    /// Most people in one room (at most `max_members`).
    pub room_size: usize,
    /// Time allowed for the hello; silence before a ping and before a
    /// disconnect; time a client may leave its output unread.
    pub timeouts: Timeouts,
    /// Say goodbye and stop on SIGINT/SIGTERM.
    pub handle_signals: bool,
    /// The name IRC clients see as the server's (their lines' prefix).
    pub server_name: String,
    /// Also listen here for IRC clients only (IRC is spoken on `bind` too).
    pub irc_bind: Option<SocketAddr>,
    /// Web pages besides the server's own that may open a WebSocket here
    /// (a web IRC client hosted elsewhere), as browsers send their origin:
    /// `https://irc.school.example`.
    pub allow_origins: Vec<String>,
}

/// The hub's timers (see `natter_core::room::Config`).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connect to hello.
    pub hello: Duration,
    /// Silence before the server pings.
    pub ping_after: Duration,
    /// Silence before the server disconnects.
    pub idle: Duration,
    /// Unread output before the server disconnects.
    pub stall: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        let d = Config::default();
        let ms = |d: natter_core::time::Duration| Duration::from_millis(d.millis());
        Timeouts {
            hello: ms(d.hello_timeout),
            ping_after: ms(d.ping_after),
            idle: ms(d.idle_timeout),
            stall: ms(d.stall_timeout),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bind: SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 0], 5555)),
            rooms: vec!["lobby".to_owned()],
            fixed_rooms: false,
            max_members: 256,
            history: 1000,
            password: None,
            teacher_password: None,
            flood_rate: 5,
            flood_burst: 10,
            room_size: 256,
            timeouts: Timeouts::default(),
            handle_signals: false,
            server_name: host_name(),
            irc_bind: None,
            allow_origins: Vec::new(),
        }
    }
}

/// This computer's name, for IRC's server prefix ("natter" if unknown).
pub fn host_name() -> String {
    #[cfg(windows)]
    let name = std::env::var("COMPUTERNAME").ok();
    #[cfg(not(windows))]
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    name.map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && !h.contains(char::is_whitespace))
        .unwrap_or_else(|| "natter".to_owned())
}

pub(super) fn check_options(o: &Options) -> io::Result<()> {
    if o.max_members == 0 || o.max_members > MAX_CONNS {
        return Err(invalid(format!(
            "--max-members must be between 1 and {MAX_CONNS}"
        )));
    }
    if o.room_size == 0 || o.room_size > o.max_members {
        return Err(invalid(
            "--room-size must be between 1 and --max-members".into(),
        ));
    }
    if o.history > MAX_HISTORY {
        return Err(invalid(format!("--history must be at most {MAX_HISTORY}")));
    }
    if o.rooms.is_empty() {
        return Err(invalid("name at least one room with --room".into()));
    }
    if o.rooms.len() > MAX_ROOMS {
        return Err(invalid(format!("at most {MAX_ROOMS} rooms")));
    }
    for room in &o.rooms {
        if !natter_core::wire::is_valid_room(room) {
            return Err(invalid(format!(
                "room '{room}': {}",
                natter_core::wire::ROOM_RULES
            )));
        }
    }
    for (name, password) in [
        ("the password", &o.password),
        ("the teacher password", &o.teacher_password),
    ] {
        if password
            .as_ref()
            .is_some_and(|p| p.len() > MAX_SHORT || p.contains(['\0', '\r', '\n']))
        {
            return Err(invalid(format!(
                "{name} must be at most {MAX_SHORT} bytes on one line"
            )));
        }
    }
    Ok(())
}

pub(super) fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// The hub's storage for these options: `max_members` connections, the
/// rooms, each room's history and each member's output queue.
pub(super) fn storage(o: &Options) -> HeapStorage {
    HeapStorage {
        conns: o.max_members,
        rooms: MAX_ROOMS,
        history: HISTORY_BYTES,
        out: OUT_QUEUE,
    }
}

pub(super) fn hub_config(o: &Options) -> Config {
    let mut password = heapless::String::new();
    // check_options bounded the length.
    let _ = password.push_str(o.password.as_deref().unwrap_or(""));
    let mut teacher_password = heapless::String::new();
    let _ = teacher_password.push_str(o.teacher_password.as_deref().unwrap_or(""));
    let origin = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    Config {
        password,
        teacher_password,
        allow_new_rooms: !o.fixed_rooms,
        history: o.history,
        max_conns: o.max_members,
        room_capacity: o.room_size,
        flood_rate: o.flood_rate,
        flood_burst: o.flood_burst,
        clock_origin_unix_ms: origin,
        hello_timeout: ms(o.timeouts.hello),
        ping_after: ms(o.timeouts.ping_after),
        idle_timeout: ms(o.timeouts.idle),
        stall_timeout: ms(o.timeouts.stall),
    }
}

pub(super) fn ms(d: Duration) -> natter_core::time::Duration {
    natter_core::time::Duration(d.as_millis() as u64)
}

/// Descriptors the server needs beyond one per member: its listeners, the
/// poll, its waker and signals, connections being refused, log files.
const SPARE_FILES: u64 = 64 + MAX_REFUSING as u64;

/// Raise the process's open-file limit (its soft limit, up to the hard
/// one) so every member can have a socket, as nginx and ngIRCd do. Returns
/// how many members the server can hold: `members`, or fewer when even the
/// hard limit is too low, which it says. The hub is then sized to that, so
/// the member past it is refused with "the server is full" rather than left
/// waiting by an `accept` that fails for want of a descriptor.
pub(super) fn raise_open_files(members: usize) -> usize {
    let wanted = members as u64 + SPARE_FILES;
    match rlimit::increase_nofile_limit(wanted) {
        Ok(got) if got < wanted => {
            let fits = usize::try_from(got.saturating_sub(SPARE_FILES))
                .unwrap_or(members)
                .clamp(1, members);
            warn!(
                "this system lets the server open only {got} files, so it holds {fits} \
                 members, not --max-members {members}; raise the limit (ulimit -n, or \
                 LimitNOFILE= for a service) or lower --max-members"
            );
            fits
        }
        Ok(got) => {
            debug!("open-file limit: {got}");
            members
        }
        Err(e) => {
            warn!("could not raise the open-file limit: {e}");
            members
        }
    }
}

//! The settings a hub runs with.

use heapless::String;

use crate::time::Duration;
use crate::wire::MAX_SHORT;

/// Settings a hub runs with. Counts are capped by the hub's capacities.
#[derive(Debug, Clone)]
pub struct Config {
    /// Password a hello must carry; empty for none.
    pub password: String<MAX_SHORT>,
    /// Password a `Teach` must carry to make its sender the teacher; empty
    /// for no teacher.
    pub teacher_password: String<MAX_SHORT>,
    /// May clients create rooms by joining a new name? (`false`:
    /// classroom mode, only the rooms named at start-up.)
    pub allow_new_rooms: bool,
    /// Most events of history replayed to a member on a fresh join. (A
    /// room keeps as many events as its `HISTORY` bytes hold, up to about
    /// `HISTORY / 64`, for resumes and slow readers.)
    pub history: usize,
    /// Most connections at once (at most `CONNS`).
    pub max_conns: usize,
    /// Most members in one room (at most `CONNS`).
    pub room_capacity: usize,
    /// Messages per second a member may send on average; 0 for no limit.
    pub flood_rate: u32,
    /// Messages a member may send in a burst.
    pub flood_burst: u32,
    /// Time allowed between connecting and a successful hello.
    pub hello_timeout: Duration,
    /// Silence after which the server pings a client.
    pub ping_after: Duration,
    /// Silence after which a client is disconnected.
    pub idle_timeout: Duration,
    /// Time a client may leave its output queue unread before it is
    /// disconnected.
    pub stall_timeout: Duration,
    /// Wall-clock time at `Instant(0)`, in ms since the Unix epoch, so
    /// event times are real dates while timers use the monotonic clock.
    pub clock_origin_unix_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            password: String::new(),
            teacher_password: String::new(),
            allow_new_rooms: true,
            history: usize::MAX,
            max_conns: usize::MAX,
            room_capacity: usize::MAX,
            flood_rate: 5,
            flood_burst: 10,
            hello_timeout: Duration::from_secs(10),
            ping_after: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(120),
            stall_timeout: Duration::from_secs(30),
            clock_origin_unix_ms: 0,
        }
    }
}

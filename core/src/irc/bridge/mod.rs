//! One IRC connection as a natter client: [`Bridge`] turns the IRC lines
//! a client sends into the natter frames the hub understands, and the
//! frames the hub sends that connection into IRC lines. The hub never
//! knows it is talking to IRC, so rooms, history, flood limits,
//! backpressure and gap notices work exactly as for natter's own clients.
//!
//! Sans-IO like the rest of the core: the driver gives each line to
//! [`Bridge::handle_line`] and each frame of the hub's output for the
//! connection to [`Bridge::handle_frame`], and gets back, through two
//! callbacks, the frames to feed to the hub and the lines to write.
//!
//! What a client gets for what it sends (RFC 2812 numerics):
//!
//! | IRC | natter | answer |
//! |-----|--------|--------|
//! | `CAP LS`/`CAP END`/`CAP REQ` | none | no capabilities (`CAP * LS :`, `NAK`) |
//! | `PASS`, `NICK`, `USER` | `Hello` once all are in | 001-005, 422; 431, 432, 433, 464, 462 |
//! | `JOIN #a,#b` | `Join` each | `JOIN`, 332 (if there is a topic), 353, 366; 403, 405, 471 |
//! | `PART #a [:why]` | `Part` | `PART`; 442 |
//! | `PRIVMSG`/`NOTICE #room\|nick :text` | `Say`/`Whisper` (CTCP ACTION as an action) | 401, 404, 411, 412 (none for `NOTICE`) |
//! | `NICK new` | `SetNick` | `NICK`; 432, 433 |
//! | `TOPIC #r [:text]` | `SetTopic` | 332/331 for a query; 442 |
//! | `QUIT [:why]` | `Quit` | `ERROR` |
//! | `PING`/`PONG` | `Pong` to the hub's pings | `PONG` |
//! | `MODE #r`, `MODE #r b`, `MODE nick` | none | 324, 368, 221 |
//! | `WHO #r`, `WHOIS nick`, `LUSERS` | none | 352/315, 311/318 or 401, 251/255 |
//! | anything else | none | 421; 451 before registration |

use heapless::{Deque, String, Vec};

use super::split_text;
use crate::room::MAX_JOINED;
use crate::wire::{Frame, MAX_NICK, MAX_ROOM, MAX_SHORT, MAX_TEXT, is_valid_room, same_name};
use caps::Caps;
pub use commands::command_names;
pub use directory::{Directory, Person, Profile, WithProfiles};

pub mod caps;
mod commands;
mod control;
pub mod directory;
mod inbound;
mod outbound;
mod write;

/// Longest server name used as the IRC prefix.
pub const MAX_SERVER_NAME: usize = 63;

/// Tags a bridge puts on the `Say`s it sends, so a refusal can be answered
/// as IRC would: with a numeric for `PRIVMSG`, silently for `NOTICE`.
const TAG_PRIVMSG: u32 = 1;
const TAG_NOTICE: u32 = 2;

/// A joined room, as the bridge needs it to show the hub's events.
struct Joined {
    name: String<MAX_ROOM>,
    /// Events with smaller ids are history, replayed on joining.
    next_id: u64,
    /// The room's epoch, for `msgid`s.
    epoch: u32,
}

/// A message sent with `echo-message` on, shown back to its sender once
/// the hub's `Ack` says it was taken (and never if it was refused).
struct Echo {
    /// Messages sent before it (without `echo-message`) whose answers
    /// come first.
    after: u32,
    notice: bool,
    action: bool,
    /// `#room` or a nickname, as the client wrote it.
    target: String<{ MAX_ROOM + 1 }>,
    text: String<MAX_TEXT>,
}

/// One IRC connection's state: registration, its nickname and rooms.
pub struct Bridge {
    server: String<MAX_SERVER_NAME>,
    nick: String<MAX_NICK>,
    password: String<MAX_SHORT>,
    user: bool,
    negotiating: bool,
    hello_sent: bool,
    welcomed: bool,
    /// The token of the hub's last `Ping`, for the client's `PONG`.
    ping: u32,
    /// Minutes to add to UTC for the times of replayed history.
    utc_offset: i32,
    rooms: Vec<Joined, MAX_JOINED>,
    /// The last nickname change passed on: the hub reports it once per
    /// shared room, IRC once.
    last_rename: Option<(String<MAX_NICK>, String<MAX_NICK>)>,
    /// The last quits seen, one entry per room the hub reported each in
    /// (`first_news_of_quit`).
    quits: Deque<QuitSeen, RECENT_QUITS>,
    /// What `USER` said, and `AWAY`: what `WHO` and `WHOIS` show of this
    /// client (the driver keeps a copy for the others' queries, taken
    /// when `profile_version` changes).
    username: String<MAX_USERNAME>,
    realname: String<MAX_REALNAME>,
    away: Option<String<MAX_AWAY>>,
    profile_version: u32,
    /// The capabilities the client turned on.
    caps: Caps,
    /// A message waiting for its `Ack` to be echoed (`echo-message`).
    echo: Option<Echo>,
    /// `PRIVMSG`/`NOTICE` frames the hub has not answered yet.
    unanswered: u32,
    /// The `chathistory` batch open for a room's replayed history: its
    /// reference and room.
    batch: Option<(u32, String<MAX_ROOM>)>,
    /// Batches opened so far, for the next reference.
    batches: u32,
    /// Rooms whose modes the client asked for (`MODE #room`), by name
    /// key: their `RoomState` is shown as `324`.
    mode_queries: Vec<u32, 4>,
    /// `OPER` proved the teacher password (user mode `o`).
    teacher: bool,
}

/// Longest username kept from `USER` (`USERLEN`).
pub const MAX_USERNAME: usize = 16;
/// Longest real name kept from `USER`.
pub const MAX_REALNAME: usize = 64;
/// Longest away message kept (`AWAYLEN`).
pub const MAX_AWAY: usize = 128;

/// Quits a bridge remembers, room by room, so that one shows as one
/// `QUIT` however many rooms it was in.
const RECENT_QUITS: usize = 16;

/// A quit the hub reported in one room: the quitter's nickname key, the
/// time's low 32 bits and the room's name key.
#[derive(Clone, Copy, PartialEq, Eq)]
struct QuitSeen {
    nick: u32,
    time: u32,
    room: u32,
}

/// Where a bridge's lines go: each is one whole line with its CR LF.
pub trait Lines {
    /// Take one line.
    fn line(&mut self, line: &[u8]);

    /// Take several whole lines at once (a copy of lines written before:
    /// `shared::SharedLines`). One [`line`](Lines::line) each unless the
    /// sink takes them in one go.
    fn lines(&mut self, lines: &[u8]) {
        for line in lines.split_inclusive(|&b| b == b'\n') {
            self.line(line);
        }
    }
}

impl<F: FnMut(&[u8])> Lines for F {
    fn line(&mut self, line: &[u8]) {
        self(line)
    }
}

/// Where a bridge's frames for the hub go.
pub trait Frames {
    /// Take one frame.
    fn frame(&mut self, frame: &Frame<'_>);
}

impl<F: FnMut(&Frame<'_>)> Frames for F {
    fn frame(&mut self, frame: &Frame<'_>) {
        self(frame)
    }
}

impl Bridge {
    /// A connection to a server called `server` (its IRC prefix; cut to
    /// [`MAX_SERVER_NAME`] bytes).
    pub fn new(server: &str) -> Bridge {
        let mut name = String::new();
        for c in server.chars().filter(|c| !c.is_whitespace()) {
            if name.push(c).is_err() {
                break;
            }
        }
        if name.is_empty() {
            let _ = name.push_str("natter");
        }
        Bridge {
            server: name,
            nick: String::new(),
            password: String::new(),
            user: false,
            negotiating: false,
            hello_sent: false,
            welcomed: false,
            ping: 0,
            utc_offset: 0,
            rooms: Vec::new(),
            last_rename: None,
            quits: Deque::new(),
            username: String::new(),
            realname: String::new(),
            away: None,
            profile_version: 0,
            caps: Caps::NONE,
            echo: None,
            unanswered: 0,
            batch: None,
            batches: 0,
            mode_queries: Vec::new(),
            teacher: false,
        }
    }

    /// Show the times of replayed history at `minutes` from UTC (the
    /// server's time zone; the bridge has no clock or zone of its own).
    /// Without it they are UTC.
    pub fn with_utc_offset(mut self, minutes: i32) -> Bridge {
        self.utc_offset = minutes.clamp(-24 * 60, 24 * 60);
        self
    }

    /// The name this server goes by in IRC prefixes.
    pub fn server_name(&self) -> &str {
        &self.server
    }

    /// The client's nickname as numerics name it: `*` before registration.
    pub fn client_name(&self) -> &str {
        or_star(if self.welcomed { &self.nick } else { "" })
    }

    /// The hello is with the hub and its answer has not come back: the
    /// driver holds the client's next lines until it has (a client may
    /// send `NICK`, `USER` and `JOIN` in one write, and IRC servers
    /// register it before reading the `JOIN`; here registration takes the
    /// hub's `Welcome`, so the `JOIN` waits for it rather than getting 451).
    ///
    /// Likewise, a message sent with `echo-message` on waits for the hub's
    /// answer (its `Ack` is what is echoed), so that the bridge holds one
    /// message at a time.
    pub fn awaiting_hub(&self) -> bool {
        self.hello_sent && !self.welcomed || self.echo.is_some()
    }

    /// What this client said about itself (`USER`, `AWAY`), for the
    /// others' `WHO` and `WHOIS`: a driver keeps a copy by connection and
    /// lends it in its [`Directory`] (see [`WithProfiles`]).
    pub fn profile(&self) -> Profile<'_> {
        Profile {
            user: if self.username.is_empty() {
                &self.nick
            } else {
                &self.username
            },
            realname: &self.realname,
            away: self.away.as_deref(),
        }
    }

    /// Changes each time the [`profile`](Bridge::profile) does.
    pub fn profile_version(&self) -> u32 {
        self.profile_version
    }

    /// Welcomed by the hub: past registration.
    pub fn registered(&self) -> bool {
        self.welcomed
    }

    /// `true` when this bridge shows event `id` of `room` as live. A live
    /// room `Message` becomes the same lines for every IRC member (its
    /// sender's prefix, the channel, the text split the one way), so a
    /// driver with many IRC members may render it once, through any
    /// member's bridge, and give the others a copy of those lines when
    /// this is `true` for them (replayed history reads differently: a
    /// notice with the time it was said).
    pub fn shows_live(&self, room: &str, id: u64) -> bool {
        !self.is_history(room, id)
    }

    fn is_history(&self, room: &str, id: u64) -> bool {
        self.rooms
            .iter()
            .find(|r| same_name(&r.name, room))
            .is_some_and(|r| id < r.next_id)
    }

    fn room(&self, room: &str) -> Option<&Joined> {
        self.rooms.iter().find(|r| same_name(&r.name, room))
    }
}

/// `name`, or `*` where IRC names nobody: a client without a nickname
/// yet, an error without a subject.
fn or_star(name: &str) -> &str {
    if name.is_empty() { "*" } else { name }
}

/// `#room` for IRC.
fn channel(room: &str) -> String<{ MAX_ROOM + 1 }> {
    let mut ch = String::new();
    let _ = ch.push('#');
    let _ = ch.push_str(room);
    ch
}

/// The natter room an IRC channel names, if it is a valid one.
fn room_of(target: &str) -> Option<&str> {
    target.strip_prefix('#').filter(|r| is_valid_room(r))
}

/// A reason or password cut to a *short* field's 255 bytes, at a
/// character boundary.
fn short(s: &str) -> &str {
    split_text(s, MAX_SHORT).0
}

fn truncated<const N: usize>(s: &str) -> String<N> {
    let mut out = String::new();
    let _ = out.push_str(split_text(s, N).0);
    out
}

#[cfg(test)]
mod tests;

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
use crate::wire::{Frame, MAX_NICK, MAX_ROOM, MAX_SHORT, is_valid_room, same_name};

mod commands;
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
}

/// What the bridge asks about rooms and people when a client queries them
/// (`WHO`, `WHOIS`, `TOPIC`): the hub's present state, which the driver
/// lends with each line. The bridge keeps no copy of member lists or
/// topics, so an IRC connection costs under a kilobyte of bridge state
/// however big its rooms are, and answers are never stale. [`Hub`]
/// implements it.
///
/// [`Hub`]: crate::room::Hub
pub trait Directory {
    /// Call `each` with the nickname of every member of `room`, in joining
    /// order (nobody if there is no such room).
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str));
    /// The topic of `room` (empty when none is set), or `None` if there is
    /// no such room.
    fn topic(&self, room: &str) -> Option<&str>;
    /// `true` when someone is connected as `nick` (case-insensitively).
    fn is_online(&self, nick: &str) -> bool;
}

impl<S: crate::room::Storage> Directory for crate::room::Hub<S> {
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str)) {
        for nick in self.members(room) {
            each(nick);
        }
    }

    fn topic(&self, room: &str) -> Option<&str> {
        self.topic(room)
    }

    fn is_online(&self, nick: &str) -> bool {
        self.is_online(nick)
    }
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
    /// The last quits shown, by nickname key and time
    /// (`first_news_of_quit`).
    quits: Deque<u64, RECENT_QUITS>,
}

/// Quits a bridge remembers, so that one shows as one `QUIT` however
/// many rooms it was in.
const RECENT_QUITS: usize = 16;

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
    pub fn awaiting_welcome(&self) -> bool {
        self.hello_sent && !self.welcomed
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

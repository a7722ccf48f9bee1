//! The script a fuzz input is read as, and its byte layout both ways.

use super::*;

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
    /// `CAP REQ :list` after registration (IRC only; a natter client sends
    /// nothing): the list of [`cap_list`] for `caps`' bits 0-5, each
    /// name with `-` (turn it off) when bit 6 is set; bit 7 adds a
    /// `CAP LIST`.
    Caps { caps: u8 },
}

/// Capabilities a client asks for, by bit: `server-time`, `batch`,
/// `message-tags`, `echo-message`, the two that change only `NAMES` and
/// `WHO` (`multi-prefix userhost-in-names`), and one the server does not
/// offer (`sasl`, which makes the whole request a `NAK`).
pub const CAP_BITS: [&str; 6] = [
    "server-time",
    "batch",
    "message-tags",
    "echo-message",
    "multi-prefix userhost-in-names",
    "sasl",
];

/// The `CAP REQ` list for `caps`' bits 0-5 ([`CAP_BITS`]), each name
/// with `-` in front when `off`; empty for none (also a `NAK`).
pub fn cap_list(caps: u8, off: bool) -> String {
    let mut names = Vec::new();
    for (i, cap) in CAP_BITS.iter().enumerate() {
        if caps & (1 << i) != 0 {
            for name in cap.split(' ') {
                names.push(if off {
                    format!("-{name}")
                } else {
                    name.to_string()
                });
            }
        }
    }
    names.join(" ")
}

/// One action of the driver. Client bytes are taken modulo [`CLIENTS`]
/// after their bit 7, which makes that client's lines end in LF alone
/// rather than CR LF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Connect if needed and register with a nickname of [`NICKS`]. `how`:
    /// bit 0 negotiates capabilities first (`CAP LS 302` ... `CAP END`),
    /// bit 1 gives a wrong password (else the right one, if there is one),
    /// bit 2 sends `USER` before `NICK`; bits 3-7 are capabilities to
    /// request while negotiating (`CAP REQ`, bits 0-4 of [`cap_list`]:
    /// `server-time`, `batch`, `message-tags`, `echo-message`, the
    /// `NAMES` ones), which negotiates even without bit 0.
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
        // Saying is what a room is for: three codes of thirteen.
        match byte(u) % 13 {
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
            12 => Act::Caps { caps: byte(u) },
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
            Act::Caps { caps } => out.extend([12, caps]),
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

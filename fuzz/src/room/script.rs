//! The script a fuzz input is read as: the setup and the steps, and
//! their byte layout both ways.

use super::*;

/// The hub's settings and shape, from two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Setup {
    /// Bit 0: flood limit (5/s, burst 10) instead of none; bit 1:
    /// classroom mode; bit 2: password `pw`; bit 3: the tiny hub ([`TinyWorld`]); bits
    /// 4-6: events of history replayed on a join ([`HISTORY`]); bit 7: `maths` exists from
    /// the start too.
    pub flags: u8,
    /// Bits 0-1: room capacity ([`CAPACITY`]); bits 2-3: most connections
    /// ([`MAX_CONNS`]); bits 4-5: wall-clock origin ([`ORIGINS`]); bit 6:
    /// no teacher password (else it is [`TEACHER_PASSWORD`]).
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
    // The room controls (issue 17), after the kinds above so that inputs
    // written before them keep their meaning.
    /// `Teach` with a password of [`TEACH_PASSWORDS`] (the first is right).
    Teach {
        password: u8,
    },
    /// `Mode`: `flags % 4` picks ask, add, remove or both (refused), `mode`
    /// a letter of [`MODES`], `arg` an argument of [`MODE_ARGS`].
    Mode {
        room: u8,
        flags: u8,
        mode: u8,
        arg: u8,
    },
    /// `Kick` a nickname of [`NICKS`] with a reason of [`REASONS`].
    Kick {
        room: u8,
        nick: u8,
        reason: u8,
    },
    /// `Invite` a nickname of [`NICKS`].
    Invite {
        room: u8,
        nick: u8,
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

/// Kinds of [`Req`]. (Before the controls there were 11: an input written
/// then whose kind bytes are all below 11, as every committed one is,
/// means the same now.)
const REQS: u8 = 15;

fn byte(u: &mut Unstructured<'_>) -> u8 {
    u.arbitrary().unwrap_or(0)
}

impl Req {
    fn parse(u: &mut Unstructured<'_>) -> Req {
        match byte(u) % REQS {
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
            10 => Req::ServerOnly { room: byte(u) },
            11 => Req::Teach { password: byte(u) },
            12 => Req::Mode {
                room: byte(u),
                flags: byte(u),
                mode: byte(u),
                arg: byte(u),
            },
            13 => Req::Kick {
                room: byte(u),
                nick: byte(u),
                reason: byte(u),
            },
            _ => Req::Invite {
                room: byte(u),
                nick: byte(u),
            },
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
            Req::Teach { password } => out.extend([11, password]),
            Req::Mode {
                room,
                flags,
                mode,
                arg,
            } => out.extend([12, room, flags, mode, arg]),
            Req::Kick { room, nick, reason } => out.extend([13, room, nick, reason]),
            Req::Invite { room, nick } => out.extend([14, room, nick]),
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

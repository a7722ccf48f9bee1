//! Frames from the server, owned, so the reader thread can hand them over.

use natter_core::error::ErrorCode;
use natter_core::wire::{FLAG_ACTION, FLAG_MORE, Frame};

use super::types::{EventKind, RoomEvent};

/// What the session thread needs of a server frame.
#[derive(Debug)]
pub(super) enum Inbound {
    Ping {
        token: u32,
    },
    Entered {
        room: String,
        topic: String,
        epoch: u32,
        next_id: u64,
    },
    Names {
        room: String,
        more: bool,
        nicks: Vec<String>,
    },
    Left {
        room: String,
    },
    Event(RoomEvent),
    Private {
        time: u64,
        from: String,
        text: String,
        action: bool,
    },
    Ack {
        tag: u32,
        room: String,
        id: u64,
        time: u64,
    },
    Gap {
        room: String,
        missed: u64,
    },
    NickSet {
        nick: String,
    },
    Error {
        code: ErrorCode,
        tag: u32,
        subject: String,
    },
    Bye {
        code: ErrorCode,
        reason: String,
    },
}

impl Inbound {
    /// The frame as the session sees it; `None` for frames a server has no
    /// business sending a client (they are ignored, as PROTOCOL.md allows
    /// for kinds a side does not expect) and pongs.
    pub(super) fn from_frame(frame: &Frame<'_>) -> Option<Inbound> {
        let event = |room: &str, id, time, kind| {
            Inbound::Event(RoomEvent {
                room: room.to_owned(),
                id,
                time,
                // The session decides, knowing the room's `next_id`.
                live: true,
                kind,
            })
        };
        Some(match *frame {
            Frame::Ping { token } => Inbound::Ping { token },
            Frame::Entered {
                room,
                topic,
                epoch,
                next_id,
                ..
            } => Inbound::Entered {
                room: room.to_owned(),
                topic: topic.to_owned(),
                epoch,
                next_id,
            },
            Frame::Names {
                room,
                flags,
                ref nicks,
            } => Inbound::Names {
                room: room.to_owned(),
                more: flags & FLAG_MORE != 0,
                nicks: nicks.iter().map(str::to_owned).collect(),
            },
            Frame::Left { room } => Inbound::Left {
                room: room.to_owned(),
            },
            Frame::Message {
                room,
                id,
                time,
                from,
                flags,
                text,
            } => event(
                room,
                id,
                time,
                EventKind::Message {
                    from: from.to_owned(),
                    text: text.to_owned(),
                    action: flags & FLAG_ACTION != 0,
                },
            ),
            Frame::Joined {
                room,
                id,
                time,
                nick,
            } => event(
                room,
                id,
                time,
                EventKind::Joined {
                    nick: nick.to_owned(),
                },
            ),
            Frame::Parted {
                room,
                id,
                time,
                nick,
                reason,
            } => event(
                room,
                id,
                time,
                EventKind::Parted {
                    nick: nick.to_owned(),
                    reason: reason.to_owned(),
                },
            ),
            Frame::NickChanged {
                room,
                id,
                time,
                old,
                new,
            } => event(
                room,
                id,
                time,
                EventKind::NickChanged {
                    old: old.to_owned(),
                    new: new.to_owned(),
                },
            ),
            Frame::TopicChanged {
                room,
                id,
                time,
                by,
                topic,
            } => event(
                room,
                id,
                time,
                EventKind::Topic {
                    by: by.to_owned(),
                    topic: topic.to_owned(),
                },
            ),
            Frame::Private {
                time,
                from,
                flags,
                text,
            } => Inbound::Private {
                time,
                from: from.to_owned(),
                text: text.to_owned(),
                action: flags & FLAG_ACTION != 0,
            },
            Frame::Ack {
                tag,
                room,
                id,
                time,
            } => Inbound::Ack {
                tag,
                room: room.to_owned(),
                id,
                time,
            },
            Frame::Gap { room, missed } => Inbound::Gap {
                room: room.to_owned(),
                missed,
            },
            Frame::NickSet { nick } => Inbound::NickSet {
                nick: nick.to_owned(),
            },
            Frame::Error { code, tag, subject } => Inbound::Error {
                code,
                tag,
                subject: subject.to_owned(),
            },
            Frame::Bye { code, reason } => Inbound::Bye {
                code,
                reason: reason.to_owned(),
            },
            _ => return None,
        })
    }
}

//! Frames as a person reads them, for the demo's report lines.

use core::fmt;

use natter_core::wire::Frame;

/// Displays a frame the way the report prints it: `"hi" from ann (id 3)`.
pub struct Shown<'f, 'a>(pub &'f Frame<'a>);

impl fmt::Display for Shown<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self.0 {
            // What members send.
            Frame::Hello { nick, .. } => write!(f, "Hello as {nick}"),
            Frame::Join { room, .. } => write!(f, "Join {room}"),
            Frame::Say { tag, text, .. } => write!(f, "Say \"{text}\" (tag {tag})"),
            Frame::SetNick { nick } => write!(f, "SetNick {nick}"),
            Frame::Part { room, reason } => write!(f, "Part {room} (\"{reason}\")"),
            Frame::Quit { reason } => write!(f, "Quit (\"{reason}\")"),
            // What the hub sends.
            Frame::Welcome {
                nick,
                lobby,
                max_text,
                ..
            } => write!(
                f,
                "Welcome as {nick} (lobby {lobby}, texts up to {max_text} bytes)"
            ),
            Frame::Entered {
                room,
                next_id,
                members,
                ..
            } => write!(f, "Entered {room} ({members} members, next id {next_id})"),
            Frame::Names { room, nicks, .. } => {
                write!(f, "Names of {room}:")?;
                for nick in nicks.iter() {
                    write!(f, " {nick}")?;
                }
                Ok(())
            }
            Frame::Joined { room, id, nick, .. } => write!(f, "{nick} joined {room} (id {id})"),
            Frame::Message { id, from, text, .. } => write!(f, "\"{text}\" from {from} (id {id})"),
            Frame::Ack { tag, room, id, .. } => write!(f, "Ack for tag {tag}: {room} id {id}"),
            Frame::NickSet { nick } => write!(f, "NickSet: you are {nick}"),
            Frame::NickChanged { old, new, id, .. } => write!(f, "{old} is now {new} (id {id})"),
            Frame::Parted {
                room,
                id,
                nick,
                reason,
                ..
            } => write!(f, "{nick} left {room}: \"{reason}\" (id {id})"),
            Frame::Left { room, .. } => write!(f, "Left {room}"),
            Frame::Error { code, tag, .. } => {
                write!(f, "Error {code:?} for tag {tag} (\"{code}\")")
            }
            Frame::Bye { code, reason } => write!(f, "Bye {code:?} (\"{reason}\")"),
            ref other => write!(f, "{other:?}"),
        }
    }
}

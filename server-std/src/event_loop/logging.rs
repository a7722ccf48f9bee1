//! The words of the server's log: what the teacher reads as people come
//! and go, each connection named by its address.

use log::{debug, info};
use natter_core::room::{ConnId, Event};

use super::Driver;

impl Driver<'_> {
    pub(super) fn log(&self, event: Event) {
        match event {
            Event::Welcomed { conn, nick } => info!("{}: '{nick}' connected", self.peer(conn)),
            Event::Joined {
                nick,
                room,
                created,
                ..
            } => {
                let how = if created { " (a new room)" } else { "" };
                info!("'{nick}' joined {room}{how}");
            }
            Event::Parted { nick, room, .. } => info!("'{nick}' left {room}"),
            Event::NickChanged { conn, nick } => info!("{}: now called '{nick}'", self.peer(conn)),
            Event::BadFrame { conn, error } => info!("{}: bad frame: {error}", self.peer(conn)),
            Event::Refused { conn, code } => debug!("{}: refused: {code:?}", self.peer(conn)),
            Event::Closing { conn, nick, code } => {
                info!("{} '{nick}': closing: {}", self.peer(conn), code.describe())
            }
            Event::Disconnected { nick, .. } if nick.is_empty() => {
                debug!("a connection left before saying hello")
            }
            Event::Disconnected { nick, .. } => info!("'{nick}' disconnected"),
            // Never the password itself.
            Event::WrongPassword { conn } => info!("{}: wrong password", self.peer(conn)),
            Event::Teacher { conn, nick } => {
                info!("{} '{nick}': proved the teacher password", self.peer(conn))
            }
            // The audit trail: who did what to whom, where (the log's
            // timestamp says when).
            Event::Moderated {
                nick,
                room,
                what,
                target,
                ..
            } => info!("audit: '{nick}' in {room}: {what} {target}"),
            other => debug!("{other:?}"),
        }
    }

    fn peer(&self, conn: ConnId) -> String {
        match self.conns.get(conn.index()) {
            Some(Some(c)) => c.peer.to_string(),
            _ => format!("#{}", conn.0),
        }
    }
}

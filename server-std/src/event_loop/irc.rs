//! IRC clients' I/O in the loop: their lines into the hub, and the hub's
//! frames back out to them as IRC lines, through each one's
//! [`IrcConn`](crate::irc::IrcConn) (the buffers around the core's IRC
//! bridge, which live in the crate's `irc` module, not this one).

use std::io::{self, Write};
use std::mem;

use natter_core::irc::bridge::{Profile, WithProfiles};
use natter_core::room::ConnId;

use super::{Driver, MUST_DRAIN, Proto, Socket};
use crate::irc::{IrcConn, OwnedProfile, SharedLines};
use crate::storage::{HeapHub, HeapStorage};
use natter_core::time::Instant;

/// Bytes of the hub's frames an IRC connection takes at a time, to turn
/// into IRC lines (see `crate::irc::OUT_LOW` for the bound on what waits).
const IRC_FRAMES: usize = 8 * 1024;

impl Driver<'_> {
    /// An IRC client's bytes: lines through its bridge into the hub, as
    /// fast as the hub takes them (reading stops while it does not).
    pub(super) fn read_irc(&mut self, conn: ConnId) {
        let now = self.clock.now();
        loop {
            let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
                return;
            };
            let Proto::Irc(irc) = &mut c.proto else {
                return;
            };
            if irc.pending.is_empty() && self.hub.input_held(conn) {
                // Still waiting after a wrong password.
                c.read_paused = true;
                return;
            }
            if irc.pending.is_empty() {
                // What the hub answered since (lines it held after a wrong
                // password) goes out before the bridge answers more.
                take_output(
                    self.hub,
                    now,
                    conn,
                    irc,
                    &mut self.irc_frames,
                    &mut self.shared_lines,
                );
            }
            // First what its last lines made, then the lines waiting.
            loop {
                if !irc.pending.is_empty() {
                    let n = self.hub.handle_bytes(now, conn, &irc.pending);
                    irc.pending.drain(..n);
                    if !irc.pending.is_empty() {
                        c.read_paused = true;
                        return;
                    }
                    // The hub's answers to those lines go out before the
                    // bridge answers the next ones (a JOIN, then a WHOIS).
                    take_output(
                        self.hub,
                        now,
                        conn,
                        irc,
                        &mut self.irc_frames,
                        &mut self.shared_lines,
                    );
                    if self.hub.input_held(conn) {
                        // A wrong password: the hub reads its next lines
                        // later, and the bridge must not answer the ones
                        // after them first (a PING's PONG before a JOIN's
                        // 475). `resume_held_irc` comes back after.
                        c.read_paused = true;
                        return;
                    }
                }
                irc.lines(&directory(self.hub, &self.profiles));
                keep_profile(&mut self.profiles, conn, irc);
                if irc.pending.is_empty() {
                    break;
                }
            }
            if irc.held() {
                // Its own answers (WHO, PONG, numerics) wait unread, or
                // its hello is with the hub: read no more until they are
                // written, or the hub has answered.
                c.read_paused = true;
                return;
            }
            c.read_paused = false;
            let read = irc.read(&mut c.stream, &directory(self.hub, &self.profiles));
            keep_profile(&mut self.profiles, conn, irc);
            match read {
                Ok(0) => return self.drop_conn(conn, "closed the connection"),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.drop_conn(conn, &e.to_string()),
            }
            if self.hub.should_transmit() {
                self.transmit_all();
            }
        }
    }

    /// Write an IRC client's output: the hub's frames for it through its
    /// bridge, while its output has room, then as much as the socket takes,
    /// in one write per batch (as natter clients get one per wake-up).
    ///
    /// The lines are made in one buffer that all IRC connections share
    /// (`irc_spare`): a connection keeps a buffer of its own only while
    /// its socket is full, so a hundred IRC clients do not hold a hundred
    /// output buffers at their high-water mark.
    pub(super) fn flush_irc(&mut self, conn: ConnId) {
        let now = self.clock.now();
        loop {
            let Some(Some(c)) = self.conns.get_mut(conn.index()) else {
                return;
            };
            let Proto::Irc(irc) = &mut c.proto else {
                return;
            };
            if irc.out.capacity() < self.irc_spare.capacity() {
                // Work in the shared buffer, after what waits from before.
                self.irc_spare.clear();
                self.irc_spare.extend_from_slice(&irc.out);
                irc.out = mem::take(&mut self.irc_spare);
            }
            take_output(
                self.hub,
                now,
                conn,
                irc,
                &mut self.irc_frames,
                &mut self.shared_lines,
            );
            let written = if irc.out.is_empty() {
                None
            } else {
                Some(c.stream.write(&irc.out))
            };
            match written {
                None => {}
                Some(Ok(n)) => {
                    irc.out.drain(..n);
                    if irc.out.is_empty() || MUST_DRAIN {
                        continue;
                    }
                    // The socket is full: wait until mio says writable.
                }
                Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Some(Err(e)) => return self.drop_conn(conn, &e.to_string()),
            }
            // The shared buffer goes back for the next connection; the
            // connection keeps only what its socket did not take, in a
            // buffer of its size.
            let rest = irc.out.as_slice().to_vec();
            self.irc_spare = mem::replace(&mut irc.out, rest);
            self.irc_spare.clear();
            break;
        }
        // Output taken may have made room for requests that were waiting
        // in the hub, and for lines waiting here.
        self.hub.resume_input(now, conn);
        if matches!(self.conns.get(conn.index()), Some(Some(c)) if c.read_paused) {
            self.read_irc(conn);
        }
    }
}

impl Driver<'_> {
    /// After the hub's timers ran: IRC connections whose lines waited for
    /// a wrong password's hold to end go on.
    pub(super) fn resume_held_irc(&mut self) {
        for i in 0..self.conns.len() {
            let conn = ConnId(i as u16);
            let waiting = matches!(
                self.conns.get(i),
                Some(Some(Socket { read_paused: true, proto: Proto::Irc(irc), .. })) if !irc.held()
            );
            if waiting && !self.hub.input_held(conn) {
                self.read_irc(conn);
            }
        }
    }
}

/// What an IRC client's queries are answered from: the hub, with the
/// profiles the IRC clients gave (by connection).
fn directory<'a>(
    hub: &'a HeapHub,
    profiles: &'a [Option<OwnedProfile>],
) -> WithProfiles<'a, HeapStorage, impl Fn(ConnId) -> Option<Profile<'a>>> {
    WithProfiles {
        hub,
        profile: move |id: ConnId| profiles.get(id.index())?.as_ref().map(OwnedProfile::borrow),
    }
}

/// The hub's frames for `conn`, as IRC lines in its output, while the
/// output has room (`frames` is the buffer they are taken into).
fn take_output(
    hub: &mut HeapHub,
    now: Instant,
    conn: ConnId,
    irc: &mut IrcConn,
    frames: &mut Vec<u8>,
    shared: &mut SharedLines,
) {
    if frames.is_empty() {
        // Made for the first IRC client's first output, so a server
        // without any never holds it.
        *frames = vec![0; IRC_FRAMES];
    }
    while irc.wants_output() {
        let mut tx = hub.transmit(now, conn, frames.len());
        let taken = tx.copy_to(frames);
        // Every frame taken is now IRC output.
        tx.commit(taken);
        if taken == 0 {
            // All the hub had for it (a batch of history is whole).
            irc.caught_up();
            break;
        }
        irc.transmitted(&frames[..taken], shared);
    }
}

/// Copy an IRC client's profile for the others' queries when it changed.
fn keep_profile(profiles: &mut Vec<Option<OwnedProfile>>, conn: ConnId, irc: &crate::irc::IrcConn) {
    let version = irc.profile_version();
    let known = profiles.get(conn.index()).and_then(Option::as_ref);
    if known.is_some_and(|p| p.version == version) || (known.is_none() && version == 0) {
        return;
    }
    if profiles.len() <= conn.index() {
        profiles.resize_with(conn.index() + 1, || None);
    }
    profiles[conn.index()] = Some(OwnedProfile::new(irc.profile(), version));
}

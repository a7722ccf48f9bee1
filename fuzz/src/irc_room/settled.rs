//! What must hold once a wake-up has settled.

use super::*;

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    /// A reading client has no input left waiting, no batch open, and
    /// the hub has no output for it that it did not announce.
    pub(super) fn check_quiet(&mut self) -> Check {
        let mut buf = [0u8; 4096];
        for ci in 0..CLIENTS {
            let c = &self.clients[ci];
            let Some(id) = c.conn else { continue };
            // A client that gave a wrong password waits before the hub
            // reads on.
            if c.paused || c.bye || self.hub.input_held(id) {
                continue;
            }
            let pending = c.side.as_ref().map_or(0, |s| s.pending.len());
            ensure!(
                c.wire.is_empty() && pending == 0,
                "client {ci} reads, but {} bytes it sent and {pending} bytes of its frames \
                 were never taken",
                c.wire.len()
            );
            ensure!(
                c.inbox.is_empty(),
                "client {ci} is left with {} bytes of a frame",
                c.inbox.len()
            );
            // A batch is shown once it ends: the hub had nothing more for
            // a reading client, so its history is whole.
            ensure!(
                c.batch.is_none(),
                "client {ci} reads, and batch {:?} is still open",
                c.batch
            );
            let len = self.hub.transmit(self.now, id, buf.len()).copy_to(&mut buf);
            ensure!(
                len == 0,
                "client {ci} reads, but the hub kept {len} bytes for {id:?} without saying so"
            );
        }
        Ok(())
    }

    /// Every message acknowledged since the last check (and every one put
    /// off for a client that was not reading) has reached the clients in
    /// its room.
    pub(super) fn check_deliveries(&mut self) -> Check {
        let fresh = std::mem::take(&mut self.fresh);
        for message in &fresh {
            for ci in 0..CLIENTS {
                let generation = self.clients[ci].generation;
                self.expect(ci, message, generation)?;
            }
        }
        for ci in 0..CLIENTS {
            if self.clients[ci].paused {
                continue;
            }
            for (message, generation) in std::mem::take(&mut self.clients[ci].deferred) {
                self.expect(ci, &message, generation)?;
            }
        }
        Ok(())
    }

    /// Client `ci`'s connection `generation` must have `message`, if it is
    /// in its room since before the message and reads.
    pub(super) fn expect(&mut self, ci: usize, message: &MessageKey, generation: u32) -> Check {
        let Some(acked) = self.acked.get(message) else {
            return Ok(());
        };
        let c = &mut self.clients[ci];
        if c.conn.is_none() || c.generation != generation || acked.sender == (ci, generation) {
            return Ok(());
        }
        if c.paused {
            c.deferred.push((message.clone(), generation));
            return Ok(());
        }
        let (room, epoch, id) = message;
        let Some(stay) = c.stays.get(room) else {
            return Ok(());
        };
        if stay.epoch != *epoch || stay.next_id > *id {
            return Ok(());
        }
        if !stay.got.contains(id) {
            if stay.excused(*id) {
                self.stats.excused += 1;
                return Ok(());
            }
            return Err(format!(
                "client {ci} ({}) is in {room} since event {}, reads, and never got message {id} \
                 {:?} (last event {}, gaps {:?})",
                if c.irc { "IRC" } else { "natter" },
                stay.next_id,
                acked.content,
                stay.last,
                stay.holes
            ));
        }
        let s = &mut self.stats;
        match (acked.irc, c.irc) {
            (true, false) => s.irc_to_natter += 1,
            (false, true) => s.natter_to_irc += 1,
            (true, true) => s.irc_to_irc += 1,
            (false, false) => s.natter_to_natter += 1,
        }
        if acked.irc != c.irc && acked.content.2 & FLAG_ACTION != 0 {
            s.cross_actions += 1;
        }
        Ok(())
    }
}

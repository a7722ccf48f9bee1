//! The invariants that must hold at any moment and once a wake-up's output is written.

use super::*;

impl<S: Storage + Default> World<S> {
    /// What must hold at any moment.
    pub(super) fn check_always(&self) -> Check {
        let open = self.hub.connections();
        ensure!(
            open <= self.limit(),
            "{open} connections open, limit {}",
            self.limit()
        );
        let rooms: Vec<(&str, usize)> = self.hub.rooms().collect();
        ensure!(
            rooms.len() <= self.limits.rooms,
            "{} rooms: {rooms:?}",
            rooms.len()
        );
        for &(room, members) in &rooms {
            ensure!(
                members <= self.capacity(),
                "{room} has {members} members, capacity {}",
                self.capacity()
            );
        }
        for (i, &(a, _)) in rooms.iter().enumerate() {
            for &(b, _) in &rooms[..i] {
                ensure!(key(a) != key(b), "two rooms called {a} and {b}");
            }
        }
        Ok(())
    }

    /// What must hold once the wake-up's output is written.
    pub(super) fn check_quiet(&mut self) -> Check {
        let mut buf = [0u8; 4096];
        for ci in 0..CLIENTS {
            let c = &self.clients[ci];
            let Some(id) = c.conn else { continue };
            if c.paused {
                continue;
            }
            ensure!(
                c.inbox.is_empty(),
                "client {ci} is left with {} bytes of a frame",
                c.inbox.len()
            );
            ensure!(
                !c.bye,
                "client {ci} got its Bye but {id:?} was never closed"
            );
            let len = self.hub.transmit(self.now, id, buf.len()).copy_to(&mut buf);
            ensure!(
                len == 0,
                "client {ci} reads, but the hub kept {len} bytes for {id:?} without saying so"
            );
            ensure!(
                self.hub.nick(id) == c.nick.as_deref(),
                "client {ci} thinks it is {:?}, the hub says {:?}",
                c.nick,
                self.hub.nick(id)
            );
        }
        // Nicknames at the hub of clients that are not reading: their view
        // may lag, so they are left out on both sides.
        let lagging: BTreeSet<String> = self
            .clients
            .iter()
            .filter(|c| c.paused)
            .filter_map(|c| self.hub.nick(c.conn?))
            .map(key)
            .collect();
        let mut rooms_seen = BTreeSet::new();
        let hub_rooms: Vec<(String, usize)> =
            self.hub.rooms().map(|(r, n)| (r.to_string(), n)).collect();
        for (room, count) in &hub_rooms {
            let members: Vec<&str> = self.hub.members(room).collect();
            ensure!(
                members.len() == *count,
                "{room} has {count} members, {} of them welcomed: {members:?}",
                members.len()
            );
            let at_hub: BTreeSet<String> = members.iter().map(|m| key(m)).collect();
            ensure!(
                at_hub.len() == members.len(),
                "{room} lists someone twice: {members:?}"
            );
            let at_hub: BTreeSet<String> = at_hub.difference(&lagging).cloned().collect();
            let k = key(room);
            let told: BTreeSet<String> = self
                .clients
                .iter()
                .filter(|c| !c.paused && c.conn.is_some() && c.stays.contains_key(&k))
                .filter_map(|c| c.nick.as_deref().map(key))
                .collect();
            ensure!(
                at_hub == told,
                "{room}: the hub has {at_hub:?}, the clients think {told:?}"
            );
            rooms_seen.insert(k);
        }
        for (ci, c) in self.clients.iter().enumerate() {
            if c.paused || c.conn.is_none() {
                continue;
            }
            for room in c.stays.keys() {
                ensure!(
                    rooms_seen.contains(room),
                    "client {ci} thinks it is in {room}, which the hub does not have"
                );
            }
        }
        Ok(())
    }
}

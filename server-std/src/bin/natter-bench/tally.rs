//! Who is where in a scale run, and the accounting of its deliveries: pure
//! logic, no sockets and no clock, so it is tested on its own.
//!
//! Members are numbered `0..members`; member `i` is in room `i % rooms`,
//! and the first `senders` members send. So senders are spread over the
//! rooms the way members are, and with one room everything is in it.

/// The shape of a run: members, rooms, senders and messages per sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub members: usize,
    pub rooms: usize,
    pub senders: usize,
    pub messages: u32,
}

impl Layout {
    /// The room member `member` joins.
    pub fn room_of(&self, member: usize) -> usize {
        member % self.rooms
    }

    /// How many of the first `count` members are in `room`.
    fn count_in(&self, count: usize, room: usize) -> usize {
        if room < count {
            (count - 1 - room) / self.rooms + 1
        } else {
            0
        }
    }

    /// Members in `room`.
    pub fn members_in(&self, room: usize) -> usize {
        self.count_in(self.members, room)
    }

    /// Senders in `room`.
    pub fn senders_in(&self, room: usize) -> usize {
        self.count_in(self.senders.min(self.members), room)
    }

    /// Sender `sender`'s place among the senders of its room.
    fn rank(&self, sender: usize) -> usize {
        sender / self.rooms
    }

    /// Deliveries member `member` should receive: every message of every
    /// other sender in its room (natter does not echo a sender's own).
    pub fn expected_for(&self, member: usize) -> u64 {
        let others = self.senders_in(self.room_of(member)) - usize::from(member < self.senders);
        others as u64 * u64::from(self.messages)
    }

    /// Deliveries the whole run should make.
    pub fn expected(&self) -> u64 {
        (0..self.rooms)
            .map(|r| {
                let senders = self.senders_in(r) as u64;
                // Each sender's messages reach the room's other members.
                senders * (self.members_in(r).saturating_sub(1)) as u64 * u64::from(self.messages)
            })
            .sum()
    }

    /// Bytes of bitmap a tally for all members needs (one bit per member,
    /// sender in its room and message), to refuse absurd runs up front.
    pub fn bitmap_bytes(&self) -> u64 {
        let words = u64::from(self.messages).div_ceil(64);
        (0..self.rooms)
            .map(|r| self.members_in(r) as u64 * self.senders_in(r) as u64 * words * 8)
            .sum()
    }
}

/// What became of one received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// First time this receiver got it, after everything earlier.
    New,
    /// First time, but a later message of the same sender came before it.
    OutOfOrder,
    /// Already received.
    Duplicate,
    /// Not a message this receiver should get at all (unknown sender or
    /// sequence number, another room's sender, its own message).
    Stray,
}

/// Counters of a run (or of one worker's share of it); they add up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub expected: u64,
    /// Distinct messages received by the members they were meant for.
    pub delivered: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub stray: u64,
    /// `Message` frames whose text is not exactly a text the run sent.
    pub corrupt: u64,
    /// Events the server said a member missed (`Gap`).
    pub gaps: u64,
    /// `Say`s the server refused (an `Error` with the request's tag).
    pub refused: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.expected += o.expected;
        self.delivered += o.delivered;
        self.duplicated += o.duplicated;
        self.out_of_order += o.out_of_order;
        self.stray += o.stray;
        self.corrupt += o.corrupt;
        self.gaps += o.gaps;
        self.refused += o.refused;
    }

    /// Expected deliveries that never arrived.
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.delivered)
    }
}

/// Which messages some members (a worker's share) received, by sender and
/// sequence number, and how late.
pub struct Tally {
    layout: Layout,
    words: usize,
    /// Global index of each receiver, by local index.
    members: Vec<usize>,
    /// First pair of each receiver (local index) in `next` / `seen`;
    /// a pair is (receiver, sender of its room).
    first: Vec<usize>,
    /// Per pair: one past the highest sequence number received.
    next: Vec<u32>,
    /// Per pair: `words` words of bitmap, one bit per sequence number.
    seen: Vec<u64>,
    pub counts: Counts,
    /// Latency of each new delivery, in µs.
    pub latencies_us: Vec<u32>,
}

impl Tally {
    /// A tally for `members` (global indices; their local index is their
    /// position here).
    pub fn new(layout: Layout, members: Vec<usize>) -> Tally {
        let words = (layout.messages as usize).div_ceil(64);
        let mut first = Vec::with_capacity(members.len());
        let mut pairs = 0;
        let mut expected = 0;
        for &m in &members {
            first.push(pairs);
            pairs += layout.senders_in(layout.room_of(m));
            expected += layout.expected_for(m);
        }
        Tally {
            layout,
            words,
            members,
            first,
            next: vec![0; pairs],
            seen: vec![0; pairs * words],
            counts: Counts {
                expected,
                ..Counts::default()
            },
            // Sized for the whole run, so recording never reallocates.
            latencies_us: Vec::with_capacity(expected.min(1 << 26) as usize),
        }
    }

    /// Record that receiver `local` got message `seq` of `sender`,
    /// `latency_us` after it was sent.
    pub fn record(&mut self, local: usize, sender: usize, seq: u32, latency_us: u32) -> Outcome {
        let l = &self.layout;
        let Some(&member) = self.members.get(local) else {
            self.counts.stray += 1;
            return Outcome::Stray;
        };
        if sender >= l.senders.min(l.members)
            || sender == member
            || l.room_of(sender) != l.room_of(member)
            || seq >= l.messages
        {
            self.counts.stray += 1;
            return Outcome::Stray;
        }
        let pair = self.first[local] + l.rank(sender);
        let (word, bit) = (pair * self.words + seq as usize / 64, 1u64 << (seq % 64));
        if self.seen[word] & bit != 0 {
            self.counts.duplicated += 1;
            return Outcome::Duplicate;
        }
        self.seen[word] |= bit;
        self.counts.delivered += 1;
        self.latencies_us.push(latency_us);
        let next = &mut self.next[pair];
        if seq < *next {
            self.counts.out_of_order += 1;
            Outcome::OutOfOrder
        } else {
            *next = seq + 1;
            Outcome::New
        }
    }

    /// How many of this tally's expected deliveries are still to come.
    pub fn outstanding(&self) -> u64 {
        self.counts.lost()
    }
}

/// The `p`-quantile (0.0 to 1.0) of sorted values, nearest rank.
pub fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize;
    sorted.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(members: usize, rooms: usize, senders: usize, messages: u32) -> Layout {
        Layout {
            members,
            rooms,
            senders,
            messages,
        }
    }

    #[test]
    fn members_and_senders_are_spread_over_the_rooms() {
        let l = layout(10, 3, 4, 5);
        // Rooms: 0 = {0,3,6,9}, 1 = {1,4,7}, 2 = {2,5,8}; senders 0..4.
        assert_eq!(
            [l.members_in(0), l.members_in(1), l.members_in(2)],
            [4, 3, 3]
        );
        assert_eq!(
            [l.senders_in(0), l.senders_in(1), l.senders_in(2)],
            [2, 1, 1]
        );
        // Member 0 sends; it hears the other sender of room 0 (3).
        assert_eq!(l.expected_for(0), 5);
        assert_eq!(l.expected_for(6), 10);
        assert_eq!(l.expected_for(1), 0);
        assert_eq!(l.expected_for(4), 5);
        let sum: u64 = (0..10).map(|m| l.expected_for(m)).sum();
        assert_eq!(l.expected(), sum);
        // Room 0: 2 senders x 3 others; rooms 1 and 2: 1 x 2 each.
        assert_eq!(l.expected(), (2 * 3 + 2 + 2) * 5);
    }

    #[test]
    fn one_room_of_five_thousand_with_ten_senders() {
        let l = layout(5000, 1, 10, 60);
        assert_eq!(l.expected(), 10 * 4999 * 60);
        assert_eq!(l.expected_for(0), 9 * 60);
        assert_eq!(l.expected_for(4999), 10 * 60);
        assert_eq!(l.bitmap_bytes(), 5000 * 10 * 8);
    }

    #[test]
    fn more_senders_than_members_counts_the_members() {
        let l = layout(3, 1, 10, 1);
        assert_eq!(l.senders_in(0), 3);
        assert_eq!(l.expected(), 3 * 2);
    }

    #[test]
    fn a_tally_counts_new_late_duplicate_and_stray_messages() {
        let l = layout(4, 2, 4, 100);
        // Members 1 and 2 here; room 0 = {0, 2}, room 1 = {1, 3}.
        let mut t = Tally::new(l, vec![1, 2]);
        assert_eq!(t.counts.expected, 100 + 100);
        assert_eq!(t.record(0, 3, 0, 10), Outcome::New);
        assert_eq!(t.record(0, 3, 70, 20), Outcome::New);
        assert_eq!(t.record(0, 3, 5, 30), Outcome::OutOfOrder);
        assert_eq!(t.record(0, 3, 70, 40), Outcome::Duplicate);
        assert_eq!(t.record(1, 0, 0, 50), Outcome::New);
        // Another room's sender, its own message, no such sender or message.
        assert_eq!(t.record(1, 1, 1, 0), Outcome::Stray);
        assert_eq!(t.record(1, 2, 1, 0), Outcome::Stray);
        assert_eq!(t.record(1, 9, 1, 0), Outcome::Stray);
        assert_eq!(t.record(0, 3, 100, 0), Outcome::Stray);
        assert_eq!(t.record(7, 0, 0, 0), Outcome::Stray);
        let c = t.counts;
        assert_eq!(
            (c.delivered, c.out_of_order, c.duplicated, c.stray),
            (4, 1, 1, 5)
        );
        assert_eq!(c.lost(), 200 - 4);
        assert_eq!(t.outstanding(), 196);
        // Only new deliveries carry a latency.
        assert_eq!(t.latencies_us, [10, 20, 30, 50]);
    }

    #[test]
    fn every_message_once_leaves_nothing_lost() {
        let l = layout(3, 1, 2, 130);
        let mut t = Tally::new(l, vec![0, 1, 2]);
        for seq in 0..130 {
            for (local, member) in [0usize, 1, 2].into_iter().enumerate() {
                for sender in 0..2 {
                    if sender != member {
                        assert_eq!(t.record(local, sender, seq, 1), Outcome::New);
                    }
                }
            }
        }
        assert_eq!(t.counts.delivered, l.expected());
        assert_eq!(t.counts.lost(), 0);
    }

    #[test]
    fn counts_add_up() {
        let mut a = Counts {
            expected: 10,
            delivered: 7,
            gaps: 1,
            ..Counts::default()
        };
        a.add(&Counts {
            expected: 5,
            delivered: 5,
            refused: 2,
            ..Counts::default()
        });
        assert_eq!((a.expected, a.delivered, a.lost()), (15, 12, 3));
        assert_eq!((a.gaps, a.refused), (1, 2));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), Some(51));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&v, 1.0), Some(100));
        assert_eq!(percentile(&[], 0.5), None);
    }
}

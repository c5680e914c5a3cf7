//! Which input offsets may be stored: the highest *contiguous* completed one
//! per partition.
//!
//! Articles of one partition complete out of order (deliveries are acknowledged
//! independently, failed ones are retried). Storing offset N tells Kafka that
//! everything up to N is done, so we may only store N once every offset read
//! before it on that partition has completed too.

use std::collections::{HashMap, VecDeque};

#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: HashMap<i32, VecDeque<Slot>>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    offset: i64,
    done: bool,
}

impl OffsetTracker {
    /// Record that `offset` was read from `partition` and is now in flight.
    /// Offsets of a partition must be begun in increasing order (as Kafka
    /// delivers them); an offset at or below the last begun one means the
    /// partition was rewound, and its old in-flight slots are forgotten.
    pub fn begin(&mut self, partition: i32, offset: i64) {
        let slots = self.partitions.entry(partition).or_default();
        if slots.back().is_some_and(|last| last.offset >= offset) {
            slots.clear();
        }
        slots.push_back(Slot {
            offset,
            done: false,
        });
    }

    /// Record that `offset` is done (its output acknowledged). Returns the
    /// offset to store for `partition`, if the contiguous prefix grew.
    pub fn complete(&mut self, partition: i32, offset: i64) -> Option<i64> {
        let slots = self.partitions.get_mut(&partition)?;
        let index = slots.binary_search_by_key(&offset, |s| s.offset).ok()?;
        slots[index].done = true;
        let mut stored = None;
        while slots.front().is_some_and(|s| s.done) {
            stored = slots.pop_front().map(|s| s.offset);
        }
        stored
    }

    /// Forget a partition that is no longer ours (revoked or lost).
    pub fn forget(&mut self, partition: i32) {
        self.partitions.remove(&partition);
    }

    /// Articles begun but not yet completed, over all partitions.
    pub fn in_flight(&self) -> usize {
        self.partitions.values().map(VecDeque::len).sum()
    }

    /// In-flight articles of one partition.
    pub fn in_flight_of(&self, partition: i32) -> usize {
        self.partitions.get(&partition).map_or(0, VecDeque::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stores_only_contiguous_prefix() {
        let mut t = OffsetTracker::default();
        for o in 10..15 {
            t.begin(0, o);
        }
        assert_eq!(t.complete(0, 12), None);
        assert_eq!(t.complete(0, 11), None);
        assert_eq!(t.complete(0, 10), Some(12));
        assert_eq!(t.complete(0, 14), None);
        assert_eq!(t.complete(0, 13), Some(14));
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn partitions_are_independent_and_unknown_offsets_ignored() {
        let mut t = OffsetTracker::default();
        t.begin(0, 5);
        t.begin(1, 7);
        assert_eq!(t.complete(1, 7), Some(7));
        assert_eq!(t.complete(1, 99), None);
        assert_eq!(t.complete(3, 1), None);
        assert_eq!(t.in_flight_of(0), 1);
        t.forget(0);
        assert_eq!(t.complete(0, 5), None);
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn rewind_restarts_partition() {
        let mut t = OffsetTracker::default();
        t.begin(0, 5);
        t.begin(0, 6);
        t.begin(0, 5); // re-read after a rebalance
        assert_eq!(t.in_flight_of(0), 1);
        assert_eq!(t.complete(0, 5), Some(5));
    }

    proptest! {
        /// Whatever the completion order, a stored offset never passes an
        /// offset that is still in flight, and completing everything stores the last.
        #[test]
        fn never_stores_past_in_flight(order in Just((0..40i64).collect::<Vec<_>>()).prop_shuffle()) {
            let mut t = OffsetTracker::default();
            for o in 0..40 { t.begin(0, o); }
            let mut done = std::collections::BTreeSet::new();
            let mut last_stored = -1;
            for o in order {
                done.insert(o);
                if let Some(s) = t.complete(0, o) {
                    prop_assert!(s > last_stored);
                    prop_assert!((0..=s).all(|x| done.contains(&x)));
                    last_stored = s;
                }
            }
            prop_assert_eq!(last_stored, 39);
        }
    }
}

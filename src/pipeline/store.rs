//! The bridge between deliveries and the consumer's offset store.
//!
//! Delivery tasks report completed offsets here from any thread; the worker
//! loop moves the resulting storable offsets into librdkafka; the rebalance
//! callback waits here for a revoked partition's in-flight articles to drain
//! before giving the partition up.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::offsets::OffsetTracker;

#[derive(Debug, Default)]
pub struct OffsetStore {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    tracker: OffsetTracker,
    /// Per partition, the highest offset that may be stored and is not yet.
    storable: BTreeMap<i32, i64>,
}

impl OffsetStore {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the tracker half-updated
        // in a way that matters more than stopping the worker would.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn begin(&self, partition: i32, offset: i64) {
        self.lock().tracker.begin(partition, offset);
    }

    /// An article's output (or DLQ copy) was acknowledged.
    pub fn complete(&self, partition: i32, offset: i64) {
        let mut state = self.lock();
        if let Some(storable) = state.tracker.complete(partition, offset) {
            state.storable.insert(partition, storable);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Take the offsets that became storable, optionally only for `partitions`.
    pub fn take_storable(&self, partitions: Option<&[i32]>) -> Vec<(i32, i64)> {
        let mut state = self.lock();
        match partitions {
            None => std::mem::take(&mut state.storable).into_iter().collect(),
            Some(parts) => parts
                .iter()
                .filter_map(|p| state.storable.remove(p).map(|o| (*p, o)))
                .collect(),
        }
    }

    /// Block until no article of `partitions` is in flight, or `deadline`.
    /// Returns whether they drained.
    pub fn wait_drained(&self, partitions: &[i32], deadline: Instant) -> bool {
        let mut state = self.lock();
        loop {
            let left: usize = partitions
                .iter()
                .map(|p| state.tracker.in_flight_of(*p))
                .sum();
            if left == 0 {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = match self.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Drop all state of partitions that are no longer ours.
    pub fn forget(&self, partitions: &[i32]) {
        let mut state = self.lock();
        for p in partitions {
            state.tracker.forget(*p);
            state.storable.remove(p);
        }
    }

    pub fn in_flight(&self) -> usize {
        self.lock().tracker.in_flight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn storable_offsets_are_taken_once() {
        let store = OffsetStore::default();
        store.begin(0, 1);
        store.begin(1, 9);
        store.complete(0, 1);
        store.complete(1, 9);
        assert_eq!(store.take_storable(Some(&[1])), vec![(1, 9)]);
        assert_eq!(store.take_storable(None), vec![(0, 1)]);
        assert!(store.take_storable(None).is_empty());
    }

    #[test]
    fn wait_drained_wakes_on_completion_and_times_out() {
        let store = Arc::new(OffsetStore::default());
        store.begin(0, 1);
        let s = Arc::clone(&store);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            s.complete(0, 1);
        });
        assert!(store.wait_drained(&[0], Instant::now() + Duration::from_secs(5)));
        t.join().unwrap();
        store.begin(2, 1);
        assert!(!store.wait_drained(&[2], Instant::now() + Duration::from_millis(20)));
    }
}

//! Checking that a rewind took effect (exactly-once mode).
//!
//! After an aborted transaction the worker seeks its partitions back to the
//! first offsets it held (`transactional.rs`). librdkafka's seek has been
//! seen here to return success and leave the partition where it was (for
//! the first batch after an assignment; not seen after an abort so far, but
//! nothing says it cannot happen). The worker would then read on past
//! messages it never published, and its next commit would skip them. So the
//! first message of a rewound partition must be the one at the rewind's
//! offset:
//! - an earlier one was committed already: dropped;
//! - a later one means the seek did not happen: dropped, and the seek is
//!   repeated (at most once per [`RESEEK_EVERY`]); after [`GIVE_UP`] the
//!   worker stops, and its successor starts from the committed offsets.
//!
//! The rewind's offset is that of a message read before, so a message is
//! there (offset gaps from compaction or transaction markers cannot fall on
//! it).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a seek that did not take effect is repeated.
pub(super) const RESEEK_EVERY: Duration = Duration::from_secs(1);
/// How long a rewound partition may go without reaching its offset.
pub(super) const GIVE_UP: Duration = Duration::from_secs(30);

/// The partitions rewound and not yet seen back at their offset.
#[derive(Default)]
pub(super) struct Rewinds {
    waiting: Mutex<BTreeMap<i32, Rewind>>,
}

struct Rewind {
    offset: i64,
    /// The assignment of the partition the seek was made under.
    epoch: u64,
    started: Instant,
    last_seek: Instant,
}

/// What to do with a message just read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    Keep,
    Drop,
    /// Drop it and seek the partition to this offset again.
    SeekAgain(i64),
    /// The partition never came back to this offset: stop.
    GiveUp(i64),
}

impl Rewinds {
    /// `partition` was sought to `offset` under assignment `epoch`.
    pub fn started(&self, partition: i32, offset: i64, epoch: u64, now: Instant) {
        let rewind = Rewind {
            offset,
            epoch,
            started: now,
            last_seek: now,
        };
        self.lock().insert(partition, rewind);
    }

    /// Judges a message of `partition` at `offset`, read while the partition
    /// is held under assignment `epoch` (`None`: not ours).
    pub fn check(&self, partition: i32, offset: i64, epoch: Option<u64>, now: Instant) -> Verdict {
        let mut waiting = self.lock();
        let Some(rewind) = waiting.get_mut(&partition) else {
            return Verdict::Keep;
        };
        if epoch != Some(rewind.epoch) {
            // Moved since: it restarted at its committed offset.
            waiting.remove(&partition);
            return Verdict::Keep;
        }
        if offset < rewind.offset {
            return Verdict::Drop;
        }
        if offset == rewind.offset {
            waiting.remove(&partition);
            return Verdict::Keep;
        }
        if now.duration_since(rewind.started) >= GIVE_UP {
            return Verdict::GiveUp(rewind.offset);
        }
        if now.duration_since(rewind.last_seek) >= RESEEK_EVERY {
            rewind.last_seek = now;
            return Verdict::SeekAgain(rewind.offset);
        }
        Verdict::Drop
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<i32, Rewind>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_after_a_rewind_must_be_at_its_offset() {
        let rewinds = Rewinds::default();
        let t0 = Instant::now();
        rewinds.started(3, 100, 7, t0);
        // Other partitions are not concerned.
        assert_eq!(rewinds.check(1, 5, Some(7), t0), Verdict::Keep);
        // Committed already.
        assert_eq!(rewinds.check(3, 99, Some(7), t0), Verdict::Drop);
        // The seek did not happen: dropped, sought again once a second.
        assert_eq!(rewinds.check(3, 160, Some(7), t0), Verdict::Drop);
        let later = t0 + RESEEK_EVERY;
        assert_eq!(
            rewinds.check(3, 161, Some(7), later),
            Verdict::SeekAgain(100)
        );
        assert_eq!(rewinds.check(3, 162, Some(7), later), Verdict::Drop);
        // Back at the offset: from then on every message is kept.
        assert_eq!(rewinds.check(3, 100, Some(7), later), Verdict::Keep);
        assert_eq!(rewinds.check(3, 101, Some(7), later), Verdict::Keep);
        assert_eq!(rewinds.check(3, 300, Some(7), later), Verdict::Keep);
    }

    #[test]
    fn gives_up_on_a_partition_that_never_comes_back() {
        let rewinds = Rewinds::default();
        let t0 = Instant::now();
        rewinds.started(0, 10, 1, t0);
        assert_eq!(
            rewinds.check(0, 20, Some(1), t0 + GIVE_UP),
            Verdict::GiveUp(10)
        );
    }

    #[test]
    fn a_partition_that_moved_is_no_longer_checked() {
        let rewinds = Rewinds::default();
        let t0 = Instant::now();
        rewinds.started(0, 10, 1, t0);
        // Re-assigned (epoch 2): it restarted at its committed offset.
        assert_eq!(rewinds.check(0, 4, Some(2), t0), Verdict::Keep);
        assert_eq!(rewinds.check(0, 5, Some(1), t0), Verdict::Keep);
    }
}

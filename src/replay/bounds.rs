//! Where each partition's replay stops, applied record by record.
//!
//! A partition is read from its planned start up to its planned end
//! (exclusive), the end offset the broker reported when the replay started.
//! The replay reads `read_committed`, so that end is the partition's last
//! stable offset: the high watermark, or the first offset of the oldest
//! transaction still open. Below it every record is decided (committed or
//! aborted); the consumer delivers only the committed ones, and never the
//! transaction markers.
//!
//! So the record at `end - 1` may never arrive (a commit marker usually
//! sits there). A partition is done at the first of:
//! - the record at `end - 1` is taken, or a record at or past `end` arrives;
//! - partition EOF: the consumer's fetch position reached the end of what a
//!   `read_committed` reader can see (the current last stable offset, which
//!   is never below the planned end);
//! - the consumer's position (the offset after the last record or marker it
//!   handed over) reached `end`: everything before it was delivered or
//!   skipped. This covers a log that keeps growing with records the consumer
//!   never delivers (aborted transactions), where EOF may never come.
//!
//! Nothing here waits for time to pass: a replay ends as soon as the broker
//! has shown it everything below the planned end.

use std::collections::BTreeMap;

use super::plan::PartitionPlan;

/// What to do with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Replay it.
    Take,
    /// Outside the replay (a finished partition's leftover): ignore it.
    Ignore,
    /// Outside the replay, and its partition is now done: stop fetching it.
    Finished,
}

#[derive(Debug)]
struct Cursor {
    plan: PartitionPlan,
    done: bool,
}

#[derive(Debug)]
pub struct Bounds {
    cursors: BTreeMap<i32, Cursor>,
}

impl Bounds {
    /// Track the partitions that need reading; the others are done already.
    pub fn new(plans: &[PartitionPlan]) -> Self {
        let cursors = plans
            .iter()
            .filter(|p| p.needs_reading())
            .map(|p| {
                (
                    p.partition,
                    Cursor {
                        plan: *p,
                        done: false,
                    },
                )
            })
            .collect();
        Bounds { cursors }
    }

    /// The partitions to assign, with their start offsets.
    pub fn assignment(&self) -> Vec<(i32, i64)> {
        self.cursors
            .values()
            .map(|c| (c.plan.partition, c.plan.start))
            .collect()
    }

    pub fn all_done(&self) -> bool {
        self.cursors.values().all(|c| c.done)
    }

    /// Partitions still being read.
    pub fn pending(&self) -> Vec<i32> {
        self.cursors
            .values()
            .filter(|c| !c.done)
            .map(|c| c.plan.partition)
            .collect()
    }

    /// Decide about the record at `offset` of `partition`.
    pub fn on_record(&mut self, partition: i32, offset: i64) -> Verdict {
        let Some(cursor) = self.cursors.get_mut(&partition).filter(|c| !c.done) else {
            return Verdict::Ignore;
        };
        if offset < cursor.plan.start {
            return Verdict::Ignore;
        }
        if offset < cursor.plan.end {
            if offset + 1 == cursor.plan.end {
                cursor.done = true;
            }
            Verdict::Take
        } else {
            cursor.done = true;
            Verdict::Finished
        }
    }

    /// The consumer reached the end of the partition's log as a
    /// `read_committed` reader sees it: every record below the planned end
    /// has been delivered. Returns whether this finished the partition.
    pub fn on_eof(&mut self, partition: i32) -> bool {
        self.finish(partition)
    }

    /// The consumer's position in `partition` (the next offset it would hand
    /// over). At or past the end, the partition is done. Returns whether this
    /// finished the partition.
    pub fn on_position(&mut self, partition: i32, position: i64) -> bool {
        match self.cursors.get(&partition) {
            Some(c) if !c.done && position >= c.plan.end => self.finish(partition),
            _ => false,
        }
    }

    fn finish(&mut self, partition: i32) -> bool {
        match self.cursors.get_mut(&partition) {
            Some(cursor) if !cursor.done => {
                cursor.done = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(partition: i32, start: i64, end: i64) -> PartitionPlan {
        PartitionPlan {
            partition,
            low: 0,
            high: end,
            start,
            end,
        }
    }

    #[test]
    fn exact_end_finishes_on_the_last_record() {
        let mut b = Bounds::new(&[part(0, 2, 4), part(1, 3, 3)]);
        assert_eq!(
            b.assignment(),
            vec![(0, 2)],
            "an empty range needs no reading"
        );
        assert_eq!(b.on_record(0, 1), Verdict::Ignore, "before the start");
        assert_eq!(b.on_record(0, 2), Verdict::Take);
        assert!(!b.all_done());
        assert_eq!(b.on_record(0, 3), Verdict::Take);
        assert!(b.all_done());
        assert_eq!(b.on_record(0, 4), Verdict::Ignore);
    }

    #[test]
    fn a_record_past_the_end_finishes_without_being_taken() {
        // Offset 3 was a commit marker: never delivered.
        let mut b = Bounds::new(&[part(0, 0, 4)]);
        assert_eq!(b.on_record(0, 2), Verdict::Take);
        assert_eq!(b.on_record(0, 5), Verdict::Finished);
        assert!(b.all_done());
        assert_eq!(b.on_record(0, 6), Verdict::Ignore);
    }

    #[test]
    fn eof_and_position_finish_partitions_whose_last_offsets_never_arrive() {
        let mut b = Bounds::new(&[part(0, 0, 10), part(1, 0, 10), part(2, 0, 10)]);
        assert!(b.on_eof(0));
        assert!(!b.on_eof(0), "already done");
        assert!(!b.on_position(1, 9), "offset 9 not handed over yet");
        assert!(b.on_position(1, 10));
        assert!(!b.on_position(1, 11));
        assert_eq!(b.pending(), vec![2]);
        assert!(!b.on_eof(7), "not a partition of the replay");
    }
}

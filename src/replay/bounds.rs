//! Where each partition's replay stops, applied record by record.
//!
//! A partition is read from its planned start. Records before the planned end
//! are replayed. Past the end (the *tail*), a record is still replayed when
//! the plan has a tail rule and the record is timestamped at or before it (it
//! existed before the replay started, but the broker's high watermark did not
//! count it: tansu reports the last batch's base offset + 1). The partition is
//! done at the first tail record that fails the rule, at partition EOF (the
//! consumer caught up with the log), or when, in the tail, nothing at all has
//! arrived for the tail wait. On a broker with exact watermarks the tail ends
//! at once: the next record is newer than the replay, or EOF comes first.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

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
    /// The offset after the last record seen.
    next: i64,
    done: bool,
}

impl Cursor {
    fn in_tail(&self) -> bool {
        self.next >= self.plan.end
    }
}

#[derive(Debug)]
pub struct Bounds {
    cursors: BTreeMap<i32, Cursor>,
    /// When the replay last made progress (or was held back by its own
    /// backpressure): the tail wait counts from here.
    last_activity: Instant,
}

impl Bounds {
    /// Track the partitions that need reading; the others are done already.
    pub fn new(plans: &[PartitionPlan], now: Instant) -> Self {
        let cursors = plans
            .iter()
            .filter(|p| p.needs_reading())
            .map(|p| {
                (
                    p.partition,
                    Cursor {
                        plan: *p,
                        next: p.start,
                        done: false,
                    },
                )
            })
            .collect();
        Bounds {
            cursors,
            last_activity: now,
        }
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

    /// Decide about a record; `timestamp` in ms since the epoch, if it has one.
    pub fn on_record(
        &mut self,
        partition: i32,
        offset: i64,
        timestamp: Option<i64>,
        now: Instant,
    ) -> Verdict {
        let Some(cursor) = self.cursors.get_mut(&partition).filter(|c| !c.done) else {
            return Verdict::Ignore;
        };
        if offset < cursor.plan.start {
            return Verdict::Ignore;
        }
        let inside = offset < cursor.plan.end;
        let existed_before = matches!((cursor.plan.tail_until_ms, timestamp), (Some(until), Some(ts)) if ts <= until);
        if inside || existed_before {
            cursor.next = offset + 1;
            self.last_activity = now;
            if cursor.in_tail() && cursor.plan.tail_until_ms.is_none() {
                cursor.done = true;
            }
            Verdict::Take
        } else {
            cursor.done = true;
            Verdict::Finished
        }
    }

    /// The consumer reached the end of the partition's log: everything that
    /// existed when the replay started has been read. Returns whether this
    /// finished the partition.
    pub fn on_eof(&mut self, partition: i32) -> bool {
        match self.cursors.get_mut(&partition) {
            Some(cursor) if !cursor.done => {
                cursor.done = true;
                true
            }
            _ => false,
        }
    }

    /// Count the time until `now` as activity (the replay itself held the
    /// consumer back, so silence from the broker means nothing).
    pub fn touch(&mut self, now: Instant) {
        self.last_activity = now;
    }

    /// Finish the partitions in their tail if nothing arrived for `wait`.
    /// Returns the partitions this finished.
    pub fn expire_tails(&mut self, now: Instant, wait: Duration) -> Vec<i32> {
        if now.saturating_duration_since(self.last_activity) < wait {
            return Vec::new();
        }
        let mut finished = Vec::new();
        for cursor in self.cursors.values_mut().filter(|c| !c.done && c.in_tail()) {
            cursor.done = true;
            finished.push(cursor.plan.partition);
        }
        finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(partition: i32, start: i64, end: i64, tail_until_ms: Option<i64>) -> PartitionPlan {
        PartitionPlan {
            partition,
            low: 0,
            high: end,
            start,
            end,
            tail_until_ms,
        }
    }

    #[test]
    fn exact_end_finishes_on_the_last_record() {
        let t = Instant::now();
        let mut b = Bounds::new(&[part(0, 2, 4, None), part(1, 3, 3, None)], t);
        assert_eq!(
            b.assignment(),
            vec![(0, 2)],
            "an empty range without tail needs no reading"
        );
        assert_eq!(b.on_record(0, 2, Some(1), t), Verdict::Take);
        assert!(!b.all_done());
        assert_eq!(b.on_record(0, 3, Some(1), t), Verdict::Take);
        assert!(b.all_done());
        assert_eq!(b.on_record(0, 4, Some(1), t), Verdict::Ignore);
    }

    #[test]
    fn tail_takes_older_records_and_stops_at_the_first_newer_one() {
        let t = Instant::now();
        let mut b = Bounds::new(&[part(0, 0, 1, Some(100))], t);
        assert_eq!(b.on_record(0, 0, Some(50), t), Verdict::Take);
        assert!(!b.all_done(), "the end may be short of the log end");
        assert_eq!(b.on_record(0, 1, Some(100), t), Verdict::Take);
        assert_eq!(
            b.on_record(0, 2, None, t),
            Verdict::Finished,
            "no timestamp: not known to be older"
        );
        assert!(b.all_done());
        let mut b = Bounds::new(&[part(0, 0, 1, Some(100))], t);
        assert_eq!(b.on_record(0, 1, Some(101), t), Verdict::Finished);
    }

    #[test]
    fn eof_and_tail_wait_finish_partitions() {
        let t = Instant::now();
        let wait = Duration::from_secs(2);
        let mut b = Bounds::new(
            &[
                part(0, 0, 2, Some(100)),
                part(1, 0, 0, Some(100)),
                part(2, 0, 5, Some(100)),
            ],
            t,
        );
        assert!(b.on_eof(0));
        assert!(!b.on_eof(0));
        assert_eq!(
            b.expire_tails(t + Duration::from_secs(1), wait),
            Vec::<i32>::new()
        );
        b.touch(t + Duration::from_secs(1));
        assert_eq!(
            b.expire_tails(t + Duration::from_secs(2), wait),
            Vec::<i32>::new()
        );
        // Partition 2 has not reached its end: only partition 1 (in its tail) expires.
        assert_eq!(b.expire_tails(t + Duration::from_secs(3), wait), vec![1]);
        assert_eq!(b.pending(), vec![2]);
    }
}

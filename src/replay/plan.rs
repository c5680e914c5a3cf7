//! Planning a replay: which partitions, from which offset, up to which
//! offset, decided once when the replay starts from what the broker reports.
//!
//! The broker is asked as a `read_committed` reader (see `kafka.rs`), so a
//! partition's end is its last stable offset (LSO): with no transaction open
//! the high watermark, otherwise the first offset of the oldest open
//! transaction. Records at or past it are not replayed, whether they are
//! committed later or not.
//!
//! The decisions are pure functions of [`TopicFacts`] (answered by the broker
//! in `kafka.rs`, by a fake in the tests), so every rule is unit-tested.

use std::collections::BTreeMap;

use super::args::{format_millis, End, Start};

/// What planning needs to know about a topic.
pub trait TopicFacts {
    /// The topic's partition ids, or [`PlanError::UnknownTopic`].
    fn partitions(&self, topic: &str) -> anyhow::Result<Vec<i32>>;
    /// The partition's (low, high) offsets: the first retained offset, and
    /// the end a `read_committed` reader sees: the last stable offset (the
    /// offset the next record will get when no transaction is open).
    fn watermarks(&self, topic: &str, partition: i32) -> anyhow::Result<(i64, i64)>;
    /// Per partition, the first offset whose record is timestamped at or
    /// after `ms`; None when there is no such record.
    fn offsets_for_time(
        &self,
        topic: &str,
        partitions: &[i32],
        ms: i64,
    ) -> anyhow::Result<BTreeMap<i32, Option<i64>>>;
}

/// Mistakes a user can fix; each message says how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("topic '{0}' does not exist (check the name and the brokers)")]
    UnknownTopic(String),
    #[error(
        "partition {partition} of topic '{topic}' does not exist; it has partitions 0..{count}"
    )]
    NoSuchPartition {
        topic: String,
        partition: i32,
        count: usize,
    },
    #[error(
        "offset {offset} of partition {partition} is outside the available range {low}..={high}"
    )]
    OffsetOutOfRange {
        partition: i32,
        offset: i64,
        low: i64,
        high: i64,
    },
    #[error(
        "{time} is before what the topic still retains: partitions {partitions:?} start at their oldest \
         retained record, so older records may have been deleted by retention; replay what is left with \
         `--from earliest`"
    )]
    BeforeRetention { time: String, partitions: Vec<i32> },
    #[error("--to {to} is not after --from {from}: nothing to replay")]
    EmptyWindow { from: String, to: String },
}

/// The offsets of one partition to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionPlan {
    pub partition: i32,
    /// First retained offset and last stable offset when the replay was
    /// planned (for checks and reporting).
    pub low: i64,
    pub high: i64,
    /// First offset to replay.
    pub start: i64,
    /// Offset to stop before: `high`, or with `--to TIME` the first offset
    /// timestamped at or after it.
    pub end: i64,
}

impl PartitionPlan {
    /// Offsets between `start` and `end`: the records to replay, plus any
    /// transaction markers and aborted records among them (never read), and
    /// minus what compaction removed.
    pub fn count(&self) -> u64 {
        u64::try_from(self.end - self.start).unwrap_or(0)
    }

    /// Whether the consumer must read this partition at all.
    pub fn needs_reading(&self) -> bool {
        self.start < self.end
    }
}

/// A whole replay's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub topic: String,
    /// When the plan was made (ms since the epoch): the replay's "now".
    pub captured_at_ms: i64,
    pub partitions: Vec<PartitionPlan>,
}

impl Plan {
    pub fn count(&self) -> u64 {
        self.partitions.iter().map(PartitionPlan::count).sum()
    }

    /// The plan as a table, one line per partition, for `--dry-run`.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:>9} {:>12} {:>12} {:>12}\n",
            "partition", "start", "end", "records"
        );
        for p in &self.partitions {
            out.push_str(&format!(
                "{:>9} {:>12} {:>12} {:>12}\n",
                p.partition,
                p.start,
                p.end,
                p.count()
            ));
        }
        out.push_str(&format!(
            "{:>9} {:>12} {:>12} {:>12}\n",
            "total",
            "",
            "",
            self.count()
        ));
        out
    }
}

/// Decide what to replay of `topic` between `from` and `to`, as of `now_ms`.
pub fn plan(
    facts: &dyn TopicFacts,
    topic: &str,
    from: &Start,
    to: End,
    now_ms: i64,
) -> anyhow::Result<Plan> {
    if let (Start::Time(a), End::Time(b)) = (from, to) {
        if b <= *a {
            return Err(PlanError::EmptyWindow {
                from: from.to_string(),
                to: to.to_string(),
            }
            .into());
        }
    }
    let all = facts.partitions(topic)?;
    let selected = select_partitions(topic, &all, from)?;
    let mut marks = BTreeMap::new();
    for &p in &selected {
        marks.insert(p, facts.watermarks(topic, p)?);
    }
    let starts = start_offsets(facts, topic, from, &marks)?;
    let ends = end_offsets(facts, topic, to, &marks)?;
    let partitions = selected
        .iter()
        .map(|p| {
            let (low, high) = marks[p];
            let start = starts[p];
            PartitionPlan {
                partition: *p,
                low,
                high,
                start,
                end: ends[p].max(start),
            }
        })
        .collect();
    Ok(Plan {
        topic: topic.to_owned(),
        captured_at_ms: now_ms,
        partitions,
    })
}

/// Every partition, or the ones `--from P:OFFSET` names (which must exist).
fn select_partitions(topic: &str, all: &[i32], from: &Start) -> Result<Vec<i32>, PlanError> {
    let Start::Offsets(list) = from else {
        let mut all = all.to_vec();
        all.sort_unstable();
        return Ok(all);
    };
    list.iter()
        .map(|(p, _)| {
            if all.contains(p) {
                Ok(*p)
            } else {
                Err(PlanError::NoSuchPartition {
                    topic: topic.to_owned(),
                    partition: *p,
                    count: all.len(),
                })
            }
        })
        .collect()
}

type Marks = BTreeMap<i32, (i64, i64)>;

fn start_offsets(
    facts: &dyn TopicFacts,
    topic: &str,
    from: &Start,
    marks: &Marks,
) -> anyhow::Result<BTreeMap<i32, i64>> {
    match from {
        Start::Earliest => Ok(marks.iter().map(|(p, (low, _))| (*p, *low)).collect()),
        Start::Offsets(list) => list
            .iter()
            .map(|&(partition, offset)| {
                let (low, high) = marks[&partition];
                if (low..=high).contains(&offset) {
                    Ok((partition, offset))
                } else {
                    Err(anyhow::Error::from(PlanError::OffsetOutOfRange {
                        partition,
                        offset,
                        low,
                        high,
                    }))
                }
            })
            .collect(),
        Start::Time(ms) => {
            let parts: Vec<i32> = marks.keys().copied().collect();
            let found = facts.offsets_for_time(topic, &parts, *ms)?;
            let mut starts = BTreeMap::new();
            let mut truncated = Vec::new();
            for (&p, &(low, high)) in marks {
                // No record at or after the time: nothing of this partition to replay.
                let start = found
                    .get(&p)
                    .copied()
                    .flatten()
                    .unwrap_or(high)
                    .clamp(low, high);
                // The first retained record is already at or after the time:
                // older ones inside the window may have been deleted.
                if start == low && low > 0 {
                    truncated.push(p);
                }
                starts.insert(p, start);
            }
            if truncated.is_empty() {
                Ok(starts)
            } else {
                Err(PlanError::BeforeRetention {
                    time: format_millis(*ms),
                    partitions: truncated,
                }
                .into())
            }
        }
    }
}

/// Per partition, the offset to stop before.
fn end_offsets(
    facts: &dyn TopicFacts,
    topic: &str,
    to: End,
    marks: &Marks,
) -> anyhow::Result<BTreeMap<i32, i64>> {
    match to {
        End::Latest => Ok(marks.iter().map(|(p, (_, high))| (*p, *high)).collect()),
        End::Time(ms) => {
            let parts: Vec<i32> = marks.keys().copied().collect();
            let found = facts.offsets_for_time(topic, &parts, ms)?;
            Ok(marks
                .iter()
                .map(|(&p, &(low, high))| {
                    // None: every record below the end is before the time
                    // (or the first later one is not committed yet).
                    let end = found.get(&p).copied().flatten().unwrap_or(high);
                    (p, end.clamp(low, high))
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A topic whose partitions hold records with the given timestamps,
    /// starting at the given low watermark.
    struct FakeTopic {
        name: &'static str,
        /// Per partition: (low watermark, timestamps of records low..high).
        partitions: Vec<(i64, Vec<i64>)>,
    }

    impl TopicFacts for FakeTopic {
        fn partitions(&self, topic: &str) -> anyhow::Result<Vec<i32>> {
            if topic != self.name {
                return Err(PlanError::UnknownTopic(topic.to_owned()).into());
            }
            Ok((0..self.partitions.len() as i32).collect())
        }

        fn watermarks(&self, _: &str, partition: i32) -> anyhow::Result<(i64, i64)> {
            let (low, ts) = &self.partitions[partition as usize];
            Ok((*low, low + ts.len() as i64))
        }

        fn offsets_for_time(
            &self,
            _: &str,
            parts: &[i32],
            ms: i64,
        ) -> anyhow::Result<BTreeMap<i32, Option<i64>>> {
            Ok(parts
                .iter()
                .map(|&p| {
                    let (low, ts) = &self.partitions[p as usize];
                    (p, ts.iter().position(|t| *t >= ms).map(|i| low + i as i64))
                })
                .collect())
        }
    }

    fn topic() -> FakeTopic {
        FakeTopic {
            name: "in",
            partitions: vec![(0, vec![10, 20, 30, 40]), (0, vec![15, 25]), (0, vec![])],
        }
    }

    fn ranges(plan: &Plan) -> Vec<(i32, i64, i64)> {
        plan.partitions
            .iter()
            .map(|p| (p.partition, p.start, p.end))
            .collect()
    }

    #[test]
    fn earliest_to_end_covers_every_partition_up_to_its_end() {
        let plan = plan(&topic(), "in", &Start::Earliest, End::Latest, 99).unwrap();
        assert_eq!(ranges(&plan), vec![(0, 0, 4), (1, 0, 2), (2, 0, 0)]);
        assert_eq!(plan.captured_at_ms, 99);
        assert_eq!(plan.count(), 6);
        assert!(plan.table().contains("total"));
    }

    #[test]
    fn time_window_resolves_per_partition() {
        let plan = plan(&topic(), "in", &Start::Time(20), End::Time(40), 99).unwrap();
        // p0: 20 is at 1, 40 at 3. p1: 25 at 1, nothing at 40 -> up to the
        // end captured now. p2: empty.
        assert_eq!(ranges(&plan), vec![(0, 1, 3), (1, 1, 2), (2, 0, 0)]);
    }

    #[test]
    fn time_after_all_records_replays_nothing() {
        let plan = plan(&topic(), "in", &Start::Time(1000), End::Latest, 2000).unwrap();
        assert_eq!(ranges(&plan), vec![(0, 4, 4), (1, 2, 2), (2, 0, 0)]);
        assert_eq!(plan.count(), 0);
    }

    #[test]
    fn listed_offsets_select_partitions_and_are_checked() {
        let plan = plan(
            &topic(),
            "in",
            &Start::Offsets(vec![(1, 1)]),
            End::Latest,
            9,
        )
        .unwrap();
        assert_eq!(ranges(&plan), vec![(1, 1, 2)]);
        let err = super::plan(
            &topic(),
            "in",
            &Start::Offsets(vec![(7, 0)]),
            End::Latest,
            9,
        )
        .unwrap_err();
        assert!(matches!(
            err.downcast_ref::<PlanError>(),
            Some(PlanError::NoSuchPartition {
                partition: 7,
                count: 3,
                ..
            })
        ));
        let err = super::plan(
            &topic(),
            "in",
            &Start::Offsets(vec![(0, 5)]),
            End::Latest,
            9,
        )
        .unwrap_err();
        assert_eq!(
            err.downcast_ref::<PlanError>(),
            Some(&PlanError::OffsetOutOfRange {
                partition: 0,
                offset: 5,
                low: 0,
                high: 4
            })
        );
    }

    #[test]
    fn time_before_retention_is_refused_with_advice() {
        let truncated = FakeTopic {
            name: "in",
            partitions: vec![(100, vec![50, 60]), (0, vec![55])],
        };
        let err = plan(&truncated, "in", &Start::Time(10), End::Latest, 99).unwrap_err();
        let Some(PlanError::BeforeRetention { partitions, .. }) = err.downcast_ref::<PlanError>()
        else {
            panic!("{err}")
        };
        assert_eq!(partitions, &vec![0]);
        assert!(err.to_string().contains("--from earliest"));
        // After the first retained record, nothing was lost.
        assert!(plan(&truncated, "in", &Start::Time(55), End::Latest, 99).is_ok());
    }

    #[test]
    fn unknown_topic_and_empty_window_are_errors() {
        let err = plan(&topic(), "nope", &Start::Earliest, End::Latest, 9).unwrap_err();
        assert_eq!(
            err.downcast_ref::<PlanError>(),
            Some(&PlanError::UnknownTopic("nope".into()))
        );
        let err = plan(&topic(), "in", &Start::Time(30), End::Time(30), 9).unwrap_err();
        assert!(matches!(
            err.downcast_ref::<PlanError>(),
            Some(PlanError::EmptyWindow { .. })
        ));
    }
}

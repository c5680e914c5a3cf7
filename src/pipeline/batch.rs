//! Messages read for one exactly-once transaction (`transactional.rs`): which
//! partition and assignment each came from, which of them may still commit,
//! and which offsets a transaction commits or an abort rewinds to.

use std::collections::BTreeMap;

use rdkafka::message::{Message, OwnedMessage};
use rdkafka::{Offset, TopicPartitionList};

use crate::record::SourceInfo;

use super::kafka::Assignments;

/// Messages read for one transaction.
#[derive(Default)]
pub(super) struct Batch {
    pub messages: Vec<OwnedMessage>,
    /// Per partition, the assignment its messages were read under.
    pub epochs: BTreeMap<i32, u64>,
    /// Messages read and dropped because their partition moved.
    pub dropped: usize,
}

impl Batch {
    /// Adds `msg`. If its partition was re-assigned since the batch's earlier
    /// messages of it were read, it restarted at its committed offset: those
    /// earlier messages go.
    pub fn push(&mut self, msg: OwnedMessage, assignments: &Assignments) {
        let p = msg.partition();
        // A message of a partition no longer ours (epoch None) is dropped
        // with the batch's other messages of it by `still_ours`.
        let epoch = assignments.epoch(p).unwrap_or(u64::MAX);
        if self.epochs.insert(p, epoch).is_some_and(|e| e != epoch) {
            let before = self.messages.len();
            self.messages.retain(|m| m.partition() != p);
            self.dropped += before - self.messages.len();
        }
        self.messages.push(msg);
    }

    /// Drops the messages of partitions that moved since they were read;
    /// returns those partitions.
    pub fn drop_moved(&mut self, assignments: &Assignments) -> Vec<i32> {
        let stale = moved(&self.epochs, assignments);
        if !stale.is_empty() {
            let before = self.messages.len();
            self.messages.retain(|m| !stale.contains(&m.partition()));
            self.epochs.retain(|p, _| !stale.contains(p));
            self.dropped += before - self.messages.len();
        }
        stale
    }
}

/// Where to seek after the transaction of a batch (its `firsts`, read under
/// `epochs`) aborted: each partition back to the first offset that batch or
/// the batch read after it (`next`, its first offsets) held. Partitions of the
/// aborted batch that moved since are left alone: they restarted at their
/// committed offset, which may be past the batch's if another consumer
/// committed in between. (`next` was checked just after it was read, with no
/// poll since, so its partitions are current.)
pub(super) fn rewind_targets(
    mut firsts: BTreeMap<i32, i64>,
    epochs: &BTreeMap<i32, u64>,
    next: Option<BTreeMap<i32, i64>>,
    assignments: &Assignments,
) -> BTreeMap<i32, i64> {
    firsts.retain(|p, _| {
        epochs
            .get(p)
            .is_some_and(|&e| assignments.epoch(*p) == Some(e))
    });
    if let Some(next) = next {
        for (partition, offset) in next {
            let first = firsts.entry(partition).or_insert(offset);
            *first = (*first).min(offset);
        }
    }
    firsts
}

/// The partitions of `epochs` no longer ours under the same assignment.
pub(super) fn moved(epochs: &BTreeMap<i32, u64>, assignments: &Assignments) -> Vec<i32> {
    epochs
        .iter()
        .filter(|&(&p, &epoch)| assignments.epoch(p) != Some(epoch))
        .map(|(&p, _)| p)
        .collect()
}

/// Per partition, the offset to commit: the batch's last offset + 1.
pub(super) fn next_offsets<'s>(
    topic: &str,
    sources: impl Iterator<Item = &'s SourceInfo>,
) -> TopicPartitionList {
    let mut last: BTreeMap<i32, i64> = BTreeMap::new();
    for s in sources {
        let e = last.entry(s.partition).or_insert(s.offset);
        *e = (*e).max(s.offset);
    }
    let mut tpl = TopicPartitionList::new();
    for (p, o) in last {
        // Adding a partition with a valid offset to a fresh list cannot fail.
        let _ = tpl.add_partition_offset(topic, p, Offset::Offset(o + 1));
    }
    tpl
}

pub(super) fn first_offsets(batch: &[OwnedMessage]) -> BTreeMap<i32, i64> {
    let mut first: BTreeMap<i32, i64> = BTreeMap::new();
    for m in batch {
        let e = first.entry(m.partition()).or_insert(m.offset());
        *e = (*e).min(m.offset());
    }
    first
}

#[cfg(test)]
mod tests {
    use rdkafka::message::OwnedHeaders;
    use rdkafka::Timestamp;

    use super::*;

    fn message(partition: i32, offset: i64) -> OwnedMessage {
        let headers: Option<OwnedHeaders> = None;
        OwnedMessage::new(
            None,
            None,
            "in".into(),
            Timestamp::NotAvailable,
            partition,
            offset,
            headers,
        )
    }

    fn offsets(batch: &Batch) -> Vec<(i32, i64)> {
        batch
            .messages
            .iter()
            .map(|m| (m.partition(), m.offset()))
            .collect()
    }

    #[test]
    fn a_partition_reassigned_while_reading_keeps_only_its_restarted_messages() {
        let assignments = Assignments::default();
        assignments.assign(&[0, 1]);
        let mut batch = Batch::default();
        batch.push(message(0, 10), &assignments);
        batch.push(message(1, 5), &assignments);
        batch.push(message(0, 11), &assignments);
        // An eager rebalance gives both back; partition 0 restarts at its
        // committed offset, 10.
        assignments.revoke(&[0, 1]);
        assignments.assign(&[0, 1]);
        batch.push(message(0, 10), &assignments);
        // Partition 1's message was read under the old assignment: it goes
        // when the batch is checked, and partition 1 restarts too.
        assert_eq!(batch.drop_moved(&assignments), [1]);
        assert_eq!(offsets(&batch), [(0, 10)]);
        assert_eq!(batch.dropped, 3);
    }

    #[test]
    fn an_abort_rewinds_only_partitions_still_held_under_the_same_assignment() {
        let assignments = Assignments::default();
        assignments.assign(&[0, 1]);
        let aborted_epochs = BTreeMap::from([(0, 0), (1, 0)]);
        let aborted_firsts = BTreeMap::from([(0, 100), (1, 50)]);
        // Partition 1 went elsewhere and came back: it restarted at its
        // committed offset, which another consumer may have moved past 50.
        assignments.revoke(&[1]);
        assignments.assign(&[1]);
        let next = BTreeMap::from([(0, 120), (2, 7)]);
        let targets = rewind_targets(aborted_firsts, &aborted_epochs, Some(next), &assignments);
        assert_eq!(targets, BTreeMap::from([(0, 100), (2, 7)]));
    }

    #[test]
    fn messages_of_revoked_partitions_are_dropped_and_untouched_ones_kept() {
        let assignments = Assignments::default();
        assignments.assign(&[0, 1, 2]);
        let mut batch = Batch::default();
        for p in 0..3 {
            batch.push(message(p, 7), &assignments);
        }
        // Cooperative: only partition 2 moves away.
        assignments.revoke(&[2]);
        batch.push(message(2, 8), &assignments);
        assert_eq!(batch.drop_moved(&assignments), [2]);
        assert_eq!(offsets(&batch), [(0, 7), (1, 7)]);
        assert_eq!(batch.dropped, 2);
        assert!(moved(&batch.epochs, &assignments).is_empty());
    }
}

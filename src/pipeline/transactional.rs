//! Exactly-once mode: outputs and input offsets commit in one transaction.
//!
//! The worker reads a batch, enriches it on the CPU pool, then in one
//! transaction produces every output (and DLQ) record and sends the batch's
//! next offsets to the transaction (`send_offsets_to_transaction`, last + 1).
//! A `read_committed` reader sees either all of a batch or none of it, and the
//! group's offsets move with it. On an abortable error the transaction is
//! aborted and the consumer rewound to the batch's first offsets; on a fatal
//! error (another instance with the same `transactional.id` fenced this one)
//! the worker exits with an error.
//!
//! Batches overlap: while one batch's transaction runs, the next one (already
//! read) is being enriched, so the extraction threads do not wait for the
//! broker. The consumer is polled only while a batch is being read, never
//! while a transaction is open, and rebalance callbacks only run then. If the
//! partitions moved while a batch was being read, both batches in hand are
//! dropped uncommitted and every partition still ours is rewound to the first
//! offset they held: a revoked partition is read again by its next owner, a
//! re-assigned one restarts at its committed offset, and nothing of either
//! batch was committed.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::{Offset, TopicPartitionList};

use crate::metrics::{Metrics, PartitionLabel};
use crate::record::SourceInfo;

use super::kafka::LoggingContext;
use super::output::{enqueue, outbound, Outcome};
use super::partition::{extract_on_pool, Processor};
use super::WorkerConsumer;

/// Most messages in one transaction.
const MAX_BATCH: usize = 500;
/// How long a batch waits for more messages once it has one.
const BATCH_LINGER: Duration = Duration::from_millis(100);
/// Timeout of one transactional call to the broker.
const TXN_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) struct Transactional<'a> {
    pub consumer: &'a WorkerConsumer,
    pub producer: &'a FutureProducer<LoggingContext>,
    pub processor: &'a Arc<Processor>,
    pub metrics: &'a Metrics,
    pub topic: &'a str,
}

/// Why a transaction failed.
enum TxnFailure {
    /// Aborted; the batch will be read again.
    Aborted(KafkaError),
    /// This producer can no longer be used (fenced or fatal): stop.
    Fatal(KafkaError),
}

/// A batch read from the input whose enrichment is under way.
struct Pending {
    /// Per partition, the offsets the transaction commits (last + 1) ...
    offsets: TopicPartitionList,
    /// ... and the first offset: where to rewind if it is not committed.
    firsts: BTreeMap<i32, i64>,
    enriched: tokio::task::JoinHandle<Vec<(SourceInfo, Outcome)>>,
}

impl Transactional<'_> {
    /// Consume and commit batches until `shutdown`, which is only honoured
    /// between transactions; the batch in hand then commits before returning.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        blocking(|| self.producer.init_transactions(TXN_TIMEOUT))
            .map_err(|e| anyhow::anyhow!("cannot initialise transactions: {e}"))?;
        tokio::pin!(shutdown);
        let mut backoff = Duration::from_millis(100);
        let mut pending: Option<Pending> = None;
        loop {
            let rebalances = self.rebalances();
            let (batch, stopping) = tokio::select! {
                biased;
                _ = &mut shutdown => (Vec::new(), true),
                batch = self.collect_batch(pending.is_some()) => (batch, false),
            };
            if self.rebalances() != rebalances {
                self.metrics.batches_dropped.inc();
                self.drop_and_rewind(first_offsets(&batch), pending.take());
                if stopping {
                    return Ok(());
                }
                continue;
            }
            let mut next = (!batch.is_empty()).then(|| self.start(batch));
            if let Some(batch) = pending.take() {
                let firsts = batch.firsts.clone();
                match self.commit(batch).await {
                    Ok(()) => {
                        self.metrics.transactions_committed.inc();
                        backoff = Duration::from_millis(100);
                    }
                    Err(TxnFailure::Fatal(e)) => {
                        anyhow::bail!("transactional producer failed fatally (fenced by another instance with the same transactional.id?): {e}")
                    }
                    Err(TxnFailure::Aborted(e)) => {
                        self.metrics.transactions_aborted.inc();
                        tracing::warn!(error = %e, retry_in = ?backoff, "transaction aborted; rewinding the batch");
                        // The batch read after it goes too: the rewind reads it again.
                        self.drop_and_rewind(firsts, next.take());
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                    }
                }
            }
            pending = next;
            if stopping {
                return Ok(());
            }
        }
    }

    /// Times the consumer's partitions moved (counted by its rebalance callbacks).
    fn rebalances(&self) -> u64 {
        self.consumer
            .context()
            .rebalances
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Starts enriching `batch` on the extraction threads.
    fn start(&self, batch: Vec<OwnedMessage>) -> Pending {
        let offsets = next_offsets(self.topic, &batch);
        let firsts = first_offsets(&batch);
        let jobs: Vec<_> = batch
            .into_iter()
            .map(|msg| extract_on_pool(Arc::clone(self.processor), msg))
            .collect();
        Pending {
            offsets,
            firsts,
            enriched: tokio::spawn(join_all(jobs)),
        }
    }

    /// Forgets an uncommitted batch (and the batch read after it, whose
    /// `firsts` are given) and seeks every partition still assigned back to
    /// the first offset either held.
    fn drop_and_rewind(&self, mut firsts: BTreeMap<i32, i64>, dropped: Option<Pending>) {
        if let Some(batch) = dropped {
            batch.enriched.abort();
            for (partition, offset) in batch.firsts {
                let first = firsts.entry(partition).or_insert(offset);
                *first = (*first).min(offset);
            }
        }
        if let Ok(assignment) = self.consumer.assignment() {
            firsts.retain(|&p, _| assignment.find_partition(self.topic, p).is_some());
        }
        tracing::info!(partitions = ?firsts.keys().collect::<Vec<_>>(), "uncommitted batches dropped; reading them again");
        self.rewind(&firsts);
    }

    /// Wait for one message, then take what else arrives within the linger.
    /// With a batch in hand (`in_hand`), wait no longer than the linger for
    /// the first one either: that batch must not wait for new input to commit.
    async fn collect_batch(&self, in_hand: bool) -> Vec<OwnedMessage> {
        let mut batch: Vec<OwnedMessage> = Vec::new();
        loop {
            let next = if batch.is_empty() && !in_hand {
                Some(self.consumer.recv().await)
            } else {
                tokio::time::timeout(BATCH_LINGER, self.consumer.recv())
                    .await
                    .ok()
            };
            match next {
                None => return batch,
                Some(Ok(msg)) => {
                    self.metrics.consumed.inc();
                    batch.push(msg.detach());
                    if batch.len() >= MAX_BATCH {
                        return batch;
                    }
                }
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "consumer error");
                    if batch.is_empty() {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    return batch;
                }
            }
        }
    }

    /// Waits for the batch's enrichment, then publishes it and commits its
    /// offsets in one transaction.
    async fn commit(&self, batch: Pending) -> Result<(), TxnFailure> {
        let Pending {
            offsets, enriched, ..
        } = batch;
        let outcomes = enriched
            .await
            .map_err(|_| TxnFailure::Aborted(KafkaError::Canceled))?;

        let producer = self.producer;
        let group = self
            .consumer
            .group_metadata()
            .ok_or(TxnFailure::Aborted(KafkaError::Canceled))?;
        producer.begin_transaction().map_err(classify)?;
        let output = &self.processor.output;
        let mut deliveries = Vec::with_capacity(outcomes.len());
        for (source, outcome) in outcomes {
            let Some(msg) = outbound(
                &source,
                outcome,
                &output.output_topic,
                output.dlq_topic.as_deref(),
                self.metrics,
            ) else {
                continue;
            };
            let to_output = msg.topic == output.output_topic;
            deliveries.push((to_output, enqueue(producer, &msg, self.metrics).await));
        }
        let sent = blocking(|| producer.send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT));
        let committed = sent.and_then(|()| blocking(|| producer.commit_transaction(TXN_TIMEOUT)));
        if let Err(e) = committed {
            let failure = classify(e);
            if let TxnFailure::Aborted(_) = failure {
                if let Err(abort) = blocking(|| producer.abort_transaction(TXN_TIMEOUT)) {
                    return Err(TxnFailure::Fatal(abort));
                }
            }
            return Err(failure);
        }
        for e in offsets.elements() {
            if let Offset::Offset(next) = e.offset() {
                let label = PartitionLabel {
                    topic: e.topic().to_owned(),
                    partition: e.partition(),
                };
                self.metrics
                    .transaction_offsets
                    .get_or_create(&label)
                    .set(next);
            }
        }
        for (to_output, delivery) in deliveries {
            if matches!(delivery.await, Ok(Ok(_))) {
                let counter = if to_output {
                    &self.metrics.enriched
                } else {
                    &self.metrics.dlq
                };
                counter.inc();
            }
        }
        Ok(())
    }

    /// Seek every partition of an aborted batch back to its first offset.
    fn rewind(&self, firsts: &BTreeMap<i32, i64>) {
        for (&partition, &offset) in firsts {
            if let Err(e) = self.consumer.seek(
                self.topic,
                partition,
                Offset::Offset(offset),
                Duration::from_secs(10),
            ) {
                tracing::warn!(partition, offset, error = %e, "cannot rewind partition");
            }
        }
    }
}

fn classify(e: KafkaError) -> TxnFailure {
    match &e {
        KafkaError::Transaction(t) if t.is_fatal() => TxnFailure::Fatal(e),
        _ => TxnFailure::Aborted(e),
    }
}

/// Per partition, the offset to commit: the batch's last offset + 1.
fn next_offsets(topic: &str, batch: &[OwnedMessage]) -> TopicPartitionList {
    let mut last: BTreeMap<i32, i64> = BTreeMap::new();
    for m in batch {
        let e = last.entry(m.partition()).or_insert(m.offset());
        *e = (*e).max(m.offset());
    }
    let mut tpl = TopicPartitionList::new();
    for (p, o) in last {
        // Adding a partition with a valid offset to a fresh list cannot fail.
        let _ = tpl.add_partition_offset(topic, p, Offset::Offset(o + 1));
    }
    tpl
}

fn first_offsets(batch: &[OwnedMessage]) -> BTreeMap<i32, i64> {
    let mut first: BTreeMap<i32, i64> = BTreeMap::new();
    for m in batch {
        let e = first.entry(m.partition()).or_insert(m.offset());
        *e = (*e).min(m.offset());
    }
    first
}

/// Run a blocking librdkafka call without stalling the runtime's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    super::kafka::block_in_runtime(f)
}

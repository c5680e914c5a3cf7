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
//! Rebalance callbacks only run while the consumer is polled, which happens
//! only while a batch is being collected and never while a transaction is
//! open; messages of partitions revoked during collection are dropped before
//! the transaction begins (their next owner reads them again).

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

use super::kafka::LoggingContext;
use super::output::{enqueue, outbound};
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

impl Transactional<'_> {
    /// Consume and commit batches until `shutdown`, which is only honoured
    /// between transactions.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        blocking(|| self.producer.init_transactions(TXN_TIMEOUT))
            .map_err(|e| anyhow::anyhow!("cannot initialise transactions: {e}"))?;
        tokio::pin!(shutdown);
        let mut backoff = Duration::from_millis(100);
        loop {
            let batch = tokio::select! {
                biased;
                _ = &mut shutdown => return Ok(()),
                batch = self.collect_batch() => batch,
            };
            let batch = self.keep_assigned(batch);
            if batch.is_empty() {
                continue;
            }
            let firsts = first_offsets(&batch);
            match self.commit_batch(batch).await {
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
                    self.rewind(&firsts);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    /// Wait for one message, then take what else arrives within the linger.
    async fn collect_batch(&self) -> Vec<OwnedMessage> {
        let mut batch: Vec<OwnedMessage> = Vec::new();
        loop {
            let next = if batch.is_empty() {
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
                    let (p, o) = (msg.partition(), msg.offset());
                    // A partition re-assigned mid-batch restarts at its committed
                    // offset: drop what we hold from its previous position on.
                    batch.retain(|m| m.partition() != p || m.offset() < o);
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

    /// Drop messages of partitions that were revoked while the batch filled.
    fn keep_assigned(&self, mut batch: Vec<OwnedMessage>) -> Vec<OwnedMessage> {
        let Ok(assignment) = self.consumer.assignment() else {
            return Vec::new();
        };
        batch.retain(|m| {
            assignment
                .find_partition(m.topic(), m.partition())
                .is_some()
        });
        batch
    }

    async fn commit_batch(&self, batch: Vec<OwnedMessage>) -> Result<(), TxnFailure> {
        let offsets = next_offsets(self.topic, &batch);
        let outcomes = join_all(
            batch
                .into_iter()
                .map(|msg| extract_on_pool(Arc::clone(self.processor), msg)),
        )
        .await;

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

//! Exactly-once mode: outputs and input offsets commit in one transaction.
//!
//! The worker reads a batch, enriches it on the CPU pool, then in one
//! transaction produces every output (and DLQ) record and sends the batch's
//! next offsets to the transaction (`send_offsets_to_transaction`, last + 1).
//! A `read_committed` reader sees either all of a batch or none of it, and the
//! group's offsets move with it. On an abortable error the transaction is
//! aborted and the consumer rewound to the first offsets of that batch and of
//! the one read after it (a rewind that fails stops the worker); on a fatal
//! error (another instance with the same `transactional.id` fenced this one)
//! the worker exits with an error.
//!
//! Batches overlap: while one batch's transaction runs, the next one (already
//! read) is being enriched, so the extraction threads do not wait for the
//! broker. The consumer is polled only while a batch is being read, never
//! while a transaction is open, and rebalance callbacks only run then. Each
//! message is read under an assignment of its partition; before a batch
//! commits, the messages of partitions revoked or re-assigned since they were
//! read are dropped, uncommitted: a revoked partition is read again by its
//! next owner, a re-assigned one restarts at its committed offset.
//!
//! Shutdown is honoured between transactions, and also while one commits:
//! the transaction's calls run on their own threads, so the worker stops
//! waiting for them at its shutdown timeout. A transaction left open then
//! commits or aborts as a whole (the broker aborts it after
//! `transaction.timeout.ms`, or the next instance's `init_transactions`
//! does); its articles are read again if it did not commit.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::Producer;
use rdkafka::Offset;

use crate::metrics::{Metrics, PartitionLabel};
use crate::record::SourceInfo;

use super::batch::{first_offsets, moved, next_offsets, rewind_targets, Batch};
use super::consumer_errors::ConsumerErrors;
use super::output::{outbound, try_enqueue, Outcome};
use super::partition::{extract_on_pool, Processor};
use super::rewind::{Rewinds, Verdict};
use super::txn_producer::{is_fenced, TxnProducer};
use super::{close, WorkerConsumer};

/// Most messages in one transaction.
const MAX_BATCH: usize = 500;
/// How long a batch waits for more messages once it has one.
const BATCH_LINGER: Duration = Duration::from_millis(100);
/// Timeout of one transactional call to the broker.
const TXN_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) struct Transactional<'a> {
    pub consumer: &'a WorkerConsumer,
    pub producer: &'a TxnProducer,
    pub processor: &'a Arc<Processor>,
    pub metrics: &'a Metrics,
    pub topic: &'a str,
    /// Partitions rewound after an abort, until they are seen back.
    pub rewinds: Rewinds,
    pub errors: ConsumerErrors,
    pub transactional_id: String,
    /// How long a transaction still committing may take once shutdown is asked.
    pub shutdown_timeout: Duration,
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
    /// Per partition, the assignment its messages were read under.
    epochs: BTreeMap<i32, u64>,
    /// Per partition, the first offset: where to rewind if it is aborted.
    firsts: BTreeMap<i32, i64>,
    enriched: tokio::task::JoinHandle<Vec<(SourceInfo, Outcome)>>,
}

impl Transactional<'_> {
    /// Consume and commit batches until `shutdown`; the batches in hand
    /// then commit before returning, by the shutdown timeout (if their
    /// transaction aborts or is still open, they are left to be read again).
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        blocking(|| self.producer.get().init_transactions(TXN_TIMEOUT))
            .map_err(|e| anyhow::anyhow!("cannot initialise transactions: {e}"))?;
        // Resolves to the time to stop by, once shutdown is asked.
        let shutdown = async {
            shutdown.await;
            Instant::now() + self.shutdown_timeout
        };
        tokio::pin!(shutdown);
        let mut backoff = Duration::from_millis(100);
        let mut pending: Option<Pending> = None;
        // Set when shutdown is asked: the time to stop by.
        let mut stop_by: Option<Instant> = None;
        loop {
            let batch = if stop_by.is_some() {
                Batch::default()
            } else {
                tokio::select! {
                    biased;
                    by = &mut shutdown => {
                        stop_by = Some(by);
                        Batch::default()
                    }
                    batch = self.collect_batch(pending.is_some()) => batch?,
                }
            };
            let batch = self.still_ours(batch);
            let mut next = (!batch.messages.is_empty()).then(|| self.start(batch));
            if let Some(mut batch) = pending.take() {
                let Some(committed) = self
                    .commit_by(&mut batch, shutdown.as_mut(), &mut stop_by)
                    .await
                else {
                    tracing::warn!("shutdown timeout reached while a transaction was committing; stopping (it commits or aborts as a whole; if it aborts, its articles are read again)");
                    return Ok(());
                };
                match committed {
                    Ok(committed) => {
                        if committed {
                            self.metrics.transactions_committed.inc();
                        }
                        backoff = Duration::from_millis(100);
                    }
                    Err(TxnFailure::Fatal(e)) if !self.producer.may_replace(&e) => {
                        if is_fenced(&e) {
                            anyhow::bail!("transactional producer fenced: another instance uses transactional.id {}: {e}", self.transactional_id);
                        }
                        anyhow::bail!("transactional producer failed fatally again within a minute of its replacement: {e}")
                    }
                    Err(TxnFailure::Fatal(e)) => {
                        self.metrics.transactions_aborted.inc();
                        tracing::warn!(error = %e, "transactional producer failed (not fenced); replacing it and rewinding the batch");
                        self.rewind_batches(batch, next.take())?;
                        blocking(|| self.producer.replace())?;
                    }
                    Err(TxnFailure::Aborted(e)) => {
                        self.metrics.transactions_aborted.inc();
                        tracing::warn!(error = %e, retry_in = ?backoff, "transaction aborted; rewinding the batch");
                        self.rewind_batches(batch, next.take())?;
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                    }
                }
            }
            pending = next;
            if stop_by.is_some() && pending.is_none() {
                return Ok(());
            }
        }
    }

    /// Commits `batch`. A shutdown asked meanwhile (`shutdown` resolves to
    /// its deadline) sets `stop_by`; `None`
    /// when the commit has not finished by then.
    async fn commit_by(
        &self,
        batch: &mut Pending,
        shutdown: std::pin::Pin<&mut impl Future<Output = Instant>>,
        stop_by: &mut Option<Instant>,
    ) -> Option<Result<bool, TxnFailure>> {
        let commit = self.commit(batch);
        tokio::pin!(commit);
        if stop_by.is_none() {
            tokio::select! {
                biased;
                committed = &mut commit => return Some(committed),
                by = shutdown => *stop_by = Some(by),
            }
        }
        let by = (*stop_by)?;
        tokio::time::timeout_at(by.into(), commit).await.ok()
    }

    /// After an abort: rewind to the first offsets of `batch` and of the one
    /// read after it (`next`, whose enrichment is cancelled), so both are read
    /// again.
    fn rewind_batches(&self, batch: Pending, next: Option<Pending>) -> anyhow::Result<()> {
        let next_firsts = next.map(|next| {
            next.enriched.abort();
            next.firsts
        });
        let targets = rewind_targets(
            batch.firsts,
            &batch.epochs,
            next_firsts,
            &self.consumer.context().assignments,
        );
        self.rewind(&targets)
    }

    /// `batch` without the messages of partitions that moved since it was read.
    fn still_ours(&self, mut batch: Batch) -> Batch {
        let stale = batch.drop_moved(&self.consumer.context().assignments);
        if batch.dropped > 0 {
            self.dropped_on_rebalance(&stale, batch.dropped);
        }
        batch
    }

    fn dropped_on_rebalance(&self, partitions: &[i32], messages: usize) {
        self.metrics.dropped_on_rebalance.inc_by(messages as u64);
        tracing::info!(
            ?partitions,
            messages,
            "partitions moved: their uncommitted messages are dropped, to be read again"
        );
    }

    /// Starts enriching `batch` on the extraction threads.
    fn start(&self, batch: Batch) -> Pending {
        let firsts = first_offsets(&batch.messages);
        let jobs: Vec<_> = batch
            .messages
            .into_iter()
            .map(|msg| extract_on_pool(Arc::clone(self.processor), msg))
            .collect();
        Pending {
            epochs: batch.epochs,
            firsts,
            enriched: tokio::spawn(join_all(jobs)),
        }
    }

    /// Wait for one message, then take what else arrives within the linger.
    /// With a batch in hand (`in_hand`), read for at most the linger in all:
    /// that batch must not wait for new input to commit.
    async fn collect_batch(&self, in_hand: bool) -> anyhow::Result<Batch> {
        let mut batch = Batch::default();
        // With a batch in hand, reading stops at this deadline whatever
        // arrives: a trickle of input must not hold back its commit.
        let deadline = tokio::time::Instant::now() + BATCH_LINGER;
        loop {
            let next = if in_hand {
                tokio::time::timeout_at(deadline, self.consumer.recv())
                    .await
                    .ok()
            } else if batch.messages.is_empty() {
                Some(self.consumer.recv().await)
            } else {
                tokio::time::timeout(BATCH_LINGER, self.consumer.recv())
                    .await
                    .ok()
            };
            match next {
                None => return Ok(batch),
                Some(Ok(msg)) => {
                    self.metrics.consumed.inc();
                    let assignments = &self.consumer.context().assignments;
                    let (p, offset) = (msg.partition(), msg.offset());
                    let now = std::time::Instant::now();
                    match self.rewinds.check(p, offset, assignments.epoch(p), now) {
                        Verdict::Keep => batch.push(msg.detach(), assignments),
                        Verdict::Drop => {}
                        Verdict::SeekAgain(to) => {
                            tracing::warn!(partition = p, to, offset, "a rewind did not take effect; seeking again");
                            self.seek(p, to)?;
                        }
                        Verdict::GiveUp(to) => anyhow::bail!(
                            "partition {p} never came back to offset {to} after an aborted transaction (still reading {offset})"
                        ),
                    }
                    if batch.messages.len() >= MAX_BATCH {
                        return Ok(batch);
                    }
                }
                Some(Err(e)) => {
                    self.errors.report(&e).await;
                    if !batch.messages.is_empty() {
                        return Ok(batch);
                    }
                }
            }
        }
    }

    /// Waits for the batch's enrichment, then publishes it and commits its
    /// offsets in one transaction; without the partitions that moved since
    /// it was read.
    /// `Ok(false)`: nothing was left to commit.
    async fn commit(&self, batch: &mut Pending) -> Result<bool, TxnFailure> {
        let mut outcomes = (&mut batch.enriched)
            .await
            .map_err(|_| TxnFailure::Aborted(KafkaError::Canceled))?;
        let stale = moved(&batch.epochs, &self.consumer.context().assignments);
        if !stale.is_empty() {
            let before = outcomes.len();
            outcomes.retain(|(source, _)| !stale.contains(&source.partition));
            self.dropped_on_rebalance(&stale, before - outcomes.len());
        }
        if outcomes.is_empty() {
            return Ok(false);
        }
        let offsets = next_offsets(self.topic, outcomes.iter().map(|(s, _)| s));

        let producer = &self.producer.get();
        let group = self
            .consumer
            .group_metadata()
            .ok_or(TxnFailure::Aborted(KafkaError::Canceled))?;
        producer.begin_transaction().map_err(classify)?;
        let output = &self.processor.output;
        let mut deliveries = Vec::with_capacity(outcomes.len());
        let mut enqueued = Ok(());
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
            // An earlier record's failure can put the transaction in an
            // abortable state while later ones are handed over: then every
            // hand-over fails, and the transaction must be aborted.
            match try_enqueue(producer, &msg).await {
                Ok(delivery) => deliveries.push((to_output, delivery)),
                Err(e) => {
                    self.metrics.output_errors.inc();
                    enqueued = Err(e);
                    break;
                }
            }
        }
        let committed = match enqueued {
            Ok(()) => {
                let (p, sent, group) = (producer.clone(), offsets.clone(), group);
                off_thread(move || {
                    p.send_offsets_to_transaction(&sent, &group, TXN_TIMEOUT)?;
                    p.commit_transaction(TXN_TIMEOUT)
                })
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = committed {
            let failure = classify(e);
            if let TxnFailure::Aborted(_) = failure {
                let p = producer.clone();
                if let Err(abort) = off_thread(move || p.abort_transaction(TXN_TIMEOUT)).await {
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
        Ok(true)
    }

    /// Seeks partitions back to the given offsets. A partition that cannot be
    /// rewound would go on after messages that were never published, and a
    /// later commit would skip them: the worker stops instead, and its
    /// successor starts from the committed offsets.
    /// Each is then watched until its first message is back at the offset
    /// (`rewind.rs`: a seek can report success and not happen).
    fn rewind(&self, offsets: &BTreeMap<i32, i64>) -> anyhow::Result<()> {
        let assignments = &self.consumer.context().assignments;
        for (&partition, &offset) in offsets {
            self.seek(partition, offset)?;
            if let Some(epoch) = assignments.epoch(partition) {
                self.rewinds
                    .started(partition, offset, epoch, std::time::Instant::now());
            }
        }
        Ok(())
    }

    fn seek(&self, partition: i32, offset: i64) -> anyhow::Result<()> {
        self.consumer
            .seek(self.topic, partition, Offset::Offset(offset), TXN_TIMEOUT)
            .map_err(|e| {
                anyhow::anyhow!("cannot rewind partition {partition} to offset {offset} after an aborted transaction: {e}")
            })
    }
}

fn classify(e: KafkaError) -> TxnFailure {
    match &e {
        KafkaError::Transaction(t) if t.is_fatal() => TxnFailure::Fatal(e),
        _ => TxnFailure::Aborted(e),
    }
}

/// Run a transaction call to the broker on its own thread: a shutdown can
/// stop waiting for it (`commit_by`), which `block_in_place` would not allow.
async fn off_thread(
    call: impl FnOnce() -> Result<(), KafkaError> + Send + 'static,
) -> Result<(), KafkaError> {
    close::on_own_thread(call)
        .await
        .unwrap_or(Err(KafkaError::Canceled))
}

/// Run a blocking librdkafka call without stalling the runtime's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    super::kafka::block_in_runtime(f)
}

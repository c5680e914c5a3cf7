//! The Kafka worker (`run`): consume, enrich, publish, store offsets.
//!
//! Flow of one message:
//! `consumer.recv()` -> [`OffsetStore::begin`] -> partition task
//! ([`partition`]) -> extraction on the [`pool`] threads -> [`output::Output::publish`]
//! in partition order -> broker acknowledgement -> [`OffsetStore::complete`]
//! -> worker loop stores the highest contiguous offset -> librdkafka commits.
//!
//! Invariant: an input offset is stored only after the output (or DLQ copy)
//! of it and of every earlier offset of its partition was acknowledged.

mod batch;
mod close;
mod consumer_errors;
mod kafka;
mod lag_stats;
mod offsets;
mod output;
mod partition;
mod pool;
mod rewind;
mod store;
mod transactional;
mod txn_producer;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, Producer};
use tokio::sync::Notify;

use crate::config::{DeliveryMode, RunArgs};
use crate::metrics::Metrics;

pub use consumer_errors::ConsumerErrors;
pub use kafka::{client_config, LoggingContext, PRODUCER_DEFAULTS};
pub use output::{Outcome, Output};
pub use partition::{Partitions, Processor};
pub use store::OffsetStore;

use kafka::{log_config, WorkerContext, GROUP_CONSUMER_DEFAULTS};

type WorkerConsumer = StreamConsumer<WorkerContext>;

/// Run the worker until `shutdown` resolves, then drain in-flight articles,
/// commit and return.
pub async fn run(
    args: RunArgs,
    metrics: Metrics,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let offsets = Arc::new(OffsetStore::default());
    let extra = args.kafka.extra_properties();
    let consumer = create_consumer(&args, &extra, &metrics, &offsets)?;
    let producer_config = producer_config(&args, &extra);
    let producer: FutureProducer<LoggingContext> = producer_config
        .create_with_context(LoggingContext)
        .context("cannot create the Kafka producer")?;
    let acked = Arc::new(Notify::new());
    let processor = Processor::start(
        &args.kafka,
        !args.no_extract,
        producer.clone(),
        metrics.clone(),
        Arc::clone(&offsets),
        Arc::clone(&acked),
    )?;
    let readiness = tokio::spawn(watch_readiness(
        Arc::downgrade(&consumer),
        args.kafka.input_topic.clone(),
        metrics.clone(),
    ));
    tracing::info!(
        input = %args.kafka.input_topic, output = %args.kafka.output_topic,
        dlq = ?args.kafka.dlq_topic, group = %args.group_id, "worker started"
    );

    if args.kafka.delivery == DeliveryMode::ExactlyOnce {
        let txn_producer = txn_producer::TxnProducer::new(producer_config, producer.clone());
        let txn = transactional::Transactional {
            consumer: &consumer,
            producer: &txn_producer,
            processor: &processor,
            metrics: &metrics,
            topic: &args.kafka.input_topic,
            rewinds: Default::default(),
            errors: Default::default(),
            transactional_id: args.transactional_id(),
            shutdown_timeout: args.shutdown_timeout,
        };
        // When shutdown was asked: its deadline covers closing too.
        let asked = std::sync::OnceLock::new();
        let result = txn
            .run(async {
                shutdown.await;
                let _ = asked.set(Instant::now());
            })
            .await;
        metrics.set_ready(false);
        readiness.abort();
        let close_by = match asked.get() {
            Some(&at) => (at + args.shutdown_timeout).max(Instant::now() + MIN_CLOSE_TIME),
            None => Instant::now() + args.shutdown_timeout.max(MIN_CLOSE_TIME),
        };
        close::close_consumer(consumer, close_by.into()).await;
        tracing::info!("worker stopped");
        return result;
    }

    let mut partitions = Partitions::new(processor);
    let worker = Worker {
        consumer: &consumer,
        offsets: &offsets,
        metrics: &metrics,
        topic: &args.kafka.input_topic,
    };
    worker
        .consume(&mut partitions, &acked, args.max_in_flight, shutdown)
        .await;

    tracing::info!(
        in_flight = offsets.in_flight(),
        "shutting down: draining in-flight articles"
    );
    metrics.set_ready(false);
    readiness.abort();
    let deadline = Instant::now() + args.shutdown_timeout;
    worker
        .drain(partitions, &acked, args.shutdown_timeout)
        .await;
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_secs(1));
    if let Err(e) = producer.flush(left) {
        tracing::warn!(error = %e, "producer flush incomplete");
    }
    let close_by = deadline.max(Instant::now() + MIN_CLOSE_TIME);
    commit_stored(&consumer, close_by).await;
    // Leaving the group now moves the partitions to the other members
    // without waiting for the session timeout.
    close::close_consumer(consumer, close_by.into()).await;
    tracing::info!("worker stopped");
    Ok(())
}

/// However long draining took, leaving the group gets this long: it is what
/// hands the partitions on at once.
const MIN_CLOSE_TIME: Duration = Duration::from_secs(5);

/// Commit the stored offsets, waiting at most until `by`: a synchronous
/// commit has no timeout of its own, so it runs on its own thread.
async fn commit_stored(consumer: &Arc<WorkerConsumer>, by: Instant) {
    let committing = Arc::clone(consumer);
    let commit = close::on_own_thread(move || committing.commit_consumer_state(CommitMode::Sync));
    match tokio::time::timeout_at(by.into(), commit).await {
        Ok(Ok(Ok(()))) => tracing::info!("offsets committed"),
        // Nothing stored since the last commit is not a problem.
        Ok(Ok(Err(e))) => tracing::info!(error = %e, "final commit skipped"),
        Ok(Err(_)) | Err(_) => tracing::warn!(
            "final commit not confirmed by the shutdown deadline; the revocation commits what is stored"
        ),
    }
}

/// The group consumer, subscribed to the input topic. In exactly-once mode
/// offsets are committed by the producer's transactions, not by it.
fn create_consumer(
    args: &RunArgs,
    extra: &BTreeMap<String, String>,
    metrics: &Metrics,
    offsets: &Arc<OffsetStore>,
) -> anyhow::Result<Arc<WorkerConsumer>> {
    let mut config = client_config(&args.kafka.brokers, GROUP_CONSUMER_DEFAULTS, extra);
    config.set("group.id", &args.group_id);
    if !extra.contains_key("auto.commit.interval.ms") {
        let ms = args.commit_interval.as_millis().min(i32::MAX as u128);
        config.set("auto.commit.interval.ms", ms.to_string());
    }
    if args.kafka.delivery == DeliveryMode::ExactlyOnce {
        config
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed");
    }
    log_config("consumer", &config);
    let context = WorkerContext {
        metrics: metrics.clone(),
        offsets: Arc::clone(offsets),
        drain_timeout: args.shutdown_timeout,
        assignments: Default::default(),
    };
    let consumer: WorkerConsumer = config
        .create_with_context(context)
        .context("cannot create the Kafka consumer")?;
    consumer
        .subscribe(&[&args.kafka.input_topic])
        .with_context(|| format!("cannot subscribe to {}", args.kafka.input_topic))?;
    Ok(Arc::new(consumer))
}

/// The output and DLQ producer's settings; transactional in exactly-once mode.
fn producer_config(args: &RunArgs, extra: &BTreeMap<String, String>) -> rdkafka::ClientConfig {
    let mut config = client_config(&args.kafka.brokers, PRODUCER_DEFAULTS, extra);
    if args.kafka.delivery == DeliveryMode::ExactlyOnce {
        config.set("transactional.id", args.transactional_id());
    }
    log_config("producer", &config);
    config
}

/// The consuming half of the worker loop.
struct Worker<'a> {
    consumer: &'a WorkerConsumer,
    offsets: &'a OffsetStore,
    metrics: &'a Metrics,
    topic: &'a str,
}

impl Worker<'_> {
    async fn consume(
        &self,
        partitions: &mut Partitions,
        acked: &Notify,
        max_in_flight: usize,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let errors = consumer_errors::ConsumerErrors::default();
        loop {
            let full = self.offsets.in_flight() >= max_in_flight;
            tokio::select! {
                biased;
                _ = &mut shutdown => return,
                _ = acked.notified() => self.store_acknowledged(),
                msg = self.consumer.recv(), if !full => match msg {
                    Ok(msg) => {
                        self.metrics.consumed.inc();
                        self.offsets.begin(msg.partition(), msg.offset());
                        partitions.dispatch(msg.detach());
                    }
                    Err(e) => errors.report(&e).await,
                },
            }
            self.metrics.in_flight.set(self.offsets.in_flight() as i64);
        }
    }

    /// At-least-once shutdown: let the partition tasks deliver what they
    /// have and store the acknowledged offsets as they come (up to
    /// `timeout`). Unfinished articles are redelivered later.
    async fn drain(&self, partitions: Partitions, acked: &Notify, timeout: Duration) {
        let drained = tokio::time::timeout(timeout, async {
            partitions.close().await;
            while self.offsets.in_flight() > 0 {
                self.store_acknowledged();
                let _ = tokio::time::timeout(Duration::from_millis(100), acked.notified()).await;
            }
        })
        .await
        .is_ok();
        self.store_acknowledged();
        if !drained {
            tracing::warn!(
                left = self.offsets.in_flight(),
                "shutdown deadline reached; unfinished articles will be redelivered"
            );
        }
    }

    /// Move acknowledged offsets into librdkafka's offset store.
    fn store_acknowledged(&self) {
        for (partition, offset) in self.offsets.take_storable(None) {
            // Fails only for a partition no longer assigned: then it must not be stored.
            if let Err(e) = self.consumer.store_offset(self.topic, partition, offset) {
                tracing::debug!(partition, offset, error = %e, "offset not stored");
            }
        }
    }
}

/// Keep `/readyz` true while the brokers answer and the input topic exists.
/// Holds the consumer weakly, so that shutdown can close it (and leave the
/// group at once) whatever this task is doing.
async fn watch_readiness(consumer: Weak<WorkerConsumer>, topic: String, metrics: Metrics) {
    let mut was_ready = None;
    loop {
        let Some(c) = consumer.upgrade() else { return };
        let t = topic.clone();
        let result = tokio::task::spawn_blocking(move || {
            let md = c.fetch_metadata(Some(&t), Duration::from_secs(3))?;
            Ok::<bool, rdkafka::error::KafkaError>(
                md.topics()
                    .iter()
                    .any(|m| m.name() == t && m.error().is_none() && !m.partitions().is_empty()),
            )
        })
        .await;
        let (ready, why) = match result {
            Ok(Ok(true)) => (true, String::new()),
            Ok(Ok(false)) => (false, format!("input topic '{topic}' does not exist (yet)")),
            Ok(Err(e)) => (false, format!("brokers unreachable: {e}")),
            Err(e) => (false, e.to_string()),
        };
        if was_ready != Some(ready) {
            if ready {
                tracing::info!("connected to the brokers; ready");
            } else {
                tracing::warn!(reason = %why, "not ready; retrying");
            }
            was_ready = Some(ready);
        }
        metrics.set_ready(ready);
        tokio::time::sleep(Duration::from_secs(if ready { 5 } else { 2 })).await;
    }
}

//! librdkafka client configuration and the consumer's callbacks.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;

use crate::config::redacted;
use crate::metrics::{Metrics, PartitionLabel};

use super::store::OffsetStore;

/// A client configuration: our defaults for this kind of client, then the
/// user's `-X` / `ENRICHER_KAFKA_*` properties, which win.
pub fn client_config(
    brokers: &str,
    defaults: &[(&str, &str)],
    extra: &BTreeMap<String, String>,
) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("client.id", "article-enricher");
    for (k, v) in defaults {
        config.set(*k, *v);
    }
    for (k, v) in extra {
        config.set(k, v);
    }
    config.set_log_level(RDKafkaLogLevel::Info);
    config
}

/// Defaults of the `run` consumer: manual offset store (at-least-once: an
/// offset is stored only after its output is acknowledged), auto commit of
/// stored offsets (every `--commit-interval`), cooperative rebalancing,
/// statistics for lag metrics.
pub const GROUP_CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    ("enable.auto.offset.store", "false"),
    ("enable.auto.commit", "true"),
    ("auto.offset.reset", "earliest"),
    ("partition.assignment.strategy", "cooperative-sticky"),
    ("statistics.interval.ms", "5000"),
    // librdkafka prefetches up to 64 MB by default; 16 MB is still seconds of
    // input at the worker's rate and keeps its memory well under 200 MB.
    ("queued.max.messages.kbytes", "16384"),
];

/// Defaults of the output/DLQ producer: idempotent, so retries after a lost
/// acknowledgement never duplicate or reorder within a partition.
pub const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    ("enable.idempotence", "true"),
    ("acks", "all"),
    ("compression.type", "lz4"),
    ("linger.ms", "5"),
    // One attempt gives up after 30 s; the worker then logs and re-sends.
    ("message.timeout.ms", "30000"),
];

/// Log a client configuration with its secrets masked.
pub fn log_config(what: &str, config: &ClientConfig) {
    let props: BTreeMap<String, String> = config
        .config_map()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tracing::info!(client = what, config = ?redacted(&props), "kafka client configured");
}

/// Callbacks of the `run` consumer: logging, lag metrics, and draining a
/// partition's in-flight articles before it is revoked.
pub struct WorkerContext {
    pub metrics: Metrics,
    pub offsets: Arc<OffsetStore>,
    /// How long a revocation may wait for in-flight articles to be delivered.
    pub drain_timeout: Duration,
    /// Which partitions are ours, each with the number of the assignment
    /// that gave it: exactly-once mode drops what it read of a partition
    /// under an earlier assignment (`transactional.rs`).
    pub assignments: Assignments,
}

/// The partitions assigned to this consumer and when each was assigned.
#[derive(Default)]
pub struct Assignments(Mutex<Epochs>);

#[derive(Default)]
struct Epochs {
    /// Per partition held, the number of the assignment that gave it.
    of: BTreeMap<i32, u64>,
    /// The number of the next assignment.
    next: u64,
}

impl Assignments {
    pub(super) fn assign(&self, partitions: &[i32]) {
        let mut epochs = self.lock();
        let epoch = epochs.next;
        epochs.next += 1;
        for &p in partitions {
            epochs.of.insert(p, epoch);
        }
    }

    pub(super) fn revoke(&self, partitions: &[i32]) {
        let mut epochs = self.lock();
        for p in partitions {
            epochs.of.remove(p);
        }
    }

    fn revoke_all(&self) {
        self.lock().of.clear();
    }

    /// How many partitions are ours.
    fn count(&self) -> usize {
        self.lock().of.len()
    }

    /// The assignment that gave `partition`, if it is ours.
    pub fn epoch(&self, partition: i32) -> Option<u64> {
        self.lock().of.get(&partition).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Epochs> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ClientContext for WorkerContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        forward_log(level, fac, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(%error, reason, "kafka client error (retrying)");
    }

    fn stats_raw(&self, statistics: &[u8]) {
        match super::lag_stats::parse_lags(statistics) {
            Ok(lags) => {
                for (topic, partition, lag) in lags {
                    let label = PartitionLabel { topic, partition };
                    self.metrics.consumer_lag.get_or_create(&label).set(lag);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read librdkafka statistics; lag metrics not updated")
            }
        }
    }
}

impl WorkerContext {
    fn count_assigned(&self) {
        let held = self.assignments.count();
        self.metrics.assigned_partitions.set(held as i64);
    }
}

impl ConsumerContext for WorkerContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(tpl) = rebalance else {
            return;
        };
        let elements = tpl.elements();
        let parts: Vec<i32> = elements.iter().map(|e| e.partition()).collect();
        self.assignments.revoke(&parts);
        self.count_assigned();
        let Some(topic) = elements.first().map(|e| e.topic().to_owned()) else {
            return;
        };
        // Still ours until this callback returns: finish what is in flight,
        // store it, and let librdkafka commit it as part of the revocation.
        let deadline = Instant::now() + self.drain_timeout;
        let drained = block_in_runtime(|| self.offsets.wait_drained(&parts, deadline));
        for (partition, offset) in self.offsets.take_storable(Some(&parts)) {
            if let Err(e) = consumer.store_offset(&topic, partition, offset) {
                tracing::warn!(partition, offset, error = %e, "cannot store offset on revoke");
            }
        }
        self.offsets.forget(&parts);
        if drained {
            tracing::info!(partitions = ?parts, "partitions revoked after draining in-flight articles");
        } else {
            tracing::warn!(partitions = ?parts, "partitions revoked before in-flight articles were delivered; they will be redelivered");
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let parts: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
                self.assignments.assign(&parts);
                self.count_assigned();
                tracing::info!(partitions = ?parts, "partitions assigned");
            }
            Rebalance::Error(e) => {
                // The client gives up its assignment on a rebalance error.
                self.assignments.revoke_all();
                self.count_assigned();
                tracing::warn!(error = %e, "rebalance error");
            }
            Rebalance::Revoke(_) => {}
        }
    }
}

/// Run a blocking wait from a callback that librdkafka calls on a tokio
/// worker thread, letting the runtime move its other tasks elsewhere.
pub(super) fn block_in_runtime<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Plain callbacks for producers and admin clients: logging only.
pub struct LoggingContext;

impl ClientContext for LoggingContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        forward_log(level, fac, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(%error, reason, "kafka client error (retrying)");
    }
}

impl ConsumerContext for LoggingContext {}

/// librdkafka's own log lines, through `tracing` (target "librdkafka").
fn forward_log(level: RDKafkaLogLevel, fac: &str, message: &str) {
    match level {
        RDKafkaLogLevel::Emerg
        | RDKafkaLogLevel::Alert
        | RDKafkaLogLevel::Critical
        | RDKafkaLogLevel::Error => tracing::error!(target: "librdkafka", fac, "{message}"),
        RDKafkaLogLevel::Warning => tracing::warn!(target: "librdkafka", fac, "{message}"),
        RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
            tracing::info!(target: "librdkafka", fac, "{message}")
        }
        RDKafkaLogLevel::Debug => tracing::debug!(target: "librdkafka", fac, "{message}"),
    }
}

//! Where replayed records go: the worker's own processing and output path
//! (`pipeline::Partitions` -> `pipeline::Output`: same records, same keys,
//! same DLQ headers, same retries), plus waiting until all is acknowledged.
//!
//! An exactly-once replay would make this a transactional sink: begin a
//! transaction here, commit it in `finish`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::{FutureProducer, Producer};
use tokio::sync::Notify;

use crate::config::KafkaArgs;
use crate::metrics::Metrics;
use crate::pipeline::{
    client_config, LoggingContext, OffsetStore, Partitions, Processor, PRODUCER_DEFAULTS,
};

pub struct Sink {
    producer: FutureProducer<LoggingContext>,
    /// Tracks which read records are not yet acknowledged.
    offsets: Arc<OffsetStore>,
    acked: Arc<Notify>,
    partitions: Partitions,
}

impl Sink {
    pub fn new(kafka: &KafkaArgs, metrics: Metrics) -> anyhow::Result<Self> {
        let producer: FutureProducer<LoggingContext> =
            client_config(&kafka.brokers, PRODUCER_DEFAULTS, &kafka.extra_properties())
                .create_with_context(LoggingContext)
                .context("cannot create the Kafka producer")?;
        let offsets = Arc::new(OffsetStore::default());
        let acked = Arc::new(Notify::new());
        let processor = Processor::start(
            kafka,
            true,
            producer.clone(),
            metrics,
            Arc::clone(&offsets),
            Arc::clone(&acked),
        )?;
        Ok(Sink {
            producer,
            offsets,
            acked,
            partitions: Partitions::new(processor),
        })
    }

    /// Process and publish a record (in its partition's order).
    pub fn dispatch(&mut self, msg: OwnedMessage) {
        self.offsets.begin(msg.partition(), msg.offset());
        self.partitions.dispatch(msg);
    }

    /// Records dispatched and not yet acknowledged.
    pub fn in_flight(&self) -> usize {
        self.offsets.in_flight()
    }

    /// Notified after each acknowledgement.
    pub fn acked_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.acked)
    }

    /// Wait until every dispatched record is acknowledged; returns false if
    /// `give_up` resolved first.
    pub async fn finish(self, give_up: impl Future<Output = ()>) -> bool {
        let Sink {
            producer,
            offsets,
            acked,
            partitions,
        } = self;
        let delivered = async {
            partitions.close().await;
            while offsets.in_flight() > 0 {
                let _ = tokio::time::timeout(Duration::from_millis(100), acked.notified()).await;
            }
        };
        let delivered = tokio::select! {
            _ = delivered => true,
            _ = give_up => false,
        };
        if let Err(e) = producer.flush(Duration::from_secs(5)) {
            tracing::warn!(error = %e, "producer flush incomplete");
        }
        delivered
    }
}

//! Publishing: enriched records to the output topic, bad input to the DLQ,
//! each delivery retried until the broker acknowledges it, then reported as
//! done so that its input offset can be stored.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use tokio::sync::Notify;

use crate::enrich::Enriched;
use crate::metrics::Metrics;
use crate::record::{BadInput, SourceInfo};

use super::kafka::LoggingContext;
use super::store::OffsetStore;

/// What processing made of one input message.
#[derive(Debug)]
pub enum Outcome {
    Enriched(Enriched),
    /// Bad input: the original key and payload travel to the DLQ unchanged.
    Bad {
        error: BadInput,
        key: Option<Vec<u8>>,
        payload: Option<Vec<u8>>,
    },
}

/// One message to publish, owned so that it can be re-sent after a failure.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<(&'static str, String)>,
}

pub struct Output {
    pub producer: FutureProducer<LoggingContext>,
    pub output_topic: String,
    pub dlq_topic: Option<String>,
    pub metrics: Metrics,
    /// Where acknowledged input offsets are reported.
    pub offsets: Arc<OffsetStore>,
    /// Woken after each acknowledgement, so the worker stores offsets promptly.
    pub acked: Arc<Notify>,
}

impl Output {
    /// Enqueue the outcome of `source` with the producer, waiting while the
    /// producer's queue is full (backpressure). Delivery is awaited in the
    /// background; the input offset completes once it is acknowledged.
    pub async fn publish(self: &Arc<Self>, source: &SourceInfo, outcome: Outcome) {
        let done = (source.partition, source.offset);
        let Some(outbound) = outbound(
            source,
            outcome,
            &self.output_topic,
            self.dlq_topic.as_deref(),
            &self.metrics,
        ) else {
            self.finish(done);
            return;
        };
        let delivery = enqueue(&self.producer, &outbound, &self.metrics).await;
        let this = Arc::clone(self);
        tokio::spawn(async move { this.await_delivery(outbound, delivery, done).await });
    }

    /// Wait for the broker's acknowledgement, re-sending until it comes.
    async fn await_delivery(
        self: Arc<Self>,
        msg: Outbound,
        mut delivery: DeliveryFuture,
        done: (i32, i64),
    ) {
        let mut backoff = Duration::from_millis(100);
        loop {
            match delivery.await {
                Ok(Ok(_)) => break,
                Ok(Err((e, _))) => {
                    self.metrics.output_errors.inc();
                    tracing::warn!(topic = %msg.topic, error = %e, retry_in = ?backoff, "delivery failed; re-sending");
                }
                Err(_canceled) => {
                    // The producer is gone: we are shutting down. Not done,
                    // so the offset is not stored and the article is redelivered.
                    return;
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
            delivery = enqueue(&self.producer, &msg, &self.metrics).await;
        }
        if msg.topic == self.output_topic {
            self.metrics.enriched.inc();
        } else {
            self.metrics.dlq.inc();
        }
        self.finish(done);
    }

    fn finish(&self, (partition, offset): (i32, i64)) {
        self.offsets.complete(partition, offset);
        self.acked.notify_one();
    }
}

/// The message to publish for an outcome: the record on the output topic, or
/// the original message on the DLQ. `None` when bad input has no DLQ to go to
/// (it is logged and counted here, and is then done).
pub(crate) fn outbound(
    source: &SourceInfo,
    outcome: Outcome,
    output_topic: &str,
    dlq_topic: Option<&str>,
    metrics: &Metrics,
) -> Option<Outbound> {
    match outcome {
        Outcome::Enriched(e) => Some(Outbound {
            topic: output_topic.to_owned(),
            key: Some(e.id.into_bytes()),
            payload: Some(e.json),
            headers: Vec::new(),
        }),
        Outcome::Bad {
            error,
            key,
            payload,
        } => {
            metrics.count_failure(error.kind());
            let (topic, partition, offset, kind) =
                (&source.topic, source.partition, source.offset, error.kind());
            let Some(dlq) = dlq_topic else {
                tracing::warn!(%topic, partition, offset, kind, %error, "bad input skipped (no DLQ topic configured)");
                return None;
            };
            tracing::warn!(%topic, partition, offset, kind, %error, "bad input sent to the DLQ");
            Some(Outbound {
                topic: dlq.to_owned(),
                key,
                payload,
                headers: dlq_headers(&error, source),
            })
        }
    }
}

/// Hand a message to the producer, waiting while its queue is full and
/// retrying (once a second) on any other error.
pub(crate) async fn enqueue<C: rdkafka::client::ClientContext + 'static>(
    producer: &FutureProducer<C>,
    msg: &Outbound,
    metrics: &Metrics,
) -> DeliveryFuture {
    loop {
        match try_enqueue(producer, msg).await {
            Ok(delivery) => return delivery,
            Err(e) => {
                metrics.output_errors.inc();
                tracing::error!(topic = %msg.topic, error = %e, "cannot enqueue record; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Hand a message to the producer, waiting while its queue is full; any
/// other error is returned (in a transaction that has failed, retrying
/// would never succeed: it must be aborted).
pub(crate) async fn try_enqueue<C: rdkafka::client::ClientContext + 'static>(
    producer: &FutureProducer<C>,
    msg: &Outbound,
) -> Result<DeliveryFuture, KafkaError> {
    let mut headers = OwnedHeaders::new_with_capacity(msg.headers.len());
    for (key, value) in &msg.headers {
        headers = headers.insert(Header {
            key,
            value: Some(value.as_bytes()),
        });
    }
    loop {
        let mut record: FutureRecord<'_, [u8], [u8]> =
            FutureRecord::to(&msg.topic).headers(headers.clone());
        if let Some(key) = &msg.key {
            record = record.key(key);
        }
        if let Some(payload) = &msg.payload {
            record = record.payload(payload);
        }
        match producer.send_result(record) {
            Ok(delivery) => return Ok(delivery),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err((e, _)) => return Err(e),
        }
    }
}

/// Headers of a DLQ message: why it failed and where it came from.
fn dlq_headers(error: &BadInput, source: &SourceInfo) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("enricher.error.kind", error.kind().to_owned()),
        ("enricher.error.message", error.to_string()),
        ("enricher.source.topic", source.topic.clone()),
        ("enricher.source.partition", source.partition.to_string()),
        ("enricher.source.offset", source.offset.to_string()),
    ];
    if let Some(ts) = source.timestamp {
        headers.push(("enricher.source.timestamp", ts.to_string()));
    }
    headers
}

//! Per-partition processing: extraction runs on the extraction threads,
//! many articles at once, while outputs are published in the partition's
//! offset order.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use futures::stream::{FuturesOrdered, StreamExt};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use tokio::sync::{mpsc, Notify};

use crate::config::KafkaArgs;
use crate::enrich::Enricher;
use crate::metrics::Metrics;
use crate::record::{BadInput, SourceInfo};

use super::kafka::LoggingContext;
use super::output::{Outcome, Output};
use super::pool::ExtractionPool;
use super::store::OffsetStore;

/// Turns input messages into outcomes and hands them to the output.
pub struct Processor {
    pub enricher: Enricher,
    /// Where extraction runs: one thread per core.
    pub pool: ExtractionPool,
    pub metrics: Metrics,
    pub output: Arc<Output>,
}

impl Processor {
    /// The processing `run` and `replay` share: enrich (or only re-serialize,
    /// without `extraction`) on one extraction thread per core, publish
    /// through `producer` to the output and DLQ topics of `kafka`, and report
    /// acknowledged offsets to `offsets`, waking `acked`.
    pub fn start(
        kafka: &KafkaArgs,
        extraction: bool,
        producer: FutureProducer<LoggingContext>,
        metrics: Metrics,
        offsets: Arc<OffsetStore>,
        acked: Arc<Notify>,
    ) -> anyhow::Result<Arc<Processor>> {
        let output = Arc::new(Output {
            producer,
            output_topic: kafka.output_topic.clone(),
            dlq_topic: kafka.dlq_topic.clone(),
            metrics: metrics.clone(),
            offsets,
            acked,
        });
        Ok(Arc::new(Processor {
            enricher: Enricher {
                max_article_bytes: kafka.max_article_bytes,
                extraction,
                attributions: kafka.attributions.into(),
            },
            pool: ExtractionPool::per_core().context("cannot start the extraction threads")?,
            metrics,
            output,
        }))
    }
}

/// Routes messages to one ordered processing task per partition.
pub struct Partitions {
    processor: Arc<Processor>,
    queues: HashMap<i32, mpsc::UnboundedSender<OwnedMessage>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Partitions {
    pub fn new(processor: Arc<Processor>) -> Self {
        Partitions {
            processor,
            queues: HashMap::new(),
            tasks: Vec::new(),
        }
    }

    /// Queue a message on its partition's task, starting the task if needed.
    pub fn dispatch(&mut self, msg: OwnedMessage) {
        let partition = msg.partition();
        let queue = self.queues.entry(partition).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let processor = Arc::clone(&self.processor);
            self.tasks
                .push(tokio::spawn(process_partition(processor, rx)));
            tx
        });
        // The task only ends when its sender is dropped, so this cannot fail.
        let _ = queue.send(msg);
    }

    /// Let every task finish what it has queued, then wait for them.
    pub async fn close(self) {
        drop(self.queues);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn process_partition(
    processor: Arc<Processor>,
    mut queue: mpsc::UnboundedReceiver<OwnedMessage>,
) {
    let mut running = FuturesOrdered::new();
    loop {
        tokio::select! {
            msg = queue.recv() => match msg {
                Some(msg) => running.push_back(extract_on_pool(Arc::clone(&processor), msg)),
                None => break,
            },
            Some((source, outcome)) = running.next(), if !running.is_empty() => {
                processor.output.publish(&source, outcome).await;
            }
        }
    }
    while let Some((source, outcome)) = running.next().await {
        processor.output.publish(&source, outcome).await;
    }
}

pub(super) async fn extract_on_pool(
    processor: Arc<Processor>,
    msg: OwnedMessage,
) -> (SourceInfo, Outcome) {
    let p = Arc::clone(&processor);
    let source = source_of(&msg);
    let s = source.clone();
    match processor
        .pool
        .run(move || process_message(&p.enricher, &p.metrics, msg, s))
        .await
    {
        Ok(outcome) => (source, outcome),
        Err(e) => {
            // The job's thread is gone (process shutdown), or a panic escaped
            // process_message's own catch_unwind.
            tracing::error!(offset = source.offset, error = %e, "extraction task failed");
            let error = BadInput::Internal(e.to_string());
            (
                source,
                Outcome::Bad {
                    error,
                    key: None,
                    payload: None,
                },
            )
        }
    }
}

fn source_of(msg: &OwnedMessage) -> SourceInfo {
    SourceInfo {
        topic: msg.topic().to_owned(),
        partition: msg.partition(),
        offset: msg.offset(),
        timestamp: msg.timestamp().to_millis(),
    }
}

/// Parse, extract and serialize one message (CPU-bound; runs on the pool).
fn process_message(
    enricher: &Enricher,
    metrics: &Metrics,
    msg: OwnedMessage,
    source: SourceInfo,
) -> Outcome {
    let started = Instant::now();
    // The core is built never to panic; if it does anyway, the article goes to
    // the DLQ instead of taking the worker down or being lost.
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        enricher.enrich(msg.payload(), Some(source.clone()), || source.derived_id())
    }))
    .unwrap_or_else(|_| Err(BadInput::Internal("extractor panicked".to_owned())));
    metrics
        .processing_seconds
        .observe(started.elapsed().as_secs_f64());
    match result {
        Ok(enriched) => Outcome::Enriched(enriched),
        Err(error) => Outcome::Bad {
            error,
            key: msg.key().map(<[u8]>::to_vec),
            payload: msg.payload().map(<[u8]>::to_vec),
        },
    }
}

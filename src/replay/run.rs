//! The replay loop: read the planned ranges, process and publish every record
//! exactly as `run` does, wait for every delivery, report.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::FutureExt;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::{Offset, TopicPartitionList};

use crate::config::DeliveryMode;
use crate::metrics::{KindLabel, Metrics};
use crate::pipeline::{ConsumerErrors, LoggingContext};
use crate::record::BadInput;

use super::args::ReplayArgs;
use super::bounds::{Bounds, Verdict};
use super::kafka::{consumer_config, fatal_consumer_error};
use super::pace::Pacer;
use super::plan::Plan;
use super::progress::Progress;
use super::sink::Sink;

type ReplayConsumer = StreamConsumer<LoggingContext>;

/// What a replay did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Records the plan counted (the broker's offsets; see `Plan::count`).
    pub planned: u64,
    /// Records read and processed.
    pub read: u64,
    /// Enriched records acknowledged by the output topic.
    pub enriched: u64,
    /// Bad records acknowledged by the dead-letter topic.
    pub dead_lettered: u64,
    /// Bad records logged and skipped (no `--dlq-topic`).
    pub skipped: u64,
    pub elapsed: Duration,
    /// False when cancelled before every record was read and delivered.
    pub complete: bool,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "{} records read ({} planned): {} enriched, {} sent to the DLQ, {} bad and skipped; {:.1} s ({:.0} records/s)",
            self.read,
            self.planned,
            self.enriched,
            self.dead_lettered,
            self.skipped,
            secs,
            self.read as f64 / secs.max(0.001),
        )
    }
}

/// Replay `plan` into the output topic until done or `cancel` resolves.
pub async fn execute(
    args: &ReplayArgs,
    plan: &Plan,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Summary> {
    if args.kafka.delivery == DeliveryMode::ExactlyOnce {
        // The place for it: a transactional `Sink`, committing when drained.
        bail!("--delivery exactly-once is not available for replay yet; use at-least-once");
    }
    let started = Instant::now();
    let metrics = Metrics::new();
    let cancel = cancel.fuse();
    tokio::pin!(cancel);

    let mut bounds = Bounds::new(&plan.partitions);
    let consumer = assign(args, plan, &bounds)?;
    let mut sink = Sink::new(&args.kafka, metrics.clone())?;
    tracing::info!(
        input = %plan.topic, output = %args.kafka.output_topic, dlq = ?args.kafka.dlq_topic,
        records = plan.count(), partitions = bounds.pending().len(), "replay started"
    );
    let mut progress = Progress::new(plan.count());
    let mut reader = Reader {
        consumer: &consumer,
        topic: &plan.topic,
        bounds: &mut bounds,
        sink: &mut sink,
        pacer: Pacer::new(args.rate, started),
        metrics: &metrics,
        read: 0,
        errors: ConsumerErrors::default(),
    };
    let read_all = reader.read(args, &mut progress, cancel.as_mut()).await?;
    let read = reader.read;
    drop(consumer);

    let in_flight = sink.in_flight();
    let delivered = if read_all {
        sink.finish(cancel.as_mut()).await
    } else {
        // Cancelled: deliver what is in flight, but do not hang on it.
        tracing::info!(
            in_flight,
            "replay cancelled; delivering the records in flight"
        );
        sink.finish(tokio::time::sleep(DRAIN_AFTER_CANCEL)).await
    };
    progress.finish();
    if !delivered {
        tracing::warn!(
            in_flight,
            "replay cancelled before every record was delivered"
        );
    }
    Ok(Summary {
        planned: plan.count(),
        read,
        enriched: metrics.enriched.get(),
        dead_lettered: metrics.dlq.get(),
        skipped: if args.kafka.dlq_topic.is_none() {
            bad_inputs(&metrics)
        } else {
            0
        },
        elapsed: started.elapsed(),
        complete: read_all && delivered,
    })
}

/// A consumer assigned the planned partitions at their start offsets. No
/// group, no commits: see `kafka::consumer_config`.
fn assign(args: &ReplayArgs, plan: &Plan, bounds: &Bounds) -> anyhow::Result<ReplayConsumer> {
    let consumer: ReplayConsumer = consumer_config(&args.kafka)
        .create_with_context(LoggingContext)
        .context("cannot create the Kafka consumer")?;
    let mut tpl = TopicPartitionList::new();
    for (partition, start) in bounds.assignment() {
        tpl.add_partition_offset(&plan.topic, partition, Offset::Offset(start))?;
    }
    consumer
        .assign(&tpl)
        .context("cannot assign the input partitions")?;
    Ok(consumer)
}

fn bad_inputs(metrics: &Metrics) -> u64 {
    BadInput::KINDS
        .iter()
        .map(|kind| {
            metrics
                .failed
                .get_or_create(&KindLabel {
                    kind: (*kind).to_owned(),
                })
                .get()
        })
        .sum()
}

/// The reading half: takes records within the bounds and hands them to the sink.
struct Reader<'a> {
    consumer: &'a ReplayConsumer,
    topic: &'a str,
    bounds: &'a mut Bounds,
    sink: &'a mut Sink,
    pacer: Pacer,
    metrics: &'a Metrics,
    read: u64,
    errors: ConsumerErrors,
}

/// How long a cancelled replay may take to deliver its in-flight records.
const DRAIN_AFTER_CANCEL: Duration = Duration::from_secs(25);

/// How often the loop checks the consumer's positions and reports progress.
const TICK: Duration = Duration::from_millis(200);

impl Reader<'_> {
    /// Read until every partition is done (true) or `cancel` resolves (false).
    async fn read(
        &mut self,
        args: &ReplayArgs,
        progress: &mut Progress,
        mut cancel: Pin<&mut impl Future<Output = ()>>,
    ) -> anyhow::Result<bool> {
        // Local handles, so the futures in `select!` borrow nothing of `self`.
        let consumer = self.consumer;
        let acked = self.sink.acked_signal();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        while !self.bounds.all_done() {
            let full = self.sink.in_flight() >= args.max_in_flight;
            tokio::select! {
                biased;
                _ = &mut cancel => return Ok(false),
                _ = tick.tick() => {
                    self.check_positions();
                    progress.update(self.done());
                }
                _ = acked.notified(), if full => {}
                msg = consumer.recv(), if !full => self.handle(msg).await?,
            }
        }
        progress.update(self.done());
        Ok(true)
    }

    async fn handle(&mut self, msg: Result<BorrowedMessage<'_>, KafkaError>) -> anyhow::Result<()> {
        let msg = match msg {
            Ok(msg) => msg,
            Err(KafkaError::PartitionEOF(partition)) => {
                if self.bounds.on_eof(partition) {
                    tracing::debug!(partition, "partition done: end of log");
                    self.pause(partition);
                }
                return Ok(());
            }
            Err(e) => {
                if let Some(why) = fatal_consumer_error(&e) {
                    bail!(why);
                }
                self.errors.report(&e).await;
                return Ok(());
            }
        };
        match self.bounds.on_record(msg.partition(), msg.offset()) {
            Verdict::Take => {
                let now = Instant::now();
                let slot = self.pacer.reserve(now);
                if slot > now {
                    tokio::time::sleep_until(slot.into()).await;
                }
                self.metrics.consumed.inc();
                self.read += 1;
                self.sink.dispatch(msg.detach());
            }
            Verdict::Ignore => {}
            Verdict::Finished => {
                tracing::debug!(
                    partition = msg.partition(),
                    offset = msg.offset(),
                    "partition done: a record at or past its end"
                );
                self.pause(msg.partition());
            }
        }
        Ok(())
    }

    /// Finish the partitions whose position reached their end: the offsets
    /// left below it were never handed over (transaction markers, aborted
    /// records), and the log may grow past it without an EOF.
    fn check_positions(&mut self) {
        let pending = self.bounds.pending();
        if pending.is_empty() {
            return;
        }
        let positions = match self.consumer.position() {
            Ok(positions) => positions,
            Err(e) => {
                tracing::debug!(error = %e, "cannot read the consumer's positions");
                return;
            }
        };
        for partition in pending {
            let Some(Offset::Offset(position)) = positions
                .find_partition(self.topic, partition)
                .map(|e| e.offset())
            else {
                continue;
            };
            if self.bounds.on_position(partition, position) {
                tracing::debug!(partition, position, "partition done: position at its end");
                self.pause(partition);
            }
        }
    }

    /// Stop fetching a finished partition.
    fn pause(&self, partition: i32) {
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition(self.topic, partition);
        if let Err(e) = self.consumer.pause(&tpl) {
            tracing::debug!(partition, error = %e, "cannot pause a finished partition");
        }
    }

    /// Records read and acknowledged.
    fn done(&self) -> u64 {
        self.read.saturating_sub(self.sink.in_flight() as u64)
    }
}

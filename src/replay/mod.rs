//! `replay`: reprocess a topic's history into an output topic, bounded and
//! reproducible, without disturbing the live worker.
//!
//! 1. [`make_plan`] asks the broker, once, for each partition's start offset
//!    (`--from`) and end offset (`--to`; for `end`, the last stable offset
//!    now: the high watermark, or where the oldest open transaction starts).
//! 2. [`execute`] assigns those partitions to a `read_committed` consumer that
//!    joins no group and never commits, reads each from its start to its end
//!    (see [`bounds`] for when a partition is done), and sends every record through
//!    the worker's own processing and output path (`pipeline`), optionally
//!    rate-limited, with progress on stderr.
//! 3. It returns once every record read is acknowledged, with a [`Summary`].
//!
//! Records contain only input-derived data, so replaying the same input with
//! the same version publishes the same bytes under the same keys.

mod args;
pub mod bounds;
mod kafka;
mod pace;
mod plan;
mod progress;
mod run;
mod sink;

use std::future::Future;

use anyhow::Context;
use rdkafka::consumer::BaseConsumer;

pub use args::{parse_end, parse_start, parse_time_millis, End, ReplayArgs, Start, HELP};
pub use plan::{PartitionPlan, Plan, PlanError, TopicFacts};
pub use run::{execute, Summary};

use crate::pipeline::LoggingContext;

/// Plan the replay `args` asks for: per partition, where to start and stop.
/// Also checks that the output topics exist.
pub async fn make_plan(args: &ReplayArgs) -> anyhow::Result<Plan> {
    let args = args.clone();
    tokio::task::spawn_blocking(move || plan_now(&args))
        .await
        .context("planning task failed")?
}

fn plan_now(args: &ReplayArgs) -> anyhow::Result<Plan> {
    let consumer: BaseConsumer<LoggingContext> = kafka::consumer_config(&args.kafka)
        .create_with_context(LoggingContext)
        .context("cannot create the Kafka consumer")?;
    // When the end offsets were captured (for reporting).
    let now = args::now_millis();
    let facts = kafka::BrokerFacts(&consumer);
    let plan = plan::plan(&facts, &args.kafka.input_topic, &args.from, args.to, now)?;
    let mut outputs = vec![args.kafka.output_topic.as_str()];
    outputs.extend(args.kafka.dlq_topic.as_deref());
    kafka::check_topics_exist(&consumer, &outputs)?;
    Ok(plan)
}

/// Plan and run a replay; returns when every record is replayed and
/// acknowledged, or when `cancel` resolves (then `Summary::complete` is false).
pub async fn replay(
    args: &ReplayArgs,
    cancel: impl Future<Output = ()>,
) -> anyhow::Result<Summary> {
    let plan = make_plan(args).await?;
    execute(args, &plan, cancel).await
}

//! The command line: one binary, one subcommand per way of running.

use clap::{Parser, Subcommand};

use crate::commands::{demo::DemoArgs, extract::ExtractArgs};
use crate::config::RunArgs;
use crate::telemetry::TelemetryArgs;

/// Enrich news articles with named entities and attributed quotations.
///
/// Reads articles (JSON objects with a `text` field) and writes one enriched
/// JSON record per article: entities (people, organisations, places, other
/// names) with every mention, and quotations with their speaker and cue.
/// Offsets are Unicode code point offsets into the article text.
///
/// Start with `article-enricher demo`: it needs no Kafka.
#[derive(Debug, Parser)]
#[command(name = "article-enricher", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub telemetry: TelemetryArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Kafka worker: consume articles, publish enriched records,
    /// send bad input to a dead-letter topic; stop on SIGTERM/SIGINT after
    /// draining in-flight articles and committing.
    Run(RunArgs),
    /// Enrich JSONL articles from a file or stdin, without a broker.
    Extract(ExtractArgs),
    /// Reprocess a topic's history, from `--from` to `--to`, into an output
    /// topic, then exit with a summary. Does not disturb the live worker.
    #[command(after_long_help = crate::replay::HELP)]
    Replay(crate::replay::ReplayArgs),
    /// Zero set-up demo: an in-process Kafka cluster, sample articles, the
    /// worker, and what it found in each article (`--json`: the records).
    Demo(DemoArgs),
    /// Show enriched records for people: a terminal summary, an HTML page with
    /// the findings highlighted in the text, or a comparison of two record sets.
    #[command(after_long_help = crate::commands::view::HELP)]
    View(crate::commands::view::ViewArgs),
    /// Rebuild the entity model from CoNLL-2003 files (deterministic).
    Train(crate::train::TrainArgs),
    /// Score the entity recogniser on a CoNLL-2003 file, as
    /// ../shared/eval/score_entities.py would score `extract`'s output.
    EvalEntities(crate::train::EvalEntitiesArgs),
    /// Score quotes and speakers on a PolNeAR split, as
    /// ../shared/eval/score_quotes.py would score `extract`'s output.
    EvalQuotes(crate::polnear::eval::EvalQuotesArgs),
    /// Train the learned stage of reported speech on PolNeAR train and
    /// choose its threshold by cross-validation (deterministic).
    TrainAttributions(crate::polnear::train::TrainAttributionsArgs),
}

impl Command {
    /// Run the chosen subcommand to completion.
    pub fn execute(self) -> anyhow::Result<()> {
        match self {
            Command::Run(args) => on_runtime(crate::commands::run::run(args)),
            Command::Extract(args) => crate::commands::extract::run(&args),
            Command::Replay(args) => on_runtime(crate::commands::replay::run(args)),
            Command::Demo(args) => on_runtime(crate::commands::demo::run(args)),
            Command::View(args) => crate::commands::view::run(&args),
            Command::Train(args) => crate::train::run(&args),
            Command::EvalEntities(args) => crate::train::eval::run(&args),
            Command::EvalQuotes(args) => crate::polnear::eval::run(&args),
            Command::TrainAttributions(args) => crate::polnear::train::run(&args),
        }
    }
}

/// Runs a subcommand on a multi-threaded runtime. Once it returns, the
/// process exits within a second: a blocking call still out (the readiness
/// probe's metadata request, up to 3 s) is left behind, not waited for, as
/// dropping the runtime would.
fn on_runtime(
    command: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(command);
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

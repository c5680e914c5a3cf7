//! `demo`: the whole pipeline with zero set-up.
//!
//! Starts librdkafka's in-process mock cluster, creates the topics, produces
//! the sample articles (plus one malformed message, to show the DLQ), runs the
//! real worker against them and shows what comes out: a readable summary per
//! article (the `view` command's terminal view), or the raw records with `--json`.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use crate::commands::view::{style, ColorChoice};
use crate::config::{AttributionsArg, DeliveryMode, KafkaArgs, RunArgs};
use crate::enrich::DEFAULT_MAX_ARTICLE_BYTES;
use crate::metrics::Metrics;
use crate::record::{parse_article, read_payload};
use crate::view::records::read_records;
use crate::view::terminal;

/// The sample articles: the seed article and a few fictional ones.
pub const SAMPLE_ARTICLES: &str = include_str!("../../samples/articles.jsonl");

const INPUT: &str = "articles";
const OUTPUT: &str = "articles.enriched";
const DLQ: &str = "articles.dlq";

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Print the records exactly as published, one JSON object per line, instead
    /// of the readable summary.
    #[arg(long)]
    pub json: bool,

    /// Print the records as indented JSON (implies --json).
    #[arg(long)]
    pub pretty: bool,

    /// Colour the summary: `auto` colours when stdout is a terminal and `NO_COLOR` is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Give up if the records have not all arrived after this long.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,

    /// Which attributions records carry: `quoted` keeps the records of
    /// before reported speech (no `indirect` ones).
    #[arg(long, env = "ENRICHER_ATTRIBUTIONS", value_enum, default_value_t = AttributionsArg::All)]
    pub attributions: AttributionsArg,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let cluster = MockCluster::new(1).context("cannot start the in-process Kafka cluster")?;
    for topic in [INPUT, OUTPUT, DLQ] {
        cluster
            .create_topic(topic, 3, 1)
            .with_context(|| format!("cannot create topic {topic}"))?;
    }
    let brokers = cluster.bootstrap_servers();
    eprintln!("in-process Kafka cluster at {brokers}; topics {INPUT} -> {OUTPUT} (+ {DLQ})");

    let articles: Vec<&str> = SAMPLE_ARTICLES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    produce_inputs(&brokers, &articles).await?;
    eprintln!(
        "produced {} sample articles and 1 malformed message",
        articles.len()
    );

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(crate::pipeline::run(
        worker_args(&brokers, args.attributions),
        Metrics::new(),
        async {
            let _ = stopped.await;
        },
    ));

    let result = read_outputs(&brokers, articles.len(), &args).await;
    let _ = stop.send(());
    worker.await.context("worker task failed")??;
    print_records(&result?, &articles, &args)
}

/// The records as published (`--json`, `--pretty`), or the readable view in sample order.
fn print_records(payloads: &[Vec<u8>], articles: &[&str], args: &DemoArgs) -> anyhow::Result<()> {
    let mut out = String::new();
    if args.json || args.pretty {
        for payload in payloads {
            if args.pretty {
                let value: serde_json::Value = serde_json::from_slice(payload)?;
                out.push_str(&serde_json::to_string_pretty(&value)?);
            } else {
                out.push_str(&String::from_utf8_lossy(payload));
            }
            out.push('\n');
        }
    } else {
        let joined = payloads.join(&b'\n');
        let mut records = read_records(joined.as_slice(), "the output topic")?;
        // Records arrive interleaved from three partitions; show them in the samples' order.
        let ids: Vec<Option<String>> = articles
            .iter()
            .map(|a| {
                let payload = read_payload(Some(a.as_bytes()), usize::MAX).ok()?;
                Some(parse_article(&payload).ok()?.id?.into_owned())
            })
            .collect();
        records.sort_by_key(|r| ids.iter().position(|id| id.as_deref() == Some(&r.id)));
        out = terminal::render(&records, style(args.color));
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn worker_args(brokers: &str, attributions: AttributionsArg) -> RunArgs {
    RunArgs {
        kafka: KafkaArgs {
            brokers: brokers.to_owned(),
            input_topic: INPUT.to_owned(),
            output_topic: OUTPUT.to_owned(),
            dlq_topic: Some(DLQ.to_owned()),
            kafka_properties: Vec::new(),
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            delivery: DeliveryMode::AtLeastOnce,
            attributions,
        },
        group_id: "article-enricher-demo".to_owned(),
        metrics_addr: None,
        shutdown_timeout: Duration::from_secs(10),
        max_in_flight: 1000,
        commit_interval: Duration::from_secs(1),
        transactional_id: None,
        no_extract: false,
    }
}

async fn produce_inputs(brokers: &str, articles: &[&str]) -> anyhow::Result<()> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let malformed = "{\"id\": \"broken\", \"text\": ";
    for payload in articles.iter().copied().chain([malformed]) {
        let record: FutureRecord<'_, (), str> = FutureRecord::to(INPUT).payload(payload);
        producer
            .send(record, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .context("cannot produce a sample article")?;
    }
    Ok(())
}

/// Read the output and DLQ topics until every input is accounted for; the
/// output records' payloads, in arrival order.
async fn read_outputs(
    brokers: &str,
    expected: usize,
    args: &DemoArgs,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let reader: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "demo-reader")
        .set("auto.offset.reset", "earliest")
        .create()?;
    reader.subscribe(&[OUTPUT, DLQ])?;
    let (mut records, mut dead) = (0, 0);
    let mut payloads = Vec::with_capacity(expected);
    let deadline = tokio::time::Instant::now() + args.timeout;
    while records < expected || dead < 1 {
        let msg = match tokio::time::timeout_at(deadline, reader.recv()).await {
            Ok(msg) => msg?,
            Err(_) => bail!(
                "only {records} of {expected} records arrived within {:?}",
                args.timeout
            ),
        };
        let payload = msg.payload().unwrap_or_default();
        if msg.topic() == DLQ {
            dead += 1;
            let kind = msg
                .headers()
                .and_then(|h| h.iter().find(|h| h.key == "enricher.error.kind"))
                .and_then(|h| h.value)
                .map(String::from_utf8_lossy);
            eprintln!(
                "DLQ <- {} (kind: {})",
                String::from_utf8_lossy(payload),
                kind.unwrap_or_default()
            );
            continue;
        }
        records += 1;
        payloads.push(payload.to_vec());
    }
    eprintln!("{records} enriched records, {dead} message in the dead-letter topic");
    Ok(payloads)
}

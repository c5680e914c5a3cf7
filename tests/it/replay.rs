//! `replay` against librdkafka's mock cluster (in-process, as a library call
//! with a cancel future, and as the binary) and against tansu.
//!
//! The mock cluster's watermarks are exact, so it checks exact bounds; it
//! cannot look offsets up by time, so the `--from TIME` test runs on tansu,
//! whose short high watermark also exercises the tail rule.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use article_enricher::replay::{self, parse_end, parse_start, PlanError, ReplayArgs, Summary};
use futures::future::join_all;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use crate::helpers::*;
use crate::mock_worker::bad_inputs;

fn replay_args(
    brokers: &str,
    input: &str,
    output: &str,
    dlq: Option<&str>,
    from: &str,
) -> ReplayArgs {
    ReplayArgs {
        kafka: run_args(brokers, input, output, dlq).kafka,
        from: parse_start(from).unwrap(),
        to: parse_end("end").unwrap(),
        rate: None,
        dry_run: false,
        max_in_flight: 1000,
        tail_wait: Duration::from_millis(500),
    }
}

/// Run a replay in-process with a cancel future that never fires: it must
/// end by itself (the timeout only keeps a broken build from hanging).
async fn replay_to_the_end(args: &ReplayArgs) -> Summary {
    tokio::time::timeout(
        Duration::from_secs(180),
        replay::replay(args, std::future::pending()),
    )
    .await
    .expect("replay did not finish by itself")
    .expect("replay failed")
}

/// One input record: partition, key, payload.
type Input = (i32, String, Vec<u8>);

fn articles(prefix: &str, n: usize, partitions: i32) -> Vec<Input> {
    (0..n)
        .map(|i| {
            (
                i as i32 % partitions,
                format!("k-{prefix}{i}"),
                article(&format!("{prefix}{i}"), i).into_bytes(),
            )
        })
        .collect()
}

/// Produce all at once (so the producer batches them), optionally with an
/// explicit timestamp; returns each record's (partition, offset).
async fn produce_all(
    brokers: &str,
    topic: &str,
    inputs: &[Input],
    timestamp: Option<i64>,
) -> Vec<(i32, i64)> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "20")
        .create()
        .expect("producer");
    let sends = inputs.iter().map(|(partition, key, payload)| {
        let mut record: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic)
            .partition(*partition)
            .key(key.as_str())
            .payload(payload.as_slice());
        if let Some(ts) = timestamp {
            record = record.timestamp(ts);
        }
        producer.send(record, Duration::from_secs(30))
    });
    join_all(sends)
        .await
        .into_iter()
        .map(|r| {
            r.map(|d| (d.partition, d.offset))
                .map_err(|(e, _)| e)
                .expect("produce")
        })
        .collect()
}

fn with_bad_inputs(mut inputs: Vec<Input>) -> (Vec<Input>, usize) {
    let bad = bad_inputs();
    for (i, (_, payload)) in bad.iter().enumerate() {
        inputs.push((
            i as i32 % 3,
            "bad".to_owned(),
            payload.clone().unwrap_or_default(),
        ));
    }
    (inputs, bad.len())
}

/// Records on a topic: (high - low) summed over its partitions. Exact on the
/// mock cluster (not on tansu, whose high watermark lags).
fn topic_size(brokers: &str, topic: &str, partitions: i32) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| {
            let (low, high) = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks");
            high - low
        })
        .sum()
}

fn payload_by_key(messages: &[OwnedMessage]) -> BTreeMap<String, Vec<u8>> {
    messages
        .iter()
        .map(|m| {
            let key = String::from_utf8(m.key().expect("key").to_vec()).unwrap();
            (key, m.payload().unwrap_or_default().to_vec())
        })
        .collect()
}

fn mock_cluster(
    topics: &[(&str, i32)],
) -> MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let cluster = MockCluster::new(1).unwrap();
    for (topic, partitions) in topics {
        cluster.create_topic(topic, *partitions, 1).unwrap();
    }
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_of_500_articles_exits_by_itself_with_one_record_each() {
    let cluster = mock_cluster(&[("r-in", 3), ("r-out", 3), ("r-dlq", 1)]);
    let b = cluster.bootstrap_servers();
    let (inputs, bad) = with_bad_inputs(articles("a", 500, 3));
    produce_all(&b, "r-in", &inputs, None).await;

    let summary =
        replay_to_the_end(&replay_args(&b, "r-in", "r-out", Some("r-dlq"), "earliest")).await;
    assert!(summary.complete, "{summary}");
    assert_eq!(summary.planned, inputs.len() as u64);
    assert_eq!(summary.read, inputs.len() as u64);
    assert_eq!(
        (summary.enriched, summary.dead_lettered, summary.skipped),
        (500, bad as u64, 0)
    );

    let out = read_topic(&b, "r-out", 500, Duration::from_secs(30)).await;
    assert_eq!(topic_size(&b, "r-out", 3), 500, "no record published twice");
    let keys: BTreeSet<String> = payload_by_key(&out).into_keys().collect();
    assert_eq!(
        keys,
        (0..500).map(|i| format!("a{i}")).collect::<BTreeSet<_>>(),
        "keyed by article id"
    );
    assert_eq!(topic_size(&b, "r-dlq", 1), bad as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replays_of_the_same_input_publish_identical_bytes() {
    let cluster = mock_cluster(&[("same-in", 3), ("same-a", 3), ("same-b", 2)]);
    let b = cluster.bootstrap_servers();
    produce_all(&b, "same-in", &articles("s", 120, 3), None).await;

    replay_to_the_end(&replay_args(&b, "same-in", "same-a", None, "earliest")).await;
    replay_to_the_end(&replay_args(&b, "same-in", "same-b", None, "earliest")).await;
    let first = payload_by_key(&read_topic(&b, "same-a", 120, Duration::from_secs(30)).await);
    let second = payload_by_key(&read_topic(&b, "same-b", 120, Duration::from_secs(30)).await);
    assert_eq!(first.len(), 120);
    for (key, bytes) in &first {
        assert_eq!(
            second.get(key),
            Some(bytes),
            "record {key} differs between the two replays"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_leaves_the_live_worker_and_its_group_offsets_alone() {
    let cluster = mock_cluster(&[("live-in", 3), ("live-out", 3), ("live-replay", 3)]);
    let b = cluster.bootstrap_servers();
    let group = "test-group-live-in"; // run_args' group for this input
    produce_all(&b, "live-in", &articles("l", 60, 3), None).await;
    let worker = TestWorker::spawn(run_args(&b, "live-in", "live-out", None));
    let all_committed = |total: i64| {
        committed(&b, group, "live-in", 3)
            .iter()
            .map(|o| o.unwrap_or(0))
            .sum::<i64>()
            == total
    };
    assert!(
        eventually(Duration::from_secs(60), || all_committed(60)).await,
        "live worker did not commit its input"
    );
    let before = committed(&b, group, "live-in", 3);

    let summary =
        replay_to_the_end(&replay_args(&b, "live-in", "live-replay", None, "earliest")).await;
    assert_eq!(summary.enriched, 60);
    assert_eq!(
        committed(&b, group, "live-in", 3),
        before,
        "the replay moved the live group's offsets"
    );

    // The live worker still owns its partitions: new articles reach it.
    produce_all(&b, "live-in", &articles("m", 9, 3), None).await;
    assert!(
        eventually(Duration::from_secs(60), || all_committed(69)).await,
        "live worker stopped consuming"
    );
    worker.shutdown().await.unwrap();
    assert_eq!(
        topic_size(&b, "live-out", 3),
        69,
        "the replay wrote only to its own output topic"
    );
}

fn replay_cli(brokers: &str, input: &str, output: &str, extra: &[&str]) -> Output {
    bin_command("replay", brokers, input, output)
        .args(extra)
        .output()
        .expect("run the binary")
}

/// `--dry-run`'s table: partition -> (start, end, records).
fn dry_run_table(out: &Output) -> BTreeMap<i32, (i64, i64, u64)> {
    assert!(
        out.status.success(),
        "dry run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let partition = cols.first()?.parse().ok()?;
            Some((
                partition,
                (
                    cols[1].parse().ok()?,
                    cols[2].parse().ok()?,
                    cols[3].parse().ok()?,
                ),
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_counts_per_partition_and_reads_nothing() {
    let cluster = mock_cluster(&[("dry-in", 3), ("dry-out", 1)]);
    let b = cluster.bootstrap_servers();
    let mut inputs = articles("d", 4, 1); // partition 0
    inputs.extend(articles("e", 2, 1).into_iter().map(|(_, k, v)| (1, k, v)));
    produce_all(&b, "dry-in", &inputs, None).await;

    let all = dry_run_table(&replay_cli(
        &b,
        "dry-in",
        "dry-out",
        &["--from", "earliest", "--dry-run"],
    ));
    assert_eq!(
        all,
        BTreeMap::from([(0, (0, 4, 4)), (1, (0, 2, 2)), (2, (0, 0, 0))])
    );
    let some = dry_run_table(&replay_cli(
        &b,
        "dry-in",
        "dry-out",
        &["--from", "0:1,1:2", "--dry-run"],
    ));
    assert_eq!(some, BTreeMap::from([(0, (1, 4, 3)), (1, (2, 2, 0))]));
    assert_eq!(
        topic_size(&b, "dry-out", 1),
        0,
        "a dry run publishes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_are_reported_with_what_to_do() {
    let cluster = mock_cluster(&[("err-in", 2), ("err-out", 1)]);
    let b = cluster.bootstrap_servers();
    produce_all(&b, "err-in", &articles("x", 4, 2), None).await;

    let cases: [(&str, &str, &[&str], &str); 4] = [
        (
            "no-such-topic",
            "err-out",
            &["--from", "earliest"],
            "topic 'no-such-topic' does not exist",
        ),
        (
            "err-in",
            "err-out",
            &["--from", "5:0"],
            "partition 5 of topic 'err-in' does not exist",
        ),
        (
            "err-in",
            "err-out",
            &["--from", "0:9"],
            "offset 9 of partition 0 is outside the available range 0..=2",
        ),
        (
            "err-in",
            "no-such-out",
            &["--from", "earliest"],
            "topic 'no-such-out' does not exist",
        ),
    ];
    for (input, output, flags, message) in cases {
        let out = replay_cli(&b, input, output, flags);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flags:?} succeeded");
        assert!(
            stderr.contains(message),
            "{flags:?}: expected '{message}' in: {stderr}"
        );
    }
    // The same errors, typed, from the library.
    let err = replay::make_plan(&replay_args(&b, "err-in", "err-out", None, "7:0"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.downcast_ref::<PlanError>(),
            Some(PlanError::NoSuchPartition { partition: 7, .. })
        ),
        "{err}"
    );
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_on_kafka_is_bounded_by_the_end_offsets() {
    let kafka = crate::broker::Kafka::start();
    let b = kafka.brokers.clone();
    python_client(&["create", "--brokers", &b, "t-in:3", "t-out:3"], b"");
    produce_all(&b, "t-in", &articles("t", 500, 3), None).await;

    let args = replay_args(&b, "t-in", "t-out", None, "earliest");
    let plan = replay::make_plan(&args).await.unwrap();
    assert_eq!(plan.count(), 500, "Kafka's high watermarks are exact");
    let summary = replay_to_the_end(&args).await;
    assert!(summary.complete, "{summary}");
    assert_eq!((summary.read, summary.enriched), (500, 500), "{summary}");

    let out = python_client(
        &[
            "consume",
            "--brokers",
            &b,
            "--topic",
            "t-out",
            "--count",
            "500",
            "--linger",
            "2",
        ],
        b"",
    );
    let keys: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["key"].to_string())
        .collect();
    assert_eq!(keys.len(), 500, "one record per article, no duplicates");
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_from_a_time_on_kafka_starts_at_the_first_later_record() {
    let kafka = crate::broker::Kafka::start();
    let b = kafka.brokers.clone();
    python_client(&["create", "--brokers", &b, "ts-in:3", "ts-out:3"], b"");
    let early = produce_all(&b, "ts-in", &articles("early", 30, 3), Some(now_ms())).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let between = now_ms();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late = produce_all(&b, "ts-in", &articles("late", 30, 3), Some(now_ms())).await;

    let from = format_rfc3339(between);
    let args = replay_args(&b, "ts-in", "ts-out", None, &from);
    let plan = replay::make_plan(&args).await.unwrap();
    for p in &plan.partitions {
        let first_late = late
            .iter()
            .filter(|(q, _)| *q == p.partition)
            .map(|(_, o)| *o)
            .min()
            .unwrap();
        let last_early = early
            .iter()
            .filter(|(q, _)| *q == p.partition)
            .map(|(_, o)| *o)
            .max()
            .unwrap();
        assert_eq!(
            p.start, first_late,
            "partition {}: start after offset {last_early}",
            p.partition
        );
    }
    let summary = replay_to_the_end(&args).await;
    assert_eq!((summary.read, summary.enriched), (30, 30), "{summary}");
    let out = python_client(
        &[
            "consume",
            "--brokers",
            &b,
            "--topic",
            "ts-out",
            "--count",
            "30",
            "--linger",
            "2",
        ],
        b"",
    );
    let keys: BTreeSet<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        keys,
        (0..30).map(|i| format!("late{i}")).collect::<BTreeSet<_>>()
    );
}

fn format_rfc3339(ms: i64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms as u64)).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_replays_and_prints_a_summary() {
    let cluster = mock_cluster(&[("cli-in", 2), ("cli-out", 2)]);
    let b = cluster.bootstrap_servers();
    produce_all(&b, "cli-in", &articles("c", 6, 2), None).await;
    let out = replay_cli(
        &b,
        "cli-in",
        "cli-out",
        &["--from", "earliest", "--to", "end"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr
            .contains("replay finished: 6 records read (6 planned): 6 enriched, 0 sent to the DLQ"),
        "{stderr}"
    );
    assert_eq!(topic_size(&b, "cli-out", 2), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_rate_limited_replay_stops_early_and_says_so() {
    let cluster = mock_cluster(&[("slow-in", 1), ("slow-out", 1)]);
    let b = cluster.bootstrap_servers();
    produce_all(&b, "slow-in", &articles("z", 50, 1), None).await;
    let mut args = replay_args(&b, "slow-in", "slow-out", None, "earliest");
    args.rate = Some(5.0); // 50 records take at least 9.8 s
    let cancel = tokio::time::sleep(Duration::from_millis(500));
    let summary = replay::replay(&args, cancel).await.expect("replay");
    assert!(!summary.complete);
    assert!(summary.read > 0 && summary.read < 50, "{summary}");
    assert_eq!(
        summary.enriched, summary.read,
        "records read before the cancel are delivered"
    );
}

//! `replay` against librdkafka's mock cluster (in-process, as a library call
//! with a cancel future, and as the binary) and against Apache Kafka.
//!
//! The mock cluster checks the mechanics quickly. Kafka checks what only a
//! real broker shows: the end offsets of batched, compressed and
//! transactional input (the last stable offset, with a transaction left open
//! during the replay and an aborted one before it), byte-identical output of
//! two replays, and `--from`/`--to` times through Kafka's time index, which
//! the mock cluster cannot look up.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use article_enricher::replay::{self, parse_end, parse_start, PlanError, ReplayArgs, Summary};
use futures::future::join_all;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::ClientConfig;

use crate::broker::transaction_state;
use crate::e2e::{consume, create_topics, load_articles, load_articles_with};
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
    send_all(&producer, topic, inputs, |_| timestamp).await
}

/// Send all at once; `timestamp(i)` is input i's timestamp (None: the
/// producer's clock). Returns each record's (partition, offset).
async fn send_all(
    producer: &FutureProducer,
    topic: &str,
    inputs: &[Input],
    timestamp: impl Fn(usize) -> Option<i64>,
) -> Vec<(i32, i64)> {
    let sends = inputs
        .iter()
        .enumerate()
        .map(|(i, (partition, key, payload))| {
            let mut record: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic)
                .partition(*partition)
                .key(key.as_str())
                .payload(payload.as_slice());
            if let Some(ts) = timestamp(i) {
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

/// Records on a topic: (high - low) summed over its partitions (exact for
/// topics without transactions).
fn topic_size(brokers: &str, topic: &str, partitions: i32) -> i64 {
    watermarks(brokers, topic, partitions)
        .values()
        .map(|(low, high)| high - low)
        .sum()
}

/// Per partition, (low, high) watermarks. The high watermark counts every
/// record written, open and aborted transactions included.
fn watermarks(brokers: &str, topic: &str, partitions: i32) -> BTreeMap<i32, (i64, i64)> {
    let client: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("isolation.level", "read_uncommitted")
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| {
            let marks = client
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks");
            (p, marks)
        })
        .collect()
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

/// How a test transaction ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TxEnd {
    Commit,
    Abort,
    /// Neither committed nor aborted (yet): open while the replay runs.
    LeaveOpen,
}

/// A transactional producer that batches and compresses as ordinary
/// producers do. Its transactions time out after 10 minutes, so one left
/// open stays open for the whole test (the broker would abort it after the
/// default 60 s, and a replay waiting for that would then end by itself).
fn transactional_producer(brokers: &str, id: &str) -> FutureProducer {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("transactional.id", id)
        .set("transaction.timeout.ms", "600000")
        .set("linger.ms", "5")
        .set("compression.type", "lz4")
        .create()
        .expect("transactional producer");
    tokio::task::block_in_place(|| producer.init_transactions(Duration::from_secs(30)))
        .expect("init_transactions");
    producer
}

/// One transaction of `inputs`, ended as `end` says; returns each record's
/// (partition, offset).
async fn transaction(
    producer: &FutureProducer,
    topic: &str,
    inputs: &[Input],
    end: TxEnd,
) -> Vec<(i32, i64)> {
    producer.begin_transaction().expect("begin_transaction");
    let offsets = send_all(producer, topic, inputs, |_| None).await;
    let t = Duration::from_secs(30);
    tokio::task::block_in_place(|| match end {
        TxEnd::Commit => producer.commit_transaction(t),
        TxEnd::Abort => producer.abort_transaction(t),
        TxEnd::LeaveOpen => Ok(()),
    })
    .expect("end the transaction");
    offsets
}

/// Per partition, the high watermark (every record written, open and
/// aborted transactions included).
fn high_watermarks(brokers: &str, topic: &str, partitions: i32) -> BTreeMap<i32, i64> {
    watermarks(brokers, topic, partitions)
        .into_iter()
        .map(|(p, (_, high))| (p, high))
        .collect()
}

fn plan_ends(plan: &replay::Plan) -> BTreeMap<i32, i64> {
    plan.partitions
        .iter()
        .map(|p| (p.partition, p.end))
        .collect()
}

/// Per partition, the smallest offset among `offsets` of the inputs `which` selects.
fn first_offsets(offsets: &[(i32, i64)], which: impl Fn(usize) -> bool) -> BTreeMap<i32, i64> {
    let mut first = BTreeMap::new();
    for (_, &(p, o)) in offsets.iter().enumerate().filter(|(i, _)| which(*i)) {
        first
            .entry(p)
            .and_modify(|e: &mut i64| *e = (*e).min(o))
            .or_insert(o);
    }
    first
}

/// An output topic read by the independent client (read_committed), as
/// key -> value; panics on a key seen twice.
fn output_by_key(brokers: &str, topic: &str, count: usize) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for m in consume(brokers, topic, count, true, "3") {
        let key = m["key"].as_str().expect("keyed output").to_owned();
        let value = m["value"].as_str().expect("a value").to_owned();
        assert!(
            out.insert(key.clone(), value).is_none(),
            "{topic}: record {key} published twice"
        );
    }
    out
}

fn ids(prefix: &str, range: std::ops::Range<usize>) -> BTreeSet<String> {
    range.map(|i| format!("{prefix}{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_on_kafka_is_bounded_by_the_end_offsets() {
    let kafka = crate::broker::Kafka::start();
    let b = kafka.brokers.clone();
    create_topics(&b, &["t-in:3", "t-a:3", "t-b:3"]);
    let mut args = replay_args(&b, "t-in", "t-a", None, "earliest");
    // Forced back to read_committed by the replay, whatever -X says.
    args.kafka
        .kafka_properties
        .push(("isolation.level".into(), "read_uncommitted".into()));

    // Plain input, batched and lz4-compressed by the independent client: the
    // end is the high watermark.
    load_articles(&b, "t-in", "plain", 0..300);
    let plan = replay::make_plan(&args).await.unwrap();
    assert_eq!(plan_ends(&plan), high_watermarks(&b, "t-in", 3));
    assert_eq!(plan.count(), 300);

    // Transactional input: committed, aborted, committed, then a transaction
    // left open while the replay runs.
    let producer = transactional_producer(&b, "t-in-producer");
    transaction(&producer, "t-in", &articles("c", 100, 3), TxEnd::Commit).await;
    transaction(&producer, "t-in", &articles("x", 60, 3), TxEnd::Abort).await;
    transaction(&producer, "t-in", &articles("d", 100, 3), TxEnd::Commit).await;
    let open = transaction(&producer, "t-in", &articles("o", 30, 3), TxEnd::LeaveOpen).await;

    // The end is the last stable offset: where the open transaction starts,
    // short of the high watermark.
    let plan = replay::make_plan(&args).await.unwrap();
    let high = high_watermarks(&b, "t-in", 3);
    assert_eq!(plan_ends(&plan), first_offsets(&open, |_| true));
    for p in &plan.partitions {
        assert!(p.end < high[&p.partition], "{p:?}, high watermark {high:?}");
    }

    // Two replays of the same input into two topics. The first ends by
    // itself with the transaction still open. The second is slowed down, and
    // the transaction commits while it runs: its records are past the end
    // captured when that replay started, so they are not replayed either.
    let first = replay_to_the_end(&args).await;
    args.kafka.output_topic = "t-b".into();
    args.rate = Some(100.0); // 500 records: at least 5 s
    let second = tokio::spawn({
        let args = args.clone();
        async move { replay_to_the_end(&args).await }
    });
    // Once the second replay publishes, it has made its plan.
    assert!(
        eventually(Duration::from_secs(120), || {
            high_watermarks(&b, "t-b", 3).values().sum::<i64>() > 0
        })
        .await,
        "the second replay published nothing"
    );
    assert!(
        !second.is_finished(),
        "the second replay ended too soon for this test"
    );
    // Committing succeeds only if the transaction is still open (it fails
    // once the broker has aborted it).
    tokio::task::block_in_place(|| producer.commit_transaction(Duration::from_secs(30)))
        .expect("the open transaction was still open after the first replay");
    let second = second.await.unwrap();
    for summary in [&first, &second] {
        assert!(summary.complete, "{summary}");
        assert_eq!(
            (summary.read, summary.enriched),
            (500, 500),
            "plain and committed input only: {summary}"
        );
        assert_eq!(summary.planned, plan.count(), "{summary}");
    }

    let expected: BTreeSet<String> = [ids("plain", 0..300), ids("c", 0..100), ids("d", 0..100)]
        .into_iter()
        .flatten()
        .collect();
    let a = output_by_key(&b, "t-a", 500);
    let c = output_by_key(&b, "t-b", 500);
    assert_eq!(
        a.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every committed input once; no aborted (x*) nor open-at-the-start (o*) record"
    );
    assert!(a == c, "the two replays published different keys or bytes");

    // Committed now: the end moves to the high watermark.
    let plan = replay::make_plan(&args).await.unwrap();
    assert_eq!(plan_ends(&plan), high_watermarks(&b, "t-in", 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_on_kafka_ends_by_itself_after_a_crashed_transactional_producer() {
    let kafka = crate::broker::Kafka::start();
    let b = kafka.brokers.clone();
    create_topics(&b, &["crash-in:2", "crash-out:2"]);
    // The independent client: 250 articles in transactions of 100, the last
    // 50 left in a transaction it never ends (it exits as a crashed producer
    // would; the broker aborts it after the producer's 60 s timeout).
    load_articles_with(
        &b,
        "crash-in",
        "crash",
        0..250,
        &["--transactional-id", "crash-producer", "--open-tail", "50"],
    );
    let summary =
        replay_to_the_end(&replay_args(&b, "crash-in", "crash-out", None, "earliest")).await;
    // Kafka's own tool, after the replay: the transaction is still open, so
    // the replay neither waited for the broker to abort it nor read it.
    assert_eq!(
        transaction_state(&b, "crash-producer"),
        "Ongoing",
        "the open transaction ended before the replay did: this run proves nothing"
    );
    assert!(summary.complete, "{summary}");
    assert_eq!((summary.read, summary.enriched), (200, 200), "{summary}");
    let out = output_by_key(&b, "crash-out", 200);
    assert_eq!(
        out.keys().cloned().collect::<BTreeSet<_>>(),
        ids("crash", 0..200)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_from_a_time_on_kafka_starts_at_the_first_later_record() {
    let kafka = crate::broker::Kafka::start();
    let b = kafka.brokers.clone();
    create_topics(&b, &["ts-in:3", "ts-a:3", "ts-b:3"]);
    // 90 records, record i created at t0 + i s (CreateTime, set by the
    // producer), sent at once: several records, with different times, per
    // compressed batch, so starts and ends fall inside batches.
    let t0 = now_ms() - 600_000;
    let ts = |i: usize| t0 + 1000 * i as i64;
    let inputs = articles("r", 90, 3);
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &b)
        .set("linger.ms", "50")
        .set("compression.type", "lz4")
        .create()
        .expect("producer");
    let offsets = send_all(&producer, "ts-in", &inputs, |i| Some(ts(i))).await;

    // --from t0 + 45.5 s: from record 46 on.
    let from = format_rfc3339(ts(45) + 500);
    let args = replay_args(&b, "ts-in", "ts-a", None, &from);
    let plan = replay::make_plan(&args).await.unwrap();
    let starts: BTreeMap<i32, i64> = plan
        .partitions
        .iter()
        .map(|p| (p.partition, p.start))
        .collect();
    assert_eq!(starts, first_offsets(&offsets, |i| i >= 46));
    assert!(
        starts.values().any(|o| *o > 0),
        "the start is inside the log"
    );
    let summary = replay_to_the_end(&args).await;
    assert_eq!((summary.read, summary.enriched), (44, 44), "{summary}");
    let out = output_by_key(&b, "ts-a", 44);
    assert_eq!(
        out.keys().cloned().collect::<BTreeSet<_>>(),
        ids("r", 46..90)
    );

    // --from t0 + 30.5 s --to t0 + 60.5 s: records 31..=60.
    let mut args = replay_args(&b, "ts-in", "ts-b", None, &format_rfc3339(ts(30) + 500));
    args.to = parse_end(&format_rfc3339(ts(60) + 500)).unwrap();
    let plan = replay::make_plan(&args).await.unwrap();
    assert_eq!(plan_ends(&plan), first_offsets(&offsets, |i| i >= 61));
    assert_eq!(plan.count(), 30);
    let summary = replay_to_the_end(&args).await;
    assert_eq!((summary.read, summary.enriched), (30, 30), "{summary}");
    let out = output_by_key(&b, "ts-b", 30);
    assert_eq!(
        out.keys().cloned().collect::<BTreeSet<_>>(),
        ids("r", 31..61)
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

//! Shared test fixtures: an in-process worker, topic readers and writers, and
//! the independent Python client (the broker is in `broker.rs`).

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use article_enricher::config::{DeliveryMode, KafkaArgs, RunArgs};
use article_enricher::metrics::Metrics;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::OwnedMessage;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const SAMPLES: &str = include_str!("../../samples/articles.jsonl");

/// Worker settings for tests: small limits, quick shutdown.
pub fn run_args(brokers: &str, input: &str, output: &str, dlq: Option<&str>) -> RunArgs {
    RunArgs {
        kafka: KafkaArgs {
            brokers: brokers.to_owned(),
            input_topic: input.to_owned(),
            output_topic: output.to_owned(),
            dlq_topic: dlq.map(str::to_owned),
            // A dead member of a test group is noticed in 6 s, not 45 s.
            kafka_properties: vec![
                ("session.timeout.ms".to_owned(), "6000".to_owned()),
                ("heartbeat.interval.ms".to_owned(), "500".to_owned()),
            ],
            max_article_bytes: 64 * 1024,
            delivery: DeliveryMode::AtLeastOnce,
            attributions: Default::default(),
        },
        group_id: format!("test-group-{input}"),
        metrics_addr: None,
        shutdown_timeout: Duration::from_secs(10),
        max_in_flight: 1000,
        commit_interval: Duration::from_secs(1),
        transactional_id: None,
        no_extract: false,
    }
}

/// A worker running inside the test process (the `spawn_app()` of this crate).
pub struct TestWorker {
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<anyhow::Result<()>>,
    pub metrics: Metrics,
}

/// Logs are silent in tests unless TEST_LOG is set (e.g. TEST_LOG=debug).
pub fn init_test_logs() {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

impl TestWorker {
    pub fn spawn(args: RunArgs) -> Self {
        init_test_logs();
        let metrics = Metrics::new();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(article_enricher::pipeline::run(
            args,
            metrics.clone(),
            async {
                let _ = stopped.await;
            },
        ));
        TestWorker {
            stop: Some(stop),
            handle,
            metrics,
        }
    }

    /// Wait for the worker to return by itself (e.g. after a fatal error).
    pub async fn wait(mut self, timeout: Duration) -> anyhow::Result<()> {
        tokio::time::timeout(timeout, &mut self.handle)
            .await
            .expect("worker did not stop by itself")
            .expect("worker task panicked")
    }

    /// Trigger graceful shutdown and wait for the worker to return.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), &mut self.handle)
            .await
            .expect("worker did not stop within 30 s")
            .expect("worker task panicked")
    }
}

/// An article payload with a given id, built from the sample texts.
pub fn article(id: &str, n: usize) -> String {
    let samples: Vec<&str> = SAMPLES.lines().filter(|l| l.contains("\"en\"")).collect();
    let mut value: serde_json::Value = serde_json::from_str(samples[n % samples.len()]).unwrap();
    value["id"] = serde_json::Value::String(id.to_owned());
    value.to_string()
}

pub async fn produce(brokers: &str, topic: &str, messages: &[(Option<&str>, Option<Vec<u8>>)]) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .expect("producer");
    for (key, payload) in messages {
        let mut record: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic);
        if let Some(key) = key {
            record = record.key(*key);
        }
        if let Some(payload) = payload {
            record = record.payload(payload);
        }
        producer
            .send(record, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .expect("produce");
    }
}

/// A consumer group name not used before by this test process.
pub fn unique_group(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// A consumer of all of `topic` from the beginning, in a group of its own.
fn topic_reader(brokers: &str, topic: &str) -> StreamConsumer {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", unique_group("reader"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("reader");
    consumer.subscribe(&[topic]).expect("subscribe");
    consumer
}

/// Read `count` messages from `topic` (all partitions) or panic after `timeout`.
pub async fn read_topic(
    brokers: &str,
    topic: &str,
    count: usize,
    timeout: Duration,
) -> Vec<OwnedMessage> {
    let consumer = topic_reader(brokers, topic);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut out = Vec::new();
    while out.len() < count {
        match tokio::time::timeout_at(deadline, consumer.recv()).await {
            Ok(Ok(msg)) => out.push(msg.detach()),
            Ok(Err(e)) => panic!("reading {topic}: {e}"),
            Err(_) => panic!(
                "only {} of {count} messages on {topic} after {timeout:?}",
                out.len()
            ),
        }
    }
    close_in_background(consumer);
    out
}

/// The distinct keys on `topic`, read until they include all of `expected`
/// or `timeout` passes.
pub async fn read_keys_until(
    brokers: &str,
    topic: &str,
    expected: &std::collections::BTreeSet<Vec<u8>>,
    timeout: Duration,
) -> std::collections::BTreeSet<Vec<u8>> {
    let consumer = topic_reader(brokers, topic);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut keys = std::collections::BTreeSet::new();
    while !expected.is_subset(&keys) {
        match tokio::time::timeout_at(deadline, consumer.recv()).await {
            Ok(Ok(msg)) => {
                keys.extend(rdkafka::Message::key(&msg).map(<[u8]>::to_vec));
            }
            Ok(Err(e)) => panic!("reading {topic}: {e}"),
            Err(_) => break,
        }
    }
    close_in_background(consumer);
    keys
}

/// Drop a group consumer on a thread of its own. Its close (librdkafka's,
/// in `Drop`, with no deadline) then never holds a runtime worker thread:
/// a close stuck there would also stall the test runtime's shutdown, and so
/// a failing test, forever.
fn close_in_background<C: Send + 'static>(consumer: C) {
    std::thread::spawn(move || drop(consumer));
}

/// The group's committed offsets for partitions `0..partitions` of `topic`.
pub fn committed(brokers: &str, group: &str, topic: &str, partitions: i32) -> Vec<Option<i64>> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed");
    close_in_background(consumer);
    (0..partitions)
        .map(|p| match got.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => Some(o),
            _ => None,
        })
        .collect()
}

/// Poll `check` until it returns true or `timeout` passes.
pub async fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check()
}

/// The binary under test as `article-enricher SUBCOMMAND --brokers ..
/// --input-topic .. --output-topic ..`, logging warnings only (or at the
/// level TEST_WORKER_LOG gives, e.g. `info`, to see why a test failed).
pub fn bin_command(subcommand: &str, brokers: &str, input: &str, output: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_article-enricher"));
    let level = std::env::var("TEST_WORKER_LOG").unwrap_or_else(|_| "warn".to_owned());
    command
        .args([subcommand, "--brokers", brokers])
        .args(["--input-topic", input, "--output-topic", output])
        .env("ENRICHER_LOG", level);
    command
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn client_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/kafka_client.py")
}

/// Run the independent Python client; panics with its stderr on failure.
pub fn python_client(args: &[&str], stdin: &[u8]) -> String {
    let mut child = Command::new(&crate::broker::test_deps().python)
        .arg(client_script())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Python client (tests/kafka/fetch.sh made its virtualenv)");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kafka_client.py {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One line of input for `kafka_client.py produce` (bytes travel as hex, so
/// invalid UTF-8 and empty payloads survive the trip).
pub fn produce_line(key: Option<&str>, value: Option<&[u8]>) -> String {
    let hex = value.map(|v| v.iter().map(|b| format!("{b:02x}")).collect::<String>());
    serde_json::json!({ "key": key, "value_hex": hex }).to_string()
}

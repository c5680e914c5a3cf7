//! What the end-to-end tests share: the worker binary as a user runs it, and
//! the independent Python client's topic readers and writers.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

/// The worker as a user runs it: the real binary, configured by flags, its
/// stderr (JSON logs) kept in a file for assertions and failure messages.
pub struct WorkerProcess {
    child: Child,
    pub metrics_port: u16,
    log: tempfile::NamedTempFile,
}

impl WorkerProcess {
    /// `run` at-least-once with the tests' DLQ and article size limit.
    pub fn start(brokers: &str, input: &str, output: &str, dlq: &str, group: &str) -> Self {
        Self::start_with(brokers, input, output, dlq, group, &[])
    }

    /// `run` with extra flags (e.g. `--delivery exactly-once`).
    pub fn start_with(
        brokers: &str,
        input: &str,
        output: &str,
        dlq: &str,
        group: &str,
        extra: &[&str],
    ) -> Self {
        let metrics_port = free_port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = bin_command("run", brokers, input, output)
            .args(["--dlq-topic", dlq, "--group-id", group])
            .args(["--max-article-bytes", "65536"])
            .args(["--metrics-addr", &format!("127.0.0.1:{metrics_port}")])
            .args(["--log-format", "json"])
            // A dead member of a test group is noticed in 6 s, not 45 s.
            .args([
                "-X",
                "session.timeout.ms=6000",
                "-X",
                "heartbeat.interval.ms=500",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("start worker binary");
        WorkerProcess {
            child,
            metrics_port,
            log,
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// What the worker logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    pub fn http_get(&self, path: &str) -> Option<(u16, String)> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.metrics_port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        let status = body.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, body))
    }

    /// The value of one `/metrics` sample, e.g. `enricher_articles_enriched_total`
    /// or `enricher_consumer_lag{partition="0",topic="in"}` (labels as printed).
    pub fn metric(&self, sample: &str) -> Option<f64> {
        let (_, body) = self.http_get("/metrics")?;
        body.lines()
            .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    }

    /// Wait until this process has published at least `n` records (or exited).
    pub fn wait_enriched(&mut self, n: f64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self
            .metric("enricher_articles_enriched_total")
            .unwrap_or(0.0)
            < n
        {
            assert!(self.is_running(), "worker exited:\n{}", self.logs());
            assert!(
                Instant::now() < deadline,
                "worker published fewer than {n} records in {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until the consumer group has given this process a partition.
    pub fn wait_assigned(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.metric("enricher_assigned_partitions").unwrap_or(0.0) < 1.0 {
            assert!(self.is_running(), "worker exited:\n{}", self.logs());
            assert!(
                Instant::now() < deadline,
                "no partition assigned in {timeout:?}:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGSTOP / SIGCONT: freeze the process to look at what it wrote.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
    }

    /// While the broker is down: `/readyz` must say 503 within 30 s, and the
    /// worker must keep running.
    pub fn wait_not_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.http_get("/readyz").map(|r| r.0) != Some(503) {
            assert!(
                Instant::now() < deadline,
                "/readyz must report 503 while the broker is down"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        assert!(
            self.is_running(),
            "the worker must not exit while the broker is down:\n{}",
            self.logs()
        );
    }

    pub fn kill_9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status within `timeout`.
    pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        self.signal("-TERM");
        self.wait_exit(timeout)
    }

    /// The exit status, if the process ends within `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    /// SIGTERM; the worker must stop cleanly within 60 s. (An exactly-once
    /// worker commits the batch in hand first, and sees the signal only
    /// between transactions: up to two batches of 500 articles enriched by
    /// the debug build, 8 s each on a quiet machine, several times that under
    /// CI load.)
    pub fn stop_cleanly(&mut self) {
        let status = self.terminate(Duration::from_secs(60));
        assert!(
            status.is_some_and(|s| s.success()),
            "worker did not stop cleanly ({status:?}):\n{}",
            self.logs()
        );
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill_9();
        if std::thread::panicking() {
            // A failing test shows what its workers said last.
            let logs = self.logs();
            let lines: Vec<&str> = logs.lines().filter(|l| !l.contains("re-sending")).collect();
            let tail = lines[lines.len().saturating_sub(40)..].join("\n");
            eprintln!(
                "--- last lines of worker (metrics port {}):\n{tail}",
                self.metrics_port
            );
        }
    }
}

/// A line for the test output even when the test passes (cargo captures
/// `eprintln!` of passing tests; a direct write to stderr is not captured):
/// figures such as duplicates per kill belong in every CI log.
pub fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

pub fn schema_path() -> String {
    format!(
        "{}/schema/enriched-record.v1.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// How a reader sees transactional records.
#[derive(Clone, Copy)]
pub enum Isolation {
    ReadCommitted,
    ReadUncommitted,
}

impl Isolation {
    fn name(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "read_committed",
            Isolation::ReadUncommitted => "read_uncommitted",
        }
    }
}

/// Read `count` distinct messages with the Python client (then linger
/// `linger` seconds for duplicates); returns the parsed lines.
pub fn consume(
    brokers: &str,
    topic: &str,
    count: usize,
    schema: bool,
    linger: &str,
) -> Vec<serde_json::Value> {
    consume_as(
        brokers,
        topic,
        count,
        schema,
        linger,
        Isolation::ReadCommitted,
    )
}

pub fn consume_as(
    brokers: &str,
    topic: &str,
    count: usize,
    schema: bool,
    linger: &str,
    isolation: Isolation,
) -> Vec<serde_json::Value> {
    let count_s = count.to_string();
    let mut args = vec!["consume", "--brokers", brokers, "--topic", topic];
    args.extend(["--count", &count_s, "--timeout", "240", "--linger", linger]);
    args.extend(["--isolation", isolation.name()]);
    let schema_file = schema_path();
    if schema {
        args.extend(["--schema", &schema_file]);
    }
    python_client(&args, b"")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The ids `{prefix}{i}` for `i` in `range` that never reached the output.
pub fn missing_keys(
    counts: &BTreeMap<String, usize>,
    prefix: &str,
    range: std::ops::Range<usize>,
) -> Vec<String> {
    range
        .map(|i| format!("{prefix}{i}"))
        .filter(|k| !counts.contains_key(k))
        .collect()
}

pub fn key_counts(messages: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in messages {
        *counts
            .entry(m["key"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    counts
}

/// Produce articles `{prefix}{i}` for `i` in `range` with the Python client,
/// as ordinary producers do (batched, lz4), plus any extra client flags.
pub fn load_articles_with(
    brokers: &str,
    topic: &str,
    prefix: &str,
    range: std::ops::Range<usize>,
    extra: &[&str],
) {
    produce_articles(brokers, topic, &article_lines(prefix, range, false), extra);
}

pub fn load_articles(brokers: &str, topic: &str, prefix: &str, range: std::ops::Range<usize>) {
    load_articles_with(brokers, topic, prefix, range, &[]);
}

/// Articles keyed by their id, so that the partitioner hashes them evenly over
/// the topic's partitions (unkeyed batches may all land in one partition).
pub fn load_keyed_articles(
    brokers: &str,
    topic: &str,
    prefix: &str,
    range: std::ops::Range<usize>,
) {
    produce_articles(brokers, topic, &article_lines(prefix, range, true), &[]);
}

/// The Python client's produce input for articles `{prefix}{i}`, keyed by
/// their id or not.
fn article_lines(prefix: &str, range: std::ops::Range<usize>, keyed: bool) -> String {
    range
        .map(|i| {
            let id = format!("{prefix}{i}");
            let key = keyed.then_some(id.as_str());
            produce_line(key, Some(article(&id, i).as_bytes())) + "\n"
        })
        .collect()
}

fn produce_articles(brokers: &str, topic: &str, input: &str, extra: &[&str]) {
    let mut args = vec!["produce", "--brokers", brokers, "--topic", topic];
    args.extend(extra);
    python_client(&args, input.as_bytes());
}

pub fn create_topics(brokers: &str, topics: &[&str]) {
    let mut args = vec!["create", "--brokers", brokers];
    args.extend(topics);
    python_client(&args, b"");
}

/// The group's committed offsets per partition, as the Python client reads them.
pub fn committed_offsets(
    brokers: &str,
    group: &str,
    topic: &str,
    partitions: usize,
) -> BTreeMap<String, i64> {
    let parts = partitions.to_string();
    let args = [
        "committed",
        "--brokers",
        brokers,
        "--group",
        group,
        "--topic",
        topic,
        "--partitions",
        &parts,
    ];
    serde_json::from_str(python_client(&args, b"").trim()).unwrap()
}

pub fn committed_total(brokers: &str, group: &str, topic: &str, partitions: usize) -> i64 {
    committed_offsets(brokers, group, topic, partitions)
        .values()
        .filter(|o| **o >= 0)
        .sum()
}

/// A topic's end offsets (high watermarks), read by a client of the test's own.
pub struct EndOffsets {
    client: rdkafka::consumer::BaseConsumer,
    topic: String,
    partitions: i32,
}

impl EndOffsets {
    /// High watermarks, or with `ReadCommitted` last stable offsets (the
    /// first offset of a still open transaction).
    pub fn new(brokers: &str, topic: &str, partitions: i32) -> Self {
        Self::as_reader(brokers, topic, partitions, Isolation::ReadUncommitted)
    }

    pub fn as_reader(brokers: &str, topic: &str, partitions: i32, isolation: Isolation) -> Self {
        let client = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("isolation.level", isolation.name())
            .create()
            .unwrap();
        EndOffsets {
            client,
            topic: topic.to_owned(),
            partitions,
        }
    }

    /// The sum over partitions: offsets written, aborted records and
    /// transaction markers included.
    pub fn total(&self) -> i64 {
        use rdkafka::consumer::Consumer;
        (0..self.partitions)
            .map(|p| {
                self.client
                    .fetch_watermarks(&self.topic, p, Duration::from_secs(10))
                    .unwrap()
                    .1
            })
            .sum()
    }
}

pub fn end_offsets_total(brokers: &str, topic: &str, partitions: i32) -> i64 {
    EndOffsets::new(brokers, topic, partitions).total()
}

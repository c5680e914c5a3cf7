//! The worker binary against a real Kafka-protocol broker (tansu), fed and
//! read by an independent client (Python confluent-kafka).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;
use crate::mock_worker::bad_inputs;

/// The worker as a user runs it: the real binary, configured by flags.
struct WorkerProcess {
    child: Child,
    pub metrics_port: u16,
}

impl WorkerProcess {
    fn start(brokers: &str, input: &str, output: &str, dlq: &str, group: &str) -> Self {
        let metrics_port = free_port();
        let child = bin_command("run", brokers, input, output)
            .args([
                "--dlq-topic",
                dlq,
                "--group-id",
                group,
                "--max-article-bytes",
                "65536",
            ])
            .args([
                "--metrics-addr",
                &format!("127.0.0.1:{metrics_port}"),
                "--log-format",
                "json",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start worker binary");
        WorkerProcess {
            child,
            metrics_port,
        }
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn http_get(&self, path: &str) -> Option<(u16, String)> {
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

    fn kill_9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status within `timeout`.
    fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}

fn schema_path() -> String {
    format!(
        "{}/schema/enriched-record.v1.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Read `count` messages with the Python client; returns the parsed lines.
fn consume(
    brokers: &str,
    topic: &str,
    count: usize,
    schema: bool,
    linger: &str,
) -> Vec<serde_json::Value> {
    let count_s = count.to_string();
    let mut args = vec![
        "consume",
        "--brokers",
        brokers,
        "--topic",
        topic,
        "--count",
        &count_s,
    ];
    args.extend(["--timeout", "180", "--linger", linger]);
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
fn missing_keys(
    counts: &BTreeMap<String, usize>,
    prefix: &str,
    range: std::ops::Range<usize>,
) -> Vec<String> {
    range
        .map(|i| format!("{prefix}{i}"))
        .filter(|k| !counts.contains_key(k))
        .collect()
}

fn key_counts(messages: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in messages {
        *counts
            .entry(m["key"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    counts
}

#[test]
fn worker_publishes_each_of_300_articles_once_and_dead_letters_bad_input() {
    let tansu = Tansu::start();
    let b = &tansu.brokers;
    python_client(
        &[
            "create",
            "--brokers",
            b,
            "articles:3",
            "enriched:3",
            "dlq:1",
        ],
        b"",
    );

    let mut input = String::new();
    for i in 0..300 {
        let payload = article(&format!("art-{i}"), i);
        input.push_str(&produce_line(
            Some(&format!("k{i}")),
            Some(payload.as_bytes()),
        ));
        input.push('\n');
        if i % 40 == 7 {
            // Interleave the bad inputs with the good ones.
            let (_, bad) = &bad_inputs()[(i / 40) % bad_inputs().len()];
            input.push_str(&produce_line(Some("bad"), bad.as_deref()));
            input.push('\n');
        }
    }
    let bad_count = input.lines().filter(|l| l.contains("\"bad\"")).count();
    python_client(
        &["produce", "--brokers", b, "--topic", "articles"],
        input.as_bytes(),
    );

    let mut worker = WorkerProcess::start(b, "articles", "enriched", "dlq", "e2e-group");
    let out = consume(b, "enriched", 300, true, "3");
    let counts = key_counts(&out);
    assert_eq!(counts.len(), 300, "distinct articles in the output");
    assert!(
        counts.values().all(|&n| n == 1),
        "an article was published twice: {:?}",
        counts.iter().filter(|(_, &n)| n > 1).collect::<Vec<_>>()
    );
    for i in 0..300 {
        assert!(counts.contains_key(&format!("art-{i}")), "art-{i} missing");
    }

    let dlq = consume(b, "dlq", bad_count, false, "2");
    assert_eq!(dlq.len(), bad_count);
    for m in &dlq {
        assert!(m["headers"]["enricher.error.kind"].is_string(), "{m}");
        assert_eq!(m["headers"]["enricher.source.topic"], "articles");
    }

    assert!(worker.is_running(), "worker exited");
    assert_eq!(worker.http_get("/healthz").map(|r| r.0), Some(200));
    let (status, metrics) = worker.http_get("/metrics").expect("metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("enricher_articles_enriched_total 300"),
        "{metrics}"
    );
    let status = worker
        .terminate(Duration::from_secs(30))
        .expect("worker did not stop on SIGTERM");
    assert!(status.success(), "worker exit status {status}");
}

#[test]
fn killing_the_worker_three_times_loses_no_article() {
    let tansu = Tansu::start();
    let b = &tansu.brokers;
    python_client(&["create", "--brokers", b, "in:4", "out:4", "dead:1"], b"");
    let total = 2000;
    let input: String = (0..total)
        .map(|i| produce_line(None, Some(article(&format!("k-{i}"), i).as_bytes())) + "\n")
        .collect();
    python_client(
        &["produce", "--brokers", b, "--topic", "in"],
        input.as_bytes(),
    );

    let mut rng = 0x2545_f491_u64; // fixed seed: reproducible kill times
    for round in 0..3 {
        let mut worker = WorkerProcess::start(b, "in", "out", "dead", "kill-group");
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let wait = Duration::from_millis(800 + rng % 1500);
        std::thread::sleep(wait);
        worker.kill_9();
        eprintln!("round {round}: killed after {wait:?}");
    }
    let mut worker = WorkerProcess::start(b, "in", "out", "dead", "kill-group");
    let out = consume(b, "out", total, false, "2");
    let counts = key_counts(&out);
    let missing = missing_keys(&counts, "k-", 0..total);
    assert!(missing.is_empty(), "lost articles: {missing:?}");
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!("at-least-once after 3 kills: {total} articles, {duplicates} duplicates");
    assert!(worker.is_running());
    assert!(worker
        .terminate(Duration::from_secs(30))
        .is_some_and(|s| s.success()));
}

fn load_articles(brokers: &str, topic: &str, prefix: &str, range: std::ops::Range<usize>) {
    let input: String = range
        .map(|i| produce_line(None, Some(article(&format!("{prefix}{i}"), i).as_bytes())) + "\n")
        .collect();
    python_client(
        &["produce", "--brokers", brokers, "--topic", topic],
        input.as_bytes(),
    );
}

fn committed_total(brokers: &str, group: &str, topic: &str, partitions: usize) -> i64 {
    let parts = partitions.to_string();
    let out = python_client(
        &[
            "committed",
            "--brokers",
            brokers,
            "--group",
            group,
            "--topic",
            topic,
            "--partitions",
            &parts,
        ],
        b"",
    );
    let map: BTreeMap<String, i64> = serde_json::from_str(out.trim()).unwrap();
    map.values().filter(|o| **o >= 0).sum()
}

#[test]
fn two_then_three_workers_share_the_work_and_one_leaves_mid_run() {
    let tansu = Tansu::start();
    let b = &tansu.brokers;
    python_client(
        &["create", "--brokers", b, "g-in:6", "g-out:6", "g-dlq:1"],
        b"",
    );
    let total = 3000;
    load_articles(b, "g-in", "g-", 0..total);

    let mut first = WorkerProcess::start(b, "g-in", "g-out", "g-dlq", "shared");
    let mut second = WorkerProcess::start(b, "g-in", "g-out", "g-dlq", "shared");
    std::thread::sleep(Duration::from_secs(2));
    let mut third = WorkerProcess::start(b, "g-in", "g-out", "g-dlq", "shared");
    std::thread::sleep(Duration::from_secs(2));
    // The second one leaves mid-run: its partitions move to the others.
    assert!(second
        .terminate(Duration::from_secs(30))
        .is_some_and(|s| s.success()));

    let out = consume(b, "g-out", total, false, "2");
    let counts = key_counts(&out);
    let missing = missing_keys(&counts, "g-", 0..total);
    assert!(missing.is_empty(), "lost: {missing:?}");
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!("two then three workers, one leaving: {total} articles, {duplicates} duplicates");
    let partitions: std::collections::BTreeSet<i64> = out
        .iter()
        .map(|m| {
            serde_json::from_str::<serde_json::Value>(m["value"].as_str().unwrap()).unwrap()
                ["source"]["partition"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(partitions.len(), 6, "every input partition processed");
    assert!(first
        .terminate(Duration::from_secs(30))
        .is_some_and(|s| s.success()));
    assert!(third
        .terminate(Duration::from_secs(30))
        .is_some_and(|s| s.success()));
    assert_eq!(
        committed_total(b, "shared", "g-in", 6),
        total as i64,
        "all offsets committed after a clean stop"
    );
}

#[test]
fn the_worker_rides_out_a_broker_restart() {
    let port = free_port();
    let tansu = Tansu::start_persistent(port, tempfile::tempdir().unwrap());
    let b = tansu.brokers.clone();
    python_client(
        &["create", "--brokers", &b, "r-in:2", "r-out:2", "r-dlq:1"],
        b"",
    );
    load_articles(&b, "r-in", "r-", 0..500);
    let mut worker = WorkerProcess::start(&b, "r-in", "r-out", "r-dlq", "restart-group");
    consume(&b, "r-out", 100, false, "0");

    let dir = tansu.stop();
    let deadline = Instant::now() + Duration::from_secs(20);
    while worker.http_get("/readyz").map(|r| r.0) != Some(503) {
        assert!(
            Instant::now() < deadline,
            "/readyz must report 503 while the broker is down"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        worker.is_running(),
        "the worker must not exit while the broker is down"
    );
    let tansu = Tansu::start_persistent(port, dir);
    load_articles(&b, "r-in", "r-", 500..1000);

    let out = consume(&b, "r-out", 1000, false, "2");
    let counts = key_counts(&out);
    let missing = missing_keys(&counts, "r-", 0..1000);
    assert!(
        missing.is_empty(),
        "lost across the broker restart: {missing:?}"
    );
    assert!(worker.is_running());
    assert!(worker
        .terminate(Duration::from_secs(30))
        .is_some_and(|s| s.success()));
    drop(tansu);
}

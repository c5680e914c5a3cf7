//! `--delivery exactly-once` against a real Apache Kafka broker, checked by
//! independent readers: a `read_committed` reader must see every input's
//! record exactly once; `read_uncommitted` also sees the aborted ones. Kafka's
//! own `kafka-transactions` tool checks that no transaction is left hanging.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::broker::{kafka_tool, transaction_state, Kafka};
use crate::e2e::*;

fn eos_worker(brokers: &str, topics: [&str; 3], group: &str, txn_id: &str) -> WorkerProcess {
    eos_worker_with(brokers, topics, group, txn_id, &[])
}

/// An exactly-once worker with `extra` flags (e.g. `-X` properties).
fn eos_worker_with(
    brokers: &str,
    topics: [&str; 3],
    group: &str,
    txn_id: &str,
    extra: &[&str],
) -> WorkerProcess {
    let [input, output, dlq] = topics;
    let mut args = vec!["--delivery", "exactly-once", "--transactional-id", txn_id];
    args.extend_from_slice(extra);
    WorkerProcess::start_with(brokers, input, output, dlq, group, &args)
}

/// Every `{prefix}{i}` exactly once among committed records.
fn assert_exactly_once(
    brokers: &str,
    topic: &str,
    prefix: &str,
    total: usize,
) -> Vec<serde_json::Value> {
    let out = consume_as(brokers, topic, total, false, "3", Isolation::ReadCommitted);
    let counts = key_counts(&out);
    let missing = missing_keys(&counts, prefix, 0..total);
    assert!(missing.is_empty(), "lost {}: {missing:?}", missing.len());
    let doubled: BTreeMap<_, _> = counts.iter().filter(|(_, &n)| n > 1).collect();
    assert!(
        doubled.is_empty(),
        "read_committed saw {} records more than once: {:?}",
        doubled.len(),
        doubled.iter().take(10).collect::<Vec<_>>()
    );
    assert_eq!(out.len(), total);
    out
}

/// What a read_uncommitted reader sees beyond the committed records: the
/// records of aborted transactions, each a copy of a committed one.
fn aborted_copies(brokers: &str, topic: &str, prefix: &str, total: usize, written: i64) -> usize {
    let all = consume_as(
        brokers,
        topic,
        total,
        false,
        "3",
        Isolation::ReadUncommitted,
    );
    let counts = key_counts(&all);
    assert!(missing_keys(&counts, prefix, 0..total).is_empty());
    assert!(
        counts.keys().all(|k| k.starts_with(prefix)),
        "an aborted record of no input"
    );
    let copies = all.len() - total;
    // Each aborted batch also wrote one abort marker per partition, and each
    // commit one commit marker: the log holds at least records + copies.
    assert!(
        written >= all.len() as i64,
        "{written} offsets < {} records",
        all.len()
    );
    copies
}

/// SIGKILL the worker while a transaction of its has records in the output
/// (high watermark past the last stable offset), checked with the worker
/// frozen (SIGSTOP) so that what is seen is what it leaves. Returns how many
/// offsets lay past the last stable offset (0: no open transaction was caught
/// in 300 tries and the worker was killed anyway).
fn kill_inside_a_transaction(
    worker: &mut WorkerProcess,
    written: &EndOffsets,
    stable: &EndOffsets,
) -> i64 {
    for attempt in 0..300 {
        worker.pause();
        let open = written.total() - stable.total();
        if open > 0 {
            worker.kill_9();
            return open;
        }
        worker.resume();
        std::thread::sleep(Duration::from_millis(3 + attempt % 17));
    }
    worker.kill_9();
    0
}

fn assert_no_hanging_transactions(brokers: &str) {
    let out = kafka_tool(
        "org.apache.kafka.tools.TransactionsCommand",
        &[
            "--bootstrap-server",
            brokers,
            "find-hanging",
            "--broker-id",
            "1",
        ],
    );
    let hanging: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(hanging.is_empty(), "hanging transactions:\n{out}");
}

#[test]
fn exactly_once_survives_three_kills_in_20000_articles() {
    let kafka = Kafka::start();
    let b = &kafka.brokers;
    create_topics(b, &["x-in:4", "x-out:4", "x-dlq:1"]);
    let total = 20_000;
    load_articles(b, "x-in", "x-", 0..total);
    let topics = ["x-in", "x-out", "x-dlq"];

    let written = EndOffsets::new(b, "x-out", 4);
    let stable = EndOffsets::as_reader(b, "x-out", 4, Isolation::ReadCommitted);
    let mut rng = 0x9e37_79b9_u64;
    let mut open_at_kill = 0;
    for round in 0..3 {
        let mut worker = eos_worker(b, topics, "eos-kill", "eos-kill-1");
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        worker.wait_enriched(1500.0 + (rng % 3000) as f64, Duration::from_secs(120));
        let uncommitted = kill_inside_a_transaction(&mut worker, &written, &stable);
        let state = transaction_state(b, "eos-kill-1");
        open_at_kill += usize::from(state == "Ongoing");
        report(&format!(
            "exactly-once, kill {}: {} offsets written to the output, {uncommitted} past the \
             last stable offset; transaction state after the kill: {state}",
            round + 1,
            written.total()
        ));
    }
    // Restarted with the same transactional.id: its open transaction is aborted.
    let mut worker = eos_worker(b, topics, "eos-kill", "eos-kill-1");
    assert_exactly_once(b, "x-out", "x-", total);
    let written = end_offsets_total(b, "x-out", 4);
    let aborted = aborted_copies(b, "x-out", "x-", total, written);
    report(&format!(
        "exactly-once after 3 kills: {total} articles, read_committed: each once; \
         read_uncommitted: {aborted} aborted copies besides ({open_at_kill} kills left a \
         transaction open)"
    ));
    assert!(
        open_at_kill == 0 || aborted > 0,
        "{open_at_kill} transactions were open at a kill, yet read_uncommitted saw no aborted record"
    );
    worker.stop_cleanly();
    assert_eq!(committed_total(b, "eos-kill", "x-in", 4), total as i64);
    assert_no_hanging_transactions(b);
}

#[test]
fn a_second_instance_with_the_same_transactional_id_fences_the_first() {
    let kafka = Kafka::start();
    let b = &kafka.brokers;
    create_topics(b, &["f-in:2", "f-out:2", "f-dlq:1"]);
    let total = 6000;
    load_articles(b, "f-in", "f-", 0..total);
    let topics = ["f-in", "f-out", "f-dlq"];

    let mut first = eos_worker(b, topics, "fence-group", "fence-1");
    first.wait_enriched(500.0, Duration::from_secs(120));
    let mut second = eos_worker(b, topics, "fence-group", "fence-1");
    let status = first.wait_exit(Duration::from_secs(60));
    let logs = first.logs();
    assert!(
        status.is_some_and(|s| !s.success()),
        "the fenced instance must stop with an error ({status:?}):\n{logs}"
    );
    assert!(
        logs.contains("fenced"),
        "the error must say it was fenced:\n{logs}"
    );
    assert_exactly_once(b, "f-out", "f-", total);
    second.stop_cleanly();
    assert_no_hanging_transactions(b);
}

#[test]
fn exactly_once_through_a_rebalance_when_a_second_worker_joins_then_leaves() {
    let kafka = Kafka::start();
    let b = &kafka.brokers;
    create_topics(b, &["j-in:6", "j-out:6", "j-dlq:1"]);
    let total = 8000;
    // Keyed, so every partition gets articles; the second half is sent once
    // the second worker holds partitions, so it has work of its own (the
    // first could otherwise finish everything while the second joins).
    load_keyed_articles(b, "j-in", "j-", 0..total / 2);
    let topics = ["j-in", "j-out", "j-dlq"];

    let mut first = eos_worker(b, topics, "join-group", "join-1");
    first.wait_enriched(1000.0, Duration::from_secs(120));
    let mut second = eos_worker(b, topics, "join-group", "join-2");
    second.wait_assigned(Duration::from_secs(120));
    load_keyed_articles(b, "j-in", "j-", total / 2..total);
    second.wait_enriched(500.0, Duration::from_secs(120));
    second.stop_cleanly();
    let out = assert_exactly_once(b, "j-out", "j-", total);
    assert!(first.is_running(), "{}", first.logs());
    first.stop_cleanly();
    report(&format!(
        "exactly-once with a worker joining and leaving: {} records, each once",
        out.len()
    ));
    assert_eq!(committed_total(b, "join-group", "j-in", 6), total as i64);
    assert_no_hanging_transactions(b);
}

#[test]
fn exactly_once_rides_out_a_broker_restart() {
    let kafka = Kafka::start();
    let b = kafka.brokers.clone();
    create_topics(&b, &["s-in:2", "s-out:2", "s-dlq:1"]);
    load_articles(&b, "s-in", "s-", 0..2000);
    let topics = ["s-in", "s-out", "s-dlq"];
    let mut worker = eos_worker(&b, topics, "eos-restart", "eos-restart-1");
    worker.wait_enriched(300.0, Duration::from_secs(120));

    let stopped = kafka.kill();
    worker.wait_not_ready();
    let kafka = stopped.restart();
    load_articles(&b, "s-in", "s-", 2000..3000);
    assert_exactly_once(&b, "s-out", "s-", 3000);
    assert!(worker.is_running(), "worker exited:\n{}", worker.logs());
    worker.stop_cleanly();
    assert_no_hanging_transactions(&b);
    drop(kafka);
}

/// An outage longer than `message.timeout.ms`: the open transaction's
/// records time out in the producer, and librdkafka may then refuse even the
/// abort (INVALID_TXN_STATE, fatal), so the worker replaces the producer
/// (`pipeline/txn_producer.rs`). Either way: every input once, no exit.
#[test]
fn exactly_once_outlasts_an_outage_longer_than_the_message_timeout() {
    let kafka = Kafka::start();
    let b = kafka.brokers.clone();
    create_topics(&b, &["l-in:2", "l-out:2", "l-dlq:1"]);
    load_articles(&b, "l-in", "l-", 0..2000);
    let topics = ["l-in", "l-out", "l-dlq"];
    let timeout = ["-X", "message.timeout.ms=3000"];
    let mut worker = eos_worker_with(&b, topics, "eos-long-outage", "eos-long-outage-1", &timeout);
    worker.wait_enriched(300.0, Duration::from_secs(120));

    let stopped = kafka.kill();
    worker.wait_not_ready();
    // Four message timeouts with the broker gone.
    std::thread::sleep(Duration::from_secs(12));
    let kafka = stopped.restart();
    load_articles(&b, "l-in", "l-", 2000..3000);
    assert_exactly_once(&b, "l-out", "l-", 3000);
    assert!(worker.is_running(), "worker exited:\n{}", worker.logs());
    // The outage must have cost the open transaction: aborted (and retried)
    // or, when librdkafka refused the abort, its producer replaced.
    let logs = worker.logs();
    let aborted = logs.matches("transaction aborted; rewinding").count();
    let replaced = logs.matches("replacing it and rewinding").count();
    assert!(aborted + replaced > 0, "no transaction failed:\n{logs}");
    report(&format!(
        "exactly-once, broker down 12 s with message.timeout.ms=3000: 3000 articles each once; transactions aborted {aborted}, producer replaced {replaced}"
    ));
    worker.stop_cleanly();
    assert_no_hanging_transactions(&b);
    drop(kafka);
}

//! The worker against librdkafka's in-process mock cluster: fast, hermetic,
//! and able to inject faults that a real broker cannot be asked for.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;

use crate::helpers::*;

/// Every kind of bad input, with the error kind the worker must report.
pub fn bad_inputs() -> Vec<(&'static str, Option<Vec<u8>>)> {
    vec![
        ("empty", None),
        ("empty", Some(Vec::new())),
        ("invalid_utf8", Some(b"{\"text\": \"caf\xe9\"}".to_vec())),
        ("invalid_json", Some(b"{\"id\": \"x\", \"text\": ".to_vec())),
        ("not_an_object", Some(b"[\"a list\"]".to_vec())),
        (
            "missing_text",
            Some(b"{\"id\": \"no-text\", \"title\": \"Headline only\"}".to_vec()),
        ),
        (
            "text_not_string",
            Some(b"{\"id\": \"num\", \"text\": 42}".to_vec()),
        ),
        (
            "too_large",
            Some(format!("{{\"text\": \"{}\"}}", "a ".repeat(40_000)).into_bytes()),
        ),
        (
            "duplicate_field",
            Some(b"{\"id\": \"dup\", \"text\": \"first\", \"text\": \"second\"}".to_vec()),
        ),
        (
            "duplicate_field",
            Some(b"{\"id\": \"alias\", \"text\": \"first\", \"body\": \"second\"}".to_vec()),
        ),
        (
            "text_not_string",
            Some(b"{\"id\": \"nested\", \"text\": {\"body\": \"nested text\"}}".to_vec()),
        ),
        (
            "bad_field",
            Some(b"{\"id\": \"num-title\", \"text\": \"x\", \"title\": 42}".to_vec()),
        ),
        (
            "bad_field",
            Some(b"{\"id\": true, \"text\": \"x\"}".to_vec()),
        ),
        (
            "invalid_json",
            Some(b"{\"id\": \"two\", \"text\": \"a\"}{\"text\": \"b\"}".to_vec()),
        ),
        // Deeper than serde_json's recursion limit, which it does not need.
        (
            "not_an_object",
            Some(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()),
        ),
        ("not_an_object", Some(b"\"just a string\"".to_vec())),
    ]
}

fn header(msg: &rdkafka::message::OwnedMessage, name: &str) -> Option<String> {
    let headers = msg.headers()?;
    let h = headers.iter().find(|h| h.key == name)?;
    h.value.map(|v| String::from_utf8_lossy(v).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enriches_articles_and_routes_bad_input_to_the_dlq() {
    let cluster = MockCluster::new(1).unwrap();
    for t in ["in", "out", "dlq"] {
        cluster.create_topic(t, 3, 1).unwrap();
    }
    let brokers = cluster.bootstrap_servers();
    let mut inputs: Vec<(Option<String>, Option<Vec<u8>>)> = (0..30)
        .map(|i| {
            (
                Some(format!("k{i}")),
                Some(article(&format!("a{i}"), i).into_bytes()),
            )
        })
        .collect();
    let bad = bad_inputs();
    inputs.extend(bad.iter().map(|(_, p)| (Some("bad".to_owned()), p.clone())));
    let borrowed: Vec<(Option<&str>, Option<Vec<u8>>)> = inputs
        .iter()
        .map(|(k, p)| (k.as_deref(), p.clone()))
        .collect();
    produce(&brokers, "in", &borrowed).await;

    let worker = TestWorker::spawn(run_args(&brokers, "in", "out", Some("dlq")));
    let out = read_topic(&brokers, "out", 30, Duration::from_secs(30)).await;
    let dlq = read_topic(&brokers, "dlq", bad.len(), Duration::from_secs(30)).await;

    let ids: BTreeSet<String> = out
        .iter()
        .map(|m| String::from_utf8(m.key().unwrap().to_vec()).unwrap())
        .collect();
    assert_eq!(
        ids,
        (0..30).map(|i| format!("a{i}")).collect::<BTreeSet<_>>()
    );
    for m in &out {
        let record: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
        assert_eq!(record["schema_version"], 1);
        assert_eq!(record["source"]["topic"], "in");
        assert_eq!(record["id"].as_str().unwrap().as_bytes(), m.key().unwrap());
    }

    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for m in &dlq {
        let kind = header(m, "enricher.error.kind").expect("kind header");
        *kinds.entry(kind).or_default() += 1;
        assert!(header(m, "enricher.error.message").is_some_and(|s| !s.is_empty()));
        assert_eq!(header(m, "enricher.source.topic").as_deref(), Some("in"));
        let offset: i64 = header(m, "enricher.source.offset")
            .unwrap()
            .parse()
            .unwrap();
        let partition: i32 = header(m, "enricher.source.partition")
            .unwrap()
            .parse()
            .unwrap();
        assert!(offset >= 0 && (0..3).contains(&partition));
        // The original payload travels unchanged.
        let original = bad
            .iter()
            .find(|(_, p)| p.as_deref().unwrap_or_default() == m.payload().unwrap_or_default());
        assert!(original.is_some(), "DLQ payload was altered");
    }
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (kind, _) in &bad {
        *expected.entry((*kind).to_owned()).or_default() += 1;
    }
    assert_eq!(kinds, expected);

    assert_eq!(worker.metrics.dlq.get(), bad.len() as u64);
    worker.shutdown().await.expect("graceful shutdown");

    // After a graceful shutdown every input offset is committed.
    let committed = committed(&brokers, "test-group-in", "in", 3);
    let total: i64 = committed.iter().map(|o| o.unwrap_or(0)).sum();
    assert_eq!(
        total,
        inputs.len() as i64,
        "committed offsets {committed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_are_stored_only_after_the_output_is_acknowledged() {
    // Broker 1 leads the input topic and coordinates the group; broker 2 leads
    // the output topic. With broker 2 down, articles are consumed and
    // enriched but cannot be delivered: no offset may be committed.
    let cluster = MockCluster::new(2).unwrap();
    cluster.create_topic("in2", 1, 1).unwrap();
    cluster.create_topic("out2", 1, 1).unwrap();
    cluster.partition_leader("in2", 0, Some(1)).unwrap();
    cluster.partition_leader("out2", 0, Some(2)).unwrap();
    cluster
        .coordinator(
            rdkafka::mocking::MockCoordinator::Group("test-group-in2".into()),
            1,
        )
        .unwrap();
    let brokers = cluster.bootstrap_servers();
    let inputs: Vec<(Option<&str>, Option<Vec<u8>>)> = (0..10)
        .map(|i| (None, Some(article(&format!("b{i}"), i).into_bytes())))
        .collect();
    produce(&brokers, "in2", &inputs).await;
    cluster.broker_down(2).unwrap();

    let worker = TestWorker::spawn(run_args(&brokers, "in2", "out2", None));
    assert!(
        eventually(Duration::from_secs(20), || worker.metrics.consumed.get()
            == 10)
        .await,
        "worker did not consume the input"
    );
    // Give auto-commit (1 s interval) several chances to commit wrongly.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(committed(&brokers, "test-group-in2", "in2", 1), vec![None]);
    assert_eq!(worker.metrics.enriched.get(), 0);

    cluster.broker_up(2).unwrap();
    let out = read_topic(&brokers, "out2", 10, Duration::from_secs(60)).await;
    assert_eq!(out.len(), 10);
    assert!(
        eventually(Duration::from_secs(20), || committed(
            &brokers,
            "test-group-in2",
            "in2",
            1
        ) == vec![Some(10)])
        .await,
        "offsets not committed after delivery"
    );
    worker.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_after_shutdown_resumes_where_it_stopped() {
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic("in3", 2, 1).unwrap();
    cluster.create_topic("out3", 2, 1).unwrap();
    let brokers = cluster.bootstrap_servers();
    let first: Vec<(Option<&str>, Option<Vec<u8>>)> = (0..10)
        .map(|i| (None, Some(article(&format!("c{i}"), i).into_bytes())))
        .collect();
    produce(&brokers, "in3", &first).await;
    let worker = TestWorker::spawn(run_args(&brokers, "in3", "out3", None));
    read_topic(&brokers, "out3", 10, Duration::from_secs(30)).await;
    worker.shutdown().await.unwrap();

    let second: Vec<(Option<&str>, Option<Vec<u8>>)> = (10..20)
        .map(|i| (None, Some(article(&format!("c{i}"), i).into_bytes())))
        .collect();
    produce(&brokers, "in3", &second).await;
    let worker = TestWorker::spawn(run_args(&brokers, "in3", "out3", None));
    let all = read_topic(&brokers, "out3", 20, Duration::from_secs(30)).await;
    worker.shutdown().await.unwrap();
    let ids: BTreeSet<Vec<u8>> = all.iter().map(|m| m.key().unwrap().to_vec()).collect();
    assert_eq!(
        ids.len(),
        20,
        "every article once, none reprocessed after a clean stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_and_bad_input_keep_their_partition_order() {
    let cluster = MockCluster::new(1).unwrap();
    for t in ["in4", "out4", "dlq4"] {
        cluster.create_topic(t, 1, 1).unwrap();
    }
    let brokers = cluster.bootstrap_servers();
    let bad = bad_inputs();
    let mut inputs: Vec<(Option<&str>, Option<Vec<u8>>)> = Vec::new();
    for i in 0..120 {
        if i % 5 == 2 {
            inputs.push((None, bad[i % bad.len()].1.clone()));
        } else {
            inputs.push((None, Some(article(&format!("o{i}"), i).into_bytes())));
        }
    }
    produce(&brokers, "in4", &inputs).await;
    let worker = TestWorker::spawn(run_args(&brokers, "in4", "out4", Some("dlq4")));
    let out = read_topic(&brokers, "out4", 96, Duration::from_secs(30)).await;
    let dlq = read_topic(&brokers, "dlq4", 24, Duration::from_secs(30)).await;
    worker.shutdown().await.unwrap();

    let out_offsets: Vec<i64> = out
        .iter()
        .map(|m| {
            let r: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
            r["source"]["offset"].as_i64().unwrap()
        })
        .collect();
    let dlq_offsets: Vec<i64> = dlq
        .iter()
        .map(|m| {
            header(m, "enricher.source.offset")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(
        out_offsets.windows(2).all(|w| w[0] < w[1]),
        "outputs out of order: {out_offsets:?}"
    );
    assert!(
        dlq_offsets.windows(2).all(|w| w[0] < w[1]),
        "DLQ out of order: {dlq_offsets:?}"
    );
    let expected_bad: Vec<i64> = (0..120).filter(|i| i % 5 == 2).collect();
    assert_eq!(dlq_offsets, expected_bad);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_when_the_brokers_are_gone() {
    // librdkafka's consumer close waits for the group coordinator without a
    // deadline; a worker asked to stop must stop all the same.
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic("in5", 2, 1).unwrap();
    cluster.create_topic("out5", 2, 1).unwrap();
    let brokers = cluster.bootstrap_servers();
    let inputs: Vec<(Option<&str>, Option<Vec<u8>>)> = (0..6)
        .map(|i| (None, Some(article(&format!("g{i}"), i).into_bytes())))
        .collect();
    produce(&brokers, "in5", &inputs).await;
    let worker = TestWorker::spawn(run_args(&brokers, "in5", "out5", None));
    read_topic(&brokers, "out5", 6, Duration::from_secs(30)).await;
    cluster.broker_down(1).unwrap();

    let asked = std::time::Instant::now();
    // TestWorker::shutdown fails the test after 30 s; the worker's own bound
    // is its 10 s shutdown timeout (run_args).
    worker.shutdown().await.unwrap();
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(20), "shutdown took {took:?}");
}

//! Exactly-once mode on the in-process mock cluster: the protocol and error
//! injection (`kafka_eos.rs` checks isolation end to end on Apache Kafka).
//!
//! The mock cluster does not hide aborted records from read_committed
//! readers, and its TxnOffsetCommit handler acknowledges offsets without
//! storing them (OffsetFetch returns none). So these tests check the
//! transaction protocol, and the offsets the worker committed in its
//! transactions through the `enricher_transaction_committed_offset` metric;
//! not read_committed isolation end to end.

use std::collections::BTreeSet;
use std::time::Duration;

use article_enricher::config::DeliveryMode;
use rdkafka::mocking::MockCluster;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use rdkafka::Message;

use crate::helpers::*;

/// The input offsets the worker committed in transactions, summed over partitions.
fn txn_committed(worker: &TestWorker, topic: &str, partitions: i32) -> i64 {
    (0..partitions)
        .map(|partition| {
            let label = article_enricher::metrics::PartitionLabel {
                topic: topic.to_owned(),
                partition,
            };
            worker
                .metrics
                .transaction_offsets
                .get_or_create(&label)
                .get()
        })
        .sum()
}

fn eos_args(
    brokers: &str,
    input: &str,
    output: &str,
    txn_id: &str,
) -> article_enricher::config::RunArgs {
    let mut args = run_args(brokers, input, output, Some("eos-dlq"));
    args.kafka.delivery = DeliveryMode::ExactlyOnce;
    args.transactional_id = Some(txn_id.to_owned());
    args
}

fn cluster_with(
    topics: &[(&str, i32)],
) -> MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let cluster = MockCluster::new(1).unwrap();
    for (t, p) in topics {
        cluster.create_topic(t, *p, 1).unwrap();
    }
    cluster.create_topic("eos-dlq", 1, 1).unwrap();
    cluster
}

async fn produce_articles(brokers: &str, topic: &str, prefix: &str, n: usize) {
    let msgs: Vec<(Option<&str>, Option<Vec<u8>>)> = (0..n)
        .map(|i| (None, Some(article(&format!("{prefix}{i}"), i).into_bytes())))
        .collect();
    produce(brokers, topic, &msgs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_and_offsets_commit_together() {
    let cluster = cluster_with(&[("e-in", 2), ("e-out", 2)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "e-in", "x", 40).await;
    produce(&brokers, "e-in", &[(None, Some(b"not json".to_vec()))]).await;

    let worker = TestWorker::spawn(eos_args(&brokers, "e-in", "e-out", "txn-1"));
    let out = read_topic(&brokers, "e-out", 40, Duration::from_secs(30)).await;
    let dlq = read_topic(&brokers, "eos-dlq", 1, Duration::from_secs(30)).await;
    assert_eq!(dlq[0].payload(), Some(&b"not json"[..]));
    let ids: BTreeSet<Vec<u8>> = out.iter().map(|m| m.key().unwrap().to_vec()).collect();
    assert_eq!(ids.len(), 40);
    assert!(
        eventually(Duration::from_secs(10), || txn_committed(
            &worker, "e-in", 2
        ) == 41)
        .await,
        "offsets must be committed by the transactions: {}",
        txn_committed(&worker, "e-in", 2)
    );
    assert!(worker.metrics.transactions_committed.get() >= 1);
    worker.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_transaction_is_aborted_and_retried() {
    let cluster = cluster_with(&[("f-in", 1), ("f-out", 1)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "f-in", "y", 20).await;
    // The first two produce requests fail for good: the transaction holding
    // them must be aborted, the batch rewound and committed in a later one.
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
        ],
    );
    let worker = TestWorker::spawn(eos_args(&brokers, "f-in", "f-out", "txn-2"));
    assert!(
        eventually(Duration::from_secs(30), || txn_committed(
            &worker, "f-in", 1
        ) == 20)
        .await,
        "batch never committed after the abort"
    );
    assert!(
        worker.metrics.transactions_aborted.get() >= 1,
        "no transaction was aborted"
    );
    // Committed offsets past an article do not prove it was published: the
    // committed transactions' outputs must be all 20.
    assert_eq!(worker.metrics.enriched.get(), 20);
    // Every article is in the log of the output (aborted copies included:
    // the mock cluster does not filter them for read_committed readers).
    let out = read_topic(&brokers, "f-out", 20, Duration::from_secs(30)).await;
    let ids: BTreeSet<Vec<u8>> = out.iter().map(|m| m.key().unwrap().to_vec()).collect();
    assert!(!ids.is_empty());
    worker.shutdown().await.unwrap();
}

/// Fencing as the broker reports it. (The mock cluster does not fence one
/// instance when a second one initialises the same transactional id, so the
/// broker's answer is injected: PRODUCER_FENCED on the transaction's requests.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fenced_producer_stops_the_worker_with_an_error() {
    let cluster = cluster_with(&[("g-in", 1), ("g-out", 1)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "g-in", "z", 10).await;
    let worker = TestWorker::spawn(eos_args(&brokers, "g-in", "g-out", "txn-fenced"));
    read_topic(&brokers, "g-out", 10, Duration::from_secs(30)).await;
    assert!(
        eventually(Duration::from_secs(10), || worker
            .metrics
            .transactions_committed
            .get()
            >= 1)
        .await
    );

    let fenced = [RDKafkaRespErr::RD_KAFKA_RESP_ERR_PRODUCER_FENCED; 4];
    cluster.request_errors(RDKafkaApiKey::AddPartitionsToTxn, &fenced);
    cluster.request_errors(RDKafkaApiKey::EndTxn, &fenced);
    produce_articles(&brokers, "g-in", "after", 5).await;
    let err = worker
        .wait(Duration::from_secs(30))
        .await
        .expect_err("a fenced worker must stop with an error");
    assert!(format!("{err:#}").contains("fenced"), "{err:#}");
}

/// A fatal error that is not fencing (INVALID_TXN_STATE from EndTxn, as
/// librdkafka reports after a long broker outage): the worker replaces its
/// producer, reads the batch again and goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_producer_failed_without_fencing_is_replaced() {
    let cluster = cluster_with(&[("v-in", 1), ("v-out", 1)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "v-in", "v", 10).await;
    let worker = TestWorker::spawn(eos_args(&brokers, "v-in", "v-out", "txn-invalid"));
    read_topic(&brokers, "v-out", 10, Duration::from_secs(30)).await;

    let invalid = [RDKafkaRespErr::RD_KAFKA_RESP_ERR_INVALID_TXN_STATE; 1];
    cluster.request_errors(RDKafkaApiKey::EndTxn, &invalid);
    produce_articles(&brokers, "v-in", "after", 5).await;
    assert!(
        eventually(Duration::from_secs(60), || worker
            .metrics
            .transactions_aborted
            .get()
            >= 1
            && txn_committed(&worker, "v-in", 1) == 15)
        .await,
        "aborted {}, committed up to {}",
        worker.metrics.transactions_aborted.get(),
        txn_committed(&worker, "v-in", 1)
    );
    // Read until the batch's keys show up, not a count of records: the mock
    // cluster lets a reader see the aborted transaction's records too, so
    // the first 15 records on the topic may hold copies instead of them.
    let after: BTreeSet<Vec<u8>> = (0..5).map(|i| format!("after{i}").into_bytes()).collect();
    let keys = read_keys_until(&brokers, "v-out", &after, Duration::from_secs(30)).await;
    assert!(
        after.is_subset(&keys),
        "the batch after the failure was published: {} of its 5 keys seen",
        after.intersection(&keys).count()
    );
    worker
        .shutdown()
        .await
        .expect("the worker went on after the replacement");
}

/// A second instance joins while the first is busy (a batch in its
/// transaction, the next being enriched): partitions move, and every article
/// still comes out. (Duplicates cannot be judged here: the mock cluster does
/// not store transactional offsets, so a re-assigned partition restarts from
/// the beginning. Which messages are dropped when partitions move is unit
/// tested in `pipeline::transactional`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebalance_mid_run_loses_nothing() {
    let cluster = cluster_with(&[("r-in", 4), ("r-out", 4)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "r-in", "r", 300).await;
    let mut first = eos_args(&brokers, "r-in", "r-out", "txn-r1");
    first.group_id = "eos-rebalance".into();
    let first = TestWorker::spawn(first);
    assert!(
        eventually(Duration::from_secs(30), || first
            .metrics
            .transactions_committed
            .get()
            >= 1)
        .await,
        "the first worker never committed"
    );
    let mut second = eos_args(&brokers, "r-in", "r-out", "txn-r2");
    second.group_id = "eos-rebalance".into();
    let second = TestWorker::spawn(second);
    // A steady stream while the group rebalances, so that the first worker
    // holds batches when its partitions move.
    for round in 0..30 {
        produce_articles(&brokers, "r-in", &format!("late{round}-"), 50).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let expected: BTreeSet<Vec<u8>> = (0..300)
        .map(|i| format!("r{i}"))
        .chain((0..30).flat_map(|r| (0..50).map(move |i| format!("late{r}-{i}"))))
        .map(String::into_bytes)
        .collect();
    let seen = read_keys_until(&brokers, "r-out", &expected, Duration::from_secs(60)).await;
    let missing = expected.difference(&seen).count();
    assert_eq!(missing, 0, "{missing} articles never came out");
    // `enricher_assigned_partitions`: the group split the 4 partitions.
    let held = || {
        let (a, b) = (&first.metrics, &second.metrics);
        (a.assigned_partitions.get(), b.assigned_partitions.get())
    };
    assert!(
        eventually(Duration::from_secs(10), || {
            let (a, b) = held();
            a >= 1 && b >= 1 && a + b == 4
        })
        .await,
        "assigned partitions (first, second): {:?}",
        held()
    );
    eprintln!(
        "messages dropped on the rebalance: {}; enriched by the first {}, by the second {}",
        first.metrics.dropped_on_rebalance.get(),
        first.metrics.enriched.get(),
        second.metrics.enriched.get()
    );
    first.shutdown().await.unwrap();
    second.shutdown().await.unwrap();
}

/// An aborted transaction with many partitions in flight: the batches in hand
/// are read again and every input is published by exactly one committed
/// transaction (the `enriched` counter counts committed outputs only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abort_with_many_partitions_commits_every_input_once() {
    let cluster = cluster_with(&[("m-in", 8), ("m-out", 8)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "m-in", "m", 1500).await;
    let worker = TestWorker::spawn(eos_args(&brokers, "m-in", "m-out", "txn-m"));
    assert!(
        eventually(Duration::from_secs(60), || worker
            .metrics
            .transactions_committed
            .get()
            >= 1)
        .await
    );
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE; 2],
    );
    assert!(
        eventually(Duration::from_secs(60), || txn_committed(
            &worker, "m-in", 8
        ) == 1500)
        .await,
        "committed offsets: {}",
        txn_committed(&worker, "m-in", 8)
    );
    assert!(
        worker.metrics.transactions_aborted.get() >= 1,
        "nothing aborted"
    );
    assert_eq!(worker.metrics.enriched.get(), 1500);
    worker.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_while_a_commit_hangs() {
    // A transaction's commit waits up to its own timeout (30 s) for the
    // coordinator; a worker asked to stop must stop by its shutdown
    // timeout (10 s, run_args) all the same. The open transaction is then
    // the broker's to abort: nothing of it was committed.
    let cluster = cluster_with(&[("k-in", 1), ("k-out", 1)]);
    let brokers = cluster.bootstrap_servers();
    produce_articles(&brokers, "k-in", "k", 5).await;
    let worker = TestWorker::spawn(eos_args(&brokers, "k-in", "k-out", "txn-k"));
    assert!(
        eventually(Duration::from_secs(60), || txn_committed(
            &worker, "k-in", 1
        ) == 5)
        .await,
        "first batch never committed"
    );
    // From now on the coordinator is busy for every EndTxn: commits hang.
    cluster.request_errors(
        RDKafkaApiKey::EndTxn,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS; 1000],
    );
    produce_articles(&brokers, "k-in", "l", 5).await;
    assert!(
        eventually(Duration::from_secs(60), || worker.metrics.consumed.get()
            >= 10)
        .await,
        "second batch never consumed"
    );
    // Into the commit (the batch lingers 100 ms).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = std::time::Instant::now();
    worker.shutdown().await.unwrap();
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(20), "shutdown took {took:?}");
}

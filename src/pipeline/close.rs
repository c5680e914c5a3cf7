//! Leaving the consumer group at shutdown, in bounded time.
//!
//! librdkafka's consumer close can wait forever: a cooperative assignment
//! that arrives while the consumer closes leaves it in a state it never
//! leaves (librdkafka#4527), and a coordinator that never answers keeps it
//! querying (librdkafka#3740). rust-rdkafka closes in `Drop`, polling until
//! librdkafka says closed, with no deadline. A worker must still stop when
//! asked, so the worker first gives up its partitions itself (unsubscribe,
//! then serve the revocation, the workaround the librdkafka maintainers
//! give), and then closes the consumer on a thread of its own, waiting for
//! it only until the deadline. If the close is stuck past it, the worker
//! says so and returns anyway: the group notices the member gone after
//! `session.timeout.ms`, and nothing stored is lost, since every offset
//! stored by then was committed as part of the revocation.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::Consumer;
use tokio::time::Instant;

use super::WorkerConsumer;

/// Unsubscribe, let the revocation run, then close the consumer; return by
/// `deadline` whatever librdkafka does.
pub async fn close_consumer(consumer: Arc<WorkerConsumer>, deadline: Instant) {
    consumer.unsubscribe();
    // Rebalance callbacks run only while the consumer is polled. A message
    // read here is not processed and its offset not stored: it is
    // redelivered to the partition's next owner.
    while holds_partitions(&consumer) && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(100), consumer.recv()).await;
    }
    // The readiness probe may still hold the consumer for a metadata call;
    // the last reference, and so librdkafka's close, must be the one below.
    while Arc::strong_count(&consumer) > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Handed over once the thread runs: if none can start, the consumer
    // comes back and is left to the process's exit, since closing it on
    // this thread could outlast the deadline.
    let (hand_over, take) = std::sync::mpsc::channel::<Arc<WorkerConsumer>>();
    let closed = on_own_thread(move || drop(take.recv()));
    if let Err(std::sync::mpsc::SendError(consumer)) = hand_over.send(consumer) {
        std::mem::forget(consumer);
    }
    match tokio::time::timeout_at(deadline, closed).await {
        Ok(Ok(())) => tracing::info!("left the consumer group"),
        Ok(Err(_)) => tracing::warn!(
            "no thread could start to close the consumer; stopping without closing it \
             (the group drops this member after session.timeout.ms)"
        ),
        Err(_) => tracing::warn!(
            "the consumer did not close by the shutdown deadline; stopping anyway \
             (the group drops this member after session.timeout.ms)"
        ),
    }
}

fn holds_partitions(consumer: &WorkerConsumer) -> bool {
    consumer.assignment().is_ok_and(|a| a.count() > 0)
}

/// Run `f` on a new thread; the receiver resolves when it is done. A call
/// stuck in librdkafka then blocks neither a runtime worker thread nor the
/// runtime's shutdown, which would wait for a stuck blocking-pool task.
/// If no thread can be started (a process or memory limit), `f` is dropped
/// uncalled on the calling thread (and what it owns with it) and the
/// receiver resolves at once with an error, which every caller handles as
/// a call that did not complete: no panic mid-shutdown.
pub fn on_own_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::sync::oneshot::Receiver<T> {
    let (done, result) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("enricher-call".into())
        .spawn(move || {
            let _ = done.send(f());
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start a thread for a broker call; giving the call up");
    }
    result
}

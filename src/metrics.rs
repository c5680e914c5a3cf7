//! Prometheus metrics and the HTTP endpoints `/metrics`, `/healthz`, `/readyz`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Router};
use prometheus_client::encoding::{text::encode, EncodeLabelSet};
use prometheus_client::metrics::{
    counter::Counter, family::Family, gauge::Gauge, histogram::Histogram,
};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartitionLabel {
    pub topic: String,
    pub partition: i32,
}

/// Every metric the worker exports. Cheap to clone (all handles are `Arc`s).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    ready: Arc<AtomicBool>,
    pub consumed: Counter,
    pub enriched: Counter,
    pub failed: Family<KindLabel, Counter>,
    pub dlq: Counter,
    pub output_errors: Counter,
    pub processing_seconds: Histogram,
    pub consumer_lag: Family<PartitionLabel, Gauge>,
    pub in_flight: Gauge,
    pub assigned_partitions: Gauge,
    pub transactions_committed: Counter,
    pub transactions_aborted: Counter,
    pub dropped_on_rebalance: Counter,
    pub transaction_offsets: Family<PartitionLabel, Gauge>,
    ready_gauge: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("enricher");
        let consumed = Counter::default();
        let enriched = Counter::default();
        let failed = Family::<KindLabel, Counter>::default();
        let dlq = Counter::default();
        let output_errors = Counter::default();
        // 100 µs .. ~1.6 s: an article takes about a millisecond.
        let processing_seconds = Histogram::new(
            prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 15),
        );
        let consumer_lag = Family::<PartitionLabel, Gauge>::default();
        let in_flight = Gauge::default();
        let assigned_partitions = Gauge::default();
        let transactions_committed = Counter::default();
        let transactions_aborted = Counter::default();
        let dropped_on_rebalance = Counter::default();
        let transaction_offsets = Family::<PartitionLabel, Gauge>::default();
        let ready_gauge = Gauge::default();
        registry.register("articles_consumed", "Input messages read", consumed.clone());
        registry.register(
            "articles_enriched",
            "Enriched records published",
            enriched.clone(),
        );
        registry.register(
            "articles_failed",
            "Input messages that could not be enriched, by kind",
            failed.clone(),
        );
        registry.register(
            "dlq_messages",
            "Messages published to the dead-letter topic",
            dlq.clone(),
        );
        registry.register(
            "output_errors",
            "Failed output deliveries (retried)",
            output_errors.clone(),
        );
        registry.register(
            "processing_seconds",
            "Time to parse, extract and serialize one article",
            processing_seconds.clone(),
        );
        registry.register(
            "consumer_lag",
            "Messages behind the partition's high watermark",
            consumer_lag.clone(),
        );
        registry.register(
            "in_flight",
            "Articles read but not yet acknowledged",
            in_flight.clone(),
        );
        registry.register(
            "assigned_partitions",
            "Input partitions the consumer group has assigned to this worker",
            assigned_partitions.clone(),
        );
        registry.register(
            "transactions_committed",
            "Transactions committed (exactly-once mode)",
            transactions_committed.clone(),
        );
        registry.register(
            "transactions_aborted",
            "Transactions aborted and retried (exactly-once mode)",
            transactions_aborted.clone(),
        );
        registry.register(
            "dropped_on_rebalance",
            "Messages dropped uncommitted because their partition was revoked or re-assigned before their transaction; read again (exactly-once mode)",
            dropped_on_rebalance.clone(),
        );
        registry.register(
            "transaction_committed_offset",
            "Next input offset committed by the last transaction (exactly-once mode)",
            transaction_offsets.clone(),
        );
        registry.register(
            "ready",
            "1 when connected to the brokers and consuming",
            ready_gauge.clone(),
        );
        for kind in crate::record::BadInput::KINDS {
            let _ = failed.get_or_create(&KindLabel {
                kind: kind.to_owned(),
            });
        }
        Metrics {
            registry: Arc::new(registry),
            ready: Arc::new(AtomicBool::new(false)),
            consumed,
            enriched,
            failed,
            dlq,
            output_errors,
            processing_seconds,
            consumer_lag,
            in_flight,
            assigned_partitions,
            transactions_committed,
            transactions_aborted,
            dropped_on_rebalance,
            transaction_offsets,
            ready_gauge,
        }
    }

    pub fn count_failure(&self, kind: &str) {
        self.failed
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
        self.ready_gauge.set(i64::from(ready));
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of all metrics.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Bind the metrics address (before anything else starts, so that a taken
/// port is an immediate, clear error).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for metrics on {addr}"))
}

/// Serve the endpoints on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving /metrics, /healthz and /readyz");
    }
    axum::serve(listener, router(metrics))
        .with_graceful_shutdown(shutdown)
        .await
        .context("metrics server failed")
}

pub fn router(metrics: Metrics) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready_handler))
        .with_state(metrics)
}

async fn metrics_handler(State(metrics): State<Metrics>) -> impl IntoResponse {
    (
        [(
            "content-type",
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
}

async fn ready_handler(State(metrics): State<Metrics>) -> impl IntoResponse {
    if metrics.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_named_metrics() {
        let m = Metrics::new();
        m.consumed.inc();
        m.count_failure("invalid_json");
        let text = m.render();
        assert!(
            text.contains("enricher_articles_consumed_total 1"),
            "{text}"
        );
        assert!(
            text.contains("enricher_articles_failed_total{kind=\"invalid_json\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("enricher_processing_seconds_bucket"),
            "{text}"
        );
    }
}

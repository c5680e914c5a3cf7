//! article-enricher: a Kafka worker that enriches news articles with named
//! entities and attributed quotations.
//!
//! # Layout
//! - [`cli`], [`commands`]: the command line, one module per subcommand.
//! - [`config`]: typed worker settings (flags and `ENRICHER_*` variables).
//! - [`record`]: the wire formats (input article, output record); the only
//!   place that knows JSON field names.
//! - [`enrich`]: one payload in, one record or one bad-input reason out.
//! - [`extract`]: the pure extraction core (entities, quotes); no Kafka, no I/O.
//! - [`pipeline`]: the Kafka worker: consume, process per partition, publish,
//!   DLQ, ordered offset store, rebalances, shutdown.
//! - [`metrics`]: Prometheus metrics and the health endpoints.
//! - [`telemetry`]: logging setup.
//! - [`view`]: enriched records rendered for people (terminal, HTML, comparison).
//!
//! See ARCHITECTURE.md for the invariants.
pub mod cli;
pub mod commands;
pub mod config;
pub mod enrich;
pub mod extract;
pub mod metrics;
pub mod pipeline;
pub mod polnear;
pub mod record;
pub mod replay;
pub mod telemetry;
pub mod train;
pub mod view;

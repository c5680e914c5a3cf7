//! The integration test binary: one binary, one module per area.
//!
//! - `mock_worker`, `exactly_once`, `replay`: the worker and replay against
//!   librdkafka's in-process mock cluster (fast, hermetic, error injection).
//! - `kafka_e2e` (at-least-once) and `kafka_eos` (exactly-once): the worker
//!   binary against a real Apache Kafka broker (`broker`), fed and read by an
//!   independent client (Python confluent-kafka) and Kafka's own tools.
//! - `cli`: the binary's command line (`extract`, `demo`, `--help`).
//! - `deploy`: static validation of `deploy/` and `docker-compose.yml` (no Docker needed).
//! - `view`: the readable view, its HTML checked in headless Chromium.
mod broker;
mod cli;
mod deploy;
mod e2e;
mod exactly_once;
mod helpers;
mod kafka_e2e;
mod kafka_eos;
mod mock_worker;
mod replay;
mod view;

//! The integration test binary: one binary, one module per area.
//!
//! - `mock_worker`: the worker against librdkafka's in-process mock cluster.
//! - `tansu_e2e`: the worker binary against a real broker (tansu), fed and
//!   read by an independent client (Python confluent-kafka).
//! - `cli`: the binary's command line (`extract`, `demo`, `--help`).
//! - `deploy`: static validation of `deploy/` and `docker-compose.yml` (no Docker needed).
//! - `view`: the readable view, its HTML checked in headless Chromium.
mod cli;
mod deploy;
mod exactly_once;
mod helpers;
mod mock_worker;
mod replay;
mod tansu_e2e;
mod view;

//! Static validation of the deployment files: the Dockerfile, `docker-compose.yml`, the Kubernetes
//! kustomizations, the Prometheus rules and the Grafana dashboard.
//!
//! No Docker engine or cluster is available where these run, so the files are checked for what can be
//! known without one: they parse, they refer only to things that exist (services, files, ports, env
//! variables the binary reads, metric names it exports), and they keep the invariants the worker
//! relies on (drain deadline shorter than the grace period, replicas capped at the partition count).
//! Nothing here needs network, Docker or the shared data directory.

mod compose;
mod dockerfile;
mod healthcheck;
mod helm;
mod kubernetes;
mod monitoring;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_norway::Value;

/// The metrics the worker exports, as documented for dashboards and alerts.
pub const METRIC_NAMES: &[&str] = &[
    "enricher_articles_consumed_total",
    "enricher_articles_enriched_total",
    "enricher_articles_failed_total",
    "enricher_dlq_messages_total",
    "enricher_processing_seconds",
    "enricher_consumer_lag",
    "enricher_output_errors_total",
    "enricher_in_flight",
    "enricher_assigned_partitions",
    "enricher_ready",
];

/// The endpoints the worker serves on its metrics address.
pub const HEALTH_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";
pub const METRICS_PATH: &str = "/metrics";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read(rel: impl AsRef<Path>) -> String {
    let path = repo_root().join(rel.as_ref());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every YAML document in a file (manifests may hold several, separated by `---`).
pub fn yaml_documents(rel: impl AsRef<Path>) -> Vec<Value> {
    let rel = rel.as_ref();
    let text = read(rel);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("{}: invalid YAML: {e}", rel.display()))
        })
        .filter(|doc| !doc.is_null())
        .collect()
}

/// The single YAML document of a file.
pub fn yaml(rel: impl AsRef<Path>) -> Value {
    let rel = rel.as_ref();
    let mut docs = yaml_documents(rel);
    assert_eq!(
        docs.len(),
        1,
        "{}: expected exactly one YAML document",
        rel.display()
    );
    docs.remove(0)
}

/// Files under `dir` (relative to the repository root) whose names end in one of `suffixes`,
/// as repository-relative paths, sorted.
pub fn files_under(dir: &str, suffixes: &[&str]) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, suffixes: &[&str], out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, suffixes, out);
            } else if suffixes.iter().any(|s| path.to_string_lossy().ends_with(s)) {
                out.push(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    let root = repo_root();
    let mut out = Vec::new();
    walk(&root, &root.join(dir), suffixes, &mut out);
    out.sort();
    out
}

/// Walks a path of mapping keys; `None` when any step is missing.
pub fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// A string (or number/bool rendered as a string) at `path`.
pub fn get_str(value: &Value, path: &[&str]) -> Option<String> {
    match get(value, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses the subset of humantime durations used in the deploy files ("25s", "2m", "1m30s").
pub fn parse_duration(text: &str) -> Duration {
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number
            .parse()
            .unwrap_or_else(|_| panic!("bad duration '{text}'"));
        total += match c {
            's' => n,
            'm' => n * 60,
            'h' => n * 3600,
            _ => panic!("unsupported duration unit in '{text}'"),
        };
        number.clear();
    }
    assert!(number.is_empty(), "duration '{text}' lacks a unit");
    Duration::from_secs(total)
}

/// The port of a `HOST:PORT` address.
pub fn port_of(addr: &str) -> u16 {
    addr.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in '{addr}'"))
}

/// `KEY=VALUE` lines of an env file (comments and blank lines skipped).
pub fn env_file(rel: &str) -> Vec<(String, String)> {
    read(rel)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("{rel}: not KEY=VALUE: {l}"));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// The `ENRICHER_*` variables the binary reads: every `env = "ENRICHER_..."` in its clap definitions.
/// Deployment files may also set `ENRICHER_KAFKA_<PROPERTY>`, passed through to librdkafka.
pub fn binary_env_vars() -> BTreeSet<String> {
    let mut vars = BTreeSet::new();
    for file in files_under("src", &[".rs"]) {
        let text = read(&file);
        for (i, _) in text.match_indices("env = \"ENRICHER_") {
            let start = i + "env = \"".len();
            let end = start + text[start..].find('"').expect("closing quote");
            vars.insert(text[start..end].to_owned());
        }
    }
    vars
}

/// Asserts a deployment sets only variables the binary reads (a typo would be silently ignored).
pub fn assert_known_env_var(name: &str, context: &str) {
    if name.starts_with("ENRICHER_KAFKA_") {
        return;
    }
    let known = binary_env_vars();
    assert!(
        known.contains(name),
        "{context}: {name} is not read by the binary (it reads {known:?})"
    );
}

#[test]
fn every_yaml_file_parses() {
    let mut files = files_under("deploy", &[".yml", ".yaml"]);
    // Helm templates are Go templates, not YAML: `helm.rs` parses what they render.
    files
        .retain(|f| !(f.starts_with("deploy/helm") && f.to_string_lossy().contains("/templates/")));
    files.push("docker-compose.yml".into());
    assert!(
        files.len() >= 15,
        "expected the deploy tree's YAML files, found {files:?}"
    );
    for file in files {
        assert!(
            !yaml_documents(&file).is_empty(),
            "{}: no YAML document",
            file.display()
        );
    }
}

#[test]
fn the_binary_reads_the_variables_the_deployments_rely_on() {
    let known = binary_env_vars();
    for name in [
        "ENRICHER_BROKERS",
        "ENRICHER_INPUT_TOPIC",
        "ENRICHER_OUTPUT_TOPIC",
        "ENRICHER_DLQ_TOPIC",
        "ENRICHER_GROUP_ID",
        "ENRICHER_METRICS_ADDR",
        "ENRICHER_LOG_FORMAT",
        "ENRICHER_DELIVERY",
        "ENRICHER_SHUTDOWN_TIMEOUT",
    ] {
        assert!(
            known.contains(name),
            "src/ defines no flag with env = \"{name}\"; found {known:?}"
        );
    }
}

#[test]
fn duration_parsing_matches_the_worker_format() {
    assert_eq!(parse_duration("25s"), Duration::from_secs(25));
    assert_eq!(parse_duration("1m30s"), Duration::from_secs(90));
    assert_eq!(parse_duration("2m"), Duration::from_secs(120));
}

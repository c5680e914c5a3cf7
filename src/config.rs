//! Worker configuration: command-line flags, each also settable through an
//! `ENRICHER_*` environment variable (flags win), plus librdkafka properties
//! from `-X key=value` and `ENRICHER_KAFKA_*` variables.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::enrich::DEFAULT_MAX_ARTICLE_BYTES;

/// How the worker makes sure every article reaches the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DeliveryMode {
    /// Store an input offset only after its output is acknowledged. After a
    /// crash some records may be published twice (same key), none lost.
    #[default]
    AtLeastOnce,
    /// Transactional producer: outputs and input offsets commit together for
    /// `isolation.level=read_committed` readers.
    ExactlyOnce,
}

/// Which attributions records carry (`--attributions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum AttributionsArg {
    /// Quotations only (`direct`, `partial`): records as before reported
    /// speech was extracted, byte for byte.
    Quoted,
    /// Quotations and reported speech (`indirect`).
    #[default]
    All,
}

impl From<AttributionsArg> for crate::extract::Attributions {
    fn from(arg: AttributionsArg) -> Self {
        match arg {
            AttributionsArg::Quoted => crate::extract::Attributions::Quoted,
            AttributionsArg::All => crate::extract::Attributions::All,
        }
    }
}

/// Kafka connection settings shared by `run` and `replay`.
#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap servers, comma-separated.
    #[arg(long, env = "ENRICHER_BROKERS", value_name = "HOST:PORT[,..]")]
    pub brokers: String,

    /// Topic to read articles from.
    #[arg(long, env = "ENRICHER_INPUT_TOPIC", value_name = "TOPIC")]
    pub input_topic: String,

    /// Topic to publish enriched records to (keyed by article id).
    #[arg(long, env = "ENRICHER_OUTPUT_TOPIC", value_name = "TOPIC")]
    pub output_topic: String,

    /// Topic for messages that cannot be enriched, published unchanged with
    /// the reason in headers. Without it they are logged, counted and skipped.
    #[arg(long, env = "ENRICHER_DLQ_TOPIC", value_name = "TOPIC")]
    pub dlq_topic: Option<String>,

    /// Extra librdkafka property for all clients, e.g. `-X security.protocol=SASL_SSL`
    /// (repeatable). Also read from ENRICHER_KAFKA_<PROPERTY> variables with dots
    /// as underscores, e.g. ENRICHER_KAFKA_SASL_PASSWORD=... for sasl.password.
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub kafka_properties: Vec<(String, String)>,

    /// Largest input message accepted, in bytes; larger ones go to the DLQ.
    #[arg(long, env = "ENRICHER_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,

    /// Delivery guarantee.
    #[arg(long, env = "ENRICHER_DELIVERY", value_enum, default_value_t = DeliveryMode::AtLeastOnce)]
    pub delivery: DeliveryMode,

    /// Which attributions records carry: `quoted` keeps the records of
    /// before reported speech (no `indirect` ones).
    #[arg(long, env = "ENRICHER_ATTRIBUTIONS", value_enum, default_value_t = AttributionsArg::All)]
    pub attributions: AttributionsArg,
}

impl KafkaArgs {
    /// librdkafka properties from the environment, then from `-X` (which wins).
    pub fn extra_properties(&self) -> BTreeMap<String, String> {
        let mut props = properties_from_env(std::env::vars());
        props.extend(self.kafka_properties.iter().cloned());
        props
    }
}

/// Settings of the `run` subcommand.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Consumer group id; all instances of one deployment share it.
    #[arg(long, env = "ENRICHER_GROUP_ID", default_value = "article-enricher")]
    pub group_id: String,

    /// Address for the HTTP server with /metrics, /healthz and /readyz.
    #[arg(long, env = "ENRICHER_METRICS_ADDR", value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// How long shutdown may take to finish in-flight articles and commit,
    /// e.g. "25s". Keep it below the group's session timeout and the
    /// orchestrator's grace period.
    #[arg(long, env = "ENRICHER_SHUTDOWN_TIMEOUT", default_value = "25s", value_parser = humantime::parse_duration)]
    pub shutdown_timeout: Duration,

    /// Most articles in flight (read but not yet acknowledged) at once: bounds memory.
    #[arg(long, env = "ENRICHER_MAX_IN_FLIGHT", default_value_t = 1000)]
    pub max_in_flight: usize,

    /// At-least-once: how often the offsets of acknowledged outputs are
    /// committed, e.g. "1s". After a crash the worker re-sends at most about
    /// this much input plus what was in flight. (Sets librdkafka's
    /// auto.commit.interval.ms; a `-X auto.commit.interval.ms=` wins.)
    #[arg(long, env = "ENRICHER_COMMIT_INTERVAL", default_value = "1s", value_parser = parse_commit_interval)]
    pub commit_interval: Duration,

    /// Transactional id for `--delivery exactly-once`; must be stable for one
    /// instance across restarts and unique among running instances
    /// [default: <group-id>-<$HOSTNAME>].
    #[arg(long, env = "ENRICHER_TRANSACTIONAL_ID")]
    pub transactional_id: Option<String>,

    /// Skip extraction: parse and re-serialize only (benchmarking the I/O limit).
    #[arg(long, env = "ENRICHER_NO_EXTRACT", hide = true)]
    pub no_extract: bool,
}

impl RunArgs {
    pub fn transactional_id(&self) -> String {
        self.transactional_id.clone().unwrap_or_else(|| {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "0".to_owned());
            format!("{}-{host}", self.group_id)
        })
    }
}

fn parse_commit_interval(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| e.to_string())?;
    if d < Duration::from_millis(1) {
        return Err("the commit interval must be at least 1ms".to_owned());
    }
    Ok(d)
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got '{s}'"))?;
    if k.trim().is_empty() {
        return Err(format!("empty property name in '{s}'"));
    }
    Ok((k.trim().to_owned(), v.to_owned()))
}

/// `ENRICHER_KAFKA_SASL_PASSWORD=x` -> `sasl.password=x`.
fn properties_from_env(vars: impl Iterator<Item = (String, String)>) -> BTreeMap<String, String> {
    vars.filter_map(|(k, v)| {
        let name = k.strip_prefix("ENRICHER_KAFKA_")?;
        Some((name.to_ascii_lowercase().replace('_', "."), v))
    })
    .collect()
}

/// Whether a librdkafka property holds a secret that must never be logged.
pub fn is_secret_property(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "token", "key.pem", "private"]
        .iter()
        .any(|s| key.contains(s))
        || key == "ssl.key.location"
}

/// Properties with secret values masked, for logging.
pub fn redacted(props: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    props
        .iter()
        .map(|(k, v)| {
            let shown = if is_secret_property(k) {
                "********".to_owned()
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_properties_map_to_dotted_names() {
        let vars = vec![
            ("ENRICHER_KAFKA_SASL_PASSWORD".to_owned(), "pw".to_owned()),
            (
                "ENRICHER_KAFKA_SECURITY_PROTOCOL".to_owned(),
                "SASL_SSL".to_owned(),
            ),
            ("OTHER".to_owned(), "x".to_owned()),
        ];
        let props = properties_from_env(vars.into_iter());
        assert_eq!(props.get("sasl.password").map(String::as_str), Some("pw"));
        assert_eq!(
            props.get("security.protocol").map(String::as_str),
            Some("SASL_SSL")
        );
        assert_eq!(props.len(), 2);
    }

    #[test]
    fn secrets_are_redacted() {
        let mut props = BTreeMap::new();
        props.insert("sasl.password".to_owned(), "hunter2".to_owned());
        props.insert("sasl.username".to_owned(), "me".to_owned());
        props.insert("ssl.key.password".to_owned(), "k".to_owned());
        let shown = redacted(&props);
        assert_eq!(shown["sasl.password"], "********");
        assert_eq!(shown["ssl.key.password"], "********");
        assert_eq!(shown["sasl.username"], "me");
    }

    #[test]
    fn commit_interval_parsing() {
        assert_eq!(
            parse_commit_interval("250ms"),
            Ok(Duration::from_millis(250))
        );
        assert!(parse_commit_interval("0s").is_err());
        assert!(parse_commit_interval("soon").is_err());
    }

    #[test]
    fn key_value_parsing() {
        assert_eq!(
            parse_key_value("a.b=c=d").unwrap(),
            ("a.b".into(), "c=d".into())
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
    }
}

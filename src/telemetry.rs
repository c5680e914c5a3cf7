//! Logging setup: human-readable or JSON lines on stderr, filtered by
//! `RUST_LOG`-style directives.

use clap::{Args, ValueEnum};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct TelemetryArgs {
    /// Log format on stderr.
    #[arg(long, global = true, env = "ENRICHER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter, e.g. "info" or "article_enricher=debug,librdkafka=warn".
    #[arg(long, global = true, env = "ENRICHER_LOG", default_value = "info")]
    pub log: String,
}

/// Install the global subscriber. Call once, from `main` (tests skip it, so
/// their output stays quiet unless they install one themselves).
pub fn init(args: &TelemetryArgs) {
    let filter = EnvFilter::try_new(&args.log).unwrap_or_else(|e| {
        eprintln!(
            "warning: bad --log filter '{}': {e}; using 'info'",
            args.log
        );
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match args.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

use std::process::ExitCode;

use article_enricher::cli::Cli;
use clap::Parser;

/// Faster than glibc malloc for the worker's threads and short-lived
/// buffers (BENCHMARKS.md, "What changed the enriching rate").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    article_enricher::telemetry::init(&cli.telemetry);
    match cli.command.execute() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

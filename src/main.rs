use std::process::ExitCode;

use article_enricher::cli::Cli;
use clap::Parser;

/// See BENCHMARKS.md ("Allocator"): faster than glibc malloc for the
/// worker's many threads and short-lived buffers.
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

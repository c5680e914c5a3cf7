//! `replay`: reprocess a topic's history into an output topic (see `crate::replay`).

use anyhow::bail;

use crate::commands::run::shutdown_signal;
use crate::replay::{self, ReplayArgs};

pub async fn run(args: ReplayArgs) -> anyhow::Result<()> {
    let plan = replay::make_plan(&args).await?;
    eprintln!(
        "replay of {} from {} to {}: {} records in {} partitions",
        plan.topic,
        args.from,
        args.to,
        plan.count(),
        plan.partitions.len()
    );
    if args.dry_run {
        print!("{}", plan.table());
        return Ok(());
    }
    let summary = replay::execute(&args, &plan, shutdown_signal()).await?;
    if !summary.complete {
        bail!("replay interrupted: {summary}");
    }
    eprintln!("replay finished: {summary}");
    Ok(())
}

//! `run`: the Kafka worker with its metrics endpoint, until a signal.

use crate::config::RunArgs;
use crate::metrics::{self, Metrics};

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let metrics = Metrics::new();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = match args.metrics_addr {
        Some(addr) => {
            let listener = metrics::bind(addr).await?;
            let mut rx = stop_rx.clone();
            let stopped = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            Some(tokio::spawn(metrics::serve(
                listener,
                metrics.clone(),
                stopped,
            )))
        }
        None => None,
    };
    let result = crate::pipeline::run(args, metrics, shutdown_signal()).await;
    let _ = stop_tx.send(true);
    if let Some(server) = server {
        server.await??;
    }
    result
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what orchestrators send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT received"),
        _ = term => tracing::info!("SIGTERM received"),
    }
}

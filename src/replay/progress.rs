//! Progress while replaying: a bar with rate and time left on a terminal,
//! periodic log lines otherwise (containers, CI, files).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often progress is logged when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(5);

pub enum Progress {
    Bar(ProgressBar),
    Log {
        started: Instant,
        last: Instant,
        total: u64,
    },
}

impl Progress {
    /// `total`: the records the plan expects (the bar grows if there are more).
    pub fn new(total: u64) -> Self {
        let now = Instant::now();
        if !std::io::stderr().is_terminal() {
            return Progress::Log {
                started: now,
                last: now,
                total,
            };
        }
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template(
            "replay [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress::Bar(bar)
    }

    /// `done`: records read and acknowledged so far.
    pub fn update(&mut self, done: u64) {
        match self {
            Progress::Bar(bar) => {
                if bar.length().is_some_and(|len| done > len) {
                    bar.set_length(done);
                }
                bar.set_position(done);
            }
            Progress::Log {
                started,
                last,
                total,
            } => {
                let now = Instant::now();
                if now.duration_since(*last) < LOG_EVERY {
                    return;
                }
                *last = now;
                let secs = now.duration_since(*started).as_secs_f64();
                let rate = done as f64 / secs.max(0.001);
                let left = total.saturating_sub(done);
                let eta = if rate > 0.0 {
                    format!("{:.0}s", left as f64 / rate)
                } else {
                    "unknown".to_owned()
                };
                tracing::info!(
                    done,
                    total = *total,
                    rate = format!("{rate:.0}/s"),
                    eta,
                    "replay progress"
                );
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

//! What the worker does with a consumer error: log it and read on at once.
//!
//! A consumer error is librdkafka reporting trouble it is already handling
//! (reconnecting, refetching, rejoining the group). While a broker is down such
//! reports queue up by the hundred. The worker once slept after each (up to
//! 5 s), so after the broker came back it spent minutes draining stale reports
//! before it read another article (seen on Apache Kafka: a broker restart
//! stalled consumption for over four minutes). Now it never sleeps on them;
//! the log shows the first error and then one line per interval with how many
//! more came.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::error::KafkaError;

const LOG_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct ConsumerErrors(Mutex<Logged>);

#[derive(Default)]
struct Logged {
    at: Option<Instant>,
    since: u64,
}

impl ConsumerErrors {
    /// Log `error` unless one was logged less than [`LOG_EVERY`] ago (then
    /// count it), and let other tasks run before the next read.
    pub async fn report(&self, error: &KafkaError) {
        {
            let mut logged = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if logged
                .at
                .is_some_and(|at| now.duration_since(at) < LOG_EVERY)
            {
                logged.since += 1;
            } else {
                tracing::warn!(
                    %error, more_since_last_line = logged.since,
                    "consumer error (librdkafka retries by itself)"
                );
                *logged = Logged {
                    at: Some(now),
                    since: 0,
                };
            }
        }
        tokio::task::yield_now().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::types::RDKafkaErrorCode;

    // With tokio's clock paused, any sleep would advance it: it must not move.
    #[tokio::test(start_paused = true)]
    async fn a_backlog_of_errors_is_drained_without_waiting() {
        let errors = ConsumerErrors::default();
        let error = KafkaError::MessageConsumption(RDKafkaErrorCode::AllBrokersDown);
        let started = tokio::time::Instant::now();
        for _ in 0..1000 {
            errors.report(&error).await;
        }
        // The old loop slept up to 5 s per report: over an hour for these.
        assert_eq!(started.elapsed(), Duration::ZERO);
        let counted = errors.0.lock().unwrap().since;
        assert_eq!(counted, 999, "one line logged, the rest counted");
    }
}

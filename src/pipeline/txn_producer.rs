//! The exactly-once mode's transactional producer, and its replacement when
//! librdkafka gives up on it without another instance having fenced it.
//!
//! After a broker outage longer than `message.timeout.ms`, the open
//! transaction's records time out (an abortable error), and aborting it can
//! then fail with INVALID_TXN_STATE, which librdkafka makes fatal
//! (confluentinc/librdkafka#3297, #4849; seen here on Apache Kafka 4.1 with
//! the broker killed for about a minute). Such a producer is unusable but was
//! not fenced: as Kafka Streams does, the worker makes a new one with the same
//! `transactional.id`, whose `init_transactions` aborts what the old one left
//! open, and reads the uncommitted batches again. A producer that was fenced
//! (another instance took its id) is never replaced: that would fence the
//! other instance in turn. Nor is one replaced twice within a minute.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::ClientConfig;

use super::kafka::LoggingContext;

/// How long `init_transactions` may take on a new producer, in all: the
/// brokers may still be coming back.
const INIT_PATIENCE: Duration = Duration::from_secs(300);
const MIN_BETWEEN_REPLACEMENTS: Duration = Duration::from_secs(60);

pub(super) struct TxnProducer {
    config: ClientConfig,
    current: Mutex<Current>,
}

struct Current {
    producer: FutureProducer<LoggingContext>,
    replaced_at: Option<Instant>,
}

impl TxnProducer {
    pub fn new(config: ClientConfig, producer: FutureProducer<LoggingContext>) -> Self {
        TxnProducer {
            config,
            current: Mutex::new(Current {
                producer,
                replaced_at: None,
            }),
        }
    }

    /// The producer to use now (a cheap handle).
    pub fn get(&self) -> FutureProducer<LoggingContext> {
        self.lock().producer.clone()
    }

    /// Whether a producer that failed with `error` may be replaced.
    pub fn may_replace(&self, error: &KafkaError) -> bool {
        let recently = self
            .lock()
            .replaced_at
            .is_some_and(|at| at.elapsed() < MIN_BETWEEN_REPLACEMENTS);
        !is_fenced(error) && !recently
    }

    /// Create a new producer with the same settings and initialise its
    /// transactions, retrying while the brokers do not answer. Blocking.
    pub fn replace(&self) -> anyhow::Result<()> {
        let producer: FutureProducer<LoggingContext> = self
            .config
            .create_with_context(LoggingContext)
            .context("cannot create a new transactional producer")?;
        let deadline = Instant::now() + INIT_PATIENCE;
        loop {
            match producer.init_transactions(Duration::from_secs(30)) {
                Ok(()) => break,
                Err(e) if Instant::now() < deadline && !is_fenced(&e) => {
                    tracing::warn!(error = %e, "new transactional producer not initialised yet; retrying");
                }
                Err(e) => anyhow::bail!("cannot initialise the new transactional producer: {e}"),
            }
        }
        *self.lock() = Current {
            producer,
            replaced_at: Some(Instant::now()),
        };
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `error` says another producer took this one's transactional id.
pub(super) fn is_fenced(error: &KafkaError) -> bool {
    let code = match error {
        KafkaError::Transaction(e) => e.code(),
        other => match other.rdkafka_error_code() {
            Some(code) => code,
            None => return false,
        },
    };
    matches!(
        code,
        RDKafkaErrorCode::Fenced
            | RDKafkaErrorCode::ProducerFenced
            | RDKafkaErrorCode::InvalidProducerEpoch
            | RDKafkaErrorCode::TransactionalIdAuthorizationFailed
    )
}

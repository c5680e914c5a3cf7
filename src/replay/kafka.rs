//! The replay's Kafka clients: a consumer that reads by assignment and never
//! commits, and the broker's answers to planning questions.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{bail, Context};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::KafkaArgs;
use crate::pipeline::{client_config, LoggingContext};

use super::plan::{PlanError, TopicFacts};

/// How long one metadata or offsets request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Consumer settings of a replay. It reads partitions it assigns itself, so
/// it joins no consumer group and must never commit: the live worker's
/// group offsets stay untouched. EOF events tell when a partition is caught
/// up; a start offset deleted under us is an error, not a silent skip.
const REPLAY_CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    ("enable.partition.eof", "true"),
    ("auto.offset.reset", "error"),
];

/// Applied after the user's `-X` properties, which cannot override them.
/// `read_committed` (librdkafka's default, forced here): a replay publishes
/// only committed input, never aborted records or those of a transaction
/// still open; and librdkafka then answers the planning queries (end
/// offsets, offsets by time) as a `read_committed` reader, so a partition's
/// end is its last stable offset, which the consumer reaches by itself.
const REPLAY_CONSUMER_FORCED: &[(&str, &str)] = &[
    ("enable.auto.commit", "false"),
    ("enable.auto.offset.store", "false"),
    ("isolation.level", "read_committed"),
];

pub fn consumer_config(kafka: &KafkaArgs) -> ClientConfig {
    let mut config = client_config(
        &kafka.brokers,
        REPLAY_CONSUMER_DEFAULTS,
        &kafka.extra_properties(),
    );
    for (k, v) in REPLAY_CONSUMER_FORCED {
        config.set(*k, *v);
    }
    // librdkafka wants a group id even for assign(); a throwaway one that is
    // never joined (no subscribe) nor committed to.
    config.set("group.id", throwaway_group_id());
    config
}

fn throwaway_group_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("article-enricher-replay-{}-{nanos}", std::process::id())
}

/// The broker answering planning questions through a consumer.
pub struct BrokerFacts<'a>(pub &'a BaseConsumer<LoggingContext>);

impl TopicFacts for BrokerFacts<'_> {
    fn partitions(&self, topic: &str) -> anyhow::Result<Vec<i32>> {
        let md = self
            .0
            .fetch_metadata(Some(topic), REQUEST_TIMEOUT)
            .context("cannot fetch metadata from the brokers")?;
        let Some(t) = md.topics().iter().find(|t| t.name() == topic) else {
            return Err(PlanError::UnknownTopic(topic.to_owned()).into());
        };
        match t.error() {
            Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) => {
                Err(PlanError::UnknownTopic(topic.to_owned()).into())
            }
            Some(e) => bail!("metadata of topic '{topic}': {e:?}"),
            None if t.partitions().is_empty() => {
                Err(PlanError::UnknownTopic(topic.to_owned()).into())
            }
            None => Ok(t.partitions().iter().map(|p| p.id()).collect()),
        }
    }

    /// librdkafka's `query_watermark_offsets` sends ListOffsets with the
    /// client's isolation level: under `read_committed` the broker answers
    /// the last stable offset, not the high watermark.
    fn watermarks(&self, topic: &str, partition: i32) -> anyhow::Result<(i64, i64)> {
        self.0
            .fetch_watermarks(topic, partition, REQUEST_TIMEOUT)
            .with_context(|| format!("cannot fetch the offsets of {topic} partition {partition}"))
    }

    fn offsets_for_time(
        &self,
        topic: &str,
        partitions: &[i32],
        ms: i64,
    ) -> anyhow::Result<BTreeMap<i32, Option<i64>>> {
        let mut query = TopicPartitionList::new();
        for p in partitions {
            query.add_partition_offset(topic, *p, Offset::Offset(ms))?;
        }
        let found = self
            .0
            .offsets_for_times(query, REQUEST_TIMEOUT)
            .with_context(|| format!("cannot look up offsets by time in {topic}"))?;
        let mut out = BTreeMap::new();
        for e in found.elements_for_topic(topic) {
            if let Err(err) = e.error() {
                bail!(
                    "offsets by time of {topic} partition {}: {err}",
                    e.partition()
                );
            }
            let offset = match e.offset() {
                Offset::Offset(o) => Some(o),
                // No record at or after the time (below the last stable
                // offset: the broker answers `read_committed` lookups so).
                _ => None,
            };
            out.insert(e.partition(), offset);
        }
        Ok(out)
    }
}

/// Fail early, and clearly, when a topic the replay writes to is missing,
/// instead of retrying deliveries into it forever.
pub fn check_topics_exist(
    consumer: &BaseConsumer<LoggingContext>,
    topics: &[&str],
) -> anyhow::Result<()> {
    let facts = BrokerFacts(consumer);
    let unique: BTreeSet<&str> = topics.iter().copied().collect();
    for topic in unique {
        facts.partitions(topic)?;
    }
    Ok(())
}

/// A consumer error that ends the replay, with what to do about it; None
/// for errors librdkafka recovers from by itself.
pub fn fatal_consumer_error(error: &KafkaError) -> Option<String> {
    let code = error.rdkafka_error_code()?;
    match code {
        RDKafkaErrorCode::AutoOffsetReset | RDKafkaErrorCode::OffsetOutOfRange => Some(format!(
            "{error}: records the replay was reading were deleted (retention) while it ran; \
             plan again with `--dry-run` and a later `--from`"
        )),
        RDKafkaErrorCode::UnknownTopicOrPartition
        | RDKafkaErrorCode::UnknownTopic
        | RDKafkaErrorCode::UnknownPartition => Some(format!(
            "{error}: the input topic or partition disappeared during the replay"
        )),
        RDKafkaErrorCode::TopicAuthorizationFailed | RDKafkaErrorCode::GroupAuthorizationFailed => {
            Some(format!("{error}: the credentials may not read this topic"))
        }
        _ => None,
    }
}

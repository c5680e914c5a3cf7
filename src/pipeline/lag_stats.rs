//! Consumer lag from librdkafka's statistics JSON.
//!
//! rdkafka's full `Statistics` type has hundreds of fields: one unexpected
//! value in any of them loses the whole document, and rdkafka reports that
//! only to the `log` facade, which this binary does not forward, so the lag
//! gauges would freeze without a word. This view reads only what the gauges
//! need and ignores everything else; a document it cannot read is logged.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Deserialize)]
struct Stats {
    #[serde(default)]
    topics: HashMap<String, Topic>,
}

#[derive(Deserialize)]
struct Topic {
    #[serde(default)]
    partitions: HashMap<String, Partition>,
}

#[derive(Deserialize)]
struct Partition {
    partition: i32,
    consumer_lag: i64,
}

/// One known lag: (topic, partition, messages behind the end of the log).
pub type Lag = (String, i32, i64);

/// The known lags in a statistics document. Partition -1 (librdkafka's
/// internal "unassigned" queue) and negative lags ("unknown": nothing
/// committed yet, or no fetch response yet) are left out.
pub fn parse_lags(json: &[u8]) -> Result<Vec<Lag>, serde_json::Error> {
    let stats: Stats = serde_json::from_slice(json)?;
    let mut lags = Vec::new();
    for (topic, t) in stats.topics {
        for p in t.partitions.into_values() {
            if p.partition >= 0 && p.consumer_lag >= 0 {
                lags.push((topic.clone(), p.partition, p.consumer_lag));
            }
        }
    }
    lags.sort();
    Ok(lags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_lags_and_ignores_everything_else() {
        let json = br#"{"name":"c#1","type":"consumer","msg_cnt":-5,"brokers":{"b":{"rtt":{}}},
            "topics":{"in":{"topic":"in","age":1,"partitions":{
              "0":{"partition":0,"consumer_lag":7,"msgq_bytes":-1,"fetchq_size":-3},
              "1":{"partition":1,"consumer_lag":-1},
              "-1":{"partition":-1,"consumer_lag":0}}}}}"#;
        assert_eq!(parse_lags(json).unwrap(), vec![("in".to_owned(), 0, 7)]);
    }

    #[test]
    fn a_document_without_topics_has_no_lags() {
        assert!(parse_lags(br#"{"name":"p#1","type":"producer"}"#)
            .unwrap()
            .is_empty());
        assert!(parse_lags(b"not json").is_err());
    }
}

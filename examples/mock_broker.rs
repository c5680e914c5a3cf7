//! A Kafka-protocol broker for `BROKER=mock bench/pipeline.sh` (no JVM, no
//! set-up; the default benchmark broker is Apache Kafka): librdkafka's
//! in-process mock cluster, listening on localhost until this process is killed.
//!
//! ```text
//! cargo run --release --example mock_broker -- TOPIC:PARTITIONS...
//! ```
//!
//! Creates the topics, prints the bootstrap address as the first line of
//! stdout, then serves. It is a test double, not a broker: one process,
//! memory only, no replication, and read_committed readers still see aborted
//! records. `bench/pipeline.sh` uses it with `BROKER=mock`.
use std::io::Write;

use rdkafka::mocking::MockCluster;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = MockCluster::new(1)?;
    for spec in std::env::args().skip(1) {
        let (topic, partitions) = spec
            .split_once(':')
            .ok_or_else(|| format!("expected TOPIC:PARTITIONS, got {spec:?}"))?;
        cluster.create_topic(topic, partitions.parse()?, 1)?;
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", cluster.bootstrap_servers())?;
    stdout.flush()?;
    loop {
        std::thread::park();
    }
}

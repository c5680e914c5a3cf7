#!/usr/bin/env bash
# Run one Apache Kafka broker in KRaft mode (combined broker and controller,
# single node) on loopback, in the foreground, for tests and benchmarks:
#
#   tests/kafka/broker.sh PORT CONTROLLER_PORT DIR
#
# DIR holds the configuration, the log and the data; it is formatted on first
# use and reused as it is afterwards (a restart keeps the topics and records).
# Single-node settings: replication factor 1 for the internal topics,
# transaction state min.isr 1, no initial rebalance delay. KAFKA_HEAP (default
# 512m) sizes the JVM heap. The jars come from tests/kafka/fetch.sh.
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 PORT CONTROLLER_PORT DIR" >&2; exit 2; }
port=$1 controller_port=$2 dir=$(mkdir -p "$3" && cd "$3" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
libs=$("$here/fetch.sh" | sed -n 's/^KAFKA_LIBS=//p')

if [[ ! -f "$dir/server.properties" ]]; then
    cat > "$dir/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES
fi

java_cmd=(java "-Xmx${KAFKA_HEAP:-512m}" -XX:+UseG1GC
    "-Dlog4j2.configurationFile=$here/log4j2.properties"
    -cp "$libs/*")
if [[ ! -f "$dir/data/meta.properties" ]]; then
    "${java_cmd[@]}" kafka.tools.StorageTool format \
        --cluster-id "$(echo "$dir" | sha256sum | cut -c1-22)" \
        --config "$dir/server.properties" --ignore-formatted >&2
fi
exec "${java_cmd[@]}" kafka.Kafka "$dir/server.properties"

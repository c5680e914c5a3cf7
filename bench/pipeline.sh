#!/usr/bin/env bash
# End-to-end worker benchmark on a real Apache Kafka broker (4.1.1, KRaft,
# single node, on-disk storage in a temp dir), both delivery modes.
#
#   bench/pipeline.sh                  # 20,000 typical (~4 KB) articles
#   WORDS=800 bench/pipeline.sh        # 20,000 real-length (~800 words, ~5 KB) articles
#   COUNT=2000 bench/pipeline.sh       # a quick functional run
#
# 1. starts Kafka with tests/kafka/broker.sh on free loopback ports (the jars
#    and the Python client's virtualenv come from tests/kafka/fetch.sh, cached
#    after the first use) and creates the topics with the e2e tests' client;
# 2. pre-loads COUNT articles into the input topic (bench/pipeline.py load:
#    batched, lz4, as ordinary producers do);
# 3. runs the release worker over the whole topic: at-least-once with
#    --no-extract (pass-through: parse and re-serialize only, the I/O limit),
#    at-least-once with extraction, and exactly-once with extraction, each
#    with its own group and output topic; measures the time until /metrics
#    counts COUNT published records, the span of the output CreateTimes (read
#    back read_committed), worker and broker CPU seconds, and the worker's peak
#    RSS (VmHWM);
# 4. for each delivery mode, runs an enriching worker on an empty topic,
#    produces at a steady half of that mode's measured rate for
#    STEADY_SECONDS, and reports latency percentiles while a read_committed
#    reader follows the output live: "visible" = when the reader got the
#    record - the record's source.timestamp (input CreateTime), and "created"
#    = output CreateTime - source.timestamp (same machine clock). In
#    exactly-once mode a record becomes visible only when its transaction
#    commits, so "visible" is the latency that counts there.
# Fetch and batching settings: the worker's defaults (consumer fetch.min.bytes
# 1, fetch.wait.max.ms 500 (Kafka answers a fetch as soon as one record is
# there, so this only bounds an idle poll); producer linger.ms 5, lz4,
# acks=all; exactly-once transactions of up to 500 records or 100 ms), the
# steady producer at linger.ms 5, the live reader at librdkafka's defaults.
#
# BROKER=mock runs the same on librdkafka's in-process mock cluster
# (examples/mock_broker.rs, built on demand; memory only, not a real broker).
#
# Environment: BIN (worker binary, default target/release/article-enricher),
# BROKER (kafka or mock, default kafka), KAFKA_HEAP (broker JVM heap, 512m),
# COUNT (20000), WORDS (articles of about WORDS words) or BYTES (of about BYTES
# bytes of text, default 4000), PARTITIONS (2; 48 on mock), STEADY_SECONDS
# (20), STEADY_RATE (articles/s of both steady runs instead of half of each
# mode's rate), KEEP=1 keeps the work directory with the logs, WORKER_FLAGS: extra
# flags for every worker run (e.g. "-X fetch.wait.max.ms=50").
set -euo pipefail

cd "$(dirname "$0")/.."
COUNT=${COUNT:-20000}
BROKER=${BROKER:-kafka}
# The mock cluster keeps only the last 5 MB of each partition (a limit fixed
# in librdkafka): 20,000 enriched records (~10 KB each) need 40 partitions.
PARTITIONS=${PARTITIONS:-$([[ "$BROKER" == mock ]] && echo 48 || echo 2)}
STEADY_SECONDS=${STEADY_SECONDS:-20}
BIN=${BIN:-target/release/article-enricher}
if [[ -n "${WORDS:-}" ]]; then SIZE=(--words "$WORDS"); else SIZE=(--bytes "${BYTES:-4000}"); fi
# The Kafka jars and the Python client (confluent-kafka) for the helper.
eval "$(tests/kafka/fetch.sh)"
HELPER="$PYTHON bench/pipeline.py"
WORK=$(mktemp -d /tmp/enricher-bench.XXXXXX)
PIDS=()

cleanup() {
    # Only the processes this script started, by pid.
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ "${KEEP:-0}" == 1 ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
    for _ in $(seq 300); do
        (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

[[ -x "$BIN" ]] || { echo "build the worker first: cargo build --release ($BIN missing)" >&2; exit 1; }

TOPICS=("in:$PARTITIONS" "out-passthrough:$PARTITIONS" "out-enrich:$PARTITIONS"
    "out-enrich-eos:$PARTITIONS" "dlq-eos:1" "in-steady:$PARTITIONS" "out-steady:$PARTITIONS"
    "in-steady-eos:$PARTITIONS" "out-steady-eos:$PARTITIONS")
case "$BROKER" in
kafka)
    PORT=$(free_port)
    BROKERS=127.0.0.1:$PORT
    tests/kafka/broker.sh "$PORT" "$(free_port)" "$WORK/kafka" > "$WORK/kafka.log" 2>&1 &
    BROKER_PID=$! # broker.sh execs the JVM: this is the broker's pid
    PIDS+=("$BROKER_PID")
    $HELPER ready --brokers "$BROKERS" > /dev/null || { tail -20 "$WORK/kafka.log" >&2; exit 1; }
    ;;
mock)
    cargo build --quiet --release --example mock_broker
    mkfifo "$WORK/mock.out"
    "${CARGO_TARGET_DIR:-target}/release/examples/mock_broker" "${TOPICS[@]}" > "$WORK/mock.out" 2> "$WORK/mock.log" &
    BROKER_PID=$!
    PIDS+=("$BROKER_PID")
    read -r BROKERS < "$WORK/mock.out"
    ;;
*) echo "BROKER must be kafka or mock" >&2; exit 1 ;;
esac

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# worker: $BIN ($(git rev-parse --short HEAD)$(git diff --quiet -- src || echo ', src modified'))"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ "$BROKER" == kafka ]]; then
    echo "# broker: Apache Kafka at $BROKERS (${KAFKA_LIBS%/libs}, heap ${KAFKA_HEAP:-512m}, pid $BROKER_PID)"
else
    echo "# broker: librdkafka's mock cluster at $BROKERS"
fi
if [[ "$BROKER" == kafka ]]; then
    $PYTHON tests/e2e/kafka_client.py create --brokers "$BROKERS" "${TOPICS[@]}" > /dev/null
fi
echo "# articles: ${SIZE[*]}, $COUNT of them, $PARTITIONS partitions"
echo "preload: $($HELPER load --brokers "$BROKERS" --topic in --count "$COUNT" "${SIZE[@]}")"

# start_worker NAME INPUT OUTPUT [FLAGS...]: starts the worker, sets WORKER_PID, METRICS.
start_worker() {
    local name=$1 input=$2 output=$3
    shift 3
    local mport
    mport=$(free_port)
    METRICS="http://127.0.0.1:$mport/metrics"
    "$BIN" run --brokers "$BROKERS" --input-topic "$input" --output-topic "$output" \
        --group-id "bench-$name" --metrics-addr "127.0.0.1:$mport" --log warn \
        ${WORKER_FLAGS:-} "$@" \
        > "$WORK/$name.log" 2>&1 &
    WORKER_PID=$!
    PIDS+=("$WORKER_PID")
}

stop_worker() {
    kill -TERM "$WORKER_PID"
    wait "$WORKER_PID" || echo "worker exited with $?" >&2
}

# CPU seconds (user + system) a process has used so far: where the 2 cores go.
cpu_seconds() {
    awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / tck }' "/proc/$1/stat"
}

peak_rss_mb() {
    awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# throughput NAME OUTPUT [FLAGS...]: the whole pre-loaded topic through one
# worker. Sets RATE to articles/s over the span of the output CreateTimes
# (first to last record: group join and start-up excluded) and START_RATE to
# COUNT / seconds from launching the worker to /metrics counting COUNT.
throughput() {
    local name=$1 output=$2
    shift 2
    local mode=at-least-once
    [[ " $* " == *" exactly-once "* ]] && mode=exactly-once
    echo "## $name ($mode${*:+, $*}); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    local broker_cpu timing drained
    broker_cpu=$(cpu_seconds "$BROKER_PID")
    start_worker "$name" in "$output" "$@"
    timing=$($HELPER wait --metrics "$METRICS" --count "$COUNT")
    local worker_cpu broker_used
    worker_cpu=$(cpu_seconds "$WORKER_PID")
    broker_used=$(echo "$(cpu_seconds "$BROKER_PID") - $broker_cpu" | bc)
    echo "$name peak RSS (VmHWM): worker $(peak_rss_mb "$WORKER_PID") MB, broker $(peak_rss_mb "$BROKER_PID") MB"
    echo "$name CPU seconds: worker $worker_cpu, broker $broker_used; per article: worker $(echo "scale=3; 1000 * $worker_cpu / $COUNT" | bc) ms, broker $(echo "scale=3; 1000 * $broker_used / $COUNT" | bc) ms"
    stop_worker
    drained=$($HELPER drain --brokers "$BROKERS" --topic "$output" --count "$COUNT")
    echo "$name metrics: $timing"
    echo "$name output: $drained"
    read -r START_RATE RATE < <(python3 -c '
import json, sys
t, d, n = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
print(round(n / t["seconds_to_all"]), round(d["output_rate"]))' "$timing" "$drained" "$COUNT")
    echo "$name articles/s: $RATE first to last output record; $START_RATE from worker launch"
}

EOS_FLAGS=(--delivery exactly-once --dlq-topic dlq-eos --transactional-id bench-eos)
throughput passthrough out-passthrough --no-extract
PASS_RATE=$RATE PASS_START_RATE=$START_RATE
throughput enrich out-enrich
ENRICH_RATE=$RATE ENRICH_START_RATE=$START_RATE
echo "enrich / passthrough: $(python3 -c "print(f'{$ENRICH_RATE / $PASS_RATE:.1%} (output span), {$START_RATE / $PASS_START_RATE:.1%} (from launch)')")"
throughput enrich-eos out-enrich-eos "${EOS_FLAGS[@]}"
EOS_RATE=$RATE
echo "exactly-once / at-least-once: $(python3 -c "print(f'{$EOS_RATE / $ENRICH_RATE:.1%} (output span), {$START_RATE / $ENRICH_START_RATE:.1%} (from launch)')")"

# steady NAME MAX_RATE INPUT OUTPUT [FLAGS...]: latency at half of MAX_RATE (or STEADY_RATE).
steady() {
    local name=$1 rate=${STEADY_RATE:-$(($2 / 2))} input=$3 output=$4
    shift 4
    local count=$((rate * STEADY_SECONDS))
    echo "## $name: latency at $rate articles/s for ${STEADY_SECONDS}s${*:+ ($*)}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    start_worker "$name" "$input" "$output" "$@"
    # Let the worker join its group before the clock starts (its first poll
    # otherwise waits on the join, which is start-up, not latency).
    until curl -sf "${METRICS%/metrics}/readyz" > /dev/null; do sleep 0.1; done
    sleep 5
    # The reader follows the output from before the first input record.
    $HELPER drain --brokers "$BROKERS" --topic "$output" --count "$count" --live \
        > "$WORK/$name.drain" &
    local reader=$!
    PIDS+=("$reader")
    sleep 3
    echo "$name load: $($HELPER load --brokers "$BROKERS" --topic "$input" --count "$count" --rate "$rate" --prefix "$name" "${SIZE[@]}")"
    $HELPER wait --metrics "$METRICS" --count "$count" > /dev/null
    wait "$reader"
    echo "$name peak RSS (VmHWM): $(peak_rss_mb "$WORKER_PID") MB"
    stop_worker
    echo "$name output: $(cat "$WORK/$name.drain")"
}
steady steady "$ENRICH_RATE" in-steady out-steady
steady steady-eos "$EOS_RATE" in-steady-eos out-steady-eos "${EOS_FLAGS[@]}"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

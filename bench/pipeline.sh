#!/usr/bin/env bash
# End-to-end worker benchmark on a real Kafka-protocol broker (tansu).
#
#   bench/pipeline.sh            # 20,000 typical (~4 KB) articles
#   COUNT=5000 bench/pipeline.sh # a quicker run
#
# 1. starts tansu (memory storage) on a free port and creates the topics
#    (with the e2e tests' client, tests/e2e/kafka_client.py);
# 2. pre-loads COUNT articles into the input topic (bench/pipeline.py load);
# 3. runs the release worker in at-least-once mode with --no-extract
#    (pass-through: parse and re-serialize only, the I/O limit), then with
#    extraction, each with its own group and output topic, and measures the time
#    until /metrics counts COUNT published records, the span of the output
#    CreateTimes, and the worker's peak RSS (VmHWM);
# 4. runs an enriching worker on an empty topic, produces at a steady half of
#    the measured enriching rate for STEADY_SECONDS, and reports the latency
#    percentiles: output CreateTime - the record's source.timestamp (input
#    CreateTime; same machine clock).
# Exactly-once mode cannot run on tansu (it refuses EndTxn). With BROKER=mock the
# same runs go to librdkafka's mock cluster (examples/mock_broker.rs, built on
# demand), plus one with --delivery exactly-once: both delivery modes on one
# broker, though not a real one (one in-process, memory-only broker).
#
# Environment: BIN (worker binary, default target/release/article-enricher),
# BROKER (tansu or mock, default tansu),
# TANSU (default: tansu on PATH or ~/.cargo/bin/tansu), PARTITIONS (2; 48 on mock),
# STEADY_SECONDS (20), KEEP=1 keeps the work directory with the logs,
# WORKER_FLAGS: extra flags for every worker run (e.g. "-X fetch.wait.max.ms=50").
set -euo pipefail

cd "$(dirname "$0")/.."
COUNT=${COUNT:-20000}
BROKER=${BROKER:-tansu}
# The mock cluster keeps only the last 5 MB of each partition (a limit fixed
# in librdkafka): 20,000 enriched records (~10 KB each) need 40 partitions.
PARTITIONS=${PARTITIONS:-$([[ "$BROKER" == mock ]] && echo 48 || echo 2)}
STEADY_SECONDS=${STEADY_SECONDS:-20}
BIN=${BIN:-target/release/article-enricher}
TANSU=${TANSU:-$(command -v tansu || echo "$HOME/.cargo/bin/tansu")}
HELPER="python3 bench/pipeline.py"
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
    "in-steady:$PARTITIONS" "out-steady:$PARTITIONS")
case "$BROKER" in
tansu)
    PORT=$(free_port)
    BROKERS=127.0.0.1:$PORT
    (cd "$WORK" && exec "$TANSU" broker --listener-url "tcp://$BROKERS" \
        --advertised-listener-url "tcp://$BROKERS" --storage-engine memory://tansu/) \
        > "$WORK/tansu.log" 2>&1 &
    BROKER_PID=$!
    PIDS+=("$BROKER_PID")
    wait_port "$PORT"
    ;;
mock)
    cargo build --quiet --release --example mock_broker
    TOPICS+=("out-enrich-eos:$PARTITIONS" "dlq-eos:1")
    mkfifo "$WORK/mock.out"
    target/release/examples/mock_broker "${TOPICS[@]}" > "$WORK/mock.out" 2> "$WORK/mock.log" &
    BROKER_PID=$!
    PIDS+=("$BROKER_PID")
    read -r BROKERS < "$WORK/mock.out"
    ;;
*) echo "BROKER must be tansu or mock" >&2; exit 1 ;;
esac

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# worker: $BIN ($(git rev-parse --short HEAD)$(git diff --quiet -- src || echo ', src modified'))"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# broker: $BROKER at $BROKERS"
if [[ "$BROKER" == tansu ]]; then
    python3 tests/e2e/kafka_client.py create --brokers "$BROKERS" "${TOPICS[@]}"
fi
echo "preload: $($HELPER load --brokers "$BROKERS" --topic in --count "$COUNT")"

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
    echo "$name peak RSS (VmHWM): $(peak_rss_mb "$WORKER_PID") MB"
    echo "$name CPU seconds: worker $(cpu_seconds "$WORKER_PID"), broker $(echo "$(cpu_seconds "$BROKER_PID") - $broker_cpu" | bc)"
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

throughput passthrough out-passthrough --no-extract
PASS_RATE=$RATE PASS_START_RATE=$START_RATE
throughput enrich out-enrich
ENRICH_RATE=$RATE
echo "enrich / passthrough: $(python3 -c "print(f'{$ENRICH_RATE / $PASS_RATE:.1%} (output span), {$START_RATE / $PASS_START_RATE:.1%} (from launch)')")"
if [[ "$BROKER" == mock ]]; then
    throughput enrich-eos out-enrich-eos --delivery exactly-once --dlq-topic dlq-eos \
        --transactional-id bench-eos
    echo "exactly-once / at-least-once: $(python3 -c "print(f'{$RATE / $ENRICH_RATE:.1%}')")"
fi

# Latency at a steady half of the enriching worker's maximum.
STEADY_RATE=$((ENRICH_RATE / 2))
STEADY_COUNT=$((STEADY_RATE * STEADY_SECONDS))
echo "## latency at $STEADY_RATE articles/s for ${STEADY_SECONDS}s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_worker steady in-steady out-steady
# Let the worker join its group before the clock starts (its first poll
# otherwise waits on the join, which is start-up, not latency).
until curl -sf "${METRICS%/metrics}/readyz" > /dev/null; do sleep 0.1; done
sleep 5
echo "steady load: $($HELPER load --brokers "$BROKERS" --topic in-steady --count "$STEADY_COUNT" --rate "$STEADY_RATE" --prefix steady)"
$HELPER wait --metrics "$METRICS" --count "$STEADY_COUNT" > /dev/null
echo "steady peak RSS (VmHWM): $(peak_rss_mb "$WORKER_PID") MB"
stop_worker
echo "steady output: $($HELPER drain --brokers "$BROKERS" --topic out-steady --count "$STEADY_COUNT")"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Every number of BENCHMARKS.md in one go (about 20 minutes on 2 cores):
# criterion extraction bench, `extract` 1 vs 2 processes on generated typical
# articles and on CoNLL dev, then the pipeline on Apache Kafka (both delivery
# modes, 4 KB and 800-word articles), then both delivery modes on librdkafka's
# mock cluster. Prints the load average
# before each step, since the numbers are only as good as the machine is idle.
#
#   bench/run_all.sh 2>&1 | tee bench-results.txt
#
# Environment: CARGO_TARGET_DIR (as for cargo), CONLL_DEV (default
# ../shared/data/conll2003/valid.txt; the step is skipped if it is missing).
set -euo pipefail

cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
export BIN=$TARGET/release/article-enricher
CONLL_DEV=${CONLL_DEV:-../shared/data/conll2003/valid.txt}
WORK=$(mktemp -d /tmp/enricher-all.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

step() { echo; echo "=== $* ($(date +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"; }

cargo build --release --locked --quiet
echo "commit $(git rev-parse --short HEAD); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

step "criterion: cargo bench --bench extract"
cargo bench --locked --quiet --bench extract 2>&1 | grep -Ev '^\s*$|^Benchmarking|^Found|outliers|high (mild|severe)|low (mild|severe)|^\s+time:\s+\[[-+]|^\s+thrpt:\s+\[[-+]|change|Performance|No change'

step "extract: 4,000 typical articles, 1 vs 2 processes"
bench/extract.sh

if [[ -f "$CONLL_DEV" ]]; then
    python3 ../shared/eval/conll_to_articles.py "$CONLL_DEV" --gold "$WORK/gold.jsonl" > "$WORK/dev.jsonl"
    for i in $(seq 10); do cat "$WORK/dev.jsonl"; done > "$WORK/dev-x10.jsonl"
    step "extract: CoNLL dev once (start-up included)"
    bench/extract.sh "$WORK/dev.jsonl"
    step "extract: CoNLL dev ten times over"
    bench/extract.sh "$WORK/dev-x10.jsonl"
fi

step "pipeline: Apache Kafka, 20,000 typical (4 KB) articles, both delivery modes"
bench/pipeline.sh

step "pipeline: Apache Kafka, 20,000 real-length (800-word) articles, both delivery modes"
WORDS=800 bench/pipeline.sh

step "pipeline: mock cluster, at-least-once and exactly-once"
BROKER=mock bench/pipeline.sh

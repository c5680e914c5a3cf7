#!/usr/bin/env bash
# `extract` throughput of the release binary: words/s on one core, and the
# speed-up of two processes on two halves of the input over one on all of it.
#
#   bench/extract.sh                 # 4,000 generated typical (~4 KB) articles
#   bench/extract.sh ARTICLES.jsonl  # any JSONL input, e.g. CoNLL dev (BENCHMARKS.md)
#
# Words are whitespace-separated words of each article's text. Each timing is
# the best of RUNS (3) runs: the machine is shared, and the minimum is the
# least disturbed. Output goes to /dev/null (the JSON is still written).
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/article-enricher}
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/enricher-extract.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

[[ -x "$BIN" ]] || { echo "build the worker first: cargo build --release ($BIN missing)" >&2; exit 1; }

INPUT=${1:-}
if [[ -z "$INPUT" ]]; then
    INPUT=$WORK/articles.jsonl
    python3 bench/pipeline.py articles --count 4000 > "$INPUT"
fi
LINES=$(grep -c . "$INPUT")
WORDS=$(python3 -c 'import json, sys; print(sum(len(json.loads(l)["text"].split()) for l in open(sys.argv[1]) if l.strip()))' "$INPUT")
HALF=$(((LINES + 1) / 2))
head -n "$HALF" "$INPUT" > "$WORK/a.jsonl"
tail -n +"$((HALF + 1))" "$INPUT" > "$WORK/b.jsonl"

now() { date +%s.%N; }

# best_of CMD...: the smallest wall time of RUNS runs, in seconds.
best_of() {
    local best="" start t
    for _ in $(seq "$RUNS"); do
        start=$(now)
        "$@"
        t=$(echo "$(now) - $start" | bc)
        if [[ -z "$best" ]] || (($(echo "$t < $best" | bc))); then best=$t; fi
    done
    echo "$best"
}

one() { taskset -c 0 "$BIN" extract --input "$INPUT" > /dev/null; }
two() {
    taskset -c 0 "$BIN" extract --input "$WORK/a.jsonl" > /dev/null &
    local a=$!
    taskset -c 1 "$BIN" extract --input "$WORK/b.jsonl" > /dev/null
    wait "$a"
}

echo "# input: $INPUT ($LINES articles, $WORDS words); load average $(cut -d' ' -f1-3 /proc/loadavg)"
T1=$(best_of one)
T2=$(best_of two)
python3 - "$LINES" "$WORDS" "$T1" "$T2" <<'PY'
import sys
lines, words, t1, t2 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"1 process, 1 core : {t1:.3f} s  {words / t1:,.0f} words/s  {lines / t1:,.0f} articles/s")
print(f"2 processes, 2 cores: {t2:.3f} s  {words / t2:,.0f} words/s  {lines / t2:,.0f} articles/s")
print(f"speed-up 2 vs 1: {t1 / t2:.2f}x")
PY
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

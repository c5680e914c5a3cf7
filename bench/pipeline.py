#!/usr/bin/env python3
"""Helper of bench/pipeline.sh: load articles, watch the worker, measure latency.

Uses confluent-kafka (its own librdkafka), independent of the worker's code.

  pipeline.py ready   --brokers B [--timeout S]
      waits until the broker answers a metadata request with a broker in it.
  pipeline.py load    --brokers B --topic T --count N [--bytes 4000 | --words W] [--rate R]
      produces N articles of about BYTES of text (or W words) each, batched
      and lz4-compressed; with --rate, at a steady R articles/s (the message
      CreateTime is the moment of sending). Prints the mean text size.
  pipeline.py articles --count N [--bytes 4000 | --words W]   (JSONL on stdout, for extract)
  pipeline.py wait    --metrics URL --count N [--timeout S]
      polls the worker's /metrics until enricher_articles_enriched_total >= N;
      prints the seconds from the call to the first enriched article and to N.
  pipeline.py drain   --brokers B --topic T --count N [--live]
      reads N output records (read_committed); prints the span of their
      CreateTimes (first to last output) and the latency percentiles output
      CreateTime - source.timestamp ("created"); with --live (a reader started
      before the input), also when each record reached the reader -
      source.timestamp ("visible": in exactly-once mode, after its commit).

Articles are built like benches/extract/corpus.rs: the English paragraphs of
samples/articles.jsonl and tests/data/seed.jsonl, concatenated from a rotating
start until the text reaches the size.
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.request

from confluent_kafka import Consumer, Producer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["samples/articles.jsonl", "tests/data/seed.jsonl"]


def paragraphs_and_titles():
    paragraphs, titles = [], []
    for name in SOURCES:
        with open(os.path.join(REPO, name), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                article = json.loads(line)
                if article.get("language", "en") != "en":
                    continue
                if article.get("title"):
                    titles.append(article["title"])
                for p in article["text"].split("\n"):
                    p = p.strip()
                    if p and p not in paragraphs:
                        paragraphs.append(p)
    return paragraphs, titles


def articles(count, target_bytes, prefix, target_words=None):
    """Articles of about target_bytes bytes of text, or target_words words."""
    paragraphs, titles = paragraphs_and_titles()
    for i in range(count):
        parts, size, nxt = [], 0, i % len(paragraphs)
        while size < (target_words or target_bytes):
            parts.append(paragraphs[nxt])
            size += len(paragraphs[nxt].split()) if target_words else len(paragraphs[nxt].encode()) + 1
            nxt = (nxt + 1) % len(paragraphs)
        yield f"{prefix}-{i}", json.dumps({
            "id": f"{prefix}-{i}",
            "title": titles[i % len(titles)],
            "source": "bench",
            "language": "en",
            "text": "\n".join(parts),
        }).encode()


def load(args):
    producer = Producer({
        "bootstrap.servers": args.brokers,
        "linger.ms": 5 if args.rate else 20,
        "compression.type": "lz4",
    })
    failures = []

    def on_delivery(err, _msg):
        if err is not None:
            failures.append(str(err))

    started = time.monotonic()
    text_bytes = words = 0
    for i, (key, value) in enumerate(articles(args.count, args.bytes, args.prefix, args.words)):
        if i < 1000:
            text = json.loads(value)["text"]
            text_bytes += len(text.encode())
            words += len(text.split())
        if args.rate:
            # Steady pacing against the schedule, not sleep-per-message (no drift).
            delay = started + i / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        while True:
            try:
                producer.produce(args.topic, value=value, key=key, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(120)
    elapsed = time.monotonic() - started
    if left or failures:
        sys.exit(f"produce failed: {left} undelivered, errors: {failures[:3]}")
    sampled = min(args.count, 1000)
    print(json.dumps({"produced": args.count, "seconds": round(elapsed, 3),
                      "rate": round(args.count / elapsed, 1),
                      "mean_text_bytes": round(text_bytes / sampled),
                      "mean_words": round(words / sampled)}))


def write_articles(args):
    out = sys.stdout.buffer
    for _key, value in articles(args.count, args.bytes, args.prefix, args.words):
        out.write(value + b"\n")


def ready(args):
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": args.brokers, "log_level": 0})
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        try:
            if admin.list_topics(timeout=2).brokers:
                print(json.dumps({"ready": args.brokers}))
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.2)
    sys.exit(f"no broker answered on {args.brokers} within {args.timeout}s")


def enriched_total(url):
    with urllib.request.urlopen(url, timeout=2) as r:
        text = r.read().decode()
    m = re.search(r"^enricher_articles_enriched_total (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def wait(args):
    started = time.monotonic()
    first = None
    deadline = started + args.timeout
    while time.monotonic() < deadline:
        try:
            n = enriched_total(args.metrics)
        except OSError:
            n = 0  # the endpoint is not up yet
        now = time.monotonic()
        if n > 0 and first is None:
            first = now - started
        if n >= args.count:
            print(json.dumps({"enriched": n, "seconds_to_first": round(first, 3),
                              "seconds_to_all": round(now - started, 3)}))
            return
        time.sleep(0.05)
    sys.exit(f"timeout: only {n} of {args.count} enriched after {args.timeout}s")


def percentile(sorted_values, q):
    # Nearest rank: the smallest value with at least q of the values at or below it.
    k = max(0, min(len(sorted_values) - 1, int(q * len(sorted_values) + 0.999999) - 1))
    return sorted_values[k]


def drain(args):
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"bench-drain-{time.time_ns()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    })
    if args.live:
        # Assigned, not subscribed: reading from the start, with no group
        # join that could delay the first records.
        from confluent_kafka import TopicPartition, OFFSET_BEGINNING

        parts = consumer.list_topics(args.topic, timeout=10).topics[args.topic].partitions
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in parts])
    else:
        consumer.subscribe([args.topic])
    latencies, visible, out_ts, seen = [], [], [], set()
    deadline = time.monotonic() + args.timeout
    try:
        while len(seen) < args.count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            key = msg.key()
            if key in seen:
                continue  # a redelivery (at-least-once): count each article once
            seen.add(key)
            now_ms = time.time() * 1000
            _, ts = msg.timestamp()
            record = json.loads(msg.value())
            out_ts.append(ts)
            latencies.append(ts - record["source"]["timestamp"])
            visible.append(round(now_ms - record["source"]["timestamp"]))
    finally:
        consumer.close()
    if len(seen) < args.count:
        sys.exit(f"only {len(seen)} of {args.count} records arrived")
    latencies.sort()
    visible.sort()
    span = (max(out_ts) - min(out_ts)) / 1000

    def summary(values):
        return {"p50": percentile(values, 0.50), "p99": percentile(values, 0.99),
                "max": values[-1], "min": values[0]}

    result = {
        "records": len(seen),
        "output_span_seconds": round(span, 3),
        "output_rate": round((len(seen) - 1) / span, 1) if span > 0 else None,
        "latency_ms": summary(latencies),
    }
    if args.live:
        result = {"visible_latency_ms": summary(visible), "created_latency_ms": result.pop("latency_ms"),
                  **result}
    print(json.dumps(result))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load")
    p.add_argument("--brokers", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--bytes", type=int, default=4000)
    p.add_argument("--words", type=int)
    p.add_argument("--rate", type=float)
    p.add_argument("--prefix", default="bench")
    a = sub.add_parser("articles")
    a.add_argument("--count", type=int, required=True)
    a.add_argument("--bytes", type=int, default=4000)
    a.add_argument("--words", type=int)
    a.add_argument("--prefix", default="bench")
    w = sub.add_parser("wait")
    w.add_argument("--metrics", required=True)
    w.add_argument("--count", type=int, required=True)
    w.add_argument("--timeout", type=float, default=600)
    d = sub.add_parser("drain")
    d.add_argument("--brokers", required=True)
    d.add_argument("--topic", required=True)
    d.add_argument("--count", type=int, required=True)
    d.add_argument("--timeout", type=float, default=300)
    d.add_argument("--live", action="store_true")
    r = sub.add_parser("ready")
    r.add_argument("--brokers", required=True)
    r.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    {"load": load, "articles": write_articles, "wait": wait, "drain": drain,
     "ready": ready}[args.cmd](args)


if __name__ == "__main__":
    main()

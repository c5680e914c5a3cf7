#!/usr/bin/env python3
"""Independent Kafka client for article-enricher's end-to-end tests.

Uses confluent-kafka (its own librdkafka build), not the worker's code, so the
tests see the topics the way any downstream user would.

  kafka_client.py create   --brokers B TOPIC[:PARTITIONS] ...
  kafka_client.py produce  --brokers B --topic T [--linger-ms 5] [--compression lz4]
                           [--transactional-id ID [--open-tail N]] < messages.jsonl
      stdin: one JSON object per line {"key": str|null, "value_hex": str|null}
      produces as ordinary producers do: batched (linger.ms) and compressed; with
      --transactional-id, in transactions of 100 records, the last N records
      left in a transaction that is neither committed nor aborted (the process
      exits without ending it, as a crashed producer would).
  kafka_client.py consume  --brokers B --topic T --count N [--timeout S] [--schema FILE]
                           [--isolation read_committed|read_uncommitted]
      stdout: one JSON object per message {"partition", "offset", "key", "value", "headers"}
      exits 1 if fewer than N distinct messages (key, value, headers) arrive in time; duplicates
      are printed too but not counted; with --schema, validates
      each value against the JSON Schema (exits 1 on the first invalid one).
"""
import argparse
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def create(args):
    admin = AdminClient({"bootstrap.servers": args.brokers})
    topics = []
    for spec in args.topics:
        name, _, parts = spec.partition(":")
        topics.append(NewTopic(name, num_partitions=int(parts or 1), replication_factor=1))
    for name, fut in admin.create_topics(topics, operation_timeout=30).items():
        try:
            fut.result()
        except Exception as e:  # already exists is fine for reruns
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise
    print(json.dumps({"created": [t.topic for t in topics]}))


def produce(args):
    config = {"bootstrap.servers": args.brokers, "linger.ms": args.linger_ms,
              "compression.type": args.compression}
    if args.transactional_id:
        config["transactional.id"] = args.transactional_id
    producer = Producer(config)
    failures = []

    def on_delivery(err, _msg):
        if err is not None:
            failures.append(str(err))

    def send(m):
        value = bytes.fromhex(m["value_hex"]) if m.get("value_hex") is not None else None
        while True:
            try:
                producer.produce(args.topic, value=value, key=m.get("key"), on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)

    lines = [json.loads(line) for line in sys.stdin if line.strip()]
    if not args.transactional_id:
        for m in lines:
            send(m)
    else:
        producer.init_transactions(30)
        closed = lines[:len(lines) - args.open_tail]
        for i in range(0, len(closed), 100):
            producer.begin_transaction()
            for m in closed[i:i + 100]:
                send(m)
            producer.commit_transaction(30)
        if args.open_tail:
            producer.begin_transaction()
            for m in lines[len(closed):]:
                send(m)
    left = producer.flush(60)
    if left or failures:
        sys.exit(f"produce failed: {left} undelivered, errors: {failures[:3]}")
    print(json.dumps({"produced": len(lines)}), flush=True)
    if args.open_tail:
        # Leave the transaction open: exit without committing or aborting.
        os._exit(0)


def consume(args):
    validator = None
    if args.schema:
        import jsonschema

        with open(args.schema) as f:
            validator = jsonschema.Draft202012Validator(json.load(f))
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"e2e-reader-{time.time_ns()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": args.isolation,
    })
    consumer.subscribe([args.topic])
    # Counts distinct records (key, value, headers): at-least-once may deliver
    # duplicates, and they must not end the read before every distinct
    # record has arrived.
    seen = set()
    got = 0
    deadline = time.time() + args.timeout
    try:
        while got < args.count and time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                print(f"consumer error: {msg.error()}", file=sys.stderr)
                continue
            value = msg.value()
            if validator is not None:
                validator.validate(json.loads(value))
            headers = {k: (v.decode("utf-8", "replace") if v is not None else None)
                       for k, v in (msg.headers() or [])}
            print(json.dumps({
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": msg.key().decode("utf-8", "replace") if msg.key() is not None else None,
                "value": value.decode("utf-8", "replace") if value is not None else None,
                "headers": headers,
            }), flush=True)
            # A redelivered record repeats key, value and headers byte for byte
            # (records are reproducible, DLQ headers name the input offset);
            # records of distinct inputs differ in one of them.
            identity = (msg.key(), msg.value(), tuple(msg.headers() or []))
            if identity not in seen:
                seen.add(identity)
                got += 1
        # Linger briefly so that duplicates beyond the expected count show up.
        end = time.time() + args.linger
        while time.time() < end:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                print(json.dumps({"partition": msg.partition(), "offset": msg.offset(),
                                  "key": msg.key().decode() if msg.key() else None,
                                  "value": msg.value().decode("utf-8", "replace") if msg.value() else None,
                                  "headers": {}}), flush=True)
                got += 1
    finally:
        consumer.close()
    if got < args.count:
        sys.exit(f"only {got} of {args.count} messages arrived within {args.timeout}s")


def committed(args):
    consumer = Consumer({"bootstrap.servers": args.brokers, "group.id": args.group})
    parts = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    out = {str(tp.partition): tp.offset for tp in consumer.committed(parts, timeout=10)}
    consumer.close()
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create")
    c.add_argument("--brokers", required=True)
    c.add_argument("topics", nargs="+")
    p = sub.add_parser("produce")
    p.add_argument("--brokers", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--linger-ms", type=int, default=5)
    p.add_argument("--compression", default="lz4")
    p.add_argument("--transactional-id")
    p.add_argument("--open-tail", type=int, default=0)
    r = sub.add_parser("consume")
    r.add_argument("--brokers", required=True)
    r.add_argument("--topic", required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--timeout", type=float, default=60)
    r.add_argument("--linger", type=float, default=1.0)
    r.add_argument("--schema")
    r.add_argument("--isolation", default="read_committed",
                   choices=["read_committed", "read_uncommitted"])
    k = sub.add_parser("committed")
    k.add_argument("--brokers", required=True)
    k.add_argument("--group", required=True)
    k.add_argument("--topic", required=True)
    k.add_argument("--partitions", type=int, default=1)
    args = ap.parse_args()
    {"create": create, "produce": produce, "consume": consume, "committed": committed}[args.cmd](args)


if __name__ == "__main__":
    main()

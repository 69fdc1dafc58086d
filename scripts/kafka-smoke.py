#!/usr/bin/env python3
"""Kafka smoke test: produce N messages to a topic and read them back.

Diagnostic for the test broker started by scripts/kafka:

    BOOTSTRAP=$(scripts/kafka start | tail -n1)
    "$(scripts/python-env | tail -n1)/bin/python" scripts/kafka-smoke.py \
        --bootstrap "$BOOTSTRAP"

Exits 0 when every produced message was consumed back, non-zero otherwise.
Every step is bounded by a timeout so a broken broker cannot hang CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid

from aiokafka import (  # type: ignore[import-untyped]  # no py.typed in 0.14
    AIOKafkaConsumer,
    AIOKafkaProducer,
)


def log(message: str) -> None:
    print(f"kafka-smoke: {message}", file=sys.stderr, flush=True)


async def produce(bootstrap: str, topic: str, payloads: list[bytes]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        request_timeout_ms=10_000,
    )
    await producer.start()
    try:
        for payload in payloads:
            meta = await producer.send_and_wait(topic, payload)
            log(f"produced partition={meta.partition} offset={meta.offset}")
    finally:
        await producer.stop()


async def consume(bootstrap: str, topic: str, expected: list[bytes]) -> list[bytes]:
    # A fresh group per run and earliest reset: read everything this run wrote,
    # and filter to this run's payloads so reruns on the same topic still pass.
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"kafka-smoke-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        request_timeout_ms=10_000,
    )
    await consumer.start()
    wanted = set(expected)
    seen: list[bytes] = []
    try:
        while len(seen) < len(expected):
            batches = await consumer.getmany(timeout_ms=1_000)
            for tp, records in batches.items():
                for record in records:
                    if record.value in wanted:
                        seen.append(record.value)
                        log(f"consumed partition={tp.partition} offset={record.offset}")
    finally:
        await consumer.stop()
    return seen


async def run(args: argparse.Namespace) -> int:
    run_id = uuid.uuid4().hex[:8]
    payloads = [f"smoke {run_id} #{i}".encode() for i in range(args.count)]

    started = time.monotonic()
    await asyncio.wait_for(produce(args.bootstrap, args.topic, payloads), args.timeout)
    log(f"produced {len(payloads)} message(s) to {args.topic}")

    received = await asyncio.wait_for(
        consume(args.bootstrap, args.topic, payloads), args.timeout
    )
    if sorted(received) != sorted(payloads):
        log(f"FAIL: expected {payloads!r}, got {received!r}")
        return 1
    log(
        f"OK: {len(received)} message(s) round-tripped in {time.monotonic() - started:.1f}s"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:19092"),
        help="bootstrap server (default: $KAFKA_BOOTSTRAP or 127.0.0.1:19092)",
    )
    parser.add_argument("--topic", default="smoke.v1")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds allowed per step"
    )
    args = parser.parse_args()
    try:
        return asyncio.run(run(args))
    except TimeoutError:
        log(f"FAIL: step timed out after {args.timeout}s")
        return 2
    # Any client error is a smoke failure. CancelledError is a BaseException
    # and aiokafka can surface it from stop(), so it is listed explicitly.
    except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001
        log(f"FAIL: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())

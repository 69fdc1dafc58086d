#!/usr/bin/env python3
"""Reads every message of some Kafka topics, from the beginning, as JSON lines.

    consume_events.py --bootstrap 127.0.0.1:19092 --topic T [--topic T2 ...]

Prints one line per message to stdout::

    {"topic": ..., "partition": ..., "offset": ..., "key": ..., "value": ...}

``key`` is the key decoded as UTF-8 (null when absent); ``value`` is the value parsed
as JSON, or its text when it is not JSON. Messages are read with no consumer group
(nothing is committed) up to the end offsets found when reading starts, so the
producer must have finished. A topic the broker does not know reads as empty.
``--expect N`` waits (within ``--timeout``) until at least N messages exist in all,
for a producer that may still be flushing.

Exit codes: 0 read to the end; 2 timed out (what was read is still printed);
1 Kafka error. Every step is bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from aiokafka import (  # type: ignore[import-untyped]  # no py.typed in 0.14
    AIOKafkaConsumer,
    TopicPartition,
)
from aiokafka.admin import (  # type: ignore[import-untyped]  # no py.typed in 0.14
    AIOKafkaAdminClient,
)
from aiokafka.errors import (  # type: ignore[import-untyped]  # no py.typed in 0.14
    KafkaError,
)

UNKNOWN_TOPIC_OR_PARTITION = 3


def log(message: str) -> None:
    print(f"consume_events: {message}", file=sys.stderr, flush=True)


def decode_value(raw: bytes | None) -> object:
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed: object = json.loads(text)
    except ValueError:
        return text
    return parsed


async def partitions_of(admin: Any, topics: list[str]) -> list[Any]:
    """The partitions of ``topics`` the broker knows (describing does not create)."""
    partitions: list[Any] = []
    descriptions: list[dict[str, Any]] = await admin.describe_topics(topics)
    for description in descriptions:
        topic: str = description["topic"]
        error: int = description["error_code"]
        if error == UNKNOWN_TOPIC_OR_PARTITION:
            log(f"topic {topic} does not exist: read as empty")
            continue
        if error:
            raise RuntimeError(f"describing topic {topic} failed: error {error}")
        for partition in description["partitions"]:
            partitions.append(TopicPartition(topic, partition["partition"]))
    return partitions


async def end_offsets(
    admin: Any, consumer: Any, topics: list[str], expect: int
) -> dict[Any, int]:
    """End offsets of every partition; with ``expect``, waits for that many messages."""
    while True:
        partitions = await partitions_of(admin, topics)
        ends: dict[Any, int] = {}
        if partitions:
            ends = dict(await consumer.end_offsets(partitions))
            starts: dict[Any, int] = dict(await consumer.beginning_offsets(partitions))
            available = sum(ends[tp] - starts[tp] for tp in partitions)
        else:
            available = 0
        if available >= expect:
            return ends
        await asyncio.sleep(0.2)


async def read(
    consumer: Any, ends: dict[Any, int], out: list[dict[str, object]]
) -> None:
    """Reads every partition from its beginning up to its end offset into ``out``."""
    pending = {tp: end for tp, end in ends.items()}
    if not pending:
        return
    consumer.assign(list(pending))
    await consumer.seek_to_beginning(*pending)
    for tp in list(pending):
        if await consumer.position(tp) >= pending[tp]:
            del pending[tp]
    while pending:
        batches: dict[Any, list[Any]] = await consumer.getmany(*pending, timeout_ms=500)
        for tp, records in batches.items():
            for record in records:
                if record.offset >= ends[tp]:
                    continue
                out.append(
                    {
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "key": None if record.key is None else record.key.decode(),
                        "value": decode_value(record.value),
                    }
                )
        for tp in list(pending):
            if await consumer.position(tp) >= pending[tp]:
                del pending[tp]


async def consume(args: argparse.Namespace, out: list[dict[str, object]]) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=10_000,
        client_id="onex-metrics-test-consumer",
    )
    admin = AIOKafkaAdminClient(
        bootstrap_servers=args.bootstrap, request_timeout_ms=10_000
    )
    await admin.start()
    try:
        await consumer.start()
        try:
            ends = await end_offsets(admin, consumer, args.topic, args.expect)
            await read(consumer, ends, out)
        finally:
            await consumer.stop()
    finally:
        await admin.close()


async def run(args: argparse.Namespace) -> int:
    out: list[dict[str, object]] = []
    started = time.monotonic()
    code = 0
    try:
        await asyncio.wait_for(consume(args, out), args.timeout)
    except TimeoutError:
        log(f"timed out after {args.timeout}s with {len(out)} message(s)")
        code = 2
    for message in out:
        print(json.dumps(message, ensure_ascii=False), flush=False)
    sys.stdout.flush()
    if code == 0:
        log(f"read {len(out)} message(s) in {time.monotonic() - started:.2f}s")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="host:port of the broker")
    parser.add_argument(
        "--topic", action="append", required=True, help="a topic to read (repeat)"
    )
    parser.add_argument(
        "--expect",
        type=int,
        default=0,
        help="wait until at least this many messages exist in all (default 0)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds allowed in all"
    )
    args = parser.parse_args()
    try:
        return asyncio.run(run(args))
    # CancelledError is a BaseException and aiokafka can surface it from stop().
    except (KafkaError, OSError, RuntimeError, asyncio.CancelledError) as error:
        log(f"FAIL: {type(error).__name__}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())

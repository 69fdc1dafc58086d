"""What publishing costs in Python.

1. One operation event (statistics and sketch of a full 1000-sample window,
   envelope, JSON, hand-off to the outbox and the sender task) beside its inherent
   parts: sorting the window once and one JSON serialisation of the envelope; and
   what the sketch adds: building it from the sorted window, and its JSON.
2. The amortized cost per call under a load that yields to the event loop on
   every call, so the publisher really runs: at the defaults (an event every 100
   calls, window 1000, p50/p95/p99) and with other windows and intervals, beside
   the hot path alone (calls that do not yield), all side by side.
"""

import asyncio
import json
import math
import random
from collections.abc import Awaitable, Callable
from typing import Any

from benchlib import (
    AsyncBatch,
    NullTransport,
    added,
    emit,
    load_config,
    load_package,
    log,
    node_class,
    now_ns,
    rounds_of,
)

VARIANTS = {
    "default": "window 1000, every 100 calls",
    "w100": "window 100, every 100 calls",
    "w10000": "window 10 000, every 100 calls",
    "i10": "window 1000, every 10 calls",
    "i1000": "window 1000, every 1000 calls",
}


async def settle(transports: list[NullTransport], nodes: list[Any]) -> None:
    """Lets the loop run until every outbox is empty: sending is part of the cost."""
    for _ in range(1000):
        await asyncio.sleep(0)
        if not any(node._metrics_publisher.outbox_depth for node in nodes):
            return


async def event_cost(package: Any, smoke: bool) -> None:
    log("Python publishing: one operation event")
    transport = NullTransport()
    node = node_class(package, {})()
    node._initialize_metrics(transport=transport)
    rng = random.Random(1)
    for _ in range(1000):
        await node._track_operation_metrics("op_a", rng.lognormvariate(0, 1), True)
    await node._publish_metrics_event("op_a")
    await settle([transport], [node])
    envelope = json.loads(transport.last)
    durations = node._metrics_windows[0].durations

    async def event(n: int) -> int:
        start = now_ns()
        for _ in range(n):
            await node._publish_metrics_event("op_a")
        await settle([transport], [node])
        return now_ns() - start

    async def inherent(n: int) -> int:
        start = now_ns()
        for _ in range(n):
            sorted(durations)
            json.dumps(envelope)
        return now_ns() - start

    async def with_exact_sum(n: int) -> int:
        start = now_ns()
        for _ in range(n):
            math.fsum(sorted(durations))
            json.dumps(envelope)
        return now_ns() - start

    samples = sorted(durations)
    total = math.fsum(samples)
    sketch_of = package.sketch.sketch_of

    async def sketch(n: int) -> int:
        start = now_ns()
        for _ in range(n):
            json.dumps(sketch_of(samples, total))
        return now_ns() - start

    batches: dict[str, AsyncBatch] = {
        "event": event,
        "inherent": inherent,
        "exact": with_exact_sum,
        "sketch": sketch,
    }
    calls, rounds, warmup = (3, 2, 1) if smoke else (40, 15, 2)
    per_round = await rounds_of(batches, calls=calls, rounds=rounds, warmup=warmup)
    emit(
        "pub.py.event",
        [r["event"] / 1000 for r in per_round],
        f"{transport.sent} events sent to a null transport",
    )
    emit("pub.py.inherent", [r["inherent"] / 1000 for r in per_round])
    emit("pub.py.event_vs_inherent", [r["event"] / r["inherent"] for r in per_round])
    emit("pub.py.event_vs_exact", [r["event"] / r["exact"] for r in per_round])
    emit("pub.py.sketch", [r["sketch"] / 1000 for r in per_round])
    emit(
        "pub.py.sketch_vs_rest",
        [r["sketch"] / (r["event"] - r["sketch"]) for r in per_round],
    )
    await node.stop_metrics()


def awaiting(
    call: Callable[[int], Awaitable[Any]], after: Callable[[], Awaitable[None]]
) -> AsyncBatch:
    async def batch(n: int) -> int:
        start = now_ns()
        for i in range(n):
            await call(i)
        await after()
        return now_ns() - start

    return batch


async def amortized(config: Any) -> None:
    log("Python publishing: amortized per call, yielding load")

    async def yielding(self: Any, x: int) -> int:
        await asyncio.sleep(0)
        return x

    async def immediate(self: Any, x: int) -> int:
        return x

    transports: list[NullTransport] = []
    nodes: list[Any] = []
    batches: dict[str, AsyncBatch] = {}

    async def after() -> None:
        await settle(transports, nodes)

    bare = type("Service", (), {"op_a": yielding, "op_b": immediate})()
    batches["bare"] = awaiting(bare.op_a, after)
    batches["hot_bare"] = awaiting(bare.op_b, after)
    for key in VARIANTS:
        package = load_package(config.packages[key], f"metrics_{key}")
        node = node_class(package, {"op_a": yielding, "op_b": immediate})()
        transport = NullTransport()
        node._initialize_metrics(transport=transport)
        transports.append(transport)
        nodes.append(node)
        batches[key] = awaiting(node.op_a, after)
        if key == "default":
            batches["hot"] = awaiting(node.op_b, after)
    calls, rounds, warmup = (300, 2, 1) if config.smoke else (20_000, 10, 2)
    per_round = await rounds_of(batches, calls=calls, rounds=rounds, warmup=warmup)
    emit(
        "pub.py.hot",
        added(per_round, "hot", "hot_bare"),
        "calls that do not yield: the publisher runs between batches",
    )
    for (key, label), transport in zip(VARIANTS.items(), transports, strict=True):
        row = "pub.py.amortized" + ("" if key == "default" else f".{key}")
        emit(row, added(per_round, key, "bare"), f"{label}; {transport.sent} events")
    for node in nodes:
        await node.stop_metrics()


async def main() -> None:
    config = load_config()
    package = load_package(config.packages["default"], "metrics_default")
    await event_cost(package, config.smoke)
    await amortized(config)


if __name__ == "__main__":
    asyncio.run(main())

#!/usr/bin/env python3
"""Concurrency and memory soak of a generated Python ``metrics`` package
(test/faults/concurrency-soak.test.ts).

    soak_concurrency.py concurrency --package-dir DIR [--tasks N] [--threads N]
                                    [--calls N]
    soak_concurrency.py soak --package-dir DIR [--calls N] [--no-loop]

``concurrency``: the package is generated for ``async_op``, ``sync_op``,
``fail_op`` and ``plain_op``. ``--tasks`` asyncio tasks and ``--threads`` worker
threads (``asyncio.to_thread``) each make ``--calls`` rounds on one node:
``sync_op``, ``fail_op`` (raises on every 3rd call of the caller) and the decorated
plain function ``plain_op`` (recorded in ``shared_metrics()``); the tasks add
``async_op``. The thread switch interval is 1 µs, so threads interleave inside the
hot path as much as they can. Prints the expected and recorded counts, and the
``count`` of every operation event published, in publication order.

``soak``: the package is generated for ten operations ``op_0`` .. ``op_9`` with
the default settings. ``--calls`` tracked calls cycle over them (sync and async
methods alternately, the loop yielding every 1000 calls, so the publisher runs)
and the RSS, after a garbage collection, is sampled at checkpoints. With
``--no-loop`` the calls are sync only and no event loop ever runs (a thread-pool
service): then nothing drains the publisher's signals, which must stay bounded.
Events go to a transport that only counts them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil

FAIL_EVERY = 3


class IntentionalError(ValueError):
    """Raised by ``fail_op`` on purpose."""


class CountingTransport:
    """Keeps only what the checks need: the ``count`` of each operation event."""

    def __init__(self) -> None:
        self.events = 0
        self.comprehensive = 0
        self.counts: dict[str, list[int]] = {}
        self.dropped_events = 0

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        self.events += 1
        payload = json.loads(value)["payload"]
        self.dropped_events = max(self.dropped_events, payload["dropped_events"])
        if "operation" in payload:
            counts = self.counts.setdefault(payload["operation"], [])
            counts.append(payload["statistics"]["count"])
        else:
            self.comprehensive += 1


class NullTransport:
    """Counts events and keeps nothing."""

    def __init__(self) -> None:
        self.events = 0

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        self.events += 1


class LogCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


def load_package(package_dir: Path) -> ModuleType:
    sys.path.insert(0, str(package_dir))
    return importlib.import_module("metrics")


# ------------------------------------------------------------------ concurrency


async def concurrency(args: argparse.Namespace, logs: LogCounter) -> dict[str, object]:
    metrics = load_package(args.package_dir)
    transport = CountingTransport()
    shared_transport = CountingTransport()
    metrics.shared_metrics()._initialize_metrics(transport=shared_transport)
    track = metrics.track_metrics

    def __init__(self: Any) -> None:
        self._initialize_metrics(transport=transport)

    async def async_op(self: Any) -> None:
        await asyncio.sleep(0)

    def sync_op(self: Any) -> None:
        return None

    def fail_op(self: Any, fail: bool) -> None:
        if fail:
            raise IntentionalError("fail_op")

    node: Any = type(
        "ConcurrentNode",
        (metrics.MetricsTrackingMixin,),
        {
            "__init__": __init__,
            "async_op": track("async_op")(async_op),
            "sync_op": track("sync_op")(sync_op),
            "fail_op": track("fail_op")(fail_op),
        },
    )()

    def plain() -> None:
        return None

    plain_op: Callable[[], None] = track("plain_op")(plain)

    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    loop.set_exception_handler(
        lambda _loop, context: loop_errors.append(str(context.get("message")))
    )
    unexpected: list[str] = []

    def one_round(i: int) -> int:
        """sync_op, fail_op, plain_op: 1 if fail_op raised (on every 3rd round)."""
        node.sync_op()
        try:
            node.fail_op((i + 1) % FAIL_EVERY == 0)
        except IntentionalError:
            return 1
        finally:
            plain_op()
        return 0

    async def task() -> int:
        errors = 0
        try:
            for i in range(args.calls):
                await node.async_op()
                errors += one_round(i)
        except Exception as error:  # noqa: BLE001  # must never happen: the test
            unexpected.append(f"task: {error!r}")
        return errors

    def thread() -> int:
        errors = 0
        try:
            for i in range(args.calls):
                errors += one_round(i)
        except Exception as error:  # noqa: BLE001  # must never happen: the test
            unexpected.append(f"thread: {error!r}")
        return errors

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    started = time.monotonic()
    try:
        results = await asyncio.gather(
            *(task() for _ in range(args.tasks)),
            *(asyncio.to_thread(thread) for _ in range(args.threads)),
        )
    finally:
        sys.setswitchinterval(switch)
    seconds = time.monotonic() - started

    callers = args.tasks + args.threads
    expected = {
        "async_op": {"count": args.tasks * args.calls, "errors": 0},
        "sync_op": {"count": callers * args.calls, "errors": 0},
        "fail_op": {"count": callers * args.calls, "errors": sum(results)},
        "plain_op": {"count": callers * args.calls, "errors": 0},
    }
    expected_errors = callers * (args.calls // FAIL_EVERY)
    statistics = {
        operation: await node._calculate_operation_statistics(operation)
        for operation in ("async_op", "sync_op", "fail_op")
    }
    statistics[
        "plain_op"
    ] = await metrics.shared_metrics()._calculate_operation_statistics("plain_op")
    await node.stop_metrics()
    await metrics.shared_metrics().stop_metrics()
    counts = dict(transport.counts)
    counts["plain_op"] = shared_transport.counts.get("plain_op", [])
    return {
        "seconds": seconds,
        "expected": expected,
        "expected_errors": expected_errors,
        "recorded": {
            operation: {"count": stats["count"], "errors": stats["errors"]}
            for operation, stats in statistics.items()
        },
        "event_counts": counts,
        "events": transport.events + shared_transport.events,
        "dropped_events": max(
            transport.dropped_events, shared_transport.dropped_events
        ),
        "unexpected": unexpected + loop_errors,
        "warnings": logs.lines,
    }


# ------------------------------------------------------------------ soak


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def make_soak_node(metrics: ModuleType, transport: NullTransport) -> Any:
    operations: tuple[str, ...] = metrics.OPERATIONS
    namespace: dict[str, object] = {}

    def __init__(self: Any) -> None:
        self._initialize_metrics(transport=transport)

    namespace["__init__"] = __init__
    for index, operation in enumerate(operations):
        if index % 2:

            async def call_async(self: Any, i: int) -> int:
                return i

            namespace[operation] = metrics.track_metrics(operation)(call_async)
        else:

            def call_sync(self: Any, i: int) -> int:
                return i

            namespace[operation] = metrics.track_metrics(operation)(call_sync)
    return type("SoakNode", (metrics.MetricsTrackingMixin,), namespace)()


CHECKPOINTS = (100_000, 250_000, 500_000, 750_000, 1_000_000)


def checkpoints(total: int) -> list[int]:
    return [point for point in CHECKPOINTS if point < total] + [total]


async def soak_in_loop(
    metrics: ModuleType, node: Any, calls: int
) -> list[dict[str, float]]:
    operations: tuple[str, ...] = metrics.OPERATIONS
    methods = [getattr(node, operation) for operation in operations]
    is_async = [asyncio.iscoroutinefunction(method) for method in methods]
    samples: list[dict[str, float]] = []
    marks = checkpoints(calls)
    done = 0
    for mark in marks:
        while done < mark:
            index = done % len(methods)
            if is_async[index]:
                await methods[index](done)
            else:
                methods[index](done)
            done += 1
            if not done % 1000:
                await asyncio.sleep(0)
        await asyncio.sleep(0.05)  # let the publisher catch up before measuring
        samples.append(
            {"calls": done, "rss_mb": rss_mb(), "objects": float(len(gc.get_objects()))}
        )
    await node.stop_metrics()
    return samples


def soak_without_loop(
    metrics: ModuleType, node: Any, calls: int
) -> tuple[list[dict[str, float]], int]:
    operations: tuple[str, ...] = metrics.OPERATIONS
    methods = [
        getattr(node, operation)
        for operation in operations
        if not asyncio.iscoroutinefunction(getattr(node, operation))
    ]
    samples: list[dict[str, float]] = []
    done = 0
    for mark in checkpoints(calls):
        while done < mark:
            methods[done % len(methods)](done)
            done += 1
        samples.append(
            {"calls": done, "rss_mb": rss_mb(), "objects": float(len(gc.get_objects()))}
        )
    return samples, len(node._metrics_publisher._due)


def soak(args: argparse.Namespace) -> dict[str, object]:
    metrics = load_package(args.package_dir)
    transport = NullTransport()
    node = make_soak_node(metrics, transport)
    started = time.monotonic()
    due_signals = None
    if args.no_loop:
        samples, due_signals = soak_without_loop(metrics, node, args.calls)
    else:
        samples = asyncio.run(soak_in_loop(metrics, node, args.calls))
    statistics = {
        operation: node._metrics_windows[index].statistics()["count"]
        for index, operation in enumerate(metrics.OPERATIONS)
    }
    return {
        "seconds": time.monotonic() - started,
        "samples": samples,
        "counts": statistics,
        "events": transport.events,
        "dropped": node._metrics_publisher.dropped,
        "pending_due_signals": due_signals,
        "due_signals_limit": getattr(
            importlib.import_module("metrics.publisher"), "DUE_SIGNALS_LIMIT", None
        ),
        "window": metrics.config.MAX_DURATION_SAMPLES,
        "publish_interval_ops": metrics.config.PUBLISH_INTERVAL_OPS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("concurrency", "soak"))
    parser.add_argument("--package-dir", required=True, type=Path)
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--no-loop", action="store_true")
    args = parser.parse_args()
    logs = LogCounter()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(logs)
    if args.mode == "concurrency":
        report = asyncio.run(concurrency(args, logs))
    else:
        report = soak(args)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Serves a bounded load through a generated ``metrics`` package while a test breaks
the Kafka broker under it (test/faults/broker-faults.test.ts).

    fault_load.py --package-dir DIR --bootstrap HOST:PORT --ids-file FILE
                  [--tasks N] [--threads N] [--stop-timeout S] [--max-seconds S]

``DIR`` holds a ``metrics`` package generated for the operations ``async_ok``,
``async_fail``, ``sync_ok`` and ``sync_fail``. A node class mixes in
``MetricsTrackingMixin`` and publishes through the package's ``AioKafkaTransport``
to ``--bootstrap``, wrapped to count what the transport accepts. The load:

- ``--tasks`` asyncio tasks, each a loop of ``async_ok``, ``async_fail`` (raises
  ``ValueError`` on every 7th call of the task), ``sync_ok`` and a 2 ms sleep;
- ``--threads`` worker threads (``asyncio.to_thread``), each a loop of ``sync_ok``
  and ``sync_fail`` (raises on every 5th call of the thread) and a 2 ms sleep.

Each caller counts its own calls and the intentional errors; any other exception
reaching a caller, the loop's exception handler or a thread is recorded as
unexpected. A monitor samples the publisher's ``outbox_depth`` every 10 ms.

The load runs until a line ``finish`` on stdin (or end of input, or
``--max-seconds``); then the node calls ``stop_metrics(--stop-timeout)``. stdout
gets JSON lines: ``{"type": "ready"}`` once the load runs, ``{"type":
"progress", ...}`` every half second (outbox depth, sent, dropped), ``{"type":
"recovered", ...}`` for each event accepted after a failure or a gap of over a
second (with ``index``, the number of events accepted before it, and the
publisher's drop count when it was sent, ``dropped_at_start``, and accepted,
``dropped``), and a last ``{"type": "report", ...}``. The id of every event the
transport accepted goes to ``--ids-file``, one a line.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, cast

FAIL_EVERY_ASYNC = 7
FAIL_EVERY_SYNC = 5
PAUSE_SECONDS = 0.002
GAP_SECONDS = 1.0
"""A success this long after the previous one counts as a recovery."""
STOP_GRACE = 10.0


def now_ms() -> float:
    return time.time() * 1000.0


class IntentionalError(ValueError):
    """Raised by the failing operations on purpose."""


class Transport(Protocol):
    async def send(self, topic: str, key: bytes | None, value: bytes) -> None: ...

    async def close(self) -> None: ...


class CountingTransport:
    """The package's transport, counting what it accepts and how it fails."""

    def __init__(self, inner: Transport, ids_file: Path) -> None:
        self.inner = inner
        self.dropped: Callable[[], int] = lambda: 0
        self.sent = 0
        self.failures = 0
        self.failure_types: Counter[str] = Counter()
        self.longest_attempt = 0.0
        self.recoveries: list[dict[str, float]] = []
        self.last_success_ms: float | None = None
        self.failed_since_success = 0
        self.first_failure_ms: float | None = None
        self._ids = ids_file.open("w", encoding="utf-8")

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        dropped_at_start = self.dropped()
        started = time.monotonic()
        try:
            await self.inner.send(topic, key, value)
        except BaseException as error:
            self.failures += 1
            self.failed_since_success += 1
            self.failure_types[type(error).__name__] += 1
            if self.first_failure_ms is None:
                self.first_failure_ms = now_ms()
            raise
        finally:
            self.longest_attempt = max(self.longest_attempt, time.monotonic() - started)
        at = now_ms()
        if self.last_success_ms is not None and (
            self.failed_since_success or at - self.last_success_ms > GAP_SECONDS * 1000
        ):
            recovery = {
                "at": at,
                "previous_success": self.last_success_ms,
                "failures": float(self.failed_since_success),
                "index": float(self.sent),
                "dropped": float(self.dropped()),
                "dropped_at_start": float(dropped_at_start),
            }
            self.recoveries.append(recovery)
            print(json.dumps({"type": "recovered", **recovery}), flush=True)
        self.last_success_ms = at
        self.failed_since_success = 0
        self.sent += 1
        self._ids.write(json.loads(value)["event_id"] + "\n")

    async def close(self) -> None:
        self._ids.flush()
        await self.inner.close()


class LogCounter(logging.Handler):
    """Counts the log lines that reach the handlers, by logger and level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines[f"{record.name}:{record.levelname}"] += 1


class Node(Protocol):
    async def async_ok(self) -> None: ...

    async def async_fail(self, fail: bool) -> None: ...

    def sync_ok(self) -> None: ...

    def sync_fail(self, fail: bool) -> None: ...

    async def stop_metrics(self, timeout: float = ...) -> None: ...

    async def _calculate_operation_statistics(
        self, operation: str
    ) -> dict[str, Any]: ...


def make_node(metrics: ModuleType, transport: CountingTransport) -> Any:
    """A node class built from the generated package, imported at run time."""
    track = metrics.track_metrics

    def __init__(self: Any) -> None:
        self._initialize_metrics(transport=transport)

    async def async_ok(self: Any) -> None:
        await asyncio.sleep(0)

    async def async_fail(self: Any, fail: bool) -> None:
        await asyncio.sleep(0)
        if fail:
            raise IntentionalError("async_fail")

    def sync_ok(self: Any) -> None:
        return None

    def sync_fail(self: Any, fail: bool) -> None:
        if fail:
            raise IntentionalError("sync_fail")

    node_class = type(
        "FaultNode",
        (metrics.MetricsTrackingMixin,),
        {
            "__init__": __init__,
            "async_ok": track("async_ok")(async_ok),
            "async_fail": track("async_fail")(async_fail),
            "sync_ok": track("sync_ok")(sync_ok),
            "sync_fail": track("sync_fail")(sync_fail),
        },
    )
    return node_class()


class Load:
    """The callers: their counts, the unexpected exceptions they saw, and a timeline
    of calls per second (wall clock) to show the node kept serving."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.stopping = threading.Event()
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.unexpected: list[str] = []
        self.per_second: Counter[int] = Counter()
        self.longest_gap = 0.0
        self._lock = threading.Lock()

    def _merge(self, calls: Counter[str], errors: Counter[str]) -> None:
        with self._lock:
            self.calls.update(calls)
            self.errors.update(errors)

    def _tick(self, second: int, calls: int) -> None:
        with self._lock:
            self.per_second[second] += calls

    async def task(self) -> None:
        calls: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        last = time.monotonic()
        try:
            while not self.stopping.is_set():
                await self.node.async_ok()
                calls["async_ok"] += 1
                fail = (calls["async_fail"] + 1) % FAIL_EVERY_ASYNC == 0
                try:
                    await self.node.async_fail(fail)
                except IntentionalError:
                    errors["async_fail"] += 1
                calls["async_fail"] += 1
                self.node.sync_ok()
                calls["sync_ok"] += 1
                self._tick(int(time.time()), 3)
                await asyncio.sleep(PAUSE_SECONDS)
                now = time.monotonic()
                self.longest_gap = max(self.longest_gap, now - last)
                last = now
        except Exception as error:  # noqa: BLE001  # must never happen: the test
            self.unexpected.append(f"task: {type(error).__name__}: {error}")
        self._merge(calls, errors)

    def thread(self) -> None:
        calls: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        try:
            while not self.stopping.is_set():
                self.node.sync_ok()
                calls["sync_ok"] += 1
                fail = (calls["sync_fail"] + 1) % FAIL_EVERY_SYNC == 0
                try:
                    self.node.sync_fail(fail)
                except IntentionalError:
                    errors["sync_fail"] += 1
                calls["sync_fail"] += 1
                self._tick(int(time.time()), 2)
                time.sleep(PAUSE_SECONDS)
        except Exception as error:  # noqa: BLE001  # must never happen: the test
            self.unexpected.append(f"thread: {type(error).__name__}: {error}")
        self._merge(calls, errors)


async def monitor(publisher: Any, stopping: threading.Event, depth: list[int]) -> None:
    """Samples the outbox depth (depth[0] is the maximum seen); prints a
    ``progress`` line every half second."""
    samples = 0
    while not stopping.is_set():
        depth[0] = max(depth[0], publisher.outbox_depth)
        samples += 1
        if samples % 50 == 0:
            progress = {
                "type": "progress",
                "at": now_ms(),
                "outbox_depth": publisher.outbox_depth,
                "sent": publisher.sent,
                "dropped": publisher.dropped,
            }
            print(json.dumps(progress), flush=True)
        await asyncio.sleep(0.01)


def finish_signal(loop: asyncio.AbstractEventLoop, finish: asyncio.Event) -> None:
    """Sets ``finish`` at a line ``finish`` or the end of stdin (a daemon thread)."""

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == "finish":
                break
        loop.call_soon_threadsafe(finish.set)

    threading.Thread(target=read, name="stdin", daemon=True).start()


async def run(args: argparse.Namespace, log_counter: LogCounter) -> dict[str, object]:
    sys.path.insert(0, str(args.package_dir))
    metrics = importlib.import_module("metrics")
    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    loop.set_exception_handler(
        lambda _loop, context: loop_errors.append(str(context.get("message")))
    )
    thread_errors: list[str] = []
    threading.excepthook = lambda hook: thread_errors.append(repr(hook.exc_value))

    transport = CountingTransport(
        metrics.AioKafkaTransport(args.bootstrap), Path(args.ids_file)
    )
    node = cast(Node, make_node(metrics, transport))
    publisher = cast(Any, node)._metrics_publisher
    transport.dropped = lambda: int(publisher.dropped)
    load = Load(node)
    depth = [0]
    finish = asyncio.Event()
    finish_signal(loop, finish)

    cpu_started = time.process_time()
    workers = [asyncio.ensure_future(load.task()) for _ in range(args.tasks)]
    workers += [
        asyncio.ensure_future(asyncio.to_thread(load.thread))
        for _ in range(args.threads)
    ]
    sampler = asyncio.ensure_future(monitor(publisher, load.stopping, depth))
    print(json.dumps({"type": "ready", "at": now_ms()}), flush=True)
    try:
        await asyncio.wait_for(finish.wait(), args.max_seconds)
    except TimeoutError:
        pass
    finish_ms = now_ms()
    load.stopping.set()
    await asyncio.gather(*workers, sampler)
    statistics = {
        operation: await node._calculate_operation_statistics(operation)
        for operation in metrics.OPERATIONS
    }
    dropped_before_stop = publisher.dropped
    stop_started = time.monotonic()
    stop = asyncio.ensure_future(node.stop_metrics(args.stop_timeout))
    done, _ = await asyncio.wait({stop}, timeout=args.stop_timeout + STOP_GRACE)
    stop_seconds = time.monotonic() - stop_started
    if stop in done:
        stop.result()
    await asyncio.sleep(0)
    leftover = sorted(
        task.get_name()
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task() and task is not stop and not task.done()
    )
    return {
        "type": "report",
        "language": "python",
        "finish_at": finish_ms,
        "calls": dict(load.calls),
        "errors": dict(load.errors),
        "statistics": statistics,
        "unexpected": load.unexpected + loop_errors + thread_errors,
        "calls_per_second": {str(k): v for k, v in sorted(load.per_second.items())},
        "longest_gap_seconds": load.longest_gap,
        "max_outbox_depth": depth[0],
        "outbox_capacity": metrics.config.OUTBOX_CAPACITY,
        "publisher": {
            "queued": publisher.queued,
            "sent": publisher.sent,
            "dropped": publisher.dropped,
            "dropped_before_stop": dropped_before_stop,
            "outbox_depth": publisher.outbox_depth,
        },
        "transport": {
            "sent": transport.sent,
            "failures": transport.failures,
            "failure_types": dict(transport.failure_types),
            "first_failure_at": transport.first_failure_ms,
            "longest_attempt_seconds": transport.longest_attempt,
            "recoveries": transport.recoveries,
        },
        "stop_seconds": stop_seconds,
        "stop_returned": stop in done,
        "leftover_tasks": leftover,
        "log_lines": dict(log_counter.lines),
        "cpu_seconds": time.process_time() - cpu_started,
        "topics": [metrics.config.KAFKA_TOPIC, metrics.config.SNAPSHOT_TOPIC],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", required=True, type=Path)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--ids-file", required=True, type=Path)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stop-timeout", type=float, default=5.0)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    log_counter = LogCounter()
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger().addHandler(log_counter)
    loop = asyncio.new_event_loop()
    report = loop.run_until_complete(run(args, log_counter))
    print(json.dumps(report), flush=True)
    if not report["stop_returned"]:
        # A stop that never returned would hang the shutdown too.
        sys.stderr.flush()
        os._exit(0)
    # As asyncio.run does: cancel what still runs (a failed producer still
    # stopping in the background, say), bounded.
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(
            asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 5.0)
        )
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Behaviour of a generated ``metrics`` package, checked from outside it.

The generated package ships its own tests; these are independent of the templates:
they import the package from ``ONEX_METRICS_NODE`` (the target directory) and check
what a node would observe. Run by test/python-generated.test.ts.
"""

import asyncio
import importlib
import json
import math
import os
import random
import sys
import time
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

NODE_DIR = Path(os.environ["ONEX_METRICS_NODE"])
sys.path.insert(0, str(NODE_DIR))
metrics: ModuleType = importlib.import_module("metrics")
config: ModuleType = importlib.import_module("metrics.config")
RECORD: dict[str, Any] = json.loads(os.environ["ONEX_METRICS_ANSWERS"])

OPERATIONS: tuple[str, ...] = metrics.OPERATIONS
FIRST, LAST = OPERATIONS[0], OPERATIONS[-1]


def make_node() -> Any:
    class Node(metrics.MetricsTrackingMixin):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self.transport = metrics.MemoryTransport()
            self._initialize_metrics(transport=self.transport)

        @metrics.track_metrics(FIRST)  # type: ignore[untyped-decorator]
        async def handle(self, i: int) -> int:
            await asyncio.sleep(0)
            if i % 3 == 0:
                raise RuntimeError(f"failed {i}")
            return i

        @metrics.track_metrics(LAST)  # type: ignore[untyped-decorator]
        def compute(self, i: int) -> int:
            if i % 4 == 0:
                raise ArithmeticError(f"bad {i}")
            return -i

    return Node()


def nearest_rank(values: list[float], percentile: float) -> float:
    """sorted[ceil(p/100 * n) - 1], with exact fractions."""
    ordered = sorted(values)
    rank = math.ceil(Fraction(str(percentile)) / 100 * len(ordered))
    return ordered[rank - 1]


def test_configuration_is_what_was_answered() -> None:
    assert list(OPERATIONS) == RECORD["operations"]
    assert config.SERVICE_NAME == RECORD["serviceName"]
    assert config.KAFKA_TOPIC == RECORD["kafkaTopic"]
    assert config.SNAPSHOT_TOPIC == RECORD["snapshotTopic"]
    assert config.SERVICE_VERSION == RECORD["serviceVersion"]
    assert config.PUBLISH_INTERVAL_OPS == RECORD["publishIntervalOps"]
    assert config.MAX_DURATION_SAMPLES == RECORD["maxDurationSamples"]


def test_disabled_sections_are_absent() -> None:
    package = NODE_DIR / "metrics"
    sources = "\n".join(path.read_text() for path in package.rglob("*.py"))
    assert (package / "resources.py").exists() == RECORD["enableResourceMetrics"]
    assert (package / "business.py").exists() == RECORD["enableBusinessMetrics"]
    if not RECORD["enableResourceMetrics"]:
        assert "psutil" not in sources
        assert "_collect_resource_metrics" not in sources
    if not RECORD["enableBusinessMetrics"]:
        assert "_track_business_metric" not in sources


def test_exact_counts_under_10000_concurrent_calls() -> None:
    async def one_async(node: Any, i: int) -> bool:
        try:
            await node.handle(i)
        except RuntimeError:
            return False
        return True

    async def one_threaded(node: Any, i: int) -> bool:
        try:
            await asyncio.to_thread(node.compute, i)
        except ArithmeticError:
            return False
        return True

    async def scenario() -> tuple[list[bool], list[bool], Any, Any]:
        node = make_node()
        async_results = asyncio.gather(*(one_async(node, i) for i in range(10_000)))
        thread_results = asyncio.gather(*(one_threaded(node, i) for i in range(2_000)))
        done_async, done_threads = await asyncio.wait_for(
            asyncio.gather(async_results, thread_results), timeout=120
        )
        first = await node._calculate_operation_statistics(FIRST)
        last = await node._calculate_operation_statistics(LAST)
        await node.stop_metrics()
        return done_async, done_threads, first, last

    done_async, done_threads, first, last = asyncio.run(scenario())
    async_errors = done_async.count(False)
    thread_errors = done_threads.count(False)
    assert async_errors == 3334 and thread_errors == 500
    if FIRST == LAST:
        assert first["count"] == 12_000
        assert first["errors"] == async_errors + thread_errors
    else:
        assert (first["count"], first["errors"]) == (10_000, async_errors)
        assert (last["count"], last["errors"]) == (2_000, thread_errors)
        assert last["error_rate"] == 0.25


def test_statistics_equal_nearest_rank_over_the_window() -> None:
    rng = random.Random(2026)
    window = config.MAX_DURATION_SAMPLES
    for total in sorted({1, 2, window, window + 1, 3 * window + 5}):
        durations = [round(rng.lognormvariate(1.0, 1.2), 6) for _ in range(total)]

        async def scenario(values: list[float] = durations) -> Any:
            node = make_node()
            for value in values:
                await node._track_operation_metrics(FIRST, value, True)
            return await node._calculate_operation_statistics(FIRST)

        stats = asyncio.run(scenario())
        recent = durations[-window:]
        assert stats["count"] == total
        assert stats["min"] == min(recent)
        assert stats["max"] == max(recent)
        assert stats["avg"] == pytest.approx(sum(recent) / len(recent), rel=1e-12)
        for percentile in RECORD["percentiles"]:
            key = "p" + str(percentile).replace(".", "_")
            assert stats[key] == nearest_rank(recent, percentile), (total, key)


def test_publish_interval_does_not_hang_and_publishes() -> None:
    calls = min(5 * config.PUBLISH_INTERVAL_OPS, 5_000)

    async def scenario() -> Any:
        node = make_node()
        for i in range(1, calls + 1):
            try:
                await node.handle(i)
            except RuntimeError:
                pass
        await node.stop_metrics(timeout=5)
        return node.transport

    started = time.monotonic()
    transport = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert time.monotonic() - started < 60
    events = transport.events(config.KAFKA_TOPIC)
    assert events, "no operation event was published"
    final = [e for e in events if e["payload"]["operation"] == FIRST][-1]
    assert final["payload"]["statistics"]["count"] == calls
    assert len(transport.events(config.SNAPSHOT_TOPIC)) == 1


def test_exception_recorded_then_reraised_unchanged() -> None:
    async def scenario() -> tuple[BaseException, Any]:
        node = make_node()
        try:
            await node.handle(9)
        except RuntimeError as error:
            caught: BaseException = error
        await node._publish_metrics_event(FIRST)
        await node.stop_metrics()
        return caught, node.transport

    caught, transport = asyncio.run(scenario())
    assert isinstance(caught, RuntimeError) and str(caught) == "failed 9"
    event = transport.events(config.KAFKA_TOPIC)[0]["payload"]
    assert event["last_error"]["type"] == "RuntimeError"
    assert event["last_error"]["details"] == "failed 9"
    assert event["statistics"]["errors"] == 1


def test_throughput_is_items_per_second_over_the_window() -> None:
    if not RECORD["enableBusinessMetrics"]:
        assert not hasattr(metrics.MetricsTrackingMixin, "_calculate_throughput")
        return
    clock = [0.0]

    async def scenario() -> tuple[float, float]:
        node = make_node()
        node._initialize_metrics(transport=node.transport, clock=lambda: clock[0])
        for _ in range(120):
            await node._track_business_metric("items_processed", 1, increment=True)
        clock[0] = 30.0
        first = await node._calculate_throughput()
        await node._publish_all_metrics()  # starts the next window
        await node._track_business_metric("items_processed", 10, increment=True)
        clock[0] = 35.0
        second = await node._calculate_throughput()
        await node.stop_metrics()
        return first, second

    assert asyncio.run(scenario()) == (4.0, 2.0)

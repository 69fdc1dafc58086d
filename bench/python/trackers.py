"""The Python baselines that ``@track_metrics`` is measured against.

- two minimal hand-written trackers, each two ``perf_counter`` reads, one append
  to a ``deque(maxlen=1000)`` and counters: a generic ``*args, **kwargs`` wrapper
  and a fixed-arity one (for functions of one argument);
- a task and a lock per call, the naive design: every call spawns a task (never
  kept) that takes an ``asyncio.Lock`` to record its sample;
- prometheus_client: ``Histogram.labels(op).time()`` and ``.labels(op).observe``.
"""

import asyncio
import functools
from collections import deque
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from prometheus_client import CollectorRegistry, Histogram

AsyncMethod = Callable[[Any, int], Awaitable[int]]
SyncFunction = Callable[[int], int]


class Counters:
    """What a minimal tracker keeps: calls, errors, recent durations."""

    __slots__ = ("calls", "durations", "errors")

    def __init__(self) -> None:
        self.calls = 0
        self.errors = 0
        self.durations: deque[float] = deque(maxlen=1000)


def generic_async(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    counters = Counters()

    async def tracked(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = perf_counter()
        try:
            result = await func(self, *args, **kwargs)
        except BaseException:
            counters.errors += 1
            raise
        counters.durations.append(perf_counter() - start)
        counters.calls += 1
        return result

    return tracked


def fixed_async(func: AsyncMethod) -> AsyncMethod:
    counters = Counters()

    async def tracked(self: Any, x: int) -> int:
        start = perf_counter()
        try:
            result = await func(self, x)
        except BaseException:
            counters.errors += 1
            raise
        counters.durations.append(perf_counter() - start)
        counters.calls += 1
        return result

    return tracked


def generic_sync(func: Callable[..., Any]) -> Callable[..., Any]:
    counters = Counters()

    def tracked(*args: Any, **kwargs: Any) -> Any:
        start = perf_counter()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            counters.errors += 1
            raise
        counters.durations.append(perf_counter() - start)
        counters.calls += 1
        return result

    return tracked


def fixed_sync(func: SyncFunction) -> SyncFunction:
    counters = Counters()

    def tracked(x: int) -> int:
        start = perf_counter()
        try:
            result = func(x)
        except BaseException:
            counters.errors += 1
            raise
        counters.durations.append(perf_counter() - start)
        counters.calls += 1
        return result

    return tracked


class OriginalMetrics:
    """The naive mixin's state and its locked, async recorder."""

    def __init__(self, operations: list[str]) -> None:
        self._metrics_lock = asyncio.Lock()
        self._operation_metrics: dict[str, dict[str, Any]] = {
            op: {"count": 0, "errors": 0, "durations": deque(maxlen=1000)}
            for op in operations
        }

    async def _track_operation_metrics(
        self, operation: str, duration_ms: float, success: bool
    ) -> None:
        async with self._metrics_lock:
            metrics = self._operation_metrics[operation]
            metrics["count"] += 1
            if not success:
                metrics["errors"] += 1
            metrics["durations"].append(duration_ms)

    def count(self, operation: str) -> int:
        return int(self._operation_metrics[operation]["count"])


def original_async(
    operation: str,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """The naive decorator: one ``create_task`` per call, the task not kept."""

    def decorate(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(func)
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = perf_counter()
            success = True
            try:
                return await func(self, *args, **kwargs)
            except Exception:
                success = False
                raise
            finally:
                duration_ms = (perf_counter() - start) * 1000
                # The defect being measured: a task per call, never kept.
                asyncio.get_running_loop().create_task(
                    self._track_operation_metrics(operation, duration_ms, success)
                )

        return wrapper

    return decorate


def original_sync(
    metrics: OriginalMetrics, operation: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The naive pattern on a plain function (called inside a running loop)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = perf_counter()
            success = True
            try:
                return func(*args, **kwargs)
            except Exception:
                success = False
                raise
            finally:
                duration_ms = (perf_counter() - start) * 1000
                asyncio.get_running_loop().create_task(
                    metrics._track_operation_metrics(operation, duration_ms, success)
                )

        return wrapper

    return decorate


def prometheus_histogram() -> Histogram:
    """A labelled histogram (default buckets) in a registry of its own."""
    return Histogram(
        "bench_duration_seconds",
        "Duration of an operation",
        ["operation"],
        registry=CollectorRegistry(),
    )


def prom_time_async(
    histogram: Histogram, operation: str
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """``with histogram.labels(op).time()`` around an awaited call (prometheus_client
    has no decorator for ``async def``: its issue 48)."""

    def decorate(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def tracked(self: Any, *args: Any, **kwargs: Any) -> Any:
            with histogram.labels(operation).time():
                return await func(self, *args, **kwargs)

        return tracked

    return decorate


def prom_observe_async(
    histogram: Histogram, operation: str
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Two clock reads and ``histogram.labels(op).observe(seconds)``."""

    def decorate(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def tracked(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = perf_counter()
            try:
                return await func(self, *args, **kwargs)
            finally:
                histogram.labels(operation).observe(perf_counter() - start)

        return tracked

    return decorate


def prom_time_sync(
    histogram: Histogram, operation: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        def tracked(*args: Any, **kwargs: Any) -> Any:
            with histogram.labels(operation).time():
                return func(*args, **kwargs)

        return tracked

    return decorate


def prom_observe_sync(
    histogram: Histogram, operation: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        def tracked(*args: Any, **kwargs: Any) -> Any:
            start = perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                histogram.labels(operation).observe(perf_counter() - start)

        return tracked

    return decorate

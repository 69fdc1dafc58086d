"""Per-call cost of tracking in Python: an async method and a sync function.

Every variant wraps the same trivial callable (``return x``). A batch calls it n
times in a loop; the bare call's time is subtracted, so each figure is what the
tracking adds per call. Ratios are taken per round, between batches timed side
by side, then summarised (median, min-max) over the rounds.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import trackers
from benchlib import (
    AsyncBatch,
    Config,
    NullTransport,
    added,
    emit,
    load_config,
    load_package,
    log,
    node_class,
    now_ns,
    ratio,
    rounds_of,
)


def async_batch(
    call: Callable[[int], Awaitable[Any]], spawns: bool = False
) -> AsyncBatch:
    """n awaited calls. The loop then turns once, to run what the calls scheduled:
    timed when they ``spawns`` tasks (the task-and-lock tracker: its per-call cost), not
    timed otherwise (the publisher's event every 100 calls, measured apart)."""

    async def batch(n: int) -> int:
        start = now_ns()
        for i in range(n):
            await call(i)
        if spawns:
            await asyncio.sleep(0)
        elapsed = now_ns() - start
        await asyncio.sleep(0)
        return elapsed

    return batch


def sync_batch(call: Callable[[int], Any], spawns: bool = False) -> AsyncBatch:
    """n calls; the loop then turns once, as in ``async_batch``."""

    async def batch(n: int) -> int:
        start = now_ns()
        for i in range(n):
            call(i)
        if spawns:
            await asyncio.sleep(0)
        elapsed = now_ns() - start
        await asyncio.sleep(0)
        return elapsed

    return batch


def run_sync(x: int) -> int:
    return x


async def method(self: Any, x: int) -> int:
    return x


def instance_of(run: Callable[..., Any]) -> Any:
    """An instance of a plain class whose ``run`` method is ``run``."""
    return type("Service", (), {"run": run})()


def emit_section(prefix: str, per_round: list[dict[str, float]], note: str) -> None:
    emit(f"{prefix}.bare", [r["bare"] for r in per_round], note)
    for name in (
        "generic",
        "fixed",
        "track_metrics",
        "original",
        "prom_time",
        "prom_observe",
    ):
        emit(f"{prefix}.{name}", added(per_round, name, "bare"))
    emit(f"{prefix}.vs_generic", ratio(per_round, "track_metrics", "generic", "bare"))
    emit(f"{prefix}.vs_fixed", ratio(per_round, "track_metrics", "fixed", "bare"))
    emit(
        f"{prefix}.original_over", ratio(per_round, "original", "track_metrics", "bare")
    )
    emit(
        f"{prefix}.vs_prom_time", ratio(per_round, "track_metrics", "prom_time", "bare")
    )
    emit(
        f"{prefix}.vs_prom_observe",
        ratio(per_round, "track_metrics", "prom_observe", "bare"),
    )


class Handler:
    """An ONEX-style handler: a plain class, its work in ``handle``."""

    async def handle(self, x: int) -> int:
        return x


async def handler_section(config: Config) -> None:
    """A handler's ``handle``: decorated (naming its owner, or not), or timed by the
    node's routing (a ``TrackedHandler``, as the contract's handler routing makes)."""
    log("Python hot path: handler calls")
    package = load_package(config.packages["handlers"], "metrics_handlers")
    tracker = package.MetricsTracker(transport=NullTransport())
    package.shared_metrics()._initialize_metrics(transport=NullTransport())

    def handler_with(handle: Callable[..., Awaitable[Any]]) -> Any:
        return type("Handler", (), {"handle": handle})()

    batches = {
        "bare": async_batch(Handler().handle),
        "generic": async_batch(handler_with(trackers.generic_async(method)).handle),
        "owner": async_batch(
            handler_with(package.track_metrics("op_a", metrics=tracker)(method)).handle
        ),
        "plain": async_batch(
            handler_with(package.track_metrics("op_b")(method)).handle
        ),
        "routed": async_batch(package.TrackedHandler(Handler(), tracker, 2).handle),
    }
    calls, rounds, warmup, repeats = config.hot_path_rounds
    per_round = await rounds_of(
        batches,
        calls=calls,
        rounds=rounds,
        warmup=warmup,
        repeats=repeats,
        pause_gc=True,
    )
    expected = calls * repeats * (rounds + warmup)
    counts = [w.count for w in tracker._metrics_windows]
    shared = package.shared_metrics()._metrics_windows[1].count
    if counts != [expected, 0, expected] or shared != expected:
        raise AssertionError(
            f"recorded {counts} and {shared} calls, expected {expected}"
        )
    emit("py.handler.bare", [r["bare"] for r in per_round], "`await handler.handle(x)`")
    for name in ("generic", "owner", "plain", "routed"):
        emit(f"py.handler.{name}", added(per_round, name, "bare"))
    for name in ("owner", "plain", "routed"):
        emit(f"py.handler.{name}_vs_generic", ratio(per_round, name, "generic", "bare"))


async def main() -> None:
    config = load_config()
    if config.only == "handlers":
        await handler_section(config)
        return
    package = load_package(config.packages["default"], "metrics_default")
    # Plain functions record into shared_metrics(): publish to nowhere, not the log.
    package.shared_metrics()._initialize_metrics(transport=NullTransport())
    histogram = trackers.prometheus_histogram()
    original = trackers.OriginalMetrics(["op_a", "op_b"])

    calls, rounds, warmup, repeats = config.hot_path_rounds

    log("Python hot path: async method")
    node = node_class(package, {"op_a": method})()
    node._initialize_metrics(transport=NullTransport())
    original_node = type(
        "OriginalNode",
        (trackers.OriginalMetrics,),
        {"run": trackers.original_async("op_a")(method)},
    )(["op_a"])
    services = {
        "bare": instance_of(method),
        "generic": instance_of(trackers.generic_async(method)),
        "fixed": instance_of(trackers.fixed_async(method)),
        "prom_time": instance_of(trackers.prom_time_async(histogram, "op_a")(method)),
        "prom_observe": instance_of(
            trackers.prom_observe_async(histogram, "op_a")(method)
        ),
    }
    async_batches = {name: async_batch(obj.run) for name, obj in services.items()}
    async_batches["track_metrics"] = async_batch(node.op_a)
    async_batches["original"] = async_batch(original_node.run, spawns=True)
    per_round = await rounds_of(
        async_batches,
        calls=calls,
        rounds=rounds,
        warmup=warmup,
        repeats=repeats,
        pause_gc=True,
    )
    recorded = node._metrics_windows[0].count
    expected = calls * repeats * (rounds + warmup)
    if recorded != expected or original_node.count("op_a") != expected:
        raise AssertionError(f"recorded {recorded} calls, expected {expected}")
    emit_section("py.async", per_round, "`await node.op(x)`; GC paused as in timeit")

    log("Python hot path: sync function")
    sync_batches = {
        "bare": sync_batch(run_sync),
        "generic": sync_batch(trackers.generic_sync(run_sync)),
        "fixed": sync_batch(trackers.fixed_sync(run_sync)),
        "track_metrics": sync_batch(package.track_metrics("op_b")(run_sync)),
        "original": sync_batch(
            trackers.original_sync(original, "op_b")(run_sync), spawns=True
        ),
        "prom_time": sync_batch(trackers.prom_time_sync(histogram, "op_b")(run_sync)),
        "prom_observe": sync_batch(
            trackers.prom_observe_sync(histogram, "op_b")(run_sync)
        ),
    }
    per_round = await rounds_of(
        sync_batches,
        calls=calls,
        rounds=rounds,
        warmup=warmup,
        repeats=repeats,
        pause_gc=True,
    )
    shared = package.shared_metrics()._metrics_windows[1].count
    if shared != expected or original.count("op_b") != expected:
        raise AssertionError(f"recorded {shared} calls, expected {expected}")
    emit_section("py.sync", per_round, "`f(x)`; GC paused as in timeit")
    await node.stop_metrics()
    await package.shared_metrics().stop_metrics()
    await handler_section(config)


if __name__ == "__main__":
    asyncio.run(main())

"""What every Python benchmark shares: its configuration, rounds, statistics, output.

A benchmark script is run by ``bench/run.ts`` as ``python SCRIPT CONFIG.json`` and
prints one JSON object per line on stdout: ``{"row": {...}}`` for a result, or
``{"control": ...}`` to ask the orchestrator for something (and then reads its
answer, one line on stdin). Progress goes to stderr.
"""

import asyncio
import contextlib
import gc
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

Clock = Callable[[], int]
now_ns: Clock = time.perf_counter_ns


@dataclass(frozen=True)
class Config:
    """What the orchestrator passes: generated packages by key, broker addresses."""

    smoke: bool
    packages: Mapping[str, str]
    """A key ("default", "idle", "w100", ...) -> the node directory holding ``metrics/``."""
    broker: str | None
    """A live broker for the "while sending" rows; None in smoke mode."""
    dead_broker: str
    """A bootstrap address where nothing listens."""
    only: str | None = None
    """Run only this section of a benchmark (``handlers``: the handler rows)."""

    @property
    def hot_path_rounds(self) -> tuple[int, int, int, int]:
        """Calls per batch, rounds, warm-up rounds, batches per round."""
        return (300, 2, 1, 1) if self.smoke else (5_000, 20, 2, 5)


def load_config() -> Config:
    raw = json.loads(Path(sys.argv[1]).read_text())
    return Config(
        smoke=bool(raw["smoke"]),
        packages=dict(raw["packages"]["python"]),
        broker=raw.get("broker"),
        dead_broker=str(raw["deadBroker"]),
        only=raw.get("only"),
    )


def load_package(node_dir: str, alias: str) -> ModuleType:
    """Imports the generated ``metrics`` package of ``node_dir`` as ``alias``, so that
    packages generated with different answers live side by side in one process."""
    init = Path(node_dir, "metrics", "__init__.py")
    spec = importlib.util.spec_from_file_location(
        alias, init, submodule_search_locations=[str(init.parent)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {init}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


def node_class(package: ModuleType, methods: Mapping[str, Callable[..., Any]]) -> Any:
    """A ``MetricsTrackingMixin`` class of ``package`` whose methods are tracked
    under the operation of the same name."""
    namespace = {
        op: package.track_metrics(op)(method) for op, method in methods.items()
    }
    return type("BenchNode", (package.MetricsTrackingMixin,), namespace)


class NullTransport:
    """Sends nowhere: publishing without any broker client's cost. Counts events."""

    def __init__(self) -> None:
        self.sent = 0
        self.last = b""

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        self.sent += 1
        self.last = value


class CountingTransport:
    """Counts what a real transport delivers and what it fails to."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent = 0
        self.failed = 0

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        try:
            await self.inner.send(topic, key, value)
        except BaseException:
            self.failed += 1
            raise
        self.sent += 1

    async def close(self) -> None:
        await self.inner.close()


def log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def emit(row_id: str, values: list[float], note: str | None = None) -> None:
    """One result row: the median of ``values`` (one per round) and their range."""
    row: dict[str, Any] = {
        "id": row_id,
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": len(values),
    }
    if note:
        row["note"] = note
    print(json.dumps({"row": row}), flush=True)


async def ask(control: str) -> str:
    """Asks the orchestrator for ``control`` and waits for its one-line answer,
    keeping the event loop running meanwhile."""
    print(json.dumps({"control": control}), flush=True)
    answer: str = await asyncio.to_thread(sys.stdin.readline)
    return answer.strip()


@contextmanager
def gc_paused() -> Iterator[None]:
    """As timeit does: no collector pauses inside a timed batch."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


AsyncBatch = Callable[[int], Awaitable[int]]
"""Runs a batch of n calls and returns the nanoseconds it took."""


async def rounds_of(
    batches: Mapping[str, AsyncBatch],
    *,
    calls: int,
    rounds: int,
    warmup: int,
    repeats: int = 3,
    pause_gc: bool = False,
) -> list[dict[str, float]]:
    """Times every batch side by side, ``rounds`` times after ``warmup`` rounds.

    Within a round each batch runs ``repeats`` times, interleaved with the others,
    in an order that rotates from round to round; its best time counts (the
    least disturbed by the rest of the machine). With ``pause_gc``, the collector
    runs between rounds only (as timeit does). Returns, per round, nanoseconds
    per call of each batch.
    """
    names = list(batches)
    results: list[dict[str, float]] = []
    for round_index in range(warmup + rounds):
        shift = round_index % len(names)
        order = names[shift:] + names[:shift]
        best = dict.fromkeys(names, float("inf"))
        with gc_paused() if pause_gc else contextlib.nullcontext():
            for _ in range(repeats):
                for name in order:
                    elapsed = await batches[name](calls)
                    best[name] = min(best[name], elapsed / calls)
        if round_index >= warmup:
            results.append(best)
    return results


def added(per_round: list[dict[str, float]], name: str, base: str) -> list[float]:
    """Per round: what ``name`` costs beyond ``base`` (ns per call)."""
    return [r[name] - r[base] for r in per_round]


def ratio(
    per_round: list[dict[str, float]], name: str, other: str, base: str
) -> list[float]:
    """Per round: the added cost of ``name`` over that of ``other`` (both beyond
    ``base``)."""
    return [(r[name] - r[base]) / (r[other] - r[base]) for r in per_round]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank, as the generated code computes it."""
    rank = max(1, -(-int(p * 1000) * len(sorted_values) // 100_000))
    return sorted_values[rank - 1]

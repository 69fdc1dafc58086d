"""The all-in price per call in Python: the hot path plus the publishing it causes.

A sync function is called at a steady rate on one operation (1 000, 10 000 and
100 000 calls a second: calls in batches every 10 ms, the event loop running in
between, as in a busy service; fewer wake-ups than every millisecond, whose own
CPU would otherwise blur the difference), untracked, tracked by the generated package at
the defaults it ships with (an event every 100 calls and at most one a second,
window 1000, p50/p95/p99, events serialised and handed to a transport), and by
prometheus_client's ``labels(op).time()``. What each costs is the process's CPU
time (not wall time: the pauses between batches cost nothing) beyond the
untracked run, per call. The events a second the generated package produces are
reported beside it.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import trackers
from benchlib import NullTransport, emit, load_config, load_package, log

RATES = (1_000, 10_000, 100_000)
TICK_SECONDS = 0.01


def run_sync(x: int) -> int:
    return x


async def paced(
    call: Callable[[int], Any], rate: int, seconds: float
) -> tuple[int, int]:
    """Calls ``call`` ``rate`` times a second for ``seconds``; returns the CPU
    nanoseconds it took and the number of calls."""
    per_tick = round(rate * TICK_SECONDS)
    ticks = round(seconds / TICK_SECONDS)
    loop = asyncio.get_running_loop()
    due = loop.time()
    cpu = time.process_time_ns()
    for _ in range(ticks):
        for i in range(per_tick):
            call(i)
        due += TICK_SECONDS
        await asyncio.sleep(max(0.0, due - loop.time()))
    return time.process_time_ns() - cpu, per_tick * ticks


async def main() -> None:
    config = load_config()
    package = load_package(config.packages["allin"], "metrics_allin")
    histogram = trackers.prometheus_histogram()
    rounds = 1 if config.smoke else 5
    for rate in RATES:
        # Long enough at low rates for the difference to stand out of the loop's noise.
        seconds = 0.05 if config.smoke else max(2.0, 4_000 / rate)
        log(f"Python all-in: {rate} calls a second")
        results: dict[str, list[float]] = {"tracked": [], "prom": [], "events": []}
        for _ in range(rounds):
            bare_cpu, calls = await paced(run_sync, rate, seconds)
            transport = NullTransport()
            tracker = package.MetricsTracker(transport=transport)
            tracked = package.track_metrics("op_a", metrics=tracker)(run_sync)
            # The first call publishes at once: the rate is what follows it.
            tracked(0)
            while transport.sent == 0:
                await asyncio.sleep(0.001)
            first = transport.sent
            tracked_cpu, _ = await paced(tracked, rate, seconds)
            events = transport.sent - first
            await tracker.stop_metrics()
            if tracker._metrics_windows[0].count != calls + 1:
                raise AssertionError("the tracker lost calls")
            prom = trackers.prom_time_sync(histogram, "op_a")(run_sync)
            prom_cpu, _ = await paced(prom, rate, seconds)
            results["tracked"].append((tracked_cpu - bare_cpu) / calls)
            results["prom"].append((prom_cpu - bare_cpu) / calls)
            results["events"].append(events / seconds)
        prefix = f"allin.py.r{rate}"
        note = f"{rate} calls/s for {seconds:g} s a round"
        emit(f"{prefix}.tracked", results["tracked"], note)
        emit(f"{prefix}.prom", results["prom"])
        emit(
            f"{prefix}.vs_prom",
            [t / p for t, p in zip(results["tracked"], results["prom"], strict=True)],
        )
        emit(f"{prefix}.events", results["events"])


if __name__ == "__main__":
    asyncio.run(main())

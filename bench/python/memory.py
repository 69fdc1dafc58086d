"""Memory after 100 000 and after 1 000 000 tracked calls over 10 operations.

The windows are full after 10 000 calls per operation; from then on nothing may
grow with the count of calls. Calls yield to the loop, so the publisher runs
(an event every 100 calls per operation, to a null transport).
"""

import asyncio
import gc
from typing import Any

import psutil
from benchlib import NullTransport, emit, load_config, load_package, log, node_class

MB = 1024 * 1024


async def operation(self: Any, x: int) -> int:
    await asyncio.sleep(0)
    return x


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / MB


async def main() -> None:
    config = load_config()
    package = load_package(config.packages["ops10"], "metrics_ops10")
    operations = list(package.OPERATIONS)
    node = node_class(package, dict.fromkeys(operations, operation))()
    transport = NullTransport()
    node._initialize_metrics(transport=transport)
    calls = [getattr(node, op) for op in operations]
    first, second = (10_000, 100_000) if config.smoke else (100_000, 1_000_000)

    async def drive(start: int, stop: int) -> None:
        for i in range(start, stop):
            await calls[i % len(calls)](i)

    log(f"Python memory: {first} calls")
    await drive(0, first)
    after_first = rss_mb()
    log(f"Python memory: {second} calls")
    await drive(first, second)
    after_second = rss_mb()
    counts = [window.count for window in node._metrics_windows]
    if sum(counts) != second:
        raise AssertionError(f"counted {sum(counts)} calls, expected {second}")
    samples = sum(len(window.durations) for window in node._metrics_windows)
    scale = "" if not config.smoke else f" (smoke: {first} and {second} calls)"
    emit("mem.py.rss_first", [after_first], f"RSS after gc.collect(){scale}")
    emit("mem.py.rss_second", [after_second], f"{samples} samples held in the windows")
    emit(
        "mem.py.growth",
        [after_second - after_first],
        f"{transport.sent} events published",
    )
    await node.stop_metrics()


if __name__ == "__main__":
    asyncio.run(main())

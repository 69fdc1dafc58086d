"""One instance of a service for test/watch.test.ts: records the calls it is given
through a generated Python package and prints the events it publishes, one a line.

Usage: ``fleet_instance.py INSTANCE < calls.json`` with ``ONEX_METRICS_NODE`` the
target directory; calls are ``[[operation, duration_ms, success], ...]``.
"""

import asyncio
import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType

NODE_DIR = Path(os.environ["ONEX_METRICS_NODE"])
sys.path.insert(0, str(NODE_DIR))
metrics: ModuleType = importlib.import_module("metrics")


async def main(instance: str) -> None:
    class Node(metrics.MetricsTrackingMixin):  # type: ignore[misc, name-defined]
        pass

    transport = metrics.MemoryTransport()
    node = Node()
    node._initialize_metrics(
        transport=transport, source=metrics.EventSource(instance=instance)
    )
    for operation, duration, success in json.load(sys.stdin):
        await node._track_operation_metrics(operation, duration, success)
    await node.stop_metrics()
    for _topic, _key, value in transport.messages:
        print(value.decode())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

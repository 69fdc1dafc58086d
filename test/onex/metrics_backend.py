#!/usr/bin/env python3
"""A node using omnibase-core's ``MixinMetrics`` with ``BackendMetricsPrometheus``,
and the generated ``MetricsTrackingMixin``: each operation event's statistics must
land in the backend's Prometheus registry.

    metrics_backend.py --package-dir DIR

Makes 250 calls of the package's first operation (every tenth failing), publishes,
stops, and prints one JSON object: ``statistics`` (what the events said last) and
``exposition`` (the registry in the Prometheus text format).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
from typing import Any

from omnibase_core.backends.metrics import BackendMetricsPrometheus
from omnibase_core.mixins.mixin_metrics import MixinMetrics
from prometheus_client import CollectorRegistry, generate_latest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--package-dir", required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.package_dir)
    metrics: Any = importlib.import_module("metrics")

    class Node(metrics.MetricsTrackingMixin, MixinMetrics):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self._initialize_metrics(transport=metrics.MemoryTransport())

    registry = CollectorRegistry()
    node = Node()
    node.set_metrics_backend(BackendMetricsPrometheus(registry=registry))

    async def run() -> dict[str, Any]:
        operation = metrics.OPERATIONS[0]
        for i in range(250):
            await node._track_operation_metrics(operation, 1.0 + i % 10, i % 10 != 0)
        await node._publish_metrics_event(operation)
        statistics: dict[str, Any] = await node._calculate_operation_statistics(
            operation
        )
        await node.stop_metrics()
        return statistics

    statistics = asyncio.run(run())
    exposition = generate_latest(registry).decode()
    print(json.dumps({"statistics": statistics, "exposition": exposition}))


if __name__ == "__main__":
    main()

"""Runs the shared test vectors through a generated Python package; prints JSON.

``ONEX_METRICS_NODE`` is the target directory of a package generated from the
vectors' config. Output: {vector name: {operation: {statistics, last_error,
event}}}, compared by test/vectors.test.ts with the expectations and with the
TypeScript package's output.
"""

import asyncio
import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

NODE_DIR = Path(os.environ["ONEX_METRICS_NODE"])
sys.path.insert(0, str(NODE_DIR))
metrics: ModuleType = importlib.import_module("metrics")


async def run(vector: dict[str, Any]) -> dict[str, Any]:
    class Node(metrics.MetricsTrackingMixin):  # type: ignore[misc, name-defined]
        pass

    transport = metrics.MemoryTransport()
    node = Node()
    node._initialize_metrics(transport=transport)
    for call in vector["calls"]:
        await node._track_operation_metrics(
            call["operation"],
            call["duration_ms"],
            call["success"],
            call.get("details"),
            call.get("error_type", "Error"),
        )
    result: dict[str, Any] = {}
    for operation in metrics.OPERATIONS:
        statistics = await node._calculate_operation_statistics(operation)
        await node._publish_metrics_event(operation)
        result[operation] = {"statistics": statistics}
    await node.stop_metrics()
    for event in transport.events(metrics.config.KAFKA_TOPIC):
        entry = result[event["payload"]["operation"]]
        entry.setdefault("event", event)
        last_error = event["payload"]["last_error"]
        entry["last_error"] = (
            {"type": last_error["type"], "details": last_error["details"]}
            if last_error
            else None
        )
    return result


def main() -> None:
    vectors = json.loads(Path(sys.argv[1]).read_text())["vectors"]
    output = {vector["name"]: asyncio.run(run(vector)) for vector in vectors}
    print(json.dumps(output))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""An ONEX-style node publishing its metrics through a stand-in ``kafka_client``.

    onex_client_node.py --package-dir DIR [--mode ok|false|raise|hang] [--calls N]
                        [--stop-timeout S]

``DIR`` holds the generated ``metrics`` package, generated for the operations
``create_order``, ``cancel_order`` and ``get_order`` (examples/orders_effect). The
node mixes in ``MetricsTrackingMixin``, calls ``_initialize_metrics(kafka_client=...)``
with a stand-in of the ONEX client whose ``publish_with_envelope`` records every
call and then, by ``--mode``:

- ``ok``: returns True (published);
- ``false``: returns False (not published);
- ``raise``: raises ``ConnectionError``;
- ``hang``: never returns (a broker that does not answer).

The node makes ``--calls`` rounds of create_order (async), get_order (sync) and
cancel_order (async; every third cancels a missing order and raises KeyError,
which the node catches), then ``await node.stop_metrics(timeout)``. Prints one
JSON object to stdout: the recorded calls, what the node's operations returned,
how long ``stop_metrics`` took, and the node's own statistics.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import importlib
import json
import logging
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, cast
from uuid import UUID

MODES = ("ok", "false", "raise", "hang")


class RecordingKafkaClient:
    """Stands in for an ONEX node's ``kafka_client``: records, then answers by mode."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls: list[dict[str, object]] = []

    async def publish_with_envelope(
        self,
        event_type: str,
        source_node_id: str,
        payload: dict[str, Any],
        topic: str | None = None,
        correlation_id: UUID | str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        self.calls.append(
            {
                "event_type": event_type,
                "source_node_id": source_node_id,
                "payload": copy.deepcopy(payload),
                "topic": topic,
                "correlation_id": None
                if correlation_id is None
                else str(correlation_id),
                "metadata": copy.deepcopy(metadata),
            }
        )
        await asyncio.sleep(0)
        if self.mode == "false":
            return False
        if self.mode == "raise":
            raise ConnectionError("stand-in kafka_client: broker unreachable")
        if self.mode == "hang":
            await asyncio.Event().wait()
        return True


class OrdersNode(Protocol):
    """What the test needs of the node built in ``make_node_class``."""

    async def create_order(self, order_id: str) -> str: ...

    async def cancel_order(self, order_id: str) -> None: ...

    def get_order(self, order_id: str) -> str | None: ...

    async def stop_metrics(self, timeout: float = ...) -> None: ...

    async def _calculate_operation_statistics(
        self, operation: str
    ) -> dict[str, Any]: ...


def make_node_class(metrics: ModuleType) -> Any:
    """``class NodeOrdersEffect(MetricsTrackingMixin)`` decorated with
    ``track_metrics``, built from the generated package imported at run time."""
    mixin: type = metrics.MetricsTrackingMixin
    track = metrics.track_metrics

    def __init__(self: Any, kafka_client: RecordingKafkaClient) -> None:
        self._orders = {}
        self._initialize_metrics(kafka_client=kafka_client)

    async def create_order(self: Any, order_id: str) -> str:
        await asyncio.sleep(0)
        self._orders[order_id] = "created"
        return order_id

    async def cancel_order(self: Any, order_id: str) -> None:
        await asyncio.sleep(0)
        if self._orders.pop(order_id, None) is None:
            raise KeyError(f"no order {order_id}")

    def get_order(self: Any, order_id: str) -> str | None:
        orders: dict[str, str] = self._orders
        return orders.get(order_id)

    return type(
        "NodeOrdersEffect",
        (mixin,),
        {
            "__init__": __init__,
            "create_order": track("create_order")(create_order),
            "cancel_order": track("cancel_order")(cancel_order),
            "get_order": track("get_order")(get_order),
        },
    )


async def run(args: argparse.Namespace) -> dict[str, object]:
    sys.path.insert(0, str(args.package_dir))
    metrics = importlib.import_module("metrics")
    client = RecordingKafkaClient(args.mode)
    node = cast(OrdersNode, make_node_class(metrics)(client))

    created = found = cancelled = key_errors = 0
    calls_started = time.monotonic()
    for i in range(args.calls):
        order_id = await node.create_order(f"order-{i}")
        created += order_id == f"order-{i}"
        found += node.get_order(order_id) == "created"
        try:
            await node.cancel_order(order_id if i % 3 else f"missing-{i}")
            cancelled += 1
        except KeyError:
            key_errors += 1
    calls_seconds = time.monotonic() - calls_started

    statistics = {
        operation: await node._calculate_operation_statistics(operation)
        for operation in metrics.OPERATIONS
    }
    stop_started = time.monotonic()
    await node.stop_metrics(args.stop_timeout)
    stop_seconds = time.monotonic() - stop_started
    return {
        "mode": args.mode,
        "calls": client.calls,
        "results": {
            "created": created,
            "found": found,
            "cancelled": cancelled,
            "key_errors": key_errors,
        },
        "calls_seconds": calls_seconds,
        "stop_seconds": stop_seconds,
        "statistics": statistics,
        "topics": {
            "operation": metrics.config.KAFKA_TOPIC,
            "comprehensive": metrics.config.COMPREHENSIVE_TOPIC,
        },
        "service_name": metrics.config.SERVICE_NAME,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", required=True, type=Path)
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--stop-timeout", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

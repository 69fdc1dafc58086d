#!/usr/bin/env python3
"""A node of a real ONEX class, with the generated mixin, publishing through a real
ONEX event bus.

    node_with_bus.py --package-dir DIR --bus inmemory|kafka|env --calls N
                     [--bootstrap HOST:PORT]

``DIR`` holds the generated ``metrics`` package (operations ``create_order``,
``cancel_order`` and ``gateway.attach``). The node is an omnibase-core ``NodeEffect``
with ``MetricsTrackingMixin``; each round it creates an order, attaches a gateway
(sync) and cancels an order, every third cancel failing with ``KeyError``. Buses:

- ``inmemory``: omnibase-core's ``EventBusInmemory``, given as
  ``_initialize_metrics(event_bus=...)``; what its subscribers received is reported.
- ``kafka``: omnibase-infra's ``EventBusKafka.from_bootstrap(--bootstrap)``, given the
  same way (run with ``ONEX_TOPIC_ENFORCEMENT_MODE=reject`` to hold topics to ONEX's).
- ``env``: no bus given; ``KAFKA_BOOTSTRAP_SERVERS`` makes the package use its own
  ``EventBusKafka``.

Prints one JSON object: the statistics of each operation, the publisher's counters,
the topics and, for ``inmemory``, every event the bus delivered (``delivered``:
``[topic, key, value]``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from omnibase_core.event_bus.event_bus_inmemory import EventBusInmemory
from omnibase_core.models.container.model_onex_container import ModelONEXContainer
from omnibase_core.nodes.node_effect import NodeEffect
from omnibase_infra.event_bus.event_bus_kafka import EventBusKafka

OPERATIONS = ("create_order", "cancel_order", "gateway.attach")


def load_metrics(package_dir: str) -> ModuleType:
    sys.path.insert(0, package_dir)
    return importlib.import_module("metrics")


def node_class(metrics: ModuleType) -> type[Any]:
    """``NodeOrdersEffect(NodeEffect, MetricsTrackingMixin)``, decorated operations."""
    track: Callable[[str], Callable[[Any], Any]] = metrics.track_metrics

    class NodeOrdersEffect(NodeEffect, metrics.MetricsTrackingMixin):  # type: ignore[misc,name-defined]
        def __init__(self, container: ModelONEXContainer, event_bus: object) -> None:
            super().__init__(container)
            self.orders: set[str] = set()
            if event_bus is None:
                self._initialize_metrics()
            else:
                self._initialize_metrics(event_bus=event_bus)

        @track("create_order")
        async def create_order(self, order_id: str) -> str:
            await asyncio.sleep(0)
            self.orders.add(order_id)
            return order_id

        @track("cancel_order")
        async def cancel_order(self, order_id: str) -> None:
            await asyncio.sleep(0)
            if order_id not in self.orders:
                raise KeyError(f"no order {order_id}")
            self.orders.remove(order_id)

        @track("gateway.attach")
        def attach(self, order_id: str) -> str:
            return f"gateway:{order_id}"

    return NodeOrdersEffect


async def run(args: argparse.Namespace) -> dict[str, Any]:
    metrics = load_metrics(args.package_dir)
    assert tuple(metrics.OPERATIONS) == OPERATIONS, metrics.OPERATIONS
    config = importlib.import_module("metrics.config")
    delivered: list[list[str | None]] = []
    bus: Any = None
    if args.bus == "inmemory":
        bus = EventBusInmemory()
        await bus.start()

        async def receive(message: Any) -> None:
            key = None if message.key is None else message.key.decode()
            delivered.append([message.topic, key, message.value.decode()])

        for topic in (config.KAFKA_TOPIC, config.SNAPSHOT_TOPIC):
            await bus.subscribe(topic, on_message=receive, group_id="metrics-test")
    elif args.bus == "kafka":
        bus = EventBusKafka.from_bootstrap(args.bootstrap)
        await bus.start()

    node = node_class(metrics)(ModelONEXContainer(), bus)
    errors = 0
    for i in range(args.calls):
        order_id = await node.create_order(f"order-{i}")
        node.attach(order_id)
        try:
            await node.cancel_order(order_id if i % 3 else f"missing-{i}")
        except KeyError:
            errors += 1
    await node.stop_metrics()
    if bus is not None:
        await bus.close()
    publisher = node._metrics_publisher
    return {
        "statistics": {
            operation: await node._calculate_operation_statistics(operation)
            for operation in OPERATIONS
        },
        "cancel_errors": errors,
        "publisher": {
            "queued": publisher.queued,
            "sent": publisher.sent,
            "dropped": publisher.dropped,
            "transport": type(publisher.transport).__name__,
        },
        "topics": {"operation": config.KAFKA_TOPIC, "snapshot": config.SNAPSHOT_TOPIC},
        "delivered": delivered,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", required=True)
    parser.add_argument("--bus", choices=("inmemory", "kafka", "env"), required=True)
    parser.add_argument("--bootstrap")
    parser.add_argument("--calls", type=int, default=250)
    args = parser.parse_args()
    if args.bus == "kafka" and not args.bootstrap:
        parser.error("--bus kafka needs --bootstrap")
    logging.basicConfig(
        level=logging.WARNING, format="%(name)s %(levelname)s %(message)s"
    )
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

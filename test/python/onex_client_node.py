#!/usr/bin/env python3
"""An ONEX-style node publishing its metrics through a stand-in ``kafka_client``.

    onex_client_node.py --package-dir DIR [--mode ok|false|raise|hang] [--calls N]
                        [--stop-timeout S]
    onex_client_node.py --package-dir DIR --race-sweep N [--stop-timeout S]

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
whether and how fast ``stop_metrics`` returned (it counts as not returning
``STOP_GRACE`` seconds past its timeout), the tasks still running after it, and the
node's own statistics.

``--race-sweep N`` checks instead that ``stop_metrics`` returns when shutdown
coincides with a failing publish: for each delay d in 0..N-1, a new node's client,
on its first call, starts ``stop_metrics(0)`` and then returns False after d
``sleep(0)`` steps of the event loop, so the moment the send fails sweeps across
the moment stop cancels the publisher. Prints ``{"race": [{"delay": d,
"stop_returned": bool}, ...]}``; a stop still running after ``--stop-timeout``
seconds (default 2) counts as not returned. Exits with ``os._exit`` so a
publisher task that never ends cannot hang the interpreter's shutdown.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import importlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, cast
from uuid import UUID

MODES = ("ok", "false", "raise", "hang")
STOP_GRACE = 5.0
"""Seconds past its timeout after which stop_metrics counts as never returning."""


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


class RacingKafkaClient:
    """On its first call, starts the node's ``stop_metrics(0)``, then fails after
    ``delay`` event loop steps; later calls fail at once."""

    def __init__(self, delay: int) -> None:
        self.delay = delay
        self.node: OrdersNode | None = None
        self.stop_task: asyncio.Task[None] | None = None
        self.stop_started = asyncio.Event()

    async def publish_with_envelope(
        self,
        event_type: str,
        source_node_id: str,
        payload: dict[str, Any],
        topic: str | None = None,
        correlation_id: UUID | str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        if self.stop_task is None and self.node is not None:
            self.stop_task = asyncio.get_running_loop().create_task(
                self.node.stop_metrics(0.0)
            )
            self.stop_started.set()
            for _ in range(self.delay):
                await asyncio.sleep(0)
        return False


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
    # Bounded here, so a stop_metrics that never returns is reported, not waited for.
    stop_started = time.monotonic()
    stop = asyncio.ensure_future(node.stop_metrics(args.stop_timeout))
    done, _ = await asyncio.wait({stop}, timeout=args.stop_timeout + STOP_GRACE)
    stop_seconds = time.monotonic() - stop_started
    if stop in done:
        stop.result()
    # Give cancelled tasks one more loop step to finish, then list what still runs.
    await asyncio.sleep(0)
    leftover = sorted(
        task.get_name()
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task() and task is not stop and not task.done()
    )
    return {
        "mode": args.mode,
        "stop_returned": stop in done,
        "leftover_tasks": leftover,
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
            "comprehensive": metrics.config.SNAPSHOT_TOPIC,
        },
        "service_name": metrics.config.SERVICE_NAME,
    }


async def race(args: argparse.Namespace) -> dict[str, object]:
    sys.path.insert(0, str(args.package_dir))
    metrics = importlib.import_module("metrics")
    node_class = make_node_class(metrics)
    outcomes: list[dict[str, object]] = []
    for delay in range(args.race_sweep):
        client = RacingKafkaClient(delay)
        node = cast(OrdersNode, node_class(client))
        client.node = node
        # Enough calls for one operation event: the publisher then calls the client.
        for i in range(metrics.config.PUBLISH_INTERVAL_OPS):
            await node.create_order(f"order-{i}")
        await asyncio.wait_for(client.stop_started.wait(), 5.0)
        assert client.stop_task is not None
        done, _ = await asyncio.wait({client.stop_task}, timeout=args.stop_timeout)
        outcomes.append({"delay": delay, "stop_returned": client.stop_task in done})
    return {"race": outcomes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", required=True, type=Path)
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--stop-timeout", type=float, default=2.0)
    parser.add_argument("--race-sweep", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    loop = asyncio.new_event_loop()
    report = loop.run_until_complete(race(args) if args.race_sweep else run(args))
    print(json.dumps(report), flush=True)
    if report.get("stop_returned") is False or report.get("leftover_tasks"):
        # Not loop.close() nor asyncio.run(): a publisher task that ignores
        # cancellation would hang the shutdown too.
        sys.stderr.flush()
        os._exit(0)
    if args.race_sweep:
        sys.stderr.flush()
        os._exit(0)
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""omnibase-infra's real ``node_checkpoint_effect`` with the generated mixin, driven
through ONEX's real routing, publishing through the real ``EventBusInmemory``.

    checkpoint_node.py --package-dir DIR --rounds N

``DIR`` holds the ``metrics`` package generated from the node's own contract.yaml.
The node is ``NodeCheckpointEffect`` with ``MetricsTrackingMixin`` mixed in first; its
contract's ``handler_routing`` is loaded as omnibase-core's
``ModelHandlerRoutingSubcontract`` into a ``ServiceHandlerRegistry`` holding the
node's three real handler classes, and every message goes through the node's
``route_to_handlers`` (``MixinHandlerRouting``), then the handler.

The checkpoint handlers implement omnibase-spi's ``execute(envelope)`` handler
protocol; the registry takes omnibase-core's message handlers (``handler_id``,
``category``, ``handle``): ``RegisteredHandler`` adapts one to the other, as a
runtime would, without changing the handlers.

Each round writes a checkpoint (a second write of the same one fails by raising),
reads it, reads a phase never written (the handler returns ``success=False``), and
lists the run's checkpoints. Prints one JSON object: what the calls did, counted
independently of the metrics (``expected``), every event the bus delivered, and the
log records of the ``metrics`` loggers during the calls.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import yaml
from omnibase_core.enums.enum_execution_shape import EnumMessageCategory
from omnibase_core.enums.enum_node_kind import EnumNodeKind
from omnibase_core.event_bus.event_bus_inmemory import EventBusInmemory
from omnibase_core.models.container.model_onex_container import ModelONEXContainer
from omnibase_core.models.contracts.subcontracts.model_handler_routing_subcontract import (
    ModelHandlerRoutingSubcontract,
)
from omnibase_core.services.service_handler_registry import ServiceHandlerRegistry
from omnibase_infra.enums.enum_checkpoint_phase import EnumCheckpointPhase
from omnibase_infra.errors import RuntimeHostError
from omnibase_infra.models.checkpoint.model_checkpoint import ModelCheckpoint
from omnibase_infra.models.checkpoint.model_phase_payload_implement import (
    ModelPhasePayloadImplement,
)
from omnibase_infra.nodes.node_checkpoint_effect import node as checkpoint_node
from omnibase_infra.nodes.node_checkpoint_effect.node import NodeCheckpointEffect

CATEGORY = EnumMessageCategory.COMMAND


class RegisteredHandler:
    """An omnibase-spi handler (``execute``) as an omnibase-core message handler."""

    def __init__(self, handler: Any, handler_id: str) -> None:
        self.handler = handler
        self._handler_id = handler_id

    @property
    def handler_id(self) -> str:
        return self._handler_id

    @property
    def category(self) -> EnumMessageCategory:
        return CATEGORY

    @property
    def node_kind(self) -> EnumNodeKind:
        return EnumNodeKind.EFFECT

    @property
    def message_types(self) -> set[str]:
        return set()

    async def handle(self, envelope: Any) -> Any:
        return await self.handler.execute(envelope)


class MetricsRecords(logging.Handler):
    """Keeps the records of the ``metrics`` loggers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.levelname} {record.name} {record.getMessage()}")


async def run(package_dir: str, rounds: int) -> dict[str, Any]:
    sys.path.insert(0, package_dir)
    metrics = importlib.import_module("metrics")
    config = importlib.import_module("metrics.config")

    class NodeCheckpointEffectWithMetrics(
        metrics.MetricsTrackingMixin,  # type: ignore[name-defined,misc]
        NodeCheckpointEffect,
    ):
        def __init__(self, container: ModelONEXContainer, event_bus: object) -> None:
            super().__init__(container)
            self._initialize_metrics(event_bus=event_bus)

    bus = EventBusInmemory()
    await bus.start()
    delivered: list[str] = []

    async def receive(message: Any) -> None:
        delivered.append(message.value.decode())

    for topic in (config.KAFKA_TOPIC, config.SNAPSHOT_TOPIC):
        await bus.subscribe(topic, on_message=receive, group_id="metrics-test")

    container = ModelONEXContainer()
    node = NodeCheckpointEffectWithMetrics(container, bus)
    contract = yaml.safe_load(
        (Path(checkpoint_node.__file__).parent / "contract.yaml").read_text()
    )
    routing = dict(contract["handler_routing"])
    # The model requires a version, which this contract's section leaves out.
    routing.setdefault("version", {"major": 1, "minor": 0, "patch": 0})
    subcontract = ModelHandlerRoutingSubcontract.model_validate(routing)
    registry = ServiceHandlerRegistry()
    for entry in subcontract.handlers:
        module = importlib.import_module(entry.handler.module)
        handler = getattr(module, entry.handler.name)(container)
        await handler.initialize({})
        registry.register_handler(RegisteredHandler(handler, entry.handler.name))
    registry.freeze()
    node._init_handler_routing(subcontract, registry)

    records = MetricsRecords()
    logging.getLogger("metrics").addHandler(records)
    expected: dict[str, dict[str, int]] = {
        operation: {"count": 0, "errors": 0} for operation in config.OPERATIONS
    }

    async def dispatch(envelope: dict[str, object]) -> None:
        operation = str(envelope["operation"])
        handlers: list[Any] = node.route_to_handlers(operation, CATEGORY)
        [handler] = handlers
        expected[operation]["count"] += 1
        try:
            output: Any = await handler.handle(envelope)
        except RuntimeHostError:  # the write of a checkpoint that exists
            expected[operation]["errors"] += 1
            return
        if not output.result.success:
            expected[operation]["errors"] += 1

    with tempfile.TemporaryDirectory() as base_dir:
        ticket = "OMN-9999"
        for i in range(rounds):
            run_id = uuid4()
            checkpoint = ModelCheckpoint(
                run_id=run_id,
                ticket_id=ticket,
                phase=EnumCheckpointPhase.IMPLEMENT,
                timestamp_utc=datetime.now(UTC),
                attempt_number=1,
                phase_payload=ModelPhasePayloadImplement(
                    branch_name=f"feat/{i}", commit_sha="abcdef1"
                ),
            )
            common = {"correlation_id": uuid4(), "base_dir": base_dir}
            write = {"operation": "write_checkpoint", "checkpoint": checkpoint}
            await dispatch({**common, **write})
            if i % 3 == 0:
                await dispatch({**common, **write})  # exists already: raises
            for phase in (EnumCheckpointPhase.IMPLEMENT, EnumCheckpointPhase.CREATE_PR):
                read = {"operation": "read_checkpoint", "phase": phase}
                await dispatch(
                    {**common, **read, "ticket_id": ticket, "run_id": run_id}
                )
            await dispatch(
                {
                    **common,
                    "operation": "list_checkpoints",
                    "ticket_id": ticket,
                    "run_id": run_id,
                }
            )
    logging.getLogger("metrics").removeHandler(records)
    await node.stop_metrics()
    await bus.close()
    return {
        "operations": list(config.OPERATIONS),
        "expected": expected,
        "delivered": delivered,
        "log": records.records,
        "transport": type(node._metrics_publisher.transport).__name__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(asyncio.run(run(args.package_dir, args.rounds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

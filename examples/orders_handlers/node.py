"""An effect node of today's ONEX (omnibase-core's ``NodeEffect``) whose contract routes
each operation to a handler, with the generated ``metrics`` package.

Scaffold the package first (from the repository root)::

    npx plop metrics            # node directory: examples/orders_handlers

then run ``python node.py [calls]`` here with the omnibase packages installed (the
tests' venv: ``../../.venv-onex/bin/python node.py``). Events are logged; pass the
node's event bus to ``_initialize_metrics(event_bus=...)`` and they go there.
"""

import asyncio
import contextlib
import importlib
import logging
import sys
from pathlib import Path
from typing import Any

import yaml
from omnibase_core.enums import EnumMessageCategory
from omnibase_core.models.container.model_onex_container import ModelONEXContainer
from omnibase_core.models.contracts.subcontracts.model_handler_routing_subcontract import (
    ModelHandlerRoutingSubcontract,
)
from omnibase_core.nodes.node_effect import NodeEffect
from omnibase_core.services.service_handler_registry import ServiceHandlerRegistry

try:
    from metrics import EventBus, MetricsTrackingMixin
except ModuleNotFoundError as error:
    if error.name != "metrics":
        raise
    # The package is generated, not committed.
    sys.exit(f"{error}: run `npx plop metrics` for examples/orders_handlers first")


class NodeOrdersEffect(MetricsTrackingMixin, NodeEffect):
    """Orders: the contract routes create_order and cancel_order to handlers."""

    def __init__(
        self, container: ModelONEXContainer, event_bus: EventBus | None = None
    ) -> None:
        super().__init__(container)
        self._initialize_metrics(event_bus=event_bus)


def route_by_contract(node: NodeOrdersEffect) -> None:
    """The node's handler routing from contract.yaml, in a frozen handler registry."""
    contract = yaml.safe_load(Path(__file__).with_name("contract.yaml").read_text())
    routing = {"version": contract["contract_version"], **contract["handler_routing"]}
    subcontract = ModelHandlerRoutingSubcontract.model_validate(routing)
    registry = ServiceHandlerRegistry()
    orders: set[str] = set()
    for entry in subcontract.handlers:
        handler_class = getattr(
            importlib.import_module(entry.handler.module), entry.handler.name
        )
        registry.register_handler(handler_class(orders))
    registry.freeze()
    node._init_handler_routing(subcontract, registry)


async def dispatch(node: NodeOrdersEffect, operation: str, order_id: str) -> Any:
    """One message, as ONEX routes it: to the handlers of its operation."""
    command = EnumMessageCategory.COMMAND
    results = []
    for handler in node.route_to_handlers(operation, command):
        results.append(await handler.handle({"order_id": order_id}))
    return results


async def main(calls: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    node = NodeOrdersEffect(ModelONEXContainer())
    route_by_contract(node)
    for i in range(calls):
        await dispatch(node, "create_order", f"order-{i}")
        # Every third cancel is of an order that does not exist: tracked as an error.
        with contextlib.suppress(KeyError):
            await dispatch(
                node, "cancel_order", f"order-{i}" if i % 3 else f"missing-{i}"
            )
    await node.stop_metrics()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 250))

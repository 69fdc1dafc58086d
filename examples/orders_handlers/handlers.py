"""The node's handlers, ONEX message handlers (``ProtocolMessageHandler``).

Nothing here knows about metrics: the node's routing times them.
"""

import asyncio

from omnibase_core.enums import EnumMessageCategory, EnumNodeKind


class OrdersHandler:
    """What both handlers share: their identity in the handler registry."""

    def __init__(self, orders: set[str]) -> None:
        self.orders = orders

    @property
    def handler_id(self) -> str:
        return type(self).__name__

    @property
    def category(self) -> EnumMessageCategory:
        return EnumMessageCategory.COMMAND

    @property
    def message_types(self) -> set[str]:
        return set()

    @property
    def node_kind(self) -> EnumNodeKind:
        return EnumNodeKind.EFFECT


class HandlerCreateOrder(OrdersHandler):
    async def handle(self, envelope: dict[str, str]) -> str:
        await asyncio.sleep(0.001)
        self.orders.add(envelope["order_id"])
        return envelope["order_id"]


class HandlerCancelOrder(OrdersHandler):
    async def handle(self, envelope: dict[str, str]) -> None:
        await asyncio.sleep(0.0005)
        if envelope["order_id"] not in self.orders:
            raise KeyError(f"no order {envelope['order_id']}")
        self.orders.remove(envelope["order_id"])

"""A tiny ONEX-style effect node instrumented with the generated ``metrics`` package.

Scaffold the package first (from the repository root)::

    npx plop metrics            # node directory: examples/orders_effect

then run ``python node.py [calls]`` here. Events are logged; with
``KAFKA_BOOTSTRAP_SERVERS`` set and omnibase-infra installed they go to Kafka through
its ``EventBusKafka`` instead.
"""

import asyncio
import logging
import sys

try:
    from metrics import MetricsTrackingMixin, track_metrics
except ModuleNotFoundError as error:
    if error.name != "metrics":
        raise
    # The package is generated, not committed.
    sys.exit(f"{error}: run `npx plop metrics` for examples/orders_effect first")


class NodeOrdersEffect(MetricsTrackingMixin):
    """Keeps orders in memory; every operation is tracked."""

    def __init__(self) -> None:
        self._orders: dict[str, str] = {}
        self._initialize_metrics()

    @track_metrics("create_order")
    async def create_order(self, order_id: str) -> str:
        await asyncio.sleep(0.001)
        self._orders[order_id] = "created"
        return order_id

    @track_metrics("cancel_order")
    async def cancel_order(self, order_id: str) -> None:
        await asyncio.sleep(0.0005)
        if self._orders.pop(order_id, None) is None:
            raise KeyError(f"no order {order_id}")

    @track_metrics("get_order")
    def get_order(self, order_id: str) -> str | None:
        return self._orders.get(order_id)


async def main(calls: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    node = NodeOrdersEffect()
    for i in range(calls):
        order_id = await node.create_order(f"order-{i}")
        node.get_order(order_id)
        try:
            # Every third cancel is of an order that does not exist: tracked as an error.
            await node.cancel_order(order_id if i % 3 else f"missing-{i}")
        except KeyError:
            pass
    await node.stop_metrics()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 250))

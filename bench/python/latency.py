"""Hot-path latency (p99) of a tracked call while the publisher works, in Python.

The tracked method does about two microseconds of work and does not suspend; the
load yields to the event loop after every call, so the publisher (building events,
the sender task, aiokafka's own tasks) runs between calls, as in a service.

Phase 1, a live broker: calls of a node that never publishes ("idle", generated
with huge intervals) side by side with calls of a node publishing every 100 calls
to Kafka ("sending"). Then the orchestrator stops the broker. Phase 2: idle side
by side with the same sending node, its broker gone ("down").

In smoke mode there is no broker: "sending" goes to a null transport and "down"
to a port where nothing listens.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from benchlib import (
    Config,
    CountingTransport,
    NullTransport,
    ask,
    emit,
    load_config,
    load_package,
    log,
    node_class,
    now_ns,
    percentile,
)

WORK = 40


async def work(self: Any, x: int) -> int:
    total = 0
    for i in range(WORK):
        total += i ^ x
    return total


Call = Callable[[int], Awaitable[Any]]


async def latencies(call: Call, n: int) -> list[int]:
    """Nanoseconds of each of n calls, yielding to the loop after each."""
    measured = []
    for i in range(n):
        start = now_ns()
        await call(i)
        measured.append(now_ns() - start)
        await asyncio.sleep(0)
    return measured


async def p99_rounds(
    calls: dict[str, Call], n: int, rounds: int, warmup: int
) -> list[dict[str, float]]:
    """Per round, the p99 (µs) of n calls of each scenario, in rotating order."""
    names = list(calls)
    results = []
    for round_index in range(warmup + rounds):
        shift = round_index % len(names)
        p99 = {}
        for name in names[shift:] + names[:shift]:
            p99[name] = percentile(sorted(await latencies(calls[name], n)), 99) / 1000
        if round_index >= warmup:
            results.append(p99)
    return results


async def until_delivered(call: Call, transport: Any, timeout: float) -> None:
    """Drives calls until the transport has delivered an event (the producer is
    connected and the topic exists), so the rounds measure steady sending."""
    deadline = asyncio.get_running_loop().time() + timeout
    i = 0
    while transport.sent == 0:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"no event delivered within {timeout} s")
        await call(i)
        i += 1
        await asyncio.sleep(0)


def transport_note(node: Any, transport: Any) -> str:
    return (
        f"{transport.sent} events sent, {getattr(transport, 'failed', 0)} sends failed,"
        f" {node._metrics_publisher.dropped} dropped"
    )


async def main() -> None:
    config: Config = load_config()
    # The omninode-bridge packages: their aiokafka transport sends to a live broker
    # from this interpreter (the onex envelope sends through omnibase-infra's
    # EventBusKafka, which needs the ONEX venv); the hot path is the same.
    idle_package = load_package(config.packages["bridge_idle"], "metrics_bridge_idle")
    package = load_package(config.packages["bridge"], "metrics_bridge")
    idle = node_class(idle_package, {"op_a": work})()
    idle._initialize_metrics(transport=NullTransport())
    n, rounds, warmup = (300, 2, 1) if config.smoke else (10_000, 12, 2)

    log("Python latency: idle beside sending")
    sending = node_class(package, {"op_a": work})()
    sending_transport: Any
    if config.broker:
        sending_transport = CountingTransport(package.AioKafkaTransport(config.broker))
        sending_note = f"aiokafka to a live broker ({config.broker})"
    else:
        sending_transport = NullTransport()
        sending_note = "smoke: no broker, a null transport"
    sending._initialize_metrics(transport=sending_transport)
    if config.broker:
        await until_delivered(sending.op_a, sending_transport, 60)
    phase1 = await p99_rounds(
        {"idle": idle.op_a, "sending": sending.op_a}, n, rounds, warmup
    )
    emit("lat.py.idle", [r["idle"] for r in phase1], f"{WORK}-step loop, ~2 µs")
    emit(
        "lat.py.sending",
        [r["sending"] for r in phase1],
        f"{sending_note}; {transport_note(sending, sending_transport)}",
    )
    emit("lat.py.sending_vs_idle", [r["sending"] / r["idle"] for r in phase1])

    log("Python latency: idle beside broker down")
    if config.broker:
        down, down_transport = sending, sending_transport
        sent_before = sending_transport.sent
        # The broker goes away under load; the answer comes once it has stopped.
        stopping = asyncio.ensure_future(ask("stop-broker"))
        while not stopping.done():
            await latencies(down.op_a, 100)
        await stopping
        await latencies(down.op_a, 10_000)
        down_note = "the same producer, its broker stopped"
    else:
        down = node_class(package, {"op_a": work})()
        down_transport = CountingTransport(
            package.AioKafkaTransport(config.dead_broker)
        )
        down._initialize_metrics(transport=down_transport)
        sent_before = 0
        down_note = f"smoke: aiokafka to a dead port ({config.dead_broker})"
    phase2 = await p99_rounds({"idle": idle.op_a, "down": down.op_a}, n, rounds, warmup)
    emit(
        "lat.py.down",
        [r["down"] for r in phase2],
        f"{down_note}; {transport_note(down, down_transport)}"
        f" ({down_transport.sent - sent_before} after the stop)",
    )
    emit("lat.py.down_vs_idle", [r["down"] / r["idle"] for r in phase2])
    for node in {id(x): x for x in (idle, sending, down)}.values():
        await node.stop_metrics(timeout=1.0)


if __name__ == "__main__":
    asyncio.run(main())

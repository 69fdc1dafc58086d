"""Regression tests of the publisher and transport fixes found by the fault tests.

Run with pytest by test/faults/publisher-units.test.ts, which points
``ONEX_METRICS_NODE`` at a directory holding a generated ``metrics`` package (any
operations; the first is used). No broker: the network parts use a closed port
and a TCP server that accepts connections and never answers (a hung broker).
"""

import asyncio
import importlib
import json
import logging
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

NODE_DIR = Path(os.environ["ONEX_METRICS_NODE"])
sys.path.insert(0, str(NODE_DIR))
metrics: ModuleType = importlib.import_module("metrics")
publisher_module: ModuleType = importlib.import_module("metrics.publisher")
transport_module: ModuleType = importlib.import_module("metrics.kafka")
FIRST: str = metrics.OPERATIONS[0]
AIOKAFKA_LOGGERS: tuple[str, ...] = getattr(
    transport_module, "_LIBRARY_LOGGERS", ("aiokafka",)
)


class HangingTransport:
    """send and close never finish (until cancelled): a hung broker."""

    def __init__(self) -> None:
        self.attempts = 0

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        self.attempts += 1
        await asyncio.Event().wait()

    async def close(self) -> None:
        await asyncio.Event().wait()


def make_node(transport: Any) -> Any:
    class Node(metrics.MetricsTrackingMixin):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self._initialize_metrics(transport=transport)

    return Node()


@pytest.mark.parametrize("timeout", [0.0, 0.05, 0.5])
def test_stop_returns_within_its_timeout_when_send_and_close_hang(
    timeout: float,
) -> None:
    async def scenario() -> None:
        transport = HangingTransport()
        node = make_node(transport)
        await node._track_operation_metrics(FIRST, 1.0, True)
        await node._publish_all_metrics()
        await asyncio.sleep(0.01)
        assert transport.attempts == 1
        # How late a plain sleep of the same length comes back on this machine now.
        started = time.monotonic()
        await asyncio.sleep(timeout)
        lateness = time.monotonic() - started - timeout
        started = time.monotonic()
        await node.stop_metrics(timeout)
        elapsed = time.monotonic() - started
        # Before the fix: up to 0.2 s more (two 0.1 s floors).
        assert elapsed <= timeout + 0.05 + lateness, (elapsed, lateness)
        publisher = node._metrics_publisher
        assert publisher.outbox_depth == 0
        assert publisher.sent == 0
        assert publisher.queued == publisher.dropped > 0

    asyncio.run(scenario())


def test_every_event_is_counted_once_sent_or_dropped() -> None:
    async def scenario() -> None:
        transport = metrics.MemoryTransport()
        node = make_node(transport)
        publisher = node._metrics_publisher
        publisher._capacity = 3
        for _ in range(5):
            await node._publish_all_metrics()  # fills past the capacity at once
        assert publisher.outbox_depth == 3
        await node.stop_metrics()
        assert publisher.queued == publisher.sent + publisher.dropped
        assert publisher.sent == len(transport.messages) > 0
        assert publisher.dropped > 0

    asyncio.run(scenario())


class GatedTransport:
    """Each send waits for the gate, then fails while ``failing``: an event stays in
    flight as long as the test wants."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.failing = True
        self.values: list[bytes] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        await self.gate.wait()
        if self.failing:
            raise ConnectionError("broker down")
        self.values.append(value)


def dropped_reported(value: bytes) -> int:
    reported: int = json.loads(value)["payload"]["dropped_events"]
    return reported


def test_the_final_snapshot_reports_every_drop_when_a_send_in_flight_fails() -> None:
    # The race of the broker restart, made deterministic: stop() builds the final
    # snapshot while the outbox is full and an event is out for sending; that send
    # then fails and the event goes back. Before the fix the place of the event in
    # flight was not kept: putting it back dropped another event *after* the final
    # snapshot was built, so the snapshot reported one drop fewer than happened.
    async def scenario() -> None:
        transport = GatedTransport()
        node = make_node(transport)
        publisher = node._metrics_publisher
        publisher._capacity = 3
        # The first call asks for an event of its own: with two more, the outbox is
        # full once the first of them is out for sending.
        await node._track_operation_metrics(FIRST, 1.0, True)
        for _ in range(2):
            await node._publish_metrics_event(FIRST)
        await asyncio.sleep(0.01)  # the first event is out for sending
        assert publisher.outbox_depth == 2
        stopping = asyncio.ensure_future(node.stop_metrics(timeout=5))
        await asyncio.sleep(0.01)  # the snapshot needed a place: a waiting event went
        assert publisher.dropped == 1
        transport.gate.set()
        await asyncio.sleep(0.01)  # the send fails; the event goes back to its place
        assert (publisher.dropped, publisher.outbox_depth) == (1, 3)
        transport.failing = False
        await stopping
        assert publisher.queued == publisher.sent + publisher.dropped
        reported = [dropped_reported(value) for value in transport.values]
        assert reported == [0, 0, 1]
        assert reported[-1] == publisher.dropped

    asyncio.run(scenario())


def test_due_signals_stay_bounded_with_no_event_loop() -> None:
    # A sync service: no loop ever drains the "operation due" signals.
    node = make_node(metrics.MemoryTransport())
    window = node._metrics_windows[0]
    limit: int = publisher_module.DUE_SIGNALS_LIMIT
    for _ in range(2 * limit):
        window.due()
    assert len(node._metrics_publisher._due) == limit


# ------------------------------------------------------------------ log filter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_repeated_log_filter_lets_one_line_a_minute_through_and_counts_the_rest() -> (
    None
):
    clock = FakeClock()
    limiter = transport_module.RepeatedLogFilter(60.0, clock)
    template = 'Unable connect to "%s:%s": %s'
    passed = [
        limiter.filter(record("aiokafka", template, "127.0.0.1", i, "refused"))
        for i in range(1000)
    ]
    assert passed.count(True) == 1
    # Another message, or another logger, is not held back by the first.
    assert limiter.filter(record("aiokafka", "Unable to update metadata from %s", 1))
    assert limiter.filter(record("aiokafka.conn", template, "h", 1, "e"))
    clock.now += 59.0
    assert not limiter.filter(record("aiokafka", template, "h", 2, "refused"))
    clock.now += 1.0
    line = record("aiokafka", template, "h", 3, "refused")
    assert limiter.filter(line)
    assert line.getMessage() == (
        'Unable connect to "h:3": refused (1000 more like this in the last 60 s'
        " not logged)"
    )


@pytest.fixture
def clean_library_loggers() -> Iterator[None]:
    def clear() -> None:
        for name in AIOKAFKA_LOGGERS:
            library = logging.getLogger(name)
            for installed in list(library.filters):
                library.removeFilter(installed)

    clear()
    yield
    clear()


@pytest.mark.usefixtures("clean_library_loggers")
def test_aiokafka_transport_limits_aiokafka_logs_once_unless_told_not_to() -> None:
    metrics.AioKafkaTransport("127.0.0.1:9", limit_library_logs=False)
    assert all(not logging.getLogger(name).filters for name in AIOKAFKA_LOGGERS)
    metrics.AioKafkaTransport("127.0.0.1:9")
    metrics.AioKafkaTransport("127.0.0.1:9")
    for name in AIOKAFKA_LOGGERS:
        filters = logging.getLogger(name).filters
        assert len(filters) == 1
        assert isinstance(filters[0], transport_module.RepeatedLogFilter)


# ------------------------------------------------------------------ aiokafka


@pytest.fixture
async def silent_broker() -> AsyncIterator[str]:
    """Accepts connections and never answers, like a frozen broker."""
    held: list[asyncio.StreamWriter] = []

    async def accept(
        _reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"127.0.0.1:{port}"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def aiokafka_tasks() -> list[str]:
    return sorted(
        repr(task.get_coro())
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task() and not task.done()
    )


async def test_a_failed_send_leaves_no_producer_behind() -> None:
    transport = metrics.AioKafkaTransport(f"127.0.0.1:{closed_port()}")
    started = time.monotonic()
    with pytest.raises(Exception, match="Unable to bootstrap"):
        await transport.send("topic", None, b"{}")
    assert time.monotonic() - started < 2
    assert transport._producer is None
    await transport.close()
    assert aiokafka_tasks() == []


async def test_a_send_timed_out_on_a_hung_broker_discards_its_producer(
    silent_broker: str,
) -> None:
    transport = metrics.AioKafkaTransport(silent_broker)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await transport.send("topic", None, b"{}")
    # The next send starts afresh; the hung producer stops in the background.
    assert transport._producer is None
    assert len(transport._discarding) == 1
    started = time.monotonic()
    await transport.close()
    assert time.monotonic() - started < 10
    assert transport._discarding == set()

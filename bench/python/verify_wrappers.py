"""Checks, before anything is measured, that ``@track_metrics`` wrappers behave
like the functions they wrap.

Every kind of parameter list is tried here with many calls: results,
exceptions (type and message), signatures, coroutine-ness and the number of
calls recorded must match.
Prints no row; exits non-zero on the first difference.
"""

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import Any

from benchlib import NullTransport, load_config, load_package, log

SENTINEL: list[int] = []


def f_none() -> str:
    return "none"


def f_one(a: int) -> int:
    return a


def f_all(a: Any, b: Any = 2, *args: Any, c: Any, d: Any = 4, **kw: Any) -> Any:
    return (a, b, args, c, d, sorted(kw.items()))


def f_positional_only(a: Any, /, b: Any, *, c: Any = 3) -> Any:
    return (a, b, c)


def f_var(*args: Any, **kwargs: Any) -> Any:
    return (args, sorted(kwargs.items()))


def f_clashing(next: Any, window: Any = None, start: Any = 0, func: Any = 1) -> Any:
    """Parameter names a careless wrapper would shadow."""
    return (next, window, start, func)


def f_reserved(_tm_func: Any, _tm_start: Any = 1) -> Any:
    """Names starting with _tm_: the generic wrapper is used."""
    return (_tm_func, _tm_start)


def f_default_identity(a: Any, b: list[int] = SENTINEL) -> bool:
    return b is SENTINEL


def f_raises(a: Any) -> None:
    raise ValueError(f"bad {a}")


async def a_all(a: Any, b: Any = 2, *args: Any, c: Any, d: Any = 4, **kw: Any) -> Any:
    await asyncio.sleep(0)
    return (a, b, args, c, d, sorted(kw.items()))


async def a_raises(a: Any) -> None:
    await asyncio.sleep(0)
    raise KeyError(a)


def passthrough(func: Callable[..., Any]) -> Callable[..., Any]:
    """An inner decorator: its signature (via __wrapped__) is not its code's."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return inner


class CallableObject:
    def __call__(self, a: Any, b: Any = 2) -> Any:
        return (a, b)


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((), {}),
    ((1,), {}),
    ((1, 2), {}),
    ((1, 2, 3), {}),
    ((1, 2, 3, 4), {}),
    ((), {"a": 1}),
    ((1,), {"b": 5}),
    ((1,), {"c": 6}),
    ((1, 2), {"c": 6, "d": 7}),
    ((1, 2, 3), {"c": 6, "z": 8}),
    ((), {"a": 1, "c": 6}),
    ((1,), {"a": 1}),
    ((), {"next": 1, "window": 2, "start": 3, "func": 4}),
    ((1,), {"_tm_start": 2}),
    ((), {"_tm_func": 1}),
    ((1,), {"x": 1}),
]

FUNCTIONS: list[Callable[..., Any]] = [
    f_none,
    f_one,
    f_all,
    f_positional_only,
    f_var,
    f_clashing,
    f_reserved,
    f_default_identity,
    f_raises,
    passthrough(f_all),
    functools.partial(f_all, 0),
    CallableObject(),
    lambda a, b=2: (a, b),
]
ASYNC_FUNCTIONS: list[Callable[..., Any]] = [a_all, a_raises]


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        result = call()
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
    except Exception as error:  # noqa: BLE001 - any exception is an outcome to compare
        return ("raised", (type(error).__name__, str(error)))
    return ("returned", result)


def compare(
    name: str, original: Callable[..., Any], tracked: Callable[..., Any]
) -> int:
    """Calls both with every argument list; returns how many calls ran the body."""
    if inspect.iscoroutinefunction(original) != inspect.iscoroutinefunction(tracked):
        raise AssertionError(f"{name}: coroutine function or not differs")
    try:
        expected_signature = inspect.signature(original)
    except (TypeError, ValueError):
        expected_signature = None
    if (
        expected_signature is not None
        and inspect.signature(tracked) != expected_signature
    ):
        raise AssertionError(f"{name}: signature {inspect.signature(tracked)}")
    ran = 0
    for args, kwargs in CALLS:
        want = outcome(functools.partial(original, *args, **kwargs))
        got = outcome(functools.partial(tracked, *args, **kwargs))
        if want != got:
            raise AssertionError(f"{name}{args}{kwargs}: {got} instead of {want}")
        # Calls that ran the body (not refused for their arguments) are recorded.
        ran += want[0] == "returned" or want[1][0] != "TypeError"
    return ran


def main() -> None:
    config = load_config()
    package = load_package(config.packages["default"], "metrics_default")
    shared = package.shared_metrics()
    shared._initialize_metrics(transport=NullTransport())
    checked = 0
    for func in [*FUNCTIONS, *ASYNC_FUNCTIONS]:
        name = getattr(func, "__name__", type(func).__name__)
        before = shared._metrics_windows[0].count
        ran = compare(name, func, package.track_metrics("op_a")(func))
        recorded = shared._metrics_windows[0].count - before
        if recorded < ran:
            raise AssertionError(f"{name}: {ran} calls ran, {recorded} recorded")
        checked += len(CALLS)

    async def method(self: Any, a: Any, /, b: Any = 2, *, c: Any = 3) -> Any:
        return (a, b, c)

    def sync_method(self: Any, a: Any, b: Any = 2) -> Any:
        return (a, b)

    node_type: Any = type(
        "Node",
        (package.MetricsTrackingMixin,),
        {
            "method": package.track_metrics("op_b")(method),
            "sync_method": package.track_metrics("op_c")(sync_method),
        },
    )
    node = node_type()
    node._initialize_metrics(transport=NullTransport())
    plain = type("Plain", (), {"method": method, "sync_method": sync_method})()
    for attribute in ("method", "sync_method"):
        compare(attribute, getattr(plain, attribute), getattr(node, attribute))
        checked += len(CALLS)
    if node._metrics_windows[1].count == 0 or node._metrics_windows[2].count == 0:
        raise AssertionError("methods recorded nothing into their instance")
    # The instance passed by keyword reaches the wrapper too.
    if node_type.sync_method(self=node, a=1) != (1, 2):
        raise AssertionError("self passed by keyword")
    log(f"{checked} calls: each wrapper behaves as the function it wraps")


if __name__ == "__main__":
    main()

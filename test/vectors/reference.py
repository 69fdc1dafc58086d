"""Computes the expected statistics of schema/test-vectors.json with exact arithmetic.

An independent reference, not the generated code: percentiles by the nearest-rank
definition with Fractions, the average as the exactly rounded sum divided by n,
and the sketch of each window by its definition: a bucket found for each duration
by walking the chain of boundaries (no bisection, no logarithm of a duration).
Run it after editing the calls of a vector:

    .venv/bin/python test/vectors/reference.py schema/test-vectors.json
"""

import json
import math
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any


def statistics(
    durations: list[float], errors: int, window: int, percentiles: list[float]
) -> dict[str, float | int]:
    count = len(durations)
    recent = sorted(durations[-window:])
    result: dict[str, float | int] = {
        "count": count,
        "errors": errors,
        "error_rate": errors / count if count else 0.0,
    }
    if not recent:
        result |= {"avg": 0.0, "min": 0.0, "max": 0.0}
        result |= {key(p): 0.0 for p in percentiles}
        return result
    exact_sum = sum((Fraction(value) for value in recent), Fraction(0))
    result |= {
        "avg": float(exact_sum) / len(recent),
        "min": recent[0],
        "max": recent[-1],
    }
    for p in percentiles:
        rank = math.ceil(Fraction(str(p)) / 100 * len(recent))
        result[key(p)] = recent[rank - 1]
    return result


SKETCH_RELATIVE_ACCURACY = 0.01
GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY)
MIN_INDEX = -math.floor(math.log(1e6) / math.log(GAMMA))
MAX_INDEX = math.ceil(math.log(1e12) / math.log(GAMMA))


def boundary(index: int) -> float:
    """b(index): b(0) = 1, each next one times GAMMA, each previous one over it."""
    value = 1.0
    for _ in range(abs(index)):
        value = value * GAMMA if index > 0 else value / GAMMA
    return value


def bucket(duration: float) -> int | None:
    """The i with b(i - 1) < duration <= b(i); None below the lowest bucket."""
    if duration <= boundary(MIN_INDEX - 1):
        return None
    index = MIN_INDEX
    while index < MAX_INDEX and duration > boundary(index):
        index += 1
    return index


def sketch(durations: list[float], window: int) -> dict[str, Any]:
    recent = sorted(durations[-window:])
    buckets = [bucket(value) for value in recent]
    indexes = [index for index in buckets if index is not None]
    bins: list[int] = []
    if indexes:
        bins = [indexes.count(i) for i in range(indexes[0], indexes[-1] + 1)]
    return {
        "gamma": GAMMA,
        "index_offset": indexes[0] if indexes else 0,
        "bin_counts": bins,
        "zero_count": buckets.count(None),
        "count": len(recent),
        "sum": float(sum((Fraction(value) for value in recent), Fraction(0))),
        "min": recent[0] if recent else 0.0,
        "max": recent[-1] if recent else 0.0,
    }


def key(percentile: float) -> str:
    text = str(percentile)
    if text.endswith(".0"):
        text = text[:-2]
    return "p" + text.replace(".", "_")


def expected(vector: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    per_operation: dict[str, Any] = {}
    for operation in config["operations"]:
        calls = [call for call in vector["calls"] if call["operation"] == operation]
        durations = [call["duration_ms"] for call in calls]
        errors = sum(1 for call in calls if not call["success"])
        failures = [call for call in calls if not call["success"]]
        per_operation[operation] = {
            "statistics": statistics(
                durations,
                errors,
                config["maxDurationSamples"],
                config["percentiles"],
            ),
            "sketch": sketch(durations, config["maxDurationSamples"]),
            "last_error": (
                {"type": failures[-1]["error_type"], "details": failures[-1]["details"]}
                if failures
                else None
            ),
        }
    return per_operation


def main(path: str) -> None:
    file = Path(path)
    document = json.loads(file.read_text())
    for vector in document["vectors"]:
        vector["expected"] = expected(vector, document["config"])
    file.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])

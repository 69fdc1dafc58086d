"""Writes arrays and their ``math.fsum`` for ``typescript/verify_sums.ts``.

The generated TypeScript sums a window with a fast compensated sum that must give
exactly what Python's ``math.fsum`` gives (one event format for both languages).
Random arrays of many magnitudes, sums that cancel, and exact rounding ties.
Usage: ``python sum_cases.py CONFIG.json OUT.json``.
"""

import json
import math
import random
import sys
from pathlib import Path


def cases(count: int) -> list[dict[str, object]]:
    rng = random.Random(42)
    made: list[dict[str, object]] = []
    for i in range(count):
        n = rng.choice([1, 2, 3, 10, 100, 1000, 5000])
        kind = i % 6
        if kind == 0:  # durations: log-normal, the usual case
            xs = [rng.lognormvariate(0, 2) for _ in range(n)]
        elif kind == 1:  # both signs, forty orders of magnitude
            xs = [rng.uniform(-1, 1) * 10 ** rng.randint(-20, 20) for _ in range(n)]
        elif kind == 2:  # cancelling to a tiny remainder
            half = [rng.uniform(0, 1e16) for _ in range(n // 2 + 1)]
            xs = [
                *half,
                *(-x for x in half),
                rng.choice([1.0, 0.5, 1e-300, 2.0**-1074]),
            ]
            rng.shuffle(xs)
        elif kind == 3:  # exact ties between two doubles, and just off them
            xs = [1.0] + [2.0**-53] * rng.randint(1, 3)
            xs += [2.0**-110] * rng.randint(0, 1) + [-(2.0**-110)] * rng.randint(0, 1)
        elif kind == 4:  # decimal fractions, repeated
            xs = [rng.choice([0.1, 0.2, 0.3, 1e-3, 123.456]) for _ in range(n)]
        else:  # milliseconds plus subnormals
            xs = [rng.uniform(0, 5) * 1000.0 for _ in range(n)]
            xs += [2.0**-1074] * rng.randint(0, 3)
        made.append({"values": xs, "fsum": math.fsum(xs)})
    return made


def main() -> None:
    smoke = json.loads(Path(sys.argv[1]).read_text())["smoke"]
    Path(sys.argv[2]).write_text(json.dumps(cases(300 if smoke else 3000)))


if __name__ == "__main__":
    main()

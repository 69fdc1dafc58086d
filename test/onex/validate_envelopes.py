#!/usr/bin/env python3
"""Validates events with omnibase-core's own ``ModelEventEnvelope``, as ONEX consumers do.

    validate_envelopes.py < events      (one JSON event a line; blank lines skipped)

Each line goes through ``ModelEventEnvelope[object].model_validate_json`` (the model
forbids unknown fields), then the model is dumped back with
``model_dump(mode="json")``: the event must be exactly that dump, so it holds no field
that the model would have changed (a timestamp written differently, a version given
as a string). Prints one JSON object::

    {"checked": 3, "invalid": [{"index": 1, "errors": ["..."]}],
     "event_types": {"operation-metrics": 2, "node-metrics": 1}}

Exit codes: 0 every event is valid and exact; 1 some are not; 2 unusable input.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from omnibase_core.models.events.model_event_envelope import ModelEventEnvelope
from pydantic import ValidationError


def check(line: str) -> list[str]:
    """What is wrong with one event: nothing when the model takes it as it is."""
    try:
        envelope = ModelEventEnvelope[object].model_validate_json(line)
    except ValidationError as error:
        return [
            f"{'.'.join(map(str, e['loc'])) or '/'}: {e['msg']}" for e in error.errors()
        ]
    given = json.loads(line)
    dumped = envelope.model_dump(mode="json")
    return [
        f"{key}: sent {given.get(key)!r}, the model writes {dumped.get(key)!r}"
        for key in sorted(set(given) | set(dumped))
        if given.get(key) != dumped.get(key)
    ]


def main() -> int:
    checked = 0
    invalid: list[dict[str, object]] = []
    event_types: Counter[str] = Counter()
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            event_types[str(json.loads(line).get("event_type"))] += 1
        except (ValueError, AttributeError) as error:
            print(
                f"validate_envelopes: line {number} is not a JSON object: {error}",
                file=sys.stderr,
            )
            return 2
        errors = check(line)
        if errors:
            invalid.append({"index": checked, "errors": errors})
        checked += 1
    print(
        json.dumps({"checked": checked, "invalid": invalid, "event_types": event_types})
    )
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Validates JSON documents against the metrics event JSON Schema (Draft 2020-12).

    validate_events.py --schema schema/onex-metrics-event.schema.json [--def NAME] < docs

Reads one JSON document a line from stdin (blank lines are skipped) and validates
each against the whole schema (an event envelope) or, with ``--def NAME``, against
``#/$defs/NAME`` (e.g. ``operationPayload``). Prints one JSON object to stdout::

    {"checked": 3, "invalid": [{"index": 1, "errors": ["/payload/x: ..."]}]}

Exit codes: 0 every document is valid; 1 some are not; 2 unusable input or schema.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jsonschema import (  # type: ignore[import-untyped]  # no stubs installed
    Draft202012Validator,
)
from jsonschema.exceptions import (  # type: ignore[import-untyped]
    SchemaError,
)
from referencing import Registry, Resource


def make_validator(schema: dict[str, Any], definition: str | None) -> Any:
    """A validator of the schema, or of one of its ``$defs`` (refs still resolve)."""
    Draft202012Validator.check_schema(schema)
    if definition is None:
        return Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    if definition not in schema.get("$defs", {}):
        raise SchemaError(f"the schema has no $defs/{definition}")
    schema_id: str = schema["$id"]
    registry: Registry[Any] = Registry().with_resource(
        schema_id, Resource.from_contents(schema)
    )
    return Draft202012Validator(
        {"$ref": f"{schema_id}#/$defs/{definition}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def describe(error: Any) -> str:
    location = "".join(f"/{part}" for part in error.absolute_path) or "/"
    return f"{location}: {error.message}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", required=True, type=Path)
    parser.add_argument(
        "--def", dest="definition", help="validate against #/$defs/DEF instead"
    )
    args = parser.parse_args()
    try:
        schema = json.loads(args.schema.read_text(encoding="utf-8"))
        validator = make_validator(schema, args.definition)
    except (OSError, ValueError, SchemaError) as error:
        print(f"validate_events: unusable schema: {error}", file=sys.stderr)
        return 2

    checked = 0
    invalid: list[dict[str, object]] = []
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except ValueError as error:
            print(
                f"validate_events: line {number} is not JSON: {error}", file=sys.stderr
            )
            return 2
        errors = sorted((describe(e) for e in validator.iter_errors(document)), key=str)
        if errors:
            invalid.append({"index": checked, "errors": errors})
        checked += 1
    print(json.dumps({"checked": checked, "invalid": invalid}))
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())

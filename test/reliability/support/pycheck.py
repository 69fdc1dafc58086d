"""Batch checks of generated Python, one process for thousands of files.

Reads a JSON job from the file named by argv[1]:
  {"compile": [path, ...],              # compile each file, as py_compile does
   "configs": [path, ...],              # execute a config.py, report its constants
   "shapes": [[baseline, hostile], ...]}  # same AST once string constants are masked?
Prints one JSON object: {"compile": {path: error}, "configs": {path: values},
"shapes": {hostile: difference}}. Strings are reported as lists of code points, so
that a surrogate pair and the character it encodes are never confused.
"""

import ast
import json
import sys
from typing import Any


def code_points(value: Any) -> Any:
    if isinstance(value, str):
        return [ord(ch) for ch in value]
    if isinstance(value, (list, tuple)):
        return [code_points(item) for item in value]
    return value


def compile_all(paths: list[str]) -> dict[str, str]:
    """What py_compile does, without writing .pyc files: compile the file's bytes.

    From bytes, so an encoding declaration in the file is honoured as on import.
    """
    failures: dict[str, str] = {}
    for path in paths:
        try:
            with open(path, "rb") as file:
                compile(file.read(), path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeDecodeError) as error:
            failures[path] = f"{type(error).__name__}: {error}"
    return failures


NAMES = (
    "SERVICE_NAME",
    "SERVICE_VERSION",
    "KAFKA_TOPIC",
    "SNAPSHOT_TOPIC",
    "OPERATIONS",
    "PUBLISH_INTERVAL_OPS",
    "PUBLISH_INTERVAL_SECONDS",
    "MAX_DURATION_SAMPLES",
    "GENERATOR",
)


def run_config(path: str) -> dict[str, Any]:
    with open(path, "rb") as file:
        code = compile(file.read(), path, "exec")
    namespace: dict[str, Any] = {"__name__": "generated_config"}
    exec(code, namespace)  # noqa: S102 - the point: run what was generated
    return {name: code_points(namespace.get(name)) for name in NAMES}


def masked(path: str) -> str:
    with open(path, "rb") as file:
        tree = ast.parse(file.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "<str>"
    return ast.dump(tree, include_attributes=False)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        job = json.load(file)
    result: dict[str, Any] = {"compile": compile_all(job.get("compile", []))}
    configs: dict[str, Any] = {}
    for path in job.get("configs", []):
        try:
            configs[path] = run_config(path)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            configs[path] = {"error": f"{type(error).__name__}: {error}"}
    result["configs"] = configs
    shapes: dict[str, str] = {}
    for baseline, hostile in job.get("shapes", []):
        try:
            if masked(baseline) != masked(hostile):
                shapes[hostile] = f"AST differs from {baseline}"
        except SyntaxError as error:
            shapes[hostile] = f"SyntaxError: {error}"
    result["shapes"] = shapes
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs omnibase-core's own code checks on a generated package, as ONEX repos do.

    code_checks.py NODE_DIR

Every ``.py`` file under ``NODE_DIR`` is given to each check that applies to a
node's Python source, through its installed CLI (``python -m
omnibase_core.nodes.<check>.runtime_<check> FILES --report-json OUT``), run in
``NODE_DIR`` with relative paths, as a pre-commit hook would. A check fails on a
non-zero exit, on a missing report, or on an ERROR finding in its report.

Prints one JSON object: ``{"files": [...], "checks": [{"id", "module", "passed",
"findings": [...]}], "not_run": [{"id", "why"}]}``. Exit code: 0 when every check
run passed, 1 otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "omnibase_core.nodes."

# (validator id, runtime module under omnibase_core.nodes, extra arguments)
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "arch-no-direct-kafka-producer",
        "node_no_direct_kafka_producer_check_compute.runtime_no_direct_kafka_producer_check",
        (),
    ),
    (
        "no-untyped-metadata",
        "node_no_untyped_metadata_check_compute.runtime_no_untyped_metadata_check",
        (),
    ),
    ("arch-no-utcnow", "node_no_utcnow_check_compute.runtime_no_utcnow_check", ()),
    (
        "arch-no-env-fallbacks",
        "node_no_env_fallbacks_check_compute.runtime_no_env_fallbacks_check",
        (),
    ),
    (
        "arch-no-hardcoded-ip",
        "node_no_hardcoded_ip_check_compute.runtime_no_hardcoded_ip_check",
        (),
    ),
    (
        "validator-private-ip-compute",
        "node_private_ip_check_compute.runtime_private_ip_check",
        ("--quiet",),
    ),
    (
        "validator-hardcoded-topic-compute",
        "node_hardcoded_topic_check_compute.runtime_hardcoded_topic_check",
        ("--quiet",),
    ),
    (
        "arch-topic-names",
        "node_topic_names_check_compute.runtime_topic_names_check",
        (),
    ),
    (
        "arch-no-io-outside-effects",
        "node_no_io_outside_effects_check_compute.runtime_no_io_outside_effects_check",
        (),
    ),
    (
        "arch-no-raw-sqlite3",
        "node_no_raw_sqlite3_check_compute.runtime_no_raw_sqlite3_check",
        (),
    ),
    ("ai-slop", "node_ai_slop_check_compute.runtime_ai_slop_check", ("--strict",)),
    (
        "validator-local-paths-compute",
        "node_local_paths_check_compute.runtime_local_paths_check",
        ("--quiet",),
    ),
)

NOT_RUN = (
    {
        "id": "spdx-headers-check",
        "why": "requires OmniNode Inc.'s own copyright line; generated code belongs to the node's owner",
    },
    {
        "id": "arch-exposed-identifiers",
        "why": "needs a denylist of the repository; omnibase-core ships none",
    },
    {
        "id": "node-boundary-imports, node-home, check-direct-model-call, test-root-collection",
        "why": "check a git repository's layout and baselines, not a node's code",
    },
)


def python_files(root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "__pycache__" not in path.parts
    )


def run_check(
    root: Path, module: str, extra: tuple[str, ...], files: list[str]
) -> tuple[bool, list[Any]]:
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            PACKAGE + module,
            *extra,
            "--report-json",
            str(report_file),
            *files,
        ]
        done = subprocess.run(
            command, cwd=root, capture_output=True, text=True, check=False
        )
        try:
            findings: list[Any] = json.loads(report_file.read_text()).get(
                "findings", []
            )
        except (OSError, ValueError):
            return False, [
                f"no report (exit {done.returncode}): {(done.stdout + done.stderr)[-500:]}"
            ]
    failed = done.returncode != 0 or any(f.get("severity") == "ERROR" for f in findings)
    counted = [
        f for f in findings if f.get("severity") in ("FAIL", "ERROR", "WARN", "WARNING")
    ]
    return not failed, [f.get("message", f) for f in counted]


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    files = python_files(root)
    if not files:
        print(f"code_checks: no .py files under {root}", file=sys.stderr)
        return 2
    checks = []
    for check_id, module, extra in CHECKS:
        passed, findings = run_check(root, module, extra, files)
        checks.append(
            {"id": check_id, "module": module, "passed": passed, "findings": findings}
        )
    print(json.dumps({"files": files, "checks": checks, "not_run": NOT_RUN}))
    return 0 if all(check["passed"] for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

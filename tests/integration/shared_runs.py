# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an expensive playbook fixture once per test session, also when pytest-xdist splits a module.

A module-scoped fixture runs once per worker, and ``pytest -n 2`` (scripts/test.sh) may hand the
tests of one module to both workers. :func:`once_per_session` lets the first worker compute the
fixture's data and the other read it back, under an exclusive lock in the temporary directory the
workers of one run share (the pattern pytest-xdist documents for session fixtures). Without xdist it
simply computes.

Only JSON data crosses workers: fleets are re-attached with :func:`attach_fleet` and playbook
results rebuilt with :func:`result_from`. At most one test may change a shared fleet.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import Fleet, PlaybookResult


def once_per_session(tmp_path_factory, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``compute()`` once per test run (across xdist workers); its JSON-serialisable result everywhere."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run_id:
        return compute()
    shared = tmp_path_factory.getbasetemp().parent / f"ctxlic-shared-{run_id}"
    shared.mkdir(exist_ok=True)
    data = shared / f"{key}.json"
    with open(shared / f"{key}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if data.exists():
                return json.loads(data.read_text(encoding="utf-8"))
            value = compute()
            data.write_text(json.dumps(value), encoding="utf-8")
            return value
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def attach_fleet(root: str | Path) -> Fleet:
    """The Fleet object for a fleet another worker created (paths and state only; specs are not kept)."""
    fleet = Fleet.__new__(Fleet)
    fleet.root = Path(root)
    fleet.specs = {}
    fleet.inventory = fleet.root / "inventory.yml"
    return fleet


def result_data(result: PlaybookResult) -> dict[str, Any]:
    return {"rc": result.rc, "stdout": result.stdout, "stderr": result.stderr, "data": result.data}


def result_from(data: dict[str, Any]) -> PlaybookResult:
    return PlaybookResult(rc=data["rc"], stdout=data["stdout"], stderr=data["stderr"], data=data["data"])

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctxlic.license_server.upgrade_window through real ansible-playbook runs on localhost.

Each case registers the module result and writes it with ``ansible.builtin.copy`` as JSON into a
temporary directory, which the test then reads. The catalog refresh case points the module at a
local HTTP server that serves the fixture page with builds 51000-53000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .conftest import play

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
PLAYBOOK_BIN = VENV_BIN / "ansible-playbook"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
COLLECTIONS = REPO / ".build" / "collections"
FIXTURES = REPO / "tests" / "fixtures" / "catalog"

needs_ansible = pytest.mark.skipif(not PLAYBOOK_BIN.exists(), reason="needs .venv/bin/ansible-playbook")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def catalog_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(FIXTURES)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_playbook(
    tmp_path: Path, tasks: list[dict[str, Any]], *extra: str, inventory: str = "localhost,"
) -> subprocess.CompletedProcess[str]:
    playbook = tmp_path / "play.yml"
    playbook.write_text(play(*tasks))
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_RETRY_FILES_ENABLED="0",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return subprocess.run(
        [
            str(PLAYBOOK_BIN),
            "-i",
            inventory,
            "-e",
            "ansible_connection=local",
            "-e",
            f"ansible_python_interpreter={PYTHON}",
            str(playbook),
            *extra,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def module_task(name: str, args: dict[str, Any], out: Path, *, ignore_errors: bool = False) -> list[dict[str, Any]]:
    task: dict[str, Any] = {"name": name, "ctxlic.license_server.upgrade_window": args, "register": "result"}
    if ignore_errors:
        task["ignore_errors"] = True
    return [
        task,
        {
            "name": f"save {name}",
            "ansible.builtin.copy": {"content": "{{ result | to_json }}", "dest": str(out)},
            "check_mode": False,  # the result file must be written in --check runs too
        },
    ]


@pytest.mark.integration
@needs_ansible
def test_module_in_a_playbook(tmp_path: Path, catalog_server: str) -> None:
    cache = tmp_path / "cache" / "release_catalog.json"
    outputs = {name: tmp_path / f"{name}.json" for name in ("overdue", "fail", "refresh", "bad", "check")}
    tasks = [
        *module_task(
            "overdue",
            {"installed_version": "11.17.2.0 build 45000", "as_of": "2024-09-01", "catalog_cache": str(cache)},
            outputs["overdue"],
        ),
        *module_task(
            "fail",
            {
                "installed_version": "11.17.2.0 build 45000",
                "as_of": "2024-09-01",
                "fail_on": "overdue",
                "catalog_cache": "",
            },
            outputs["fail"],
            ignore_errors=True,
        ),
        *module_task(
            "refresh",
            {
                "installed_version": "11.17.2.0 build 51000",
                "as_of": "2026-06-01",
                "catalog_url": f"{catalog_server}/whats_new_new_builds.html",
                "catalog_cache": str(cache),
                "timeout": 5,
            },
            outputs["refresh"],
        ),
        *module_task("bad", {"installed_version": "banana"}, outputs["bad"], ignore_errors=True),
    ]
    proc = run_playbook(tmp_path, tasks)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr

    overdue = json.loads(outputs["overdue"].read_text())
    assert overdue["failed"] is False
    assert overdue["changed"] is False
    window = overdue["window"]
    assert (window["status"], window["deadline"], window["days_overdue"]) == ("overdue", "2024-08-19", 13)
    assert window["required_release"]["version"] == "11.17.2 build 46000"
    assert overdue["catalog"]["origin"] == "shipped"
    assert overdue["catalog"]["releases_known"] == 16
    assert overdue["catalog"]["stale"] is False

    failed = json.loads(outputs["fail"].read_text())
    assert failed["failed"] is True
    assert failed["msg"].startswith("Upgrade window check failed (fail_on=overdue): Installed 11.17.2 build 45000")

    refreshed = json.loads(outputs["refresh"].read_text())
    assert refreshed["catalog"]["origin"] == f"shipped+fetched:{catalog_server}/whats_new_new_builds.html"
    assert refreshed["catalog"]["newest"] == "11.17.2 build 53000"
    assert refreshed["catalog"]["releases_known"] == 18
    assert refreshed["window"]["status"] == "overdue"  # 52000 (2025-09-15) -> deadline 2026-03-15
    assert refreshed["window"]["deadline"] == "2026-03-15"
    assert json.loads(cache.read_text())["url"] == f"{catalog_server}/whats_new_new_builds.html"

    bad = json.loads(outputs["bad"].read_text())
    assert bad["failed"] is True
    assert "Cannot parse License Server version 'banana'" in bad["msg"]


@pytest.mark.integration
@needs_ansible
def test_bad_input_fails_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    tasks = [{"ctxlic.license_server.upgrade_window": {"installed_version": "11.x", "catalog_cache": ""}}]
    proc = run_playbook(tmp_path, tasks)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Cannot parse License Server version '11.x'" in output
    assert "Traceback" not in output


@pytest.mark.integration
@needs_ansible
def test_refresh_failure_warns_and_check_mode_works(tmp_path: Path, catalog_server: str) -> None:
    out = tmp_path / "out.json"
    tasks = module_task(
        "missing page",
        {
            "installed_version": "11.17.2 build 51000",
            "as_of": "2026-11-22",
            "catalog_url": f"{catalog_server}/no-such-page.html",
            "catalog_cache": str(tmp_path / "cache.json"),
        },
        out,
    )
    proc = run_playbook(tmp_path, tasks, "--check")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    result = json.loads(out.read_text())
    assert result["failed"] is False
    # Issue 13: the failed refresh leaves the shipped catalog, which cannot prove 51000 current.
    assert result["window"]["status"] == "unknown"
    assert result["window"]["unknown_reason"] == "catalog_stale"
    assert result["catalog"]["stale"] is True
    warnings = [str(w) for w in result.get("warnings", [])]
    assert any(f"{catalog_server}/no-such-page.html" in w and "HTTP 404" in w for w in warnings), warnings
    assert any("cannot exclude a newer release" in w for w in warnings), warnings
    assert "Release catalog refresh failed" in output  # shown to the operator as a warning


def test_argument_spec_matches_the_documentation() -> None:
    """The action plugin's argument spec and the documented options must agree (names, types, defaults)."""
    from module_docs import module_documentation, module_returns

    from ansible_collections.ctxlic.license_server.plugins.action.upgrade_window import ARGUMENT_SPEC
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import evaluate_window

    documentation = module_documentation("upgrade_window")
    options = documentation["options"]
    assert set(options) == set(ARGUMENT_SPEC)
    for name, spec in ARGUMENT_SPEC.items():
        doc = options[name]
        assert doc["type"] == spec["type"], name
        assert bool(doc.get("required", False)) == bool(spec.get("required", False)), name
        assert doc.get("default") == spec.get("default"), name
        assert doc.get("choices") == spec.get("choices"), name
    assert documentation["version_added"] == "0.1.0"
    returns = module_returns("upgrade_window")
    assert {"window", "catalog", "warnings", "msg", "changed"} <= set(returns)
    window_keys = set(evaluate_window(parse_ls_version("11.17.2 build 1"), [], date(2025, 1, 1)))
    assert set(returns["window"]["contains"]) == window_keys
    assert set(returns["catalog"]["contains"]) == {
        "newest",
        "newest_date",
        "newest_date_precision",
        "fetched_at",
        "origin",
        "stale",
        "stale_message",
        "age_days",
        "complete_through",
        "max_age_days",
        "releases_known",
    }


def test_module_file_holds_only_documentation() -> None:
    import ast

    tree = ast.parse((REPO / "plugins" / "modules" / "upgrade_window.py").read_text())
    names = [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]  # type: ignore[attr-defined]
    assert names == ["DOCUMENTATION", "EXAMPLES", "RETURN"]
    assert all(isinstance(node, ast.Assign) for node in tree.body)


@pytest.mark.integration
@needs_ansible
def test_done_when_build_51000_with_the_shipped_catalog_is_not_current_on_2026_12_02(tmp_path: Path) -> None:
    """Issue 13, first "Done when": shipped catalog, no refresh, build 51000 as of 2026-12-02."""
    outputs = {name: tmp_path / f"{name}.json" for name in ("plain", "strict")}
    args = {"installed_version": "11.17.2.0 build 51000", "as_of": "2026-12-02", "catalog_cache": ""}
    tasks = [
        *module_task("plain", args, outputs["plain"]),
        *module_task("strict", {**args, "fail_on": "overdue"}, outputs["strict"], ignore_errors=True),
    ]
    proc = run_playbook(tmp_path, tasks)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    plain = json.loads(outputs["plain"].read_text())
    assert plain["window"]["status"] not in ("current", "within_window")
    assert (plain["window"]["status"], plain["window"]["unknown_reason"]) == ("unknown", "catalog_stale")
    assert plain["catalog"]["max_age_days"] == 180
    assert plain["catalog"]["complete_through"] == "2024-12-01"
    assert "Refresh the release catalog" in plain["msg"]
    assert "Upgrade window not proven" in output  # shown to the operator as a warning
    strict = json.loads(outputs["strict"].read_text())
    assert strict["failed"] is True
    assert "Upgrade window not proven" in strict["msg"]


@pytest.mark.integration
@needs_ansible
def test_done_when_a_known_newer_release_decides_from_the_oldest_unmet_one(tmp_path: Path, catalog_server: str) -> None:
    out = tmp_path / "out.json"
    tasks = module_task(
        "refreshed",
        {
            "installed_version": "11.17.2.0 build 51000",
            "as_of": "2026-12-02",
            "catalog_url": f"{catalog_server}/whats_new_new_builds.html",
            "catalog_cache": str(tmp_path / "cache.json"),
        },
        out,
    )
    proc = run_playbook(tmp_path, tasks)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    window = json.loads(out.read_text())["window"]
    # The fixture page lists 52000 (2025-09-15) and 53000 (2026-02-03): 52000 is the oldest unmet one.
    assert window["status"] == "overdue"
    assert window["required_release"]["version"] == "11.17.2 build 52000"
    assert (window["deadline"], window["days_overdue"]) == ("2026-03-15", (date(2026, 12, 2) - date(2026, 3, 15)).days)


class _CountingHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        time.sleep(1.0)  # slow enough that every forked host asks while the first fetch is under way
        body = (FIXTURES / "whats_new_new_builds.html").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.mark.integration
@needs_ansible
def test_parallel_hosts_fetch_the_catalog_once_per_run(tmp_path: Path) -> None:
    """Issue 13: with forks, every host's upgrade_window task fetched the page despite the cache."""
    _CountingHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/whats-new.html"
        tasks = [
            {
                "name": "window",
                "ctxlic.license_server.upgrade_window": {
                    "installed_version": "11.17.2.0 build 51000",
                    "as_of": "2026-06-01",
                    "catalog_url": url,
                    "catalog_cache": str(tmp_path / "cache.json"),
                },
                "register": "result",
            },
            {
                "name": "save",
                "ansible.builtin.copy": {
                    "content": "{{ result | to_json }}",
                    "dest": str(tmp_path) + "/{{ inventory_hostname }}.json",
                },
            },
        ]
        proc = run_playbook(tmp_path, tasks, "--forks", "4", inventory="ls1,ls2,ls3,ls4,")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _CountingHandler.hits == ["/whats-new.html"], _CountingHandler.hits
    origins = sorted(json.loads((tmp_path / f"ls{i}.json").read_text())["catalog"]["origin"] for i in range(1, 5))
    assert origins.count(f"shipped+fetched:{url}") == 1
    assert origins.count(f"shipped+cache:{url}") == 3

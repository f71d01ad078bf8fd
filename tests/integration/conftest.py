# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for end-to-end tests: a lab fleet on disk and real ``ansible-playbook`` runs against it.

``run_playbook`` uses the ``ansible.posix.json`` stdout callback (the pinned ``ansible`` package
carries it) so tests assert on module results, not on screen text.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet as lab_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import make_installer
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import DEFAULT_INSTALL_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState
from clock import NOW

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
BIN = Path(sys.executable).parent

# Where a lab host (installed in the default folder) keeps what the tests look at, and the builds they install.
INSTALL = DEFAULT_INSTALL_DIR
MYFILES = INSTALL + r"\MyFiles"
PROXY_XML = INSTALL + r"\WebServicesForLicensing\SimpleLicenseServiceConfig.xml"
USAGE = INSTALL + r"\LS\resource\usage"
UL_USAGE = INSTALL + r"\LS\resource\cis_bundles\ul_usage"
V45 = "11.17.2.0 build 45000"
V49 = "11.17.2.0 build 49000"
V51 = "11.17.2.0 build 51000"


def task(name: str, module: str, args: dict | None = None, **keywords) -> dict:
    """A task named ``name`` calling ``module`` (``ctxlic.license_server.<module>``, or a full FQCN) with
    ``args``; ``keywords`` are task keywords (``register``, ``ignore_errors``, ``loop``, ...)."""
    fqcn = module if "." in module else f"ctxlic.license_server.{module}"
    return {"name": name, fqcn: args or {}, **keywords}


def play(*tasks: dict, hosts: str = "all") -> str:
    """A playbook (YAML text) of one play running ``tasks`` on ``hosts`` without gathering facts.

    The texts of two calls can be joined into one playbook of two plays.
    """
    return yaml.safe_dump([{"hosts": hosts, "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def one_task_play(module: str, args: dict | None = None) -> str:
    """A playbook whose one task, ``t``, calls ``module`` with ``args`` and lets the run go on when it fails:
    tests read its result with ``task_results("t")``."""
    return play(task("t", module, args, register="r", ignore_errors=True))


def installer(tmp_path: Path, version: str, kind: str = "exe") -> str:
    """A lab installer for ``version`` below ``tmp_path/installers`` (``CitrixLicensing.exe`` or, with
    ``kind="msi"``, ``ctx_licensing.msi``); its path as the playbooks take it."""
    name = "ctx_licensing.msi" if kind == "msi" else "CitrixLicensing.exe"
    return str(make_installer(tmp_path / "installers" / version.replace(" ", "_") / name, version, kind))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(path: Path) -> dict[str, str]:
    """{relative path: sha256 or <dir>} of everything below ``path``: compare two to prove nothing changed."""
    return {str(p.relative_to(path)): sha256(p) if p.is_file() else "<dir>" for p in sorted(path.rglob("*"))}


@dataclass
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    data: dict | None = field(default=None)

    def tasks(self):
        """Every task entry of every play, in order (``entry["task"]["name"]``, ``entry["hosts"]``)."""
        for item in (self.data or {}).get("plays", []):
            yield from item.get("tasks", [])

    def task_results(self, task_name: str) -> dict[str, dict]:
        """host -> result of the (last) task with this name."""
        found: dict[str, dict] = {}
        for entry in self.tasks():
            if entry["task"]["name"] == task_name:
                found.update(entry["hosts"])
        if not found:
            raise AssertionError(
                f"no task named {task_name!r} ran; rc={self.rc}\n{self.stdout[-3000:]}\n{self.stderr[-3000:]}"
            )
        return found

    def results_ending(self, suffix: str) -> dict[str, dict]:
        """host -> result of the (last) task whose name ends with ``suffix`` (role tasks carry a role prefix)."""
        found: dict[str, dict] = {}
        for entry in self.tasks():
            if entry["task"]["name"].endswith(suffix):
                found.update(entry["hosts"])
        if not found:
            raise AssertionError(
                f"no task named like {suffix!r} ran; rc={self.rc}\n{self.stdout[-3000:]}\n{self.stderr[-3000:]}"
            )
        return found

    def ran(self, suffix: str) -> bool:
        """Whether a task whose name ends with ``suffix`` ran (on any host)."""
        return any(entry["task"]["name"].endswith(suffix) for entry in self.tasks())

    def stats(self) -> dict:
        return (self.data or {}).get("stats", {})


def no_traceback(result: PlaybookResult) -> None:
    """The run crashed nowhere: no Python traceback and no "Unexpected exception" from Ansible."""
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "Unexpected exception" not in text, text[-4000:]


def build_and_install_collection(tmp_path: Path) -> tuple[Path, Path]:
    """Build the collection with ansible-galaxy and install the tarball as users do: (tarball, collections dir)."""
    out = tmp_path / "dist"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(REPO)],
                   check=True, capture_output=True, cwd=tmp_path)
    tarball = next(out.glob("ctxlic-license_server-*.tar.gz"))
    colls = tmp_path / "collections"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--force", "--no-deps", "-p", str(colls),
                    str(tarball)], check=True, capture_output=True, cwd=tmp_path)
    return tarball, colls


def ansible_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORKS": "10",
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    env.update(extra or {})
    return env


def run_playbook(
    playbook: Path | str,
    inventory: Path,
    *,
    extra_vars: dict | None = None,
    check: bool = False,
    diff: bool = False,
    limit: str | None = None,
    timeout: int = 600,
    env: dict | None = None,
    workdir: Path | None = None,
) -> PlaybookResult:
    """Run ``ansible-playbook``; ``playbook`` is a path or YAML text (written to ``workdir``)."""
    if isinstance(playbook, str) and "\n" in playbook:
        assert workdir is not None, "pass workdir when giving playbook text"
        path = Path(workdir) / f"play_{abs(hash(playbook))}.yml"
        path.write_text(textwrap.dedent(playbook), encoding="utf-8")
        playbook = path
    cmd = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if limit:
        cmd += ["--limit", limit]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=ansible_env(env), cwd=REPO, check=False
    )
    data = None
    try:
        data = json.loads(proc.stdout[proc.stdout.index("{") :]) if "{" in proc.stdout else None
    except json.JSONDecodeError:
        data = None
    return PlaybookResult(rc=proc.returncode, stdout=proc.stdout, stderr=proc.stderr, data=data)


class Fleet:
    """A lab fleet created for one test."""

    def __init__(self, root: Path, specs: list[lab_fleet.HostSpec], start: datetime | None = None):
        self.root = root
        self.specs = {s.name: s for s in specs}
        self.inventory = lab_fleet.create_fleet(root, specs, start=start)

    def host_root(self, name: str) -> Path:
        return self.root / "hosts" / name

    def state(self, name: str) -> HostState:
        return HostState(self.host_root(name))

    def path(self, name: str, winpath: str) -> Path:
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import win_to_lab

        return win_to_lab(self.host_root(name), winpath)

    def advance(self, days: int) -> dict:
        return lab_fleet.advance(self.root, days)

    def run(self, playbook, **kwargs) -> PlaybookResult:
        kwargs.setdefault("workdir", self.root)
        return run_playbook(playbook, self.inventory, **kwargs)


@pytest.fixture
def make_fleet(tmp_path):
    """Factory: ``make_fleet([HostSpec(...), ...])`` -> Fleet under a temporary directory."""
    counter = {"n": 0}

    def factory(specs, start: datetime | None = None) -> Fleet:
        counter["n"] += 1
        return Fleet(tmp_path / f"fleet{counter['n']}", specs, start or NOW)

    return factory


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)

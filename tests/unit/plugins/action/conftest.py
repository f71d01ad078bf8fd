# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures that run an action plugin's ``run()`` without ``ansible-playbook`` (the host is a :class:`FakeHost`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task
from ansible.template import Templar
from fake_host import FakeHost

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action import base as action_base


def _action(name: str, args: dict, check_mode: bool, diff: bool, basedir: Path):
    module = importlib.import_module(f"ansible_collections.ctxlic.license_server.plugins.action.{name}")
    task = Task()
    task.action = f"ctxlic.license_server.{name}"
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    loader = DataLoader()
    loader.set_basedir(str(basedir))
    shell = SimpleNamespace(tmpdir=None, remove=lambda path, recurse=True: "")
    connection = SimpleNamespace(_shell=shell)
    action = module.ActionModule(task, connection, SimpleNamespace(), loader, Templar(loader=loader), None)
    action._early_needs_tmp_path = lambda: False
    action._remove_tmp_path = lambda path, force=False: None
    return action


@pytest.fixture
def run_action(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``run_action(name, args, host, check_mode=False, diff=False, task_vars=None) -> result``."""

    def run(name: str, args: dict, host: FakeHost | None = None, *, check_mode: bool = False, diff: bool = False,
            task_vars: dict | None = None, basedir: Path | None = None) -> dict:
        action = _action(name, args, check_mode, diff, basedir or tmp_path)
        if host is not None:
            host._action = action

        def factory(_action, _task_vars):
            if host is None:
                raise AssertionError(f"{name} asked for the host although the test gave none")
            return host

        monkeypatch.setattr(action_base, "host_access_for", factory)
        plugin_module = sys.modules[type(action).__module__]
        if hasattr(plugin_module, "host_access_for"):  # plugins not yet on the base's self.host
            monkeypatch.setattr(plugin_module, "host_access_for", factory)
        variables = {"inventory_hostname": "ls1.example.test", **(task_vars or {})}
        return action.run(task_vars=variables)

    return run


@pytest.fixture
def fake_host() -> type[FakeHost]:
    return FakeHost

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: counts module executions (remote calls) and task results per host.

Why a callback that patches ``ActionBase._execute_module``: an action plugin may run any number
of modules in one task (``ctxlic.license_server.info`` runs one, ``ansible.builtin.copy`` runs
two), so task results alone do not count remote calls. Every module execution on a target goes
through ``ActionBase._execute_module``; callbacks are loaded in the controller before the worker
processes are forked (Ansible forks its workers), so patching the class here is inherited by
every worker. Each execution appends one JSON line (host, module, delegate_to, task) to the file
named by ``CTXLIC_BENCH_CALLS_FILE``: one ``os.write`` of a short line on an ``O_APPEND``
descriptor, so lines from concurrent workers never interleave.

The lab backend runs its ``labctl`` calls without a module by default (``ctxlic_lab_exec: direct``,
``LabHost._run_direct``); those are counted too, as the ``ansible.builtin.command`` call that the
``module`` setting would make, so the counts are the same with either setting. A line written for
such a call also carries ``"lab_exec": "direct"``.

Task results (ok/changed/failed/skipped/unreachable, loop items, and the ``remote_calls`` that
``ctxlic.license_server.info`` returns) are counted in the controller process and written as JSON
to ``CTXLIC_BENCH_CALLS_FILE + ".tasks.json"`` when the playbook ends.

Used only by ``benchmarks/`` (not shipped: ``benchmarks`` is in galaxy.yml build_ignore).
"""

from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: ctxlic_bench_calls
type: aggregate
short_description: Count module executions and task results per host (benchmarks only)
description:
  - Appends one JSON line per module execution to the file named by CTXLIC_BENCH_CALLS_FILE and
    writes per-host task result counts to CTXLIC_BENCH_CALLS_FILE.tasks.json at the end of the run.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED and CTXLIC_BENCH_CALLS_FILE set
"""

CALLS_ENV = "CTXLIC_BENCH_CALLS_FILE"
LAB_ROOT = "ctxlic_lab_root"
_PATCHED_FLAG = "_ctxlic_bench_patched"


def _target(args, lab_root) -> str | None:
    """What a module execution worked on (path, src, paths or argv), the lab host's root shown as ``<host>``."""
    if not isinstance(args, dict):
        return None
    text = None
    for key in ("path", "src", "dest", "paths"):
        if args.get(key):
            text = str(args[key])
            break
    argv = args.get("argv")
    if text is None and isinstance(argv, list):
        text = " ".join(str(a) for a in argv)
    if text and isinstance(lab_root, str) and lab_root:
        text = text.replace(lab_root, "<host>")
    return text[:200] if text else None


def _append(path: str, line: dict) -> None:
    data = (json.dumps(line, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _line(task, task_vars, module_name, module_args) -> dict:
    return {
        "host": (task_vars or {}).get("inventory_hostname"),
        "module": module_name or getattr(task, "resolved_action", None) or task.action,
        "delegate_to": task.delegate_to or None,
        "task": task.get_name(),
        "target": _target(module_args if module_args is not None else task.args, (task_vars or {}).get(LAB_ROOT)),
    }


def _install_counter(path: str) -> None:
    """Wrap ActionBase._execute_module once per process so each execution is logged to ``path``."""
    if getattr(ActionBase, _PATCHED_FLAG, False):
        return
    original = ActionBase._execute_module

    def counting_execute_module(self, module_name=None, module_args=None, tmp=None, task_vars=None, *args, **kwargs):
        _append(path, _line(self._task, task_vars, module_name, module_args))
        return original(self, module_name, module_args, tmp, task_vars, *args, **kwargs)

    ActionBase._execute_module = counting_execute_module
    setattr(ActionBase, _PATCHED_FLAG, True)
    _install_lab_counter(path)


def _install_lab_counter(path: str) -> None:
    """Wrap LabHost._run_direct: a lab call made without a module is logged as its ansible.builtin.command twin."""
    try:
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lab_backend
    except ImportError:  # the collection is not installed where this run looks: nothing to count
        return
    host_class = lab_backend.LabHost
    run_direct = getattr(host_class, "_run_direct", None)
    if run_direct is None or getattr(host_class, _PATCHED_FLAG, False):
        return

    def counting_run_direct(self, module_args, *args, **kwargs):
        line = _line(self._action._task, self._task_vars, "ansible.builtin.command", module_args)
        _append(path, {**line, "lab_exec": "direct"})
        return run_direct(self, module_args, *args, **kwargs)

    host_class._run_direct = counting_run_direct
    setattr(host_class, _PATCHED_FLAG, True)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ctxlic_bench_calls"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._path = os.environ.get(CALLS_ENV)
        self._hosts: dict[str, dict[str, int]] = {}
        if self._path:
            _install_counter(self._path)

    def _count(self, result, outcome: str) -> None:
        host = result._host.get_name()
        counts = self._hosts.setdefault(
            host, {"ok": 0, "changed": 0, "failed": 0, "skipped": 0, "unreachable": 0, "items": 0, "remote_calls": 0}
        )
        counts[outcome] += 1
        data = result._result if isinstance(result._result, dict) else {}
        if outcome in ("ok", "failed") and data.get("changed"):
            counts["changed"] += 1
        if isinstance(data.get("results"), list):
            counts["items"] += len(data["results"])
        if isinstance(data.get("remote_calls"), int):
            counts["remote_calls"] += data["remote_calls"]

    def v2_runner_on_ok(self, result):
        self._count(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._count(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._count(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        with open(self._path + ".tasks.json", "w", encoding="utf-8") as handle:
            json.dump(self._hosts, handle, indent=1, sort_keys=True)

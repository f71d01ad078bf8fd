# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The one base class of this collection's action plugins: the shared work, so plugins only orchestrate.

A plugin declares ``ARGUMENT_SPEC`` (plus optional constraint lists) and implements one hook,
``run_module(args, task_vars)``, which reads as: validate, plan (pure code), act through ``self.host``,
assemble the result. The base does the rest, the same way for every plugin (as community.crypto's
``plugin_utils/_action_module.py`` and microsoft.ad's ``_module_with_reboot.py`` do for theirs):

- argument validation (Ansible's own), and the refusal of empty ``type: path`` options;
- controller paths: every option named in ``CONTROLLER_PATHS`` is resolved by one rule,
  :meth:`controller_path` (``~`` expanded, relative paths against the playbook's directory);
- the host, created lazily on first use (``self.host``), so bad input fails before any connection;
- ``self.inventory_host``; ``self.check_mode``; ``self.warn()`` collects warnings into the result;
- :meth:`diff` builds the ``diff`` entry only when the task runs with ``--diff``;
- :meth:`reread_or_fail` runs ``lmreread`` and fails with the command's own words;
- a :class:`CtxlicError` becomes ``failed: true`` with its message, never a traceback; connection
  failures propagate so Ansible marks the host unreachable;
- the host snapshot (:mod:`.._host.snapshot`): a plugin with ``USES_SNAPSHOT`` reads through the
  ``ctxlic_host_snapshot`` fact of this host and play (option ``use_snapshot``), and every plugin that
  changes the host returns that fact invalidated, so no module reads a snapshot older than the change.
"""

from __future__ import annotations

import os
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot as host_snapshot
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess, host_access_for

# The option every plugin with USES_SNAPSHOT has in its ARGUMENT_SPEC (doc fragment ctxlic.license_server.snapshot).
SNAPSHOT_OPTION = {"use_snapshot": {"type": "bool", "default": True}}


class CtxlicAction(ActionBase):
    TRANSFERS_FILES = False
    ARGUMENT_SPEC: dict[str, Any] = {}
    MUTUALLY_EXCLUSIVE: list = []
    REQUIRED_IF: list = []
    REQUIRED_ONE_OF: list = []
    # Options that name a file or folder on the controller: resolved by controller_path() before run_module.
    CONTROLLER_PATHS: tuple[str, ...] = ()
    # Path options whose empty string is documented as "off" (upgrade_window's ``catalog_cache: ''`` = no cache):
    # neither refused as an empty path nor resolved by controller_path().
    EMPTY_PATH_MEANS_OFF: tuple[str, ...] = ()
    # Reads answered from the ctxlic_host_snapshot fact; ARGUMENT_SPEC then holds **SNAPSHOT_OPTION.
    USES_SNAPSHOT = False
    # Every part of the snapshot (snapshot.PARTS) this plugin can change: a change marks all of them stale (the
    # same set whatever one run changed, so the items of a loop return the same fact); a change outside them
    # invalidates the whole snapshot.
    SNAPSHOT_CHANGES: frozenset[str] = frozenset()
    _supports_check_mode = True
    _supports_async = False
    _ctxlic_host: HostAccess | None = None
    _ctxlic_task_vars: dict[str, Any] = {}
    _ctxlic_warnings: tuple[str, ...] | list[str] = ()
    _ctxlic_use_snapshot = False

    # -- the hook ---------------------------------------------------------------------------------
    def run_module(self, args: dict, task_vars: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared work ------------------------------------------------------------------------------
    @property
    def host(self) -> HostAccess:
        """The host access layer for this task's host, created on first use (bad input never connects)."""
        if self._ctxlic_host is None:
            host = host_access_for(self, self.host_task_vars())
            if self.USES_SNAPSHOT:
                host = host_snapshot.SnapshotHost(host, self.snapshot_fact() if self._ctxlic_use_snapshot else None)
            self._ctxlic_host = host
        return self._ctxlic_host

    def snapshot_fact(self) -> dict | None:
        """The ``ctxlic_host_snapshot`` fact when it belongs to this task's host and play, else None.

        Only for the task's own host: a plugin acting on another host (``host_task_vars`` overridden)
        never reads this host's snapshot for it.
        """
        if type(self).host_task_vars is not CtxlicAction.host_task_vars:
            return None
        return host_snapshot.usable(host_snapshot.fact_in(self._ctxlic_task_vars), host=self.snapshot_target,
                                    play=host_snapshot.play_token(self))

    @property
    def snapshot_target(self) -> str:
        return host_snapshot.target_name(self, self._ctxlic_task_vars)

    def host_task_vars(self) -> dict[str, Any]:
        """The variables ``self.host`` is built from: the task's; a plugin acting on another host overrides it."""
        return self._ctxlic_task_vars

    @property
    def inventory_host(self) -> str:
        """The inventory name of the host this task runs for."""
        return str(self._ctxlic_task_vars.get("inventory_hostname", ""))

    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(getattr(self._task, "diff", False))

    def warn(self, *messages: str) -> None:
        """Add warnings to the task result (in order, each once)."""
        for message in messages:
            if message and message not in self._ctxlic_warnings:
                self._ctxlic_warnings = [*self._ctxlic_warnings, message]

    def diff(self, before: Any, after: Any, before_header: str | None = None,
             after_header: str | None = None) -> dict | None:
        """The ``diff`` entry of a result, or None when the task does not run with ``--diff``."""
        if not self.diff_mode:
            return None
        entry: dict[str, Any] = {"before": before, "after": after}
        if before_header is not None:
            entry["before_header"] = before_header
        if after_header is not None:
            entry["after_header"] = after_header
        return entry

    def controller_path(self, value: str) -> str:
        """The one rule for controller paths: ``~`` expanded, a relative path taken from the playbook's directory."""
        return self._loader.path_dwim(os.path.expanduser(value))

    def reread_or_fail(self, install_dir: str, cluster_access_point: str | None, why: str) -> dict[str, Any]:
        """Run ``lmreread``; its result, or a HostError that says ``why`` and gives the command's own output."""
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps

        reread = license_steps.run_reread(self.host, install_dir, cluster_access_point)
        if not reread["ok"]:
            raise HostError(f"{why}: {license_steps.reread_failure_message(reread)}")
        return reread

    # -- the run ----------------------------------------------------------------------------------
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        self._ctxlic_task_vars = task_vars
        self._ctxlic_host = None
        self._ctxlic_warnings = []
        self._ctxlic_use_snapshot = False
        result = super().run(tmp, task_vars)
        del tmp
        try:
            _validation, args = self.validate_argument_spec(
                argument_spec=self.ARGUMENT_SPEC,
                mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
                required_if=self.REQUIRED_IF,
                required_one_of=self.REQUIRED_ONE_OF,
            )
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc))
            return result
        empty = empty_path_options(
            {name: option for name, option in self.ARGUMENT_SPEC.items() if name not in self.EMPTY_PATH_MEANS_OFF},
            args)
        if empty:
            result.update(failed=True, msg=empty)
            return result
        self._ctxlic_use_snapshot = bool(args.pop("use_snapshot", False)) if self.USES_SNAPSHOT else False
        for name in self.CONTROLLER_PATHS:
            if isinstance(args.get(name), str) and not (name in self.EMPTY_PATH_MEANS_OFF and not args[name].strip()):
                args[name] = self.controller_path(args[name])
        try:
            result.update(self.run_module(args, task_vars))
        except CtxlicError as exc:
            result.update(failed=True, msg=str(exc))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        self._invalidate_snapshot(result)
        if self._ctxlic_warnings:
            result["warnings"] = [*result.get("warnings", []),
                                  *(w for w in self._ctxlic_warnings if w not in result.get("warnings", []))]
        return result

    def _invalidate_snapshot(self, result: dict) -> None:
        """Return the snapshot fact with what this task changed marked stale, or invalidated.

        Changed means: a call that changes the host went through ``self.host``, or the result says changed
        outside check mode. A plugin's tracked changes within its ``SNAPSHOT_CHANGES`` mark those parts stale;
        anything else invalidates the whole snapshot. Only when the task's variables hold a snapshot fact at
        all, and never over the fact a plugin returns itself (``info``).
        """
        host = self._ctxlic_host
        mutated = isinstance(host, host_snapshot.SnapshotHost) and host.mutated
        if not (mutated or (result.get("changed") and not self.check_mode)):
            return
        if host_snapshot.FACT in (result.get("ansible_facts") or {}):
            return
        if host_snapshot.fact_in(self._ctxlic_task_vars) is None:
            return
        if (isinstance(host, host_snapshot.SnapshotHost) and host.fact is not None and mutated and not host.untracked
                and host.changed_parts <= self.SNAPSHOT_CHANGES):
            fact = host_snapshot.with_stale(host.fact, self.SNAPSHOT_CHANGES)
        else:
            fact = host_snapshot.invalidated_fact(host=self.snapshot_target, play=host_snapshot.play_token(self),
                                                  reason=f"{self._task.action} changed the host")
        result.setdefault("ansible_facts", {})[host_snapshot.FACT] = fact


def empty_path_options(spec: dict[str, Any], args: dict[str, Any]) -> str | None:
    """A message naming every ``type: path`` option given as an empty string, or None (issue 14 item 8).

    An empty path would mean "the current directory" to every file function, so ``dest: ''`` would
    write (or delete) wherever the controller process happens to run. Refuse it instead.
    """
    empty = []
    for name, option in spec.items():
        value = args.get(name)
        values = value if option.get("elements") == "path" and isinstance(value, list) else [value]
        if "path" in (option.get("type"), option.get("elements")) and any(
                isinstance(v, str) and not v.strip() for v in values):
            empty.append(name)
    if not empty:
        return None
    return (f"{', '.join(sorted(empty))}: an empty path is not a path (it would mean the current directory of the "
            "controller process); give a path, or leave the option out to use its default.")

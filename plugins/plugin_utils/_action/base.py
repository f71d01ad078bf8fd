"""What every action plugin of this collection shares: argument validation and error handling.

Subclasses declare ``ARGUMENT_SPEC`` (plus optional constraint lists) and implement
``run_module(args, task_vars)``. A :class:`CtxlicError` becomes ``failed: true`` with its message,
never a traceback; connection failures propagate so Ansible marks the host unreachable.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError


class CtxlicAction(ActionBase):
    TRANSFERS_FILES = False
    ARGUMENT_SPEC: dict[str, Any] = {}
    MUTUALLY_EXCLUSIVE: list = []
    REQUIRED_IF: list = []
    REQUIRED_ONE_OF: list = []
    _supports_check_mode = True
    _supports_async = False

    def run_module(self, args: dict, task_vars: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
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
        empty = empty_path_options(self.ARGUMENT_SPEC, args)
        if empty:
            result.update(failed=True, msg=empty)
            return result
        try:
            result.update(self.run_module(args, task_vars))
        except CtxlicError as exc:
            result.update(failed=True, msg=str(exc))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result


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

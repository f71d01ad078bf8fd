# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for ActionBase that runs the lab backend's ``labctl`` calls for real.

Used by the lab backend's unit tests and by the recorder of the action-plugin fixtures
(``tests/fixtures/collect/act2_record.py``), so both run a lab host exactly as Ansible would: the
``ansible.builtin.command`` calls (``ctxlic_lab_exec: module``) with their argument vector as it is, and
the direct calls (the default) as a command line for ``/bin/sh -c``, quoted by Ansible's own ``sh`` shell
plugin, the way ``_low_level_execute_command`` runs it on the ``local`` connection.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

from ansible.plugins.shell.sh import ShellModule


class CommandAction:
    """The parts of ActionBase LabHost uses; ansible.builtin.command runs its argv without expansion."""

    def __init__(self, tmp_path: Path):
        self._task = SimpleNamespace(check_mode=False)
        self._tmp = tmp_path / "remote-tmp"
        self._connection = SimpleNamespace(fetch_file=shutil.copyfile, _shell=ShellModule())
        self.argvs: list[list[str]] = []
        self.command_lines: list[str] = []

    def _execute_module(self, module_name, module_args, task_vars):
        if module_name != "ansible.builtin.command" or module_args.get("expand_argument_vars") is not False:
            raise AssertionError(f"unexpected module call {module_name} {module_args}")
        self.argvs.append(list(module_args["argv"]))
        proc = subprocess.run(module_args["argv"], capture_output=True, text=True, timeout=60, check=False)
        return {"changed": True, "rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}

    def _low_level_execute_command(self, cmd, sudoable=True, in_data=None, executable=None, chdir=None):
        self.command_lines.append(cmd)
        self.argvs.append(shlex.split(cmd))  # what the shell will pass on; the tests compare it with the argv
        proc = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True, timeout=60, check=False)
        return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}

    def _make_tmp_path(self):
        self._tmp.mkdir(parents=True, exist_ok=True)
        return str(self._tmp)

    def _transfer_file(self, local, remote):
        shutil.copyfile(local, remote)
        return remote

    def _remove_tmp_path(self, path):
        shutil.rmtree(path, ignore_errors=True)

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Which host paths a Windows host would expand, and the refusal both host access backends give for them.

What the Windows backend relies on, read in the sources installed with ansible-core 2.19 and
ansible.windows 3.3 (the module documentation says only ``type: path``):

* ``Ansible.Basic`` (``ParsePath`` in ``Ansible.Basic.cs``) passes every ``type = 'path'`` option
  through ``Environment.ExpandEnvironmentVariables`` unless it starts with ``\\\\?\\``: ``win_stat``
  ``path``, ``win_command`` ``chdir``.
* ``Get-AnsibleParam -type "path"`` (``Ansible.ModuleUtils.Legacy``) expands every path option,
  without exception: ``slurp`` ``src``, ``win_copy`` ``src``/``dest``, ``win_file`` ``path``.
* ``ExpandEnvironmentVariables`` replaces ``%NAME%`` when ``NAME`` is set on the host and leaves it as it
  is otherwise, so a path with fewer than two ``%`` never changes, and one with two may silently name
  another file (``%TEMP%`` is set for every user).
* Not expanded: ``win_find`` ``paths`` (``elements = "str"``), ``win_command`` ``argv`` (strings handed to
  ``CreateProcess``, which expands nothing), ``win_reg_stat`` ``path`` (``str``), ``win_powershell``
  ``parameters`` (bound to the script's parameters as values) and the connection's ``fetch_file``
  (``Test-Path -LiteralPath``).

So the host access operations that hand a host path to such an option refuse one that could expand,
before calling anything. The lab backend expands nothing, but refuses the same paths in the same
operations: a playbook that works on the lab must not be refused on Windows (``tests/contract`` holds
both backends to this table, and the table to the modules' documented option types).
"""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError

# Host access operation -> the ansible.windows module option that receives its path on Windows.
EXPANDING_PATH_OPTIONS: dict[str, tuple[str, str]] = {
    "stat": ("ansible.windows.win_stat", "path"),
    "read_file": ("ansible.windows.slurp", "src"),
    "write_file": ("ansible.windows.win_copy", "dest"),  # write_file and put_file
    "staged_copy": ("ansible.windows.win_copy", "src"),  # the controller file staged in the remote temp dir
    "remove": ("ansible.windows.win_file", "path"),
    "make_dir": ("ansible.windows.win_file", "path"),
    "run_chdir": ("ansible.windows.win_command", "chdir"),
}


def expandable(path: str) -> bool:
    """Whether ``ExpandEnvironmentVariables`` could change ``path``: it holds a ``%NAME%`` pair."""
    return path.count("%") >= 2


def literal_path(path: str, operation: str) -> str:
    """``path`` for ``operation`` (a key of EXPANDING_PATH_OPTIONS); HostError when Windows would expand it."""
    module, option = EXPANDING_PATH_OPTIONS[operation]
    if expandable(path):
        raise HostError(
            f"the Windows path '{path}' contains '%NAME%': {module} expands environment variables in its "
            f"'{option}' option, so the host could act on another path. Nothing was changed; rename the file "
            "or folder so that its path has at most one '%'."
        )
    return path

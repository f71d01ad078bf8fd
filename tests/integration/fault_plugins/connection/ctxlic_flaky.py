# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only connection plugin: the ``local`` connection whose file transfers from the host can break.

Used by tests/integration/test_faults.py to model a network connection that drops while a file is
copied from a license server to the controller, which the lab (a local directory) cannot do by
itself. Everything but ``fetch_file`` is the ``local`` connection unchanged. For files whose base
name matches the glob in ``CTXLIC_FLAKY_FETCH``, ``CTXLIC_FLAKY_MODE`` decides what happens:

* ``drop``: half of the file arrives, then the connection fails (``AnsibleConnectionFailure``),
  as when WinRM/SSH loses the peer mid-transfer;
* ``truncate``: half of the file arrives and the transfer reports success (a silent short copy);
* ``error``: the transfer fails before any byte arrives (``AnsibleError``), a transient error.
"""

from __future__ import annotations

import fnmatch
import os

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = """
    name: ctxlic_flaky
    short_description: local connection with injectable file transfer faults (tests only)
    description:
        - The local connection; fetch_file breaks for files matching CTXLIC_FLAKY_FETCH.
    author: ctxlic maintainers
    version_added: historical
    options:
        become_success_timeout:
            type: int
            default: 10
            description: As for the local connection.
            vars:
                - name: ansible_local_become_success_timeout
        become_strip_preamble:
            type: bool
            default: true
            description: As for the local connection.
            vars:
                - name: ansible_local_become_strip_preamble
    extends_documentation_fragment:
        - connection_pipelining
"""


class Connection(LocalConnection):
    transport = "ctxlic_flaky"

    def fetch_file(self, in_path: str, out_path: str) -> None:
        pattern = os.environ.get("CTXLIC_FLAKY_FETCH", "")
        mode = os.environ.get("CTXLIC_FLAKY_MODE", "drop")
        if not pattern or not fnmatch.fnmatch(os.path.basename(in_path), pattern):
            super().fetch_file(in_path, out_path)
            return
        if mode == "error":
            raise AnsibleError(f"failed to transfer file to {out_path}: connection reset by peer (lab fault)")
        with open(in_path, "rb") as source:
            data = source.read()
        with open(out_path, "wb") as target:
            target.write(data[: len(data) // 2])
        if mode == "drop":
            raise AnsibleConnectionFailure(f"connection to the host was lost while fetching {in_path} (lab fault)")

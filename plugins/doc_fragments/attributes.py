# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragments: the module attributes that several modules of the collection share.

A module names each variable it needs as ``ctxlic.license_server.attributes.<variable in lower case>``. A module whose
attribute means something of its own (for example what its check mode skips) documents it itself.
"""


class ModuleDocFragment:
    # Modules that work on a License Server host: a Windows License Server, or a lab host simulating one.
    PLATFORM = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: windows
    description: Targets Windows License Servers; lab hosts (C(ctxlic_lab_root)) simulate them.
notes:
  - A host that defines C(ctxlic_lab_root) is a simulated lab host; see the collection's lab guide (C(docs/lab.md)).
"""

    # Modules that run on the Ansible controller only and never contact the target.
    CONTROLLER = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
"""

    # Read-only modules: check mode runs them the same way, and there is never anything to diff.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Runs in check mode too; it never changes anything.
  diff_mode:
    support: none
    description: The module changes nothing, so there is nothing to diff.
"""

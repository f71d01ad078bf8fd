# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: ``dest``, a per-host store on the controller for files fetched from License Servers.

Used by license_backup and telemetry_bundle, which lay out the store the same way. ``dr_backup`` keeps its backup
sets differently (named sets with a default directory) and documents its own ``dest``.
"""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  dest:
    description:
      - Directory on the controller that holds one folder per host. The folder is the inventory name; a name with
        characters outside C([A-Za-z0-9._-]) has them replaced and gets a short hash appended, so two hosts never
        share a folder.
      - A relative path is relative to the playbook directory.
      - Files are created with mode 0600 and folders with mode 0700, because what they hold belongs to the customer
        (license files, and telemetry that contains user and device data).
    type: path
    required: true
"""

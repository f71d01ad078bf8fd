# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment: ``install_dir`` of the modules that need an installed License Server.

Modules that treat a missing installation differently (``info`` reports it, ``connectivity`` probes the direct
route only, ``license_backup`` falls back to the folder an uninstall leaves) document their own ``install_dir``.
"""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  install_dir:
    description:
      - The License Server installation directory (the one holding C(MyFiles) and C(LS)), an absolute local Windows
        path with a drive letter; UNC paths are refused.
      - When omitted it is read from the registry value C(LS_Install_Dir) of
        C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install). The task fails when that value does not exist
        (the License Server is not installed).
    type: str
"""

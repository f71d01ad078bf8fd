# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Where the License Server is installed on a host (I/O through the host access layer only).

The one way every module finds the install directory: the ``install_dir`` option, else the registry
value ``LS_Install_Dir``; both go through the one pure rule,
:func:`~.._common.install_dir.check_install_dir`. A caller that reports where the directory came from
knows it from whether it passed the option.
"""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    INSTALL_REG_KEY,
    INSTALL_REG_VALUE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess

REGISTRY_SOURCE = f"registry value {INSTALL_REG_KEY}\\{INSTALL_REG_VALUE}"


def registered_install_dir(host: HostAccess) -> str | None:
    """The checked registry value ``LS_Install_Dir``; None when the host has none (not installed)."""
    value = host.registry_value(INSTALL_REG_KEY, INSTALL_REG_VALUE)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_install_dir(value, REGISTRY_SOURCE)


def resolve_install_dir(host: HostAccess, option: str | None) -> str:
    """The ``install_dir`` option (the registry is not read), else the registry value ``LS_Install_Dir``.

    Raises :class:`HostError` when neither names a directory: the License Server is not installed
    (or its registry key is damaged), so there is nothing under it to manage.
    """
    if option:
        return check_install_dir(option, "option install_dir")
    value = registered_install_dir(host)
    if value is None:
        raise HostError(f"the License Server is not installed: {REGISTRY_SOURCE} does not exist on this host; "
                        "install it (ctxlic.license_server.package), or pass install_dir")
    return value

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Host-side steps the reporting modules share (I/O through the host access layer only).

Kept apart from the pure decisions in :mod:`.reporting` so those stay testable without a host.
"""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess


def restart_service(host: HostAccess, name: str, check_mode: bool) -> tuple[bool, str | None]:
    """Restart ``name`` when it is running; (restarted or would restart, warning or None).

    A stopped service is left stopped (the operator stopped it; it reads the new setting when it is
    started) and a missing one is reported, never created or started.
    """
    info = host.service(name)
    if not info.exists:
        return False, f"service {name!r} does not exist on this host, so it was not restarted"
    if info.state != "running":
        return False, (f"service {name!r} is {info.state or 'not running'}; it was left as it is and reads the new "
                       "setting when it starts")
    if check_mode:
        return True, None
    try:
        host.set_service(name, "restarted")
    except HostError as exc:
        raise HostError(f"{exc} (the configuration file was already changed)") from None
    return True, None

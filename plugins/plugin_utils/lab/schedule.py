# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When the License Management Service's next automatic upload is due on a lab host.

Seed 001 "Reporting options" (and the same paragraph in seed 004 ~727): "The first upload occurs approximately five
minutes after the License Server first starts or restarts and the next uploads occur once a day thereafter. The
schedule resets if you reinstall the License Server. If an upload fails, another attempt is made in 24 hours until
either the upload succeeds or the License Management Service is disabled."

Seed 004 ``ctx_license_management_service.exe -enable`` (~2845) says instead: "The first upload to Citrix occurs
seven days after you install the License Server." The lab follows the Reporting options paragraph (two documents,
the current data collection page among them, and the only one that describes the whole schedule); docs/lab.md
states the choice. The model:

* the ``Citrix Licensing`` service starting (install, upgrade, a service start or restart, a reboot) sets the next
  attempt to five minutes after the start; an install or upgrade first clears the old schedule (it "resets");
* an attempt, successful or not, sets the next one 24 hours later (once a day after a success, the retry after a
  failure);
* a stopped service, a failed start or an uninstall leaves no attempt scheduled until the service starts again.

The state is ``.lab/upload_schedule.json``: ``{"next": ISO time or null, "why": start|daily|retry|stopped}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState, read_json, write_json

FIRST_UPLOAD_AFTER_START = timedelta(minutes=5)
NEXT_AFTER_SUCCESS = timedelta(days=1)
RETRY_AFTER_FAILURE = timedelta(hours=24)
SCHEDULE_FILE = "upload_schedule.json"


def _path(state: HostState):
    return state.lab / SCHEDULE_FILE


def service_started(state: HostState, when: datetime) -> None:
    """The License Server (service ``Citrix Licensing``) started or restarted at ``when``."""
    write_json(_path(state), {"next": (when + FIRST_UPLOAD_AFTER_START).isoformat(), "why": "start"})


def cleared(state: HostState, why: str = "stopped") -> None:
    """No attempt is scheduled: the service stopped, failed to start, or the License Server was removed."""
    write_json(_path(state), {"next": None, "why": why})


def after_attempt(state: HostState, when: datetime, succeeded: bool) -> None:
    """An attempt ran at ``when``: the next one is a day later (after a success) or 24 hours later (retry)."""
    delay, why = (NEXT_AFTER_SUCCESS, "daily") if succeeded else (RETRY_AFTER_FAILURE, "retry")
    write_json(_path(state), {"next": (when + delay).isoformat(), "why": why})


def next_attempt(state: HostState, since: datetime) -> datetime | None:
    """The time of the next attempt, or None when none is scheduled.

    A running host without a schedule file (a lab made before the schedule was modelled, or a state edited by hand)
    is taken to have started at ``since``.
    """
    data = read_json(_path(state), None)
    if not isinstance(data, dict):
        service_started(state, since)
        return since + FIRST_UPLOAD_AFTER_START
    value = data.get("next")
    return datetime.fromisoformat(value) if value else None

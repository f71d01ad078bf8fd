# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ctxlic.license_server.fleet_notification: whether the telemetry role notifies, and what it posts.

The documentation is in fleet_notification.yml next to this file; the logic in
plugin_utils/_compliance/notify.py (pure, unit tested).
"""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import notify


def fleet_notification(report, previous=None, due_days=7, title="Citrix License Server compliance"):
    """The decision of :func:`notify.decide`; ``previous`` may be the state file's text (JSON) or a dict."""
    if isinstance(previous, (bytes, str)):
        try:
            previous = json.loads(previous) if previous.strip() else None
        except ValueError:
            previous = None  # a damaged state file counts as "never notified": one notification too many
    if not isinstance(report, dict):
        raise AnsibleFilterError(f"fleet_notification expects the fleet_report result, not {type(report).__name__}")
    try:
        return notify.decide(report, previous, int(due_days), title=str(title))
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"fleet_notification: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"fleet_notification": fleet_notification}

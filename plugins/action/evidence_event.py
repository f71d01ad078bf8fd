# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.evidence_event (documentation in plugins/modules/evidence_event.py).

Runs on the controller only and never contacts the target: it records one event for a license server
in the evidence history (plugin_utils._store.evidence_history), next to the upload observations that
fleet_report keeps there. Input rules are in plugin_utils._compliance.evidence_events.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import DEFAULT_HISTORY_DB
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import evidence_events
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.history_db import resolve_target


class ActionModule(CtxlicAction):
    _requires_connection = False

    ARGUMENT_SPEC = {
        "kind": {"type": "str", "required": True},
        "host": {"type": "str"},
        "at": {"type": "str"},
        "detail": {"type": "dict", "default": {}},
        "once": {"type": "bool"},
        "history_db": {"type": "str", "default": DEFAULT_HISTORY_DB},  # SQLite path or PostgreSQL connection
        "history_db_password": {"type": "str", "no_log": True},
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        kind = evidence_events.check_kind(args["kind"])
        host = (args["host"] or self.inventory_host).strip()
        if not host:
            raise InputError("host is empty: pass the inventory host name the event is about.")
        now = datetime.now(UTC).replace(microsecond=0)
        at = evidence_events.event_time(args["at"], now)
        detail = args["detail"] or {}
        once = args["once"]
        if kind == evidence_events.MANUAL_UPLOAD:
            # Every manual upload is its own event; recorded_by defaults to the controller user running the play.
            detail = evidence_events.manual_upload_detail(at, detail, now, _controller_user())
            once = False if once is None else once
        once = True if once is None else once
        target = resolve_target(args["history_db"], password=args["history_db_password"],
                                path_rule=self.controller_path)
        path = target.display  # never the password
        event = {"host": host, "at": at, "kind": kind, "detail": detail}
        result: dict[str, Any] = {"history_db": path, "event": event, "earlier": []}
        if self.check_mode and target.kind == "sqlite" and not os.path.exists(target.location):
            return {**result, "changed": True, "msg": f"would create {path} and record {kind} for {host}"}
        history = EvidenceHistory(target)
        earlier = history.events(host=host, kind=kind)
        result["earlier"] = earlier
        existing = evidence_events.decide(earlier, at, once=once)
        if existing is not None:
            return {**result, "changed": False, "event": existing,
                    "msg": f"{host} already has a {kind} event ({existing['at']}); nothing recorded"}
        if self.check_mode:
            return {**result, "changed": True, "msg": f"would record {kind} for {host} at {at} in {path}"}
        history.record_event(host, at, kind, detail)
        return {**result, "changed": True, "msg": f"recorded {kind} for {host} at {at} in {path}"}


def _controller_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or the password database
        return "unknown controller user"

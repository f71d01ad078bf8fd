# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.upgrade_window (documentation in plugins/modules/).

Runs entirely on the controller and never contacts the target: it reads the release catalog
(shipped data, cache, optional HTTP refresh) and judges the version passed in. The logic lives in
plugin_utils (catalog_store for I/O, upgrade_window for the rules); this file only wires options,
the clock and the result together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_as_of_day
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.catalog import refresh
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import DEFAULT_MAX_AGE_DAYS
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import (
    FAIL_ON_CHOICES,
    window_task_result,
)


ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "installed_version": {"type": "str", "required": True},
    "as_of": {"type": "str"},
    "warn_days": {"type": "int", "default": 30},
    "fail_on": {"type": "str", "default": "never", "choices": list(FAIL_ON_CHOICES)},
    "fail_on_unknown": {"type": "bool", "default": True},
    "catalog_url": {"type": "str"},
    "catalog_format": {"type": "str", "default": "auto", "choices": ["auto", "html", "json", "yaml"]},
    "catalog_cache": {"type": "path", "default": catalog_store.DEFAULT_CACHE_PATH},
    "catalog_cache_ttl": {"type": "int", "default": 3600},
    "catalog_max_age_days": {"type": "int", "default": DEFAULT_MAX_AGE_DAYS},
    "timeout": {"type": "float", "default": 10.0},
    "proxy": {"type": "str"},
    "ca_bundle": {"type": "path"},
    "validate_certs": {"type": "bool", "default": True},
}


class ActionModule(CtxlicAction):
    """Judge an installed License Server version against the six-month upgrade window."""

    _requires_connection = False
    ARGUMENT_SPEC = ARGUMENT_SPEC
    CONTROLLER_PATHS = ("catalog_cache", "ca_bundle")
    # catalog_cache: '' is documented as "no cache".
    EMPTY_PATH_MEANS_OFF = ("catalog_cache",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        now = datetime.now(UTC)
        as_of = parse_as_of_day(args["as_of"], now.date())
        catalog, refresh_warnings = refresh(
            args["catalog_url"] or None,
            args["catalog_cache"] or None,
            now=now,
            fmt=args["catalog_format"],
            timeout=args["timeout"],
            proxy=args["proxy"] or None,
            ca_bundle=args["ca_bundle"] or None,
            validate_certs=args["validate_certs"],
            cache_ttl=args["catalog_cache_ttl"],
        )
        return window_task_result(
            args["installed_version"],
            catalog,
            as_of=as_of,
            warn_days=args["warn_days"],
            fail_on=args["fail_on"],
            max_age_days=args["catalog_max_age_days"],
            refresh_warnings=refresh_warnings,
            unknown_fails=args["fail_on_unknown"],
        )

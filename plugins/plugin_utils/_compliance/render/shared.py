# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""One report model prepared for rendering in several formats (pure): the views every format derives
from the checks, derived once."""

from __future__ import annotations

from typing import Any, Mapping
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    chart_bars,
    expand_week,
    licensing_row,
    server_facts,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.chart import (
    chart_layout,
)


def _check_model(model: Any) -> None:
    if not isinstance(model, Mapping) or not all(k in model for k in ("meta", "fleet", "servers", "chart")):
        raise InputError("model must be the dict report_model.build_report() returns.")


class SharedModel:
    """One report model prepared for rendering in several formats.

    ``source`` is the caller's model, read and never copied or changed: every format writes from it and
    cleans text as it writes. What only restates the checks is derived once, on first use, and shared by
    the formats: ``views`` (per server, in report order: ``s`` the server, ``f`` its facts, ``l`` its
    licensing row, ``cells`` its check statuses in ``meta.check_ids`` order), ``week`` (the week's actions
    with their texts) and ``chart`` (the bars' geometry).
    """

    def __init__(self, model: Any) -> None:
        _check_model(model)
        self.source: Mapping[str, Any] = model
        self._views: list[dict] | None = None
        self._chart: dict | None = None
        self._week: dict | None = None

    @property
    def views(self) -> list[dict]:
        if self._views is None:
            model = self.source
            check_ids = list(model["meta"].get("check_ids") or ())
            views = []
            for server in model["servers"]:
                statuses = {c.get("id"): c.get("status") for c in server.get("checks") or ()}
                views.append({"s": server, "f": server_facts(model, server), "l": licensing_row(server, model),
                              "cells": [statuses.get(cid, "unknown") for cid in check_ids]})
            self._views = views
        return self._views

    @property
    def week(self) -> dict:
        """``todo_week`` with each item's action text (:func:`report_model.expand_week`), derived once."""
        if self._week is None:
            self._week = expand_week(self.source)
        return self._week

    @property
    def chart(self) -> dict:
        if self._chart is None:
            bars = chart_bars(self.source["servers"], facts=[view["f"] for view in self.views])
            self._chart = chart_layout({**self.source["chart"], "bars": bars})
        return self._chart

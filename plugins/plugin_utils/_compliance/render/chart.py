# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Geometry of the report's chart of days since the last successful upload (pure)."""

from __future__ import annotations

import math
from typing import Any, Mapping
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    CHECK_LABELS,
    TONE_COLOURS,
    _truncate,
    clean_text,
    needs_cleaning,
)


# --------------------------------------------------------------------------- chart geometry


#: The types of ``days`` a chart bar's looks are remembered for (``None``: never uploaded).
_CHART_DAYS = (int, type(None))


def _bar_looks(days: Any, status: Any, scale: int, plot_width: int, length: float) -> tuple:
    """A chart bar's width, status, colour, status label and value text (:func:`chart_layout`).

    ``length`` is the bar's length on the scale (``x_of(days) - label_width``; unused for a bar that never uploaded).
    """
    status = status if status in TONE_COLOURS else "unknown"
    # A server that never uploaded is not a 0-day bar: it gets a dashed outline across the plot and
    # the label "never" (issue 15 item 5); a 0-day bar stays a short solid bar labelled "0 d".
    never = days is None
    width = round(float(plot_width) if never else max(length, 2.0), 1)
    label = "never" if never else f"{days} d"
    value = f"{label} \u00b7 {CHECK_LABELS[status]}" + (" (clipped)" if days and days > scale else "")
    return width, status, TONE_COLOURS[status], CHECK_LABELS[status], value


def chart_layout(chart: Mapping[str, Any], *, label_width: int = 240, plot_width: int = 480,
                 value_width: int = 270, row_height: int = 26) -> dict:
    """Geometry of the horizontal bar chart of days since the last successful upload.

    The scale shows at least 1.5x the threshold so the 90-day line sits inside the plot, grows with
    the oldest upload up to 4x the threshold (longer bars are clipped and marked), and is rounded
    up to whole 30-day steps for readable ticks.
    """
    threshold = int(chart.get("threshold_days") or 90)
    bars_in = list(chart.get("bars") or [])
    known = [b["days"] for b in bars_in if isinstance(b.get("days"), int)]
    wanted = max([threshold * 1.5] + [min(d, threshold * 4) for d in known])
    step = 30 if threshold >= 30 else max(1, threshold // 3)
    scale = int(math.ceil(wanted / step) * step)
    top, bottom = 34, 30
    height = top + max(len(bars_in), 1) * row_height + bottom
    width = label_width + plot_width + value_width

    def x_of(days: float) -> float:
        return round(label_width + min(days, scale) / scale * plot_width, 1)

    bars = []
    value_x, text_dy, bar_height = label_width + plot_width + 8, row_height / 2 + 4, row_height - 10
    # What a bar shows besides its host and place depends on its days and status only: worked out once for each.
    shown: dict[tuple, tuple] = {}
    for index, entry in enumerate(bars_in):
        days, status = entry.get("days"), entry.get("status")
        key = (days, status)
        looks = shown.get(key) if days.__class__ in _CHART_DAYS and status.__class__ is str else None
        if looks is None:
            looks = _bar_looks(days, status, scale, plot_width, x_of(days) - label_width if days is not None else 0)
            if days.__class__ in _CHART_DAYS and status.__class__ is str:  # 1, 1.0 and True are one key, not one bar
                shown[key] = looks
        bar_width, status, colour, status_label, value = looks
        host = entry.get("host")
        host = host if host.__class__ is str and not needs_cleaning(host) else clean_text(host)
        y = top + index * row_height
        bars.append({
            "host": host,
            "label": host if len(host) <= 34 and "\n" not in host and "\r" not in host else _truncate(
                host.replace("\n", " ").replace("\r", " "), 34),
            "x": label_width, "y": y + 5, "width": bar_width, "height": bar_height,
            "text_y": y + text_dy, "colour": colour, "status": status, "never": days is None,
            "status_label": status_label, "value": value, "value_x": value_x,
        })
    ticks = [{"x": x_of(d), "label": str(d)} for d in range(0, scale + 1, step)]
    return {"width": width, "height": height, "top": top, "plot_bottom": height - bottom, "bars": bars,
            "ticks": ticks, "threshold": threshold, "threshold_x": x_of(threshold), "scale": scale,
            "label_width": label_width, "plot_width": plot_width}

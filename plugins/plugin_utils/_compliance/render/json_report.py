# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The JSON report (pure): the model itself, keys sorted, the verdict first, ASCII only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Mapping
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    jsonable,
)


def _sorted_keys(value: Any) -> Any:
    """``value`` with every mapping's keys in sorted order (what ``sort_keys=True`` gives)."""
    if isinstance(value, Mapping):
        return {k: _sorted_keys(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_sorted_keys(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    """What ``json`` cannot write by itself, as ``report_model.jsonable`` writes it (times, dates, sets)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return jsonable(value)


#: Characters of the JSON text handed out at a time (slices, so the text is not copied whole again).
_JSON_PIECE = 1 << 20


def _iter_json(model: Mapping[str, Any], indent: int | None = None) -> Iterator[str]:
    # Keys sorted as always, except that the overall verdict leads the file (issue 15 item 4): the first
    # thing a person or a pipeline reads agrees with the per-server results. Compact by default: the C
    # encoder writes it (an indent makes json use its pure-Python encoder, several times slower).
    # ASCII only: every other character is a \uXXXX escape, lossless for a JSON reader. So a lone
    # surrogate (which UTF-8 cannot encode) can never stop the report from being written, and bidi and
    # zero-width characters are visible to a person reading the file (issue 14 item 8). It is also the
    # encoder's fastest path, and the file needs no pass of its own to find those characters.
    start = 0
    if indent:
        ordered = _sorted_keys(model)
        if isinstance(ordered, dict) and "verdict" in ordered:
            ordered = {"verdict": ordered.pop("verdict"), **ordered}
        text = json.dumps(ordered, indent=indent, ensure_ascii=True, default=_json_default)
    else:
        options: dict[str, Any] = {"sort_keys": True, "ensure_ascii": True, "separators": (",", ":"),
                                   "default": _json_default}
        rest = {k: v for k, v in model.items() if k != "verdict"}
        text = json.dumps(rest, **options)
        if "verdict" in model:
            # The verdict goes first, then the rest without its opening brace (from ``start``, not copied).
            head = '{"verdict":' + json.dumps(model["verdict"], **options)
            if text == "{}":
                text = head + "}"
            else:
                yield head + ","
                start = 1
    for offset in range(start, len(text), _JSON_PIECE):
        yield text[offset:offset + _JSON_PIECE]
    yield "\n"

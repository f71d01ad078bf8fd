# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The Jinja2 environment and context the Markdown and HTML report templates are rendered with (pure)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any
from jinja2 import Environment, FunctionLoader, StrictUndefined
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import package_data
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    CHECK_LABELS,
    TONE_COLOURS,
    TONE_SYMBOLS,
    _html_text,
    clean_output,
    clean_text,
    human_bytes,
    md_escape,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.html_report import (
    CHECK_BADGES,
    HtmlRows,
    HtmlSections,
    _Escaped,
    _gathered_html,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.markdown_report import (
    MdRows,
    _joined,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.shared import (
    SharedModel,
)


TEMPLATES = "_compliance/report_templates"  # package data: report.md.j2, report.html.j2


class _ReportEnvironment(Environment):
    """The report's Jinja2 environment: ``s.host`` on a dict looks the key up first (the model is dicts).

    Jinja2 tries an attribute before an item; for the model's dicts an item is what is meant, and the
    attribute attempt was the largest single cost of rendering a large fleet.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if obj.__class__ is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@functools.lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    """Jinja2 environment: autoescaped for HTML, plain for Markdown (which escapes with ``md``).

    ``finalize`` cleans every value a template writes (:func:`clean_text`): text is cleaned as it is
    written, the model is never copied to clean it.
    """
    env = _ReportEnvironment(
        loader=FunctionLoader(lambda name: package_data.read_text(f"{TEMPLATES}/{name}")),
        autoescape=html,  # True for HTML; Markdown is not HTML and escapes every value with `md`
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=clean_output,
    )
    env.filters["md"] = md_escape
    env.filters["md_inline"] = functools.partial(md_escape, newline=" ")
    env.filters["human_bytes"] = human_bytes
    env.filters["clean"] = clean_text
    return env


def _context(shared: SharedModel) -> dict:
    model = shared.source
    return {
        "m": model,
        "views": shared.views,
        "symbols": TONE_SYMBOLS,
        "labels": CHECK_LABELS,
        "colours": TONE_COLOURS,
        "check_badges": CHECK_BADGES,
        "messages": model.get("messages") or [],
        "actions": model.get("actions") or [],
        "titles": {cid: entry.get("title") for cid, entry in (model.get("checks") or {}).items()},
        "week_items": shared.week,
    }


def _iter_template(shared: SharedModel, name: str, html: bool) -> Iterator[str]:
    """The template's output in pieces (Jinja2 ``generate``); the template is loaded before the first piece."""
    template = _environment(html).get_template(name)
    context = _context(shared)
    if not html:  # the per-server sections come from MdRows in large pieces, so few pieces are left to join
        context["md_rows"] = MdRows(context["titles"], context["messages"], context["actions"])
        return _joined(template.generate(**context))
    # HTML: the shared texts, cleaned and escaped once each (not once per server that shows them)
    context["messages"] = _Escaped(context["messages"])
    context["titles"] = {cid: _html_text(title) if isinstance(title, str) else title
                         for cid, title in context["titles"].items()}
    rows = HtmlRows(context["titles"], context["messages"])
    context["section"] = HtmlSections.marker
    context["chart"] = shared.chart  # the chart is drawn in HTML only
    return _gathered_html(template.generate(**context), HtmlSections(shared, context["week_items"], rows))

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The one guarded import of lxml (pure).

lxml is a controller requirement (requirements.txt) but only the parts that read XML or HTML need it:
the proxy setting editor, the uploader's result file and the release catalog's HTML page. They import
``etree`` / ``html`` from here and call :func:`require_lxml` before parsing, so a controller without
lxml fails with a message that says what to install, and every other module keeps working (ansible-test's
import sanity test imports each module without lxml).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

__all__ = ["HAS_LXML", "LXML_IMPORT_ERROR", "etree", "html", "require_lxml"]

etree: Any
html: Any
try:
    from lxml import etree, html

    HAS_LXML = True
    LXML_IMPORT_ERROR: ImportError | None = None
except ImportError as _error:  # pragma: no cover - exercised by ansible-test's import sanity test
    etree = html = None
    HAS_LXML = False
    LXML_IMPORT_ERROR = _error


def require_lxml(what: str) -> None:
    """Raise :class:`InputError` saying that ``what`` (e.g. "Reading X") needs lxml, when lxml is missing."""
    if not HAS_LXML:
        raise InputError(f"{what} needs the Python library lxml on the Ansible controller ({LXML_IMPORT_ERROR}): "
                         "install lxml (pip install lxml) and run again.")

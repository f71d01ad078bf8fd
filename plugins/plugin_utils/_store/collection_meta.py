# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""This collection's own metadata as installed on the controller: its version for report records.

An installed collection (``ansible-galaxy collection install`` of the built tarball) carries
``MANIFEST.json`` (``collection_info.version``); a source checkout used in place carries
``galaxy.yml`` (``version:``). Reading them is controller-side file I/O kept here, away from the
pure report model; a missing or unreadable file gives None (the report then says "unknown").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

#: The collection root: plugins/plugin_utils/_store/collection_meta.py -> three levels up.
COLLECTION_ROOT = Path(__file__).resolve().parents[3]
_GALAXY_VERSION = re.compile(r"""^version:\s*['"]?([0-9A-Za-z.+-]+)['"]?\s*(?:#.*)?$""", re.MULTILINE)


def collection_version(root: Path | None = None) -> str | None:
    """The version of the collection at ``root`` (default: this one), from MANIFEST.json or galaxy.yml."""
    base = Path(root) if root is not None else COLLECTION_ROOT
    try:
        manifest = json.loads((base / "MANIFEST.json").read_text(encoding="utf-8"))
        version = manifest.get("collection_info", {}).get("version")
        if isinstance(version, str) and version.strip():
            return version.strip()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        match = _GALAXY_VERSION.search((base / "galaxy.yml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return match.group(1) if match else None

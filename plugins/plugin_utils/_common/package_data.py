# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The collection's own read-only package data (``data/*.yml``, report templates), read in one place.

Pure code may use what ships inside the collection, as it uses its own Python modules: the files are
part of the installed collection, never written at run time and the same on every controller. This is
the one module of the pure packages that reads a file, and it reads nothing else (the purity test in
``tests/unit/test_architecture.py`` holds that).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

PLUGIN_UTILS = Path(__file__).resolve().parents[1]


def path(relative: str) -> Path:
    """Where ``relative`` (for example ``data/las.yml``) lies below ``plugins/plugin_utils``."""
    resolved = (PLUGIN_UTILS / relative).resolve()
    if PLUGIN_UTILS not in resolved.parents:
        raise ValueError(f"{relative!r} is not package data of this collection")
    return resolved


@functools.lru_cache(maxsize=32)
def read_text(relative: str) -> str:
    """The text of a package data file (UTF-8), read once per process."""
    return path(relative).read_text(encoding="utf-8")


def safe_loader() -> Any:
    """libyaml's safe loader when PyYAML was built with it (the usual wheels are), else the pure-Python one.

    The shipped data files are parsed in every forked worker of a fleet run (``info``), and the pure-Python
    loader took about 6.5 ms per worker for the release catalog alone (issue 18 item 2). Both loaders build
    the same data for the shipped files (tests/unit/plugins/plugin_utils/test_package_data.py).
    """
    import yaml  # ansible-core depends on PyYAML; imported on use, so importing this module needs nothing

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` with :func:`safe_loader`; raises ``yaml.YAMLError`` as ``safe_load`` does."""
    import yaml

    return yaml.load(text, Loader=safe_loader())  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)

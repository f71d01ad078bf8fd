# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of ctxlic.license_server (not shipped, not part of the test suite): ``scripts/bench.sh``.

Importing this package makes the checkout importable as ``ansible_collections.ctxlic.license_server``
(``scripts/bootstrap.sh`` creates the link in ``.build/collections``), as tests/conftest.py does.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / ".build" / "collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the repository importable as ``ansible_collections.ctxlic.license_server``.

The repo root is the collection root; Python and Ansible need it below a directory named
``ansible_collections/ctxlic/license_server``. ``scripts/bootstrap.sh`` creates that link in
``.build/collections``; this file re-creates it when missing so ``pytest`` alone also works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS_ROOT = REPO_ROOT / ".build" / "collections"
COLLECTION_LINK = COLLECTIONS_ROOT / "ansible_collections" / "ctxlic" / "license_server"


def _ensure_collection_link() -> None:
    if COLLECTION_LINK.exists():
        return
    COLLECTION_LINK.parent.mkdir(parents=True, exist_ok=True)
    COLLECTION_LINK.symlink_to(REPO_ROOT, target_is_directory=True)


_ensure_collection_link()
_paths = [str(COLLECTIONS_ROOT)] + [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
os.environ["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join(dict.fromkeys(_paths))
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))

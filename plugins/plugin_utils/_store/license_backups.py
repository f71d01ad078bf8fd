# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The controller-side store of ``license_backup`` (local file I/O only; decisions are in license_backup_plan).

Layout under ``<dest>/<host>/`` (the host folder is named as the telemetry bundles' folders are)::

    files/<name>                    latest verified copy of each MyFiles file
    files/.<name>.part              a download in progress (discarded by the next run)
    previous/<UTC stamp>/<name>     earlier copies, kept when the server's file changed
    manifest.json                   every copy with its size, SHA-1 and SHA-256
    SHA256SUMS                      the same hashes for ``sha256sum -c SHA256SUMS``

Every file appears complete or not at all (``atomic_file``: temporary file + ``os.replace``).
Files are private (0600, folders 0700): license files are bound to the organisation's servers.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import PART_SUFFIX
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import backup_plan as plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder as host_folder_rule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.telemetry_bundles import (
    file_hashes,
    host_folder,
    manifest_owner,
)

SUMS_NAME = "SHA256SUMS"


class LicenseBackupStore:
    """The folder of one host under ``dest``. Nothing is created until :meth:`prepare` is called."""

    def __init__(self, dest: str | os.PathLike[str], host: str) -> None:
        self.host = host
        self.dest = Path(dest)
        self.root = self.dest / host_folder(host)
        self.files = self.root / plan.FILES_DIR
        self.manifest_path = self.root / "manifest.json"
        self.sums_path = self.root / SUMS_NAME

    def adopt_legacy(self) -> list[str]:
        """Move this host's folder from its older name (no hash) when its manifest names this host."""
        if not self.dest.is_dir():
            return []
        return host_folder_rule.adopt_legacy(self.dest, self.host, manifest_owner)[1]

    def lock(self, run_id: str):
        """The controller lock of this host's folder (see :func:`.host_folder.controller_lock`)."""
        return host_folder_rule.controller_lock(self.root, operation="license_backup", run_id=run_id)

    def prepare(self) -> None:
        """Create the folders (mode 0700); raises CtxlicError naming the folder when it cannot."""
        for folder in (self.root, self.files):
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise CtxlicError(f"Cannot create {folder}: {exc.strerror or exc}. Choose a writable dest.") from None

    # -- manifest ----------------------------------------------------------------------------------
    def load_manifest(self, install_dir: str) -> dict[str, Any]:
        """The manifest, or an empty one when this host was never backed up here."""
        data = atomic_file.read_json(self.manifest_path, keep_because="it lists the copies already made")
        if data is None:
            return plan.empty_manifest(self.host, install_dir)
        return plan.check_manifest(data, str(self.manifest_path))

    def save(self, manifest: dict[str, Any]) -> None:
        """Write the manifest and SHA256SUMS (each atomically, mode 0600)."""
        try:
            atomic_file.write_json(self.manifest_path, manifest, mode=0o600)
            atomic_file.write_text(self.sums_path, plan.sha256sums(manifest), mode=0o600)
        except OSError as exc:
            raise CtxlicError(f"Cannot write the backup manifest in {self.root}: {exc.strerror or exc}.") from None

    # -- copies ------------------------------------------------------------------------------------
    def copy_path(self, name: str) -> Path:
        return self.files / name

    def part_path(self, name: str) -> Path:
        return self.files / f".{name}{PART_SUFFIX}"

    def local_hashes(self, names: list[str]) -> dict[str, dict[str, Any] | None]:
        """name -> ``{size, sha1, sha256}`` of the latest copy on the controller, or None when it is missing."""
        found: dict[str, dict[str, Any] | None] = {}
        for name in names:
            path = self.copy_path(name)
            found[name] = file_hashes(path) if path.is_file() else None
        return found

    def hash_part(self, name: str) -> dict[str, Any]:
        return file_hashes(self.part_path(name))

    def accept(self, name: str) -> Path:
        """Move a verified download into place (mode 0600)."""
        part = self.part_path(name)
        os.chmod(part, 0o600)
        final = self.copy_path(name)
        os.replace(part, final)
        return final

    def retire(self, name: str, relative: str) -> None:
        """Move the current copy of ``name`` to ``relative`` (``previous/<stamp>/<name>``) before it is replaced."""
        target = self.root / relative
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(self.copy_path(name), target)

    def stale_parts(self) -> list[Path]:
        """Partial downloads an interrupted run left behind."""
        if not self.files.is_dir():
            return []
        return sorted(p for p in self.files.glob(f".*{PART_SUFFIX}") if p.is_file())

    def discard(self, path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def read(self, name: str) -> bytes:
        try:
            return self.copy_path(name).read_bytes()
        except OSError as exc:
            raise CtxlicError(f"Cannot read the copy {self.copy_path(name)}: {exc.strerror or exc}.") from None

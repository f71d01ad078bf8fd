# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parts of a simulated Windows host that are not files: registry, services, network, faults, clock.

Each lives in a small JSON document under the host's ``.lab`` directory and is written atomically, so
an interrupted lab program never leaves a half-written state behind. Every state-changing action is
appended to ``.lab/events.jsonl`` so tests can check what happened and in which order.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import FS_DIR, LAB_DIR


def read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


class HostState:
    """Accessors for one lab host's non-file state."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.lab = self.root / LAB_DIR

    # host identity, network model, disk model -------------------------------------------------
    @property
    def host(self) -> dict:
        return read_json(self.lab / "host.json", {})

    def update_host(self, **changes: Any) -> None:
        data = self.host
        data.update(changes)
        write_json(self.lab / "host.json", data)

    # registry ---------------------------------------------------------------------------------
    @property
    def registry(self) -> dict:
        return read_json(self.lab / "registry.json", {})

    def set_registry_key(self, key: str, values: dict | None) -> None:
        reg = self.registry
        if values is None:
            reg.pop(key, None)
        else:
            reg[key] = values
        write_json(self.lab / "registry.json", reg)

    # services ---------------------------------------------------------------------------------
    @property
    def services(self) -> dict:
        return read_json(self.lab / "services.json", {})

    def write_services(self, services: dict) -> None:
        write_json(self.lab / "services.json", services)

    # faults -------------------------------------------------------------------------------------
    @property
    def faults(self) -> dict:
        return read_json(self.lab / "faults.json", {})

    def set_faults(self, faults: dict) -> None:
        write_json(self.lab / "faults.json", faults)

    # lab-wide clock -----------------------------------------------------------------------------
    @property
    def clock_file(self) -> Path:
        return Path(self.host.get("fleet_root", self.root)) / "clock.json"

    def now(self) -> datetime:
        data = read_json(self.clock_file, None)
        if not data:
            return datetime.now(UTC).replace(microsecond=0)
        return datetime.fromtimestamp(int(data["epoch"]), UTC)

    # audit log ----------------------------------------------------------------------------------
    def record(self, kind: str, **detail: Any) -> None:
        self.lab.mkdir(parents=True, exist_ok=True)
        entry = {"seq": time.monotonic_ns(), "at": self.now().isoformat(), "kind": kind, **detail}
        with open(self.lab / "events.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    def events(self) -> list[dict]:
        try:
            lines = (self.lab / "events.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    # disk ---------------------------------------------------------------------------------------
    def disk(self) -> dict:
        """Free and total bytes of the simulated C: volume (capacity minus what the tree uses)."""
        model = self.host.get("disk", {})
        total = int(model.get("total_bytes", 64 * 1024**3))
        used = int(model.get("base_used_bytes", 20 * 1024**3))
        for dirpath, _dirs, files in os.walk(self.root / FS_DIR):
            for name in files:
                try:
                    used += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    continue
        free = 0 if self.faults.get("disk_full") else max(total - used, 0)
        return {"free_bytes": free, "total_bytes": total}

    def slow(self) -> None:
        """Simulate a slow host (fault ``slow_seconds``)."""
        delay = float(self.faults.get("slow_seconds", 0) or 0)
        if delay > 0:
            time.sleep(min(delay, 30.0))


def report_clock(host_root: str | os.PathLike[str]) -> tuple[datetime, str] | None:
    """The simulated time the lab host at ``host_root`` lives by, for the fleet report: ``(now, clock file)``.

    ``lab ... advance --days N`` moves the lab's clock (``clock.json`` of the fleet) and the simulated
    uploader dates its results by it; a report judged by the controller's clock would then see every
    upload N days in the future (issue 15 item 3). None when ``host_root`` is not a lab host or its
    lab has no clock file (the lab then runs on real time, like the controller). Never raises.
    """
    try:
        state = HostState(Path(host_root))
        if not (state.lab / "host.json").is_file():
            return None
        data = read_json(state.clock_file, None)
        if not isinstance(data, dict):
            return None
        return datetime.fromtimestamp(int(data["epoch"]), UTC), str(state.clock_file)
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return None

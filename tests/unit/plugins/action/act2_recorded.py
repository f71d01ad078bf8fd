# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FakeHosts built from the answers ``tests/fixtures/collect/act2_record.py`` recorded from lab hosts.

Nothing here invents an answer: a FakeHost gets the recorded collection, the files read from the same
lab host (MyFiles content the collection returned, plus the files recorded next to it) and its services
as the collection listed them.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

from fake_host import FakeHost, ok

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import INSTALL_REG_KEY

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "collect"
INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
MYFILES = INSTALL + r"\MyFiles"
PROXY_XML = INSTALL + r"\WebServicesForLicensing\SimpleLicenseServiceConfig.xml"
HTTPD_CONF = INSTALL + r"\WebServicesForLicensing\Apache\conf\httpd.conf"


@cache
def _load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of a recorded answer file (``act2_dr_primary.json`` ...)."""
    return json.loads(_load(name))


def host_files(collect: dict, files: dict[str, str | None]) -> dict[str, bytes]:
    """Windows path -> bytes: what the collection returned, plus the recorded files that exist."""
    found = {item["path"]: base64.b64decode(item["content_b64"])
             for item in [*(collect.get("myfiles") or []), collect.get("proxy_config") or {}]
             if item.get("content_b64") is not None}
    found.update({path: base64.b64decode(data) for path, data in files.items() if data is not None})
    return found


def services_of(collect: dict) -> dict[str, dict[str, str]]:
    return {s["name"]: {"state": s["state"], "start_mode": s["start_mode"]}
            for s in collect.get("services") or [] if s.get("exists")}


def registry_of(collect: dict) -> dict[tuple[str, str], Any]:
    """The License Server's registry values the collection read (LS_Install_Dir, Version)."""
    return {(INSTALL_REG_KEY, name): value for name, value in (collect.get("registry") or {}).items()}


def lab_host(name: str, *, collect: dict | list[dict] | None = None, files: dict[str, bytes] | None = None,
             registry: dict[tuple[str, str], Any] | None = None, **extra: Any) -> FakeHost:
    """A FakeHost for the recorded lab host ``name`` (fixture ``act2_<name>.json``); ``files``/``registry`` add."""
    data = recorded(f"act2_{name}.json")
    first = data["collect"] if "collect" in data else data["collect_full"]
    return FakeHost(files={**host_files(first, data["files"]), **(files or {})}, services=services_of(first),
                    registry={**registry_of(first), **(registry or {})},
                    collect=first if collect is None else collect, **extra)


def restored_dr_host(**extra: Any) -> FakeHost:
    """The DR host before the restore, answering a second collection (after lmreread) as recorded."""
    before, after = recorded("act2_dr_dr_before.json"), recorded("act2_dr_dr_restored.json")
    reread = after["lmreread"]
    return lab_host("dr_dr_before", collect=[before["collect"], after["collect_reread"]],
                    programs={"lmreread.exe": ok(reread["stdout"], reread["rc"], reread["stderr"])}, **extra)

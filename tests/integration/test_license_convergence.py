# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end on lab hosts: license files converge after a reread that did not happen and a removal cut short.

The two faults the collection must notice from the host alone, because the file content is already
right: the License Server does not serve what MyFiles holds (``reread`` with ``only_if_stale``), and
a removal left its marker, a stopped Citrix Licensing service and a ``.old`` file behind.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import removal as license_removal
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

from .conftest import MYFILES, one_task_play

VALID = date(2028, 12, 31)
LICENSING = "Citrix Licensing"


def served(fleet, host: str) -> dict:
    return json.loads((fleet.host_root(host) / ".lab" / "served.json").read_text(encoding="utf-8"))


def lmrereads(fleet, host: str, start: int) -> list[dict]:
    return [e for e in fleet.state(host).events()[start:] if e["kind"] == "lmreread"]


def set_service(fleet, host: str, state: str) -> None:
    services = fleet.state(host).services
    services[LICENSING]["state"] = state
    fleet.state(host).write_services(services)


def two_files() -> list[dict]:
    return [{"file": "FID_a.lic", "features": [{"feature": "XDT_ENT_UD", "count": 5, "expiry": VALID, "serial": "A"}]},
            {"file": "FID_b.lic", "features": [{"feature": "XDT_PLT_UD", "count": 10, "expiry": VALID, "serial": "B"}]}]


def test_reread_only_if_stale_rereads_a_server_still_serving_a_removed_file(make_fleet):
    fleet = make_fleet([HostSpec("ls01", licenses=two_files())])
    reread = one_task_play("reread", {"only_if_stale": True})
    start = len(fleet.state("ls01").events())
    converged = fleet.run(reread).task_results("t")["ls01"]
    assert converged["changed"] is False and converged["served_check"]["checked"] is True, converged["msg"]
    assert converged["reread"] is None and lmrereads(fleet, "ls01", start) == []

    # The file goes away without a reread: the daemon keeps serving its feature.
    fleet.path("ls01", MYFILES + r"\FID_a.lic").unlink()
    stale = fleet.run(reread, check=True).task_results("t")["ls01"]
    assert stale["changed"] is True and stale["served_check"]["unexpected"] == ["XDT_ENT_UD"]
    assert lmrereads(fleet, "ls01", start) == [], "check mode compares, it does not reread"
    fixed = fleet.run(reread).task_results("t")["ls01"]
    assert fixed["changed"] is True and fixed["reread"]["ok"] is True and "XDT_ENT_UD" in fixed["msg"]
    assert "XDT_ENT_UD" not in served(fleet, "ls01") and "XDT_PLT_UD" in served(fleet, "ls01")
    assert fleet.run(reread).task_results("t")["ls01"]["changed"] is False


def test_reread_only_if_stale_warns_when_lmstat_does_not_answer(make_fleet):
    fleet = make_fleet([HostSpec("ls01", licenses=two_files())])
    set_service(fleet, "ls01", "stopped")
    res = fleet.run(one_task_play("reread", {"only_if_stale": True})).task_results("t")["ls01"]
    assert res["changed"] is False and not res.get("failed")
    assert res["served_check"]["checked"] is False and "lmstat -a did not answer" in res["served_check"]["reason"]
    assert any("could not check" in warning for warning in res["warnings"])


def interrupted_after_the_rename(fleet, host: str) -> None:
    """What a removal of FID_a.lic killed right after its rename leaves: marker, .old, a stopped service."""
    myfiles = fleet.path(host, MYFILES)
    (myfiles / license_removal.MARKER_NAME).write_bytes(
        license_removal.marker_content("FID_a.lic", service_was_running=True, now=datetime(2026, 11, 22, tzinfo=UTC)))
    (myfiles / "FID_a.lic").rename(myfiles / "FID_a.old")
    set_service(fleet, host, "stopped")


def test_any_license_file_run_finishes_a_removal_cut_short_after_the_rename(make_fleet, tmp_path: Path):
    fleet = make_fleet([HostSpec("ls01", licenses=two_files())])
    interrupted_after_the_rename(fleet, "ls01")
    src = tmp_path / "FID_b.lic"
    src.write_bytes(fleet.path("ls01", MYFILES + r"\FID_b.lic").read_bytes())
    deploy = one_task_play("license_file", {"src": str(src)})
    before = {p.name: p.read_bytes() for p in fleet.path("ls01", MYFILES).iterdir()}

    planned = fleet.run(deploy, check=True).task_results("t")["ls01"]
    assert planned["changed"] is True and planned["operation"] == "unchanged"
    assert [step.split()[2] for step in planned["recovered"]] == ["started", "deleted", "deleted"]
    assert {p.name: p.read_bytes() for p in fleet.path("ls01", MYFILES).iterdir()} == before
    assert fleet.state("ls01").services[LICENSING]["state"] == "stopped"

    res = fleet.run(deploy).task_results("t")["ls01"]
    assert res["changed"] is True and not res.get("failed"), res["msg"]
    assert res["recovered"][0].startswith(f"started {LICENSING}") and "FID_a.old" in res["recovered"][1]
    assert fleet.state("ls01").services[LICENSING]["state"] == "running"
    names = {p.name for p in fleet.path("ls01", MYFILES).iterdir()}
    assert not {"FID_a.lic", "FID_a.old", license_removal.MARKER_NAME} & names and "FID_b.lic" in names
    assert set(served(fleet, "ls01")) >= {"XDT_PLT_UD"} and "XDT_ENT_UD" not in served(fleet, "ls01")
    again = fleet.run(deploy).task_results("t")["ls01"]
    assert again["changed"] is False and again["recovered"] == [] and again["served_check"]["stale"] is False


def test_a_service_stopped_before_the_removal_is_left_stopped_by_the_recovery(make_fleet):
    fleet = make_fleet([HostSpec("ls01", licenses=two_files())])
    myfiles = fleet.path("ls01", MYFILES)
    set_service(fleet, "ls01", "stopped")
    (myfiles / license_removal.MARKER_NAME).write_bytes(
        license_removal.marker_content("FID_a.lic", service_was_running=False, now=datetime(2026, 11, 22, tzinfo=UTC)))
    (myfiles / "FID_a.lic").rename(myfiles / "FID_a.old")
    res = fleet.run(one_task_play("license_file", {"name": "FID_a.lic", "state": "absent"}))
    res = res.task_results("t")["ls01"]
    assert res["changed"] is True and res["operation"] == "absent" and not res.get("failed"), res["msg"]
    assert fleet.state("ls01").services[LICENSING]["state"] == "stopped"
    assert not {"FID_a.old", license_removal.MARKER_NAME} & {p.name for p in myfiles.iterdir()}
    assert "interrupted removal" in res["msg"]

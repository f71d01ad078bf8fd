# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: ``telemetry_bundle`` and ``fleet_report`` (and the fleet_report playbook) on lab fleets.

Bundling runs against lab hosts in manual reporting mode, whose daily upload job leaves
``upload_compliance*.zip`` / ``upload_usage*.zip`` files as the License Server does (seed 001). The
fleet report runs the shipped playbook on the demo fleet (lab.fleet.demo_specs).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec, demo_specs
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import verify_bundle
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.host_folder import folder_name

from .conftest import INSTALL, UL_USAGE, USAGE, sha256, tree
from clock import TODAY
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

REPO = Path(__file__).resolve().parents[2]

BUNDLE_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: bundle
      ctxlic.license_server.telemetry_bundle:
        dest: "{{ dest }}"
        cleanup: "{{ cleanup | default(false) }}"
        max_bundle_bytes: "{{ max_bytes | default(104857600) }}"
        bundle_date: "2026-11-22"
      register: r
"""


# -- helpers --------------------------------------------------------------------------------------


def server_zips(fleet, host: str) -> dict[str, str]:
    """{file name: sha256} of every pending zip on the lab host (both folder spellings)."""
    found = {}
    for winpath in (USAGE, UL_USAGE, INSTALL + r"\LS\resource\cis bundles\ul_usage"):
        folder = fleet.path(host, winpath)
        if folder.is_dir():
            found.update({p.name: sha256(p) for p in folder.glob("upload_*.zip")})
    return found


def bundle(fleet, dest: Path, *, check: bool = False, diff: bool = False, **extra) -> dict:
    result = fleet.run(BUNDLE_PLAY, check=check, diff=diff, extra_vars={"dest": str(dest), **extra})
    assert "Traceback" not in result.stdout + result.stderr
    return result.task_results("bundle")


def manifest(dest: Path, host: str) -> dict:
    return json.loads((dest / folder_name(host) / "manifest.json").read_text(encoding="utf-8"))


def bundled_members(dest: Path, host: str) -> dict[str, list[str]]:
    """{member sha256: [bundle names]} over every valid bundle of the manifest, each verified on disk."""
    data = manifest(dest, host)
    seen: dict[str, list[str]] = {}
    for entry in data["bundles"]:
        path = dest / folder_name(host) / "bundles" / entry["name"]
        assert sha256(path) == entry["sha256"]
        ok, why = verify_bundle(path, entry["members"])
        assert ok, why
        for member in entry["members"]:
            seen.setdefault(member["sha256"], []).append(entry["name"])
    return seen


def write_zip(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


# -- telemetry_bundle -----------------------------------------------------------------------------


def test_bundle_with_cleanup_moves_every_zip_into_verified_bundles(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[40, 10])])
    fleet.advance(1)  # the daily job adds one more of each kind (seed 001: manual mode keeps them)
    before = server_zips(fleet, "man01")
    assert len(before) == 6
    keep = fleet.path("man01", USAGE + r"\notes.txt")
    keep.write_text("operator notes", encoding="utf-8")
    keep_zip = fleet.path("man01", USAGE + r"\unrelated.zip")
    write_zip(keep_zip, {"a.txt": b"not telemetry"})
    dest = tmp_path / "dest"

    res = bundle(fleet, dest, cleanup=True)["man01"]
    assert not res.get("failed"), res.get("msg")
    assert res["changed"] is True
    assert res["files"]["count"] == 6
    assert len(res["fetched"]) == 6
    assert server_zips(fleet, "man01") == {}, "every bundled zip is gone from the server"
    assert keep.exists() and keep_zip.exists(), "files that are not pending zips are never touched"
    assert sorted(res["deleted"]) == sorted(res["fetched"])
    # Every original is in exactly one verified bundle, with its hash; compliance and usage apart.
    members = bundled_members(dest, "man01")
    assert set(members) == set(before.values())
    assert all(len(names) == 1 for names in members.values())
    assert {b["name"] for b in res["bundles"]} == {"man01_compliance_20261122_1.zip", "man01_usage_20261122_1.zip"}
    data = manifest(dest, "man01")
    assert len(data["deleted"]) == 6 and data["rejected"] == [] and data["invalid"] == []
    assert list((dest / folder_name("man01") / "incoming").rglob("*.zip")) == [], "copies are dropped once bundled"

    again = bundle(fleet, dest, cleanup=True)["man01"]
    assert again["changed"] is False
    assert again["fetched"] == [] and again["bundles"] == [] and again["deleted"] == []


def test_resume_after_an_interrupted_transfer_refetches_only_what_is_incomplete(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[4, 3, 2, 1])])
    dest = tmp_path / "dest"
    compliance = sorted(fleet.path("man01", USAGE).glob("upload_compliance_*.zip"))
    incoming = dest / folder_name("man01") / "incoming" / "compliance"
    incoming.mkdir(parents=True)
    # A run killed during the transfer: two copies complete, one truncated, one the same size but
    # corrupted, and the partial download it was writing.
    shutil.copy(compliance[0], incoming / compliance[0].name)
    shutil.copy(compliance[1], incoming / compliance[1].name)
    (incoming / compliance[2].name).write_bytes(compliance[2].read_bytes()[:50])
    damaged = bytearray(compliance[3].read_bytes())
    damaged[-10] ^= 0xFF
    (incoming / compliance[3].name).write_bytes(bytes(damaged))
    (incoming / f".{compliance[3].name}.part").write_bytes(b"partial")

    res = bundle(fleet, dest, cleanup=True)["man01"]
    assert not res.get("failed"), res.get("msg")
    fetched = {p.rsplit("\\", 1)[1] for p in res["fetched"]}
    assert compliance[0].name not in fetched and compliance[1].name not in fetched, "complete copies are reused"
    assert {compliance[2].name, compliance[3].name} <= fetched, "incomplete and corrupted copies are fetched again"
    warnings = " ".join(res.get("warnings", []))
    assert "size differs" in warnings and "SHA-1 differs" in warnings
    assert not list(incoming.glob(".*.part")), "the partial download is discarded"
    members = bundled_members(dest, "man01")
    assert len(members) == 8 and all(len(v) == 1 for v in members.values()), "nothing lost, nothing duplicated"
    assert server_zips(fleet, "man01") == {}


def test_a_bundle_changed_on_the_controller_is_detected_and_protects_its_files(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[3, 2])])
    before = server_zips(fleet, "man01")
    dest = tmp_path / "dest"
    first = bundle(fleet, dest)["man01"]  # no cleanup: the originals stay
    assert len(first["bundles"]) == 2
    tampered = Path(first["bundles"][0]["path"])
    data = bytearray(tampered.read_bytes())
    data[100] ^= 0xFF  # inside the first member's data
    tampered.write_bytes(bytes(data))

    res = bundle(fleet, dest, cleanup=True)["man01"]
    assert not res.get("failed"), res.get("msg")
    assert any(tampered.name in w and "failed verification" in w for w in res["warnings"])
    current = manifest(dest, "man01")
    assert [b["name"] for b in current["invalid"]] == [tampered.name]
    assert not tampered.exists() and (dest / folder_name("man01") / "invalid" / tampered.name).exists()
    # The tampered bundle's files were fetched again into a new verified bundle, then deleted.
    assert {b["name"] for b in res["bundles"]} == {tampered.name.replace("_1.zip", "_2.zip")}
    members = bundled_members(dest, "man01")
    assert set(members) == set(before.values()) and all(len(v) == 1 for v in members.values())
    assert server_zips(fleet, "man01") == {}


def test_corrupt_or_hostile_zips_are_quarantined_and_never_deleted(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[1])])
    usage = fleet.path("man01", USAGE)
    corrupt = usage / "upload_compliance_1700000001.zip"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip" * 20)
    slip = usage / "upload_compliance_1700000002.zip"
    write_zip(slip, {"../../Windows/System32/evil.dll": b"MZ" + b"\0" * 100})
    absolute = fleet.path("man01", UL_USAGE) / "upload_usage_1700000003.zip"
    write_zip(absolute, {"/etc/cron.d/evil": b"* * * * * root true\n"})
    bad = {
        corrupt.name: ("not a readable zip", sha256(corrupt)),
        slip.name: ("'..' segment", sha256(slip)),
        absolute.name: ("absolute path", sha256(absolute)),
    }
    dest = tmp_path / "dest"

    res = bundle(fleet, dest, cleanup=True)["man01"]
    assert not res.get("failed"), res.get("msg")
    rejected = {r["path"].rsplit("\\", 1)[1]: r for r in res["rejected"]}
    assert set(rejected) == set(bad)
    for name, (reason, digest) in bad.items():
        assert reason in rejected[name]["reason"]
        quarantined = Path(rejected[name]["quarantined"])
        assert quarantined.exists() and quarantined.parent.parent.name == "rejected"
        assert reason in json.loads(quarantined.with_name(quarantined.name + ".reason.json").read_text())["reason"]
        assert digest not in bundled_members(dest, "man01")
    assert server_zips(fleet, "man01") == {n: d for n, (_r, d) in bad.items()}, (
        "the good zips were bundled and deleted; the rejected ones are untouched on the server"
    )

    again = bundle(fleet, dest, cleanup=True)["man01"]
    assert again["changed"] is False and again["fetched"] == []
    assert {r["new"] for r in again["rejected"]} == {False} and len(again["rejected"]) == 3
    assert server_zips(fleet, "man01") == {n: d for n, (_r, d) in bad.items()}


def test_bundles_are_split_at_the_size_limit(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[7, 6, 5, 4, 3, 2, 1])])
    big = fleet.path("man01", USAGE + r"\upload_compliance_1790000000.zip")
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("usage.bin", bytes(range(256)) * 16)  # 4 KiB stored: larger than the limit alone
    before = server_zips(fleet, "man01")
    dest = tmp_path / "dest"
    limit = 1500

    res = bundle(fleet, dest, cleanup=True, max_bytes=limit)["man01"]
    assert not res.get("failed"), res.get("msg")
    compliance = [b for b in res["bundles"] if "_compliance_" in b["name"]]
    assert len(compliance) >= 3
    oversize = [b for b in res["bundles"] if big.name in b["members"]]
    assert len(oversize) == 1 and oversize[0]["members"] == [big.name] and oversize[0]["warnings"]
    for entry in res["bundles"]:
        assert Path(entry["path"]).stat().st_size == entry["size"]
        if entry is not oversize[0]:
            assert entry["size"] <= limit, entry
    assert any("does not fit" in w for w in res["warnings"])
    members = bundled_members(dest, "man01")
    assert set(members) == set(before.values()) and all(len(v) == 1 for v in members.values())


def test_only_members_of_verified_bundles_are_deleted(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[2, 1])])
    dest = tmp_path / "dest"
    first = bundle(fleet, dest)["man01"]
    bundled = set(first["fetched"])
    # After bundling, the License Server writes a new file under a name that was bundled before
    # (content differs), and another new day's zip appears.
    reused = fleet.path("man01", USAGE) / first["bundles"][0]["members"][0]
    write_zip(reused, {"compliance.xml": b"<usage generated='later'/>" * 50})
    reused_hash = sha256(reused)
    fleet.advance(1)
    new_zips = set(server_zips(fleet, "man01")) - {Path(p.replace("\\", "/")).name for p in bundled}

    res = bundle(fleet, dest, cleanup=True)["man01"]
    assert not res.get("failed"), res.get("msg")
    members = bundled_members(dest, "man01")
    assert reused_hash in members, "the reused name's new content was bundled before it was deleted"
    for path in res["deleted"]:
        name = path.rsplit("\\", 1)[1]
        assert name in {Path(p.replace("\\", "/")).name for p in bundled} or name in new_zips
    data = manifest(dest, "man01")
    deleted_hashes = {d["sha1"] for d in data["deleted"]}
    member_sha1 = {m["sha1"] for b in data["bundles"] for m in b["members"]}
    assert deleted_hashes <= member_sha1, "every deletion matches a verified bundle member's content"
    assert server_zips(fleet, "man01") == {}


def test_check_mode_reports_the_plan_and_changes_nothing(make_fleet, tmp_path):
    fleet = make_fleet(
        [HostSpec("man01", reporting="manual", pending_zip_days=[3, 2, 1], cis_bundles_spelling="space")]
    )
    host_before = tree(fleet.host_root("man01"))
    dest = tmp_path / "dest"

    res = bundle(fleet, dest, check=True, diff=True, cleanup=True)["man01"]
    assert res["changed"] is True
    assert res["diff"]["before"].count("\n") == 6 and res["diff"]["after"] == ""
    assert len(res["fetched"]) == 6 and len(res["deleted"]) == 6
    assert {b["name"] for b in res["bundles"]} == {"man01_compliance_20261122_1.zip", "man01_usage_20261122_1.zip"}
    assert all(b["sha256"] is None for b in res["bundles"])
    assert any("cis bundles" in p for p in res["deleted"]), "the 'cis bundles' spelling of seed 001 is handled"
    assert not dest.exists(), "nothing is written on the controller"
    assert tree(fleet.host_root("man01")) == host_before, "nothing changes on the host"

    # A real run then does what check mode announced.
    real = bundle(fleet, dest, cleanup=True)["man01"]
    assert sorted(real["deleted"]) == sorted(res["deleted"])


# -- fleet_report ---------------------------------------------------------------------------------


REPORT_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: gather
      ctxlic.license_server.info:
      register: ctxlic_info
      ignore_unreachable: true
      ignore_errors: true
    - name: report
      ctxlic.license_server.fleet_report:
        output_dir: "{{ out }}"
        history: "{{ history | default(true) }}"
        history_db: "{{ db }}"
        as_of: "{{ as_of }}"
        fail_on: "{{ fail_on | default('never') }}"
        hosts: "{{ report_hosts | default(omit) }}"
      run_once: true
      delegate_to: localhost
"""


def lab_now(fleet) -> str:
    data = json.loads((fleet.root / "clock.json").read_text())
    return datetime.fromtimestamp(data["epoch"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_result(result) -> dict:
    found = result.task_results("report")
    assert len(found) == 1, "the report runs once"
    return next(iter(found.values()))


def test_fleet_report_playbook_on_the_demo_fleet_lists_every_host(make_fleet, tmp_path):
    specs = demo_specs(TODAY)
    fleet = make_fleet(specs)
    out, db = tmp_path / "reports", tmp_path / "evidence.sqlite"
    result = fleet.run(
        REPO / "playbooks" / "fleet_report.yml",
        extra_vars={
            "ctxlic_telemetry_report_dir": str(out),
            "ctxlic_telemetry_history_db": str(db),
            "ctxlic_telemetry_as_of": lab_now(fleet),
        },
    )
    assert result.rc == 0, result.stdout[-3000:]
    report = next(
        iter(result.task_results("ctxlic.license_server.telemetry : Write the fleet compliance report").values())
    )
    hosts = {s.name for s in specs}
    assert report["fleet"]["status"] == "Partially Compliant"
    assert {s["host"] for s in report["servers"]} == hosts
    not_reporting = {n["host"] for n in report["fleet"]["not_reporting"]}
    assert {"ls-unreachable", "ls-firewalled", "ls-dns-failing", "ls-manual-stale", "ls-not-installed"} == not_reporting
    unreachable = next(s for s in report["servers"] if s["host"] == "ls-unreachable")
    assert unreachable["status"] == "unknown" and unreachable["usable"] is False
    assert report["fleet"]["counts"]["unreachable"] == 1

    model = expand_report(json.loads(Path(report["reports"]["json"]).read_text(encoding="utf-8")))
    assert {s["host"] for s in model["servers"]} == hosts
    rows = list(csv.DictReader(io.StringIO(Path(report["reports"]["csv"]).read_text(encoding="utf-8"))))
    assert {r["host"] for r in rows if r["kind"] == "server"} == hosts
    assert next(r for r in rows if r["host"] == "ls-unreachable")["status"] == "unknown"
    html = Path(report["reports"]["html"]).read_text(encoding="utf-8")
    assert all(h in html for h in hosts) and "Partially Compliant" in html
    junit = ElementTree.parse(report["reports"]["junit"]).getroot()
    assert {s.get("name") for s in junit.iter("testsuite")} >= hosts
    markdown = Path(report["reports"]["markdown"]).read_text(encoding="utf-8")
    assert all(h in markdown for h in hosts)
    # Every gathered upload result is evidence now.
    with sqlite3.connect(db) as conn:
        recorded = {row[0] for row in conn.execute("SELECT host FROM observations")}
    assert "ls-current-01" in recorded and "ls-unreachable" not in recorded


def run_bundling_report(fleet, tmp_path, *, cleanup: bool) -> tuple:
    """fleet_report.yml with bundling (and ``cleanup``): the run, the bundle task's results per host, the report."""
    out = tmp_path / "reports"
    result = fleet.run(
        REPO / "playbooks" / "fleet_report.yml",
        extra_vars={
            "ctxlic_telemetry_bundle": True,
            "ctxlic_telemetry_cleanup": cleanup,
            "ctxlic_telemetry_bundle_dest": str(tmp_path / "bundles"),
            "ctxlic_telemetry_report_dir": str(out),
            "ctxlic_telemetry_history_db": str(tmp_path / "e.sqlite"),
            "ctxlic_telemetry_as_of": lab_now(fleet),
        },
    )
    assert result.rc == 0, result.stdout[-3000:]
    bundled = result.task_results("ctxlic.license_server.telemetry : Bundle manual-upload telemetry on the controller")
    return result, bundled, expand_report(json.loads((out / "compliance_report.json").read_text(encoding="utf-8")))


def test_role_bundles_manual_hosts_and_reports_what_is_left(make_fleet, tmp_path):
    fleet = make_fleet(
        [
            HostSpec("ls-auto", last_upload={"days_ago": 1}),
            HostSpec("ls-manual", reporting="manual", last_upload={"days_ago": 20}, pending_zip_days=[15, 5]),
        ]
    )
    result, bundled, model = run_bundling_report(fleet, tmp_path, cleanup=True)
    # Only the manual-mode host is bundled; the hosts are picked once on the controller (issue 18 item 2),
    # so the automatic-mode host does not even run the bundling task.
    assert "ls-auto" not in bundled, "automatic-mode hosts are not bundled"
    picked = result.task_results(
        "ctxlic.license_server.telemetry : Decide which hosts to bundle (manual reporting mode)")
    assert next(iter(picked.values()))["ansible_facts"]["ctxlic_telemetry_bundle_hosts"] == ["ls-manual"]
    assert len(bundled["ls-manual"]["deleted"]) == 4
    assert server_zips(fleet, "ls-manual") == {}
    manual = next(s for s in model["servers"] if s["host"] == "ls-manual")
    assert manual["facts"]["pending_count"] == 0, "the report shows the server after the cleanup"
    assert model["fleet"]["status"] == "Compliant"


def test_role_bundles_without_cleanup_and_still_reports_the_bundled_hosts(make_fleet, tmp_path):
    """Bundling without cleanup deletes nothing, so the second gather is skipped: the report must still be
    built from the first gather (a skipped task's registered result once replaced it, and every bundled host
    counted as not gathered)."""
    fleet = make_fleet([HostSpec("ls-manual", reporting="manual", last_upload={"days_ago": 20},
                                 pending_zip_days=[15, 5])])
    bundled, model = run_bundling_report(fleet, tmp_path, cleanup=False)[1:]
    assert bundled["ls-manual"]["deleted"] == [] and len(server_zips(fleet, "ls-manual")) == 4
    [manual] = model["servers"]
    assert manual["host"] == "ls-manual" and manual["facts"]["pending_count"] == 4, manual["facts"]


def test_fleet_report_runs_one_task_per_host_the_gather(make_fleet, tmp_path):
    """Issue 18 item 2: besides the gather, every task of playbooks/fleet_report.yml runs once, not once per host
    (no upgrade_window per host, no per-host argument check, no per-host skipped bundling or notification)."""
    fleet = make_fleet([HostSpec("ls-a", last_upload={"days_ago": 1}), HostSpec("ls-b", last_upload={"days_ago": 2}),
                        HostSpec("ls-c", reporting="manual", last_upload={"days_ago": 3})])
    result = fleet.run(REPO / "playbooks" / "fleet_report.yml", extra_vars={
        "ctxlic_telemetry_report_dir": str(tmp_path / "reports"),
        "ctxlic_telemetry_history_db": str(tmp_path / "e.sqlite"),
        "ctxlic_telemetry_as_of": lab_now(fleet)})
    assert result.rc == 0, result.stdout[-3000:]
    per_task = {entry["task"]["name"]: sorted(entry["hosts"]) for entry in result.tasks()}
    per_host = {name for name, hosts in per_task.items() if len(hosts) > 1}
    assert per_host == {"ctxlic.license_server.telemetry : Gather License Server state"}, per_task
    model = json.loads((tmp_path / "reports" / "compliance_report.json").read_text(encoding="utf-8"))
    assert sorted(s["host"] for s in model["servers"]) == ["ls-a", "ls-b", "ls-c"]
    assert model["catalog"]["available"] is True  # the catalog notice without any per-host upgrade_window result


def test_evidence_history_keeps_the_last_success_across_failed_attempts(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1}), HostSpec("ls-fw", last_upload={"days_ago": 1})])
    out, db = tmp_path / "reports", tmp_path / "evidence.sqlite"
    first = report_result(fleet.run(REPORT_PLAY, extra_vars={"out": str(out), "db": str(db), "as_of": lab_now(fleet)}))
    assert first["fleet"]["status"] == "Compliant" and first["history"]["recorded"] == 2

    # The firewall closes: the daily uploads of ls-fw now fail and overwrite the result file.
    fleet.state("ls-fw").update_host(network={"dns": True, "direct": False, "proxies": {}})
    assert fleet.advance(5)["ls-fw"] == ["failure"] * 5
    second = report_result(fleet.run(REPORT_PLAY, extra_vars={"out": str(out), "db": str(db), "as_of": lab_now(fleet)}))
    fw = next(s for s in second["servers"] if s["host"] == "ls-fw")
    telemetry = next(c for c in fw["checks"] if c["id"] == "telemetry_upload")
    assert fw["reporting"] is True and telemetry["status"] == "warn"
    assert "evidence history" in telemetry["message"] and "6 days ago" in telemetry["message"]
    assert second["fleet"]["status"] == "Compliant"
    model = expand_report(json.loads(Path(second["reports"]["json"]).read_text(encoding="utf-8")))
    facts = next(s for s in model["servers"] if s["host"] == "ls-fw")["facts"]
    assert facts["last_attempt_status"] == "failure" and facts["last_success_source"] == "evidence history"

    # Without the history the same state has no proof of the earlier success.
    blind = report_result(
        fleet.run(
            REPORT_PLAY,
            extra_vars={"out": str(tmp_path / "r2"), "db": str(db), "history": False, "as_of": lab_now(fleet)},
        )
    )
    assert next(s for s in blind["servers"] if s["host"] == "ls-fw")["reporting"] is False
    assert blind["fleet"]["status"] == "Partially Compliant"


@pytest.mark.parametrize(
    ("fail_on", "fails"),
    [("never", False), ("non_compliant", False), ("partially_compliant", True), ("action_required", True)],
)
def test_fail_on_decides_whether_the_report_task_fails(make_fleet, tmp_path, fail_on, fails):
    fleet = make_fleet(
        [
            HostSpec("ls-ok", last_upload={"days_ago": 1}),
            HostSpec(
                "ls-fw",
                network={"dns": True, "direct": False, "proxies": {}},
                last_upload={"days_ago": 1, "outcome": "blocked"},
            ),
        ]
    )
    out = tmp_path / "reports"
    result = fleet.run(
        REPORT_PLAY,
        extra_vars={"out": str(out), "db": str(tmp_path / "e.sqlite"), "as_of": lab_now(fleet), "fail_on": fail_on},
    )
    res = report_result(result)
    assert res["fleet"]["status"] == "Partially Compliant"
    assert bool(res.get("failed")) is fails
    assert (result.rc != 0) is fails
    assert (out / "compliance_report.json").exists(), "reports are written before the task fails"
    if fails:
        assert "Partially Compliant" in res["msg"] and "ls-fw" in res["msg"] and str(out) in res["msg"]


def test_hosts_without_an_info_result_are_reported_not_dropped(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1})])
    result = fleet.run(
        REPORT_PLAY,
        extra_vars={
            "out": str(tmp_path / "r"),
            "db": str(tmp_path / "e.sqlite"),
            "as_of": lab_now(fleet),
            "report_hosts": ["ls-ok", "ls-gone"],
        },
    )
    res = report_result(result)
    gone = next(s for s in res["servers"] if s["host"] == "ls-gone")
    assert gone["status"] == "unknown" and gone["reporting"] is False
    assert "no 'ctxlic_info' result" in gone["checks"][0]["message"]
    assert res["fleet"]["status"] == "Partially Compliant"


def test_fleet_report_in_check_mode_writes_nothing(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1})])
    out, db = tmp_path / "reports", tmp_path / "evidence.sqlite"
    res = report_result(
        fleet.run(REPORT_PLAY, check=True, extra_vars={"out": str(out), "db": str(db), "as_of": lab_now(fleet)})
    )
    assert res["fleet"]["status"] == "Compliant" and res["reports"] == {} and res["changed"] is False
    assert not out.exists() and not db.exists()

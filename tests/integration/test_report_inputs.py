# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end through ``playbooks/fleet_report.yml``: the report's clock, hostile times, manual uploads and
allocation rows (issue 14 items 5, 6 and 8; issue 15 items 1, 2 and 3).

Each test runs the shipped playbook (or the module) on a lab fleet with real ``ansible-playbook`` and
reads the report files it wrote, because that is what a licensing owner reads.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import DEFAULT_INSTALL_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / "playbooks" / "fleet_report.yml"
REPORT_TASK = "ctxlic.license_server.telemetry : Write the fleet compliance report"
BLOCKED = {"dns": True, "direct": False, "proxies": {}}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def report(fleet, tmp_path: Path, name: str, **extra) -> tuple[object, dict]:
    """Run fleet_report.yml; return the playbook result and the report task's result."""
    variables = {
        "ctxlic_telemetry_report_dir": str(tmp_path / name),
        "ctxlic_telemetry_history_db": str(tmp_path / "evidence.sqlite"),
        **extra,
    }
    result = fleet.run(PLAYBOOK, extra_vars=variables)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    return result, next(iter(result.task_results(REPORT_TASK).values()))


def server(model: dict, host: str) -> dict:
    return next(s for s in model["servers"] if s["host"] == host)


def telemetry(entry: dict) -> dict:
    return next(c for c in entry["checks"] if c["id"] == "telemetry_upload")


def test_after_lab_advance_91_days_the_report_judges_by_the_lab_clock(make_fleet, tmp_path):
    """Issue 15.3: after `lab advance --days 91` the report said "Days since success -91" and "Compliant"."""
    start = now()
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1}),
                        HostSpec("ls-fw", network=BLOCKED, last_upload={"days_ago": 1})], start=start)
    _result, first = report(fleet, tmp_path, "r1")
    assert first["fleet"]["status"] == "Compliant"  # both uploaded a day ago: recorded in the evidence history
    assert "lab's simulated clock" in first["clock"]

    assert fleet.advance(91)["ls-fw"] == ["failure"] * 91
    _result, second = report(fleet, tmp_path, "r2")
    assert second["as_of"] == iso(start + timedelta(days=91)), "the lab's time, without any extra option"
    model = expand_report(json.loads(Path(second["reports"]["json"]).read_text(encoding="utf-8")))
    ok, fw = server(model, "ls-ok"), server(model, "ls-fw")
    # The lab uploads five minutes after its start, then daily (docs/lab.md, Upload schedule): the last success is
    # the 91st attempt, 23 h 55 min before the report's time (usually the day before, by the calendar).
    last_success = start + timedelta(days=90, minutes=5)
    days = ((start + timedelta(days=91)).date() - last_success.date()).days
    assert ok["facts"]["days_since_success"] == days and ok["reporting"] is True
    assert fw["facts"]["days_since_success"] == 92 and fw["reporting"] is False
    assert telemetry(fw)["status"] == "fail"
    assert second["fleet"]["status"] == "Partially Compliant"
    assert any("lab's simulated clock" in note for note in model["evidence_notes"])
    html = Path(second["reports"]["html"]).read_text(encoding="utf-8")
    assert "-91" not in html

    # On any backend, a time after the report's clock is a finding, never a compliant day count: judge
    # the same lab as of its start day (as a controller whose clock is behind would).
    _result, behind = report(fleet, tmp_path, "r3", ctxlic_telemetry_as_of=start.date().isoformat())
    model = expand_report(json.loads(Path(behind["reports"]["json"]).read_text(encoding="utf-8")))
    ok = server(model, "ls-ok")
    check = telemetry(ok)
    # Only the success the history holds from before the advance counts (1 day); the newer one is a finding.
    assert check["status"] == "warn" and ok["facts"]["days_since_success"] == 1
    ahead = (last_success.date() - start.date()).days  # the lab's last success, after the report's day
    assert "future" in check["message"] and f"{ahead} days after" in check["message"]


def write_upload_result(fleet, host: str, unix_time: int) -> None:
    path = fleet.path(host, DEFAULT_INSTALL_DIR + r"\LS\resource\cache\upload_compliance_result.xml")
    path.write_text("<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><Msg></Msg>"
                    f"<t>{unix_time}</t><UploadType>CTX_UPLOAD_TYPE_COMPLIANCE</UploadType></CtxUploaderResult>",
                    encoding="utf-8")


def test_year_9999_and_2100_uploads_are_findings_and_never_poison_the_history(make_fleet, tmp_path):
    """Issue 14.5: a year-9999 result crashed every run (stored before evaluation); 2100 counted forever."""
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 3}), HostSpec("ls-9999")], start=now())
    write_upload_result(fleet, "ls-9999", 253402300799)  # 9999-12-31T23:59:59Z
    db = tmp_path / "evidence.sqlite"
    # A row an older version stored before the check existed: success dated 2100 for ls-ok.
    EvidenceHistory(db).record_observation("ls-ok", now(), {"status": "success", "time": "2100-01-01T00:00:00Z"})
    for name in ("r1", "r2"):  # the second run used to crash on the row the first one stored
        result, res = report(fleet, tmp_path, name)
        assert result.rc == 0 and not res.get("failed"), res.get("msg")
        model = expand_report(json.loads(Path(res["reports"]["json"]).read_text(encoding="utf-8")))
        bad = server(model, "ls-9999")
        assert bad["reporting"] is False and telemetry(bad)["status"] == "fail"
        assert "9999-12-31" in telemetry(bad)["message"] and "future" in telemetry(bad)["message"]
        ok = server(model, "ls-ok")
        assert ok["facts"]["days_since_success"] == 3, "the real success counts, the 2100 row does not"
        assert "2100-01-01" in telemetry(ok)["message"]
        assert any("not recorded in the evidence history" in w and "ls-9999" in w for w in res.get("warnings", []))
    with sqlite3.connect(db) as conn:
        times = {row[0] for row in conn.execute("SELECT upload_time FROM observations")}
    assert not any(t and t.startswith("9999") for t in times)

    result, res = report(fleet, tmp_path, "r3", ctxlic_telemetry_max_upload_age_days=999_999_999)
    assert res.get("failed") and "max_upload_age_days=999999999" in res["msg"], res
    assert "Traceback" not in result.stdout


ALLOCATIONS = (
    "License Server;Product Name;Qty\r\n"
    "LS-OK;XDT_PLT_UD;10\r\n"  # row 2: an inventory server (its LS host name), not obsolete
    "Ls-Case;XDT_PLT_UD;10\r\n"  # row 3: matches LS-CASE only when letter case is ignored
    'OLD1;XDT_PLT_UD;"1.000"\r\n'  # row 4: a thousands separator, 1000
    'OLD2;"XDT_PLT_UD;5\r\n'  # row 5: a stray quote, which swallowed the rest of the file
    "OLD3;XDT_PLT_UD;5\r\n"  # row 6
    "OLD4;XDT_PLT_UD;lots\r\n"  # row 7: unreadable quantity: UNKNOWN, host kept
    ";XDT_PLT_UD;5\r\n"  # row 8: no host: the only row that is ignored
    "OLD5;XDT_PLT_UD; 7 \r\n"  # row 9
)


def test_every_allocation_row_is_accounted_for_in_the_report_files(make_fleet, tmp_path):
    """Issues 14.6 and 15.2, with the column options set through the playbook's role variables."""
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1}),
                        HostSpec("ls-case", last_upload={"days_ago": 1})], start=now())
    export = tmp_path / "allocations.csv"
    export.write_text(ALLOCATIONS, encoding="utf-8", newline="")
    result, res = report(fleet, tmp_path, "r", ctxlic_telemetry_allocations_csv=str(export),
                         ctxlic_telemetry_allocation_host_column="License Server",
                         ctxlic_telemetry_allocation_product_column="Product Name",
                         ctxlic_telemetry_allocation_quantity_column="Qty",
                         ctxlic_telemetry_fail_on="partially_compliant")
    obsolete = {o["host"]: o for o in res["obsolete_allocations"]}
    assert sorted(obsolete) == ["OLD1", "OLD2", "OLD3", "OLD4", "OLD5"]
    assert obsolete["OLD1"]["quantity_total"] == 1000 and obsolete["OLD5"]["quantity_total"] == 7
    assert obsolete["OLD4"]["quantity_total"] is None and obsolete["OLD2"]["quantity_total"] is None
    assert res["fleet"]["counts"]["allocated"] == 7
    assert res["fleet"]["status"] == "Partially Compliant" and res.get("failed") and result.rc != 0
    rows = res["input_rows"]
    assert (rows["rows"], rows["used"], rows["ignored"]) == (8, 7, 1)
    assert {(f["row"], f["code"]) for f in rows["findings"]} == {(5, "bad_row"), (7, "bad_quantity"),
                                                                 (8, "missing_host")}

    out = tmp_path / "r"
    model = expand_report(json.loads((out / "compliance_report.json").read_text(encoding="utf-8")))
    assert model["input_rows"]["rows"] == 8
    assert any("Ls-Case" in n and "only when letter case is ignored" in n for n in model["evidence_notes"])
    html = (out / "compliance_report.html").read_text(encoding="utf-8")
    markdown = (out / "compliance_report.md").read_text(encoding="utf-8")
    for text in (html, markdown):
        assert "Input rows" in text and "8 data rows read: 7 used" in text
        assert "row 8" in text and "the row is ignored" in text and "row 5" in text and "UNKNOWN" in text
    table = list(csv.DictReader(io.StringIO((out / "compliance_report.csv").read_text(encoding="utf-8"))))
    assert sorted(r["host"] for r in table if r["kind"] == "input_row") == ["", "OLD2", "OLD4"]
    junit = (out / "compliance_report.xml").read_text(encoding="utf-8")
    assert "allocations_csv row 8" in junit


MANUAL_UPLOAD_PLAY = """
- hosts: ls-air
  gather_facts: false
  tasks:
    - name: record
      ctxlic.license_server.evidence_event:
        kind: manual_upload
        at: "{{ at }}"
        history_db: "{{ db }}"
        detail:
          recorded_by: jdoe
"""


def test_a_recorded_manual_upload_counts_and_is_shown_as_operator_attested(make_fleet, tmp_path):
    """Issue 15.1: an air-gapped server stayed Non-compliant whatever the operator uploaded."""
    start = now()
    fleet = make_fleet([HostSpec("ls-air", reporting="manual", last_upload={"days_ago": 92})], start=start)
    db = tmp_path / "evidence.sqlite"
    _result, before = report(fleet, tmp_path, "r0")
    assert before["fleet"]["status"] == "Non-Compliant"

    future = fleet.run(MANUAL_UPLOAD_PLAY, extra_vars={"at": iso(now() + timedelta(days=2)), "db": str(db)})
    refused = future.task_results("record")["ls-air"]
    assert refused.get("failed") and "future" in refused["msg"]

    recorded = fleet.run(MANUAL_UPLOAD_PLAY, extra_vars={"at": iso(start - timedelta(days=1)), "db": str(db)})
    event = recorded.task_results("record")["ls-air"]
    assert event["changed"] and event["event"]["detail"]["recorded_by"] == "jdoe"
    assert event["event"]["detail"]["recorded_at"]

    _result, after = report(fleet, tmp_path, "r1")
    assert after["fleet"]["status"] == "Compliant"
    model = expand_report(json.loads(Path(after["reports"]["json"]).read_text(encoding="utf-8")))
    air = server(model, "ls-air")
    assert air["facts"]["last_success_source"] == "manual upload (operator-attested)"
    assert air["facts"]["days_since_success"] == 1
    assert "recorded by jdoe" in telemetry(air)["message"]
    html = Path(after["reports"]["html"]).read_text(encoding="utf-8")
    assert "operator-attested" in html and "attested by jdoe" in html


def test_empty_path_options_are_refused(make_fleet, tmp_path):
    """Issue 14.8: `output_dir: ''` silently meant the current directory."""
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1})], start=now())
    result = fleet.run(PLAYBOOK, extra_vars={"ctxlic_telemetry_report_dir": "",
                                             "ctxlic_telemetry_history_db": str(tmp_path / "e.sqlite")})
    res = next(iter(result.task_results(REPORT_TASK).values()))
    assert res.get("failed") and res["msg"].startswith("output_dir: an empty path is not a path")
    assert not list(REPO.glob("compliance_report.*")), "nothing was written to the current directory"


def test_hostile_entitlement_files_fail_with_a_message_not_a_traceback(make_fleet, tmp_path):
    """Issue 14.7: deeply nested JSON/YAML and a 5,000-digit `purchased` gave a traceback."""
    fleet = make_fleet([HostSpec("ls-ok", last_upload={"days_ago": 1})], start=now())
    files = {
        "nested.json": "[" * 100_000 + "]" * 100_000,
        "nested.yml": "entitlements: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "digits.yml": "entitlements:\n  - feature: XDT_PLT_UD\n    purchased: " + "9" * 5000 + "\n",
        "digits.json": '{"entitlements": [{"feature": "XDT_PLT_UD", "purchased": ' + "9" * 4000 + "}]}",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        _result, res = report(fleet, tmp_path, f"r-{name}", ctxlic_telemetry_entitlements_file=str(path))
        assert res.get("failed"), (name, res)
        assert res["msg"].startswith("entitlements_file") or "purchased" in res["msg"], (name, res["msg"])
        assert len(res["msg"]) < 600, "the message names the problem, it does not echo the file"
        assert not (tmp_path / f"r-{name}").exists(), "bad input changes nothing"

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security tests on lab fleets: hostile input from servers, users and web pages is never trusted.

* XML external entities and entity expansion in every XML input: the upload result and the proxy
  configuration on a lab host, the release catalog page fetched from a local HTTP server;
* hostile telemetry zips (absurd compression ratio, symbolic link, duplicate member, path traversal)
  are rejected and never deleted from the server;
* hostile host names, upload messages and license file names in every fleet_report format: HTML and
  Markdown escaped, CSV formula-neutralised, JUnit well-formed, JSON lossless;
* license file names with path traversal are refused by license_file before the host is touched;
* install paths with spaces, quotes, ``&``, ``%`` and ``$`` reach every program as one argv element;
* no license signature and no proxy credential appears in a module result or in ``-vvv`` output.

Fleets that several tests only read are created once per module (module-scoped fixtures).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import threading
import warnings
import zipfile
from datetime import datetime, timedelta
from functools import partial
from html import unescape as html_unescape
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import result_xml

from .conftest import (
    BIN, INSTALL, MYFILES, PROXY_XML, USAGE, V49, Fleet, PlaybookResult, ansible_env, installer, no_traceback, play,
    run_playbook, sha256, tree,
)
from .shared_runs import attach_fleet, once_per_session, result_data, result_from
from clock import NOW
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

REPO = Path(__file__).resolve().parents[2]
UPLOAD_XML = INSTALL + r"\LS\resource\cache\upload_compliance_result.xml"
SECRET_MARK = "CTXLIC-XXE-SECRET-5d1e"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> Path:
    """What an external entity points at: it must never be read into any result."""
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(f"{SECRET_MARK} CTX_UPLOADER_SUCCESS 10.66.66.66:3128", encoding="utf-8")
    return path


# == hostile fleet: XXE files, hostile names and messages, every report format ===================
HOST_IMG = 'ls"&<img src=x onerror=alert(1)>'
HOST_FORMULA = "=cmd|'-C calc'!A0"
LS_SCRIPT = "<script>alert(1)</script>"
HOSTILE_MSG = 'Proxy said: <script>alert("msg")</script> | cell & =HYPERLINK("http://x") @SUM(1)\nsecond line'
HOSTILE_LICENSE = 'FID_<b>"&=x|y.lic'
BIDI_LICENSE = "FID_\u202egnp.exe\u200b.lic"  # displays as FID_cil.exe.png without escaping (issue 14 item 8)


def _upload_failure(message: str, when: datetime) -> str:
    return result_xml("CTX_UPLOADER_ERROR_NETWORK_OPEN", xml_escape(message), when, "cis.citrix.com:443")


@pytest.fixture(scope="module")
def hostile(secret_file, tmp_path_factory):
    """One info + fleet_report run over a fleet of hostile servers; the proxy edit is tried on the XXE host."""
    data = once_per_session(tmp_path_factory, "hostile", lambda: _hostile_run(secret_file, tmp_path_factory))
    return attach_fleet(data["fleet"]), result_from(data["result"]), Path(data["out"]), data["proxy_xml"]


def _hostile_run(secret_file: Path, tmp_path_factory) -> dict:
    fleet = Fleet(
        tmp_path_factory.mktemp("fleet"),
        [
            HostSpec(HOST_IMG, hostname="LSIMG", last_upload={"days_ago": 1}),
            HostSpec(HOST_FORMULA, hostname="LSFORMULA", last_upload={"days_ago": 2}),
            HostSpec("ls03", hostname=LS_SCRIPT),
            HostSpec("xxe", hostname="LSXXE", last_upload={"days_ago": 1}),
        ],
        NOW,
    )
    # ls03: a failed last attempt with a hostile message, and an expired license with a hostile file name.
    fleet.path("ls03", UPLOAD_XML).write_text(_upload_failure(HOSTILE_MSG, NOW - timedelta(days=1)), encoding="utf-8")
    expired = licgen.license_text(
        [LS_SCRIPT], [{"feature": "XDT_ENT_UD", "count": 5, "expiry": NOW.date() - timedelta(days=30)}]
    )
    (fleet.path("ls03", MYFILES) / HOSTILE_LICENSE).write_text(expired, encoding="utf-8")
    (fleet.path("ls03", MYFILES) / BIDI_LICENSE).write_text(expired, encoding="utf-8")
    # xxe: both XML files declare entities: internal, external (a local file) and a nested expansion.
    uri = secret_file.as_uri()
    fleet.path("xxe", UPLOAD_XML).write_text(
        f'<?xml version="1.0"?><!DOCTYPE CtxUploaderResult [<!ENTITY xxe SYSTEM "{uri}">'
        '<!ENTITY a "CTX_UPLOADER_SUCCESS"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<CtxUploaderResult><Code>&xxe;</Code><Msg>&b;</Msg><t>1763812800</t></CtxUploaderResult>",
        encoding="utf-8",
    )
    proxy_xml = (
        f'<?xml version="1.0" encoding="utf-8"?>\r\n<!DOCTYPE Configurations [<!ENTITY p SYSTEM "{uri}">'
        '<!ENTITY q "proxy.evil.example:3128">]>\r\n<Configurations>\r\n<Proxy>&q;</Proxy>\r\n'
        "<Extra>&p;</Extra>\r\n</Configurations>\r\n"
    )
    fleet.path("xxe", PROXY_XML).write_text(proxy_xml, encoding="utf-8", newline="")
    out = tmp_path_factory.mktemp("reports")
    result = fleet.run(
        play(
            {"name": "info", "ctxlic.license_server.info": {}, "register": "ctxlic_info"},
            {
                "name": "report",
                "ctxlic.license_server.fleet_report": {
                    "output_dir": str(out),
                    "history": False,
                    "as_of": NOW.isoformat(),
                },
                "run_once": True,
                "delegate_to": "localhost",
                "register": "report",
            },
            {
                "name": "proxy on xxe",
                "ctxlic.license_server.proxy": {"proxy": "10.0.0.1:8080"},
                "when": "inventory_hostname == 'xxe'",
                "register": "p",
                "ignore_errors": True,
            },
        )
    )
    no_traceback(result)
    return {"fleet": str(fleet.root), "result": result_data(result), "out": str(out), "proxy_xml": proxy_xml}


def test_upload_result_entities_are_never_expanded(hostile):
    _fleet, result, _out, _xml = hostile
    assert SECRET_MARK not in result.stdout + result.stderr
    upload = result.task_results("info")["xxe"]["server"]["upload"]
    assert upload["status"] == "unknown" and "DOCTYPE" in upload["reason"]
    assert upload["code"] is None, "nothing from an entity is taken as the result code"


def test_proxy_xml_entities_are_never_expanded_and_the_file_is_not_edited(hostile):
    fleet, result, _out, original = hostile
    proxy = result.task_results("info")["xxe"]["server"]["proxy"]
    assert proxy["value"] != "proxy.evil.example:3128"
    assert "doctype_refused" in {f["code"] for f in proxy["findings"]}
    edit = result.task_results("proxy on xxe")["xxe"]
    assert edit["failed"] is True and "DOCTYPE" in edit["msg"] and SECRET_MARK not in edit["msg"]
    assert fleet.path("xxe", PROXY_XML).read_bytes() == original.encode("utf-8")


def _report_paths(result: PlaybookResult) -> dict[str, Path]:
    reports = next(iter(result.task_results("report").values()))["reports"]
    return {fmt: Path(path) for fmt, path in reports.items()}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_escapes_every_hostile_string(hostile):
    _fleet, result, _out, _xml = hostile
    html = _report_paths(result)["html"].read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    tags = {tag for tag, _attrs in parser.tags}
    assert "script" not in tags and "img" not in tags, "hostile markup became elements"
    assert not [a for _t, attrs in parser.tags for a, _v in attrs if a.startswith("on")], "an event handler attribute"
    text = "".join(parser.text)
    for hostile_text in (HOST_IMG, HOST_FORMULA, LS_SCRIPT, HOSTILE_LICENSE):
        assert hostile_text in text, f"{hostile_text!r} is not shown as text"
    assert "<script>alert(" not in html and "<img src=x" not in html


def _md_cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_report_escapes_every_hostile_string(hostile):
    _fleet, result, _out, _xml = hostile
    md = _report_paths(result)["markdown"].read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md, "the host name is shown, escaped"
    assert 'FID\\_&lt;b&gt;"&amp;=x\\|y.lic' in md, "the license file name is shown, escaped"
    assert '&lt;script&gt;alert("msg")&lt;/script&gt;' in md, "the upload message is shown, escaped"
    table: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:  # every row of a table has as many unescaped pipes as its header
            assert {_md_cells(row) for row in table} == {_md_cells(table[0])}, table
            table = []
    assert "second line" in md and "\nsecond line" not in md, "a newline in a value broke out of its cell"


def test_csv_report_neutralises_formulas(hostile):
    _fleet, result, _out, _xml = hostile
    with _report_paths(result)["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+", c)]
    assert "'" + HOST_FORMULA in cells


def test_junit_report_parses_and_keeps_the_text(hostile):
    _fleet, result, _out, _xml = hostile
    root = ElementTree.parse(_report_paths(result)["junit"]).getroot()
    everything = " ".join([*(e.attrib.get("name", "") for e in root.iter()), *(e.text or "" for e in root.iter())])
    for hostile_text in (HOST_IMG, HOST_FORMULA):
        assert hostile_text in everything


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_json_report_is_lossless(hostile):
    _fleet, result, _out, _xml = hostile
    data = expand_report(json.loads(_report_paths(result)["json"].read_text(encoding="utf-8")))
    assert {HOST_IMG, HOST_FORMULA} <= {server["host"] for server in data["servers"]}
    [ls03] = [server for server in data["servers"] if server["host"] == "ls03"]
    assert ls03["hostname"] == LS_SCRIPT and ls03["facts"]["last_attempt_message"] == HOSTILE_MSG
    assert any(HOSTILE_LICENSE in text for text in _strings(ls03["checks"]))


def test_bidi_and_zero_width_characters_are_visible_in_every_format(hostile):
    """Issue 14.8: U+202E made FID_\u202egnp.exe.lic display as FID_cil.exe.png in every format."""
    _fleet, result, _out, _xml = hostile
    paths = _report_paths(result)
    for fmt in ("html", "markdown", "csv", "junit"):
        text = paths[fmt].read_text(encoding="utf-8")
        assert "\u202e" not in text and "\u200b" not in text, fmt
        assert "<U+202E>gnp.exe<U+200B>" in html_unescape(text), fmt
    raw = paths["json"].read_text(encoding="utf-8")
    assert "\u202e" not in raw and "\\u202e" in raw, "JSON writes the escape, not the character"
    assert any(BIDI_LICENSE in text for text in _strings(json.loads(raw))), "and reads back as the same name"


# == telemetry zips ================================================================================
def _zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None, duplicate: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
            if duplicate:
                archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo("link")
            info.external_attr = 0o120777 << 16
            archive.writestr(info, symlink)


def test_hostile_telemetry_zips_are_rejected_and_never_deleted(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[1])])
    usage = fleet.path("man01", USAGE)

    bad = {
        "upload_compliance_1700000011.zip": ({"usage.xml": b"\0" * (20 * 1024 * 1024)}, {}, "ratio above"),
        "upload_compliance_1700000012.zip": ({"a.xml": b"x"}, {"symlink": "/etc/passwd"}, "symbolic link"),
        "upload_compliance_1700000013.zip": ({"a.xml": b"x"}, {"duplicate": True}, "appears twice"),
        "upload_compliance_1700000014.zip": ({"..\\..\\evil.dll": b"MZ"}, {}, "'..' segment"),
        "upload_compliance_1700000015.zip": ({"C:/Windows/evil.dll": b"MZ"}, {}, "drive letter"),
        # Names Windows reads differently from what they show (issue 14 item 8).
        "upload_compliance_1700000016.zip": ({"CON": b"x"}, {}, "device name CON"),
        "upload_compliance_1700000017.zip": ({"x:stream": b"x"}, {}, "alternate data stream"),
        "upload_compliance_1700000018.zip": ({"a\uff0e\uff0e/evil.dll": b"MZ"}, {}, "U+FF0E"),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is told to write
        for name, (members, options, _reason) in bad.items():
            _zip(usage / name, members, **options)
    digests = {name: sha256(usage / name) for name in bad}
    dest = tmp_path / "dest"
    result = fleet.run(
        play(
            {
                "name": "bundle",
                "ctxlic.license_server.telemetry_bundle": {
                    "dest": str(dest),
                    "cleanup": True,
                    "bundle_date": "2026-11-22",
                },
                "register": "r",
            }
        )
    )
    no_traceback(result)
    res = result.task_results("bundle")["man01"]
    assert not res.get("failed"), res.get("msg")
    rejected = {r["path"].rsplit("\\", 1)[1]: r["reason"] for r in res["rejected"]}
    assert set(rejected) == set(bad)
    for name, (_members, _options, reason) in bad.items():
        assert reason in rejected[name], (name, rejected[name])
        assert sha256(usage / name) == digests[name], f"{name} was changed or deleted on the server"
    assert not any(d.rsplit("\\", 1)[1] in bad for d in res["deleted"])
    extracted = [p for p in dest.rglob("*") if p.name in ("evil.dll", "passwd", "usage.xml", "link")]
    assert extracted == [], "nothing from a vendor zip is ever extracted on the controller"


# == catalog page with entities ==================================================================
class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        return


def test_catalog_page_entities_are_never_expanded(tmp_path, secret_file):
    site = tmp_path / "site"
    site.mkdir()
    leak = tmp_path / "release.html"
    leak.write_text(
        f"What's new in the License Server version 11.17.2 build 98000 Release date: January 2, 2026 {SECRET_MARK}",
        encoding="utf-8",
    )
    page = (REPO / "tests" / "fixtures" / "catalog" / "whats_new_new_builds.html").read_text(encoding="utf-8")
    doctype = (
        f'<!DOCTYPE html [<!ENTITY ext SYSTEM "{leak.as_uri()}"><!ENTITY sec SYSTEM "{secret_file.as_uri()}">'
        '<!ENTITY rel "What&#39;s new in the License Server version 11.17.2 build 99000 Release date: '
        'January 1, 2026">]>'
    )
    body = "<p>&rel;</p><div>&ext;</div><div>&sec;</div>"
    hostile_page = doctype + re.sub(r"(<body[^>]*>)", r"\1" + body, page, count=1, flags=re.IGNORECASE)
    assert body in hostile_page
    (site / "whats_new.html").write_text(hostile_page, encoding="utf-8")
    (site / "clean.html").write_text(page, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        tasks = [
            {
                "name": name,
                "ctxlic.license_server.upgrade_window": {
                    "installed_version": "11.17.2.0 build 51000",
                    "as_of": "2026-06-01",
                    "catalog_url": f"{base}/{page_name}",
                    "catalog_cache": "",
                    "timeout": 5,
                },
                "register": "w",
            }
            for name, page_name in (("hostile", "whats_new.html"), ("clean", "clean.html"))
        ]
        inventory = tmp_path / "inventory.json"
        inventory.write_text(
            json.dumps(
                {
                    "all": {
                        "hosts": {
                            "localhost": {
                                "ansible_connection": "local",
                                "ansible_python_interpreter": str(BIN / "python"),
                            }
                        }
                    }
                }
            ),
            encoding="utf-8",
        )
        result = run_playbook(
            play(*tasks),
            inventory,
            workdir=tmp_path,
            env={"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"},
        )
    finally:
        server.shutdown()
        server.server_close()
    no_traceback(result)
    assert SECRET_MARK not in result.stdout + result.stderr
    hostile_catalog = result.task_results("hostile")["localhost"]["catalog"]
    clean_catalog = result.task_results("clean")["localhost"]["catalog"]
    assert hostile_catalog["newest"] == clean_catalog["newest"] == "11.17.2 build 53000"
    assert hostile_catalog["releases_known"] == clean_catalog["releases_known"]
    assert "98000" not in result.stdout and "99000" not in result.stdout


# == license file names with traversal ==============================================================
TRAVERSAL_NAMES = [
    r"..\..\Windows\System32\evil.lic",
    "../../../etc/evil.lic",
    r"C:\Windows\evil.lic",
    r"\\fileserver\share\evil.lic",
    "evil.lic:hidden.lic",
    "CON.lic",
    "evil.lic\x00.txt",
]


def test_license_file_refuses_names_with_traversal(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    before = tree(fleet.host_root("ls01") / "fs")
    events = len(fleet.state("ls01").events())
    content = licgen.license_text(["LS01"], [{"feature": "XDT_PLT_UD", "count": 1}])
    tasks = []
    for index, name in enumerate(TRAVERSAL_NAMES):
        tasks.append(
            {
                "name": f"present {index}",
                "ctxlic.license_server.license_file": {"name": name, "content": content},
                "register": "r",
                "ignore_errors": True,
            }
        )
        tasks.append(
            {
                "name": f"absent {index}",
                "ctxlic.license_server.license_file": {"name": name, "state": "absent"},
                "register": "r",
                "ignore_errors": True,
            }
        )
    result = fleet.run(play(*tasks))
    no_traceback(result)
    for index, name in enumerate(TRAVERSAL_NAMES):
        for kind in ("present", "absent"):
            res = result.task_results(f"{kind} {index}")["ls01"]
            assert res["failed"] is True and res["changed"] is False, (kind, name, res)
            assert res.get("msg"), (kind, name)
    assert tree(fleet.host_root("ls01") / "fs") == before, "a refused name changed the host"
    assert fleet.state("ls01").events()[events:] == [], "no service was touched and nothing reread"
    assert not list(fleet.root.rglob("evil*")), "nothing was written outside MyFiles either"


# == install paths with spaces, quotes, & and % ======================================================
# One '%' only: a %NAME% pair is expanded by ansible.windows path options, and refused (next test).
ODD_DIR = r"C:\Program Files (x86)\Ci&trix 100% 'q' ;^!=,`[x] {y}#@\Licensing"


def test_odd_install_dir_reaches_every_program_as_one_argument(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("odd", hostname="LSODD", version=None), HostSpec("quote", version=None)])
    src = installer(tmp_path, V49)
    content = licgen.license_text(["LSODD"], [{"feature": "XDT_PLT_UD", "count": 10}])
    before_quote = tree(fleet.host_root("quote"))
    result = fleet.run(
        play(
            {
                "name": "install",
                "ctxlic.license_server.package": {
                    "src": src,
                    "version": V49,
                    "install_dir": ODD_DIR,
                    "min_free_mb": 100,
                },
                "register": "r",
            },
            {
                "name": "license",
                "ctxlic.license_server.license_file": {"name": "FID_odd.lic", "content": content},
                "register": "r",
            },
            {"name": "proxy", "ctxlic.license_server.proxy": {"proxy": "proxy.example:8080"}, "register": "r"},
            {"name": "lms", "ctxlic.license_server.management_service": {"state": "disabled"}, "register": "r"},
            {"name": "info", "ctxlic.license_server.info": {}, "register": "r"},
            hosts="odd",
        )
        + play(
            {
                "name": "quoted",
                "ctxlic.license_server.package": {
                    "src": src,
                    "version": V49,
                    "install_dir": r'C:\Program Files\Ci"trix\Licensing',
                    "min_free_mb": 100,
                },
                "register": "r",
                "ignore_errors": True,
            },
            hosts="quote",
        )
    )
    no_traceback(result)
    for name in ("install", "license", "proxy", "lms", "info"):
        res = result.task_results(name)["odd"]
        assert not res.get("failed"), (name, res.get("msg"))
    install = result.task_results("install")["odd"]
    assert f"INSTALLDIR={ODD_DIR}" in install["command"], "one argv element, exactly as given"
    assert fleet.state("odd").registry[INSTALL_REG_KEY]["LS_Install_Dir"] == ODD_DIR
    log = fleet.path("odd", install["log_path"]).read_text(encoding="utf-8")
    assert f"Adding INSTALLDIR property. Its value is '{ODD_DIR}'." in log, "the installer received it unchanged"
    rereads = [e for e in fleet.state("odd").events() if e["kind"] == "lmreread"]
    assert rereads and rereads[-1]["ok"] is True
    # labctl exec ran <ODD_DIR>\LS\lmreread.exe by its exact path (a changed path would not start at all).
    assert rereads[-1]["argv"] == ["lmreread.exe", "-c", "@localhost", "-all"]
    assert fleet.path("odd", ODD_DIR + r"\MyFiles\FID_odd.lic").read_bytes() == content.encode()
    assert (
        b"<Proxy>proxy.example:8080</Proxy>"
        in fleet.path("odd", ODD_DIR + r"\WebServicesForLicensing\SimpleLicenseServiceConfig.xml").read_bytes()
    )
    record = result.task_results("info")["odd"]["server"]
    assert record["install_dir"] == ODD_DIR and record["reporting_mode"] == "manual"
    assert record["management_service"]["path"] == ODD_DIR + r"\LS\ctx_license_management_service.exe"
    assert "XDT_PLT_UD" in record["licenses"]["in_use"]
    quoted = result.task_results("quoted")["quote"]
    assert quoted["failed"] is True and "cannot hold" in quoted["msg"]
    assert tree(fleet.host_root("quote")) == before_quote


def test_a_percent_name_pair_is_refused_before_anything_changes(make_fleet, tmp_path):
    """Windows would expand %TEMP% in win_copy/win_file/win_stat paths; the lab refuses what Windows would."""
    fleet = make_fleet([HostSpec("pair", version=None), HostSpec("ls01")])
    src = installer(tmp_path, V49)
    pair_dir = r"C:\Program Files\Ci%TEMP%trix\Licensing"
    content = licgen.license_text(["LS01"], [{"feature": "XDT_PLT_UD", "count": 1, "serial": "P"}])
    before = {name: tree(fleet.host_root(name)) for name in ("pair", "ls01")}
    result = fleet.run(
        play(
            {
                "name": "install",
                "ctxlic.license_server.package": {"src": src, "version": V49, "install_dir": pair_dir},
                "register": "r",
                "ignore_errors": True,
            },
            hosts="pair",
        )
        + play(
            {
                "name": "license",
                "ctxlic.license_server.license_file": {"name": "FID_%TEMP%.lic", "content": content},
                "register": "r",
                "ignore_errors": True,
            },
            hosts="ls01",
        )
    )
    no_traceback(result)
    install = result.task_results("install")["pair"]
    assert install["failed"] is True and "'%NAME%'" in install["msg"] and repr(pair_dir) in install["msg"]
    license_result = result.task_results("license")["ls01"]
    assert license_result["failed"] is True, license_result
    assert "'%NAME%'" in license_result["msg"], license_result["msg"]
    assert {name: tree(fleet.host_root(name)) for name in ("pair", "ls01")} == before, "nothing changed"


def test_a_dollar_in_a_path_is_an_ordinary_character(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    content = licgen.license_text(["LS01"], [{"feature": "XDT_PLT_UD", "count": 1, "serial": "D"}])
    fleet.path("ls01", MYFILES + r"\FID_$HOME.lic").write_text(content, encoding="utf-8")
    result = fleet.run(
        play(
            {
                "name": "remove",
                "ctxlic.license_server.license_file": {
                    "name": "FID_$HOME.lic",
                    "state": "absent",
                    "backup": False,
                    "force": True,  # it is the only XDT_PLT_UD file: removing the last one needs force
                },
                "register": "r",
                "ignore_errors": True,
            }
        )
    )
    no_traceback(result)
    res = result.task_results("remove")["ls01"]
    assert res["changed"] is True, res.get("msg")
    assert not fleet.path("ls01", MYFILES + r"\FID_$HOME.lic").exists()


# == secrets: signatures and proxy credentials ======================================================
SIGN_GROUPS = ["C0FFEE11", "BADC0DE2", "FACADE33", "DEC0DE44", "BEEFCA55"]
PASSWORD = "S3cr3tPw-ctxlic"


def _signed(hostname: str, feature: str) -> str:
    text = licgen.license_text([hostname], [{"feature": feature, "count": 10, "serial": f"SN-{feature}"}])
    return re.sub(r'SIGN="[^"]*"', f'SIGN="{" ".join(SIGN_GROUPS)}"', text, count=1)


SECRETS_PLAY = [
    {"name": "info", "ctxlic.license_server.info": {}, "register": "r"},
    {
        "name": "write",
        "ctxlic.license_server.license_file": {"name": "FID_new.lic", "content": "{{ new_license }}"},
        "register": "r",
    },
    {"name": "plan", "ctxlic.license_server.license_plan": {"src": ["{{ src_file }}"], "prune": True}, "register": "r"},
    {
        "name": "proxy",
        "ctxlic.license_server.proxy": {"proxy": f"http://admin:{PASSWORD}@proxy.example:8080"},
        "register": "r",
        "ignore_errors": True,
    },
    {"name": "probe", "ctxlic.license_server.connectivity": {"timeout": 2}, "register": "r", "ignore_errors": True},
    {
        "name": "probe with option",
        "ctxlic.license_server.connectivity": {"proxy": f"admin:{PASSWORD}@proxy.example:8080", "timeout": 2},
        "register": "r",
        "ignore_errors": True,
    },
]


@pytest.fixture(scope="module")
def secrets(tmp_path_factory):
    """Runs the secret-bearing tasks twice: with the JSON callback, and with -vvv and the default callback."""
    data = once_per_session(tmp_path_factory, "secrets", lambda: _secrets_run(tmp_path_factory))
    return result_from(data["json"]), data["verbose"]


def _secrets_run(tmp_path_factory) -> dict:
    fleet = Fleet(tmp_path_factory.mktemp("fleet"), [HostSpec("ls01", hostname="LS01")], NOW)
    fleet.path("ls01", MYFILES + r"\FID_installed.lic").write_text(_signed("LS01", "XDT_ENT_UD"), encoding="utf-8")
    config = fleet.path("ls01", PROXY_XML)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "</Configurations>", f"<Proxy>admin:{PASSWORD}@proxy.example:8080</Proxy>\r\n</Configurations>"
        ),
        encoding="utf-8",
        newline="",
    )
    work = tmp_path_factory.mktemp("secrets")
    src_file = work / "FID_src.lic"
    src_file.write_text(_signed("LS01", "XDT_ADV_UD"), encoding="utf-8")
    extra = {"new_license": _signed("LS01", "XDT_PLT_UD"), "src_file": str(src_file)}
    as_json = fleet.run(play(*SECRETS_PLAY), extra_vars=extra, diff=True)
    playbook = work / "secrets.yml"
    playbook.write_text(play(*SECRETS_PLAY), encoding="utf-8")
    verbose = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-vvv",
            "--diff",
            "-i",
            str(fleet.inventory),
            str(playbook),
            "-e",
            json.dumps(extra),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        check=False,
        env=ansible_env({"ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_DISPLAY_ARGS_TO_STDOUT": "False"}),
    )
    return {"json": result_data(as_json), "verbose": verbose.stdout + verbose.stderr}


def _secret_hits(text: str) -> list[str]:
    return [s for s in [*SIGN_GROUPS, PASSWORD] if s.lower() in text.lower()]


def test_no_signature_or_credential_in_any_module_result(secrets):
    result, _verbose = secrets
    no_traceback(result)
    for name in ("info", "write", "plan", "proxy", "probe", "probe with option"):
        for host, res in result.task_results(name).items():
            assert _secret_hits(json.dumps(res)) == [], (name, host)
    assert result.task_results("write")["ls01"]["changed"] is True, "the signed file was written"
    assert result.task_results("proxy")["ls01"]["failed"] is True, "authenticated proxies are refused"


def test_no_signature_or_credential_in_verbose_output(secrets):
    _result, verbose = secrets
    assert "Traceback" not in verbose
    assert "TASK [write]" in verbose and "ESTABLISH LOCAL CONNECTION" in verbose, "the output is really -vvv"
    assert _secret_hits(verbose) == []

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection on lab fleets: whatever breaks, nothing is lost and a re-run converges.

Each test breaks one thing the way it breaks on real license servers, checks that the run says so
and that nothing was lost, removes the fault and runs again:

* the installer fails mid-upgrade (lab fault ``installer_exit_code=1603``);
* a service does not start after the install (``service_wont_start``);
* ``lmreread`` fails (``lmreread_fail``);
* the disk fills while a license file or the proxy XML is written: the lab host's ``C:`` drive is a
  real, full tmpfs inside a private mount namespace (``unshare -m``), so the write fails with ENOSPC
  exactly as on a full NTFS volume (skipped where mount namespaces are not available);
* the connection drops while a telemetry zip is fetched: the test-only connection plugin in
  ``fault_plugins/connection/ctxlic_flaky.py`` cuts the transfer half-way;
* a run is killed (every process it started is stopped, then SIGKILLed) at seeded random points of
  the license_files role, telemetry_bundle and the DR failover, then run to completion.

Lab faults are switched with ``HostState.set_faults`` between runs, as ``labctl fault`` does.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet as lab_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY, SERVICES
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import verify_bundle
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.host_folder import folder_name

from .conftest import (
    BIN, MYFILES, PROXY_XML, UL_USAGE, USAGE, V45, V49, Fleet, PlaybookResult, ansible_env, installer, no_traceback,
    play, sha256, task, tree,
)
from .shared_runs import attach_fleet, once_per_session, result_data, result_from
from clock import NOW

REPO = Path(__file__).resolve().parents[2]
FAULT_PLUGINS = Path(__file__).resolve().parent / "fault_plugins" / "connection"
KILL_SEED = 20261122  # the kill points are random but reproducible


# -- helpers ----------------------------------------------------------------------------------------
def installed_version(fleet, host: str) -> str | None:
    return (fleet.state(host).registry.get(INSTALL_REG_KEY) or {}).get("Version")


def services(fleet, host: str) -> dict[str, str]:
    return {name: entry.get("state") for name, entry in fleet.state(host).services.items()}


def served(fleet, host: str) -> dict:
    return json.loads((fleet.host_root(host) / ".lab" / "served.json").read_text(encoding="utf-8"))


def license_text(feature: str, count: int, hostname: str = "LS01", serial: str | None = None) -> str:
    return licgen.license_text([hostname], [{"feature": feature, "count": count, "serial": serial or f"SN-{feature}"}])


# -- installer and services -------------------------------------------------------------------------
def upgrade_vars(tmp_path: Path) -> dict:
    return {"ctxlic_server_installer_src": installer(tmp_path, V49), "ctxlic_server_version": V49,
            "ctxlic_force_upgrade": True, "ctxlic_upgrade_catalog_cache": "", "ctxlic_server_min_free_mb": 100}


def test_installer_failing_mid_upgrade_keeps_the_old_version_running_and_a_rerun_upgrades(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V45, licenses=[
        {"file": "FID_site.lic", "features": [{"feature": "XDT_PLT_UD", "count": 50}]}])])
    myfiles = fleet.path("ls01", MYFILES)
    licenses_before = tree(myfiles)
    fleet.state("ls01").set_faults({"installer_exit_code": 1603})
    failed = fleet.run(REPO / "playbooks" / "upgrade.yml", extra_vars=upgrade_vars(tmp_path))
    no_traceback(failed)
    assert failed.rc != 0
    package = failed.results_ending("Install, upgrade or uninstall the Citrix License Server")["ls01"]
    assert package["failed"] is True and package["rc"] == 1603 and "1603" in package["msg"]
    assert installed_version(fleet, "ls01") == V45, "the old version stays installed"
    assert set(services(fleet, "ls01").values()) == {"running"}, "and keeps serving"
    assert tree(myfiles) == licenses_before
    assert not fleet.path("ls01", r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe").exists()

    fleet.state("ls01").set_faults({})
    again = fleet.run(REPO / "playbooks" / "upgrade.yml", extra_vars=upgrade_vars(tmp_path))
    no_traceback(again)
    assert again.rc == 0, again.stdout[-3000:]
    assert installed_version(fleet, "ls01") == V49
    assert set(services(fleet, "ls01").values()) == {"running"}
    assert tree(myfiles) == licenses_before
    assert "XDT_PLT_UD" in served(fleet, "ls01")


PACKAGE_TASK = task("pkg", "package", {"src": "{{ src }}", "version": V49, "min_free_mb": 100},
                    register="out", ignore_errors=True)


def test_a_service_that_did_not_start_is_named_and_a_rerun_converges(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V45)])
    fleet.state("ls01").set_faults({"service_wont_start": ["Citrix Licensing"]})
    text = play(PACKAGE_TASK)
    src = installer(tmp_path, V49)
    failed = fleet.run(text, extra_vars={"src": src}).task_results("pkg")["ls01"]
    assert failed["failed"] is True and "Citrix Licensing" in failed["msg"]
    assert failed["services"]["Citrix Licensing"] == "stopped"
    assert installed_version(fleet, "ls01") == V49

    fleet.state("ls01").set_faults({})
    again = fleet.run(text, extra_vars={"src": src})
    no_traceback(again)
    res = again.task_results("pkg")["ls01"]
    assert not res.get("failed"), res.get("msg")
    assert set(services(fleet, "ls01").values()) == {"running"}, "the re-run leaves a stopped service stopped"
    assert set(SERVICES) == set(services(fleet, "ls01"))


# -- lmreread ---------------------------------------------------------------------------------------
def deploy_vars(src_dir: Path, **extra) -> dict:
    return {"ctxlic_license_files_src_dir": str(src_dir), "ctxlic_target_hosts": "all", **extra}


def license_dir(tmp_path: Path, features: dict[str, int], hostname: str = "LS01") -> Path:
    src_dir = tmp_path / "licenses"
    src_dir.mkdir(exist_ok=True)
    for index, (feature, count) in enumerate(sorted(features.items())):
        (src_dir / f"FID_{index}_{feature}.lic").write_bytes(license_text(feature, count, hostname).encode())
    return src_dir


def deployed(fleet, host: str, src_dir: Path) -> dict[str, bool]:
    """source file name -> present in MyFiles with exactly the source bytes."""
    myfiles = fleet.path(host, MYFILES)
    return {p.name: (myfiles / p.name).is_file() and (myfiles / p.name).read_bytes() == p.read_bytes()
            for p in src_dir.iterdir()}


def test_a_failed_lmreread_keeps_the_files_and_the_documented_reread_converges(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", faults={"lmreread_fail": True})])
    src_dir = license_dir(tmp_path, {"XDT_PLT_UD": 10, "XDT_ENT_UD": 20})
    failed = fleet.run(REPO / "playbooks" / "deploy_licenses.yml", extra_vars=deploy_vars(src_dir))
    no_traceback(failed)
    assert failed.rc != 0
    reread = failed.results_ending("Reread the license files once")["ls01"]
    assert reread["failed"] is True and "lmreread" in reread["msg"] and "does not support" in reread["msg"]
    assert all(deployed(fleet, "ls01", src_dir).values()), "the written files stay"
    assert not {"XDT_PLT_UD", "XDT_ENT_UD"} & set(served(fleet, "ls01"))

    fleet.state("ls01").set_faults({})
    fixed = fleet.run(play(task("reread", "reread", register="r")))  # the playbook's runbook step 3
    no_traceback(fixed)
    assert fixed.task_results("reread")["ls01"]["reread"]["ok"] is True
    assert {"XDT_PLT_UD", "XDT_ENT_UD"} <= set(served(fleet, "ls01"))
    assert all(deployed(fleet, "ls01", src_dir).values())


def test_a_rerun_after_a_failed_lmreread_rereads(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", faults={"lmreread_fail": True})])
    src = tmp_path / "FID_new.lic"
    src.write_text(license_text("XDT_PLT_UD", 10), encoding="utf-8")
    text = play(task("write", "license_file", {"src": str(src)}, register="r", ignore_errors=True))
    assert fleet.run(text).task_results("write")["ls01"]["failed"] is True
    fleet.state("ls01").set_faults({})
    again = fleet.run(text)
    no_traceback(again)
    assert not again.task_results("write")["ls01"].get("failed")
    assert "XDT_PLT_UD" in served(fleet, "ls01"), "the re-run did not reread: the new license is not served"


# -- disk full --------------------------------------------------------------------------------------
# The lab host's C: drive becomes a small tmpfs inside a private mount namespace, filled to the last
# page: every write then fails with ENOSPC, as on a full NTFS volume. The namespace (and the tmpfs)
# vanish with the run; what the run left on the full drive is copied out for the assertions.
FULL_DISK_SCRIPT = r"""
set -eu
fs="$1"; stash="$2"; out="$3"; shift 3
cp -a "$fs/." "$stash/"
mount -t tmpfs -o size=16m,mode=0755 ctxlic-full-c "$fs"
cp -a "$stash/." "$fs/"
dd if=/dev/zero of="$fs/pagefile.sys" bs=64k 2>/dev/null || true
rc=0
"$@" >"$out/stdout" 2>"$out/stderr" || rc=$?
echo "$rc" >"$out/rc"
rm -f "$fs/pagefile.sys"
mkdir -p "$out/after"
cp -a "$fs/." "$out/after/"
"""


def _namespaces_work(probe_dir: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe_dir.mkdir(parents=True, exist_ok=True)
    check = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", f"mount -t tmpfs -o size=1m none '{probe_dir}'"],
        capture_output=True, check=False, timeout=30)
    return check.returncode == 0


def run_on_full_disk(fleet, host: str, playbook_text: str, tmp_path: Path) -> tuple[PlaybookResult, Path]:
    """Run ``playbook_text`` with ``host``'s C: drive full; returns the result and a copy of the drive after it."""
    if not _namespaces_work(tmp_path / "probe"):
        pytest.skip("needs root and mount namespaces (unshare -m) to give the lab host a real full disk")
    drive = fleet.host_root(host) / "fs" / "C"
    work = tmp_path / "full_disk"
    stash, out = work / "stash", work / "out"
    stash.mkdir(parents=True)
    out.mkdir()
    playbook = work / "play.yml"
    playbook.write_text(textwrap.dedent(playbook_text), encoding="utf-8")
    cmd = ["unshare", "-m", "--propagation", "private", "bash", "-c", FULL_DISK_SCRIPT, "full-disk",
           str(drive), str(stash), str(out), str(BIN / "ansible-playbook"), "-i", str(fleet.inventory), str(playbook)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(), cwd=REPO, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stdout = (out / "stdout").read_text(encoding="utf-8")
    data = json.loads(stdout[stdout.index("{"):]) if "{" in stdout else None
    result = PlaybookResult(rc=int((out / "rc").read_text()), stdout=stdout,
                            stderr=(out / "stderr").read_text(encoding="utf-8"), data=data)
    return result, out / "after"


NEW_LICENSE = licgen.license_text(["LS01"], [{"feature": f"XDT_F{i:02d}_UD", "count": 10 + i, "serial": f"NEW{i}"}
                                             for i in range(40)])
LICENSE_WRITE = play(task("write", "license_file", {"src": "{{ src }}", "force": True}, register="r",
                          ignore_errors=True))
PROXY_WRITE = play(task("proxy", "proxy", {"proxy": "new.proxy.example:8080"}, register="r", ignore_errors=True))


@pytest.fixture(scope="module")
def full_disk_license(tmp_path_factory):
    """A license file replaced (same name, 40 features) while the drive is full, run once per session."""

    def compute() -> dict:
        fleet = Fleet(tmp_path_factory.mktemp("fleet"), [HostSpec("ls01", licenses=[
            {"file": "FID_site.lic", "features": [{"feature": "XDT_PLT_UD", "count": 10, "serial": "OLD"}]}])], NOW)
        before = tree(fleet.path("ls01", MYFILES))
        work = tmp_path_factory.mktemp("full_license")
        src = work / "FID_site.lic"
        src.write_text(NEW_LICENSE, encoding="utf-8")
        text = LICENSE_WRITE.replace("{{ src }}", str(src))
        result, after = run_on_full_disk(fleet, "ls01", text, work)
        return {"fleet": str(fleet.root), "text": text, "result": result_data(result), "after": str(after),
                "before": before}

    data = once_per_session(tmp_path_factory, "full_disk_license", compute)
    return (attach_fleet(data["fleet"]), data["text"], result_from(data["result"]), Path(data["after"]),
            data["before"])


@pytest.fixture(scope="module")
def full_disk_proxy(tmp_path_factory):
    """The proxy set while the drive is full, run once per session."""

    def compute() -> dict:
        fleet = Fleet(tmp_path_factory.mktemp("fleet"), [HostSpec("ls01", proxy="old.proxy.example:3128")], NOW)
        before = fleet.path("ls01", PROXY_XML).read_bytes()
        services_before = services(fleet, "ls01")
        result, after = run_on_full_disk(fleet, "ls01", PROXY_WRITE, tmp_path_factory.mktemp("full_proxy"))
        return {"fleet": str(fleet.root), "result": result_data(result), "after": str(after),
                "before": before.decode("utf-8"), "services": services_before}

    data = once_per_session(tmp_path_factory, "full_disk_proxy", compute)
    return (attach_fleet(data["fleet"]), result_from(data["result"]), Path(data["after"]),
            data["before"].encode("utf-8"), data["services"])


def leftovers(after: Path, before_names: set[str]) -> dict[str, int]:
    """Files the failed write added next to the target: name -> size."""
    return {p.name: p.stat().st_size for p in after.iterdir() if p.name not in before_names}


def test_a_full_disk_while_writing_a_license_file_keeps_the_original_and_a_rerun_converges(full_disk_license):
    fleet, text, result, after, before = full_disk_license
    no_traceback(result)
    res = result.task_results("write")["ls01"]
    assert res["failed"] is True and res["changed"] is False and "could not write" in res["msg"]
    assert "FID_site.lic" in res["msg"] and res.get("reread") is None, "nothing is reread after a failed write"
    folder = after / "Program Files (x86)" / "Citrix" / "Licensing" / "MyFiles"
    for name, digest in before.items():
        assert sha256(folder / name) == digest, f"{name} changed on the full disk"
    # ansible.builtin.copy leaves an empty "<name>.<pid>.<time>~" when its backup copy hits ENOSPC; it is
    # not a license file (the License Server reads only *.lic), so it cannot change what is served.
    for name, size in leftovers(folder, set(before)).items():
        assert size == 0 and not name.endswith(".lic"), (name, size)

    rerun = fleet.run(text)  # the disk has room again (the tmpfs is gone; the real drive was never touched)
    no_traceback(rerun)
    res = rerun.task_results("write")["ls01"]
    assert not res.get("failed"), res["msg"]
    assert fleet.path("ls01", MYFILES + r"\FID_site.lic").read_bytes() == NEW_LICENSE.encode()
    assert {"XDT_F00_UD", "XDT_F39_UD"} <= set(served(fleet, "ls01"))


def test_a_full_disk_while_writing_the_proxy_xml_keeps_the_original_and_a_rerun_converges(full_disk_proxy):
    fleet, result, after, original, services_before = full_disk_proxy
    no_traceback(result)
    res = result.task_results("proxy")["ls01"]
    assert res["failed"] is True and "could not write" in res["msg"] and "SimpleLicenseServiceConfig" in res["msg"]
    folder = after / "Program Files (x86)" / "Citrix" / "Licensing" / "WebServicesForLicensing"
    assert (folder / "SimpleLicenseServiceConfig.xml").read_bytes() == original
    names = {p.name for p in fleet.path("ls01", PROXY_XML).parent.iterdir()}
    for name, size in leftovers(folder, names).items():
        assert size == 0 and name != "SimpleLicenseServiceConfig.xml", (name, size)
    assert res.get("service_restarted") in (None, False), "no restart after a failed write"
    assert services(fleet, "ls01") == services_before

    rerun = fleet.run(PROXY_WRITE)
    no_traceback(rerun)
    res = rerun.task_results("proxy")["ls01"]
    assert not res.get("failed"), res["msg"]
    assert b"<Proxy>new.proxy.example:8080</Proxy>" in fleet.path("ls01", PROXY_XML).read_bytes()
    assert res["previous_proxy"] == "old.proxy.example:3128" and res["service_restarted"] is True


def test_a_failed_write_says_why(full_disk_license, full_disk_proxy):
    for res in (full_disk_license[2].task_results("write")["ls01"], full_disk_proxy[1].task_results("proxy")["ls01"]):
        assert "No space left on device" in res["msg"], res["msg"]


# -- telemetry: the connection drops during a transfer -------------------------------------------------
BUNDLE = play(task("bundle", "telemetry_bundle",
                   {"dest": "{{ dest }}", "cleanup": True, "bundle_date": "2026-11-22",
                    "max_bundle_bytes": "{{ max_bytes | default(104857600) }}"},
                   register="r", ignore_errors=True, ignore_unreachable=True))


def server_zips(fleet, host: str) -> dict[str, str]:
    """{file name: sha256} of every pending zip on the lab host."""
    found = {}
    for winpath in (USAGE, UL_USAGE):
        folder = fleet.path(host, winpath)
        if folder.is_dir():
            found.update({p.name: sha256(p) for p in folder.glob("upload_*.zip")})
    return found


def verified_bundle_members(dest: Path, host: str) -> dict[str, list[str]]:
    """{member sha256: [bundle names]} over the manifest's bundles that verify on disk right now."""
    path = dest / folder_name(host) / "manifest.json"
    if not path.is_file():
        return {}
    seen: dict[str, list[str]] = {}
    for entry in json.loads(path.read_text(encoding="utf-8"))["bundles"]:
        bundle = dest / folder_name(host) / "bundles" / entry["name"]
        if not bundle.is_file() or sha256(bundle) != entry["sha256"] or not verify_bundle(bundle, entry["members"])[0]:
            continue
        for member in entry["members"]:
            seen.setdefault(member["sha256"], []).append(entry["name"])
    return seen


def assert_nothing_lost(fleet, host: str, dest: Path, originals: dict[str, str]) -> None:
    """Every original zip is still on the server, or inside a verified bundle the manifest records."""
    on_server = set(server_zips(fleet, host).values())
    bundled = verified_bundle_members(dest, host)
    lost = {name for name, digest in originals.items() if digest not in on_server and digest not in bundled}
    assert not lost, f"deleted from the server without a verified bundle: {sorted(lost)}"


def assert_all_bundled_once(fleet, host: str, dest: Path, originals: dict[str, str]) -> None:
    bundled = verified_bundle_members(dest, host)
    assert set(originals.values()) <= set(bundled)
    assert all(len(bundled[d]) == 1 for d in originals.values()), "a zip is in two bundles"
    assert server_zips(fleet, host) == {}


def test_a_dropped_transfer_deletes_nothing_unbundled_and_a_rerun_collects_everything(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[3, 2, 1])])
    originals = server_zips(fleet, "man01")
    victim = sorted(n for n in originals if n.startswith("upload_compliance_"))[0]
    dest = tmp_path / "dest"
    flaky = {"ANSIBLE_CONNECTION_PLUGINS": str(FAULT_PLUGINS), "CTXLIC_FLAKY_FETCH": victim}
    extra = {"dest": str(dest), "ansible_connection": "ctxlic_flaky"}

    short = fleet.run(BUNDLE, extra_vars=extra, env={**flaky, "CTXLIC_FLAKY_MODE": "truncate"})
    no_traceback(short)
    res = short.task_results("bundle")["man01"]
    assert res["failed"] is True and victim in res["msg"] and "stays on the server" in res["msg"], res["msg"]
    assert server_zips(fleet, "man01") == {victim: originals[victim]}, "only the short copy's original is kept"
    assert_nothing_lost(fleet, "man01", dest, originals)

    fleet.advance(1)  # the License Server writes the next day's zips meanwhile
    originals = {**originals, **server_zips(fleet, "man01")}
    dropped = fleet.run(BUNDLE, extra_vars=extra, env={**flaky, "CTXLIC_FLAKY_MODE": "drop"})
    no_traceback(dropped)
    assert dropped.task_results("bundle")["man01"].get("unreachable") is True
    assert victim in server_zips(fleet, "man01")
    assert_nothing_lost(fleet, "man01", dest, originals)

    clean = fleet.run(BUNDLE, extra_vars={"dest": str(dest)})
    no_traceback(clean)
    res = clean.task_results("bundle")["man01"]
    assert not res.get("failed"), res["msg"]
    assert_all_bundled_once(fleet, "man01", dest, originals)
    assert not list((dest / folder_name("man01")).rglob("*.part")), "the half transfer was discarded"


# -- runs killed at random points ------------------------------------------------------------------
def watch(*paths: Path):
    """A cheap fingerprint of files below ``paths`` (names, sizes, mtimes), to notice the first change."""

    def fingerprint() -> tuple:
        items = []
        for root in paths:
            if root.is_file():
                stat = root.stat()
                items.append((str(root), stat.st_size, stat.st_mtime_ns))
                continue
            for path in sorted(root.rglob("*")) if root.is_dir() else []:
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                items.append((str(path), stat.st_size, stat.st_mtime_ns))
        return tuple(items)

    return fingerprint


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (Ansible's workers call setsid(), so a process group is not enough)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def kill_tree(root: int) -> None:
    """SIGKILL the run and everything it started, as a crashed or cancelled controller would be.

    Every process is stopped first (SIGSTOP), so none can finish a step or start a child while the
    tree is collected; then all are killed at once.
    """
    stopped: set[int] = set()
    for _round in range(3):
        for pid in _descendants(root):
            if pid not in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                stopped.add(pid)
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def run_killed(fleet, playbook: Path | str, extra_vars: dict, trigger, delay: float,
               timeout: float = 300) -> bool:
    """Run ``playbook``; kill it and all its processes ``delay`` s after ``trigger()`` first returns true.

    Returns whether the run was killed (False: it finished before the kill point).
    """
    path = playbook
    if isinstance(playbook, str):
        path = fleet.root / f"killed_{abs(hash(playbook))}.yml"
        path.write_text(playbook, encoding="utf-8")
    cmd = [str(BIN / "ansible-playbook"), "-i", str(fleet.inventory), str(path), "-e", json.dumps(extra_vars)]
    proc = subprocess.Popen(cmd, env=ansible_env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started, fired, killed = time.monotonic(), None, False
    try:
        while proc.poll() is None and time.monotonic() - started < timeout:
            if fired is None and trigger():
                fired = time.monotonic()
            if fired is not None and time.monotonic() - fired >= delay:
                kill_tree(proc.pid)
                killed = True
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None and not killed:
            kill_tree(proc.pid)
        proc.wait(timeout=30)
    return killed


def changed_since_start(fingerprint, changes: int = 1):
    """A trigger that fires once ``changes`` successive changes were seen after the run started.

    Counting observed changes (a file written, a service stopped) instead of seconds puts the kill
    point at the same step of the run on a fast and on a loaded machine.
    """
    state = {"last": fingerprint(), "seen": 0}

    def trigger() -> bool:
        now = fingerprint()
        if now != state["last"]:
            state["last"], state["seen"] = now, state["seen"] + 1
        return state["seen"] >= changes

    return trigger


def service_stopped(fleet, host: str, name: str = "Citrix Licensing"):
    return lambda: fleet.state(host).services.get(name, {}).get("state") == "stopped"


def test_license_files_killed_at_random_points_then_rerun_deploys_every_file_once(make_fleet, tmp_path):
    rng = random.Random(KILL_SEED)
    fleet = make_fleet([HostSpec("ls01")])
    src_dir = license_dir(tmp_path, {f"XDT_K{i}_UD": 10 + i for i in range(4)})
    deploy = deploy_vars(src_dir)
    myfiles = fleet.path("ls01", MYFILES)
    # Kill points: a seeded moment early in the run (start-up or validation), then twice just after the next file
    # write. At most three of the four files are written by killed runs, so the final run writes and rereads.
    points = [(lambda: lambda: True, rng.uniform(0.3, 1.5)),
              (lambda: changed_since_start(watch(myfiles)), rng.uniform(0.0, 0.05)),
              (lambda: changed_since_start(watch(myfiles)), rng.uniform(0.0, 0.05))]
    kills = 0
    for make_trigger, delay in points:
        kills += run_killed(fleet, REPO / "playbooks" / "deploy_licenses.yml", deploy, make_trigger(), delay)
        present = {p.name: p.read_bytes() for p in myfiles.glob("*.lic")}
        for name, data in present.items():  # whatever a killed run left is never a half-written license
            source = src_dir / name
            assert not source.exists() or data == source.read_bytes(), f"{name} is half written"
    assert kills >= 1, "no kill point was reached; the runs finished first"
    final = fleet.run(REPO / "playbooks" / "deploy_licenses.yml", extra_vars=deploy)
    no_traceback(final)
    assert final.rc == 0, final.stdout[-3000:]
    assert all(deployed(fleet, "ls01", src_dir).values())
    contents = [p.read_bytes() for p in myfiles.glob("*.lic")]  # pathlib's glob includes dot files
    assert all(contents.count(p.read_bytes()) == 1 for p in src_dir.iterdir()), "a license is installed twice"
    expected = {"citrix_startup.lic", "CITRIX.opt", *(p.name for p in src_dir.iterdir())}
    stray = {p.name for p in myfiles.iterdir()} - expected
    # A copy killed mid-way leaves ansible.builtin.copy's "tmpXXXXXXXX"; never a name the server reads.
    assert not [name for name in stray if name.endswith(".lic")], stray
    assert {f"XDT_K{i}_UD" for i in range(4)} <= set(served(fleet, "ls01"))
    assert set(services(fleet, "ls01").values()) == {"running"}


def test_prune_killed_while_the_service_is_stopped_then_rerun_restarts_it(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", licenses=[{"file": "FID_expired.lic", "features": [
        {"feature": "XDT_ENT_UD", "count": 5, "expiry": NOW.date().replace(year=2025), "serial": "X-1"}]}])])
    expired = fleet.path("ls01", MYFILES + r"\FID_expired.lic").read_bytes()
    src_dir = license_dir(tmp_path, {"XDT_PLT_UD": 10})
    backups = tmp_path / "backups"
    deploy = deploy_vars(src_dir, ctxlic_license_files_prune=True, ctxlic_license_files_backup_dir=str(backups))
    killed = run_killed(fleet, REPO / "playbooks" / "deploy_licenses.yml", deploy, service_stopped(fleet, "ls01"), 0)
    assert killed, "the run finished before the removal procedure stopped the service"
    assert any(p.read_bytes() == expired for p in backups.rglob("*.lic")), "backed up before the removal"
    final = fleet.run(REPO / "playbooks" / "deploy_licenses.yml", extra_vars=deploy)
    no_traceback(final)
    assert final.rc == 0, final.stdout[-3000:]
    assert set(services(fleet, "ls01").values()) == {"running"}, "Citrix Licensing was left stopped"
    names = {p.name for p in fleet.path("ls01", MYFILES).iterdir()}
    assert not {"FID_expired.lic", "FID_expired.old"} & names
    assert "XDT_PLT_UD" in served(fleet, "ls01")


def test_telemetry_bundle_killed_at_random_points_never_loses_a_zip(make_fleet, tmp_path):
    rng = random.Random(KILL_SEED + 1)
    fleet = make_fleet([HostSpec("man01", reporting="manual", pending_zip_days=[3, 2, 1])])
    originals = server_zips(fleet, "man01")
    dest = tmp_path / "dest"
    extra = {"dest": str(dest), "max_bytes": 1000}
    server = [fleet.path("man01", USAGE), fleet.path("man01", UL_USAGE)]
    # Kill points: during the fetches, during the bundle writes, and during the deletions on the server.
    triggers = [lambda: changed_since_start(watch(dest), rng.randint(1, 4)),
                lambda: changed_since_start(watch(dest / folder_name("man01") / "bundles"), rng.randint(1, 2)),
                lambda: changed_since_start(watch(*server), rng.randint(1, 3))]
    kills = 0
    for make_trigger in triggers:
        kills += run_killed(fleet, BUNDLE, extra, make_trigger(), rng.uniform(0.0, 0.3))
        assert_nothing_lost(fleet, "man01", dest, originals)
    assert kills >= 1, "no kill point was reached; the runs finished first"
    final = fleet.run(BUNDLE, extra_vars=extra)
    no_traceback(final)
    res = final.task_results("bundle")["man01"]
    assert not res.get("failed"), res["msg"]
    assert_all_bundled_once(fleet, "man01", dest, originals)


def test_dr_failover_killed_at_random_points_then_rerun_serves_every_backed_up_license(make_fleet, tmp_path):
    rng = random.Random(KILL_SEED + 2)
    licenses = [{"file": f"FID_dr{i}.lic", "features": [{"feature": f"XDT_D{i}_UD", "count": 10 + i,
                                                         "serial": f"SN-D{i}"}]} for i in range(3)]
    fleet = make_fleet([HostSpec("primary", hostname="LICSRV01", version=V45, licenses=licenses),
                        HostSpec("dr", hostname="LICSRV01", version=None)])
    backups = tmp_path / "backups"
    backup = fleet.run(REPO / "playbooks" / "dr_backup.yml",
                       extra_vars={"ctxlic_target_hosts": "primary", "ctxlic_dr_backup_dir": str(backups)})
    assert backup.rc == 0, backup.stdout[-3000:]
    saved = {p.name: p.read_bytes() for p in fleet.path("primary", MYFILES).glob("FID_*.lic")}
    shutil.rmtree(fleet.host_root("primary"))  # the primary is gone
    lab_fleet.write_inventory(fleet.root, [HostSpec("primary", unreachable=True), fleet.specs["dr"]])
    failover = {"ctxlic_dr_host": "dr", "ctxlic_dr_primary_host": "primary", "ctxlic_dr_backup_dir": str(backups),
                "ctxlic_dr_installer": installer(tmp_path, V49), "ctxlic_dr_installer_version": V49,
                "ctxlic_dr_primary_confirmed_down": True}
    drive = fleet.host_root("dr") / "fs"

    def restored() -> bool:
        myfiles = fleet.path("dr", MYFILES)
        return all((myfiles / name).is_file() and (myfiles / name).read_bytes() == data for name, data in saved.items())

    # Kill points: a seeded step of the install, then the step between the restore and the reread.
    run_killed(fleet, REPO / "playbooks" / "dr_failover.yml", failover,
               changed_since_start(watch(drive), rng.randint(1, 3)), rng.uniform(0.0, 0.5))
    if not run_killed(fleet, REPO / "playbooks" / "dr_failover.yml", failover, restored, 0.0):
        pytest.skip("the run finished before the restore kill point; nothing to check")
    final = fleet.run(REPO / "playbooks" / "dr_failover.yml", extra_vars=failover)
    no_traceback(final)
    assert final.rc == 0, final.stdout[-4000:]
    on_dr = {p.name: p.read_bytes() for p in fleet.path("dr", MYFILES).glob("FID_*.lic")}
    assert on_dr == saved, "every backed-up license file, exactly once, byte for byte"
    assert {f"XDT_D{i}_UD" for i in range(3)} <= set(served(fleet, "dr"))
    assert installed_version(fleet, "dr") == V49 and set(services(fleet, "dr").values()) == {"running"}
    for generation in (p for p in (backups / folder_name("primary")).iterdir() if not p.name.startswith(".")):
        manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["files"]:  # the backup itself is intact after the interrupted runs
            assert sha256(generation.joinpath(*entry["path"].split("/"))) == entry["sha256"]

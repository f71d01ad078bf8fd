# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remote calls of ``site.yml`` per host: one gather serves the whole play (issue 18 item 1).

Every module execution on a target goes through ``ActionBase._execute_module``; the benchmark
callback (``benchmarks/callback_plugins/ctxlic_bench_calls.py``) logs each one with its host and
task, so these tests count what really crossed the connection, not what a module says it did.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

from .conftest import MYFILES, V45, V51, installer

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "playbooks" / "site.yml"
CALLBACKS = REPO / "benchmarks" / "callback_plugins"
PROXY = "proxy.lab:3128"
BEHIND_PROXY = {"dns": True, "direct": False, "proxies": {PROXY: True}}
VALID = date(2028, 12, 31)
HOSTS = ("ls01", "ls02", "ls03")
BEFORE = "Gather the License Server state before converging"
AFTER = "Gather the License Server state after converging"
VERIFY = "Verify the converged License Server"
PROBE = "Probe the upload path through the proposed proxy, before writing it"


def write_license(folder: Path, name: str, hostname: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    features = [{"feature": "XDT_PLT_UD", "count": 25, "expiry": VALID, "serial": f"SN-{hostname}"}]
    path.write_bytes(licgen.license_text([hostname], features).encode())
    return path


def counted_run(fleet, calls_file: Path, extra: dict):
    """Run site.yml with the call counter; (result, {host: Counter(task name -> remote calls)})."""
    calls_file.unlink(missing_ok=True)
    env = {"ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS), "ANSIBLE_CALLBACKS_ENABLED": "ctxlic_bench_calls",
           "CTXLIC_BENCH_CALLS_FILE": str(calls_file)}
    result = fleet.run(SITE, extra_vars=extra, env=env)
    per_host: dict[str, Counter] = {host: Counter() for host in HOSTS}
    if calls_file.exists():
        for line in calls_file.read_text(encoding="utf-8").splitlines():
            call = json.loads(line)
            per_host.setdefault(call["host"], Counter())[call["task"]] += 1
    return result, per_host


def breakdown(per_host: dict[str, Counter]) -> str:
    return "; ".join(f"{host}: {sum(c.values())} ({dict(c)})" for host, c in sorted(per_host.items()))


def test_site_second_run_reuses_the_gather(make_fleet, tmp_path):
    fleet = make_fleet([
        HostSpec("ls01", version=V51, network=BEHIND_PROXY),
        HostSpec("ls02", version=V51, network=BEHIND_PROXY, reporting="manual"),
        HostSpec("ls03", version=V45, network=BEHIND_PROXY),  # overdue: upgraded by the first run
    ])
    licenses = tmp_path / "licenses"
    for host in HOSTS:
        write_license(licenses / host, f"FID_{host}.lic", host.upper())
    extra = {"ctxlic_server_installer_src": installer(tmp_path, V51), "ctxlic_server_version": V51,
             "ctxlic_server_min_free_mb": 100, "ctxlic_site_as_of": "2025-03-01",
             "ctxlic_license_files_src_dir": str(licenses) + "/{{ inventory_hostname }}", "ctxlic_proxy": PROXY}
    calls = tmp_path / "calls.jsonl"

    first, first_calls = counted_run(fleet, calls, extra)
    assert first.rc == 0, first.stdout[-4000:]
    print("first run:", breakdown(first_calls))
    # Every host was changed (license file, proxy; ls03 upgraded), so the closing gather reads each one again.
    after = first.task_results(AFTER)
    assert all(after[h]["remote_calls"] == 1 and not after[h]["snapshot_reused"] for h in HOSTS), after
    assert all(not r.get("failed") for r in first.task_results(VERIFY).values())
    # Before the first change the modules read from the opening gather: license_plan made no call.
    validate = "Validate every license file against the License Server before changing anything"
    assert not any(task.endswith(validate) for h in HOSTS for task in first_calls[h]), breakdown(first_calls)
    # Writing license files marks only MyFiles, the services and lmstat stale: the License Management Service,
    # already enabled on ls01, is judged from the gather; the reread reads no registry (one call: lmreread).
    lms = "Set the License Management Service (enabled for automatic, disabled for manual reporting)"
    assert not any(task.endswith(lms) for task in first_calls["ls01"]), breakdown(first_calls)
    assert all(first_calls[h]["ctxlic.license_server.license_files : Reread the license files once"] == 1
               for h in HOSTS), breakdown(first_calls)

    second, second_calls = counted_run(fleet, calls, extra)
    assert second.rc == 0, second.stdout[-4000:]
    print("second run:", breakdown(second_calls))
    assert {h: s["changed"] for h, s in second.stats().items()} == {h: 0 for h in HOSTS}
    probes = second.results_ending(PROBE)
    for host in HOSTS:
        # One gather and one probe (every endpoint in one call: the upload host and the LAS endpoints); the
        # closing gather answers from the opening one, nothing else reads the host (issue 18: 3 calls or fewer).
        assert probes[host]["las"], "the LAS endpoints were probed too"
        assert dict(second_calls[host]) == {BEFORE: 1, f"ctxlic.license_server.reporting : {PROBE}": 1}, \
            breakdown(second_calls)
        assert sum(second_calls[host].values()) <= 3
        assert second.task_results(AFTER)[host]["snapshot_reused"] is True
        assert fleet.path(host, MYFILES + rf"\FID_{host}.lic").is_file()
    assert all(not r.get("failed") for r in second.task_results(VERIFY).values())

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Playbook benchmarks on lab fleets: remote calls per host, wall and CPU time, controller memory.

A lab host is reached with the ``local`` connection, so a "remote call" here is one module
execution against that host: exactly what becomes one WinRM/PSRP round trip (plus its file
transfer) on a real Windows License Server. They are counted by the benchmark callback
``callback_plugins/ctxlic_bench_calls.py`` at ``ActionBase._execute_module``, whatever action
plugin or loop caused them, so the naive playbook and the collection are counted the same way.

Measurements of one ``ansible-playbook`` run (:func:`measure_playbook`):

* wall time (``time.perf_counter``) and CPU time (user + system of the whole process tree, from
  ``os.wait4``): on a shared machine the CPU time is the steadier of the two;
* peak memory: the process tree is sampled from ``/proc`` every ``sample_interval`` seconds and
  the proportional set size (PSS, ``smaps_rollup``) is summed, separately for the controller
  (``ansible-playbook`` and its forked workers, which share pages copy-on-write: PSS counts
  shared pages once) and for the whole tree (module processes and lab programs included); the
  largest single worker and the main process's exact peak RSS (``VmHWM``) are kept too. The
  controller peak depends on how many workers are alive at once (at most ``forks``), which
  depends on the machine's load; the largest worker is the per-fork cost. (``ru_maxrss`` of
  ``os.wait4`` is not used: Linux folds the pre-exec image of the forking benchmark process into
  it, so it reports the benchmark's own size.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet as lab_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = START.date()
V51 = "11.17.2.0 build 51000"
V45 = "11.17.2.0 build 45000"
PROXY = "proxy.lab:3128"
BEHIND_PROXY = {"dns": True, "direct": False, "proxies": {PROXY: True}}
CALLBACK = "ctxlic_bench_calls"
CALLS_ENV = "CTXLIC_BENCH_CALLS_FILE"


# ------------------------------------------------------------------------------------------ fleets
def _licence(name: str, features: list[str], today=TODAY) -> dict:
    return {"file": name, "features": [
        {"feature": f, "count": 100 + 25 * i, "expiry": today + timedelta(days=400), "name": f"Citrix {f}"}
        for i, f in enumerate(features)
    ]}


def gather_specs(count: int) -> list[lab_fleet.HostSpec]:
    """A fleet of ``count`` reachable servers cycling through four states real estates show.

    1. current, automatic reporting, one license file; 2. current behind a proxy (configured), two
    license files; 3. current, manual reporting with three pending upload zips; 4. overdue upgrade
    (build 45000). Every host also has the installer's citrix_startup.lic and CITRIX.opt.
    """
    specs = []
    for index in range(1, count + 1):
        name = f"ls{index:04d}"
        kind = (index - 1) % 4
        if kind == 0:
            spec = lab_fleet.HostSpec(name, version=V51, last_upload={"days_ago": 1},
                                      licenses=[_licence(f"FID_{name}.lic", ["XDT_PLT_UD"])])
        elif kind == 1:
            spec = lab_fleet.HostSpec(name, version=V51, proxy=PROXY, network=BEHIND_PROXY,
                                      last_upload={"days_ago": 2},
                                      licenses=[_licence(f"FID_{name}_a.lic", ["XDT_PLT_UD"]),
                                                _licence(f"FID_{name}_b.lic", ["XDT_ENT_UD", "MPS_ENT_CCU"])])
        elif kind == 2:
            spec = lab_fleet.HostSpec(name, version=V51, reporting="manual", last_upload={"days_ago": 20},
                                      pending_zip_days=[25, 10, 2],
                                      licenses=[_licence(f"FID_{name}.lic", ["XDT_PLT_UD"])])
        else:
            spec = lab_fleet.HostSpec(name, version=V45, last_upload={"days_ago": 3},
                                      licenses=[_licence(f"FID_{name}.lic", ["XDT_ENT_UD"])])
        specs.append(spec)
    return specs


def site_specs(count: int) -> list[lab_fleet.HostSpec]:
    """Current servers behind a proxy that is not configured yet: site.yml's first run sets it."""
    return [lab_fleet.HostSpec(f"ls{i:04d}", version=V51, network=BEHIND_PROXY, last_upload={"days_ago": 1})
            for i in range(1, count + 1)]


def write_site_licenses(folder: Path, specs: list[lab_fleet.HostSpec]) -> Path:
    """One license file per host, bound to its host name, in ``folder/<inventory name>/``."""
    for spec in specs:
        hostname = spec.hostname or spec.name.upper()
        target = folder / spec.name
        target.mkdir(parents=True, exist_ok=True)
        text = licgen.license_text([hostname], _licence("x", ["XDT_PLT_UD"])["features"])
        (target / f"FID_{spec.name}.lic").write_bytes(text.encode("utf-8"))
    return folder


def create(root: Path, specs: list[lab_fleet.HostSpec]) -> Path:
    """A fresh fleet at ``root`` (any previous one removed); returns its inventory."""
    if root.exists():
        shutil.rmtree(root)
    return lab_fleet.create_fleet(root, specs, start=START)


# ------------------------------------------------------------------------------------ call counting
def parse_calls(lines: list[str]) -> list[dict]:
    """The callback's JSON lines (one module execution each); blank lines are skipped."""
    return [json.loads(line) for line in lines if line.strip()]


def calls_per_host(calls: list[dict], hosts: list[str]) -> dict[str, int]:
    """Module executions on each host (tasks delegated elsewhere are not that host's remote calls)."""
    counts = dict.fromkeys(hosts, 0)
    for call in calls:
        target = call.get("delegate_to") or call.get("host")
        if target in counts:
            counts[target] += 1
    return counts


def distribution(values: list[int | float]) -> dict:
    """min / mean / max / total of per-host figures (empty input gives zeros)."""
    if not values:
        return {"min": 0, "mean": 0.0, "max": 0, "total": 0}
    return {"min": min(values), "mean": sum(values) / len(values), "max": max(values), "total": sum(values)}


def calls_by_module(calls: list[dict], hosts: list[str]) -> list[dict]:
    """Module executions per (task, module), averaged over ``hosts``, most frequent first."""
    wanted = set(hosts)
    counter: Counter = Counter()
    for call in calls:
        if (call.get("delegate_to") or call.get("host")) in wanted:
            counter[(call.get("task") or "?", call.get("module") or "?")] += 1
    return [{"task": task, "module": module, "per_host": n / max(1, len(hosts))}
            for (task, module), n in counter.most_common()]


def repeated_targets(calls: list[dict], hosts: list[str], minimum: float = 2.0) -> list[dict]:
    """Files and programs a run touched at least ``minimum`` times per host, with the tasks that did it."""
    wanted = set(hosts)
    counter: Counter = Counter()
    tasks: dict[str, set[str]] = {}
    for call in calls:
        if (call.get("delegate_to") or call.get("host")) in wanted and call.get("target"):
            counter[call["target"]] += 1
            tasks.setdefault(call["target"], set()).add(call.get("task") or "?")
    rows = [{"target": target, "per_host": n / max(1, len(hosts)), "tasks": sorted(tasks[target])}
            for target, n in counter.most_common()]
    return [r for r in rows if r["per_host"] >= minimum]


# ------------------------------------------------------------------------------------- /proc memory
def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's list: workers may be forked from any thread)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        found.extend(int(x) for x in _read(f"/proc/{pid}/task/{tid}/children").split())
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children(current))
    return out


def pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` in KiB (0 when it is gone)."""
    for line in _read(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def cmdline(pid: int) -> str:
    return _read(f"/proc/{pid}/cmdline")


def vm_hwm_kb(pid: int) -> int:
    """Peak resident set size of ``pid`` since its exec (VmHWM), in KiB (0 when it is gone)."""
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@dataclass
class MemoryPeaks:
    controller_pss_kb: int = 0  # ansible-playbook + its forked workers, summed, at the highest sample
    workers_at_peak: int = 0  # workers alive in that sample
    max_workers: int = 0  # most workers alive in any sample
    worker_pss_kb: int = 0  # largest single worker seen
    main_rss_kb: int = 0  # ansible-playbook main process VmHWM (exact peak RSS since exec)
    tree_pss_kb: int = 0  # whole tree (modules and lab programs too), summed, at the highest sample
    processes: int = 0
    samples: int = 0


class TreeSampler(threading.Thread):
    """Samples the PSS of a process tree until stopped; keeps the peaks."""

    def __init__(self, root_pid: int, interval: float):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peaks = MemoryPeaks()
        self._stop_event = threading.Event()
        self._root_cmdline = cmdline(root_pid)

    def sample(self) -> None:
        controller = tree = workers = 0
        pids = descendants(self.root_pid)
        peaks = self.peaks
        for pid in pids:
            pss = pss_kb(pid)
            tree += pss
            if pid == self.root_pid:
                controller += pss
                peaks.main_rss_kb = max(peaks.main_rss_kb, vm_hwm_kb(pid))
            elif cmdline(pid) == self._root_cmdline:  # a forked worker (same command line, no exec)
                controller += pss
                workers += 1
                peaks.worker_pss_kb = max(peaks.worker_pss_kb, pss)
        peaks.samples += 1
        if controller > peaks.controller_pss_kb:
            peaks.controller_pss_kb, peaks.workers_at_peak = controller, workers
        peaks.max_workers = max(peaks.max_workers, workers)
        peaks.tree_pss_kb = max(peaks.tree_pss_kb, tree)
        peaks.processes = max(peaks.processes, len(pids))

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> MemoryPeaks:
        self._stop_event.set()
        self.join()
        return self.peaks


# ---------------------------------------------------------------------------------------- one run
@dataclass
class PlaybookRun:
    name: str
    hosts: int
    rc: int
    wall_s: float
    cpu_s: float
    memory: MemoryPeaks
    calls: dict = field(default_factory=dict)  # distribution of module executions per host
    tasks: dict = field(default_factory=dict)  # callback task counts per host
    by_module: list = field(default_factory=list)
    repeated: list = field(default_factory=list)  # targets touched more than once per host
    reported_remote_calls: dict = field(default_factory=dict)  # sum of info's own remote_calls per host
    changed: int = 0
    failed_hosts: list = field(default_factory=list)
    log: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def ansible_env(forks: int, calls_file: Path) -> dict:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env.update({
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build" / "collections"),
        "ANSIBLE_CALLBACK_PLUGINS": str(BENCH_DIR / "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": CALLBACK,
        "ANSIBLE_FORKS": str(forks),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        CALLS_ENV: str(calls_file),
        "PATH": bindir + os.pathsep + env.get("PATH", ""),
    })
    return env


def measure_playbook(name: str, playbook: Path, inventory: Path, workdir: Path, *, forks: int = 50,
                     extra_vars: dict | None = None, sample_interval: float = 0.5,
                     timeout: float = 4 * 3600) -> PlaybookRun:
    """Run ``ansible-playbook`` once with the counting callback and measure it."""
    workdir.mkdir(parents=True, exist_ok=True)
    slug = name.replace(" ", "_").replace("/", "_")
    calls_file = workdir / f"{slug}.calls.jsonl"
    for stale in (calls_file, Path(str(calls_file) + ".tasks.json")):
        stale.unlink(missing_ok=True)
    log = workdir / f"{slug}.log"
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    hosts = _inventory_hosts(inventory)
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                env=ansible_env(forks, calls_file))
        sampler = TreeSampler(proc.pid, sample_interval)
        sampler.start()
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        memory = sampler.stop()
    calls = parse_calls(calls_file.read_text(encoding="utf-8").splitlines()) if calls_file.exists() else []
    tasks_file = Path(str(calls_file) + ".tasks.json")
    tasks = json.loads(tasks_file.read_text(encoding="utf-8")) if tasks_file.exists() else {}
    per_host = calls_per_host(calls, hosts)
    return PlaybookRun(
        name=name,
        hosts=len(hosts),
        rc=proc.returncode,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        memory=memory,
        calls=distribution(list(per_host.values())),
        tasks={k: distribution([t.get(k, 0) for h, t in tasks.items() if h in per_host])
               for k in ("ok", "changed", "failed", "skipped", "unreachable")},
        by_module=calls_by_module(calls, hosts),
        repeated=repeated_targets(calls, hosts),
        reported_remote_calls=distribution([t.get("remote_calls", 0) for h, t in tasks.items() if h in per_host]),
        changed=sum(t.get("changed", 0) for h, t in tasks.items() if h in per_host),
        failed_hosts=sorted(h for h, t in tasks.items() if h in per_host and (t.get("failed") or t.get("unreachable"))),
        log=str(log),
    )


def _inventory_hosts(inventory: Path) -> list[str]:
    """Host names of a lab inventory (JSON, as lab.fleet.write_inventory writes it)."""
    data = json.loads(inventory.read_text(encoding="utf-8"))
    names: list[str] = []
    for group in data.get("all", {}).get("children", {}).values():
        names.extend(group.get("hosts", {}))
    return sorted(set(names))


# --------------------------------------------------------------------------------------- scenarios
def gather_comparison(workdir: Path, size: int, *, forks: int, sample_interval: float = 0.5,
                      naive: bool = True) -> dict:
    """On one fleet of ``size`` hosts: the collection's gather, the naive gather (when wanted), fleet_report.yml."""
    root = workdir / f"fleet{size}"
    started = time.perf_counter()
    inventory = create(root, gather_specs(size))
    created = time.perf_counter() - started
    runs = workdir / f"runs{size}"
    collection = measure_playbook(f"collection_gather_{size}", BENCH_DIR / "collection_gather.yml", inventory, runs,
                                  forks=forks, sample_interval=sample_interval)
    naive_run = measure_playbook(f"naive_gather_{size}", BENCH_DIR / "naive_gather.yml", inventory, runs,
                                 forks=forks, sample_interval=sample_interval) if naive else None
    report = measure_playbook(
        f"fleet_report_{size}", REPO / "playbooks" / "fleet_report.yml", inventory, runs, forks=forks,
        sample_interval=sample_interval,
        extra_vars={"ctxlic_telemetry_report_dir": str(runs / "reports"),
                    "ctxlic_telemetry_history_db": str(runs / "evidence.sqlite"),
                    "ctxlic_telemetry_as_of": START.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    return {"size": size, "forks": forks, "fleet_create_s": created,
            "collection": collection.to_dict(), "naive": naive_run.to_dict() if naive_run else None,
            "fleet_report": report.to_dict()}


def site_idempotence(workdir: Path, size: int, *, forks: int, sample_interval: float = 0.5) -> dict:
    """playbooks/site.yml twice on ``size`` hosts: the first run converges, the second must change nothing."""
    root = workdir / f"site{size}"
    specs = site_specs(size)
    inventory = create(root, specs)
    licenses = write_site_licenses(root / "licenses", specs)
    extra = {
        "ctxlic_site_as_of": START.date().isoformat(),
        "ctxlic_license_files_src_dir": str(licenses) + "/{{ inventory_hostname }}",
        "ctxlic_license_files_as_of": START.date().isoformat(),
        "ctxlic_proxy": PROXY,
    }
    runs = workdir / f"site_runs{size}"
    playbook = REPO / "playbooks" / "site.yml"
    first = measure_playbook(f"site_first_{size}", playbook, inventory, runs, forks=forks, extra_vars=extra,
                             sample_interval=sample_interval)
    second = measure_playbook(f"site_second_{size}", playbook, inventory, runs, forks=forks, extra_vars=extra,
                              sample_interval=sample_interval)
    return {"size": size, "forks": forks, "playbook": "playbooks/site.yml",
            "first": first.to_dict(), "second": second.to_dict()}

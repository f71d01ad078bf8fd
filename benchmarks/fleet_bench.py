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

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
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
                     timeout: float = 4 * 3600, limit: list[str] | None = None) -> PlaybookRun:
    """Run ``ansible-playbook`` once with the counting callback and measure it (``limit``: only these hosts)."""
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
    if limit is not None:
        cmd += ["--limit", ",".join(limit)]
        hosts = sorted(set(limit) & set(hosts))
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
AS_OF_TEXT = START.strftime("%Y-%m-%dT%H:%M:%SZ")
# The lab backend switch (host variable, see the lab guide): direct = the fast backend, module = labctl run
# through ansible.builtin.command. A collection without the switch ignores it, and both runs then measure the same.
LAB_EXEC = "ctxlic_lab_exec"


def report_vars(runs: Path, name: str, **extra) -> dict:
    """fleet_report.yml's variables for one benchmark run: its own report folder and evidence history."""
    return {"ctxlic_telemetry_report_dir": str(runs / f"{name}_reports"),
            "ctxlic_telemetry_history_db": str(runs / f"{name}_evidence.sqlite"),
            "ctxlic_telemetry_as_of": AS_OF_TEXT, **extra}


def gather_comparison(workdir: Path, size: int, *, forks: int, sample_interval: float = 0.5,
                      naive: bool = True) -> dict:
    """On one fleet of ``size`` hosts, one after the other: the one-task floor, the collection's gather with the
    direct lab backend and with the module one, the naive gather (when wanted), fleet_report.yml."""
    root = workdir / f"fleet{size}"
    started = time.perf_counter()
    inventory = create(root, gather_specs(size))
    created = time.perf_counter() - started
    runs = workdir / f"runs{size}"

    def measure(name: str, playbook: Path, extra: dict | None = None) -> dict:
        return measure_playbook(f"{name}_{size}", playbook, inventory, runs, forks=forks, extra_vars=extra,
                                sample_interval=sample_interval).to_dict()

    floor = measure("floor", BENCH_DIR / "floor.yml")
    collection = measure("collection_gather", BENCH_DIR / "collection_gather.yml", {LAB_EXEC: "direct"})
    collection_module = measure("collection_gather_module", BENCH_DIR / "collection_gather.yml",
                                {LAB_EXEC: "module"})
    naive_run = measure("naive_gather", BENCH_DIR / "naive_gather.yml") if naive else None
    report = measure("fleet_report", REPO / "playbooks" / "fleet_report.yml", report_vars(runs, "fleet_report"))
    return {"size": size, "forks": forks, "fleet_create_s": created, "floor": floor, "collection": collection,
            "collection_module": collection_module, "naive": naive_run, "fleet_report": report}


# ------------------------------------------------------------------------------------------ cleanup
BUNDLE_TASK = "Bundle manual-upload telemetry on the controller"
PENDING_ZIP_DAYS = [25, 10, 2]


def cleanup_specs(count: int) -> list[lab_fleet.HostSpec]:
    """Manual-reporting servers with pending upload zips from three days (what the telemetry bundle collects)."""
    return [lab_fleet.HostSpec(f"ls{i:04d}", version=V51, reporting="manual", last_upload={"days_ago": 20},
                               pending_zip_days=list(PENDING_ZIP_DAYS),
                               licenses=[_licence(f"FID_ls{i:04d}.lic", ["XDT_PLT_UD"])])
            for i in range(1, count + 1)]


def pending_zips(fleet_root: Path, hosts: list[str]) -> dict[str, int]:
    """Upload zips still on each lab host (its simulated C: drive)."""
    return {h: sum(1 for p in (fleet_root / "hosts" / h / "fs").rglob("upload_*.zip") if p.is_file())
            for h in hosts}


LABCTL_SUBCOMMAND = re.compile(r"(?:^|/)labctl (\S+)")


def operation_of(call: dict) -> str:
    """What one module execution did: the ``labctl`` subcommand it ran, else the module's name."""
    found = LABCTL_SUBCOMMAND.search(call.get("target") or "")
    return f"labctl {found.group(1)}" if found else (call.get("module") or "?")


def task_calls(calls: list[dict], hosts: list[str], task: str) -> dict[str, int]:
    """Module executions per host of the task whose name ends with ``task``."""
    return calls_per_host([c for c in calls if (c.get("task") or "").endswith(task)], hosts)


BATCH_REMOVAL = "labctl file-remove-verified"  # HostAccess.remove_verified on a lab host


def cleanup_comparison(workdir: Path, size: int, *, forks: int, sample_interval: float = 0.5) -> dict:
    """The telemetry bundle with and without cleanup, each on its own fresh fleet where every server has pending
    zips. The calls of the deletion step per host are the bundle task's calls with cleanup minus without (same
    servers, same zips), whatever the step's internals; the with-cleanup run's calls are also listed by operation."""
    runs = workdir / f"cleanup_runs{size}"
    out: dict = {"size": size, "forks": forks}
    per_host_task: dict[str, dict[str, int]] = {}
    cleanup_calls: list[dict] = []
    for label, cleanup in (("keep", False), ("cleanup", True)):
        root = workdir / f"cleanup{size}" / label
        inventory = create(root, cleanup_specs(size))
        hosts = _inventory_hosts(inventory)
        before = pending_zips(root, hosts)
        extra = report_vars(runs, label, ctxlic_telemetry_bundle=True, ctxlic_telemetry_cleanup=cleanup,
                            ctxlic_telemetry_bundle_dest=str(runs / f"{label}_bundles"))
        run = measure_playbook(f"bundle_{label}_{size}", REPO / "playbooks" / "fleet_report.yml", inventory, runs,
                               forks=forks, extra_vars=extra, sample_interval=sample_interval)
        calls_file = runs / f"bundle_{label}_{size}.calls.jsonl"
        calls = parse_calls(calls_file.read_text(encoding="utf-8").splitlines()) if calls_file.exists() else []
        per_host_task[label] = task_calls(calls, hosts, BUNDLE_TASK)
        if cleanup:
            cleanup_calls = calls
        left = pending_zips(root, hosts)
        out[label] = {**run.to_dict(), "bundle_calls": distribution(list(per_host_task[label].values())),
                      "zips_before": distribution(list(before.values())),
                      "zips_left": distribution(list(left.values())),
                      "bundle_operations": _operations(calls, hosts, BUNDLE_TASK)}
        shutil.rmtree(root, ignore_errors=True)
    hosts = sorted(per_host_task["cleanup"])
    out["zips_per_host"] = out["cleanup"]["zips_before"]["mean"]
    out["deletion_calls"] = distribution([per_host_task["cleanup"][h] - per_host_task["keep"].get(h, 0)
                                          for h in hosts])
    # The deletions themselves: the batch removal's calls (each verifies size and SHA-1 on the host right before
    # deleting); the rest of the difference is the host lock that guards every change on a server.
    removals = calls_per_host([c for c in cleanup_calls if (c.get("task") or "").endswith(BUNDLE_TASK)
                               and operation_of(c) == BATCH_REMOVAL], hosts)
    out["removal_calls"] = distribution([removals.get(h, 0) for h in hosts])
    return out


def _operations(calls: list[dict], hosts: list[str], task: str) -> list[dict]:
    wanted = set(hosts)
    counter: Counter = Counter(operation_of(c) for c in calls
                               if (c.get("task") or "").endswith(task) and (c.get("delegate_to") or c.get("host"))
                               in wanted)
    return [{"operation": op, "per_host": n / max(1, len(hosts))} for op, n in counter.most_common()]


# ------------------------------------------------------------------------------------------- sliced
PG_DSN_ENV = "CTXLIC_BENCH_PG_DSN"


@contextlib.contextmanager
def postgres_server() -> Iterator[Callable[[str], str]]:
    """A PostgreSQL server for the sliced gather: ``$CTXLIC_BENCH_PG_DSN`` when set, else a throw-away one
    (``scripts/postgres.sh start``, stopped and deleted afterwards). Yields ``url(name)``: the URL of a new empty
    schema on it (dropped afterwards)."""
    import psycopg

    dsn = os.environ.get(PG_DSN_ENV)
    started = None
    if not dsn:
        script = REPO / "scripts" / "postgres.sh"
        proc = subprocess.run([str(script), "start"], capture_output=True, text=True, timeout=900, check=False)
        exports = dict(line[len("export "):].split("=", 1) for line in proc.stdout.splitlines()
                       if line.startswith("export ") and "=" in line)
        if proc.returncode != 0 or "CTXLIC_TEST_PG_DSN" not in exports:
            raise RuntimeError(f"no PostgreSQL: scripts/postgres.sh start failed ({proc.stderr.strip()[-500:]}); "
                               f"start one yourself and set {PG_DSN_ENV}, or leave this section out (--skip-sliced)")
        dsn, started = exports["CTXLIC_TEST_PG_DSN"], exports.get("CTXLIC_TEST_PG_DIR")
    schemas: list[str] = []

    def url(name: str) -> str:
        schema = f"bench_{name}_{os.getpid()}_{len(schemas)}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        schemas.append(schema)
        return f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"

    try:
        yield url
    finally:
        if started:
            subprocess.run([str(REPO / "scripts" / "postgres.sh"), "stop", started], capture_output=True,
                           timeout=300, check=False)
        elif schemas:
            with psycopg.connect(dsn, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


SLICE_AS_OF = (START + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
# One fixed query per evidence history table (no query text is built from data).
HISTORY_COUNTS = {"gathers": "SELECT count(*) FROM gathers", "observations": "SELECT count(*) FROM observations",
                  "events": "SELECT count(*) FROM events"}


def slice_hosts(hosts: list[str], number: int, slices: int) -> list[str]:
    """AWX's slicing: slice ``number`` (1-based) of ``slices`` holds every slices-th host from the number-th on."""
    return hosts[number - 1::slices]


def history_rows(url: str) -> dict[str, int]:
    """Rows in each evidence history table: a PostgreSQL URL (its search_path names the schema) or a SQLite file."""
    if not url.startswith(("postgresql://", "postgres://")):
        import sqlite3

        conn = sqlite3.connect(url)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return {table: conn.execute(query).fetchone()[0] if table in names else 0
                    for table, query in HISTORY_COUNTS.items()}
        finally:
            conn.close()
    import psycopg

    counts = {}
    with psycopg.connect(url) as conn:
        for table, query in HISTORY_COUNTS.items():
            try:
                counts[table] = conn.execute(query).fetchone()[0]
            except psycopg.errors.UndefinedTable:
                conn.rollback()
                counts[table] = 0
    return counts


def sliced_gather(workdir: Path, size: int, *, slices: int, forks: int, history_url: Callable[[str], str],
                  sample_interval: float = 0.5) -> dict:
    """Issue 19 item 4: the gather of ``size`` lab hosts as one unsliced job (mode=gather) and as ``slices``
    parallel slice jobs (``--limit``, AWX's slicing and job variables), each into a fresh PostgreSQL schema
    (``history_url(name)`` gives its URL), then the report job (mode=report) over the sliced history."""
    root = workdir / f"sliced{size}"
    inventory = create(root, gather_specs(size))
    hosts = _inventory_hosts(inventory)
    runs = workdir / f"sliced_runs{size}"
    playbook = REPO / "playbooks" / "fleet_report.yml"

    def gather_vars(url: str, **extra) -> dict:
        return {"ctxlic_telemetry_mode": "gather", "ctxlic_telemetry_as_of": SLICE_AS_OF,
                "ctxlic_telemetry_history_db": url, "ctxlic_telemetry_report_dir": str(runs / "reports"), **extra}

    unsliced_url = history_url("unsliced")
    unsliced = measure_playbook(f"unsliced_gather_{size}", playbook, inventory, runs, forks=forks,
                                extra_vars=gather_vars(unsliced_url), sample_interval=sample_interval)
    unsliced_rows = history_rows(unsliced_url)

    sliced_url = history_url("sliced")
    results: dict[int, PlaybookRun] = {}
    failures: list[str] = []

    def one_slice(number: int) -> None:
        try:
            results[number] = measure_playbook(
                f"slice{number}_{size}", playbook, inventory, runs, forks=forks, sample_interval=sample_interval,
                limit=slice_hosts(hosts, number, slices),
                extra_vars=gather_vars(sliced_url, awx_job_id=4711, awx_job_slice_number=number))
        except Exception as exc:  # reported with the section, the other slices carry on
            failures.append(f"slice {number}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=one_slice, args=(n,)) for n in range(1, slices + 1)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sliced_wall = time.perf_counter() - started
    if failures:
        raise RuntimeError("; ".join(failures))
    sliced_rows = history_rows(sliced_url)
    report = measure_playbook(
        f"report_job_{size}", playbook, inventory, runs, forks=forks, sample_interval=sample_interval,
        extra_vars={"ctxlic_telemetry_mode": "report", "ctxlic_telemetry_as_of": SLICE_AS_OF,
                    "ctxlic_telemetry_history_db": sliced_url, "ctxlic_telemetry_report_dir": str(runs / "reports")})
    slice_runs = [results[n].to_dict() for n in sorted(results)]
    return {
        "size": size, "slices": slices, "forks": forks,
        "unsliced": {**unsliced.to_dict(), "rows": unsliced_rows},
        "slice_runs": slice_runs,
        "sliced": {"wall_s": sliced_wall, "cpu_s": sum(r["cpu_s"] for r in slice_runs),
                   "rc": max((r["rc"] for r in slice_runs), default=1), "rows": sliced_rows,
                   "hosts": sum(r["hosts"] for r in slice_runs),
                   "calls_per_host": sum(r["calls"]["total"] for r in slice_runs) / max(1, len(hosts))},
        "report": report.to_dict(),
    }


SITE_WINDOW_AS_OF = "2025-03-01"  # build 51000 (December 2024) is the newest the shipped catalog knows and current


def site_idempotence(workdir: Path, size: int, *, forks: int, sample_interval: float = 0.5) -> dict:
    """playbooks/site.yml twice on ``size`` hosts: the first run converges, the second must change nothing."""
    root = workdir / f"site{size}"
    specs = site_specs(size)
    inventory = create(root, specs)
    licenses = write_site_licenses(root / "licenses", specs)
    # The window is judged on WINDOW_AS_OF, a day the shipped release catalog proves build 51000 current: the
    # scenario is a server that needs no upgrade. (On the lab's own day the shipped catalog is too old to prove
    # it: window "unknown", and site.yml would also run the package step, which finds the installed version
    # already there and installs nothing, for 6 more calls per host.) The installer is passed all the same, so a
    # run that judges differently still converges.
    installer = lab_fleet.make_installer(root / "installers" / "CitrixLicensing.exe", V51)
    extra = {
        "ctxlic_server_installer_src": str(installer),
        "ctxlic_server_version": V51,
        "ctxlic_server_min_free_mb": 100,
        "ctxlic_site_as_of": SITE_WINDOW_AS_OF,
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

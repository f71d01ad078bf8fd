# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create a simulated fleet of license servers and an Ansible inventory for it.

A fleet is a directory: ``clock.json`` (the lab's shared clock), ``hosts/<name>/`` (one simulated
Windows host each) and ``inventory.yml``. Hosts are created by running the simulated installer, so a
host's layout is whatever the installer lays down, then put into the state the scenario asks for.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen, schedule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.installer import Installer
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    DEFAULT_INSTALL_DIR,
    INSTALL_REG_KEY,
    LAB_DIR,
    SYSTEM32,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.programs import write_program
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState, read_json, write_json
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import (
    BLOCKED_MSG,
    DNS_FAILURE_MSG,
    result_xml,
)


@dataclass
class HostSpec:
    name: str
    hostname: str | None = None  # LS host name (case matters); defaults to name upper-cased
    version: str | None = "11.17.2.0 build 45000"  # None: License Server not installed
    install_dir: str = DEFAULT_INSTALL_DIR
    macs: list[str] = field(default_factory=lambda: [])
    reporting: str = "automatic"  # automatic | manual
    proxy: str | None = None
    network: dict = field(default_factory=lambda: {"dns": True, "direct": True, "proxies": {}})
    last_upload: dict | None = None  # {"days_ago": n, "outcome": success|dns|blocked}
    pending_zip_days: list[int] = field(default_factory=list)  # ages (days) of manual-upload zips
    licenses: list[dict] = field(default_factory=list)  # {"file": name, "hostnames": [...], "features": [...]}
    faults: dict = field(default_factory=dict)
    in_use: dict = field(default_factory=dict)
    unreachable: bool = False
    cis_bundles_spelling: str = "underscore"
    registry_version_override: str | None = None
    cluster_access_point: str | None = None  # a cluster's client access point (lmreread -c @<it>)
    license_paths: list[str] = field(default_factory=list)  # license files copied byte for byte into MyFiles
    las: dict | None = None  # LAS state: {registered, activated, mode, contact_days_ago} (lab/las.py)


def fleet_now(root: Path) -> datetime:
    data = read_json(Path(root) / "clock.json", None)
    return datetime.fromtimestamp(int(data["epoch"]), UTC) if data else datetime.now(UTC).replace(microsecond=0)


def set_clock(root: Path, when: datetime) -> None:
    write_json(Path(root) / "clock.json", {"epoch": int(when.timestamp()), "iso": when.isoformat()})


def make_installer(path: Path, version: str, kind: str = "exe", *, companion: bool = True) -> Path:
    """A lab installer file for ``version``: ``CitrixLicensing.exe`` or ``ctx_licensing.msi``.

    With ``companion`` the other file is written next to it, as the License Server download holds both (seed 004
    "Install licensing components using the command line": "Ensure that both .exe and .msi files are present").
    """
    path = Path(path)
    if companion:
        other = "CitrixLicensing.exe" if kind == "msi" else "ctx_licensing.msi"
        make_installer(path.with_name(other), version, "exe" if kind == "msi" else "msi", companion=False)
    if kind == "msi":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"ctxlic_lab_msi": True, "ProductName": "Citrix Licensing", "ProductVersion": version}),
            encoding="utf-8",
        )
    else:
        write_program(path, "CitrixLicensing.exe", INSTALLER_VERSION=version)
    return path


def _mac_for(index: int) -> str:
    return f"00:15:5d:00:{index // 256:02x}:{index % 256:02x}"


def create_host(fleet_root: Path, spec: HostSpec, index: int, now: datetime) -> Path:
    root = Path(fleet_root) / "hosts" / spec.name
    if root.exists():
        shutil.rmtree(root)
    (root / LAB_DIR).mkdir(parents=True)
    state = HostState(root)
    state.update_host(
        fleet_root=str(Path(fleet_root).resolve()),
        hostname=spec.hostname or spec.name.upper(),
        macs=spec.macs or [_mac_for(index)],
        network=spec.network,
        in_use=spec.in_use,
        cis_bundles_spelling=spec.cis_bundles_spelling,
        disk={"total_bytes": 64 * 1024**3, "base_used_bytes": 20 * 1024**3},
    )
    if spec.cluster_access_point:
        state.update_host(cluster_access_point=spec.cluster_access_point)
    write_program(win_to_lab(root, SYSTEM32 + r"\msiexec.exe"), "msiexec.exe")
    write_program(root / LAB_DIR / "bin" / "labctl", "labctl")
    if spec.version:
        code = Installer(root, write_program).install(spec.version, {"INSTALLDIR": spec.install_dir})
        if code not in (0, 3010):
            raise RuntimeError(f"lab: installing {spec.version} on {spec.name} failed with {code}")
        _apply_state(root, spec, now)
    if spec.las:
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import las as lab_las

        state.update_host(las=lab_las.state_from_spec(spec.las, now))
    state.set_faults(spec.faults)
    if spec.registry_version_override is not None:
        reg = state.registry.get(INSTALL_REG_KEY, {"LS_Install_Dir": spec.install_dir})
        reg["Version"] = spec.registry_version_override
        state.set_registry_key(INSTALL_REG_KEY, reg)
    return root


def _apply_state(root: Path, spec: HostSpec, now: datetime) -> None:
    state = HostState(root)
    base = win_to_lab(root, spec.install_dir)
    write_json(state.lab / "lms.json", {"enabled": spec.reporting != "manual", "changed_at": now.isoformat()})
    if spec.proxy:
        config = base / "WebServicesForLicensing" / "SimpleLicenseServiceConfig.xml"
        text = config.read_text(encoding="utf-8").replace(
            "</Configurations>", f"<Proxy>{spec.proxy}</Proxy>\r\n</Configurations>"
        )
        config.write_text(text, encoding="utf-8", newline="")
    hostname = state.host["hostname"]
    for lic in spec.licenses:
        text = licgen.license_text(lic.get("hostnames", [hostname]), lic["features"], mac=lic.get("mac"))
        (base / "MyFiles" / lic["file"]).write_text(text, encoding="utf-8", newline="")
    for source in spec.license_paths:
        (base / "MyFiles" / Path(source).name).write_bytes(Path(source).read_bytes())
    if spec.last_upload:
        when = now - timedelta(days=spec.last_upload["days_ago"])
        outcome = spec.last_upload.get("outcome", "success")
        if outcome == "success":
            xml = result_xml("CTX_UPLOADER_SUCCESS", "", when)
        else:
            xml = result_xml(
                "CTX_UPLOADER_ERROR_NETWORK_OPEN",
                DNS_FAILURE_MSG if outcome == "dns" else BLOCKED_MSG,
                when,
                "cis.citrix.com:443",
            )
        (base / "LS/resource/cache/upload_compliance_result.xml").write_text(xml, encoding="utf-8")
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import _write_zip

    ul_dir = "cis bundles" if spec.cis_bundles_spelling == "space" else "cis_bundles"
    for age in spec.pending_zip_days:
        when = now - timedelta(days=age)
        stamp = int(when.timestamp())
        _write_zip(base / "LS/resource/usage" / f"upload_compliance_{stamp}.zip", when, "compliance.xml")
        _write_zip(base / "LS/resource" / ul_dir / "ul_usage" / f"upload_usage_{stamp}.zip", when, "usage.json")
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.programs import Host

    Host(root).reread()


# Where a lab fleet's controller-side files go: inside the lab, so that a lab never writes into the user's
# real evidence history (~/.local/share/ctxlic/evidence.sqlite) or report folders, and a discarded lab's
# "last success" never shows up for a real host of the same name. Inventory variables (group "all"):
# they override the roles' defaults, and -e still overrides them.
CONTROLLER_DIR = "controller"


def controller_vars(fleet_root: Path) -> dict[str, str]:
    """The inventory variables that keep a lab fleet's evidence, reports, bundles and backups in the lab."""
    base = Path(fleet_root).resolve() / CONTROLLER_DIR
    return {
        "ctxlic_telemetry_history_db": str(base / "evidence.sqlite"),
        "ctxlic_telemetry_report_dir": str(base / "reports"),
        "ctxlic_telemetry_bundle_dest": str(base / "telemetry_bundles"),
        "ctxlic_decommission_history_db": str(base / "evidence.sqlite"),
        "ctxlic_decommission_dest": str(base / "decommissioned"),
        "ctxlic_dr_backup_dir": str(base / "dr_backups"),
    }


def is_lab(fleet_root: Path) -> bool:
    """Whether ``fleet_root`` already holds a lab fleet (its clock, hosts or inventory)."""
    root = Path(fleet_root)
    return any((root / name).exists() for name in ("clock.json", "hosts", "inventory.yml"))


def remove_lab(fleet_root: Path) -> None:
    """Delete a lab fleet's own files (clock, hosts, inventory, controller files); nothing else in the folder."""
    root = Path(fleet_root)
    for name in ("hosts", CONTROLLER_DIR):
        if (root / name).is_dir():
            shutil.rmtree(root / name)
    for name in ("clock.json", "inventory.yml"):
        (root / name).unlink(missing_ok=True)


def write_inventory(fleet_root: Path, specs: list[HostSpec], group: str = "license_servers") -> Path:
    hosts = {}
    for spec in specs:
        if spec.unreachable:
            # Nothing listens on port 1 of the loopback address: Ansible reports the host UNREACHABLE.
            hosts[spec.name] = {
                "ansible_host": "127.0.0.1",
                "ansible_port": 1,
                "ansible_connection": "ssh",
                "ansible_user": "lab",
                "ansible_ssh_common_args": "-o ConnectTimeout=3",
            }
            continue
        hosts[spec.name] = {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "ctxlic_lab_root": str((Path(fleet_root) / "hosts" / spec.name).resolve()),
        }
    inventory = {"all": {"vars": controller_vars(fleet_root), "children": {group: {"hosts": hosts}}}}
    path = Path(fleet_root) / "inventory.yml"
    path.write_text(json.dumps(inventory, indent=2), encoding="utf-8")  # JSON is valid YAML
    return path


def create_fleet(fleet_root: Path, specs: list[HostSpec], *, start: datetime | None = None) -> Path:
    fleet_root = Path(fleet_root)
    fleet_root.mkdir(parents=True, exist_ok=True)
    now = (start or datetime.now(UTC)).replace(microsecond=0)
    set_clock(fleet_root, now)
    for index, spec in enumerate(specs, start=1):
        if not spec.unreachable:
            create_host(fleet_root, spec, index, now)
    inventory = write_inventory(fleet_root, specs)
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import las as lab_las

    lab_las.write_host_vars(fleet_root)  # ctxlic_las, as the operator reads it in the Licensing Manager
    return inventory


def advance(fleet_root: Path, days: int) -> dict[str, list[str]]:
    """Move the lab clock forward ``days`` days, one day at a time, running the upload attempts each host's schedule
    holds (lab/schedule.py: five minutes after the service starts, then every 24 hours) and the daily LAS contact.

    Returns {host: outcomes}: per day the attempts that were due (normally one), ``service-stopped``,
    ``not-installed`` or ``not-due``, then the LAS contact for a host with a LAS state.
    """
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import las as lab_las
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import run_due

    fleet_root = Path(fleet_root)
    now = fleet_now(fleet_root)
    outcomes: dict[str, list[str]] = {}
    hosts = sorted(p for p in (fleet_root / "hosts").iterdir() if (p / LAB_DIR).is_dir())
    for _dummy in range(days):
        since, now = now, now + timedelta(days=1)
        set_clock(fleet_root, now)
        for host in hosts:
            outcomes.setdefault(host.name, []).extend(run_due(host, since, now))
            if HostState(host).host.get("las"):
                outcomes[host.name].append(lab_las.simulate_day(host, now))
    lab_las.write_host_vars(fleet_root)
    return outcomes


def reboot(host_root: Path) -> dict[str, str]:
    """Restart a lab host: every service whose start mode is automatic starts, every other one stays stopped.

    This is what Windows does at boot (Microsoft Learn, "ServiceStartMode Enum",
    https://learn.microsoft.com/dotnet/api/system.serviceprocess.servicestartmode: Automatic = started by
    the operating system at system start-up; Manual = started only by a user or an application; Disabled =
    cannot be started). Returns {service: state after the boot}.
    """
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.programs import Host

    state = HostState(Path(host_root))
    services = state.services
    wont_start = state.faults.get("service_wont_start", [])
    for name, svc in services.items():
        auto = str(svc.get("start_mode", "auto")).lower() in ("auto", "delayed")
        svc["state"] = "running" if auto and name not in wont_start else "stopped"
    state.write_services(services)
    state.record("reboot", services={name: svc["state"] for name, svc in services.items()})
    if services.get("Citrix Licensing", {}).get("state") == "running":
        schedule.service_started(state, state.now())  # the first upload five minutes after a (re)start (seed 001)
    else:
        schedule.cleared(state)
    if services.get("Citrix Licensing", {}).get("state") == "running" and Host(Path(host_root)).base:
        Host(Path(host_root)).reread()  # lmgrd reads MyFiles when it starts
    return {name: svc["state"] for name, svc in services.items()}


def uniform_specs(
    count: int, version: str | None = "11.17.2.0 build 45000", prefix: str = "ls", reporting: str = "automatic"
) -> list[HostSpec]:
    return [
        HostSpec(
            name=f"{prefix}{i:02d}",
            version=version,
            reporting=reporting,
            last_upload={"days_ago": 1, "outcome": "success"} if version else None,
        )
        for i in range(1, count + 1)
    ]


def demo_specs(today: date) -> list[HostSpec]:
    """About a dozen servers in the states a real estate drifts into (the README's main job)."""
    good = [{"feature": "XDT_PLT_UD", "count": 500, "expiry": today + timedelta(days=400), "name": "Citrix Platinum"}]
    return [
        HostSpec(
            "ls-current-01",
            version="11.17.2.0 build 51000",
            licenses=[{"file": "FID_current01.lic", "features": good}],
            last_upload={"days_ago": 1, "outcome": "success"},
            in_use={"XDT_PLT_UD": 212},
        ),
        HostSpec(
            "ls-current-02",
            version="11.17.2.0 build 51000",
            proxy="proxy.corp.example:8080",
            network={"dns": True, "direct": False, "proxies": {"proxy.corp.example:8080": True}},
            licenses=[{"file": "FID_current02.lic", "features": good}],
            last_upload={"days_ago": 1},
        ),
        HostSpec(
            "ls-overdue-upgrade",
            version="11.17.2.0 build 45000",
            last_upload={"days_ago": 2},
            licenses=[{"file": "FID_overdue.lic", "features": good}],
        ),
        HostSpec("ls-below-floor", version="11.17.2.0 build 39000", last_upload={"days_ago": 3}),
        HostSpec(
            "ls-firewalled",
            version="11.17.2.0 build 51000",
            network={"dns": True, "direct": False, "proxies": {}},
            last_upload={"days_ago": 1, "outcome": "blocked"},
        ),
        HostSpec(
            "ls-dns-failing",
            version="11.17.2.0 build 51000",
            network={"dns": False, "direct": False, "proxies": {}},
            last_upload={"days_ago": 1, "outcome": "dns"},
        ),
        HostSpec(
            "ls-manual-stale",
            version="11.17.2.0 build 51000",
            reporting="manual",
            last_upload={"days_ago": 130},
            pending_zip_days=[120, 90, 60, 30, 1],
        ),
        HostSpec(
            "ls-manual-fresh",
            version="11.17.2.0 build 51000",
            reporting="manual",
            last_upload={"days_ago": 20},
            pending_zip_days=[10, 2],
            cis_bundles_spelling="space",
        ),
        HostSpec(
            "ls-expired-licenses",
            version="11.17.2.0 build 51000",
            last_upload={"days_ago": 1},
            licenses=[
                {
                    "file": "FID_expired.lic",
                    "features": [{"feature": "XDT_ENT_UD", "count": 100, "expiry": today - timedelta(days=45)}],
                },
                {"file": "FID_valid.lic", "features": good},
            ],
        ),
        HostSpec(
            "ls-two-hostnames",
            version="11.17.2.0 build 51000",
            last_upload={"days_ago": 4},
            licenses=[{"file": "FID_two_hosts.lic", "hostnames": ["LS-TWO-HOSTNAMES", "OTHERHOST"], "features": good}],
        ),
        HostSpec("ls-not-installed", version=None),
        HostSpec("ls-unreachable", unreachable=True),
    ]

# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry point of every simulated Windows program on a lab host.

Each program file in a lab host's tree (``...\\LS\\lmreread.exe``, ``C:\\Windows\\System32\\msiexec.exe``,
a staged ``CitrixLicensing.exe``) is a tiny Python launcher that calls :func:`main` with its own name,
so the programs exist exactly where seed 004 says, and vanish when an uninstall deletes them.
Outputs follow seed 004 and the FlexNet conventions it shows; exit codes are non-zero on failure.
"""

from __future__ import annotations

import base64
import json
import ntpath
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import installer as lab_installer
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fileops, schedule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.flexnet import issued_on, served_features
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    INSTALL_REG_KEY,
    LICENSING_SERVICE,
    SERVICES,
    find_host_root,
    lab_to_win,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState, read_json, write_json

FLEXNET_BANNER = "{tool} - Copyright (c) 1989-2023 Flexera. All Rights Reserved."
FLEXNET_VERSION = "11.19.0"  # the lab's FlexNet version (lmver); the documents show no FlexNet/LS build mapping
COLLECTIONS_ROOT = Path(__file__).parents[6]


def write_program(path: Path, program: str, **constants: str) -> None:
    """Write a launcher for ``program`` at ``path`` (executable, like an .exe on Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    consts = "".join(f"{k} = {v!r}\n" for k, v in sorted(constants.items()))
    path.write_text(
        f"#!{sys.executable}\n"
        "# Citrix License Server lab simulator program (ctxlic.license_server lab).\n"
        "import sys\n"
        f"sys.path.insert(0, {str(COLLECTIONS_ROOT)!r})\n"
        f"{consts}"
        "from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.programs import main\n"
        f"sys.exit(main({program!r}, sys.argv, {', '.join(f'{k}={k}' for k in sorted(constants))}))\n",
        encoding="utf-8",
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


class Host:
    def __init__(self, root: Path):
        self.root = root
        self.state = HostState(root)

    @property
    def install(self) -> dict | None:
        return self.state.registry.get(INSTALL_REG_KEY)

    @property
    def base(self) -> Path | None:
        install = self.install
        return win_to_lab(self.root, install["LS_Install_Dir"]) if install else None

    def installed_base(self) -> Path:
        """The install folder, for the tools that run only where the License Server is installed.

        The lab keeps the install registry key and the services together (the installer writes both, an
        uninstall removes both), so a running daemon always has one; a lab state edited by hand may not.
        """
        base = self.base
        if base is None:
            raise RuntimeError(f"lab host {self.root}: no License Server install registry key ({INSTALL_REG_KEY})")
        return base

    def daemon_up(self) -> bool:
        return self.state.services.get(LICENSING_SERVICE, {}).get("state") == "running"

    def reread(self) -> dict:
        """What the vendor daemon does when it (re)reads MyFiles."""
        host = self.state.host
        served = served_features(self.installed_base() / "MyFiles", host.get("hostname", ""), host.get("macs", []),
                                 today=self.state.now().date(), cluster_access_point=host.get("cluster_access_point"))
        write_json(self.state.lab / "served.json", served)
        return served


# -- FlexNet tools ---------------------------------------------------------------------------------
def _target_ok(host: Host, argv: list[str]) -> bool:
    if "-c" not in argv:
        return True
    idx = argv.index("-c")
    target = argv[idx + 1] if idx + 1 < len(argv) else ""
    if not target.startswith("@"):
        return True
    name = target[1:]
    info = host.state.host
    return name in ("localhost", info.get("hostname"), info.get("cluster_access_point"))


def _cannot_connect(tool: str) -> int:
    _out(FLEXNET_BANNER.format(tool=tool))
    _err(f'{tool} failed: Cannot connect to license server system. (-15,10:10061 "WinSock: Connection refused")')
    return 1


def lmreread(host: Host, argv: list[str]) -> int:
    if not _target_ok(host, argv) or not host.daemon_up():
        host.state.record("lmreread", argv=argv, ok=False)
        return _cannot_connect("lmreread")
    if host.state.faults.get("lmreread_fail"):
        host.state.record("lmreread", argv=argv, ok=False)
        _out(FLEXNET_BANNER.format(tool="lmreread"))
        _err("lmreread failed: License server system does not support this feature. (-18,147)")
        return 1
    served = host.reread()
    host.state.record("lmreread", argv=argv, ok=True, features=sorted(served))
    _out(FLEXNET_BANNER.format(tool="lmreread"))
    _out("\nlmreread successful")
    return 0


def lmstat(host: Host, argv: list[str]) -> int:
    if not _target_ok(host, argv) or not host.daemon_up():
        return _cannot_connect("lmstat")
    served = read_json(host.state.lab / "served.json", None)
    if served is None:
        served = host.reread()
    in_use = host.state.host.get("in_use", {})
    myfiles = host.installed_base() / "MyFiles"
    lic_paths = ":".join(lab_to_win(host.root, p) for p in sorted(myfiles.glob("*.lic")))
    # seed 004 "Determine licensing status (lmstat)" (~4283-4295): "License Server status: 27000@localhost" shows
    # the installed License Server port (LSPORT), and "license server UP v11.15.0" the FlexNet version, not the
    # Citrix Licensing build.
    ports = read_json(host.state.lab / "install.json", {}).get("ports", {})
    port = ports.get("LSPORT", lab_installer.DEFAULT_PORTS["LSPORT"])
    lines = [
        FLEXNET_BANNER.format(tool="lmstat"),
        "Flexible License Manager status on " + host.state.now().strftime("%a %m/%d/%Y %H:%M"),
        "",
        f"License Server status: {port}@localhost",
        f"    License file(s) on localhost: {lic_paths}:",
        "",
        f"  localhost: license server UP v{FLEXNET_VERSION}",
        "",
        "Vendor daemon status (on localhost):",
        "",
        f"    CITRIX: UP v{FLEXNET_VERSION}",
        "",
        "Feature usage info:",
        "",
    ]
    today = host.state.now().date()
    for feature in sorted(served):
        # What the daemon serves today: expired, not yet started and superseded lines do not count (flexnet.py).
        issued = issued_on(served[feature], today)
        if issued <= 0:
            continue
        used = int(in_use.get(feature, 0))
        lines.append(f"Users of {feature}:  (Total of {issued} licenses issued;  Total of {used} licenses in use)")
        lines.append("")
    _out("\n".join(lines))
    return 0


def lmhostid(host: Host, argv: list[str]) -> int:
    info = host.state.host
    _out(FLEXNET_BANNER.format(tool="lmhostid"))
    if "-ether" in argv:
        macs = " ".join(m.replace(":", "").replace("-", "").lower() for m in info.get("macs", []))
        _out(f'The FlexNet host ID of this machine is "{macs}"')
    else:
        _out(f'The FlexNet host ID of this machine is "HOSTNAME={info.get("hostname", "")}"')
    return 0


def lmver(host: Host, argv: list[str]) -> int:
    version = (host.install or {}).get("Version", "unknown")
    _out(FLEXNET_BANNER.format(tool="lmver"))
    _out(f"FlexNet Licensing v{FLEXNET_VERSION}.0 build 302290 x64_n6 (Citrix Licensing {version})")
    return 0


def lmdiag(host: Host, argv: list[str]) -> int:
    """``lmdiag -c license_file_list [-n] [feature[:keyword=value]]`` (seed 004 "Diagnose checkout problems").

    Seed 004 ~4116-4146.

    It attempts a checkout of each feature (or the one named) and says whether it succeeded, with the reason when it
    did not. The document shows no output sample: the wording is the lab's own (docs/lab.md).
    """
    if not _target_ok(host, argv) or not host.daemon_up():
        return _cannot_connect("lmdiag")
    served = read_json(host.state.lab / "served.json", None)
    if served is None:
        served = host.reread()
    skip = {argv.index("-c") + 1} if "-c" in argv else set()
    asked = [a.split(":", 1)[0] for i, a in enumerate(argv[1:], start=1) if i not in skip and not a.startswith("-")]
    today = host.state.now().date()
    _out(FLEXNET_BANNER.format(tool="lmdiag"))
    failed = 0
    for feature in asked or sorted(served):
        entry = served.get(feature)
        if entry is None:
            failed += 1
            _out(f'"{feature}": checkout failed: no such feature exists in the license files the server reads')
        elif issued_on(entry, today) <= 0:
            failed += 1
            _out(f'"{feature}": checkout failed: no usable license (expired, not yet started or superseded)')
        else:
            _out(f'"{feature}": checkout successful')
    return 1 if failed else 0


def lmdown(host: Host, argv: list[str]) -> int:
    """``lmdown -c license_file_list [-vendor CITRIX] [-q] [-all]``: "The lmdown command is disabled by default"
    (seed 004 "Stop daemons (lmdown)", ~4148-4176). The lab's License Server keeps that default, so the daemons keep
    running; the message and exit code are the lab's own (docs/lab.md)."""
    _out(FLEXNET_BANNER.format(tool="lmdown"))
    _err("lmdown: the lmdown command is disabled on this License Server (it is disabled by default); "
         "stop the Citrix Licensing service instead")
    return 1


UDADMIN_USAGE = "usage: udadmin [-options] [-delete | -events | -list | -times]"


def _opt(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def udadmin(host: Host, argv: list[str]) -> int:
    """``udadmin [-options] [-delete | -events | -list | -times]`` (seed 004 "Display or release licenses for users or
    devices (udadmin)", ~4365-4440).

    The lab's user/device assignments are ``ud_licenses`` in the host state (``[{kind: user|device, name, feature,
    version, at}]``, set by scenarios). ``-list`` prints them as the document's example does (``-times`` adds the
    time, ``-f`` limits to one feature, ``-a`` lists the features and versions served), ``-delete`` releases one user or
    device (``-user``/``-device``) for the ``-f`` feature, ``-events`` lists the releases in order. No argument
    prints the usage.
    """
    state = host.state
    assigned = list(state.host.get("ud_licenses") or [])
    feature = _opt(argv, "-f")
    if "-delete" in argv:
        kind, name = ("user", _opt(argv, "-user")) if "-user" in argv else ("device", _opt(argv, "-device"))
        if not feature or not name:
            _err("udadmin: -delete needs -f <feature> and -user <name> or -device <name>")
            return 1
        keep = [a for a in assigned if not (a.get("kind") == kind and a.get("name") == name
                                            and a.get("feature") == feature)]
        if len(keep) == len(assigned):
            _err(f"udadmin: no {kind} {name} holds a {feature} license")
            return 1
        state.update_host(ud_licenses=keep)
        state.record("udadmin_release", user_device=kind, name=name, feature=feature)
        _out(f"Released the {feature} license of {kind} {name}.")
        return 0
    if "-events" in argv:
        for event in (e for e in state.events() if e["kind"] == "udadmin_release"):
            _out(f"{event['at']} released {event['user_device']} {event['name']} {event['feature']}")
        return 0
    if "-list" not in argv:
        _out(UDADMIN_USAGE)
        return 0
    _out("Usage data is 0 minutes old. Next update in 15 minutes.\n")
    if "-a" in argv:
        served = read_json(state.lab / "served.json", None) or host.reread()
        for name in sorted(served):
            _out(f"{name}: {issued_on(served[name], state.now().date())} licenses")
        _out("")
    for kind, title in (("user", "Users"), ("device", "Devices")):
        _out(f"{title}:\n")
        for item in assigned:
            if item.get("kind") != kind or (feature and item.get("feature") != feature):
                continue
            when = ""
            if "-times" in argv and item.get("at"):
                when = " (" + datetime.fromisoformat(item["at"]).strftime("%a %b %d %H:%M:%S %Y") + ")"
            _out(f"{item.get('name')} {item.get('feature')} {item.get('version', '')}{when}\n")
    return 0


def management_service(host: Host, argv: list[str]) -> int:
    """``ctx_license_management_service.exe (-enable | -disable | -query)`` (seed 004).

    Seed 004 does not show the -query output; the lab prints one line naming the state. The
    collection's parser refuses output it does not recognise rather than guessing.
    """
    path = host.state.lab / "lms.json"
    current = read_json(path, {"enabled": True})
    action = argv[1] if len(argv) > 1 else ""
    if action == "-query":
        _out(f"License Management Service is {'enabled' if current.get('enabled', True) else 'disabled'}.")
        return 0
    if action in ("-enable", "-disable"):
        enabled = action == "-enable"
        write_json(path, {"enabled": enabled, "changed_at": host.state.now().isoformat()})
        host.state.record("management_service", enabled=enabled)
        _out(f"License Management Service {'enabled' if enabled else 'disabled'} successfully.")
        return 0
    _err("Usage: ctx_license_management_service.exe (-enable | -disable | -query)")
    return 2


# -- the simulated OS (service control manager, disk, one-shot collection) --------------------------
def _service_set(host: Host, name: str, wanted: str) -> int:
    services = host.state.services
    if name not in services:
        _out(json.dumps({"exists": False, "changed": False, "msg": f"service {name!r} does not exist"}))
        return 1
    before = services[name]["state"]
    if wanted in ("started", "restarted") and str(services[name].get("start_mode", "auto")).lower() == "disabled":
        # A disabled service cannot be started (Microsoft Learn, "ServiceStartMode Enum": Disabled).
        _out(json.dumps({"changed": False, "state": before,
                         "msg": f"Service '{name}' cannot be started because it is disabled"}))
        return 1
    steps = {"started": ["running"], "stopped": ["stopped"], "restarted": ["stopped", "running"]}.get(wanted)
    if steps is None:
        _out(json.dumps({"changed": False, "msg": f"unknown state {wanted!r}"}))
        return 2
    for step in steps:
        if step == "running" and name in host.state.faults.get("service_wont_start", []):
            services[name]["state"] = "stopped"
            host.state.write_services(services)
            host.state.record("service", name=name, state="start-failed", myfiles=_myfiles_listing(host))
            if name == LICENSING_SERVICE:
                schedule.cleared(host.state)
            _out(
                json.dumps(
                    {
                        "changed": before != "stopped",
                        "state": "stopped",
                        "msg": f"Service '{name}' failed to start (lab fault service_wont_start)",
                    }
                )
            )
            return 1
        services[name]["state"] = step
        host.state.write_services(services)
        host.state.record("service", name=name, state=step, myfiles=_myfiles_listing(host))
        if name == LICENSING_SERVICE:
            # The first upload comes five minutes after the License Server starts or restarts (seed 001).
            if step == "running":
                schedule.service_started(host.state, host.state.now())
            else:
                schedule.cleared(host.state)
        if step == "running" and name == LICENSING_SERVICE and host.base:
            host.reread()  # lmgrd reads MyFiles when it starts
    changed = wanted == "restarted" or before != services[name]["state"]
    _out(json.dumps({"changed": changed, "state": services[name]["state"]}))
    return 0


def _service_config(host: Host, name: str, start_mode: str) -> int:
    """Set a service's start mode (win_service start_mode: auto, delayed, disabled, manual)."""
    services = host.state.services
    if name not in services:
        _out(json.dumps({"exists": False, "changed": False, "msg": f"service {name!r} does not exist"}))
        return 1
    if start_mode not in ("auto", "delayed", "disabled", "manual"):
        _out(json.dumps({"changed": False, "msg": f"unknown start mode {start_mode!r}"}))
        return 2
    before = services[name].get("start_mode")
    services[name]["start_mode"] = start_mode
    host.state.write_services(services)
    if before != start_mode:
        host.state.record("service-config", name=name, start_mode=start_mode, before=before)
    _out(json.dumps({"changed": before != start_mode, "start_mode": start_mode}))
    return 0


def _myfiles_listing(host: Host) -> list[str]:
    base = host.base
    if not base or not (base / "MyFiles").is_dir():
        return []
    return sorted(p.name for p in (base / "MyFiles").iterdir())


def _run_quiet(func, host: Host, argv: list[str]) -> dict:
    """Run one of the lab tools in-process, capturing what it prints (read-only tools only)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = func(host, argv)
    return {"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _file_entry(path: Path, host: Host, content: bool, max_bytes: int) -> dict:
    st = path.stat()
    entry = {
        "path": lab_to_win(host.root, path),
        "name": path.name,
        "size": st.st_size,
        "mtime": datetime.fromtimestamp(st.st_mtime, UTC).isoformat(),
    }
    if content:
        entry["content_b64"] = (
            base64.b64encode(path.read_bytes()[:max_bytes]).decode() if st.st_size <= max_bytes else None
        )
    return entry


def collect_info(host: Host, install_dir: str | None, max_bytes: int) -> dict:
    """Everything ``info`` needs, read-only, in one call: the lab's twin of collect_info.ps1."""
    host.state.slow()
    info = host.state.host
    registry = host.install
    install_dir = install_dir or (registry or {}).get("LS_Install_Dir")
    base = win_to_lab(host.root, install_dir) if install_dir else None
    result: dict = {
        "collector": "lab",
        "now": host.state.now().isoformat(),
        "computer_name": info.get("hostname"),
        "macs": info.get("macs", []),
        "registry": registry,
        "install_dir": install_dir,
        "install_dir_exists": bool(base and base.is_dir()),
        "services": [],
        "lmhostid": None,
        "management_service": None,
        "myfiles": [],
        "upload_result": None,
        "proxy_config": None,
        "pending": [],
        "lmstat": None,
        "disk": host.state.disk(),
    }
    services = host.state.services
    for name in SERVICES:
        svc = services.get(name)
        result["services"].append(
            {
                "name": name,
                "exists": svc is not None,
                "state": (svc or {}).get("state"),
                "start_mode": (svc or {}).get("start_mode"),
            }
        )
    if base is None or not install_dir or not result["install_dir_exists"]:
        return result
    ls = base / "LS"
    if (ls / "lmhostid.exe").exists():
        result["lmhostid"] = _run_quiet(lmhostid, host, ["lmhostid", "-hostname"])
    exe = ls / "ctx_license_management_service.exe"
    result["management_service"] = {"path": ntpath.join(install_dir, "LS", exe.name), "exists": exe.exists()}
    if exe.exists():
        result["management_service"].update(_run_quiet(management_service, host, [exe.name, "-query"]))
    myfiles = base / "MyFiles"
    if myfiles.is_dir():
        for path in sorted(myfiles.iterdir()):
            if path.is_file():
                result["myfiles"].append(_file_entry(path, host, path.suffix.lower() == ".lic", max_bytes))
    upload = ls / "resource" / "cache" / "upload_compliance_result.xml"
    if upload.is_file():
        result["upload_result"] = _file_entry(upload, host, True, max_bytes)
    config = base / "WebServicesForLicensing" / "SimpleLicenseServiceConfig.xml"
    if config.is_file():
        result["proxy_config"] = _file_entry(config, host, True, max_bytes)
    pending_dirs = [
        (ls / "resource" / "usage", "upload_compliance"),
        (ls / "resource" / "cis_bundles" / "ul_usage", "upload_usage"),
        (ls / "resource" / "cis bundles" / "ul_usage", "upload_usage"),
    ]
    for directory, prefix in pending_dirs:
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                if path.is_file() and path.name.startswith(prefix) and path.name.lower().endswith(".zip"):
                    result["pending"].append(_file_entry(path, host, False, max_bytes))
    if (ls / "lmstat.exe").exists():
        result["lmstat"] = _run_quiet(lmstat, host, ["lmstat", "-a", "-c", "@localhost"])
    return result


def labctl(host: Host, argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "service-query":
        services = host.state.services
        names = argv[2:] or list(SERVICES)
        _out(json.dumps([{"name": n, "exists": n in services, **services.get(n, {})} for n in names]))
        return 0
    if command == "service-set" and len(argv) == 4:
        return _service_set(host, argv[2], argv[3])
    if command == "service-config" and len(argv) == 4:
        return _service_config(host, argv[2], argv[3])
    if command == "exec":
        return _exec(host, argv)
    if command == "disk-free":
        _out(json.dumps(host.state.disk()))
        return 0
    if command == "collect-info":
        install_dir = argv[argv.index("--install-dir") + 1] if "--install-dir" in argv else None
        max_bytes = int(argv[argv.index("--max-bytes") + 1]) if "--max-bytes" in argv else 1024 * 1024
        _out(json.dumps(collect_info(host, install_dir, max_bytes)))
        return 0
    if command == "probe":  # connectivity probe (ctxlic.license_server.connectivity), see lab/probe.py
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.probe import probe_command

        return probe_command(host.state, argv[2:])
    if command in fileops.COMMANDS:  # file and registry access by Windows path, see lab/fileops.py
        rc, answer = fileops.run_command(host.root, command, argv[2:])
        _out(json.dumps(answer))
        return rc
    _err(
        "usage: labctl service-query [NAME...] | service-set NAME started|stopped|restarted | "
        "service-config NAME auto|delayed|disabled|manual | disk-free | "
        f"collect-info [--install-dir DIR] [--max-bytes N] | {fileops.USAGE}"
    )
    return 2


TOOLS = {
    "lmreread.exe": lmreread,
    "lmstat.exe": lmstat,
    "lmhostid.exe": lmhostid,
    "lmver.exe": lmver,
    "udadmin.exe": udadmin,
    "lmdiag.exe": lmdiag,
    "lmdown.exe": lmdown,
    "ctx_license_management_service.exe": management_service,
    "labctl": labctl,
}


EXIT_CODE_FILE_ENV = "CTXLIC_LAB_EXIT_CODE_FILE"


def main(program: str, argv: list[str], **constants: str) -> int:
    """Run ``program``; its full Windows exit code goes to ``$CTXLIC_LAB_EXIT_CODE_FILE`` when set.

    POSIX exit statuses keep only 8 bits (1603 would arrive as 67), so ``labctl exec`` passes a file
    for the real code, the way Windows hands a 32-bit exit code to its caller.
    """
    code = _dispatch(program, argv, **constants)
    target = os.environ.get(EXIT_CODE_FILE_ENV)
    if target:
        Path(target).write_text(str(code), encoding="ascii")
    return code


def _exec(host: Host, argv: list[str]) -> int:
    """``labctl exec [--chdir DIR] -- PROGRAM ARGS...``: run a lab program, print {rc, stdout, stderr} as JSON."""
    import subprocess
    import tempfile

    args = argv[2:]
    chdir = None
    if args[:1] == ["--chdir"]:
        chdir, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        _err("usage: labctl exec [--chdir DIR] -- PROGRAM [ARGS...]")
        return 2
    with tempfile.TemporaryDirectory(prefix="ctxlic-lab-") as tmp:
        code_file = Path(tmp) / "exit_code"
        env = dict(os.environ, **{EXIT_CODE_FILE_ENV: str(code_file)})
        try:
            proc = subprocess.run(args, cwd=chdir, env=env, capture_output=True, text=True, check=False)
        except OSError as exc:
            _out(json.dumps({"rc": 2, "stdout": "", "stderr": f"The system cannot run {args[0]}: {exc}"}))
            return 0
        rc = int(code_file.read_text()) if code_file.exists() else proc.returncode
    _out(json.dumps({"rc": rc, "stdout": proc.stdout, "stderr": proc.stderr}))
    return 0


def _dispatch(program: str, argv: list[str], **constants: str) -> int:
    here = Path(os.path.abspath(argv[0]))
    root = find_host_root(here.parent)
    host = Host(root)
    args = argv[1:]
    if program == "CitrixLicensing.exe":
        return lab_installer.citrix_licensing_exe(root, Path.cwd(), args, constants["INSTALLER_VERSION"], write_program,
                                                  program=here)
    if program == "msiexec.exe":
        return lab_installer.msiexec_exe(root, Path.cwd(), args, write_program)
    if program in ("lmutil.exe",) and args:
        sub = args[0] if args[0].endswith(".exe") else args[0] + ".exe"
        if sub in TOOLS:
            return TOOLS[sub](host, [sub, *args[1:]])
    if program in ("lmgrd.exe", "CITRIX.exe", "lmutil.exe"):
        _out(FLEXNET_BANNER.format(tool=program[:-4]))
        return 0
    tool = TOOLS.get(program)
    if tool is None:
        _err(f"{program}: not a lab program")
        return 127
    return tool(host, [program, *args])

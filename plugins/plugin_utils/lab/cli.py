# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line of the license-server lab.

    python -m ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli create DIR --hosts 3
    python -m ... create DIR --scenario demo
    python -m ... create DIR --scenario my_fleet.yml [--force]
    python -m ... reboot DIR HOST
    python -m ... advance DIR --days 7
    python -m ... fault DIR HOST --set installer_exit_code=1603 --set service_wont_start='["Citrix Licensing"]'
    python -m ... network DIR HOST --direct false --proxy proxy.corp:8080=true
    python -m ... network DIR HOST --las false            # block the LAS endpoints (--block api.cloud.com)
    python -m ... las DIR HOST --registered true --activated true --mode online
    python -m ... make-installer OUT --version "11.17.2.0 build 49000" [--kind msi]
    python -m ... events DIR HOST

``PYTHONPATH`` must contain the directory that holds ``ansible_collections`` (the collection's
install root, e.g. ``~/.ansible/collections``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet, scenario
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _create(args) -> int:
    start = None
    if args.scenario in ("uniform", "demo"):
        if args.hosts < 1:
            print(f"--hosts {args.hosts}: a fleet needs at least one host", file=sys.stderr)
            return 2
        specs = None
    else:
        try:
            specs, start = scenario.load(Path(args.scenario))
        except scenario.ScenarioError as exc:
            print(f"{exc}. Nothing was created.", file=sys.stderr)
            return 2
    if args.start:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            print(f"--start {args.start!r} is not an ISO date or time (e.g. 2026-11-22T12:00:00)", file=sys.stderr)
            return 2
    start = (start or datetime.now(UTC)).replace(tzinfo=(start or datetime.now(UTC)).tzinfo or UTC)
    if specs is None:
        specs = (
            fleet.demo_specs(start.date())
            if args.scenario == "demo"
            else fleet.uniform_specs(
                args.hosts, None if args.no_license_server else args.version, args.prefix, args.reporting
            )
        )
    if fleet.is_lab(args.root):
        if not args.force:
            print(
                f"{args.root} already holds a lab fleet (clock.json, hosts/ or inventory.yml); nothing was changed. "
                "Use another folder, or pass --force to delete that lab (its hosts, clock, inventory, and the "
                "evidence and reports under controller/) and create a new one.",
                file=sys.stderr,
            )
            return 2
        fleet.remove_lab(args.root)
    print(fleet.create_fleet(args.root, specs, start=start))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctxlic-lab", description="Simulated Citrix License Server fleet")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser(
        "create",
        help="create a fleet and its inventory",
        description=(
            "Create a lab fleet in ROOT: one simulated Windows host per server under ROOT/hosts, the lab clock "
            "(ROOT/clock.json) and an Ansible inventory (ROOT/inventory.yml, group license_servers). The inventory "
            "keeps the fleet's controller-side files inside the lab (ROOT/controller: evidence history, reports, "
            "telemetry bundles, DR backups), never in your real ~/.local/share/ctxlic or ~/ctxlic; pass -e to "
            "override. Refuses a ROOT that already holds a lab unless --force is given."
        ),
        epilog=(
            "A scenario file (YAML or JSON) describes each host; keys: "
            + "; ".join(f"{key}: {text}" for key, (_types, text) in scenario.HOST_KEYS.items())
            + ". See docs/lab.md for examples (DR twin, cluster, manual reporting, no License Server)."
        ),
    )
    create.add_argument("root", type=Path, help="the lab folder (created; must not hold a lab unless --force)")
    create.add_argument("--hosts", type=int, default=3,
                        help="uniform scenario: number of hosts, named <prefix>01, <prefix>02, ... (default 3)")
    create.add_argument("--prefix", default="ls", help="uniform scenario: host name prefix (default ls)")
    create.add_argument("--version", default="11.17.2.0 build 45000",
                        help='uniform scenario: installed version (default "11.17.2.0 build 45000")')
    create.add_argument("--no-license-server", action="store_true",
                        help="uniform scenario: hosts without a License Server installed (for install tests)")
    create.add_argument("--reporting", choices=["automatic", "manual"], default="automatic",
                        help="uniform scenario: reporting mode from the start; manual disables the License "
                             "Management Service (default automatic)")
    create.add_argument("--scenario", default="uniform", metavar="uniform|demo|FILE",
                        help="uniform (--hosts identical servers), demo (a dozen servers in mixed states, one "
                             "unreachable) or the path of a scenario file (YAML or JSON, see docs/lab.md)")
    create.add_argument("--start", help="lab clock start, ISO date or time, UTC (default: the scenario file's "
                                        "start, else now)")
    create.add_argument("--force", action="store_true",
                        help="replace an existing lab in ROOT: its hosts, clock, inventory and the evidence and "
                             "reports under ROOT/controller are deleted")
    reboot = sub.add_parser("reboot", help="restart a host: services with automatic start mode start, others stay "
                                           "stopped")
    reboot.add_argument("root", type=Path)
    reboot.add_argument("host")
    adv = sub.add_parser("advance", help="advance the lab clock, running the daily uploads")
    adv.add_argument("root", type=Path)
    adv.add_argument("--days", type=int, required=True)
    fault = sub.add_parser("fault", help="set or clear fault switches on a host")
    fault.add_argument("root", type=Path)
    fault.add_argument("host")
    fault.add_argument("--set", action="append", default=[], metavar="NAME=JSON")
    fault.add_argument("--clear", action="store_true")
    net = sub.add_parser("network", help="change a host's network model")
    net.add_argument("root", type=Path)
    net.add_argument("host")
    net.add_argument("--dns", choices=["true", "false"])
    net.add_argument("--direct", choices=["true", "false"])
    net.add_argument("--proxy", action="append", default=[], metavar="HOST:PORT=true|false")
    net.add_argument("--block", action="append", default=[], metavar="HOST",
                     help="close the direct route to HOST (e.g. a LAS endpoint, api.cloud.com)")
    net.add_argument("--unblock", action="append", default=[], metavar="HOST", help="open it again")
    net.add_argument("--las", choices=["true", "false"],
                     help="false: block every documented LAS endpoint (data/las.yml); true: unblock them")
    lasp = sub.add_parser("las", help="change a host's License Activation Service state, as an operator does in the "
                          "Citrix Licensing Manager / Citrix Cloud (rewrites host_vars/<host>.json: ctxlic_las)")
    lasp.add_argument("root", type=Path)
    lasp.add_argument("host")
    lasp.add_argument("--registered", choices=["true", "false"])
    lasp.add_argument("--activated", choices=["true", "false"])
    lasp.add_argument("--mode", choices=["online", "offline"])
    lasp.add_argument("--offline-exchange", action="store_true", help="record an offline activation blob exchange now")
    inst = sub.add_parser("make-installer", help="write a lab installer for a version")
    inst.add_argument("out", type=Path)
    inst.add_argument("--version", required=True)
    inst.add_argument("--kind", choices=["exe", "msi"], default="exe")
    ev = sub.add_parser("events", help="print a host's audit log")
    ev.add_argument("root", type=Path)
    ev.add_argument("host")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    if args.command == "create":
        return _create(args)
    if args.command == "advance":
        print(json.dumps(fleet.advance(args.root, args.days), indent=2))
        return 0
    if args.command in ("fault", "network", "events", "reboot", "las"):
        host_root = args.root / "hosts" / args.host
        if not host_root.is_dir():
            print(f"no lab host {args.host!r} under {args.root}", file=sys.stderr)
            return 2
        state = HostState(host_root)
        if args.command == "reboot":
            print(json.dumps(fleet.reboot(host_root), indent=2))
            return 0
        if args.command == "events":
            print(json.dumps(state.events(), indent=2))
            return 0
        if args.command == "fault":
            faults = {} if args.clear else state.faults
            for item in args.set:
                name, _dummy, value = item.partition("=")
                faults[name] = _value(value)
            state.set_faults(faults)
            print(json.dumps(faults))
            return 0
        if args.command == "las":
            from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import las as lab_las

            flag = {"true": True, "false": False, None: None}
            try:
                las = lab_las.set_state(state, fleet.fleet_now(args.root), registered=flag[args.registered],
                                        activated=flag[args.activated], mode=args.mode,
                                        offline_exchange=args.offline_exchange or None)
            except ValueError as exc:
                print(f"{exc}; nothing was changed", file=sys.stderr)
                return 2
            lab_las.write_host_vars(args.root)
            print(json.dumps(las))
            return 0
        network = dict(state.host.get("network", {}))
        blocked = list(network.get("blocked") or [])
        if args.las:
            from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import las as lab_las

            (args.unblock if args.las == "true" else args.block).extend(lab_las.endpoints())
        blocked = sorted({*blocked, *args.block} - set(args.unblock))
        if blocked or "blocked" in network:
            network["blocked"] = blocked
        if args.dns:
            network["dns"] = args.dns == "true"
        if args.direct:
            network["direct"] = args.direct == "true"
        proxies = dict(network.get("proxies", {}))
        for item in args.proxy:
            address, _dummy, ok = item.rpartition("=")
            proxies[address] = ok == "true"
        network["proxies"] = proxies
        state.update_host(network=network)
        print(json.dumps(network))
        return 0
    if args.command == "make-installer":
        print(fleet.make_installer(args.out, args.version, args.kind))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""Command line of the license-server lab.

    python -m ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli create DIR --hosts 3
    python -m ... create DIR --scenario demo
    python -m ... advance DIR --days 7
    python -m ... fault DIR HOST --set installer_exit_code=1603 --set service_wont_start='["Citrix Licensing"]'
    python -m ... network DIR HOST --direct false --proxy proxy.corp:8080=true
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

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ctxlic-lab", description="Simulated Citrix License Server fleet")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a fleet and its inventory")
    create.add_argument("root", type=Path)
    create.add_argument("--hosts", type=int, default=3)
    create.add_argument("--version", default="11.17.2.0 build 45000")
    create.add_argument("--scenario", choices=["uniform", "demo"], default="uniform")
    create.add_argument("--start", help="lab clock start, ISO date (default: now)")
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
    inst = sub.add_parser("make-installer", help="write a lab installer for a version")
    inst.add_argument("out", type=Path)
    inst.add_argument("--version", required=True)
    inst.add_argument("--kind", choices=["exe", "msi"], default="exe")
    ev = sub.add_parser("events", help="print a host's audit log")
    ev.add_argument("root", type=Path)
    ev.add_argument("host")
    args = parser.parse_args(argv)

    if args.command == "create":
        start = datetime.fromisoformat(args.start).replace(tzinfo=UTC) if args.start else datetime.now(UTC)
        specs = (
            fleet.demo_specs(start.date()) if args.scenario == "demo" else fleet.uniform_specs(args.hosts, args.version)
        )
        print(fleet.create_fleet(args.root, specs, start=start))
        return 0
    if args.command == "advance":
        print(json.dumps(fleet.advance(args.root, args.days), indent=2))
        return 0
    if args.command in ("fault", "network", "events"):
        host_root = args.root / "hosts" / args.host
        if not host_root.is_dir():
            print(f"no lab host {args.host!r} under {args.root}", file=sys.stderr)
            return 2
        state = HostState(host_root)
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
        network = dict(state.host.get("network", {}))
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

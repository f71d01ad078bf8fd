# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``labctl probe``: the lab's twin of the Windows connectivity probe (``PROBE_UPLOAD_PS``).

A lab host has no real network. Its network model lives in ``.lab/host.json`` ``"network"``:
``{"dns": bool, "direct": bool, "proxies": {"host:port": bool}}`` (whether the upload host resolves,
whether the direct route to it is open, and which proxies would forward a connection to it). The
lab's daily uploader (:mod:`.uploader`) decides every simulated upload from the same model, and the
probe must give the answer the uploader would:

* a configured proxy is used: the upload succeeds iff ``proxies[proxy]`` is true;
* otherwise, DNS failing fails the upload (seed 001's ``WSAHOST_NOT_FOUND`` sample);
* otherwise the direct route decides.

So the probe's steps are: ``dns`` = ``network.dns``; ``direct`` = DNS resolves and the direct route
is open; ``proxy`` (only when a proxy is given) = the proxy forwards (the proxy resolves the name
itself, so local DNS does not matter there). Modelling choices where neither the seeds nor the model
say more: a proxy listed as false is reachable but refuses the tunnel (it answers
``HTTP/1.1 403 Forbidden``); a proxy not listed at all is not reachable (the connect times out). The
model covers the telemetry upload host only; the lab answers the same for any ``--upload-host`` and
``--port``. Error texts follow what .NET reports on Windows (``No such host is known``) and the
Windows probe script's own timeout message.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState

DEFAULT_NETWORK = {"dns": True, "direct": True, "proxies": {}}
#: The address the lab hands out for a name that resolves (TEST-NET-3, RFC 5737: never routed).
LAB_ADDRESS = "203.0.113.10"
NO_SUCH_HOST = "No such host is known."
CONNECT_OK = "HTTP/1.1 200 Connection established"
CONNECT_REFUSED = "HTTP/1.1 403 Forbidden"
USAGE = ("usage: labctl probe --upload-host HOST [--port N] [--proxy HOST:PORT] [--timeout SECONDS]\n"
         "       labctl probe --target HOST:PORT [--target HOST:PORT ...] [--proxy HOST:PORT] [--timeout SECONDS]")


def _timed_out(target: str, timeout: int) -> str:
    return f"connect to {target} timed out after {timeout} s"


def probe(network: dict[str, Any], upload_host: str, port: int, proxy: str | None, timeout: int) -> dict[str, Any]:
    """The probe's raw steps for one host's network model (same shape as the Windows script's output)."""
    resolves = bool(network.get("dns", True))
    dns = {"ok": resolves, "addresses": [LAB_ADDRESS] if resolves else [], "error": None if resolves else NO_SUCH_HOST}
    if not resolves:
        direct = {"ok": False, "error": NO_SUCH_HOST}
    elif network.get("direct", True) and upload_host not in (network.get("blocked") or []):
        direct = {"ok": True, "error": None}  # `blocked`: hosts whose direct route is closed (lab network --block)
    else:
        direct = {"ok": False, "error": _timed_out(f"{upload_host}:{port}", timeout)}
    steps: dict[str, Any] = {"dns": dns, "direct": direct, "proxy": None}
    if proxy:
        proxies = network.get("proxies") or {}
        if proxy not in proxies:
            steps["proxy"] = {"configured": True, "status_line": None, "error": _timed_out(proxy, timeout)}
        else:
            line = CONNECT_OK if proxies[proxy] else CONNECT_REFUSED
            steps["proxy"] = {"configured": True, "status_line": line, "error": None}
    return steps


def _option(args: list[str], name: str, default: str | None = None) -> str | None:
    if name not in args:
        return default
    index = args.index(name)
    if index + 1 >= len(args):
        raise ValueError(f"{name} needs a value")
    return args[index + 1]


def _targets(args: list[str]) -> list[tuple[str, int]]:
    """Every ``--target HOST:PORT`` in order (the Windows script's UploadHost[i]/Port[i] pairs)."""
    targets = []
    for index, arg in enumerate(args):
        if arg != "--target":
            continue
        if index + 1 >= len(args):
            raise ValueError("--target needs a value")
        target_host, sep, target_port = args[index + 1].rpartition(":")
        if not sep or not target_host:
            raise ValueError(f"--target {args[index + 1]!r} is not HOST:PORT")
        targets.append((target_host, int(target_port)))
    return targets


def probe_command(state: HostState, args: list[str]) -> int:
    """``labctl probe ...``: print the steps as JSON (rc 0), or the usage on stderr (rc 2).

    ``--upload-host`` probes one target and prints its steps; ``--target`` (repeatable) probes every target in
    one run and prints a list of steps, in order, as the Windows script answers one result per target.
    """
    try:
        upload_host = _option(args, "--upload-host")
        port = int(_option(args, "--port", "443") or "443")
        timeout = int(_option(args, "--timeout", "10") or "10")
        proxy = _option(args, "--proxy")
        targets = _targets(args)
    except ValueError as exc:
        sys.stderr.write(f"labctl probe: {exc}\n{USAGE}\n")
        return 2
    if not upload_host and not targets:
        sys.stderr.write(f"labctl probe: --upload-host or --target is required\n{USAGE}\n")
        return 2
    state.slow()
    network = state.host.get("network", DEFAULT_NETWORK)
    if targets:
        answer: object = [probe(network, host, target_port, proxy, timeout) for host, target_port in targets]
    else:
        answer = probe(network, str(upload_host), port, proxy, timeout)
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0

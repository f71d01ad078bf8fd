# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Describe the machine a benchmark ran on (CPU, memory, load, Python, ansible-core).

The parsers take the text of /proc files so they can be tested on fixed input; :func:`describe`
reads the real files.
"""

from __future__ import annotations

import os
import platform
import sys


def parse_cpuinfo(text: str) -> dict:
    """CPU model name and logical CPU count from /proc/cpuinfo text."""
    model = None
    logical = 0
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        key = key.strip()
        if key == "processor":
            logical += 1
        elif key == "model name" and model is None:
            model = value.strip()
    return {"model": model or platform.processor() or "unknown", "logical_cpus": logical or os.cpu_count() or 0}


def parse_meminfo(text: str) -> dict:
    """Total and available memory in bytes from /proc/meminfo text (None when absent)."""
    found: dict[str, int | None] = {"MemTotal": None, "MemAvailable": None}
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        if key in found and value.split():
            found[key] = int(value.split()[0]) * 1024
    return {"total_bytes": found["MemTotal"], "available_bytes": found["MemAvailable"]}


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def ansible_core_version() -> str:
    try:
        from ansible.release import __version__
    except ImportError:
        return "not installed"
    return __version__


def describe() -> dict:
    """The current machine: CPU, memory, load average at the start, OS, Python, ansible-core, lxml."""
    try:
        from lxml import etree

        lxml_version = ".".join(str(x) for x in etree.LXML_VERSION)
    except ImportError:
        lxml_version = "not installed"
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu": parse_cpuinfo(_read("/proc/cpuinfo")),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory": parse_meminfo(_read("/proc/meminfo")),
        "load_average": list(load) if load else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "ansible_core": ansible_core_version(),
        "lxml": lxml_version,
    }

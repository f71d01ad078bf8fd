# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkpoints of a benchmark run, so a long run can stop and carry on (``scripts/bench.sh --resume``).

A run can be stopped part-way (or a section fail). Each section (pure benchmarks, the gather on one fleet
size, site.yml, the zip cleanup, the sliced gather) carries its own baseline, so it can be measured at a
different time from the others without breaking the "same run" rule of a ratio: the ratio is always
between figures of one section. After every
section the raw results are saved; ``--resume`` reuses the sections that finished, in a results file made
with the same settings, and measures only the rest. Every section records when it ran and the load around
it, and the report shows that.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

# Settings that change what a section measures: a results file made with other values cannot be resumed.
COMPARED_SETTINGS = ("forks", "records", "repeat", "naive_max_hosts", "slices")
REPORT_PATH = "docs/performance.md"


def section_keys(settings: dict) -> list[str]:
    """Every section the settings ask for, in the order the run measures them: the quick sections first and
    the largest fleets (gathers larger than the site.yml fleet, then the sliced gather) last, so a run stopped
    early has measured as much as possible."""
    keys = ["pure"] if settings.get("records") and settings.get("pure", True) else []
    site_hosts = settings.get("site_hosts")
    sizes = sorted(settings.get("sizes") or [])
    keys += [f"gather {size}" for size in sizes if not site_hosts or size <= site_hosts]
    if site_hosts:
        keys.append(f"site {site_hosts}")
    if settings.get("cleanup_hosts"):
        keys.append(f"cleanup {settings['cleanup_hosts']}")
    if site_hosts:
        keys += [f"gather {size}" for size in sizes if size > site_hosts]
    if settings.get("sliced_hosts"):
        keys.append(f"sliced {settings['sliced_hosts']}")
    return keys


def finished_keys(results: dict) -> set[str]:
    """The sections of a results dict that ran to the end without a harness error."""
    done = set()
    if results.get("pure") and not results["pure"].get("error"):
        done.add("pure")
    done |= {f"gather {g['size']}" for g in results.get("gather") or [] if not g.get("error")}
    for key in ("site", "cleanup", "sliced"):
        section = results.get(key)
        if section and not section.get("error"):
            done.add(f"{key} {section['size']}")
    return done


def resumable(previous: dict, settings: dict) -> tuple[bool, str]:
    """Whether results of an earlier run may be reused with these settings, and why not."""
    old = previous.get("settings") or {}
    differing = [name for name in COMPARED_SETTINGS if old.get(name) != settings.get(name)]
    if differing:
        return False, "settings differ: " + ", ".join(f"{n} {old.get(n)!r} -> {settings.get(n)!r}" for n in differing)
    return True, ""


def load(path: Path) -> dict | None:
    """The saved results, or None when there are none or they are unreadable (a run killed mid-write)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save(path: Path, results: dict) -> None:
    """Write the results atomically: an interrupted save keeps the previous checkpoint."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    os.replace(temporary, path)


def load_average() -> list[float] | None:
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def source_revision(repo: Path) -> str:
    """The commit the measured code comes from, with '+changes' when the checkout differs from it."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=10", "HEAD"], capture_output=True,
                              text=True, check=True, timeout=30).stdout.strip()
        # The report this run writes is tracked too; its own changes are not changes to the measured code.
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no", "--",
                                ".", f":(exclude){REPORT_PATH}"],
                               capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return head + (" +changes" if dirty else "")


class SectionClock:
    """When a section ran, how long, and the machine's load before and after: stored with its figures."""

    def __init__(self, repo: Path) -> None:
        self.revision = source_revision(repo)
        self.started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.load_before = load_average()
        self._started = time.perf_counter()

    def stamp(self) -> dict:
        return {"measured_at": self.started_at, "revision": self.revision, "load_before": self.load_before,
                "load_after": load_average(),
                "section_s": time.perf_counter() - self._started}

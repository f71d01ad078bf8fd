# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab's license daemon serves: a deliberately small reading of license files.

This is the simulator's own reading, independent of the collection's parser, so a bug in one does
not hide a bug in the other. It implements the server-side rules seed 004 states: only files ending
in lower-case ``.lic`` in MyFiles are read; a file with several ``HOSTNAME=`` lines is ignored; a
file bound to another host name (case-sensitive) or MAC serves nothing; INCREMENT counts add up.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

_INCREMENT = re.compile(r"^(?:INCREMENT|FEATURE)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+(\S+)(.*)$", re.MULTILINE)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _joined(text: str) -> str:
    return re.sub(r"\\[ \t]*\r?\n", " ", text)


def _day(text: str | None) -> str | None:
    """``31-dec-2028`` -> ``2028-12-31``; None for ``permanent``, year 0 or anything unreadable."""
    match = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})", (text or "").strip('"'))
    if not match or match.group(2).lower() not in _MONTHS or int(match.group(3)) == 0:
        return None
    try:
        return datetime.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1))).isoformat()
    except ValueError:
        return None


def _attr(rest: str, key: str) -> str | None:
    # seed 004 "License file format" (~2160-2210): keywords are upper case; values may be quoted.
    match = re.search(rf"(?:^|\s){key}=(\"[^\"]*\"|\S+)", rest)
    return match.group(1).strip('"') if match else None


def _lines(text: str, name: str) -> list[dict]:
    out = []
    for feature, expiry, count, rest in _INCREMENT.findall(text):
        out.append({
            "feature": feature, "file": name,
            "count": 10000 if count == "uncounted" else int(count) if count.isdigit() else 0,
            "expiry": None if expiry.lower() == "permanent" else (_day(expiry) or "unreadable"),
            "start": _day(_attr(rest, "START")),
            "issued": _day(_attr(rest, "ISSUED")),
            "supersede": (_attr(rest, "SUPERSEDE") or "").split() if re.search(r"(?:^|\s)SUPERSEDE=", rest) else None,
        })
    return out


def _superseded(lines: list[dict]) -> None:
    """Mark lines an upgrade line makes ineffective.

    seed 004 "License file format" (~2204): SUPERSEDE="F1 F2 ..." -- "this line supersedes all licenses issued
    before the date specified in ISSUED= and they become ineffective". The lab applies it to the features the
    attribute lists, issued strictly before the superseding line's ISSUED date (docs/lab.md).
    """
    for upper in lines:
        if upper["supersede"] is None or not upper["issued"]:
            continue
        for line in lines:
            if line is not upper and line["feature"] in upper["supersede"] and line["issued"] \
                    and line["issued"] < upper["issued"]:
                line["superseded"] = True


def issued_on(entry: dict, today: datetime.date) -> int:
    """Licenses of one served feature that count on ``today``.

    seed 004 "License file format" (~2203): "The License Server cannot use licenses before their start date ...
    not visible in your License Server inventory until the actual START date"; an expired license does not work
    (seed 004 "Delete license files": expired licenses are obsolete); superseded lines are ineffective (~2204).
    """
    day = today.isoformat()
    if "lines" not in entry:  # served.json written before the lab kept lines
        return int(entry.get("issued", 0))
    return sum(line["count"] for line in entry["lines"]
               if not line.get("superseded") and line["expiry"] != "unreadable"
               and (line["expiry"] is None or line["expiry"] >= day)
               and (line["start"] is None or line["start"] <= day))


def served_features(myfiles: Path, hostname: str, macs: list[str], *, today: datetime.date | None = None,
                    cluster_access_point: str | None = None) -> dict[str, dict]:
    """Feature -> {issued, files, lines} for every license file the daemon would accept.

    ``issued`` counts what is usable on ``today`` (:func:`issued_on`); ``lines`` keep what lmstat needs to judge a
    later day. On a cluster the daemon answers to the client access point: seed 004 "Clustered License Servers"
    (~4644) has the files name "the client access point name of the License Server as the host name".
    """
    served: dict[str, dict] = {}
    identity = cluster_access_point or hostname
    norm_macs = {re.sub(r"[^0-9a-f]", "", m.lower()) for m in macs}
    all_lines: list[dict] = []
    for path in sorted(myfiles.glob("*")):
        if not path.is_file() or not path.name.endswith(".lic"):
            continue
        text = _joined(path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff"))
        hostnames = re.findall(r"HOSTNAME=(\S+)", text)
        server = re.search(r"^SERVER\s+\S+\s+(\S+)", text, re.MULTILINE)
        if len(hostnames) > 1 or not server:
            continue
        ident = server.group(1)
        if ident.startswith("HOSTNAME="):
            if ident.split("=", 1)[1] != identity:
                continue
        elif ident != "ANY" and re.sub(r"[^0-9a-f]", "", ident.lower()) not in norm_macs:
            continue
        all_lines += _lines(text, path.name)
    _superseded(all_lines)
    for line in all_lines:
        entry = served.setdefault(line["feature"], {"issued": 0, "files": [], "lines": []})
        entry["lines"].append(line)
        if line["file"] not in entry["files"]:
            entry["files"].append(line["file"])
    for entry in served.values():
        entry["issued"] = issued_on(entry, today or datetime.date.today())
    return served

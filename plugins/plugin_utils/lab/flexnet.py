"""What the lab's license daemon serves: a deliberately small reading of license files.

This is the simulator's own reading, independent of the collection's parser, so a bug in one does
not hide a bug in the other. It implements the server-side rules seed 004 states: only files ending
in lower-case ``.lic`` in MyFiles are read; a file with several ``HOSTNAME=`` lines is ignored; a
file bound to another host name (case-sensitive) or MAC serves nothing; INCREMENT counts add up.
"""

from __future__ import annotations

import re
from pathlib import Path

_INCREMENT = re.compile(r"^(?:INCREMENT|FEATURE)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+(\S+)", re.MULTILINE)


def _joined(text: str) -> str:
    return re.sub(r"\\[ \t]*\r?\n", " ", text)


def served_features(myfiles: Path, hostname: str, macs: list[str]) -> dict[str, dict]:
    """Feature -> {issued, files} for every license file the daemon would accept."""
    served: dict[str, dict] = {}
    norm_macs = {re.sub(r"[^0-9a-f]", "", m.lower()) for m in macs}
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
            if ident.split("=", 1)[1] != hostname:
                continue
        elif ident != "ANY" and re.sub(r"[^0-9a-f]", "", ident.lower()) not in norm_macs:
            continue
        for feature, _expiry, count in _INCREMENT.findall(text):
            entry = served.setdefault(feature, {"issued": 0, "files": []})
            entry["issued"] += 10000 if count == "uncounted" else int(count) if count.isdigit() else 0
            entry["files"].append(path.name)
    return served

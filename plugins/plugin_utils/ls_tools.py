"""Reading what the License Server's command-line tools print (pure).

``lmhostid`` and ``lmreread`` print FlexNet's standard lines (seed 004 shows the commands, FlexNet
defines the text). ``ctx_license_management_service.exe -query`` output is not shown in the seeds,
so :func:`parse_management_query` only accepts output that names exactly one of the two states
and otherwise says it cannot tell, instead of guessing.
"""

from __future__ import annotations

import re

_HOSTID = re.compile(r'host ID of this machine is\s+"([^"]*)"', re.IGNORECASE)
_STATE_WORDS = re.compile(r"\b(enabled|disabled)\b", re.IGNORECASE)


def parse_lmhostid(stdout: str | None) -> list[str]:
    """Host IDs from ``lmhostid -hostname`` / ``-ether`` output (``HOSTNAME=`` prefix removed)."""
    match = _HOSTID.search(stdout or "")
    if not match:
        return []
    ids = []
    for item in match.group(1).split():
        ids.append(item.split("=", 1)[1] if item.upper().startswith("HOSTNAME=") else item)
    return ids


def parse_management_query(stdout: str | None) -> bool | None:
    """True/False when the ``-query`` output names one state unambiguously, else None."""
    states = {m.group(1).lower() for m in _STATE_WORDS.finditer(stdout or "")}
    if len(states) != 1:
        return None
    return states.pop() == "enabled"


def lmreread_succeeded(rc: int, stdout: str, stderr: str) -> bool:
    """``lmreread`` reports success on stdout; a zero exit code alone is not trusted."""
    return rc == 0 and "lmreread successful" in (stdout or "").lower() and "failed" not in (stderr or "").lower()

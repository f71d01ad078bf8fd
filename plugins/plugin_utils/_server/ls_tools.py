# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Reading what the License Server's command-line tools print (pure).

``lmhostid`` and ``lmreread`` print FlexNet's standard lines (seed 004 shows the commands, FlexNet
defines the text). ``ctx_license_management_service.exe -query`` output is not shown in the seeds,
so :func:`parse_management_query` only accepts output that names exactly one of the two states
and otherwise says it cannot tell, instead of guessing.
"""

from __future__ import annotations

import ntpath
import re

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

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


# -- License Management Service (ctx_license_management_service.exe) --------------------------------
# Seed 004 "Using the command line to enable or disable the License Management Service":
# ``ctx_license_management_service.exe (-enable | -disable | -query)``, in ``<install>\LS`` like the
# other License Server programs.
MANAGEMENT_SERVICE_EXE = "ctx_license_management_service.exe"
_MANAGEMENT_STATES = ("enabled", "disabled", "query")


def ls_program_dir(install_dir: str) -> str:
    """``<install>\\LS``: where the License Server's programs live and where they are run from."""
    return ntpath.join(install_dir, "LS")


def management_service_exe(install_dir: str) -> str:
    """Full Windows path of ``ctx_license_management_service.exe`` under ``install_dir``."""
    return ntpath.join(ls_program_dir(install_dir), MANAGEMENT_SERVICE_EXE)


def management_service_flag(enabled: bool) -> str:
    """The command-line switch that puts the service into the ``enabled`` state (``-enable``/``-disable``)."""
    return "-enable" if enabled else "-disable"


def plan_management_service(state: str, current: bool) -> tuple[bool, str | None]:
    """(changed, switch to run or None) for ``state`` given the queried ``current`` enabled flag.

    ``query`` never changes anything; ``enabled``/``disabled`` run their switch only when the
    service is not already in that state, which is what makes the module idempotent.
    """
    if state not in _MANAGEMENT_STATES:
        raise InputError(f"state={state!r} is not one of {', '.join(_MANAGEMENT_STATES)}")
    if state == "query":
        return False, None
    wanted = state == "enabled"
    if wanted == current:
        return False, None
    return True, management_service_flag(wanted)


def reporting_mode(enabled: bool | None) -> str:
    """``automatic`` (service enabled), ``manual`` (disabled) or ``unknown``."""
    if enabled is None:
        return "unknown"
    return "automatic" if enabled else "manual"


def manual_upload_dirs(install_dir: str) -> list[str]:
    """Where manual-mode upload bundles accumulate (seed 001 "Reporting options").

    ``upload_compliance*.zip`` in ``LS\\resource\\usage`` and, from 11.17.2 build 45000,
    ``upload_usage*.zip`` in ``LS\\resource\\cis_bundles\\ul_usage`` (seed 001 also spells it
    ``cis bundles``: both spellings are listed).
    """
    resource = ntpath.join(ls_program_dir(install_dir), "resource")
    return [
        ntpath.join(resource, "usage"),
        ntpath.join(resource, "cis_bundles", "ul_usage"),
        ntpath.join(resource, "cis bundles", "ul_usage"),
    ]


def manual_reporting_warning(install_dir: str) -> str:
    """The operator's duty once electronic reporting is disabled (seeds 001 and 004)."""
    usage, ul_usage, ul_usage_space = manual_upload_dirs(install_dir)
    return (
        "The License Management Service is disabled: electronic license reporting is off and manual reporting "
        "is now your duty (Citrix Licensing 11.17.2 build 49000 documentation: 'If you disable electronic license "
        "reporting, you agree to manual "
        "reporting'). Upload the usage data to Citrix through Citrix Insight Services (CTX472950) at least every "
        "90 days (Citrix Licensing data collection programs: the days since the last successful upload must not "
        "exceed 90). The files accumulate "
        f"as upload_compliance*.zip in {usage} and, from build 45000, as upload_usage*.zip in {ul_usage} "
        f"(also spelled {ul_usage_space}); upload them, then delete them, or the disk fills up (Citrix Licensing data "
        "collection programs)."
    )


def management_state_text(enabled: bool | None) -> str:
    """A small text for ``--diff``: the service state and the reporting mode it means."""
    state = {True: "enabled", False: "disabled", None: "unknown"}[enabled]
    return f"license_management_service: {state}\nreporting_mode: {reporting_mode(enabled)}\n"

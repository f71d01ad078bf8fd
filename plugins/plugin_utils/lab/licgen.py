# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""License files for lab scenarios, in the format of seed 004 (signatures are fake hex)."""

from __future__ import annotations

import hashlib
from datetime import date

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def flex_date(day: date) -> str:
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def _fake_sign(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest().upper()[:40]
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def license_text(hostnames: list[str], features: list[dict], *, mac: str | None = None, newline: str = "\r\n") -> str:
    """A Citrix license file bound to ``hostnames`` (one normally; several reproduces the known issue)."""
    lines = ["# This file is in UTF-8 format.", "#"]
    if mac:
        lines.append(f"SERVER this_host {mac}")
    for name in hostnames:
        lines.append(f"SERVER this_host HOSTNAME={name}")
    lines += ["VENDOR CITRIX", "USE_SERVER"]
    for item in features:
        expiry = item.get("expiry")
        expiry_text = "permanent" if expiry is None else flex_date(expiry)
        css = item.get("css", date(2027, 1, 1))
        issued = item.get("issued", date(2025, 1, 15))
        # Deterministic across runs (hash() of a str is salted per process).
        digest = int(hashlib.sha256(item["feature"].encode()).hexdigest(), 16)
        serial = item.get("serial", f"LA-{digest % 10**10:010d}")
        sign = _fake_sign(f"{item['feature']}{serial}{expiry_text}")
        lines.append(
            f"INCREMENT {item['feature']} CITRIX {css.year}.{css.month:02d}{css.day:02d} {expiry_text} "
            f"{item['count']} \\"
        )
        lines.append("\tVENDOR_STRING=;LT=Retail;GP=720;CL=VDS,VDA,VDE,VDP;SA=0;ODP=0 \\")
        lines.append(f'\tDUP_GROUP=V ISSUED={flex_date(issued)} NOTICE="Lab Customer" SN={serial} \\')
        if item.get("start"):
            lines.append(f"\tSTART={flex_date(item['start'])} \\")
        lines.append(f'\tSIGN="{sign}"')
    lines += ["#", "#[English]"]
    for item in features:
        lines.append(f"#CITRIXTERM FEATURE 2.0 {item['feature']} EN {item.get('name', item['feature'])}")
    return newline.join(lines) + newline

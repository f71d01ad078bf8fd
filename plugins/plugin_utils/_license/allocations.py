# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Read the vendor portal's allocation export and an entitlement file; find obsolete servers and surplus.

Two of the non-compliance causes in seed 002 are invisible on the license servers themselves:

- *Obsolete license servers*: every host name that still holds an allocation in the Citrix
  licensing portal counts as an active license server, even after it was decommissioned, until
  its allocations are returned ("Return allocations"). :func:`obsolete_allocations` compares the
  portal's host names with the inventory.
- *More licenses installed than purchased*: :func:`surplus` compares installed counts (from the
  license files) with the purchased counts of an entitlement file the licensing owner maintains.

Pure: the caller reads the files; these functions take their text or data.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from typing import Any, NamedTuple

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

DELIMITERS = (",", ";", "\t")
MAX_PURCHASED = 10**12  # a purchased count above this is a typo or a hostile value (issue 14 item 7)


class AllocationRead(NamedTuple):
    """Result of :func:`read_allocation_csv`: the good rows and one finding per rejected row."""

    allocations: list[dict[str, Any]]
    findings: list[dict[str, Any]]


def read_allocation_csv(
    text: str,
    *,
    host_column: str = "Host ID",
    product_column: str = "Product",
    quantity_column: str = "Quantity",
    serial_column: str | None = None,
) -> AllocationRead:
    """Parse an allocation export: ``AllocationRead(allocations=[{host, product, quantity, serial}], findings)``.

    The real export format of the Citrix licensing portal is not described in the vendor documents
    this collection is built from (seed 002 only shows that allocations are searched by "host ID"
    and returned there), so every column name is configurable and the defaults are assumptions.

    Tolerant of a UTF-8 byte order mark, of comma, semicolon or tab delimiters (the one under which
    the header holds every required column wins) and of header case and surrounding spaces.

    Every row the file holds is accounted for (issue 14 item 6, issue 15 item 2): each line is one
    record, read on its own (a quoted cell may hold line breaks only when the record it closes within
    five lines reads cleanly with the header's number of cells), so a stray quote or an over-long
    field spoils that row only, never the rest of the file. A row whose host is readable always
    counts as an allocation of that host (a malformed cell never drops a host): a quantity that is
    not a whole number becomes ``quantity: None`` (UNKNOWN), an empty product ``product: ""``, each
    with a finding. Quantities may carry thousands separators (``1,000``, ``1.000``, ``1 000``,
    ``1'000``) and surrounding spaces.
    Only a row without a readable host is left out. Findings are ``{row, code, message, host,
    ignored}``; ``row`` counts lines with the header as row 1, as a spreadsheet shows them, and
    ``ignored`` is True when the row is not used at all. Blank rows are skipped. Raises InputError only
    when the text is not text or a required column is missing (naming the columns found).
    """
    if not isinstance(text, str):
        raise InputError(f"allocation export must be text, got {type(text).__name__}: read the CSV file as text.")
    text = text.removeprefix("\ufeff")
    wanted = {"host": host_column, "product": product_column, "quantity": quantity_column}
    if serial_column is not None:
        wanted["serial"] = serial_column
    for label, column in wanted.items():
        if not isinstance(column, str) or not column.strip():
            raise InputError(f"{label}_column {column!r} is not a column name.")

    delimiter, columns = _choose_delimiter(text, wanted)
    allocations: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    header_seen = False
    parts = _LINES.split(text)
    lines, breaks = parts[0::2], parts[1::2]
    width = len(next(csv.reader([next((ln for ln in lines if ln.strip()), "")], delimiter=delimiter), []))
    index = 0
    while index < len(lines):
        row_number, line = index + 1, lines[index]
        index += 1
        # An open quote first: a line such as `,"` looks blank but starts a record whose quoted cell
        # goes on in the next lines; skipping it would read the rest of that record as a row of its own.
        joined = _quoted_continuation(lines, breaks, index - 1, delimiter, width) if header_seen else None
        if joined is None and not line.strip(" \t,;\"'"):
            continue
        if not header_seen:
            header_seen = True
            continue
        if joined is not None:
            record, used = joined
            index += used
            problem = None
        else:
            record, problem = _split_line(line, delimiter)
        item, row_findings = _allocation(record, columns, row_number, wanted, problem)
        findings.extend(row_findings)
        if item is not None:
            allocations.append(item)
    return AllocationRead(allocations, findings)


MAX_CONTINUATION = 5  # a quoted cell may span a few lines (a line break inside quotes), never the rest of a file


def _quoted_continuation(lines: list[str], breaks: list[str], start: int, delimiter: str,
                         width: int) -> tuple[list[str], int] | None:
    """A record whose quoted cell holds line breaks: ``(cells, extra lines used)``, or None.

    Only when the line alone has an open quote, and joining at most MAX_CONTINUATION following
    lines gives a record that reads cleanly with exactly the header's number of cells. A stray
    quote never pairs with a quote further down (that used to swallow the rest of the file).
    """
    if lines[start].count('"') % 2 == 0:
        return None
    text = lines[start]
    for extra in range(1, MAX_CONTINUATION + 1):
        if start + extra >= len(lines):
            return None
        text += breaks[start + extra - 1] + lines[start + extra]
        if text.count('"') % 2:
            continue
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            return None
        if len(rows) == 1 and len(rows[0]) == width:
            return rows[0], extra
        return None
    return None


def _choose_delimiter(text: str, wanted: dict[str, str]) -> tuple[str, dict[str, int]]:
    """Pick the delimiter under which the header has every wanted column; map labels to indexes."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    attempts: list[list[str]] = []
    for delimiter in DELIMITERS:
        try:
            header = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            header = []
        attempts.append(header)
        index = {name.strip().casefold(): i for i, name in reversed(list(enumerate(header)))}
        columns = {label: index[column.strip().casefold()] for label, column in wanted.items()
                   if column.strip().casefold() in index}
        if len(columns) == len(wanted):
            return delimiter, columns
    found = max(attempts, key=len)
    missing = ", ".join(repr(c) for c in wanted.values())
    raise InputError(
        f"allocation export: the header does not hold every required column ({missing}); columns found: "
        f"{', '.join(repr(c.strip()) for c in found) or 'none'}. Set host_column / product_column / "
        "quantity_column (and serial_column) to the export's column names."
    )


_LINES = re.compile(r"(\r\n|\r|\n)")
MAX_FIELD = 1024  # characters of one cell that are read; a longer cell is a finding, never a stop
MAX_HOST = 255  # a DNS name; a longer "host ID" cannot be a license server


def _split_line(line: str, delimiter: str) -> tuple[list[str], str | None]:
    """The cells of one line, and what was wrong with its quoting (None when it read cleanly)."""
    if len(line) > 64 * MAX_FIELD:
        cells = line[: 64 * MAX_FIELD].split(delimiter)
        return [c.strip().strip('"') for c in cells], f"the line is longer than {64 * MAX_FIELD} characters"
    try:
        cells = next(csv.reader([line], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        # A stray quote: csv would read on across the following lines until the next quote and swallow
        # them. Split at each delimiter instead; the row is marked so its numbers are not trusted.
        return [c.strip().strip('"') for c in line.split(delimiter)], f"unbalanced quote ({exc})"
    return cells, None


def _finding(row: int, code: str, message: str, *, host: str | None = None, ignored: bool = False) -> dict[str, Any]:
    outcome = "the row is ignored" if ignored else f"host {host!r} still counts as allocated"
    return {"row": row, "code": code, "host": host, "ignored": ignored,
            "message": f"row {row}: {message}; {outcome}"}


def _allocation(
    record: list[str], columns: dict[str, int], row: int, wanted: dict[str, str], problem: str | None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    def field(label: str) -> str:
        i = columns[label]
        return record[i].strip() if i < len(record) else ""

    host, product, quantity_text = field("host"), field("product"), field("quantity")
    serial = (field("serial")[:MAX_FIELD] or None) if "serial" in columns else None
    if not host:
        reason = f"empty {wanted['host']!r}" + (f" ({problem})" if problem else "")
        return None, [_finding(row, "bad_row" if problem else "missing_host", reason, ignored=True)]
    if len(host) > MAX_HOST:
        return None, [_finding(row, "bad_host", f"{wanted['host']!r} is {len(host)} characters long, longer than a "
                               f"host name can be ({MAX_HOST}): {host[:40]!r}...", ignored=True)]
    findings: list[dict[str, Any]] = []
    quantity = None if problem else parse_quantity(quantity_text)
    if problem:
        findings.append(_finding(row, "bad_row", f"{problem}: the row was split at each delimiter, so its cells "
                                 f"are not trusted; quantity UNKNOWN; fix the row in the export", host=host))
    elif quantity is None:
        shown = quantity_text[:40] + ("..." if len(quantity_text) > 40 else "")
        findings.append(_finding(row, "bad_quantity", f"{wanted['quantity']!r} is {shown!r}, not a whole number "
                                 ">= 0 (thousands separators are fine); quantity UNKNOWN", host=host))
    if not product:
        findings.append(_finding(row, "missing_product", f"empty {wanted['product']!r} for host {host!r}; product "
                                 "UNKNOWN", host=host))
    if len(product) > MAX_FIELD:
        findings.append(_finding(row, "long_field", f"{wanted['product']!r} is {len(product)} characters long; "
                                 f"only the first {MAX_FIELD} are kept", host=host))
        product = product[:MAX_FIELD]
    return {"host": host, "product": product, "quantity": quantity, "serial": serial}, findings


_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[,.' \u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*$")


def parse_quantity(text: Any) -> int | None:
    """A whole number >= 0 as a portal export writes it: ``1000``, ``+5``, `` 1,000 ``, ``1.000``, ``1 000``.

    Thousands separators (comma, dot, apostrophe, space, no-break spaces) are accepted only between
    groups of exactly three digits, one separator kind per number, so ``1,5`` or ``1.50`` (not whole
    numbers) are refused. None for anything else, including more than 15 digits.
    """
    if not isinstance(text, str):
        return None
    digits = text.strip().removeprefix("+")
    if len(digits) > 24 or (not digits.isascii() and not _GROUPED.match(digits)):
        return None
    if digits.isascii() and digits.isdigit():
        return int(digits) if len(digits) <= 15 else None
    if _GROUPED.match(digits):
        value = re.sub(r"\D", "", digits)
        return int(value) if len(value) <= 15 else None
    return None


def obsolete_allocations(
    allocations: list[dict[str, Any]],
    inventory_hostnames: list[str],
    *,
    match_short_names: bool = True,
) -> list[dict[str, Any]]:
    """Allocation hosts that are not (exactly) license servers in the inventory.

    Returns ``[{host, products, quantity_total, case_mismatch, inventory_host}]`` sorted by host, with
    ``host`` in the portal's spelling (as many entries as the portal has spellings); ``quantity_total``
    is None (UNKNOWN) when a row's quantity could not be read:

    - ``case_mismatch: False`` (``inventory_host: None``): no inventory host matches even ignoring
      case: an obsolete server whose allocations must be returned (seed 002), or a server missing
      from the inventory.
    - ``case_mismatch: True``: the host exists but the portal spells it differently in case only.
      The license server binds license files to its host name case-sensitively (seed 004), so the
      allocation's license files will not work on ``inventory_host``; re-allocate with the exact name.

    With ``match_short_names`` (default) an inventory name that is a DNS name also matches by its
    first label (``ls01.corp.example`` matches portal ``ls01``), because inventories often use FQDNs
    while allocations use the server's host name; marking a live server obsolete would lead someone
    to return its licenses.
    """
    if not isinstance(inventory_hostnames, (list, tuple, set)):
        raise InputError("inventory_hostnames must be a list of host names.")
    exact, folded = _inventory_names(inventory_hostnames, match_short_names)
    grouped: dict[str, dict[str, Any]] = {}
    for item in _valid_allocations(allocations):
        host = item["host"]
        if host in exact:
            continue
        entry = grouped.setdefault(
            host,
            {
                "host": host,
                "products": set(),
                "quantity_total": 0,
                "case_mismatch": host.casefold() in folded,
                "inventory_host": folded.get(host.casefold()),
            },
        )
        if item["product"]:
            entry["products"].add(item["product"])
        if item["quantity"] is None or entry["quantity_total"] is None:
            entry["quantity_total"] = None  # UNKNOWN: one row's quantity could not be read
        else:
            entry["quantity_total"] += item["quantity"]
    result = []
    for host in sorted(grouped, key=lambda h: (h.casefold(), h)):
        entry = grouped[host]
        entry["products"] = sorted(entry["products"])
        result.append(entry)
    return result


def allocated_servers(
    allocations: list[dict[str, Any]],
    known_hosts: list[str],
    *,
    match_short_names: bool = True,
) -> list[dict[str, Any]]:
    """The fleet's expected servers as the allocation export names them (the report job's host list).

    Returns one entry per server, ``[{host, allocated_as}]`` sorted by ``host``: ``host`` is the name to
    report it under and ``allocated_as`` the portal spellings of its allocations. A portal host matches a
    name in *known_hosts* (the hosts the evidence history holds gathers of, under their inventory names) as
    :func:`obsolete_allocations` matches the inventory: exactly, else by the first label of a DNS name
    (``ls01.corp.example`` for portal ``ls01``), else ignoring letter case; such a server is reported under
    its known name. A portal host that matches none is reported under the portal's spelling, so a server no
    gather covered is named, not dropped. Rows without a readable host are not servers; the allocation
    read's findings account for them.
    """
    if not isinstance(known_hosts, (list, tuple, set)):
        raise InputError("known_hosts must be a list of host names.")
    names = list(dict.fromkeys(n.strip() for n in known_hosts if isinstance(n, str) and n.strip()))
    short: dict[str, list[str]] = {}
    folded: dict[str, list[str]] = {}
    for name in names:
        keys = [name]
        if match_short_names and "." in name and not _is_ip(name):
            keys.append(name.split(".", 1)[0])
            short.setdefault(keys[1], []).append(name)
        for key in keys:
            folded.setdefault(key.casefold(), []).append(name)
    exact = set(names)
    servers: dict[str, set[str]] = {}
    for item in _valid_allocations(allocations):
        portal = item["host"].strip()
        matches = [portal] if portal in exact else short.get(portal) or folded.get(portal.casefold()) or [portal]
        for name in matches:
            servers.setdefault(name, set()).add(portal)
    return [{"host": name, "allocated_as": sorted(servers[name])}
            for name in sorted(servers, key=lambda n: (n.casefold(), n))]


def _inventory_names(names: Any, match_short_names: bool) -> tuple[set[str], dict[str, str]]:
    exact: set[str] = set()
    folded: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip()
        candidates = [name]
        if match_short_names and "." in name and not _is_ip(name):
            candidates.append(name.split(".", 1)[0])
        for candidate in candidates:
            exact.add(candidate)
            folded.setdefault(candidate.casefold(), candidate)
    return exact, folded


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _valid_allocations(allocations: Any) -> list[dict[str, Any]]:
    if not isinstance(allocations, list):
        raise InputError("allocations must be the list read_allocation_csv returned.")
    valid = []
    for index, item in enumerate(allocations):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("host"), str)
            or not isinstance(item.get("product"), str)
            or isinstance(item.get("quantity"), bool)
            or not isinstance(item.get("quantity"), (int, type(None)))
        ):
            raise InputError(f"allocation #{index} {item!r} is not {{host, product, quantity}}.")
        if item["host"].strip():
            valid.append(item)
    return valid


def read_entitlements(data: Any) -> dict[str, int]:
    """Turn ``{entitlements: [{feature: X, purchased: N}, ...]}`` into ``{X: N}``.

    Several entries for one feature add up (separate purchases of the same product). Raises
    InputError naming the entry when the structure or a count is wrong.
    """
    if not isinstance(data, dict) or not isinstance(data.get("entitlements"), list):
        raise InputError(
            "entitlement file must be a mapping with an 'entitlements' list, e.g. "
            "{entitlements: [{feature: XDT_PLT_UD, purchased: 100}]}."
        )
    purchased: dict[str, int] = {}
    for index, entry in enumerate(data["entitlements"]):
        where = f"entitlements[{index}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where} is {entry!r}, expected {{feature: NAME, purchased: COUNT}}.")
        feature, count = entry.get("feature"), entry.get("purchased")
        if not isinstance(feature, str) or not feature.strip():
            raise InputError(f"{where}: feature {feature!r} is not a feature name such as XDT_PLT_UD.")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PURCHASED:
            shown = "a number far too large" if isinstance(count, int) and count.bit_length() > 64 else \
                repr(count)[:80]
            raise InputError(f"{where} ({feature[:80]}): purchased {shown} is not a whole number from 0 to "
                             f"{MAX_PURCHASED}.")
        purchased[feature.strip()] = purchased.get(feature.strip(), 0) + count
    return purchased


def surplus(installed: dict[str, int], purchased: dict[str, int]) -> list[dict[str, Any]]:
    """Features installed in larger numbers than purchased (a feature never purchased counts 0).

    Returns ``[{feature, installed, purchased, surplus}]`` sorted by feature, only where
    ``installed > purchased`` (seed 002: more licenses installed than purchased is non-compliant).
    """
    for label, counts in (("installed", installed), ("purchased", purchased)):
        if not isinstance(counts, dict) or any(
            not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, int) or v < 0 for k, v in counts.items()
        ):
            raise InputError(f"{label} must map feature names to whole numbers >= 0, got {counts!r}.")
    result = []
    for feature in sorted(installed):
        have, paid = installed[feature], purchased.get(feature, 0)
        if have > paid:
            result.append({"feature": feature, "installed": have, "purchased": paid, "surplus": have - paid})
    return result

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
from typing import Any, NamedTuple

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.errors import InputError

DELIMITERS = (",", ";", "\t")


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
    the header holds every required column wins) and of header case and surrounding spaces. Rows
    with an empty host or product or a quantity that is not a non-negative whole number are left
    out and reported in ``findings`` as ``{row, code, message}``; ``row`` counts records with the
    header as row 1, as a spreadsheet shows them. Blank rows are skipped. Raises InputError only
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_seen = False
    row_number = 0
    try:
        for row_number, record in enumerate(reader, start=1):
            if not any(field.strip() for field in record):
                continue
            if not header_seen:
                header_seen = True
                continue
            item, finding = _allocation(record, columns, row_number, wanted)
            if finding:
                findings.append(finding)
            else:
                allocations.append(item)
    except csv.Error as exc:
        findings.append(
            {"row": row_number + 1, "code": "unreadable", "message": f"CSV cannot be read from here on: {exc}"}
        )
    return AllocationRead(allocations, findings)


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
        columns = {label: index.get(column.strip().casefold()) for label, column in wanted.items()}
        if all(i is not None for i in columns.values()):
            return delimiter, columns  # type: ignore[return-value]
    found = max(attempts, key=len)
    missing = ", ".join(repr(c) for c in wanted.values())
    raise InputError(
        f"allocation export: the header does not hold every required column ({missing}); columns found: "
        f"{', '.join(repr(c.strip()) for c in found) or 'none'}. Set host_column / product_column / "
        "quantity_column (and serial_column) to the export's column names."
    )


def _allocation(
    record: list[str], columns: dict[str, int], row: int, wanted: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    def field(label: str) -> str:
        i = columns[label]
        return record[i].strip() if i < len(record) else ""

    host, product, quantity_text = field("host"), field("product"), field("quantity")
    serial = (field("serial") or None) if "serial" in columns else None
    if not host:
        return {}, _finding(row, "missing_host", f"empty {wanted['host']!r}")
    if not product:
        return {}, _finding(row, "missing_product", f"empty {wanted['product']!r} for host {host!r}")
    quantity = _whole_number(quantity_text)
    if quantity is None:
        return {}, _finding(
            row, "bad_quantity", f"{wanted['quantity']!r} is {quantity_text[:40]!r}, not a whole number >= 0"
        )
    return {"host": host, "product": product, "quantity": quantity, "serial": serial}, None


def _whole_number(text: str) -> int | None:
    digits = text.removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)


def _finding(row: int, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "code": code, "message": f"row {row}: {message}; the row is ignored"}


def obsolete_allocations(
    allocations: list[dict[str, Any]],
    inventory_hostnames: list[str],
    *,
    match_short_names: bool = True,
) -> list[dict[str, Any]]:
    """Allocation hosts that are not (exactly) license servers in the inventory.

    Returns ``[{host, products, quantity_total, case_mismatch, inventory_host}]`` sorted by host, with
    ``host`` in the portal's spelling (as many entries as the portal has spellings):

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
        entry["products"].add(item["product"])
        entry["quantity_total"] += item["quantity"]
    result = []
    for host in sorted(grouped, key=lambda h: (h.casefold(), h)):
        entry = grouped[host]
        entry["products"] = sorted(entry["products"])
        result.append(entry)
    return result


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
            or not isinstance(item.get("quantity"), int)
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
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(f"{where} ({feature}): purchased {count!r} is not a whole number >= 0.")
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

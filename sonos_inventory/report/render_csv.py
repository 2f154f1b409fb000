"""CSV for spreadsheets: one row per product (every household), columns named as the JSON keys.

RFC 4180 (comma, CRLF, quotes doubled); UTF-8, with a byte-order mark only when asked (Excel
needs it to read UTF-8). A cell that a spreadsheet would run as a formula (starting with `=`,
`+`, `-`, `@`, tab or CR) is neutralised with a leading apostrophe, and control characters are
escaped, so a room name cannot become a formula or a terminal escape. Pure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import Inventory
from .context import ReportContext
from .render_json import player_dict
from .safe_text import for_terminal
from .view import COLUMNS

BASE_COLUMNS = (
    "household_id", *(column.key for column in COLUMNS), "vanished", "first_seen", "findings",
    "uuid", "mac", "hardware_version", "sw_gen", "min_compatible_version",
    "legacy_compatible_version", "memory_mb", "discovered_via",
)
"""The first columns: the household, the reports' columns (report/view.py) by their JSON keys,
then what scripts need; every other key of a player's JSON follows, so a field added to the
JSON appears in the CSV without another change."""

_SKIPPED = frozenset({"errors", "track_basis", "s2_capable_basis"})  # prose: see the reports
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def columns(extra_keys: Iterable[str] = ()) -> tuple[str, ...]:
    rest = [k for k in extra_keys if k not in BASE_COLUMNS and k not in _SKIPPED]
    return BASE_COLUMNS + tuple(dict.fromkeys(rest))


def cell(value: Any) -> str:
    """One cell: JSON-ish text for scalars and lists, formula-neutral, control-free."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        text = ";".join(str(v) for v in value)
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return for_terminal(text, 4000)


def rows(inventory: Inventory, context: ReportContext | None = None,
         site: str | None = None) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The column names and one dict per product (with a leading `site` when given)."""
    context = context or ReportContext()
    findings: dict[str, list[str]] = {}
    for finding in inventory.findings:
        for uuid in finding.players:
            if finding.rule not in findings.setdefault(uuid, []):
                findings[uuid].append(finding.rule)
    records = []
    for player in inventory.players:
        record = player_dict(player)
        record["first_seen"] = context.first_seen_of(player.uuid)
        record["findings"] = findings.get(player.uuid, [])
        record["label"] = inventory.label  # every row says which system and which scan
        record["scan_started_at"] = inventory.scan.started_at
        records.append(record)
    names = columns(records[0] if records else ())
    if site is not None:
        names = ("site", *names)
        for record in records:
            record["site"] = site
    return names, records


def write_csv(names: Sequence[str], records: Iterable[dict[str, Any]], *, bom: bool = False
              ) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for record in records:
        writer.writerow([cell(record.get(name)) for name in names])
    return (BOM if bom else "") + out.getvalue()


def render_csv(inventory: Inventory, context: ReportContext | None = None, *,
               bom: bool = False) -> str:
    names, records = rows(inventory, context)
    return write_csv(names, records, bom=bom)

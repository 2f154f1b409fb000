"""Many systems at once (`analyze FILE...`): one view over several inventories, for installers.

Each input is a site, named by its label, else its file name. The view has a summary per site
(products, tracks, verdict) and every product with a `site` column. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..model import Inventory, Severity, Track
from .render_csv import rows, write_csv
from .render_json import inventory_dict
from .safe_text import content_security_policy, json_dumps
from .safe_text import for_markdown as md
from .safe_text import for_terminal as t

EXIT_ORDER = (1, 3, 0)
"""Worst first: a conflict (1), then an incomplete scan (3), then complete and clean (0)."""


@dataclass(frozen=True)
class Site:
    """One input of the fleet view, as the first pass keeps it: small (its summary and its CSV
    columns), never its inventory. The second pass loads the inventories one at a time."""

    name: str
    source: str
    facts: dict[str, Any]
    columns: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return int(self.facts["exit_code"])


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base #2`, `base #3`, ... when taken (a name that already ends like that is
    numbered past it), so no two sites ever share a name. Adds it to `taken`."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base} #{n}"
    taken.add(name)
    return name


def worst_exit(codes: list[int]) -> int:
    return min(codes, key=lambda c: EXIT_ORDER.index(c) if c in EXIT_ORDER else -1,
               default=0)


def summarise(name: str, source: str, inventory: Inventory, exit_code: int) -> Site:
    """The first pass over one input: what sorting, the summary tables and the CSV header
    need, and nothing that grows with the size of the inventory."""
    current = [p for p in inventory.players if not p.vanished]
    facts = {
        "site": name,
        "source": source,
        "label": inventory.label,
        "scan_started_at": inventory.scan.started_at,
        "products": len(current),
        "households": len(inventory.households),
        "household_ids": sorted(h.household_id for h in inventory.households if h.household_id),
        "s2": sum(p.track is Track.S2 for p in current),
        "s1": sum(p.track is Track.S1 for p in current),
        "unknown": sum(p.track is Track.UNKNOWN for p in current),
        "tracks": sorted({t.value for h in inventory.households for t in h.tracks}),
        "verdict": inventory.verdict.error_803.value,
        "errors": sum(f.severity is Severity.ERROR for f in inventory.findings),
        "complete": inventory.scan.complete,
        "exit_code": exit_code,
    }
    names, _records = rows(replace(inventory, players=inventory.players[:1]), site=name)
    return Site(name, source, facts, names)


def problems_first(sites: list[Site]) -> list[Site]:
    """Conflicts first, then incomplete scans, then the rest; by name within each. Scans of
    one system (the same household ids: a before and an after) stay together, in date order,
    where the worst of them puts the system."""
    def rank(site: Site) -> int:
        return EXIT_ORDER.index(site.exit_code) if site.exit_code in EXIT_ORDER else -1

    groups: dict[tuple[str, ...], list[Site]] = {}
    for site in sites:
        key = tuple(site.facts.get("household_ids") or ()) or (f"\0{site.name}",)
        groups.setdefault(key, []).append(site)
    ordered = sorted(groups.values(), key=lambda group: (
        min(rank(s) for s in group), min(s.name.casefold() for s in group)))
    return [s for group in ordered for s in sorted(
        group, key=lambda s: (str(s.facts.get("scan_started_at") or ""), s.name.casefold()))]


def summary(site: Site) -> dict[str, Any]:
    return {k: v for k, v in site.facts.items() if k != "household_ids"}


Loader = Callable[[Site], Inventory]
"""The second pass: the (analysed, redacted if asked) inventory of one site, loaded again."""


def render_fleet_csv(sites: list[Site], load: Loader, *, bom: bool = False) -> Iterator[str]:
    """Every product of every site, with a `site` column first."""
    names: tuple[str, ...] = ()
    for site in sites:
        names = names + tuple(n for n in site.columns if n not in names)
    names = (*names, "site_verdict", "site_errors", "site_complete")
    yield write_csv(names or ("site",), (), bom=bom)
    for site in sites:
        _names, records = rows(load(site), site=site.name)
        for record in records:  # the site's summary on every row: one sheet answers it all
            record.update(site_verdict=site.facts["verdict"], site_errors=site.facts["errors"],
                          site_complete=site.facts["complete"])
        body = write_csv(names, records)
        yield body[body.index("\r\n") + 2:]  # without the header again


def render_fleet_markdown(sites: list[Site], load: Loader) -> Iterator[str]:
    lines = ["# Sonos fleet inventory", "",
             f"{len(sites)} system(s), read offline by sonos-inventory (read-only).", "",
             "## Summary", "",
             "| Site | Products | S2 | S1 | Unknown | Households | Error 803 | Errors | "
             "Complete |", "|---|---|---|---|---|---|---|---|---|"]
    for site in sites:
        s = site.facts
        lines.append(f"| {md(s['site'], 120)} | {s['products']} | {s['s2']} | {s['s1']} | "
                     f"{s['unknown']} | {s['households']} | {s['verdict']} | {s['errors']} | "
                     f"{'yes' if s['complete'] else '**no**'} |")
    lines.append("")
    yield "\n".join(lines) + "\n"
    for site in sites:
        inventory = load(site)
        lines = [f"## {md(site.name, 120)}", "", md(inventory.verdict.summary, 2000), ""]
        lines += ["| Room | Product | Model | Serial | Software | Track | Household |",
                  "|---|---|---|---|---|---|---|"]
        for p in inventory.players:
            lines.append(f"| {md(p.room) or '-'} | {md(p.model_name) or '-'} | "
                         f"{md(p.model_number) or '-'} | {md(p.serial) or '-'} | "
                         f"{md(p.software_version) or '-'} | {p.track.value} | "
                         f"{md(p.household_id) or '-'} |")
        lines.append("")
        errors = [f for f in inventory.findings if f.severity is Severity.ERROR]
        lines += [f"- **{f.rule}**: {md(f.title, 300)}" for f in errors]
        if errors:
            lines.append("")
        yield "\n".join(lines) + "\n"


def render_fleet_html(sites: list[Site], load: Loader) -> Iterator[str]:
    """The summary, then each site's verdict and product table (the single report's table:
    report/view.py's columns, fitting the page and print)."""
    from html import escape

    from .context import ReportContext
    from .render_html import CSS, inventory_table

    def h(value: object, limit: int = 200) -> str:
        return escape(t(value, limit))

    style = CSS + (".summary td.likely { color: #b00020; font-weight: bold; }\n"
                   ".summary td.possible { color: #8a4b00; }\n")
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           content_security_policy(style),
           f"<title>Sonos fleet inventory</title><style>{style}</style></head><body>",
           f"<h1>Sonos fleet inventory</h1><p>{len(sites)} system(s), read offline "
           '(read-only).</p><table class="summary"><tr>'
           + "".join(f"<th>{c}</th>" for c in ("Site", "Scanned", "Products", "S2", "S1",
                                               "Unknown", "Households", "Error 803", "Errors",
                                               "Complete"))
           + "</tr>"]
    for site in sites:
        s = site.facts
        out.append("<tr>" + "".join(f"<td>{h(v)}</td>" for v in (
            s["site"], str(s.get("scan_started_at") or "")[:10], s["products"], s["s2"],
            s["s1"], s["unknown"], s["households"]))
            + f'<td class="{h(s["verdict"])}">{h(s["verdict"])}</td>'
            + f"<td>{s['errors']}</td><td>{'yes' if s['complete'] else 'no'}</td></tr>")
    out.append("</table>")
    yield "\n".join(out) + "\n"
    for site in sites:
        inventory = load(site)
        yield (f"<h2>{h(site.name)}</h2><p>{h(inventory.verdict.summary, 2000)}</p>"
               + "".join(inventory_table(inventory, ReportContext(), heading=None)) + "\n")
    yield "</body></html>\n"


def render_fleet_table(sites: list[Site]) -> Iterator[str]:
    """The summary, one line per site in 80 columns (by display width: any script)."""
    from .table_fit import clip, display_width

    def cell(text: str, width: int) -> str:
        text = clip(text, width)
        return text + " " * max(0, width - display_width(text))

    header = (f"  {cell('Site', 18)}  {'Scanned':<10}  {'Prod.':>5}  {'S2':>3}  {'S1':>3}  "
              f"{'Error 803':<13}  {'Err':>3}  Complete")
    lines = [header, "  " + "-" * (len(header) - 2)]
    for s in (site.facts for site in sites):
        lines.append(  # no site name begins a line
            f"  {cell(t(s['site'], 40), 18)}  {str(s.get('scan_started_at') or '')[:10]:<10}  "
            f"{s['products']:>5}  {s['s2']:>3}  {s['s1']:>3}  {t(s['verdict'], 13):<13}  "
            f"{s['errors']:>3}  {'yes' if s['complete'] else 'NO'}")
    yield "\n".join(lines) + "\n"


def render_fleet_json(sites: list[Site], load: Loader) -> Iterator[str]:
    yield '{\n  "sites": ['
    for index, site in enumerate(sites):
        entry = json_dumps({**summary(site), "inventory": inventory_dict(load(site))})
        yield ("," if index else "") + "\n" + "\n".join("    " + line
                                                       for line in entry.split("\n"))
    yield "\n  ]\n}\n"

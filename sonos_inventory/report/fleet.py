"""Many systems at once (`analyze FILE...`): one view over several inventories, for installers.

Each input is a site, named by its label, else its file name. The view has a summary per site
(products, tracks, verdict) and every product with a `site` column. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Inventory, Severity, Track
from .render_csv import rows, write_csv
from .render_json import inventory_dict
from .safe_text import for_markdown as md
from .safe_text import for_terminal as t
from .safe_text import json_dumps

EXIT_ORDER = (1, 3, 0)
"""Worst first: a conflict (1), then an incomplete scan (3), then complete and clean (0)."""


@dataclass(frozen=True)
class Site:
    name: str
    source: str
    inventory: Inventory
    exit_code: int


def site_names(labels: list[str | None], files: list[str]) -> list[str]:
    """The label, else the file name; repeated names get a number so every site is distinct."""
    names: list[str] = []
    for label, file in zip(labels, files, strict=True):
        base = label or file
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


def worst_exit(codes: list[int]) -> int:
    return min(codes, key=lambda c: EXIT_ORDER.index(c) if c in EXIT_ORDER else -1,
               default=0)


def summary(site: Site) -> dict[str, Any]:
    inventory = site.inventory
    current = [p for p in inventory.players if not p.vanished]
    return {
        "site": site.name,
        "source": site.source,
        "label": inventory.label,
        "products": len(current),
        "households": len(inventory.households),
        "s2": sum(p.track is Track.S2 for p in current),
        "s1": sum(p.track is Track.S1 for p in current),
        "unknown": sum(p.track is Track.UNKNOWN for p in current),
        "tracks": sorted({t.value for h in inventory.households for t in h.tracks}),
        "verdict": inventory.verdict.error_803,
        "errors": sum(f.severity is Severity.ERROR for f in inventory.findings),
        "complete": inventory.scan.complete,
        "exit_code": site.exit_code,
    }


def render_fleet_csv(sites: list[Site], *, bom: bool = False) -> str:
    """Every product of every site, with a `site` column first."""
    names: tuple[str, ...] = ()
    records: list[dict[str, Any]] = []
    for site in sites:
        site_names_, site_records = rows(site.inventory, site=site.name)
        names = names + tuple(n for n in site_names_ if n not in names)
        records += site_records
    return write_csv(names or ("site",), records, bom=bom)


def render_fleet_markdown(sites: list[Site]) -> str:
    lines = ["# Sonos fleet inventory", "",
             f"{len(sites)} system(s), read offline by sonos-inventory (read-only).", "",
             "## Summary", "",
             "| Site | Products | S2 | S1 | Unknown | Households | Error 803 | Errors | "
             "Complete |", "|---|---|---|---|---|---|---|---|---|"]
    for site in sites:
        s = summary(site)
        lines.append(f"| {md(s['site'], 120)} | {s['products']} | {s['s2']} | {s['s1']} | "
                     f"{s['unknown']} | {s['households']} | {s['verdict']} | {s['errors']} | "
                     f"{'yes' if s['complete'] else '**no**'} |")
    lines.append("")
    for site in sites:
        lines += [f"## {md(site.name, 120)}", "", md(site.inventory.verdict.summary, 2000), ""]
        lines += ["| Room | Product | Model | Serial | Software | Track | Household |",
                  "|---|---|---|---|---|---|---|"]
        for p in site.inventory.players:
            lines.append(f"| {md(p.room) or '-'} | {md(p.model_name) or '-'} | "
                         f"{md(p.model_number) or '-'} | {md(p.serial) or '-'} | "
                         f"{md(p.software_version) or '-'} | {p.track.value} | "
                         f"{md(p.household_id) or '-'} |")
        lines.append("")
        errors = [f for f in site.inventory.findings if f.severity is Severity.ERROR]
        lines += [f"- **{f.rule}**: {md(f.title, 300)}" for f in errors]
        if errors:
            lines.append("")
    return "\n".join(lines) + "\n"


def render_fleet_html(sites: list[Site]) -> str:
    from html import escape

    def h(value: object, limit: int = 200) -> str:
        return escape(t(value, limit))

    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           "<title>Sonos fleet inventory</title><style>body{font-family:system-ui,sans-serif;"
           "margin:2em;color:#1d1d1f}table{border-collapse:collapse;margin:1em 0}td,th{border:"
           "1px solid #ccc;padding:4px 8px;text-align:left}.likely{color:#b00020;font-weight:"
           "bold}.possible{color:#8a4b00}</style></head><body>",
           f"<h1>Sonos fleet inventory</h1><p>{len(sites)} system(s), read offline "
           "(read-only).</p><table><tr>"
           + "".join(f"<th>{c}</th>" for c in ("Site", "Products", "S2", "S1", "Unknown",
                                               "Households", "Error 803", "Errors", "Complete"))
           + "</tr>"]
    for site in sites:
        s = summary(site)
        out.append("<tr>" + "".join(f"<td>{h(v)}</td>" for v in (
            s["site"], s["products"], s["s2"], s["s1"], s["unknown"], s["households"]))
            + f'<td class="{h(s["verdict"])}">{h(s["verdict"])}</td>'
            + f"<td>{s['errors']}</td><td>{'yes' if s['complete'] else 'no'}</td></tr>")
    out.append("</table>")
    for site in sites:
        out.append(f"<h2>{h(site.name)}</h2><p>{h(site.inventory.verdict.summary, 2000)}</p>"
                   "<table><tr><th>Room</th><th>Product</th><th>Model</th><th>Serial</th>"
                   "<th>Software</th><th>Track</th><th>Household</th></tr>")
        for p in site.inventory.players:
            out.append("<tr>" + "".join(f"<td>{h(v)}</td>" for v in (
                p.room, p.model_name, p.model_number, p.serial, p.software_version,
                p.track.value, p.household_id)) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_fleet_table(sites: list[Site]) -> str:
    from tabulate import tabulate

    table = [[t(s["site"], 40), s["products"], s["s2"], s["s1"], s["unknown"], s["households"],
              s["verdict"], s["errors"], "yes" if s["complete"] else "NO"]
             for s in (summary(site) for site in sites)]
    text = tabulate(table, headers=["Site", "Products", "S2", "S1", "Unknown", "Households",
                                    "Error 803", "Errors", "Complete"])
    return "".join(f"  {line}\n" for line in text.split("\n"))  # no site name begins a line


def render_fleet_json(sites: list[Site]) -> str:
    document = {"sites": [{**summary(site), "inventory": inventory_dict(site.inventory)}
                          for site in sites]}
    return json_dumps(document) + "\n"


def render_fleet(sites: list[Site], fmt: str, *, bom: bool = False) -> str:
    if fmt == "csv":
        return render_fleet_csv(sites, bom=bom)
    if fmt == "markdown":
        return render_fleet_markdown(sites)
    if fmt == "html":
        return render_fleet_html(sites)
    if fmt == "json":
        return render_fleet_json(sites)
    if fmt == "table":
        return render_fleet_table(sites)
    raise ValueError(f"unknown format {fmt!r}")

"""The visual report: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched
from the network), readable on screen and when printed to PDF. Every device string is escaped."""

from __future__ import annotations

import html
import re
from collections import OrderedDict

from ..model import Finding, Inventory, Player, Role, Severity, Track
from .advice import (
    answered,
    connection_label,
    incomplete_notice,
    moved_out_lines,
    next_steps,
    support_message,
)
from .context import ReportContext
from .render_markdown import VERDICT_WORDS
from .safe_text import content_security_policy, for_terminal
from .view import COLUMNS, FIRST_SEEN, app_version_of


def h(value: object, limit: int = 200) -> str:
    """Device or report text, safe for HTML: controls made visible, markup escaped."""
    return html.escape(for_terminal(value, limit), quote=True)


ROLE_LABEL = {
    Role.PLAYER: "Player", Role.STEREO_PARTNER: "Stereo partner", Role.SATELLITE: "Surround",
    Role.SUBWOOFER: "Subwoofer", Role.BRIDGE: "Bridge / Boost",
}
ROLE_ICON = {  # 24x24 inline SVG paths, decorative (the role is also written out)
    Role.PLAYER: '<rect x="6" y="3" width="12" height="18" rx="3"/>'
                 '<circle cx="12" cy="14" r="3"/>',
    Role.STEREO_PARTNER: '<rect x="2" y="4" width="8" height="16" rx="2"/>'
                         '<rect x="14" y="4" width="8" height="16" rx="2"/>',
    Role.SATELLITE: '<rect x="8" y="2" width="8" height="20" rx="2"/>'
                    '<circle cx="12" cy="8" r="2"/>',
    Role.SUBWOOFER: '<rect x="3" y="3" width="18" height="18" rx="3"/>'
                    '<circle cx="12" cy="12" r="5"/>',
    Role.BRIDGE: '<path d="M2 18 Q12 4 22 18"/><path d="M6 18 Q12 10 18 18"/>',
}

CONNECTION_ICON = {  # 24x24 inline SVG, decorative: the connection is also written out
    "wired": '<rect x="7" y="3" width="10" height="8" rx="1"/><path d="M12 11v10M9 7h6"/>',
    "sonosnet": '<circle cx="5" cy="6" r="2"/><circle cx="19" cy="6" r="2"/>'
                '<circle cx="12" cy="19" r="2"/><path d="M7 6h10M6 8l5 9M18 8l-5 9"/>',
    "wifi": '<path d="M2 9a15 15 0 0 1 20 0"/><path d="M5 13a10 10 0 0 1 14 0"/>'
            '<path d="M8.5 16.5a5 5 0 0 1 7 0"/><circle cx="12" cy="20" r="1"/>',
    "home-theater": '<rect x="3" y="4" width="18" height="11" rx="1"/><path d="M8 20h8M12 15v5"/>',
    "unknown": '<circle cx="12" cy="12" r="9"/><path d="M9.5 9a2.5 2.5 0 1 1 3.5 2.3'
               'c-.6.3-1 .9-1 1.7M12 17v.5"/>',
}

CSS = """
:root { --s1-bg:#fff0d6; --s1-fg:#6b3a00; --s1-edge:#b86e00; --s2-bg:#e2ecff; --s2-fg:#0a3170;
  --s2-edge:#2f64c8; --unk-bg:#eeeeee; --unk-fg:#333; --unk-edge:#888; --alert:#b00020; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1a1a1a;
  margin: 0 auto; max-width: 1150px; padding: 24px; background: #fafafa; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { margin: 28px 0 10px; } h3 { margin: 0 0 8px; }
.meta { color: #555; margin: 0 0 16px; }
.verdict { border-radius: 8px; padding: 14px 18px; border-left: 8px solid; background: #fff; }
.verdict.likely { border-color: var(--alert); } .verdict.possible { border-color: #c77700; }
.verdict.not-indicated { border-color: #2e7d32; }
.verdict h2 { margin: 0 0 6px; font-size: 1.25em; }
.verdict .incomplete { color: #8a4b00; }
blockquote { margin: 0; padding: 10px 14px; background: #fff; border-left: 4px solid #999; }
.panel { background: #fff; border: 1px solid #ddd; border-radius: 10px; padding: 16px;
  margin: 0 0 18px; }
.panel-head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.rooms { display: flex; flex-wrap: wrap; gap: 14px; }
.room { border: 1px dashed #c8c8c8; border-radius: 8px; padding: 10px; min-width: 230px; }
.room h3 { font-size: 1em; color: #333; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; }
.tile { width: 210px; border-radius: 8px; padding: 10px; border: 2px solid; position: relative; }
.tile.track-S1 { background: var(--s1-bg); color: var(--s1-fg); border-color: var(--s1-edge); }
.tile.track-S2 { background: var(--s2-bg); color: var(--s2-fg); border-color: var(--s2-edge); }
.tile.track-unknown { background: var(--unk-bg); color: var(--unk-fg);
  border-color: var(--unk-edge); }
.tile.conflict { border: 4px solid var(--alert); box-shadow: 0 0 0 3px #ffd6dc; }
.tile.unread { border-style: dashed; }
.track-label { position: absolute; top: 8px; right: 8px; font-weight: 800; font-size: 1.05em;
  padding: 1px 7px; border-radius: 6px; background: #fff; border: 2px solid currentColor; }
.tile .name { font-weight: 700; padding-right: 44px; }
.tile dl { margin: 6px 0 0; display: grid; grid-template-columns: auto 1fr; gap: 1px 8px;
  font-size: .86em; }
.tile dt { font-weight: 600; } .tile dd { margin: 0; overflow-wrap: anywhere; }
.role { display: flex; gap: 6px; align-items: center; font-size: .9em; margin-top: 4px; }
.role svg { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2; }
.conn { display: flex; gap: 6px; align-items: center; font-size: .9em; }
.conn svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2; }
.flag { display: block; margin-top: 8px; font-weight: 700; color: var(--alert); }
.flag a { color: var(--alert); }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .82em; }
th, td { border: 1px solid #ddd; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td { overflow-wrap: break-word; } /* words stay whole where they fit; ids may break: */
.inventory td.col-serial, .inventory td.col-ip, .inventory td.col-software_version,
.inventory td.col-display_version, .inventory td.col-first_seen { overflow-wrap: anywhere; }
.inventory td.col-serial { min-width: 10.5ch; } .inventory td.col-ip { min-width: 15.5ch; }
.inventory td.col-software_version, .inventory td.col-first_seen { min-width: 10.5ch; }
.inventory .household-row th { background: #e6e6e6; text-align: left; overflow-wrap: anywhere; }
.finding { background: #fff; border: 1px solid #ddd; border-left: 6px solid #888;
  border-radius: 6px; padding: 10px 14px; margin: 0 0 12px; }
.finding.error { border-left-color: var(--alert); } .finding.warning { border-left-color: #c77700; }
.severity { font-weight: 700; text-transform: uppercase; font-size: .8em; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: .9em; margin: 6px 0 14px; }
.legend span { border: 2px solid; border-radius: 6px; padding: 1px 8px; font-weight: 700; }
.legend .track-S1 { background: var(--s1-bg); color: var(--s1-fg); border-color: var(--s1-edge); }
.legend .track-S2 { background: var(--s2-bg); color: var(--s2-fg); border-color: var(--s2-edge); }
.legend .track-unknown { background: var(--unk-bg); color: var(--unk-fg); }
.legend .legend-conflict { border-color: var(--alert); color: var(--alert); }
.legend .legend-silent { border-style: dashed; }
code { background: #eee; padding: 0 3px; border-radius: 3px; }
@media print, (max-width: 820px) { /* a printed page (A4 or Letter) is about 720 px wide */
  body { padding: 8px; } table { font-size: .7em; } th, td { padding: 2px 3px; }
  th, td { overflow-wrap: anywhere; }  /* a page has no room to spare: any cell may break */
  .inventory td.col-software_version, .inventory td.col-first_seen { min-width: 6ch; }
  .inventory td.col-ip { min-width: 8.5ch; }
}
@media print {
  body { background: #fff; max-width: none; padding: 0; font-size: 11pt; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  .panel, .finding, .tile, .room { break-inside: avoid; box-shadow: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _inline_code(escaped: str) -> str:
    """`command` in our own (already escaped) step text becomes <code>command</code>."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped)


def _conflicts(inventory: Inventory) -> dict[str, int]:
    """uuid -> number of the first error finding that names it."""
    result: dict[str, int] = {}
    for index, finding in enumerate(inventory.findings, 1):
        if finding.severity is Severity.ERROR:
            for uuid in finding.players:
                result.setdefault(uuid, index)
    return result


def _tile(player: Player, conflict: int | None) -> str:
    classes = ["tile", f"track-{player.track.value}"]
    if conflict:
        classes.append("conflict")
    if not player.reachable:
        classes.append("unread")
    track = player.track.value if player.track is not Track.UNKNOWN else "?"
    rows = [("Model", player.model_number), ("Software", player.software_version),
            ("Version", app_version_of(player)),
            ("Serial", player.serial), ("IP", player.ip)]
    details = "".join(f"<dt>{k}</dt><dd>{h(v) if v else '-'}</dd>" for k, v in rows)
    flag = (f'<span class="flag">Conflict: <a href="#finding-{conflict}">see finding '
            f"{conflict}</a></span>") if conflict else ""
    return (
        f'<article class="{" ".join(classes)}" id="player-{h(player.uuid)}" '
        f'data-uuid="{h(player.uuid)}" data-track="{player.track.value}" '
        f'data-role="{player.role.value}" aria-label="{h(player.model_name or "Product")}, '
        f'{"track " + player.track.value}">'
        f'<span class="track-label">{track}</span>'
        f'<div class="name">{h(player.model_name or player.model_number or "Unknown product")}'
        "</div>"
        f'<div class="role"><svg viewBox="0 0 24 24" aria-hidden="true">{ROLE_ICON[player.role]}'
        f"</svg>{ROLE_LABEL[player.role]}</div>"
        f'<div class="conn" data-connection="{h(player.connection)}" '
        f'title="{h(player.connection_basis, 400)}"><svg viewBox="0 0 24 24" aria-hidden="true">'
        f'{CONNECTION_ICON.get(player.connection, CONNECTION_ICON["unknown"])}</svg>'
        f"{h(connection_label(player))}</div>"
        f"<dl>{details}<dt>Answered</dt><dd>{answered(player)}</dd></dl>{flag}</article>"
    )


def _finding(index: int, finding: Finding, inventory: Inventory) -> str:
    names = []
    for uuid in finding.players:
        player = inventory.player(uuid)
        if player is not None:
            names.append(f'<a href="#player-{h(uuid)}">{h(player.room or uuid)}: '
                         f"{h(player.model_name or player.model_number)}</a>")
    evidence = "".join(f"<li>{h(e, 1000)}</li>" for e in finding.evidence)
    return (
        f'<article class="finding {finding.severity.value}" id="finding-{index}">'
        f'<h3>{index}. {h(finding.title, 300)}</h3>'
        f'<p><span class="severity">{finding.severity.value}</span> &middot; rule '
        f"<code>{h(finding.rule)}</code>"
        + (f" &middot; products: {', '.join(names)}" if names else "") + "</p>"
        f"<p>{h(finding.detail, 2000)}</p><p><strong>What to do:</strong> "
        f"{h(finding.advice, 2000)}</p>"
        + (f"<details open><summary>Evidence</summary><ul>{evidence}</ul></details>"
           if evidence else "")
        + "</article>"
    )


def inventory_table(inventory: Inventory, context: ReportContext,
                    heading: str | None = "Inventory") -> list[str]:
    """The product table, its columns from report/view.py (and First seen when the history
    says), one block of rows per household under a heading row: the long household id is
    written once, not in a column of its own that would push the table off the page."""
    columns = COLUMNS + ((FIRST_SEEN,) if context.first_seen else ())
    out = [(f"<h2>{h(heading)}</h2>" if heading else "") + '<table class="inventory"><thead><tr>'
           + "".join(f'<th scope="col" class="col-{c.key}">{h(c.label)}</th>' for c in columns)
           + "</tr></thead>"]
    by_uuid = {p.uuid: p for p in inventory.players}
    blocks = [(f"Household {index}: {household.household_id or '(id unknown)'}",
               [by_uuid[u] for u in household.players if u in by_uuid])
              for index, household in enumerate(inventory.households, 1)]
    listed = {p.uuid for _, players in blocks for p in players}
    if loose := [p for p in inventory.players if p.uuid not in listed]:
        blocks.append(("In no household that was read", loose))
    for title, players in blocks:
        out.append(f'<tbody><tr class="household-row"><th colspan="{len(columns)}" '
                   f'scope="colgroup">{h(title, 300)}</th></tr>')
        for p in players:
            cells = [(context.first_seen_of(p.uuid) or "this scan")[:10]
                     if c is FIRST_SEEN else c.value(p) for c in columns]
            out.append("<tr>" + "".join(f'<td class="col-{c.key}">{h(v) if v else "-"}</td>'
                                        for c, v in zip(columns, cells, strict=True))
                       + "</tr>")
        out.append("</tbody>")
    out.append("</table>")
    return out


def render_html(inventory: Inventory, context: ReportContext | None = None) -> str:
    context = context or ReportContext()
    conflicts = _conflicts(inventory)
    verdict = inventory.verdict
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           content_security_policy(CSS), "<title>Sonos system inventory</title>",
           f"<style>{CSS}</style></head><body>",
           "<h1>Sonos system inventory"
           + (f": {h(inventory.label, 200)}" if inventory.label else "") + "</h1>",
           f'<p class="meta">Made by sonos-inventory {h(inventory.tool_version)} on '
           f"{h(inventory.scan.finished_at)}. Read-only: nothing was changed on any product."]
    if context.diagnostic_id:
        out.append(f"<br><strong>Sonos diagnostic id:</strong> {h(context.diagnostic_id, 80)}")
    if context.note:
        out.append(f"<br><strong>Note:</strong> {h(context.note, 2000)}")
    out.append("</p>")
    out.append(f'<section class="verdict {h(verdict.error_803)}" id="verdict">'
               f"<h2>Verdict: {h(VERDICT_WORDS[verdict.error_803])}</h2>"
               + (f'<p class="incomplete"><strong>{h(notice, 2000)}</strong></p>'
                  if (notice := incomplete_notice(inventory)) else "")
               + f"<p>{h(verdict.summary, 4000)}</p></section>")
    out.append("<h2>What to tell Sonos support</h2>"
               f"<blockquote>{h(support_message(inventory), 4000)}</blockquote>")
    steps = next_steps(inventory, has_first_seen=bool(context.first_seen),
                       attach=context.attach)
    out.append("<h2>What to do now</h2><ol>"
               + "".join(f"<li>{_inline_code(h(step, 1000))}</li>" for step in steps) + "</ol>")
    out.append("<h2>Your system</h2>"
               '<div class="legend" aria-label="Legend"><span class="track-S2">S2</span>'
               '<span class="track-S1">S1</span><span class="track-unknown">? '
               'unknown</span><span class="legend-conflict">red frame: part of a conflict</span>'
               '<span class="legend-silent">dashed: did not answer</span></div>')
    by_uuid = {p.uuid: p for p in inventory.players}
    for index, household in enumerate(inventory.households, 1):
        tracks = "/".join(t.value for t in household.tracks) or "track unknown"
        rooms: OrderedDict[str, list[Player]] = OrderedDict()
        for uuid in household.players:
            if uuid in by_uuid:
                rooms.setdefault(by_uuid[uuid].room or "No room", []).append(by_uuid[uuid])
        out.append(f'<section class="panel household" id="household-{index}">'
                   f'<div class="panel-head"><h3>Household {index}: '
                   f"{h(household.household_id or '(id unknown)')}</h3>"
                   f"<span>{h(tracks)} &middot; {len(household.players)} products</span></div>")
        if household.topology_problem:
            out.append(f"<p>Member list not read: {h(household.topology_problem.detail, 500)}"
                       "</p>")
        for line in moved_out_lines(inventory, household):
            out.append(f'<p class="moved">{h(line, 500)}</p>')
        out.append('<div class="rooms">')
        for room, players in rooms.items():
            out.append(f'<div class="room"><h3>{h(room)}</h3><div class="tiles">'
                       + "".join(_tile(p, conflicts.get(p.uuid)) for p in players)
                       + "</div></div>")
        out.append("</div></section>")
    out.append("<h2>Findings</h2>")
    if not inventory.findings:
        out.append("<p>No findings.</p>")
    out += [_finding(i, f, inventory) for i, f in enumerate(inventory.findings, 1)]
    out += inventory_table(inventory, context)
    deep = [p for p in inventory.players if p.deep is not None]
    if deep:
        out.append("<h2>Status pages (--deep)</h2><table><thead><tr>" + "".join(
            f"<th>{c}</th>" for c in ("Room", "Product", "Status page", "Software date",
                                      "HHSwgenState", "Connection (own page)", "Wi-Fi mode",
                                      "OTP")) + "</tr></thead><tbody>")
        for p in deep:
            d = p.deep
            assert d is not None
            cells = [p.room, p.model_name, d.status, d.software_date, d.hh_swgen_state,
                     d.connection_type, d.wifi_mode, d.extra_info]
            out.append("<tr>" + "".join(f"<td>{h(c) if c else '-'}</td>" for c in cells)
                       + "</tr>")
        out.append("</tbody></table>")
    scan = inventory.scan
    out.append("<h2>Scan details</h2><ul>"
               f"<li>Started {h(scan.started_at)}, finished {h(scan.finished_at)}</li>"
               f"<li>Methods: {h(', '.join(m.value for m in scan.methods) or 'none')}</li>"
               f"<li>Interfaces: {h(', '.join(scan.interfaces) or 'none')}</li>"
               f"<li>Complete: {'yes' if scan.complete else 'no'}</li>"
               + "".join(f"<li>{h(r, 500)}</li>" for r in scan.incomplete_reasons)
               + "</ul></body></html>\n")
    return "".join(out)

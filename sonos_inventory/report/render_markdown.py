"""The support-ready Markdown report. Every device string goes through for_markdown."""

from __future__ import annotations

from ..inventory import is_not_sonos
from ..model import Finding, Inventory, Player
from .advice import (
    incomplete_notice,
    moved_out_lines,
    next_steps,
    support_message,
)
from .context import ReportContext
from .safe_text import for_markdown as md
from .view import FIRST_SEEN as FIRST_SEEN_COLUMN
from .view import Column, markdown_columns

VERDICT_WORDS = {
    "likely": "Likely: software-track conflict (the situation reported behind Error 803)",
    "possible": "Possible: weaker signs of the situation reported behind Error 803",
    "not-indicated": "Not indicated: no software-track conflict found",
    "unknown": "Unknown: nothing could be judged (no Sonos product was read)",
}

COLUMNS = tuple(column.label for column in markdown_columns())
FIRST_SEEN = FIRST_SEEN_COLUMN.label
_EMPHASISED = frozenset({"s2_capable", "reachable"})  # a "no" there is what support looks for


def _cell(column: Column, player: Player) -> str:
    text = md(column.value(player))
    if column.key in _EMPHASISED and text.startswith("no"):
        text = "**no**" + text[2:]
    return text


def _row(player: Player, context: ReportContext) -> str:
    cells = [_cell(column, player) for column in markdown_columns()]
    if context.first_seen:
        cells.append(md(context.first_seen_of(player.uuid) or "this scan"))
    return "| " + " | ".join(c or "-" for c in cells) + " |"


def _finding(index: int, finding: Finding) -> list[str]:
    lines = [
        f"### {index}. {md(finding.title, 300)}",
        "",
        f"Rule `{finding.rule}`, severity **{finding.severity.value}**.",
        "",
        md(finding.detail, 2000),
        "",
        f"**What to do:** {md(finding.advice, 2000)}",
        "",
    ]
    if finding.evidence:
        lines.append("Evidence:")
        lines += [f"- {md(e, 1000)}" for e in finding.evidence]
        lines.append("")
    return lines


def _deep_section(inventory: Inventory) -> list[str]:
    """--deep: what each player's own status page says."""
    deep = [p for p in inventory.players if p.deep is not None]
    if not deep:
        return []
    lines = ["### Status pages (--deep)", "",
             "| Room | Product | Status page | Software date | HHSwgenState | Connection (own "
             "page) | Wi-Fi mode | OTP |", "|---|---|---|---|---|---|---|---|"]
    for p in deep:
        d = p.deep
        assert d is not None
        cells = [md(p.room), md(p.model_name), md(d.status), md(d.software_date),
                 md(d.hh_swgen_state), md(d.connection_type), md(d.wifi_mode), md(d.extra_info)]
        lines.append("| " + " | ".join(c or "-" for c in cells) + " |")
    compared = [h for h in inventory.households if h.topology_disagreement is not None]
    lines.append("")
    for household in compared:
        ident = md(household.household_id) if household.household_id else "(id unknown)"
        state = ("two members' copies agree" if not household.topology_disagreement
                 else "two members' copies DISAGREE (see the topology-disagreement finding)")
        lines.append(f"- Rooms and groups of {ident}: {state}")
    if compared:
        lines.append("")
    return lines


def render_markdown(inventory: Inventory, context: ReportContext | None = None) -> str:
    context = context or ReportContext()
    scan = inventory.scan
    lines = ["# Sonos system inventory", ""]
    lines.append(f"Made by sonos-inventory {md(inventory.tool_version)} on {md(scan.finished_at)}"
                 " (read-only: nothing was changed on any product).")
    lines.append("")
    if inventory.label:
        lines += [f"**System:** {md(inventory.label, 200)}", ""]
    if context.diagnostic_id:
        lines.append(f"**Sonos diagnostic id:** {md(context.diagnostic_id, 80)}  ")
    if context.note:
        lines.append(f"**Note:** {md(context.note, 2000)}")
    if context.diagnostic_id or context.note:
        lines.append("")
    lines += [f"## Verdict: {VERDICT_WORDS[inventory.verdict.error_803]}", ""]
    notice = incomplete_notice(inventory)
    if notice:
        lines += [f"**{md(notice, 2000)}**", ""]
    lines += [md(inventory.verdict.summary, 4000), ""]
    lines += ["## What to tell Sonos support", "", "> " + md(support_message(inventory), 4000),
              ""]
    lines += ["## What to do now", ""]
    steps = next_steps(inventory, has_first_seen=bool(context.first_seen),
                       quote=lambda text: md(text, 2000), attach=context.attach)
    lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    lines.append("")
    lines += ["## Inventory", ""]
    by_uuid = {p.uuid: p for p in inventory.players}
    for index, household in enumerate(inventory.households, 1):
        tracks = "/".join(t.value for t in household.tracks) or "track unknown"
        ident = md(household.household_id) if household.household_id else "(id unknown)"
        lines.append(f"### Household {index}: {ident} ({tracks})")
        lines.append("")
        if household.topology_problem:
            lines += [f"Member list not read: {md(household.topology_problem.detail, 500)}", ""]
        moved = moved_out_lines(inventory, household)
        if moved:
            lines += [f"- {md(line, 500)}" for line in moved] + [""]
        columns = COLUMNS + ((FIRST_SEEN,) if context.first_seen else ())
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "---|" * len(columns))
        lines += [_row(by_uuid[u], context) for u in household.players if u in by_uuid]
        lines.append("")
    lines += ["\"Version (app)\" is the version as the Sonos app's About My System shows it; that "
              "its build number is the software version without punctuation is inferred from "
              "app screenshots. \"Connection\" comes from the zone group state (each product's "
              "basis is in the JSON as `connection_basis`).", ""]
    lines += _deep_section(inventory)
    if context.first_seen:
        lines += ["\"First seen\" is when this tool first saw the product on this computer, not "
                  "the day it was added to the system.", ""]
    lines += ["## Findings", ""]
    if not inventory.findings:
        lines += ["No findings.", ""]
    for index, finding in enumerate(inventory.findings, 1):
        lines += _finding(index, finding)
    lines += ["## Scan details", ""]
    lines += [
        f"- Started {md(scan.started_at)}, finished {md(scan.finished_at)}",
        f"- Tool: sonos-inventory {md(inventory.tool_version)}",
        f"- Methods: {', '.join(m.value for m in scan.methods) or 'none'}",
        f"- Interfaces: {md(', '.join(scan.interfaces)) or 'none'}",
        f"- Complete: {'yes' if scan.complete else 'no'}",
    ]
    for reason in scan.incomplete_reasons:
        lines.append(f"  - {md(reason, 500)}")
    unread = [p for p in inventory.players if p.errors]
    if unread or inventory.unidentified:
        lines.append("- Not read:")
    for player in unread:
        for error in player.errors:
            lines.append(f"  - {md(player.room or player.uuid)} ({md(player.ip)}): "
                         f"{md(error.kind.value)}: {md(error.detail, 500)}")
    for entry in inventory.unidentified:
        reason = "; ".join(f"{e.kind.value}: {e.detail}" for e in entry.errors)
        label = "not a Sonos player, ignored: " if is_not_sonos(entry) else ""
        lines.append(f"  - {md(entry.ip)}:{entry.port}: {label}{md(reason, 500)}")
    return "\n".join(lines) + "\n"

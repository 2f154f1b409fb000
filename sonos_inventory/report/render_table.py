"""The terminal view: one table per household, then what could not be read."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from ..inventory import is_not_sonos
from ..model import Household, Inventory, Player
from .advice import incomplete_notice, moved_out_lines
from .safe_text import for_terminal as t
from .table_fit import fit_columns, fit_prose
from .view import table_columns

NOTHING_FOUND_HELP = """\
No Sonos player answered. This usually means one of these:
  - A firewall drops the discovery replies. Windows Defender Firewall asks once per program: allow
    Python / sonos-inventory on private networks. On Linux, allow UDP from port 1900 (SSDP) and
    5353 (mDNS).
  - macOS: the terminal app has no Local Network permission (System Settings > Privacy & Security
    > Local Network).
  - A VPN is on and carries the traffic elsewhere: turn it off while scanning.
  - This computer is on a guest Wi-Fi or an isolated network that keeps devices apart: join the
    same network as the Sonos players.
  - The computer has several network interfaces and the search went out on the wrong one.
What to try next:
  sonos-inventory scan --interface-addr <this computer's IP on the Sonos network>
  sonos-inventory scan --host <a player's IP>   (the Sonos app shows it under About My System)
  sonos-inventory scan --network 192.168.1.0/24 (the network your players are on)"""


def _row(player: Player) -> list[str]:
    return [t(column.value(player), column.table_width) for column in table_columns()]


HEADERS = [column.label for column in table_columns()]


def household_title(household: Household, index: int) -> str:
    tracks = "/".join(x.value for x in household.tracks) or "track unknown"
    ident = t(household.household_id, 64) if household.household_id else "(id unknown)"
    topology = "" if household.topology_read else ", topology not read"
    count = len(household.players)
    products = f"{count} product" + ("" if count == 1 else "s")
    return f"Household {index}: {ident} ({tracks}, {products}{topology})"


DEFAULT_HINT = ("For the full support report (what to tell Sonos support, evidence, advice):",
                "  sonos-inventory scan --format markdown --output sonos-report.md")


def render_table(inventory: Inventory, *, width: int | None = None,
                 hint: tuple[str, ...] = DEFAULT_HINT) -> str:
    """The terminal view. `width` fits it to a terminal: columns shortened or dropped (named
    under the table), prose wrapped between words; None keeps the full layout (pipes)."""
    lines: list[str] = []
    if inventory.label:
        lines += [f"System: {t(inventory.label, 200)}", ""]
    notice = incomplete_notice(inventory)
    if notice:  # at the top and again beside the verdict: nobody should miss it
        lines += [t(notice, 2000) if width else textwrap.fill(t(notice, 2000), width=100), ""]
    by_uuid = {p.uuid: p for p in inventory.players}
    for index, household in enumerate(inventory.households, 1):
        lines.append(household_title(household, index))
        rows = [_row(by_uuid[u]) for u in household.players if u in by_uuid]
        fitted = fit_columns(HEADERS, rows, width)
        lines.append(tabulate(fitted.rows, headers=fitted.headers, tablefmt="simple"))
        if fitted.dropped:
            lines.append(f"(Not shown at this width: {', '.join(fitted.dropped)}. Widen the "
                         "window, or see the full report.)")
        if household.topology_problem:
            lines.append(f"  topology: {t(household.topology_problem.detail, 300)}")
        for line in moved_out_lines(inventory, household):
            lines.append(f"  {t(line, 300)}")
        lines.append("")
    unread = [p for p in inventory.players if p.errors and not p.reachable]
    if unread:
        lines.append("Not read:")
        for player in unread:
            who = t(player.room or player.uuid, 40)
            for error in player.errors:
                lines.append(f"  {who} ({t(player.ip, 40)}): {error.kind}: {t(error.detail, 300)}")
        lines.append("")
    for title, entries in (
        ("Addresses that did not answer as a Sonos player:",
         [u for u in inventory.unidentified if not is_not_sonos(u)]),
        ("Not Sonos players (they answered the search; ignored):",
         [u for u in inventory.unidentified if is_not_sonos(u)]),
    ):
        if entries:
            lines.append(title)
            for entry in entries:
                reason = "; ".join(f"{e.kind}: {t(e.detail, 200)}" for e in entry.errors)
                lines.append(f"  {t(entry.ip, 40)}:{entry.port} ({reason})")
            lines.append("")
    if not inventory.players:
        lines.append("No Sonos player found.")
        lines.append("")
    scan = inventory.scan
    status = "complete" if scan.complete else "INCOMPLETE: " + "; ".join(
        t(reason, 300) for reason in scan.incomplete_reasons)
    lines.append(f"Scan {status}. {len(inventory.players)} products in "
                 f"{len(inventory.households)} household(s); methods: "
                 f"{', '.join(m.value for m in scan.methods) or 'none'}.")
    lines.append("")
    if inventory.findings:
        lines.append("Findings:")
        for finding in inventory.findings:
            lines.append(f"  [{finding.severity.value}] {finding.rule}: {t(finding.title, 200)}")
        lines.append("")
    verdict = inventory.verdict
    lines.append(f"Error 803 (software-track conflict): {verdict.error_803.upper()}")
    if notice:
        lines.append(t(notice, 2000) if width else textwrap.fill(t(notice, 2000), width=100))
    summary = t(verdict.summary, 2000)  # with a width, fit_prose wraps it by display cells
    lines.append(summary if width else textwrap.fill(summary, width=100))
    lines.append("")
    lines.extend(hint)
    return fit_prose("\n".join(lines), width) + "\n"

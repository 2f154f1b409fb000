"""The terminal view: one table per household, then what could not be read."""

from __future__ import annotations

from collections.abc import Callable

from tabulate import tabulate

from ..inventory import is_not_sonos
from ..model import Household, Inventory, Likelihood, Player, Severity
from .advice import incomplete_notice, moved_out_lines
from .safe_text import for_terminal as t
from .safe_text import quoted
from .table_fit import fit_columns, fit_prose, wrap
from .view import table_columns

NOTHING_FOUND_HELP = """\
No Sonos player answered. This usually means one of these:
  - A firewall drops the discovery replies. Windows Defender Firewall asks once per program: allow
    Python / sonos-inventory on private networks. On Linux, let the firewall accept the Sonos
    products' answers (UDP from port 1900, and 5353 for mDNS).
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
TABLE_INDENT = "  "
"""Every table line starts with the tool's own indent: a room name never begins a line."""

VERDICT_WORDS = {Likelihood.LIKELY: "Likely", Likelihood.POSSIBLE: "Possible",
                 Likelihood.NOT_INDICATED: "Not indicated",
                 Likelihood.UNKNOWN: "Unknown (nothing was read)"}
VERDICT_HEAD = "| Error 803 (software-track conflict): "

Paint = Callable[[str, str], str]
"""Colours one line by what it is, decided from the data: `verdict-likely`,
`verdict-possible`, `verdict-not-indicated`, `error`, `warning` (the guided scan passes one)."""


def household_title(household: Household, index: int, *, owner: bool = False) -> str:
    tracks = "/".join(x.value for x in household.tracks) or "track unknown"
    ident = "Sonos system" if owner else (
        quoted(household.household_id, 64) if household.household_id else "(id unknown)")
    topology = ", topology not read" if not household.topology_read else ""
    count = len([u for u in household.players if u not in household.remembered])
    products = f"{count} product" + ("" if count == 1 else "s")
    if household.remembered:
        products += f", {len(household.remembered)} remembered"
    return f"Household {index}: {ident} ({tracks}, {products}{topology})"


DEFAULT_HINT = ("For the full support report (what to tell Sonos support, evidence, advice):",
                "  sonos-inventory scan --format markdown --output sonos-report.md")


def _prefixed(text: str, width: int | None, first: str, rest: str) -> list[str]:
    """Prose wrapped to the width (100 columns without one), every line led by the tool's own
    prefix: `first` on the first, `rest` on each continuation."""
    lines = wrap(first + text, width or 100, rest)
    return [lines[0], *(line if line.startswith(rest) else rest + line for line in lines[1:])]


def verdict_frame(inventory: Inventory, width: int | None) -> list[tuple[str, str]]:
    """The verdict, last, in a frame no device text can produce: rules of `=` at the start of
    a line and `| ` before every line inside (device text never begins a line, and names inside
    are quoted). Each line with what it is, for colouring."""
    verdict = inventory.verdict
    kind = f"verdict-{verdict.error_803.value}"
    rule = "=" * min(width or 78, 78)
    lines = [(rule, kind), (VERDICT_HEAD + VERDICT_WORDS[verdict.error_803], kind)]
    notice = incomplete_notice(inventory)
    if notice:
        lines += [(line, kind) for line in _prefixed(t(notice, 2000), width, "| ", "| ")]
    lines += [(line, kind) for line in _prefixed(t(verdict.summary, 2000), width, "| ", "| ")]
    return [*lines, (rule, kind)]


def counted(count: int, noun: str) -> str:
    """'1 product', '4 products'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def render_table(inventory: Inventory, *, width: int | None = None,
                 hint: tuple[str, ...] = DEFAULT_HINT, paint: Paint | None = None,
                 owner: bool = False) -> str:
    """The terminal view. `width` fits it to a terminal: columns shortened or dropped (named
    under the table), prose wrapped between words; None keeps the full layout (pipes).
    `paint` colours lines by what they are (the verdict frame, error and warning findings).
    `owner`: the guided scan's screen, without protocol names or raw household ids (the saved
    report keeps them)."""
    blocks: list[tuple[str, str]] = []  # (line, kind); kind "" is not coloured

    def add(text: str, kind: str = "") -> None:
        blocks.extend((line, kind) for line in fit_prose(text, width).split("\n"))

    if inventory.label:
        add(f"System: {quoted(inventory.label, 200)}")
        add("")
    notice = incomplete_notice(inventory)
    if notice:  # at the top and again beside the verdict: nobody should miss it
        blocks.extend((line, "") for line in _prefixed(t(notice, 2000), width, "", "  "))
        add("")
    by_uuid = {p.uuid: p for p in inventory.players}
    for index, household in enumerate(inventory.households, 1):
        add(household_title(household, index, owner=owner))
        rows = [_row(by_uuid[u]) for u in household.players if u in by_uuid]
        fitted = fit_columns(HEADERS, rows, None if width is None else width - len(TABLE_INDENT))
        table = tabulate(fitted.rows, headers=fitted.headers, tablefmt="simple")
        blocks.extend((TABLE_INDENT + line, "") for line in table.split("\n"))
        if fitted.dropped:
            add(f"(Not shown at this width: {', '.join(fitted.dropped)}. Widen the "
                "window, or see the full report.)")
        if household.topology_problem:
            add(f"    topology: {t(household.topology_problem.detail, 300)}")
        for line in moved_out_lines(inventory, household):
            add(f"    {t(line, 300)}")
        add("")
    unread = [p for p in inventory.players if p.errors and not p.reachable]
    if unread:
        add("Not read:")
        for player in unread:
            who = quoted(player.room or player.uuid, 40)
            for error in player.errors:
                add(f"  {who} ({t(player.ip, 40)}): {error.kind}: {t(error.detail, 300)}")
        add("")
    for title, entries in (
        ("Addresses that did not answer as a Sonos player:",
         [u for u in inventory.unidentified if not is_not_sonos(u)]),
        ("Not Sonos players (they answered the search; ignored):",
         [u for u in inventory.unidentified if is_not_sonos(u)]),
    ):
        if entries:
            add(title)
            for entry in entries:
                reason = "; ".join(f"{e.kind}: {t(e.detail, 200)}" for e in entry.errors)
                add(f"  {t(entry.ip, 40)}:{entry.port} ({reason})")
            add("")
    if not inventory.players:
        add("No Sonos player found.")
        add("")
    scan = inventory.scan
    status = "complete" if scan.complete else "INCOMPLETE: " + "; ".join(
        t(reason, 300) for reason in scan.incomplete_reasons)
    methods = "" if owner else (
        f"; found by {', '.join(m.value for m in scan.methods) or 'nothing'}")
    add(f"Scan {status}. {counted(len(inventory.players), 'product')} in "
        f"{counted(len(inventory.households), 'household')}{methods}.")
    add("")
    if inventory.findings:
        add("Findings:")
        for finding in inventory.findings:
            add(f"  [{finding.severity.value}] {finding.rule}: {t(finding.title, 200)}",
                finding.severity.value if finding.severity is not Severity.INFO else "")
        add("")
    for line in hint:
        add(line)
    if hint:
        add("")
    blocks.extend(verdict_frame(inventory, width))
    out = [paint(line, kind) if paint and kind else line for line, kind in blocks]
    return "\n".join(out) + "\n"

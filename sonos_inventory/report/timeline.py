"""The timeline of a watch (`analyze events.jsonl`): per product, its versions and reboots over
time, and the system's verdicts, in Markdown and in HTML. Pure; every value is device or file
text, escaped for its format."""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from .safe_text import content_security_policy, for_terminal
from .safe_text import for_markdown as md

KIND_WORDS = {
    "appeared": "appeared", "vanished": "dropped off", "back": "back",
    "rebooted": "rebooted", "version-changed": "new version", "moved": "moved",
    "left": "left the household", "verdict-changed": "verdict", "aligned": "aligned",
}


def _clock(stamp: str) -> str:
    """`2026-12-07T10:00:05Z` -> `2026-12-07 10:00:05 UTC` (a log can span days)."""
    text = for_terminal(stamp, 40)
    return text.replace("T", " ").replace("Z", " UTC")


def _change(event: dict[str, Any]) -> str:
    old, new = event.get("old"), event.get("new")
    if old is None and new is None:
        return ""
    return f"{for_terminal(old or '?', 60)} -> {for_terminal(new or '?', 60)}"


def by_product(events: Sequence[dict[str, Any]]) -> OrderedDict[str, list[dict[str, Any]]]:
    """Each product's events in time order (system events under "The system")."""
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for event in sorted(events, key=lambda e: str(e.get("time", ""))):
        name = ("The system" if not event.get("uuid") else
                for_terminal(event.get("room") or event.get("uuid"), 60))
        groups.setdefault(name, []).append(event)
    return groups


def ends_aligned(events: Sequence[dict[str, Any]]) -> bool:
    ordered = sorted(events, key=lambda e: str(e.get("time", "")))
    return bool(ordered) and ordered[-1].get("kind") == "aligned"


def _outcome(events: Sequence[dict[str, Any]]) -> str:
    if not events:
        return "The watch saw no change."
    first, last = events[0].get("time", ""), events[-1].get("time", "")
    span = f"From {_clock(str(first))} to {_clock(str(last))}: {len(events)} events."
    return span + (" It ends aligned: every product on one track and in step."
                   if ends_aligned(events) else " It does not end aligned.")


def render_timeline_markdown(events: Sequence[dict[str, Any]]) -> str:
    ordered = sorted(events, key=lambda e: str(e.get("time", "")))
    out = ["# Sonos watch timeline", "", md(_outcome(ordered), 400), ""]
    for name, own in by_product(ordered).items():
        versions = [e for e in own if e.get("kind") == "version-changed"]
        reboots = sum(1 for e in own if e.get("kind") == "rebooted")
        summary = []
        if versions:
            summary.append("versions " + " -> ".join(
                [for_terminal(versions[0].get("old") or "?", 40)]
                + [for_terminal(e.get("new") or "?", 40) for e in versions]))
        if reboots:
            summary.append(f"{reboots} reboot{'s' if reboots != 1 else ''}")
        out.append(f"## {md(name)}" + (f" ({md(', '.join(summary))})" if summary else ""))
        out.append("")
        out.append("| time | what | change | detail |")
        out.append("|---|---|---|---|")
        for event in own:
            out.append(f"| {md(_clock(str(event.get('time', ''))))} | "
                       f"{md(KIND_WORDS.get(str(event.get('kind')), '?'))} | "
                       f"{md(_change(event))} | {md(for_terminal(event.get('detail'), 300))} |")
        out.append("")
    return "\n".join(out)


CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  margin: 0 auto; max-width: 1150px; padding: 24px; background: #fafafa; }
.product { background: #fff; border: 1px solid #ddd; border-radius: 10px; padding: 12px 16px;
  margin: 0 0 14px; }
.product h2 { font-size: 1.1em; margin: 0 0 8px; }
.line { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.chip { border-radius: 14px; padding: 2px 10px; border: 2px solid #999; background: #fff;
  font-size: .88em; overflow-wrap: anywhere; }
.chip time { color: #555; margin-right: 6px; }
.chip.version-changed { border-color: #0a3170; background: #e2ecff; }
.chip.rebooted { border-color: #6b6b6b; }
.chip.vanished, .chip.left { border-color: #b00020; border-style: dashed; }
.chip.back, .chip.appeared { border-color: #2e7d32; }
.chip.verdict-changed { border-color: #c77700; background: #fff4e0; }
.chip.aligned { border-color: #2e7d32; background: #e7f6e9; font-weight: 700; }
.arrow { color: #888; }
.outcome { font-weight: 600; }
@media print { body { background: #fff; padding: 0; max-width: none; }
  .product { break-inside: avoid; } }
"""


def render_timeline_html(events: Sequence[dict[str, Any]]) -> str:
    """One self-contained page: a line of events per product, in time order."""
    def h(value: object, limit: int = 200) -> str:
        return html.escape(for_terminal(value, limit), quote=True)

    ordered = sorted(events, key=lambda e: str(e.get("time", "")))
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           content_security_policy(CSS), "<title>Sonos watch timeline</title>",
           f"<style>{CSS}</style></head><body><h1>Sonos watch timeline</h1>",
           f'<p class="outcome">{h(_outcome(ordered), 400)}</p>']
    for name, own in by_product(ordered).items():
        chips = []
        for event in own:
            kind = str(event.get("kind"))
            change = _change(event)
            chips.append(f'<span class="chip {h(kind, 20)}" title="{h(event.get("detail"), 300)}">'
                         f"<time>{h(_clock(str(event.get('time', ''))), 40)}</time>"
                         f"{h(KIND_WORDS.get(kind, '?'))}"
                         + (f" {h(change, 130)}" if change else "")
                         + (f" ({h(event.get('detail'), 80)})" if kind == "version-changed"
                            else "") + "</span>")
        out.append(f'<section class="product"><h2>{h(name, 80)}</h2><div class="line">'
                   + '<span class="arrow">&rarr;</span>'.join(chips) + "</div></section>")
    out.append("</body></html>\n")
    return "".join(out)

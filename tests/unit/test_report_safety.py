"""Device strings cannot inject markup into the report or control sequences into the terminal."""

from __future__ import annotations

import re
from dataclasses import replace

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.model import Inventory
from sonos_inventory.report.render_markdown import render_markdown
from sonos_inventory.report.render_table import render_table

from ..helpers import inventory_of

HOSTILE_ROOM = "[click](http://evil.example) | <img src=x> **x** \x1b[2J\u202eevil\x9b"


def hostile_inventory() -> Inventory:
    inventory = inventory_of("error-803")
    players = tuple(replace(p, room=HOSTILE_ROOM) if p.room == "Bedroom" else p
                    for p in inventory.players)
    return analyze(replace(inventory, players=players))


def test_markdown_report_escapes_device_strings() -> None:
    text = render_markdown(hostile_inventory())
    for markup in (r"\[click\]\(", r"<img", r"\*\*x"):
        assert not re.search(r"(?<!\\)" + markup, text), markup  # only escaped forms remain
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "RINCON" not in line]
    columns = {len(re.findall(r"(?<!\\)\|", row)) for row in rows if "---" not in row}
    assert len(columns) == 1  # no row has an extra unescaped cell separator


def test_terminal_table_escapes_device_strings() -> None:
    text = render_table(hostile_inventory())
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    assert "\\x1b[2J" in text

"""The HTML report is self-contained and escapes device strings (no browser needed here)."""

from __future__ import annotations

import re
from dataclasses import replace

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.report.render_html import render_html

from ..helpers import inventory_of


def test_self_contained_no_script_no_network() -> None:
    page = render_html(inventory_of("error-803"))
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert "@media print" in page


def test_tiles_labels_and_conflict_link() -> None:
    page = render_html(inventory_of("error-803"))
    assert page.count('<article class="tile') == 4
    assert page.count('<span class="track-label">S2</span>') == 3
    assert page.count('<span class="track-label">S1</span>') == 1
    bedroom = re.search(r'<article class="tile track-S1 conflict"[^>]*>.*?</article>', page)
    assert bedroom and 'href="#finding-1"' in bedroom.group(0)
    assert 'id="finding-1"' in page


def test_hostile_names_are_escaped() -> None:
    inventory = inventory_of("error-803")
    evil = '<img src=x onerror=alert(1)>"\u202e\x1b'
    players = tuple(replace(p, room=evil, model_name=evil) for p in inventory.players)
    page = render_html(analyze(replace(inventory, players=players)))
    assert "<img" not in page and "\u202e" not in page and "\x1b" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page

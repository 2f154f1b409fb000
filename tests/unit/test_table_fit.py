"""The terminal table at a given width: one line per product, aligned with wide characters,
prose wrapped between words, the full layout when no width is given (pipes)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonos_inventory.model import Inventory
from sonos_inventory.report.render_table import HEADERS, render_table
from sonos_inventory.report.table_fit import clip, display_width, fit_columns, wrap
from sonos_inventory.scenario.builtin import SCENARIOS

from ..helpers import inventory_of

SERIAL = re.compile(r"00-0E-58-F0-[0-9A-F]{2}-[0-9A-F]{2}:[A-Z]")


def with_rooms(inventory: Inventory, rooms: dict[str, str]) -> Inventory:
    players = tuple(dataclasses.replace(p, room=rooms.get(p.room or "", p.room))
                    for p in inventory.players)
    return dataclasses.replace(inventory, players=players)


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("width", [80, 100])
def test_every_line_fits_and_one_line_per_product(name: str, width: int) -> None:
    inventory = inventory_of(name)
    text = render_table(inventory, width=width)
    for line in text.splitlines():
        assert display_width(line) <= width or " " not in line.strip(), line
    lines = text.splitlines()
    rows = []
    for index, line in enumerate(lines):
        if line.startswith("  ----"):  # a table's rule: its rows follow until a non-row line
            for row in lines[index + 1:]:
                if not row or row.startswith(("(", "    ")) or not row.startswith("  "):
                    break
                rows.append(row)
    products = sum(len(h.players) for h in inventory.households)
    assert len(rows) == products  # one line per product, none wrapped
    for player in inventory.players:
        if player.serial and player.reachable:
            assert sum(player.serial in row for row in rows) == 1


def test_without_width_the_full_layout_is_kept() -> None:
    inventory = inventory_of("error-803")
    text = render_table(inventory)
    header = next(line for line in text.splitlines() if line.startswith("  Room"))
    positions = [header.find(h) for h in HEADERS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), header
    assert "Sonos Playbar" in text and "Not shown" not in text


def test_narrow_table_names_what_it_leaves_out_and_keeps_the_essentials() -> None:
    text = render_table(inventory_of("error-803"), width=80)
    header = next(line for line in text.splitlines() if line.startswith("  Room"))
    for column in ("Room", "Product", "Serial", "Version", "Track"):
        assert column in header
    shown = set(header.split())
    hidden = [c for c in HEADERS if c not in shown and c != "Version (app)"]  # merged, below
    assert hidden
    note = next(line for line in text.splitlines() if line.startswith("(Not shown"))
    for column in hidden:
        assert column in note
    assert "Version (app)" not in note
    assert "00-0E-58-F0-01-04:C" in text  # the S1 product's facts


def test_at_80_columns_the_version_is_the_app_label_where_known_else_the_build() -> None:
    """The owner matches the Sonos app's "About My System": its release label (11.16.2) where
    the tool knows it, otherwise the build, in one Version column."""
    text = render_table(inventory_of("error-803"), width=80)
    rows = {line.split()[0]: line for line in text.splitlines()
            if line.startswith("  ") and "00-0E-58-F0-01-0" in line}
    assert "11.16.2" in rows["Bedroom"] and "57.23-80060" not in rows["Bedroom"]  # label known
    assert "86.7-77050" in rows["Living"]  # no label known for that build: the build itself
    wide = render_table(inventory_of("error-803"), width=None)
    assert "Software" in wide and "Version (app)" in wide  # nothing merged when there is room


def test_wide_characters_keep_the_columns_aligned() -> None:
    rooms = {"Living Room": "リビング", "Kitchen": "キッチンと食堂", "Office": "書斎"}
    inventory = with_rooms(inventory_of("error-803"), rooms)
    for width in (None, 80):
        text = render_table(inventory, width=width)
        rows = [line for line in text.splitlines() if SERIAL.search(line)
                and line[2:].startswith((*rooms.values(), "Bedroom"))]
        assert len(rows) == 4
        starts = {display_width(line[: line.index(SERIAL.search(line).group())])  # type: ignore[union-attr]
                  for line in rows}
        assert len(starts) == 1, rows  # the serial column starts at one display column


def test_fit_truncates_with_an_ellipsis_at_very_narrow_widths() -> None:
    headers = ["Room", "Product", "Serial", "Software", "Track"]
    rows = [["A very long room name indeed", "Sonos Five", "00-0E-58-F0-01-04:C", "95.0-77060",
             "S2"]]
    fitted = fit_columns(headers, rows, 60)
    assert any("…" in cell for cell in fitted.rows[0])
    assert fitted.rows[0][-1] == "S2"


def test_clip_counts_display_cells() -> None:
    assert clip("リビングルーム", 6) == "リビ…"
    assert display_width(clip("リビングルーム", 6)) <= 6
    assert clip("short", 10) == "short"


words = st.lists(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N"]),
                         min_size=1, max_size=12), min_size=1, max_size=30)


@given(words, st.integers(min_value=10, max_value=120))
def test_wrap_never_breaks_inside_a_word(parts: list[str], width: int) -> None:
    text = " ".join(parts)
    lines = wrap(text, width, "  ")
    assert " ".join(" ".join(lines).split()) == text
    for line in lines:
        assert display_width(line) <= width or len(line.split()) == 1

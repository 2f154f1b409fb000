"""One renderer per output format (report/formats.py), used by one inventory and by the fleet
view alike, and the command line's --format choices made from it."""

from __future__ import annotations

import click

from sonos_inventory.cli import cli
from sonos_inventory.deliver import render
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.fleet import summarise
from sonos_inventory.report.formats import FORMATS, RENDERERS, Format, RenderOptions, renderer

from ..helpers import inventory_of


def test_every_format_has_one_renderer_for_one_inventory_and_for_many() -> None:
    inventory = inventory_of("error-803")
    sites = [summarise("A", "a.json", inventory, 1), summarise("B", "b.json", inventory, 1)]
    assert set(RENDERERS) == set(Format) and tuple(f.value for f in Format) == FORMATS
    for fmt, entry in RENDERERS.items():
        assert entry.format is fmt and entry.suffix.startswith(".")
        one = entry.one(inventory, ReportContext(), RenderOptions())
        assert "00-0E-58-F0-01-04:C" in one, fmt  # the S1 product's serial, in every format
        assert render(inventory, fmt.value, ReportContext()) == one  # deliver goes through it
        many = "".join(entry.many(sites, lambda site: inventory, RenderOptions()))
        assert "A" in many and "B" in many, fmt


def test_the_command_line_offers_exactly_the_registered_formats() -> None:
    for name in ("scan", "demo", "analyze"):
        command = cli.commands[name]
        option = next(p for p in command.params if p.name == "fmt")
        assert isinstance(option.type, click.Choice)
        assert tuple(option.type.choices) == FORMATS


def test_an_unknown_format_is_a_bug_named_as_such() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown output format 'yaml'"):
        renderer("yaml")


def test_the_output_file_name_chooses_the_format_when_none_is_given() -> None:
    from pathlib import Path

    from sonos_inventory.report.formats import format_for

    assert [format_for(Path(n)).value for n in (
        "r.md", "R.HTML", "x.json", "sites.csv", "notes.txt", "noext", "r.markdown")] == [
        "markdown", "html", "json", "csv", "table", "table", "markdown"]
    assert format_for(None) is Format.TABLE

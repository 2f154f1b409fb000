"""The output formats, one renderer each: the single place that maps a format to the code that
writes it, for one inventory (deliver.py: scan, demo, analyze) and for many (the fleet view).
The command line's `--format` choices come from here.

Adding a format is a Format value, its Renderer entry and its render functions (with their
test): nothing else. The renderers load their modules when used, so starting the program stays
quick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..model import Inventory, StrEnum
from .context import ReportContext
from .fleet import Loader, Site


class Format(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"
    CSV = "csv"


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may be told beyond the inventory: the CSV's byte order mark, the
    terminal's width and the table's closing lines (None: the scan's hint)."""

    csv_bom: bool = False
    width: int | None = None
    hint: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Renderer:
    format: Format
    suffix: str  # the file name extension of a file in this format
    one: Callable[[Inventory, ReportContext, RenderOptions], str]
    many: Callable[[list[Site], Loader, RenderOptions], Iterator[str]]
    structured: bool = False
    """A JSON document: redaction's safety net works on its values, never on its keys."""


def _table(inventory: Inventory, context: ReportContext, options: RenderOptions) -> str:
    from .render_table import DEFAULT_HINT, render_table

    return render_table(inventory, width=options.width,
                        hint=DEFAULT_HINT if options.hint is None else options.hint)


def _markdown(inventory: Inventory, context: ReportContext, options: RenderOptions) -> str:
    from .render_markdown import render_markdown

    return render_markdown(inventory, context)


def _json(inventory: Inventory, context: ReportContext, options: RenderOptions) -> str:
    from .render_json import render_json

    return render_json(inventory, context)


def _html(inventory: Inventory, context: ReportContext, options: RenderOptions) -> str:
    from .render_html import render_html

    return render_html(inventory, context)


def _csv(inventory: Inventory, context: ReportContext, options: RenderOptions) -> str:
    from .render_csv import render_csv

    return render_csv(inventory, context, bom=options.csv_bom)


def _fleet_table(sites: list[Site], load: Loader, options: RenderOptions) -> Iterator[str]:
    from .fleet import render_fleet_table

    return render_fleet_table(sites)


def _fleet_markdown(sites: list[Site], load: Loader, options: RenderOptions) -> Iterator[str]:
    from .fleet import render_fleet_markdown

    return render_fleet_markdown(sites, load)


def _fleet_json(sites: list[Site], load: Loader, options: RenderOptions) -> Iterator[str]:
    from .fleet import render_fleet_json

    return render_fleet_json(sites, load)


def _fleet_html(sites: list[Site], load: Loader, options: RenderOptions) -> Iterator[str]:
    from .fleet import render_fleet_html

    return render_fleet_html(sites, load)


def _fleet_csv(sites: list[Site], load: Loader, options: RenderOptions) -> Iterator[str]:
    from .fleet import render_fleet_csv

    return render_fleet_csv(sites, load, bom=options.csv_bom)


RENDERERS: dict[Format, Renderer] = {r.format: r for r in (
    Renderer(Format.TABLE, ".txt", _table, _fleet_table),
    Renderer(Format.MARKDOWN, ".md", _markdown, _fleet_markdown),
    Renderer(Format.JSON, ".json", _json, _fleet_json, structured=True),
    Renderer(Format.HTML, ".html", _html, _fleet_html),
    Renderer(Format.CSV, ".csv", _csv, _fleet_csv),
)}

FORMATS: tuple[str, ...] = tuple(f.value for f in Format)
"""The `--format` choices, in help order."""


def format_for(path: object) -> Format:
    """The format a file name asks for by its extension (`report.md`: markdown); table for any
    other name, and for none."""
    from pathlib import PurePath

    suffix = PurePath(str(path)).suffix.lower() if path is not None else ""
    aliases = {".markdown": Format.MARKDOWN, ".htm": Format.HTML}
    by_suffix = {r.suffix: r.format for r in RENDERERS.values()}
    return by_suffix.get(suffix) or aliases.get(suffix) or Format.TABLE


def renderer(fmt: str | Format) -> Renderer:
    """The renderer of a format; ValueError (a bug, not user input: click checks choices)
    for any other name."""
    try:
        return RENDERERS[Format(fmt)]
    except ValueError:
        raise ValueError(f"unknown output format {fmt!r}; expected one of "
                         f"{', '.join(FORMATS)}") from None

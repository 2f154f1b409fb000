"""One view of a product for every renderer: which fields a report shows, under which label, in
which order, and as what text. The table, the Markdown report and the CSV take their columns
from here (the HTML tiles take their labels), so adding a field is one change. Pure.

Values are plain text from device data, not yet escaped: each renderer escapes for its format
(terminal, Markdown, HTML, CSV).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analyze.labels import release_label
from ..analyze.versions import app_version
from ..model import Player
from .advice import answered, connection_label


@dataclass(frozen=True)
class Merge:
    """At a narrow width, this column and the column labelled `other` become one column
    `label` in the other's place: `combine(own cell, other cell)` per row. Nothing is dropped
    that the person needs (the release label where known, otherwise the build)."""

    other: str
    label: str
    combine: Callable[[str, str], str]
    truncate_to: int | None = None


@dataclass(frozen=True)
class Narrow:
    """How the terminal table gives way when it is too wide (report/table_fit.py): first
    `shorten` (no information lost), then `merge` two columns into one, then drop the column
    when every cell is `drop_if_all`, then drop it outright, then cut its cells with an
    ellipsis down to `truncate_to`. The ranks order the columns within each step."""

    shorten: Callable[[str], str] | None = None
    merge: Merge | None = None
    drop_if_all: tuple[int, str] | None = None  # (rank, the ordinary value)
    drop_rank: int | None = None
    truncate_to: int | None = None


@dataclass(frozen=True)
class Column:
    key: str  # the inventory JSON's key (the CSV header)
    label: str  # what people read (table, Markdown)
    value: Callable[[Player], str | None]
    table_width: int = 40  # at most this many characters in the terminal table
    in_table: bool = True
    in_markdown: bool = True
    narrow: Narrow = Narrow()


def app_version_of(player: Player) -> str | None:
    """The version as the app shows it: the release label (reported, or from the table) and
    the build, e.g. `17.7 (build 92071170)`."""
    label = release_label(player.software_version, player.display_version).label
    return app_version(label, player.software_version)


def label_or_build(app: str, build: str) -> str:
    """The app's version alone where the release label is known (`11.16.2 (build 57238006)`
    gives `11.16.2`), otherwise the build (`86.7-77050`): the value an owner can match in the
    Sonos app, in the width of one column."""
    if not app or app.startswith("build "):
        return build
    return app.split(" (build ", 1)[0]


def _capable(player: Player) -> str:
    return {True: "yes", False: "no", None: "cannot tell; ask support"}[player.s2_capable]


COLUMNS: tuple[Column, ...] = (
    Column("room", "Room", lambda p: p.room, 28, narrow=Narrow(truncate_to=8)),
    # "Sonos " is in every product name: nothing is lost by leaving it out
    Column("model_name", "Product", lambda p: p.model_name, 28,
           narrow=Narrow(shorten=lambda cell: cell.removeprefix("Sonos "), truncate_to=8)),
    Column("model_number", "Model", lambda p: p.model_number, 10, narrow=Narrow(drop_rank=2)),
    Column("series_id", "Series", lambda p: p.series_id, 8, in_table=False),
    Column("serial", "Serial", lambda p: p.serial, 24, narrow=Narrow(truncate_to=10)),
    Column("software_version", "Software", lambda p: p.software_version, 16,
           narrow=Narrow(truncate_to=10)),
    Column("display_version", "Version (app)", lambda p: app_version_of(p), 32,
           narrow=Narrow(merge=Merge("Software", "Version", label_or_build, truncate_to=10))),
    Column("track", "Track", lambda p: p.track.value, 8),
    Column("s2_capable", "S2-capable", _capable, 8, in_table=False),
    Column("role", "Role", lambda p: p.role.value, 16,
           narrow=Narrow(drop_if_all=(2, "player"), drop_rank=5)),
    Column("ip", "IP", lambda p: p.ip, 40, narrow=Narrow(drop_rank=3)),
    Column("connection", "Connection", connection_label, 24,
           narrow=Narrow(drop_if_all=(3, "unknown"), drop_rank=6)),
    # why a player did not answer is listed under "Not read"
    Column("reachable", "Answered", answered, 32,
           narrow=Narrow(shorten=lambda cell: cell.split(" (", 1)[0],
                         drop_if_all=(1, "yes"), drop_rank=4)),
)
"""Product columns, in report order."""

FIRST_SEEN = Column("first_seen", "First seen", lambda p: None, in_table=False)
"""Shown when a scan history says when this tool first saw each product (ReportContext)."""


def table_columns() -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS if c.in_table)


def markdown_columns() -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS if c.in_markdown)

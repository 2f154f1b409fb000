"""Fitting the terminal table and its prose to a width, counting display cells (wcwidth), so
wide characters (CJK room names) keep the columns aligned. Pure functions.

At a narrow width the least useful columns go first, in a fixed order, and the ones that
go are named under the table; the full report (Markdown, HTML, JSON) always has every column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wcwidth import wcswidth, wcwidth

from .view import COLUMNS

SEPARATOR = 2  # tabulate's "simple" format puts two spaces between columns
HEADER_PADDING = 2  # and makes every column at least its header plus two wide
ELLIPSIS = "…"

# How each column gives way, from the one view of a product (report/view.py, Column.narrow):
# shortened first (nothing lost), then dropped when all its cells are one ordinary value, then
# dropped in rank order, then truncated with an ellipsis down to the width it keeps.
_SHORTEN: tuple[tuple[str, Callable[[str], str]], ...] = tuple(
    (c.label, c.narrow.shorten) for c in COLUMNS if c.narrow.shorten)
_MERGE = tuple((c.label, c.narrow.merge) for c in COLUMNS if c.narrow.merge)
_DROP_IF_UNIFORM = tuple((label, value) for _rank, label, value in sorted(
    (c.narrow.drop_if_all[0], c.label, c.narrow.drop_if_all[1])
    for c in COLUMNS if c.narrow.drop_if_all))
_DROP = tuple(label for _rank, label in sorted(
    (c.narrow.drop_rank, c.label) for c in COLUMNS if c.narrow.drop_rank))
_TRUNCATE = {c.label: c.narrow.truncate_to for c in COLUMNS if c.narrow.truncate_to} | {
    merge.label: merge.truncate_to for _, merge in _MERGE if merge.truncate_to}


def display_width(text: str) -> int:
    width = wcswidth(text)
    if width >= 0:
        return width
    return sum(max(wcwidth(char), 0) for char in text)  # a stray control: count what shows


def clip(text: str, width: int) -> str:
    """Text cut to at most `width` display cells, with an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        cells = max(wcwidth(char), 0)
        if used + cells > width - 1:
            break
        out.append(char)
        used += cells
    return "".join(out) + ELLIPSIS


@dataclass(frozen=True)
class Fitted:
    headers: list[str]
    rows: list[list[str]]
    dropped: tuple[str, ...] = ()


def _total(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    widths = [display_width(h) + HEADER_PADDING for h in headers]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    return sum(widths) + SEPARATOR * max(len(headers) - 1, 0)


def fit_columns(headers: Sequence[str], rows: Sequence[Sequence[str]],
                width: int | None) -> Fitted:
    """Shorten, then merge, then drop, then truncate columns until the table fits `width`
    display cells (None: unchanged). A table that cannot fit even then is returned at its
    narrowest."""
    cols = list(headers)
    table = [list(row) for row in rows]
    if width is None or _total(cols, table) <= width:
        return Fitted(cols, table)
    dropped: list[str] = []

    def drop(name: str) -> None:
        index = cols.index(name)
        del cols[index]
        for row in table:
            del row[index]
        dropped.append(name)

    for name, shorten in _SHORTEN:
        if name in cols:
            index = cols.index(name)
            for row in table:
                row[index] = shorten(row[index])
    for name, merge in _MERGE:
        if _total(cols, table) > width and name in cols and merge.other in cols:
            own, other = cols.index(name), cols.index(merge.other)
            merged = [merge.combine(row[own], row[other]) for row in table]
            if any(m != row[other] for m, row in zip(merged, table, strict=True)):
                dropped.append(merge.other)  # some rows show another value in its place
            for row, cell in zip(table, merged, strict=True):
                row[other] = cell
            cols[other] = merge.label
            drop(name)
            dropped.remove(name)  # its value is what the merged column shows
    for name, value in _DROP_IF_UNIFORM:
        if _total(cols, table) > width and name in cols:
            index = cols.index(name)
            if all(row[index] == value for row in table):
                drop(name)
    for name in _DROP:
        if _total(cols, table) > width and name in cols:
            drop(name)
    _truncate(cols, table, width)
    return Fitted(cols, table, tuple(dropped))


def _truncate(cols: list[str], table: list[list[str]], width: int) -> None:
    """Take one cell of width at a time from the widest truncatable column."""
    while _total(cols, table) > width:
        candidates = []
        for name, floor in _TRUNCATE.items():
            if name not in cols:
                continue
            index = cols.index(name)
            current = max(display_width(row[index]) for row in table) if table else 0
            if current > floor:
                candidates.append((current, index))
        if not candidates:
            return
        current, index = max(candidates)
        for row in table:
            row[index] = clip(row[index], current - 1)


def wrap(text: str, width: int | None, indent: str = "") -> list[str]:
    """Greedy word wrap by display width; never breaks inside a word (a word longer than the
    line stays whole on its own line). None: the text as one line."""
    if width is None or display_width(text) <= width:
        return [text]
    lead = text[: len(text) - len(text.lstrip(" "))]
    words = text.split()
    lines: list[str] = []
    line = lead + words[0]
    for word in words[1:]:
        if display_width(line) + 1 + display_width(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = indent + word
    lines.append(line)
    return lines


def fit_prose(text: str, width: int | None) -> str:
    """Every line longer than `width` wrapped between words, its continuation indented two
    more than the line (so a list item stays one item). Lines that fit, tables included, are
    left as they are. None: unchanged."""
    if width is None:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        lead = len(line) - len(line.lstrip(" "))
        out.extend(wrap(line, width, " " * (lead + 2)))  # no continuation begins a line
    return "\n".join(out)

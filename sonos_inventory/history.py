"""The local scan history: each `scan` saves its inventory JSON in the user's data folder, so
`diff` can compare with the previous scan and reports can say when a product was first seen.

The history holds serial numbers and addresses, unredacted, on this computer only (files 0600 in
a 0700 folder). `demo` never writes it; `scan --no-history` skips it; `history --clear` deletes
it. Anything odd found there (a bad, huge, deeply nested, non-regular or unreadable file) is
skipped with a note: the history never stops a scan, `history` or `diff`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bounds import MAX_HISTORY_FILES, MAX_HISTORY_TOTAL_BYTES, MAX_INPUT_FILE_BYTES
from .errors import UsageError
from .fileio import (
    make_private_dir,
    read_limited,
    shown,
    unsafe_folder,
    write_bytes_atomically,
)

ENV_HOME = "SONOS_INVENTORY_HOME"
PATTERN = "scan-*.json"


def history_dir() -> Path:
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override) / "history"
    from platformdirs import user_data_path

    return user_data_path("sonos-inventory", appauthor=False) / "history"


def _refuse_unsafe(directory: Path) -> None:
    """Reading or clearing the history: an unsafe folder is refused (fileio.unsafe_folder)."""
    problem = unsafe_folder(directory)
    if problem:
        raise UsageError(f"the scan history is not used: {problem}")


def _names(directory: Path) -> list[str]:
    _refuse_unsafe(directory)
    try:
        with os.scandir(directory) as entries:
            return sorted(e.name for e in entries if fnmatch.fnmatchcase(e.name, PATTERN))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise UsageError(f"cannot read the scan history {shown(directory)}: "
                         f"{exc.strerror}") from None


def scans(directory: Path | None = None) -> list[Path]:
    """Saved scans, oldest first (file names are UTC timestamps), at most the newest
    MAX_HISTORY_FILES."""
    directory = directory or history_dir()
    return [directory / name for name in _names(directory)[-MAX_HISTORY_FILES:]]


def load(path: Path) -> Any:
    """One saved scan; UsageError (one line) for anything that is not a readable one."""
    from .jsonin import parse_json

    data = read_limited(path, MAX_INPUT_FILE_BYTES, follow=False)
    document = parse_json(data, shown(path))
    if not isinstance(document, dict) or not isinstance(document.get("players"), list):
        raise UsageError(f"{shown(path)}: not a saved inventory")
    return document


@dataclass(frozen=True)
class Entry:
    path: Path
    document: Any | None  # None when skipped
    problem: str | None = None


def entries(directory: Path | None = None) -> Iterator[Entry]:
    """Every saved scan, oldest first, each loaded or with the reason it was skipped; stops
    reading (with a note) after MAX_HISTORY_TOTAL_BYTES."""
    budget = MAX_HISTORY_TOTAL_BYTES
    for path in scans(directory):
        try:
            size = path.lstat().st_size
        except OSError as exc:
            yield Entry(path, None, f"{shown(path)}: {exc.strerror}")
            continue
        if size > budget:
            yield Entry(path, None, f"{shown(path)}: not read (history read budget used up)")
            continue
        try:
            document = load(path)
        except UsageError as exc:
            yield Entry(path, None, str(exc))
            continue
        budget -= size
        yield Entry(path, document)


def save(document: dict[str, Any], directory: Path | None = None) -> Path:
    directory = directory or history_dir()
    make_private_dir(directory)
    stamp = re.sub(r"[^0-9TZ]", "", str(document["scan"]["finished_at"]))[:32]
    path = directory / f"scan-{stamp}.json"
    suffix = 1
    while os.path.lexists(path):
        suffix += 1
        path = directory / f"scan-{stamp}-{suffix}.json"
    write_bytes_atomically(path, json.dumps(document, ensure_ascii=False).encode("utf-8"))
    return path


def first_seen(documents: Iterable[Any]) -> dict[str, str]:
    """The earliest scan start at which each product appeared. Pure."""
    seen: dict[str, str] = {}
    for document in documents:
        try:
            started = str(document["scan"]["started_at"])
            uuids = [str(p["uuid"]) for p in document["players"]]
        except (KeyError, TypeError, IndexError):
            continue
        for uuid in uuids:
            if uuid not in seen or started < seen[uuid]:
                seen[uuid] = started
    return seen


def clear(directory: Path | None = None) -> tuple[int, list[str]]:
    """Delete every saved scan and leftover temporary file; whatever else is named like one
    (a folder, a link, a FIFO) is removed as what it is, never followed. Returns (count, notes)."""
    directory = directory or history_dir()
    _refuse_unsafe(directory)
    removed, notes = 0, []
    try:
        with os.scandir(directory) as listing:
            names = sorted(e.name for e in listing
                           if fnmatch.fnmatchcase(e.name, PATTERN)
                           or fnmatch.fnmatchcase(e.name, ".scan-*.tmp"))
    except (FileNotFoundError, NotADirectoryError):
        return 0, []
    except OSError as exc:
        return 0, [f"cannot read {shown(directory)}: {exc.strerror}"]
    for name in names:
        path = directory / name
        try:
            if stat.S_ISDIR(path.lstat().st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
        except OSError as exc:
            notes.append(f"could not delete {shown(path)}: {exc.strerror or exc}")
    with contextlib.suppress(OSError):
        directory.rmdir()  # only when nothing else is left
    return removed, notes


def describe(path: Path, document: Any) -> dict[str, Any]:
    """One entry of `history --format json` (data/history.schema.json) from a loaded scan; an
    unreadable document gives an entry with `readable: false`. Pure."""
    def get(*keys: str) -> Any:
        value = document
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    players = get("players")
    households = get("households")
    label, verdict, when = get("label"), get("verdict", "error_803"), get("scan", "finished_at")
    complete = get("scan", "complete")
    readable = isinstance(players, list) and isinstance(households, list)
    return {
        "path": str(path),
        "finished_at": when if isinstance(when, str) else None,
        "label": label if isinstance(label, str) else None,
        "products": len(players) if isinstance(players, list) else None,
        "households": [h.get("household_id") if isinstance(h.get("household_id"), str)
                       else None for h in households if isinstance(h, dict)]
        if isinstance(households, list) else [],
        "verdict": verdict if verdict in ("likely", "possible", "not-indicated", "unknown")
        else None,
        "complete": complete if isinstance(complete, bool) else None,
        "readable": readable,
        "problem": None if readable else "not a saved scan",
    }

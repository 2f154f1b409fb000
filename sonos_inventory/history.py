"""The local scan history: each `scan` saves its inventory JSON in the user's data folder, so
`diff` can compare with the previous scan and reports can say when a product was first seen.

The history holds serial numbers and addresses, unredacted, on this computer only. `demo` never
writes it; `scan --no-history` skips it; `history --clear` deletes it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ENV_HOME = "SONOS_INVENTORY_HOME"


def history_dir() -> Path:
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override) / "history"
    from platformdirs import user_data_path

    return user_data_path("sonos-inventory", appauthor=False) / "history"


def scans(directory: Path | None = None) -> list[Path]:
    """Saved scans, oldest first (file names are UTC timestamps)."""
    directory = directory or history_dir()
    return sorted(directory.glob("scan-*.json")) if directory.is_dir() else []


def save(document: dict[str, Any], directory: Path | None = None) -> Path:
    directory = directory or history_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = re.sub(r"[^0-9TZ]", "", str(document["scan"]["finished_at"]))
    path = directory / f"scan-{stamp}.json"
    suffix = 1
    while path.exists():
        suffix += 1
        path = directory / f"scan-{stamp}-{suffix}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)
    return path


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def first_seen(documents: Iterable[Any]) -> dict[str, str]:
    """The earliest scan start at which each product appeared. Pure."""
    seen: dict[str, str] = {}
    for document in documents:
        try:
            started = str(document["scan"]["started_at"])
            uuids = [str(p["uuid"]) for p in document["players"]]
        except (KeyError, TypeError):
            continue
        for uuid in uuids:
            if uuid not in seen or started < seen[uuid]:
                seen[uuid] = started
    return seen


def clear(directory: Path | None = None) -> int:
    removed = 0
    for path in scans(directory):
        path.unlink()
        removed += 1
    return removed


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
        "verdict": verdict if verdict in ("likely", "possible", "not-indicated") else None,
        "complete": complete if isinstance(complete, bool) else None,
        "readable": readable,
        "problem": None if readable else "not a saved scan",
    }

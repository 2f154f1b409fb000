"""The support bundle: one zip with report.md, report.html, inventory.json, manifest.json and raw/
(the raw answers as a replayable scenario directory). Written atomically."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..bounds import REQUEST_TIMEOUT_S
from ..errors import UsageError
from ..fileio import write_bytes_atomically
from ..model import Inventory, ScanObservations

MAX_BUNDLE_MEMBER_BYTES = 64 * 1024 * 1024
"""Reading a bundle back (analyze): no member may unpack larger than this (zip bombs)."""


def manifest(inventory: Inventory, observations: ScanObservations | None,
             options: dict[str, Any], files: list[str], redacted: bool) -> dict[str, Any]:
    """What was asked, how long each probe took, its timeout, and what failed (as sos report)."""
    document: dict[str, Any] = {
        "tool": {"name": "sonos-inventory", "version": inventory.tool_version},
        "label": inventory.label,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace(
            "+00:00", "Z"),
        "options": options,
        "scan": {"started_at": inventory.scan.started_at,
                 "finished_at": inventory.scan.finished_at,
                 "complete": inventory.scan.complete,
                 "incomplete_reasons": list(inventory.scan.incomplete_reasons),
                 "methods": [m.value for m in inventory.scan.methods],
                 "interfaces": list(inventory.scan.interfaces)},
        "redacted": redacted,
        "files": sorted(files),
    }
    if observations is not None:
        document["probes"] = [
            {"address": str(p.endpoint), "asked": p.what, "elapsed_s": round(p.elapsed_s, 4),
             "timeout_s": REQUEST_TIMEOUT_S, "ok": p.problem is None,
             "failure": {"kind": p.problem.kind.value, "detail": p.problem.detail}
             if p.problem else None}
            for p in observations.probes
        ]
        document["notes"] = list(observations.notes)
        document["refused_by_policy"] = [
            {"uuid": r.uuid, "address": r.address, "reason": r.reason}
            for r in observations.refused]
    else:
        document["probes"] = []
        document["notes"] = ["made by `analyze` from a saved inventory: no probes were sent"]
    return document


def write_bundle(path: Path, files: dict[str, bytes]) -> None:
    """Write the zip beside its destination, then rename it into place."""
    write_bytes_atomically(path, zip_bytes(files))


def read_bundle(path: Path) -> tuple[Any, dict[str, bytes]]:
    """(inventory JSON document, raw/ files) of a bundle; UsageError if it is not one."""
    try:
        with zipfile.ZipFile(path) as archive:
            raw: dict[str, bytes] = {}
            document = None
            for info in archive.infolist():
                if info.file_size > MAX_BUNDLE_MEMBER_BYTES or info.is_dir():
                    continue
                if info.filename == "inventory.json":
                    document = json.loads(archive.read(info).decode("utf-8"))
                elif info.filename.startswith("raw/") and ".." not in info.filename:
                    raw[info.filename[4:]] = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UsageError(f"{path} is not a readable bundle: {exc}") from None
    if document is None:
        raise UsageError(f"{path} has no inventory.json: not a sonos-inventory bundle")
    return document, raw


def is_zip(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as stream:
        return stream.read(4) == b"PK\x03\x04"
    return False


def extract_raw(files: dict[str, bytes], target: Path) -> Path:
    """Unpack raw/ files into a folder (a scenario directory the emulator can serve)."""
    for name, data in files.items():
        destination = (target / name).resolve()
        if target.resolve() not in destination.parents:
            continue  # never write outside the target
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return target


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()

"""The support bundle: one zip with report.md, report.html, inventory.json, manifest.json and raw/
(the raw answers as a replayable scenario directory). Written atomically."""

from __future__ import annotations

import io
import itertools
import os
import struct
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from ..bounds import (
    MAX_BUNDLE_CENTRAL_DIRECTORY_BYTES,
    MAX_BUNDLE_ENTRIES,
    MAX_BUNDLE_MEMBER_BYTES,
    MAX_BUNDLE_NAME_CHARS,
    MAX_BUNDLE_TOTAL_BYTES,
    MAX_INPUT_FILE_BYTES,
    REQUEST_TIMEOUT_S,
)
from ..errors import UsageError
from ..fileio import open_regular, shown
from ..jsonin import echo, parse_json
from ..model import Inventory, ScanObservations
from .safe_text import for_terminal


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



def read_bundle(path: Path) -> tuple[Any, dict[str, bytes]]:
    """(inventory JSON document, raw/ files) of a bundle; UsageError if it is not one."""
    fd = open_regular(path)
    try:
        with os.fdopen(fd, "rb") as stream:
            members = read_members(stream, shown(path))
    except OSError as exc:
        raise UsageError(f"cannot read {shown(path)}: {exc.strerror or exc}") from None
    if "inventory.json" not in members:
        raise UsageError(f"{shown(path)} has no inventory.json: not a sonos-inventory bundle")
    document = parse_json(members.pop("inventory.json"), f"{shown(path)}: inventory.json")
    raw = {name[4:]: data for name, data in members.items() if name.startswith("raw/")}
    return document, raw


_EOCD = struct.Struct("<4s4H2LH")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _check_end_record(stream: BinaryIO, what: str) -> None:
    """Before zipfile parses anything: the end record must be plain (no zip64) and declare a
    central directory within the caps (zipfile reads it whole into memory)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    if size > MAX_INPUT_FILE_BYTES:
        raise UsageError(f"{what}: larger than {MAX_INPUT_FILE_BYTES:,} bytes; refused")
    tail_start = max(0, size - (_EOCD.size + 0xFFFF))
    stream.seek(tail_start)
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        raise UsageError(f"{what}: not a zip file (no end record)")
    _sig, _disk, _cd_disk, _here, entries, cd_size, cd_offset, _comment = _EOCD.unpack_from(
        tail, at)
    if (tail_start + at >= 20 and tail[max(0, at - 20):at].startswith(b"PK\x06\x07")) or (
            entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF):
        raise UsageError(f"{what}: a zip64 archive; bundles never need zip64; refused")
    if entries > MAX_BUNDLE_ENTRIES or cd_size > MAX_BUNDLE_CENTRAL_DIRECTORY_BYTES:
        raise UsageError(f"{what}: declares {entries:,} members ({cd_size:,} bytes of "
                         f"directory); at most {MAX_BUNDLE_ENTRIES:,}; refused")
    stream.seek(0)


def _data_spans(stream: BinaryIO, infos: list[zipfile.ZipInfo], what: str) -> None:
    """Refuse members whose bytes overlap (the "overlapping files" zip bomb) or lie outside."""
    spans = []
    for info in infos:
        stream.seek(info.header_offset)
        header = stream.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or not header.startswith(b"PK\x03\x04"):
            raise UsageError(f"{what}: member {echo(info.filename)} has no local header")
        fields = _LOCAL_HEADER.unpack(header)
        start = info.header_offset
        end = start + _LOCAL_HEADER.size + fields[9] + fields[10] + info.compress_size
        spans.append((start, end, info.filename))
    spans.sort()
    for (_s, end, name), (start, _e, other) in itertools.pairwise(spans):
        if start < end:
            raise UsageError(f"{what}: members {echo(name)} and {echo(other)} overlap; refused")


def _check_name(name: str, what: str) -> str:
    """A member path: relative, no `..`, no backslash or control character, bounded."""
    bad = (not name or len(name) > MAX_BUNDLE_NAME_CHARS or name.startswith("/")
           or "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name)
           or ":" in name.split("/")[0])
    parts = name.rstrip("/").split("/")
    if bad or any(part in ("", ".", "..") for part in parts):
        raise UsageError(f"{what}: member name {echo(name)} is not a safe relative path; refused")
    return name


def read_members(stream: BinaryIO, what: str) -> dict[str, bytes]:
    """Every file member of a zip, decompressed under the caps of bounds.py (counted on the
    bytes actually produced), after checking names, overlaps and file/folder clashes."""
    _check_end_record(stream, what)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_BUNDLE_ENTRIES:
                raise UsageError(f"{what}: more than {MAX_BUNDLE_ENTRIES:,} members; refused")
            for info in infos:
                _check_name(info.filename, what)
            files = {i.filename for i in infos if not i.is_dir()}
            folders = {i.filename.rstrip("/") for i in infos if i.is_dir()}
            if len(files) != sum(1 for i in infos if not i.is_dir()):
                raise UsageError(f"{what}: the same member name twice; refused")
            for name in files:
                parts = name.split("/")
                clash = name in folders or any("/".join(parts[:i]) in files
                                               for i in range(1, len(parts)))
                if clash:
                    raise UsageError(f"{what}: {echo(name)} is both a file and a folder; "
                                     "refused")
            _data_spans(stream, infos, what)
            members: dict[str, bytes] = {}
            total = 0
            for info in infos:
                if info.is_dir():
                    continue
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise UsageError(f"{what}: {echo(info.filename)} uses a compression "
                                     "method bundles never use; refused")
                if info.flag_bits & 0x1:
                    raise UsageError(f"{what}: {echo(info.filename)} is encrypted; refused")
                limit = min(MAX_BUNDLE_MEMBER_BYTES, MAX_BUNDLE_TOTAL_BYTES - total)
                with archive.open(info) as member:
                    data = member.read(limit + 1)
                if len(data) > limit:
                    raise UsageError(
                        f"{what}: {echo(info.filename)} unpacks to more than {limit:,} bytes "
                        f"(at most {MAX_BUNDLE_MEMBER_BYTES:,} per member and "
                        f"{MAX_BUNDLE_TOTAL_BYTES:,} in all); refused")
                total += len(data)
                members[info.filename] = data
            return members
    except UsageError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            ValueError, RuntimeError, zlib.error) as exc:
        raise UsageError(f"{what}: not a readable bundle ({for_terminal(exc, 120)})") from None


def is_zip(path: Path) -> bool:
    try:
        fd = open_regular(path)
    except UsageError:
        return False
    with os.fdopen(fd, "rb") as stream:
        return stream.read(4) == b"PK\x03\x04"


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()

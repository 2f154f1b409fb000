"""Delivering a result: redaction, rendering, --output, --bundle and --redact-map, in one place for
scan, demo and analyze. Returns the text for stdout; writes files atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .analyze.verdict import analyze
from .fileio import is_stdout, save_elsewhere, shown, write_output
from .model import Inventory, ScanObservations
from .report.context import ReportContext
from .report.formats import FORMATS, Format, RenderOptions, renderer
from .report.redact import Redactor


@dataclass(frozen=True)
class OutputRequest:
    fmt: str = "table"
    output: Path | None = None
    bundle: Path | None = None
    redact: bool = False
    redact_rooms: bool = False
    redact_map: Path | None = None
    csv_bom: bool = False
    width: int | None = None  # fit the table to a terminal this wide (None: full layout)
    hint: tuple[str, ...] | None = None  # the table's closing lines (None: the scan hint)


BUNDLE_REPORTS = (("report.md", Format.MARKDOWN), ("report.html", Format.HTML),
                  ("inventory.json", Format.JSON))
"""The reports every bundle holds, beside raw/ and manifest.json."""

__all__ = ["FORMATS", "Delivered", "OutputRequest", "deliver", "render", "write_targets"]


def render(inventory: Inventory, fmt: str, context: ReportContext,
           request: OutputRequest | None = None) -> str:
    """The inventory in one of FORMATS (report/formats.py has one renderer per format)."""
    request = request or OutputRequest()
    options = RenderOptions(csv_bom=request.csv_bom,
                            width=None if request.output else request.width, hint=request.hint)
    return renderer(fmt).one(inventory, context, options)


@dataclass(frozen=True)
class Delivered:
    stdout: str
    written: tuple[Path, ...]
    notes: tuple[str, ...] = ()  # redacted like everything else when redaction is asked
    failures: tuple[str, ...] = ()  # a target that could not be written, and where it went

    @property
    def ok(self) -> bool:
        return not self.failures


def deliver(
    inventory: Inventory,
    request: OutputRequest,
    context: ReportContext,
    *,
    observations: ScanObservations | None = None,
    raw: dict[str, bytes] | None = None,
    options: dict[str, Any] | None = None,
    notes: tuple[str, ...] = (),
) -> Delivered:
    """Render (redacted if asked) to stdout or --output, and write the bundle if asked.

    `raw` is the raw/ part of a bundle; when a scan's observations are given it is built from them
    (before redaction, so that it matches them) and redacted with everything else. A target that
    cannot be written does not lose the result: the report is printed, other files are saved in
    the temporary folder, and `failures` says so.
    """
    if request.bundle is not None and raw is None and observations is not None:
        from .scenario.capture import raw_scenario

        raw = raw_scenario(inventory, observations)
    raw = raw or {}
    options = dict(options or {})
    redactor: Redactor | None = None
    if request.redact or request.redact_rooms:
        redactor = Redactor(rooms=request.redact_rooms)
        redactor.learn(inventory, observations)
        redactor.learn_texts(data.decode("utf-8", "replace") for data in raw.values())
        inventory = analyze(redactor.inventory(inventory))
        context = ReportContext(
            redactor.maybe(context.note), redactor.maybe(context.diagnostic_id),
            tuple((redactor.text(u), when) for u, when in context.first_seen))
        notes = tuple(redactor.text(note) for note in notes)  # stored as JSON string values
        for key in ("input", "scenario"):  # local paths: the file name is enough
            if isinstance(options.get(key), str) and ("/" in options[key] or "\\" in options[key]):
                options[key] = redactor.text(Path(options[key]).name)

    def rendered(fmt: str) -> str:
        text = render(inventory, fmt, context, request)
        if redactor is None:
            return text
        # The safety net over every output: the values in it were redacted before rendering;
        # this catches any identifier pattern left, inside values only (never a JSON key or
        # the tool's own words, whatever a device calls its household or its room).
        return (redactor.json_document(text) if renderer(fmt).structured
                else redactor.shapes(text))

    text = rendered(request.fmt)
    targets: list[tuple[Path, bytes, str]] = []
    to_stdout = request.output is None or is_stdout(request.output)
    if request.output is not None and not is_stdout(request.output):
        targets.append((request.output, text.encode("utf-8"), "--output"))
    if request.bundle is not None:
        from .report.bundle import manifest, zip_bytes

        files = {name: rendered(fmt).encode("utf-8") for name, fmt in BUNDLE_REPORTS}
        for name, data in raw.items():
            if redactor:
                name, data = redactor.raw_file(name, data)
            files[f"raw/{name}"] = data
        document = json.dumps(manifest(inventory, observations, options,
                                       [*files, "manifest.json"], redacted=redactor is not None),
                              indent=2, ensure_ascii=False)
        files["manifest.json"] = (redactor.json_document(document) if redactor
                                  else document).encode()
        targets.append((request.bundle, zip_bytes(files), "--bundle"))
    if redactor is not None and request.redact_map is not None:
        targets.append((request.redact_map, json.dumps(redactor.mapping(), indent=2,
                                                       ensure_ascii=False).encode(),
                        "--redact-map"))
    written, failures, print_instead = write_targets(targets)
    to_stdout = to_stdout or print_instead
    return Delivered(text if to_stdout else "", tuple(written), notes, tuple(failures))


def write_targets(targets: list[tuple[Path, bytes, str]]
                  ) -> tuple[list[Path], list[str], bool]:
    """Write each (path, data, option) target. A target that cannot be written does not lose
    the result: the --output report is to be printed instead (the third value), any other file
    is saved in the temporary folder. Returns what was written and a line per failure."""
    written: list[Path] = []
    failures: list[str] = []
    print_instead = False
    for path, data, option in targets:
        try:
            write_output(path, data)
            written.append(path)
            continue
        except OSError as exc:
            problem = f"{option} {shown(path)}: could not write it ({exc.strerror or exc})"
        if option == "--output":
            print_instead = True
            failures.append(f"{problem}; the report is printed below instead")
            continue
        try:
            elsewhere = save_elsewhere(data, path.name)
        except OSError:
            failures.append(f"{problem}; it could not be saved anywhere else either")
            print_instead = True
            continue
        failures.append(f"{problem}; saved it as {shown(elsewhere)} instead")
    return written, failures, print_instead

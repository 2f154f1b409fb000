"""The commands on saved results: `analyze` (one file, or many as a fleet view), `diff` and
`history`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click

from .. import api
from ..deliver import OutputRequest, write_targets
from ..errors import UsageError
from ..model import Inventory
from ..report.context import ReportContext
from ..report.safe_text import for_terminal, json_dumps, quoted
from .common import (
    InputError,
    analyze_hint,
    clean_label,
    cli,
    finish,
    open_option,
    output_options,
    request_from,
    warn,
)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="FILE...")
@output_options
@open_option
def analyze(files: tuple[Path, ...], fmt: str | None, output: Path | None, note: str | None,
            diagnostic_id: str | None, bundle: Path | None, redact: bool, redact_rooms: bool,
            redact_map: Path | None, csv_bom: bool, label: str | None, open_html: bool) -> None:
    """Re-run the diagnosis on saved inventory JSON files or bundles, offline.

    With several files, one fleet view: a summary per site (its label, else its file name) and
    every product with a `site` column. The exit code is the worst of the sites.
    """
    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map, csv_bom,
                           analyze_hint(files))
    label = clean_label(label)
    if len(files) > 1:
        if bundle is not None:
            raise click.UsageError("--bundle takes one input; give one FILE, or leave out "
                                   "--bundle for a fleet view")
        if label is not None:
            raise click.UsageError("--label names one system; with several files each site "
                                   "keeps its own label (else its file name)")
        if open_html:
            raise click.UsageError("--open takes one input; write the fleet view with "
                                   "--format html --output FILE and open that")
        sys.exit(finish_fleet(list(files), request))
    [file] = files
    if api.is_watch_log(file):
        sys.exit(finish_timeline(file, request, bundle=bundle, redacted=redact or redact_rooms))
    from ..api import read_input_with_context

    try:
        inventory, raw, kept = read_input_with_context(file)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    if label is not None:
        inventory = replace(inventory, label=label)
    context = ReportContext(note if note is not None else kept.note,  # what the file holds,
                            diagnostic_id if diagnostic_id is not None else kept.diagnostic_id,
                            kept.first_seen)  # unless given again on the command line
    sys.exit(finish(inventory, request, (), context, raw=raw,
                    options={"command": "analyze", "input": str(file)}, open_html=open_html))


def finish_timeline(file: Path, request: OutputRequest, *, bundle: Path | None,
                    redacted: bool) -> int:
    """A watch's JSON Lines log: its timeline, per product (markdown on a terminal, html, json
    or csv). Exit 0 when it ends aligned, 1 when it does not (as diff)."""
    from ..fileio import is_stdout, shown, write_output
    from ..report.render_csv import write_csv
    from ..report.safe_text import json_dumps
    from ..report.timeline import ends_aligned, render_timeline_html, render_timeline_markdown
    from ..watch import EVENT_KEYS

    if bundle is not None or redacted:
        raise click.UsageError("a watch log is shown as a timeline: --bundle and --redact "
                               "take an inventory JSON or a bundle")
    try:
        events = api.load_watch_log(file)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    if request.fmt == "html":
        text = render_timeline_html(events)
    elif request.fmt == "json":
        text = json_dumps({"watch_events": events}) + "\n"
    elif request.fmt == "csv":
        text = write_csv(EVENT_KEYS, events, bom=request.csv_bom)
    else:
        text = render_timeline_markdown(events)
    if request.output is not None and not is_stdout(request.output):
        try:
            write_output(request.output, text.encode("utf-8"))
        except OSError as exc:
            raise InputError(f"--output {shown(request.output)}: could not write it "
                             f"({exc.strerror or exc})") from None
        click.echo(f"Wrote {shown(request.output)}", err=True)
    else:
        click.echo(text, nl=False)
    return api.EXIT_OK if ends_aligned(events) else api.EXIT_CONFLICT


def finish_fleet(files: list[Path], request: OutputRequest) -> int:
    """Several inventories: the API's fleet view to stdout or --output; the worst site's exit
    code (2 when a file could not be written)."""
    import json

    from ..fileio import is_stdout, shown, write_output_chunks

    try:
        view = api.fleet(files, redact=request.redact, redact_rooms=request.redact_rooms)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    for note in view.notes:
        warn(note)

    def chunks() -> Iterator[bytes]:
        for chunk in view.chunks(request.fmt, csv_bom=request.csv_bom):
            yield chunk.encode("utf-8")

    failures: list[str] = []
    if request.output is not None and not is_stdout(request.output):
        try:
            write_output_chunks(request.output, chunks())
            click.echo(f"Wrote {shown(request.output)}", err=True)
        except OSError as exc:
            failures.append(f"--output {shown(request.output)}: could not write it "
                            f"({exc.strerror or exc}); the report is printed below instead")
            click.echo(f"Error: {failures[-1]}", err=True)
            write_output_chunks(Path("-"), chunks())
    else:
        sys.stdout.flush()
        write_output_chunks(Path("-"), chunks())
    mapping = view.redaction_map()
    if mapping is not None and request.redact_map is not None:
        written, map_failures, _ = write_targets([(request.redact_map, json.dumps(
            mapping, indent=2, ensure_ascii=False).encode(), "--redact-map")])
        failures += map_failures
        for failure in map_failures:
            click.echo(f"Error: {failure}", err=True)
        for path in written:
            click.echo(f"Wrote {shown(path)}", err=True)
    return api.EXIT_USAGE if failures else view.exit_code


def _scan_name(inventory: Inventory, path: Path) -> str:
    """A scan as people name it: its label (else its file) and when it finished."""
    from ..fileio import shown

    who = quoted(inventory.label, 60) if inventory.label else shown(path.name)
    return f"{who} ({for_terminal(inventory.scan.finished_at, 32)})"


@cli.command()
@click.argument("before", required=False, type=click.Path(path_type=Path))
@click.argument("after", required=False, type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="text for people, json for scripts "
              "(schema: sonos_inventory/data/diff.schema.json).")
@click.option("--force", is_flag=True,
              help="Compare even when the two inventories are of different systems.")
@click.option("--label", "label_filter", metavar="NAME",
              help="From the scan history, only scans labelled exactly NAME (a site).")
def diff(before: Path | None, after: Path | None, fmt: str, force: bool,
         label_filter: str | None) -> None:
    """Compare two inventories: what changed, and whether every product is now aligned.

    \b
    diff BEFORE AFTER   compare two saved inventory JSON files (or bundles)
    diff BEFORE         compare BEFORE with the latest saved scan
    diff                compare the last two saved scans
    diff --label NAME   compare the last two saved scans of the site labelled NAME
    Exit 0 when every household is on one track and in step, 1 when not, 2 when
    the two are different systems (they share no household and no product;
    --force compares anyway).
    """

    from ..diff import compare_systems, diff_dict, diff_inventories, render_diff
    from ..fileio import shown

    try:
        chosen = api.scans_to_compare(before, after, label=label_filter)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    for line in chosen.skipped:
        warn(line)
    (before, old), (after, new) = chosen.before, chosen.after
    click.echo(f"Comparing {_scan_name(old, before)} -> {_scan_name(new, after)}", err=True)
    if not compare_systems(old, new).same and not force:
        click.echo(f"Error: {shown(before)} and {shown(after)} are different systems (they "
                   "share no household and no product), so there is nothing to compare. Use "
                   "--force to compare them anyway.", err=True)
        sys.exit(api.EXIT_USAGE)
    result = diff_inventories(old, new, forced=force)
    if fmt == "json":
        click.echo(json_dumps(diff_dict(result, str(before), str(after))))
    else:
        click.echo(render_diff(result, (_scan_name(old, before), _scan_name(new, after))),
                   nl=False)
    sys.exit(0 if result.aligned else 1)


@cli.command(name="history")
@click.option("--clear", is_flag=True, help="Delete every saved scan (asks first on a terminal).")
@click.option("--yes", "-y", is_flag=True, help="With --clear: do not ask.")
@click.option("--label", "label_filter", metavar="TEXT",
              help="Only scans whose label contains TEXT (case-insensitive).")
@click.option("--format", "-f", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="text for people, json for scripts "
              "(schema: sonos_inventory/data/history.schema.json).")
def history_command(clear: bool, yes: bool, label_filter: str | None, fmt: str) -> None:
    """List the scans saved on this computer (they hold serial numbers, unredacted).

    \b
    Where: ~/.local/share/sonos-inventory/history (Linux),
    ~/Library/Application Support/sonos-inventory/history (macOS),
    %LOCALAPPDATA%\\sonos-inventory\\history (Windows); a private (0700) folder.
    Environment: SONOS_INVENTORY_HOME=DIR keeps the history in DIR/history."""

    from ..fileio import shown

    where = shown(api.history_directory())
    if clear:
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("history --clear deletes the saved scans support may ask for; "
                                 "add --yes to confirm")
            click.confirm(f"Delete the saved scans in {where}? They are the 'before' state "
                          "support may ask for", abort=True, err=True)
        try:
            count, notes = api.clear_history()
        except UsageError as exc:
            raise InputError(str(exc)) from None
        for note in notes:
            warn(note)
        click.echo(f"Deleted {count} saved scan(s) from {where}.", err=True)
        return
    try:
        entries = api.saved_scans(label_filter)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    if fmt == "json":
        click.echo(json_dumps({"schema_version": 1, "directory": where, "scans": entries}))
        return
    if not entries:
        which = f" labelled {for_terminal(label_filter, 60)!r}" if label_filter else ""
        click.echo(f"No saved scans{which} in {where}.", err=True)
        return
    # every line starts with the tool's indent; file text is neutralised; fits 80 columns
    click.echo(f"  {'Finished (local time)':<22} {'Products':>8}  {'Error 803':<13} {'Scan':<10} "
               "Label")
    for entry in entries:
        name = for_terminal(Path(entry["path"]).name, 60)
        if not entry["readable"]:
            click.echo(f"  {name}  (unreadable: {for_terminal(entry['problem'], 120)})")
            continue
        label = quoted(entry["label"], 18) if entry["label"] else "-"
        verdict = for_terminal(entry["verdict"] or "?", 13)
        scan = {True: "complete", False: "INCOMPLETE", None: "?"}[entry["complete"]]
        click.echo(f"  {local_time(entry['finished_at']):<22} {entry['products']:>8}  "
                   f"{verdict:<13} {scan:<10} {label}")
    click.echo(f"Saved scans are in {where} (files named by their UTC time).", err=True)


def local_time(stamp: object) -> str:
    """An ISO UTC time from a saved scan as this computer's local time with its zone
    (`2026-12-01 11:00 CET`); the text itself, neutralised, when it is not one."""
    from datetime import datetime

    text = str(stamp or "")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return for_terminal(text, 22) or "?"
    if when.tzinfo is None:
        return for_terminal(text, 22)
    return for_terminal(when.astimezone().strftime("%Y-%m-%d %H:%M %Z"), 22)

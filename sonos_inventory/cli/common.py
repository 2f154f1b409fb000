"""The command line's shared parts: the `sonos-inventory` group and its entry point, the output
options every reporting command takes, and how a result is printed, written and opened.

stdout carries only the chosen format; progress, notes and warnings go to stderr. The commands
themselves are in scanning.py (scan, demo, emulate, guide) and files.py (analyze, diff,
history): each parses its options, calls the API (sonos_inventory.api), prints, and chooses the
exit code.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import api, console
from ..deliver import FORMATS, OutputRequest, deliver
from ..errors import UsageError
from ..model import Inventory, ScanObservations
from ..report.context import ReportContext
from ..report.safe_text import for_terminal
from ..scan import Progress
from ..version import __version__

MAX_LABEL = 200


OPTION_NAMES = {"interface_addrs": "--interface-addr", "hosts": "--host",
                "networks": "--network", "timeout": "--timeout", "ttl": "--ttl"}
"""The API's argument names as this command line spells them, for the API's messages."""


class InputError(click.ClickException):
    """Bad input (a file, a folder, a target): one line on stderr, exit 2."""

    exit_code = 2


def request_from(fmt: str | None, output: Path | None, bundle: Path | None, redact: bool,
                 redact_rooms: bool, redact_map: Path | None, csv_bom: bool = False,
                 hint: tuple[str, ...] | None = None) -> OutputRequest:
    """The output request, with every target checked before anything is scanned. Without
    --format, the --output file's extension chooses it (report.md: markdown), else table."""
    from ..fileio import check_target, is_stdout, shown
    from ..report.formats import format_for

    if fmt is None:
        fmt = format_for(output).value

    if redact_map is not None and not (redact or redact_rooms):
        raise click.UsageError("--redact-map only makes sense with --redact or --redact-rooms")
    if bundle is not None and bundle.suffix.lower() != ".zip":
        raise click.UsageError(f"--bundle {shown(bundle)}: the bundle is a zip file; name it "
                               "*.zip")
    if is_stdout(redact_map):
        raise click.UsageError("--redact-map -: the mapping holds the real values; give a file")
    if csv_bom and fmt != "csv":
        raise click.UsageError("--csv-bom only makes sense with --format csv")
    try:
        for option, target in (("--output", output), ("--bundle", bundle),
                               ("--redact-map", redact_map)):
            if target is not None:
                check_target(target, option)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    return OutputRequest(fmt, output, bundle, redact, redact_rooms, redact_map, csv_bom,
                         width=console.terminal_width(), hint=hint)


def clean_label(label: str | None) -> str | None:
    """--label, validated by the API's rule (api.validate_label)."""
    from ..api import validate_label

    try:
        return validate_label(label, "--label")
    except UsageError as exc:
        raise InputError(str(exc)) from None


def scan_hint() -> tuple[str, ...] | None:
    """The table's closing hint with the command as this program was started (None: the
    default, for an installed `sonos-inventory` on PATH)."""
    program = console.program_name()
    if program == console.NAME:
        return None
    return ("For the full support report (what to tell Sonos support, evidence, advice):",
            f"  {program} scan --format markdown --output sonos-report.md")


def demo_hint(scenario: str, opened: bool = False) -> tuple[str, ...]:
    """Commands that work where the demo ran: more of the demo, never a scan of the network
    (and not the --open just run)."""
    program = console.program_name()
    chosen = "" if scenario == "error-803" else f" --scenario {scenario}"
    web = () if opened else (f"  {program} demo{chosen} --open",)
    return ("Next, in this demo: the support report" + ("" if opened else " as a web page, or")
            + " as Markdown:", *web,
            f"  {program} demo{chosen} --format markdown --output sonos-report.md",
            f"Other built-in households: {program} demo --help")


def analyze_hint(files: tuple[Path, ...]) -> tuple[str, ...]:
    """After analyze: the full report of the same file, offline (never a scan of the network)."""
    from ..fileio import shown

    program = console.program_name()
    name = shown(files[0]) if len(files) == 1 else "FILE"
    quoted = f'"{name}"' if " " in name else name
    return ("For the full support report (what to tell Sonos support, evidence, advice):",
            f"  {program} analyze {quoted} --format markdown --output sonos-report.md")


def open_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--open", "open_html", is_flag=True,
                        help="Also open the HTML report in your browser (written next to "
                             "--output, or to a temporary file).")(func)


def open_report(inventory: Inventory, request: OutputRequest, context: ReportContext,
                observations: ScanObservations | None) -> None:
    """--open: the HTML report (the --output file itself when it is HTML) in the browser."""
    import dataclasses
    import os

    from ..fileio import is_stdout

    to_file = request.output is not None and not is_stdout(request.output)
    if request.fmt == "html" and request.output is not None and to_file:
        path = request.output
    else:
        if request.output is not None and to_file:
            path = request.output.with_suffix(".html")
        else:  # stdout (`-o -` too): a private temporary file, never ./-.html
            fd, name = tempfile.mkstemp(prefix="sonos-report-", suffix=".html")
            os.close(fd)
            path = Path(name)
        html = dataclasses.replace(request, fmt="html", output=path, bundle=None,
                                   redact_map=None)
        deliver(inventory, html, context, observations=observations)
    if console.open_in_browser(path):
        click.echo(f"Opened {path} in your browser.", err=True)
    else:
        click.echo(f"Open {path} in your browser (none could be started here).", err=True)


def progress_printer() -> Callable[[Progress], None] | None:
    """A one-line progress display on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(progress: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1:
            return
        last[0] = now
        households = progress.households
        click.echo(f"\rSearching... {progress.found} found, {progress.read} read, "
                   f"{households} household{'' if households == 1 else 's'}   ", err=True,
                   nl=False)

    return show


def clear_progress() -> None:
    if sys.stderr.isatty():
        click.echo("\r" + " " * 70 + "\r", err=True, nl=False)


def emit(text: str, fmt: str) -> None:
    """The report on stdout. CSV goes out as bytes, so its CRLF line ends stay CRLF on every
    system (a text stream on Windows would turn them into CR CR LF)."""
    if fmt == "csv":
        click.echo(text.encode("utf-8"), nl=False)
    else:
        click.echo(text, nl=False)


def warn(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--label", metavar="TEXT",
                        help="A name for this system (customer, site): stored in the inventory, "
                             "the bundle and the history, printed at the top of reports.")(func)
    func = click.option("--csv-bom", is_flag=True,
                        help="With --format csv: start with a UTF-8 byte-order mark, so Excel "
                             "reads accented and non-Latin names correctly.")(func)
    func = click.option("--redact-map", type=click.Path(path_type=Path),
                        help="Write the pseudonym -> real value mapping to FILE (never into the "
                             "bundle).")(func)
    func = click.option("--redact-rooms", is_flag=True,
                        help="Also replace room names (implies --redact).")(func)
    func = click.option("--redact", is_flag=True,
                        help="Replace serials, MAC addresses, household ids and IP addresses "
                             "with consistent pseudonyms in every output. Best effort: review "
                             "before posting publicly.")(func)
    func = click.option("--bundle", type=click.Path(path_type=Path),
                        metavar="FILE.zip",
                        help="Also write one zip for a support case: reports (Markdown, "
                             "HTML), inventory.json, manifest.json and the raw answers "
                             "(replayable).")(func)
    func = click.option("--diagnostic-id", metavar="ID",
                        help="The number the Sonos app gave after Submit diagnostics; printed "
                             "near the top of the report.")(func)
    func = click.option("--note", metavar="TEXT",
                        help="A note printed near the top of the report (e.g. your case "
                             "number or what you tried).")(func)
    func = click.option("--output", "-o", type=click.Path(path_type=Path),
                        help="Write the report to FILE instead of printing it.")(func)
    func = click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
                        help="table for the terminal, markdown for the support report, html "
                             "for a visual page, json for scripts, csv for spreadsheets. "
                             "Default: from the --output file's extension (.md, .html, "
                             ".json, .csv), else table.")(func)
    return func


def nothing_found_help(inventory: Inventory) -> str:
    """Why nothing answered, the real cause first: for addresses you named (--host), what each
    one did; otherwise the usual causes of a search that finds nothing."""
    from ..model import Method
    from ..report.render_table import NOTHING_FOUND_HELP

    named = [u for u in inventory.unidentified if Method.HOST in u.discovered_via]
    if not named or len(named) != len(inventory.unidentified):
        return NOTHING_FOUND_HELP
    lines = [f"No Sonos product answered at {for_terminal(u.ip, 40)}:{u.port}: "
             + "; ".join(for_terminal(e.detail, 200) for e in u.errors[:2]) for u in named]
    lines.append("Check the address: the Sonos app shows each product's under Settings > "
                 "System > About My System. This computer must be on the same network (not a "
                 "guest Wi-Fi), and the product must be on.")
    return "\n".join(lines)


def finish(inventory: Inventory, request: OutputRequest, notes: tuple[str, ...],
           context: ReportContext, *, observations: ScanObservations | None = None,
           raw: dict[str, bytes] | None = None, options: dict[str, Any] | None = None,
           open_html: bool = False) -> int:
    from ..fileio import shown

    clear_progress()
    delivered = deliver(inventory, request, context, observations=observations, raw=raw,
                        options=options, notes=notes)
    for note in delivered.notes:
        warn(note)
    if not inventory.players:
        click.echo(nothing_found_help(inventory), err=True)
    for failure in delivered.failures:
        click.echo(f"Error: {failure}", err=True)
    for path in delivered.written:  # before the report: its verdict stays the last thing shown
        click.echo(f"Wrote {shown(path)}", err=True)
    emit(delivered.stdout, request.fmt)
    if open_html and delivered.ok:
        open_report(inventory, request, context, observations)
    return api.exit_code(inventory) if delivered.ok else 2


class _Interrupted(Exception):
    """Ctrl-C, carried past click (which would print a blank line and "Aborted!", exit 1)."""


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None


class EpilogCommand(click.Command):
    """A command whose help ends with a list built when help is shown (not at import)."""

    def __init__(self, *args: Any,
                 epilog_of: Callable[[], tuple[str, list[tuple[str, str]]]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog_of = epilog_of

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        heading, rows = self.epilog_of()
        with formatter.section(heading):
            formatter.write_dl(rows, col_max=46)


def scenario_list() -> tuple[str, list[tuple[str, str]]]:
    from ..scenario.builtin import DEFAULT_SCENARIO, SCENARIOS, describe

    return "Built-in scenarios", [
        (name, describe(name) + (" (the demo's default)" if name == DEFAULT_SCENARIO else ""))
        for name in SCENARIOS]


def scan_examples() -> tuple[str, list[tuple[str, str]]]:
    return "Examples", [
        ("sonos-inventory scan", "search and show the table"),
        ("sonos-inventory scan --open", "also open the report in your browser"),
        ("sonos-inventory scan --bundle case.zip", "one zip to attach to a support case"),
        ("sonos-inventory scan -f markdown -o report.md", "the support report as Markdown"),
        ("sonos-inventory scan --host 192.168.1.20", "when the search finds nothing"),
        ("sonos-inventory scan --network 192.168.1.0/24", "probe a network (VLANs, mesh)"),
        ("sonos-inventory scan -f json -o sonos.json", "for scripts"),
        ("sonos-inventory guide", "the same, step by step"),
    ]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True)
@click.version_option(__version__, prog_name="sonos-inventory")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Find every Sonos product on your network, read its model, serial and software version,
    and explain S1/S2 conflicts (the situation reported behind "Error 803").

    Read-only: it never updates, reboots or changes a player.

    \b
    Exit codes: 0 complete, no conflict; 1 conflict found; 2 usage or input error;
                3 no conflict found but the scan is incomplete (or found nothing).

    Started with no command in a terminal (a double-click), it runs the guided scan.
    """
    if ctx.invoked_subcommand is not None:
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        ctx.invoke(cli.commands["guide"])
        return
    click.echo(ctx.get_help(), err=True)  # no terminal: help, as without the guided scan
    ctx.exit(2)


def with_history(inventory: Inventory, context: ReportContext, *, save: bool) -> ReportContext:
    """First-seen dates from the local history; this scan saved there when asked (the API's
    record_in_history, its warnings on stderr)."""
    update = api.record_in_history(inventory, context, save=save)
    for line in update.warnings:
        warn(line)
    return update.context


def load_inventory(path: Path) -> Inventory:
    return load_input(path)[0]


def load_input(path: Path) -> tuple[Inventory, dict[str, bytes]]:
    """An inventory JSON or a bundle: the analysed inventory and the bundle's raw/ files.
    Anything wrong with the file is one line and exit 2 (InputError)."""
    from ..api import read_input

    try:
        return read_input(path)
    except UsageError as exc:
        raise InputError(str(exc)) from None


def main() -> None:
    """Entry point: Ctrl-C at any moment is one line and exit 130; an unexpected error is one
    line and exit 2 (SONOS_INVENTORY_DEBUG=1 shows the traceback)."""
    import os

    console.force_utf8(sys.stdout, sys.stderr)
    console.one_interrupt_per_press()
    try:
        cli.main(prog_name="sonos-inventory", standalone_mode=True)
    except (KeyboardInterrupt, _Interrupted):
        _quiet_exit("Interrupted.", 130)
    except BrokenPipeError:
        sys.stdout = None  # closed early (`| head`): nothing to flush at exit
        sys.exit(2)
    except Exception as exc:
        if os.environ.get("SONOS_INVENTORY_DEBUG"):
            raise
        _quiet_exit(f"Error: unexpected {type(exc).__name__}: {for_terminal(exc, 200)} "
                    "(a bug: please report it; SONOS_INVENTORY_DEBUG=1 shows details)", 2)
    finally:
        console.ignore_interrupts_while_exiting()


def _quiet_exit(message: str, code: int) -> None:
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        click.echo(message, err=True)
    sys.exit(code)

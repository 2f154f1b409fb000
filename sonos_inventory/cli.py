"""The command line: options -> ScanOptions -> app.run_scan -> render -> exit code.

stdout carries only the chosen format; progress, notes and warnings go to stderr.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from . import app, console
from .bounds import DEFAULT_SCAN_BUDGET_S, SSDP_DEFAULT_TTL, SSDP_MAX_TTL
from .deliver import FORMATS, OutputRequest, deliver, write_targets
from .errors import UsageError
from .model import Inventory, ScanObservations
from .report.context import ReportContext
from .report.safe_text import for_terminal, json_dumps, quoted
from .scan import Progress, ScanOptions
from .version import __version__

MAX_LABEL = 200


class InputError(click.ClickException):
    """Bad input (a file, a folder, a target): one line on stderr, exit 2."""

    exit_code = 2


def request_from(fmt: str, output: Path | None, bundle: Path | None, redact: bool,
                 redact_rooms: bool, redact_map: Path | None, csv_bom: bool = False,
                 hint: tuple[str, ...] | None = None) -> OutputRequest:
    """The output request, with every target checked before anything is scanned."""
    from .fileio import check_target, is_stdout, shown

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
    from .api import validate_label

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
    from .fileio import shown

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

    from .fileio import is_stdout

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
    func = click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True,
                        help="table for the terminal, markdown for the support report, html "
                             "for a visual page, json for scripts, csv for spreadsheets.")(func)
    return func


def nothing_found_help(inventory: Inventory) -> str:
    """Why nothing answered, the real cause first: for addresses you named (--host), what each
    one did; otherwise the usual causes of a search that finds nothing."""
    from .model import Method
    from .report.render_table import NOTHING_FOUND_HELP

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
    from .fileio import shown

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
    return app.exit_code(inventory) if delivered.ok else 2


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
    from .scenario.builtin import DEFAULT_SCENARIO, SCENARIOS, describe

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
        ctx.invoke(guide)
        return
    click.echo(ctx.get_help(), err=True)  # no terminal: help, as without the guided scan
    ctx.exit(2)


def guide_demo(terminal: Any) -> int:
    """`guide --demo`: the guided scan of the built-in household, on loopback only (a
    runner's or an owner's own network is never searched), no history, the report in a new
    temporary folder."""
    import dataclasses
    import tempfile

    from .emulator.server import Emulator
    from .guide import Guide

    with scenario_dir("error-803") as path, running(Emulator(_load(path), mdns=False)):
        def scanner(options: ScanOptions, progress: Callable[[Progress], None]
                    ) -> tuple[Inventory, ScanObservations]:
            if not options.hosts:  # the search: loopback, where the emulator answers
                options = dataclasses.replace(options, interface_addrs=("127.0.0.1",),
                                              use_mdns=False)
            return app.run_scan(options, on_progress=progress)

        folder = Path(tempfile.mkdtemp(prefix="sonos-inventory-guide-demo-"))
        return Guide(terminal, scanner=scanner, documents=lambda: [folder]).run()


@cli.command()
@click.option("--demo", "demo_household", is_flag=True,
              help="Guide through the built-in emulated household instead: it searches "
                   "loopback only, writes no history, and saves its report in a temporary "
                   "folder (it says where).")
def guide(demo_household: bool) -> None:
    """The guided scan, step by step (what a double-click runs): search, show, save the report
    and open it. Reads its answers line by line from standard input.

    \b
    Where it saves: a new folder sonos-inventory-DATE (private: 0700) in your
    Documents folder; when that cannot be written, on the Desktop, in your home
    folder, then in the system temporary folder (it says where). It also saves
    the scan in the scan history (see `sonos-inventory history --help`).
    \b
    Environment: SONOS_INVENTORY_DOCUMENTS  save there instead of Documents
                 SONOS_INVENTORY_HOME       the history's parent folder
                 SONOS_INVENTORY_NO_BROWSER=1  never start a browser
                 BROWSER                    the browser to open the report with"""
    from .guide import Guide, Terminal

    def history(inventory: Inventory, context: ReportContext) -> ReportContext:
        return with_history(inventory, context, save=bool(inventory.players))

    terminal = Terminal.standard()
    if demo_household:
        sys.exit(guide_demo(terminal))
    try:
        code = Guide(terminal, save_history=history).run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a double-clicked window must not vanish on an unexpected error
        terminal.say(f"\nSomething went wrong: {type(exc).__name__}: {exc}\nPlease report it "
                     "(with this text) to the sonos-inventory project.")
        terminal.ask("Press Enter to close this window.")
        code = app.EXIT_USAGE
    sys.exit(code)


@cli.command(cls=EpilogCommand, epilog_of=scan_examples)
@click.option("--interface-addr", "interface_addrs", multiple=True, metavar="IP",
              help="Search from this local IPv4 address only (repeatable). Default: every "
                   "interface that is up, except loopback.")
@click.option("--host", "hosts", multiple=True, metavar="IP[:PORT]",
              help="Read this player and its whole household (repeatable). Works where "
                   "multicast discovery is blocked.")
@click.option("--network", "networks", multiple=True, metavar="CIDR",
              help="Probe TCP port 1400 on every address of this network, at most a /22 "
                   "(repeatable). For VLANs and mesh routers that block multicast.")
@click.option("--timeout", type=click.FloatRange(1, 300), default=DEFAULT_SCAN_BUDGET_S,
              show_default=True, metavar="SECONDS",
              help="Overall time budget of the scan (1 to 300).")
@click.option("--no-ssdp", is_flag=True, help="Do not search with SSDP (UPnP multicast).")
@click.option("--no-mdns", is_flag=True, help="Do not browse mDNS (_sonos._tcp).")
@click.option("--ttl", type=click.IntRange(1, SSDP_MAX_TTL), default=SSDP_DEFAULT_TTL,
              show_default=True, metavar="N",
              help="Multicast TTL of the SSDP search (1 to 16). Raise it only when the players "
                   "sit on another VLAN or subnet behind a router that forwards multicast.")
@click.option("--deep", is_flag=True,
              help="Also read each player's own status page (GET /status/zp) and a second "
                   "member's copy of the rooms and groups. Read-only; about one small request "
                   "per player more.")
@click.option("--no-history", is_flag=True,
              help="Do not save this scan in the local history (used by diff and 'first seen').")
@output_options
@open_option
def scan(interface_addrs: tuple[str, ...], hosts: tuple[str, ...], networks: tuple[str, ...],
         timeout: float, no_ssdp: bool, no_mdns: bool, ttl: int, deep: bool, no_history: bool,
         fmt: str,
         output: Path | None, note: str | None, diagnostic_id: str | None, bundle: Path | None,
         redact: bool, redact_rooms: bool, redact_map: Path | None, csv_bom: bool,
         label: str | None, open_html: bool) -> None:
    """Discover and inventory the Sonos products on this network."""
    from .discovery.hosts import host_sightings
    from .discovery.probe import parse_networks
    from .netpolicy import normalize_ip

    try:
        for address in interface_addrs:
            ip = normalize_ip(address)
            if ip is None or ip.version != 4:
                raise UsageError(f"--interface-addr {address!r} is not an IPv4 address of "
                                 "this computer")
        options = ScanOptions(
            interface_addrs=interface_addrs, hosts=host_sightings(hosts),
            networks=parse_networks(networks), use_ssdp=not no_ssdp, use_mdns=not no_mdns,
            budget_s=timeout, deep=deep, ttl=ttl,
        )
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map, csv_bom,
                           scan_hint())
    label = clean_label(label)
    inventory, observations = app.run_scan(options, on_progress=progress_printer())
    inventory = replace(inventory, label=label)
    manifest_options = {"command": "scan", "interface_addrs": list(interface_addrs),
                        "hosts": list(hosts), "networks": list(networks), "timeout": timeout,
                        "ssdp": not no_ssdp, "mdns": not no_mdns, "ttl": ttl, "deep": deep,
                        "redact": redact or
                        redact_rooms, "redact_rooms": redact_rooms}
    if observations.interrupted:
        sys.exit(finish_interrupted(inventory, request, ReportContext(note, diagnostic_id),
                                    observations, manifest_options))
    context = with_history(inventory, ReportContext(note, diagnostic_id),
                           save=not no_history and bool(inventory.players))
    sys.exit(finish(inventory, request, observations.notes, context, observations=observations,
                    options=manifest_options, open_html=open_html))


def finish_interrupted(inventory: Inventory, request: OutputRequest, context: ReportContext,
                       observations: ScanObservations, options: dict[str, Any]) -> int:
    """Ctrl-C: write what was found when a file or bundle was asked for (marked incomplete)."""
    clear_progress()
    if request.output is not None or request.bundle is not None:
        from .fileio import shown

        delivered = deliver(inventory, request, context, observations=observations,
                            options=options)
        for failure in delivered.failures:
            click.echo(f"Error: {failure}", err=True)
        if delivered.failures:  # the file could not be written: the result is not lost
            click.echo(delivered.stdout, nl=False)
        for path in delivered.written:
            click.echo(f"Interrupted: the partial result ({len(inventory.players)} products) "
                       f"is in {shown(path)}.", err=True)
    else:
        click.echo("Interrupted.", err=True)
    return 130


def with_history(inventory: Inventory, context: ReportContext, *, save: bool) -> ReportContext:
    """Add first-seen dates from the local history; save this scan there when asked."""
    from . import history
    from .report.render_json import inventory_dict

    document = inventory_dict(inventory, context)
    seen: dict[str, str] = {}
    skipped: list[str] = []
    try:
        for entry in history.entries():
            if entry.document is None:
                skipped.append(entry.problem or "unreadable")
                continue
            for uuid, when in history.first_seen([entry.document]).items():
                if uuid not in seen or when < seen[uuid]:
                    seen[uuid] = when
    except UsageError as exc:
        warn(f"scan history not read: {exc}")
    if skipped:
        more = f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
        warn(f"skipped {len(skipped)} bad file(s) in the scan history: "
             f"{'; '.join(skipped[:3])}{more}")
    if not seen and not save:
        return context
    if save:
        try:
            history.save(document)
        except (OSError, UsageError) as exc:
            warn(f"scan history not saved: {exc}")
    for uuid, when in history.first_seen([document]).items():
        if uuid not in seen or when < seen[uuid]:
            seen[uuid] = when
    return ReportContext(context.note, context.diagnostic_id, tuple(sorted(seen.items())))


@contextlib.contextmanager
def scenario_dir(name_or_dir: str) -> Iterator[Path]:
    """A built-in scenario name (written to a temporary folder) or a scenario directory."""
    from .scenario.builtin import SCENARIOS, write_scenario

    if name_or_dir in SCENARIOS:
        with tempfile.TemporaryDirectory(prefix="sonos-inventory-") as tmp:
            yield write_scenario(name_or_dir, Path(tmp) / name_or_dir)
        return
    from .fileio import shown

    path = Path(name_or_dir).expanduser()
    if path.exists() and not path.is_dir():
        from .report.bundle import read_bundle
        from .scenario.extract import extract_raw

        with tempfile.TemporaryDirectory(prefix="sonos-inventory-") as tmp:
            try:
                raw = read_bundle(path)[1]
                target = extract_raw(raw, Path(tmp) / "raw")
            except UsageError as exc:
                raise InputError(str(exc)) from None
            except OSError as exc:
                raise InputError(f"cannot unpack {shown(path)}: {exc.strerror or exc}") from None
            del raw  # replayed from the folder: the bundle's bytes need not stay in memory
            yield target
        return
    if not path.is_dir():
        names = ", ".join(SCENARIOS)
        raise click.BadParameter(f"{shown(name_or_dir)!r} is neither a built-in scenario "
                                 f"({names}), a directory nor a bundle", param_hint="SCENARIO")
    yield path


def _load(path: Path) -> Any:
    from .scenario.folder import load_scenario

    try:
        scenario = load_scenario(path)
    except UsageError as exc:
        raise InputError(str(exc)) from None
    for reason in scenario.skipped:  # well-formed, but not served: say so, then serve the rest
        warn(reason)
    return scenario


@contextlib.contextmanager
def running(emulator: Any) -> Iterator[Any]:
    """A started emulator; one line (exit 2) when it cannot start (loopback down, address in
    use...); mDNS problems are notes, never a stop."""
    try:
        emulator.start()
    except OSError as exc:
        raise InputError(f"cannot start the emulator on loopback: {exc.strerror or exc}"
                         ) from None
    try:
        for problem in getattr(emulator, "mdns_problems", ()):
            warn(problem)
        yield emulator
    finally:
        emulator.stop()


@cli.command(cls=EpilogCommand, epilog_of=scenario_list)
@click.option("--scenario", default="error-803", show_default=True, metavar="NAME_OR_DIR",
              help="A built-in scenario (listed below), a scenario directory or a bundle.")
@click.option("--deep", is_flag=True,
              help="Also read each player's status page and a second member's zone group "
                   "state, as scan --deep does.")
@output_options
@open_option
def demo(scenario: str, deep: bool, fmt: str, output: Path | None, note: str | None,
         diagnostic_id: str | None, bundle: Path | None, redact: bool, redact_rooms: bool,
         redact_map: Path | None, csv_bom: bool, label: str | None, open_html: bool) -> None:
    """Start an emulated household on loopback and scan it exactly as `scan` would.

    Nothing leaves this computer, and no scan history is written."""
    from .emulator.server import Emulator

    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map, csv_bom,
                           demo_hint(scenario, opened=open_html))
    label = clean_label(label)
    with scenario_dir(scenario) as path:
        loaded = _load(path)
        click.echo(f"Starting the emulated household {scenario!r} on loopback...", err=True)
        with running(Emulator(loaded, mdns=True)) as emulator:
            options = ScanOptions(interface_addrs=("127.0.0.1",), deep=deep)
            inventory, observations = app.run_scan(options, on_progress=progress_printer(),
                                                   expected=emulator.search_answerers())
    inventory = replace(inventory, label=label)
    context = ReportContext(note, diagnostic_id)  # the demo never writes the scan history
    manifest_options = {"command": "demo", "scenario": scenario, "deep": deep,
                        "redact": redact or redact_rooms,
                        "redact_rooms": redact_rooms}
    if observations.interrupted:
        sys.exit(finish_interrupted(inventory, request, context, observations, manifest_options))
    sys.exit(finish(inventory, request, observations.notes, context, observations=observations,
                    options=manifest_options, open_html=open_html))


@cli.command(cls=EpilogCommand, epilog_of=scenario_list)
@click.argument("scenario", metavar="SCENARIO_DIR")
@click.option("--latency-ms", type=click.IntRange(0, 60000), default=0,
              help="Added to every HTTP response.")
@click.option("--request-log", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per HTTP request received to FILE.")
@click.option("--no-ssdp", is_flag=True, help="Do not answer SSDP M-SEARCH.")
@click.option("--no-mdns", is_flag=True, help="Do not advertise over mDNS.")
def emulate(scenario: str, latency_ms: int, request_log: Path | None, no_ssdp: bool,
            no_mdns: bool) -> None:
    """Serve a scenario directory, a bundle or a built-in scenario (below) on loopback until
    Ctrl-C."""
    import signal

    from .emulator.server import Emulator, open_request_log

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C

    signal.signal(signal.SIGTERM, terminate)
    serving = False
    try:
        with scenario_dir(scenario) as path, open_request_log(request_log) as log:
            emulator = Emulator(_load(path), latency_ms=latency_ms, request_log=log,
                                ssdp=not no_ssdp, mdns=not no_mdns)
            with running(emulator):
                serving = True
                for player in emulator.players:
                    click.echo(player.label)
                blocks = ", ".join(emulator.blocks) or "127.0.0.1 (one port per player)"
                click.echo(f"Serving {len(emulator.players)} players on {blocks}. Scan it "
                           "with:\n  sonos-inventory scan --interface-addr 127.0.0.1\n"
                           "Press Ctrl-C to stop.", err=True)
                stop = threading.Event()
                while not stop.wait(0.2):
                    pass
    except KeyboardInterrupt:
        if not serving:  # interrupted while loading or starting
            raise
        click.echo("Stopping.", err=True)  # Ctrl-C is how a running emulator stops: exit 0
    except UsageError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"emulate: {for_terminal(exc, 200)}") from None


def load_inventory(path: Path) -> Inventory:
    return load_input(path)[0]


def load_input(path: Path) -> tuple[Inventory, dict[str, bytes]]:
    """An inventory JSON or a bundle: the analysed inventory and the bundle's raw/ files.
    Anything wrong with the file is one line and exit 2 (InputError)."""
    from .api import read_input

    try:
        return read_input(path)
    except UsageError as exc:
        raise InputError(str(exc)) from None


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="FILE...")
@output_options
@open_option
def analyze(files: tuple[Path, ...], fmt: str, output: Path | None, note: str | None,
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
    from .api import read_input_with_context

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


def finish_fleet(files: list[Path], request: OutputRequest) -> int:
    """Several inventories: one fleet view to stdout or --output; the worst site's exit code.

    Two passes keep memory bounded by the largest single input: the first loads each file in
    turn and keeps only its summary (to sort the sites, problems first); the second loads them
    again one at a time while the view is written out."""
    import json

    from .analyze.verdict import analyze as run_analysis
    from .fileio import is_stdout, shown, write_output_chunks
    from .report.fleet import Site, problems_first, summarise, unique_name, worst_exit
    from .report.formats import RenderOptions, renderer
    from .report.redact import Redactor

    redactor = Redactor(rooms=request.redact_rooms) if (
        request.redact or request.redact_rooms) else None

    def loaded(path: Path) -> Inventory:
        inventory = load_input(path)[0]
        if redactor is None:
            return inventory
        redactor.learn(inventory, None)
        return run_analysis(redactor.inventory(inventory))

    by_name: dict[str, Path] = {}
    sites: list[Site] = []
    seen: set[Path] = set()
    taken: set[str] = set()
    for path in files:  # the first pass, in argument order (so are the redaction pseudonyms)
        try:
            real = path.resolve()
        except OSError:
            real = path
        if real in seen:  # the same file given twice is one site
            warn(f"{shown(path)} was given twice; it is one site")
            continue
        seen.add(real)
        inventory = loaded(path)
        name = unique_name(inventory.label or path.name, taken)
        by_name[name] = path
        sites.append(summarise(name, shown(path), inventory, app.exit_code(inventory)))
        del inventory
    sites = problems_first(sites)

    def chunks() -> Iterator[bytes]:
        for chunk in renderer(request.fmt).many(sites, lambda site: loaded(by_name[site.name]),
                                                RenderOptions(csv_bom=request.csv_bom)):
            if redactor is not None:  # the values were redacted before rendering
                chunk = redactor.shapes(chunk)
            yield chunk.encode("utf-8")

    code = worst_exit([site.exit_code for site in sites])
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
    if redactor is not None and request.redact_map is not None:
        written, map_failures, _ = write_targets([(request.redact_map, json.dumps(
            redactor.mapping(), indent=2, ensure_ascii=False).encode(), "--redact-map")])
        failures += map_failures
        for failure in map_failures:
            click.echo(f"Error: {failure}", err=True)
        for path in written:
            click.echo(f"Wrote {shown(path)}", err=True)
    return app.EXIT_USAGE if failures else code


def _scan_name(inventory: Inventory, path: Path) -> str:
    """A scan as people name it: its label (else its file) and when it finished."""
    from .fileio import shown

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

    from . import history
    from .diff import compare_systems, diff_dict, diff_inventories, render_diff
    from .fileio import shown

    loaded: list[tuple[Path, Inventory]] = []
    if after is None:  # the newest saved scans that are whole inventories; others are noted
        needed = 1 if before is not None else 2
        try:
            candidates = [e.path for e in history.entries() if e.document is not None and (
                label_filter is None or e.document.get("label") == label_filter)]
        except UsageError as exc:
            raise InputError(str(exc)) from None
        for path in reversed(candidates):
            try:
                loaded.insert(0, (path, load_inventory(path)))
            except click.ClickException as exc:
                warn(f"skipped a saved scan: {exc.format_message()}")
            if len(loaded) == needed:
                break
        if len(loaded) < needed:
            which = f" labelled {quoted(label_filter, 60)}" if label_filter else ""
            raise click.UsageError(
                f"the scan history has {len(loaded)} usable scan(s){which}; run "
                "`sonos-inventory scan` (without --no-history) first, or give two inventory "
                "files")
        after = loaded[-1][0]
        if before is None:
            before = loaded[0][0]
    assert before is not None
    known = dict(loaded)
    old = known.get(before) or load_inventory(before)
    new = known.get(after) or load_inventory(after)
    click.echo(f"Comparing {_scan_name(old, before)} -> {_scan_name(new, after)}", err=True)
    if not compare_systems(old, new).same and not force:
        click.echo(f"Error: {shown(before)} and {shown(after)} are different systems (they "
                   "share no household and no product), so there is nothing to compare. Use "
                   "--force to compare them anyway.", err=True)
        sys.exit(app.EXIT_USAGE)
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

    from . import history
    from .fileio import shown

    directory = history.history_dir()
    where = shown(directory)
    if clear:
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("history --clear deletes the saved scans support may ask for; "
                                 "add --yes to confirm")
            click.confirm(f"Delete the saved scans in {where}? They are the 'before' state "
                          "support may ask for", abort=True, err=True)
        try:
            count, notes = history.clear()
        except UsageError as exc:
            raise InputError(str(exc)) from None
        for note in notes:
            warn(note)
        click.echo(f"Deleted {count} saved scan(s) from {where}.", err=True)
        return
    try:
        saved = list(history.entries())
    except UsageError as exc:
        raise InputError(str(exc)) from None
    entries = []
    for item in saved:
        entry = history.describe(item.path, item.document)
        entry["path"] = shown(item.path)
        if item.document is None:
            entry["problem"] = for_terminal(item.problem or "not a saved inventory", 200)
        if label_filter and label_filter.casefold() not in (entry["label"] or "").casefold():
            continue
        entries.append(entry)
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


def _quiet_exit(message: str, code: int) -> None:
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        click.echo(message, err=True)
    sys.exit(code)

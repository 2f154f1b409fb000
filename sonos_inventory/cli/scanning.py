"""The commands that read a network: `scan`, `demo` (a built-in household on loopback), `emulate`
(serve one) and `guide` (the guided scan)."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from .. import api, console
from ..bounds import DEFAULT_SCAN_BUDGET_S, SSDP_DEFAULT_TTL, SSDP_MAX_TTL
from ..deliver import OutputRequest, deliver
from ..errors import UsageError
from ..model import Inventory, ScanObservations
from ..report.context import ReportContext
from ..report.safe_text import for_terminal
from ..scan import Progress, ScanOptions
from .common import (
    OPTION_NAMES,
    EpilogCommand,
    InputError,
    clean_label,
    clear_progress,
    cli,
    demo_hint,
    finish,
    open_option,
    output_options,
    progress_printer,
    request_from,
    scan_examples,
    scan_hint,
    scenario_list,
    warn,
    with_history,
)


def guide_demo(terminal: Any) -> int:
    """`guide --demo`: the guided scan of the built-in household, on loopback only (a
    runner's or an owner's own network is never searched), no history, the report in a new
    temporary folder."""
    import dataclasses
    import tempfile

    from ..emulator.server import Emulator
    from ..guide import Guide

    with scenario_dir("error-803") as path, running(Emulator(_load(path),
                                                            mdns=False)) as emulator:
        def scanner(options: ScanOptions, progress: Callable[[Progress], None]
                    ) -> tuple[Inventory, ScanObservations]:
            if not options.hosts:  # the search: loopback, where the emulator answers
                options = dataclasses.replace(options, interface_addrs=("127.0.0.1",),
                                              use_mdns=False)
            return api.run_scan(options, on_progress=progress)

        def folder() -> list[Path]:  # made when the report is saved: Ctrl-C leaves nothing
            return [Path(tempfile.mkdtemp(prefix="sonos-inventory-guide-demo-"))]

        def watcher(options: ScanOptions) -> int:  # the fix lands while it watches
            from ..scenario.builtin import TIMELINES

            emulator.play(TIMELINES["fix-in-progress"])
            return demo_watch(emulator, announce=False)

        return Guide(terminal, scanner=scanner, documents=folder, watcher=watcher).run()


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
    from ..guide import Guide, Terminal

    def history(inventory: Inventory, context: ReportContext) -> ReportContext:
        return with_history(inventory, context, save=bool(inventory.players))

    terminal = Terminal.standard()
    if demo_household:
        sys.exit(guide_demo(terminal))
    try:
        code = Guide(terminal, save_history=history, watcher=guide_watcher).run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a double-clicked window must not vanish on an unexpected error
        terminal.say(f"\nSomething went wrong: {type(exc).__name__}: {exc}\nPlease report it "
                     "(with this text) to the sonos-inventory project.")
        terminal.ask("Press Enter to close this window.")
        code = api.EXIT_USAGE
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
         fmt: str | None,
         output: Path | None, note: str | None, diagnostic_id: str | None, bundle: Path | None,
         redact: bool, redact_rooms: bool, redact_map: Path | None, csv_bom: bool,
         label: str | None, open_html: bool) -> None:
    """Discover and inventory the Sonos products on this network."""
    try:
        options = api.scan_options(
            interface_addrs=interface_addrs, hosts=hosts, networks=networks, timeout=timeout,
            ssdp=not no_ssdp, mdns=not no_mdns, deep=deep, ttl=ttl, names=OPTION_NAMES)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map, csv_bom,
                           scan_hint())
    label = clean_label(label)
    inventory, observations = api.run_scan(options, on_progress=progress_printer())
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
        from ..fileio import shown

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


@contextlib.contextmanager
def scenario_dir(name_or_dir: str) -> Iterator[Path]:
    """A built-in scenario name (written to a temporary folder) or a scenario directory."""
    from ..scenario.builtin import SCENARIOS, write_scenario

    if name_or_dir in SCENARIOS:
        with tempfile.TemporaryDirectory(prefix="sonos-inventory-") as tmp:
            yield write_scenario(name_or_dir, Path(tmp) / name_or_dir)
        return
    from ..fileio import shown

    path = Path(name_or_dir).expanduser()
    if path.exists() and not path.is_dir():
        from ..report.bundle import read_bundle
        from ..scenario.extract import extract_raw

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
    from ..scenario.folder import load_scenario

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
def demo(scenario: str, deep: bool, fmt: str | None, output: Path | None, note: str | None,
         diagnostic_id: str | None, bundle: Path | None, redact: bool, redact_rooms: bool,
         redact_map: Path | None, csv_bom: bool, label: str | None, open_html: bool) -> None:
    """Start an emulated household on loopback and scan it exactly as `scan` would.

    Nothing leaves this computer, and no scan history is written."""
    from ..emulator.server import Emulator

    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map, csv_bom,
                           demo_hint(scenario, opened=open_html))
    label = clean_label(label)
    with scenario_dir(scenario) as path:
        loaded = _load(path)
        from ..report.table_fit import fit_prose

        click.echo(fit_prose(f"Starting the emulated household {scenario!r} on loopback...",
                             console.terminal_width(sys.stderr)), err=True)
        if loaded.timeline:  # a story over time: watch it land (no history, as every demo)
            with running(Emulator(loaded, mdns=False)) as emulator:
                sys.exit(demo_watch(emulator))
        with running(Emulator(loaded, mdns=True)) as emulator:
            options = ScanOptions(interface_addrs=("127.0.0.1",), deep=deep)
            inventory, observations = api.run_scan(options, on_progress=progress_printer(),
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


def guide_watcher(options: ScanOptions) -> int:
    """The guided scan's "watch until aligned": the scan's own options, the default interval,
    an hour at most; the final state goes to the history like a scan."""
    from ..watch import Watch, WatchOptions

    watcher = Watch(options, WatchOptions(until_aligned=True))
    code = run_watch(watcher, None, announce=False)
    inventory = watcher.state.inventory
    if inventory is not None and inventory.players:
        update = api.record_in_history(inventory, watch_events=watcher.state.events)
        for line in update.warnings:
            warn(line)
    return code


def demo_watch(emulator: Any, *, announce: bool = True) -> int:
    """`demo` of a scenario with a timeline: `watch --until-aligned` at the shortest interval,
    on loopback, while the emulator plays the timeline."""
    from ..bounds import WATCH_DEMO_MAX_WAIT_S, WATCH_MIN_INTERVAL_S
    from ..report.table_fit import fit_prose
    from ..watch import Watch, WatchOptions

    if announce:
        click.echo(fit_prose("Its timeline plays now; watching until every product is "
                             "aligned.", console.terminal_width(sys.stderr)), err=True)
    options = ScanOptions(interface_addrs=("127.0.0.1",), use_mdns=False)
    watcher = Watch(options, WatchOptions(WATCH_MIN_INTERVAL_S, True, WATCH_DEMO_MAX_WAIT_S),
                    scanner=lambda o: api.run_scan(o, expected=emulator.search_answerers()))
    return run_watch(watcher, None, announce=announce)


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

    from ..emulator.server import Emulator, open_request_log

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
                steps = emulator.scenario.timeline
                story = (f"Its timeline plays now: {len(steps)} change(s) within "
                         f"{max(s.at_s for s in steps):g} s (timeline.json); follow it with:\n"
                         "  sonos-inventory watch --interface-addr 127.0.0.1 --interval 5 "
                         "--until-aligned\n" if steps else "")
                click.echo(f"Serving {len(emulator.players)} players on {blocks}. Scan it "
                           "with:\n  sonos-inventory scan --interface-addr 127.0.0.1\n"
                           f"{story}Press Ctrl-C to stop.", err=True)
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


@cli.command(name="watch")
@click.option("--interval", type=click.FloatRange(5, 3600), default=30, show_default=True,
              metavar="SECONDS", help="Seconds between polls (one zone group state per "
              "household each time; at least 5).")
@click.option("--until-aligned", is_flag=True,
              help="Exit 0 once every product is on one track and in step for two polls in a "
                   "row; exit 1 when --max-wait runs out first.")
@click.option("--max-wait", type=click.FloatRange(0.05, 7 * 24 * 60), default=60,
              show_default=True, metavar="MINUTES",
              help="With --until-aligned: how long to wait (decimals allowed).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Append every event to FILE as it happens (- for standard output), "
                   "created 0600; a link is never followed.")
@click.option("--format", "-f", "fmt", type=click.Choice(("jsonl", "csv")), default="jsonl",
              show_default=True, help="Of --output: JSON Lines "
              "(data/watch-event.schema.json) or CSV.")
@click.option("--interface-addr", "interface_addrs", multiple=True, metavar="IP",
              help="Search from this local IPv4 address only (repeatable).")
@click.option("--host", "hosts", multiple=True, metavar="IP[:PORT]",
              help="Start from this player (repeatable); its household is followed.")
@click.option("--network", "networks", multiple=True, metavar="CIDR",
              help="Probe this network on port 1400 to find players (repeatable).")
@click.option("--timeout", type=click.FloatRange(1, 300), default=DEFAULT_SCAN_BUDGET_S,
              show_default=True, help="The first scan's overall budget in seconds.")
@click.option("--no-ssdp", is_flag=True, help="Do not search with SSDP.")
@click.option("--no-mdns", is_flag=True, help="Do not browse mDNS.")
@click.option("--no-history", is_flag=True, help="Do not save the final state in the history.")
@click.option("--label", metavar="NAME", help="A name for this system (customer or site).")
def watch_command(interval: float, until_aligned: bool, max_wait: float, output: Path | None,
                  fmt: str, interface_addrs: tuple[str, ...], hosts: tuple[str, ...],
                  networks: tuple[str, ...], timeout: float, no_ssdp: bool, no_mdns: bool,
                  no_history: bool, label: str | None) -> None:
    """Follow the household while a fix rolls through it, read-only: one line per event
    (appeared, vanished, back, rebooted, version-changed, moved, left, verdict-changed,
    aligned). Ctrl-C prints a summary, saves the final state in the history and exits 130.

    \b
    Exit codes: 0 aligned (--until-aligned); 1 --max-wait ran out first;
                2 usage error; 130 stopped with Ctrl-C.
    """
    from ..fileio import shown
    from ..watch import EventStream, Watch, WatchOptions

    try:
        options = api.scan_options(
            interface_addrs=interface_addrs, hosts=hosts, networks=networks, timeout=timeout,
            ssdp=not no_ssdp, mdns=not no_mdns, names=OPTION_NAMES)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    label = clean_label(label)
    stream = None
    if output is not None:
        try:
            stream = EventStream(str(output), fmt)
        except OSError as exc:
            import errno

            why = ("it is a symbolic link, and links are never followed"
                   if exc.errno == errno.ELOOP or output.is_symlink()
                   else f"cannot write it ({exc.strerror or exc})")
            raise InputError(f"--output {shown(output)}: {why}") from None
    running = Watch(options, WatchOptions(interval, until_aligned, max_wait * 60))
    code = run_watch(running, stream, to_stdout=output is None or str(output) != "-")
    inventory = running.state.inventory
    if inventory is not None and inventory.players:
        update = api.record_in_history(replace(inventory, label=label), save=not no_history,
                                       watch_events=running.state.events)
        for line in update.warnings:
            warn(line)
        if update.saved is not None:
            click.echo(f"The final state is saved in the history ({shown(update.saved)}).",
                       err=True)
    sys.exit(code)


def run_watch(running: Any, stream: Any, *, to_stdout: bool = True,
              announce: bool = True) -> int:
    """Print each event as it happens (and append it to `stream`), a live status line on a
    terminal; the exit code: 0 aligned, 1 out of time, 130 stopped (Ctrl-C or no
    --until-aligned)."""
    from ..report.table_fit import fit_prose

    live = sys.stderr.isatty()
    width = console.terminal_width(sys.stdout if to_stdout else sys.stderr)
    code = api.EXIT_INTERRUPTED
    if announce:  # the guided scan has said what happens next in its own words
        click.echo("Watching (read-only). Ctrl-C stops and prints a summary.", err=True)
    try:
        for event in running.run():
            if live:
                click.echo("\r\x1b[K", nl=False, err=True)
            click.echo(fit_prose(event.line(), width), err=not to_stdout)  # wrapped once
            if stream is not None:
                stream.write(event)
            if live:
                click.echo(running.status(), nl=False, err=True)
        if running.state.outcome == "aligned":
            code = api.EXIT_OK
        elif running.state.outcome == "timed-out":
            code = api.EXIT_CONFLICT
    except KeyboardInterrupt:
        code = api.EXIT_INTERRUPTED
    finally:
        running.stop()
        if stream is not None:
            stream.close()
        if live:
            click.echo("\r\x1b[K", nl=False, err=True)
    _watch_summary(running, code)
    return code


def _watch_summary(running: Any, code: int) -> None:
    """Events per product, and what is still not aligned (with how long), on stderr."""
    counts: dict[str, int] = {}
    for event in running.state.events:
        if event.uuid:
            name = for_terminal(event.room or event.uuid, 40)
            counts[name] = counts.get(name, 0) + 1
    click.echo("", err=True)
    if code == api.EXIT_OK:
        click.echo("Aligned: every product is on one track and in step.", err=True)
    elif code == api.EXIT_CONFLICT:
        click.echo("Not aligned before the wait ran out (--max-wait).", err=True)
    else:
        click.echo("Stopped.", err=True)
    click.echo(f"Watched for {running.status().split(': ', 1)[0].removeprefix('Watching for ')}"
               f", {running.state.polls} polls.", err=True)
    from ..report.table_fit import fit_prose

    width = console.terminal_width(sys.stderr)
    if counts:
        click.echo(fit_prose("Events per product: " + ", ".join(
            f"{n} {c}" for n, c in counts.items()), width), err=True)
    stuck = running.not_aligned()
    if stuck and code != api.EXIT_OK:
        click.echo("Still not aligned:", err=True)
        for line in stuck:
            click.echo(fit_prose(f"  {line}", width), err=True)

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
from pathlib import Path
from typing import Any

import click

from . import __version__, app
from .bounds import DEFAULT_SCAN_BUDGET_S, SSDP_DEFAULT_TTL, SSDP_MAX_TTL
from .deliver import OutputRequest, deliver
from .errors import UsageError
from .model import Inventory, ScanObservations
from .report.context import ReportContext
from .scan import Progress, ScanOptions

FORMATS = ("table", "markdown", "json", "html")


def request_from(fmt: str, output: Path | None, bundle: Path | None, redact: bool,
                 redact_rooms: bool, redact_map: Path | None) -> OutputRequest:
    if redact_map is not None and not (redact or redact_rooms):
        raise click.UsageError("--redact-map only makes sense with --redact or --redact-rooms")
    if bundle is not None and bundle.suffix.lower() != ".zip":
        raise click.UsageError(f"--bundle {bundle}: the bundle is a zip file; name it *.zip")
    return OutputRequest(fmt, output, bundle, redact, redact_rooms, redact_map)


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
        click.echo(f"\rSearching... {progress.found} found, {progress.read} read, "
                   f"{progress.households} household(s)   ", err=True, nl=False)

    return show


def clear_progress() -> None:
    if sys.stderr.isatty():
        click.echo("\r" + " " * 70 + "\r", err=True, nl=False)


def warn(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--redact-map", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the pseudonym -> real value mapping to FILE (never into the "
                             "bundle).")(func)
    func = click.option("--redact-rooms", is_flag=True,
                        help="Also replace room names (implies --redact).")(func)
    func = click.option("--redact", is_flag=True,
                        help="Replace serials, MAC addresses, household ids and IP addresses "
                             "with consistent pseudonyms in every output. Best effort: review "
                             "before posting publicly.")(func)
    func = click.option("--bundle", type=click.Path(dir_okay=False, path_type=Path),
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
    func = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the report to FILE instead of printing it.")(func)
    func = click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True,
                        help="table for the terminal, markdown for the support report, html "
                             "for a visual page, json for scripts.")(func)
    return func


def finish(inventory: Inventory, request: OutputRequest, notes: tuple[str, ...],
           context: ReportContext, *, observations: ScanObservations | None = None,
           raw: dict[str, bytes] | None = None, options: dict[str, Any] | None = None) -> int:
    clear_progress()
    for note in notes:
        warn(note)
    if not inventory.players:
        from .report.render_table import NOTHING_FOUND_HELP

        click.echo(NOTHING_FOUND_HELP, err=True)
    delivered = deliver(inventory, request, context, observations=observations, raw=raw,
                        options=options)
    click.echo(delivered.stdout, nl=False)
    for path in delivered.written:
        click.echo(f"Wrote {path}", err=True)
    return app.exit_code(inventory)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sonos-inventory")
def cli() -> None:
    """Find every Sonos product on your network, read its model, serial and software version,
    and explain S1/S2 conflicts (the situation reported behind "Error 803").

    Read-only: it never updates, reboots or changes a player.

    \b
    Exit codes: 0 complete, no conflict; 1 conflict found; 2 usage or input error;
                3 no conflict found but the scan is incomplete (or found nothing).
    """


@cli.command()
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
def scan(interface_addrs: tuple[str, ...], hosts: tuple[str, ...], networks: tuple[str, ...],
         timeout: float, no_ssdp: bool, no_mdns: bool, ttl: int, deep: bool, no_history: bool,
         fmt: str,
         output: Path | None, note: str | None, diagnostic_id: str | None, bundle: Path | None,
         redact: bool, redact_rooms: bool, redact_map: Path | None) -> None:
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
    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map)
    inventory, observations = app.run_scan(options, on_progress=progress_printer())
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
                    options=manifest_options))


def finish_interrupted(inventory: Inventory, request: OutputRequest, context: ReportContext,
                       observations: ScanObservations, options: dict[str, Any]) -> int:
    """Ctrl-C: write what was found when a file or bundle was asked for (marked incomplete)."""
    clear_progress()
    if request.output is not None or request.bundle is not None:
        delivered = deliver(inventory, request, context, observations=observations,
                            options=options)
        for path in delivered.written:
            click.echo(f"Interrupted: the partial result ({len(inventory.players)} products) "
                       f"is in {path}.", err=True)
    else:
        click.echo("Interrupted.", err=True)
    return 130


def with_history(inventory: Inventory, context: ReportContext, *, save: bool) -> ReportContext:
    """Add first-seen dates from the local history; save this scan there when asked."""
    from . import history
    from .report.render_json import inventory_dict

    document = inventory_dict(inventory, context)
    try:
        earlier = [history.load(p) for p in history.scans()]
    except (OSError, ValueError) as exc:
        warn(f"scan history not read: {exc}")
        earlier = []
    if not earlier and not save:
        return context
    if save:
        try:
            history.save(document)
        except OSError as exc:
            warn(f"scan history not saved: {exc}")
    seen = history.first_seen([*earlier, document])
    return ReportContext(context.note, context.diagnostic_id, tuple(sorted(seen.items())))


@contextlib.contextmanager
def scenario_dir(name_or_dir: str) -> Iterator[Path]:
    """A built-in scenario name (written to a temporary folder) or a scenario directory."""
    from .emulator.scenarios import SCENARIOS, write_scenario

    if name_or_dir in SCENARIOS:
        with tempfile.TemporaryDirectory(prefix="sonos-inventory-") as tmp:
            yield write_scenario(name_or_dir, Path(tmp) / name_or_dir)
        return
    path = Path(name_or_dir).expanduser()
    if path.is_file():
        from .report.bundle import extract_raw, read_bundle

        try:
            _document, raw = read_bundle(path)
        except UsageError as exc:
            raise click.BadParameter(str(exc), param_hint="SCENARIO") from None
        with tempfile.TemporaryDirectory(prefix="sonos-inventory-") as tmp:
            yield extract_raw(raw, Path(tmp) / "raw")
        return
    if not path.is_dir():
        names = ", ".join(SCENARIOS)
        raise click.BadParameter(f"{name_or_dir!r} is neither a built-in scenario ({names}), "
                                 "a directory nor a bundle", param_hint="SCENARIO")
    yield path


def _load(path: Path) -> Any:
    from .emulator.household import load_scenario

    try:
        return load_scenario(path)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


@cli.command()
@click.option("--scenario", default="error-803", show_default=True, metavar="NAME_OR_DIR",
              help="A built-in scenario (error-803, healthy-s2, split-s1-s2, home-theater, "
                   "offline-member) or a scenario directory.")
@click.option("--deep", is_flag=True,
              help="Also read each player's status page and a second member's zone group "
                   "state, as scan --deep does.")
@output_options
def demo(scenario: str, deep: bool, fmt: str, output: Path | None, note: str | None,
         diagnostic_id: str | None, bundle: Path | None, redact: bool, redact_rooms: bool,
         redact_map: Path | None) -> None:
    """Start an emulated household on loopback and scan it exactly as `scan` would."""
    from .emulator.server import Emulator

    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map)
    with scenario_dir(scenario) as path:
        loaded = _load(path)
        click.echo(f"Starting the emulated household {scenario!r} on loopback...", err=True)
        with Emulator(loaded, mdns=True):
            options = ScanOptions(interface_addrs=("127.0.0.1",), deep=deep)
            inventory, observations = app.run_scan(options, on_progress=progress_printer())
    context = ReportContext(note, diagnostic_id)  # the demo never writes the scan history
    manifest_options = {"command": "demo", "scenario": scenario, "deep": deep,
                        "redact": redact or redact_rooms,
                        "redact_rooms": redact_rooms}
    if observations.interrupted:
        sys.exit(finish_interrupted(inventory, request, context, observations, manifest_options))
    sys.exit(finish(inventory, request, observations.notes, context, observations=observations,
                    options=manifest_options))


@cli.command()
@click.argument("scenario", metavar="SCENARIO_DIR")
@click.option("--latency-ms", type=click.IntRange(0, 60000), default=0,
              help="Added to every HTTP response.")
@click.option("--request-log", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per HTTP request received to FILE.")
@click.option("--no-ssdp", is_flag=True, help="Do not answer SSDP M-SEARCH.")
@click.option("--no-mdns", is_flag=True, help="Do not advertise over mDNS.")
def emulate(scenario: str, latency_ms: int, request_log: Path | None, no_ssdp: bool,
            no_mdns: bool) -> None:
    """Serve a scenario directory (or built-in scenario) on loopback until Ctrl-C."""
    import signal

    from .emulator.server import Emulator, open_request_log

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C

    signal.signal(signal.SIGTERM, terminate)
    with scenario_dir(scenario) as path, open_request_log(request_log) as log:
        emulator = Emulator(_load(path), latency_ms=latency_ms, request_log=log,
                            ssdp=not no_ssdp, mdns=not no_mdns)
        emulator.start()
        try:
            for player in emulator.players:
                click.echo(player.label)
            blocks = ", ".join(emulator.blocks) or "127.0.0.1 (one port per player)"
            click.echo(f"Serving {len(emulator.players)} players on {blocks}. Scan it with:\n"
                       "  sonos-inventory scan --interface-addr 127.0.0.1\n"
                       "Press Ctrl-C to stop.", err=True)
            stop = threading.Event()
            while not stop.wait(0.2):
                pass
        except KeyboardInterrupt:
            click.echo("Stopping.", err=True)
        finally:
            emulator.stop()


def load_inventory(path: Path) -> Inventory:
    return load_input(path)[0]


def load_input(path: Path) -> tuple[Inventory, dict[str, bytes]]:
    """An inventory JSON or a bundle: the analysed inventory and the bundle's raw/ files."""
    import json

    from .analyze.verdict import analyze as run_analysis
    from .report.bundle import is_zip, read_bundle
    from .report.render_json import inventory_from_dict

    try:
        raw: dict[str, bytes] = {}
        if is_zip(path):
            document, raw = read_bundle(path)
        else:
            document = json.loads(path.read_text("utf-8"))
        return run_analysis(inventory_from_dict(document)), raw
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read {path}: {exc}") from None
    except ValueError as exc:  # json.JSONDecodeError included
        raise click.UsageError(f"{path} is not inventory JSON: {exc}") from None
    except UsageError as exc:
        raise click.UsageError(f"{path}: {exc}") from None


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="FILE")
@output_options
def analyze(file: Path, fmt: str, output: Path | None, note: str | None,
            diagnostic_id: str | None, bundle: Path | None, redact: bool, redact_rooms: bool,
            redact_map: Path | None) -> None:
    """Re-run the diagnosis on a saved inventory JSON or bundle, offline."""
    request = request_from(fmt, output, bundle, redact, redact_rooms, redact_map)
    inventory, raw = load_input(file)
    sys.exit(finish(inventory, request, (), ReportContext(note, diagnostic_id), raw=raw,
                    options={"command": "analyze", "input": str(file)}))


@cli.command()
@click.argument("before", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("after", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def diff(before: Path | None, after: Path | None) -> None:
    """Compare two inventories: what changed, and whether every product is now aligned.

    \b
    diff BEFORE AFTER   compare two saved inventory JSON files
    diff BEFORE         compare BEFORE with the latest saved scan
    diff                compare the last two saved scans
    Exit 0 when every household is on one track and in step, 1 when not.
    """
    from . import history
    from .diff import diff_inventories, render_diff

    saved = history.scans()
    if after is None:
        needed = 1 if before is not None else 2
        if len(saved) < needed:
            raise click.UsageError(
                f"the scan history has {len(saved)} scan(s); run `sonos-inventory scan` "
                "(without --no-history) first, or give two inventory files")
        after = saved[-1]
        if before is None:
            before = saved[-2]
    assert before is not None
    click.echo(f"Comparing {before} -> {after}", err=True)
    result = diff_inventories(load_inventory(before), load_inventory(after))
    click.echo(render_diff(result), nl=False)
    sys.exit(0 if result.aligned else 1)


@cli.command(name="history")
@click.option("--clear", is_flag=True, help="Delete every saved scan.")
def history_command(clear: bool) -> None:
    """List the scans saved on this computer (they hold serial numbers, unredacted)."""
    from . import history

    if clear:
        count = history.clear()
        click.echo(f"Deleted {count} saved scan(s) from {history.history_dir()}.", err=True)
        return
    saved = history.scans()
    if not saved:
        click.echo(f"No saved scans in {history.history_dir()}.", err=True)
        return
    for path in saved:
        try:
            document = history.load(path)
            players = len(document["players"])
            verdict = document["verdict"]["error_803"]
            when = document["scan"]["finished_at"]
        except (OSError, ValueError, KeyError, TypeError):
            click.echo(f"{path}  (unreadable)")
            continue
        click.echo(f"{when}  {players:3d} products  error 803: {verdict:13s}  {path}")


def main() -> None:
    try:
        cli.main(prog_name="sonos-inventory", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)

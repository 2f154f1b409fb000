"""The application layer: a scan's options in, an analysed inventory out. Shared by every command
(scan, demo) and by the integration tests, so they all exercise the same code path."""

from __future__ import annotations

from collections.abc import Callable

from .analyze.verdict import analyze
from .inventory import build_inventory
from .model import Endpoint, Inventory, ScanObservations, Severity
from .scan import Progress, Scan, ScanOptions
from .version import __version__

EXIT_OK = 0
EXIT_CONFLICT = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


def inventory_from(observations: ScanObservations) -> Inventory:
    return analyze(build_inventory(observations, __version__))


def run_scan(
    options: ScanOptions,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    on_log: Callable[[str], None] | None = None,
    expected: frozenset[Endpoint] = frozenset(),
) -> tuple[Inventory, ScanObservations]:
    observations = Scan(options, on_progress=on_progress, on_log=on_log,
                        expected=expected).run()
    return inventory_from(observations), observations


def exit_code(inventory: Inventory) -> int:
    """DESIGN.md: 1 conflict (an error finding), 3 incomplete or nothing found, else 0."""
    if any(f.severity is Severity.ERROR for f in inventory.findings):
        return EXIT_CONFLICT
    if not inventory.scan.complete:
        return EXIT_INCOMPLETE
    return EXIT_OK

"""sonos-inventory: find every Sonos product on the LAN and explain S1/S2 update conflicts.

The Python API (documented in the README, "Python API")::

    import sonos_inventory

    inventory = sonos_inventory.scan(timeout=10)
    for player in inventory.players:
        if player.track is sonos_inventory.Track.S1:
            print(player.room, player.model_name, player.software_version)

`scan`, `analyze`, `load` and `to_json` never print, never write the scan history and never
exit; they log through the `sonos_inventory` logger. The history has calls of its own
(`record_in_history`, `saved_scans`, `scans_to_compare`, `clear_history`), as has the fleet
view (`fleet`); the command line is built on these.
"""

from __future__ import annotations

import importlib
import logging
import sys
import types
from typing import TYPE_CHECKING, Any

from .version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from .api import (
        EXIT_CONFLICT,
        EXIT_INCOMPLETE,
        EXIT_INTERRUPTED,
        EXIT_OK,
        EXIT_USAGE,
        Comparison,
        Fleet,
        HistoryUpdate,
        analyze,
        clear_history,
        exit_code,
        fleet,
        history_directory,
        load,
        record_in_history,
        saved_scans,
        scan,
        scans_to_compare,
        to_json,
        validate_label,
        watch,
    )
    from .errors import NotAligned, SonosInventoryError, UsageError
    from .model import (
        Finding,
        Household,
        Inventory,
        Likelihood,
        Player,
        Role,
        Severity,
        Track,
        Verdict,
    )

_API = ("scan", "analyze", "load", "to_json", "exit_code", "validate_label", "record_in_history",
        "saved_scans", "scans_to_compare", "clear_history", "history_directory", "fleet", "watch",
        "HistoryUpdate", "Comparison", "Fleet", "EXIT_OK", "EXIT_CONFLICT", "EXIT_USAGE",
        "EXIT_INCOMPLETE", "EXIT_INTERRUPTED")

_PUBLIC = {
    **dict.fromkeys(_API, "api"),
    "SonosInventoryError": "errors", "UsageError": "errors", "NotAligned": "errors",
    "Finding": "model", "Household": "model", "Inventory": "model", "Likelihood": "model",
    "Player": "model",
    "Role": "model", "Severity": "model", "Track": "model", "Verdict": "model",
}

__all__ = [
    "EXIT_CONFLICT",
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Comparison",
    "Finding",
    "Fleet",
    "HistoryUpdate",
    "Household",
    "Inventory",
    "Likelihood",
    "NotAligned",
    "Player",
    "Role",
    "Severity",
    "SonosInventoryError",
    "Track",
    "UsageError",
    "Verdict",
    "__version__",
    "analyze",
    "clear_history",
    "exit_code",
    "fleet",
    "history_directory",
    "load",
    "record_in_history",
    "saved_scans",
    "scan",
    "scans_to_compare",
    "to_json",
    "validate_label",
    "watch",
]


class _Package(types.ModuleType):
    """The package's public names load on first use, so `import sonos_inventory` (and the
    command's start-up, which Ctrl-C may interrupt) stays light; and they always win over a
    submodule of the same name: `sonos_inventory.scan` is the function even after the module
    `sonos_inventory.scan` (which the import system also sets here) has been imported."""

    def __getattribute__(self, name: str) -> Any:
        if name in _PUBLIC:
            module = importlib.import_module(f"{__name__}.{_PUBLIC[name]}")
            return getattr(module, name)
        return super().__getattribute__(name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_PUBLIC})


sys.modules[__name__].__class__ = _Package

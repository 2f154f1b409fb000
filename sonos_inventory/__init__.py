"""sonos-inventory: find every Sonos product on the LAN and explain S1/S2 update conflicts.

The Python API (documented in the README, "Python API")::

    import sonos_inventory

    inventory = sonos_inventory.scan(timeout=10)
    for player in inventory.players:
        if player.track is sonos_inventory.Track.S1:
            print(player.room, player.model_name, player.software_version)

`scan`, `analyze`, `load` and `to_json` never print, never write the scan history and never
exit; they log through the `sonos_inventory` logger.
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
    from .api import analyze, load, scan, to_json
    from .errors import SonosInventoryError, UsageError
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

_PUBLIC = {
    "scan": "api", "analyze": "api", "load": "api", "to_json": "api",
    "SonosInventoryError": "errors", "UsageError": "errors",
    "Finding": "model", "Household": "model", "Inventory": "model", "Likelihood": "model",
    "Player": "model",
    "Role": "model", "Severity": "model", "Track": "model", "Verdict": "model",
}

__all__ = [
    "Finding", "Household", "Inventory", "Likelihood", "Player", "Role", "Severity",
    "SonosInventoryError", "Track", "UsageError", "Verdict", "__version__", "analyze", "load",
    "scan", "to_json",
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

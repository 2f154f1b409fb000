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

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sonos-inventory")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

logging.getLogger(__name__).addHandler(logging.NullHandler())

# Bound after the submodules are imported: `sonos_inventory.scan` is the function, not the
# module of the same name (importing a submodule sets the package attribute only once).
from .api import analyze, load, scan, to_json  # noqa: E402
from .errors import SonosInventoryError, UsageError  # noqa: E402
from .model import (  # noqa: E402
    Finding,
    Household,
    Inventory,
    Player,
    Role,
    Severity,
    Track,
    Verdict,
)

__all__ = [
    "Finding",
    "Household",
    "Inventory",
    "Player",
    "Role",
    "Severity",
    "SonosInventoryError",
    "Track",
    "UsageError",
    "Verdict",
    "__version__",
    "analyze",
    "load",
    "scan",
    "to_json",
]

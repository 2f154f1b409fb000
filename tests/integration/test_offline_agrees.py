"""The socket-free core and the socket emulator cannot disagree: the same scenarios, scanned both
ways, give the same inventory (what each product is, whether it answered and why not, the
households, the findings and the verdict)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import Inventory

from ..conftest import scan_loopback, scan_offline

pytestmark = pytest.mark.integration


def essence(inventory: Inventory) -> dict[str, Any]:
    return {
        "players": sorted((p.uuid, p.room, p.model_number, p.serial, p.software_version,
                           p.track.value, p.role.value, p.reachable, p.vanished,
                           tuple(e.kind.value for e in p.errors)) for p in inventory.players),
        "households": sorted((h.household_id, h.tracks, tuple(sorted(h.players)),
                              h.topology_read) for h in inventory.households),
        "findings": sorted((f.rule, f.severity.value, tuple(sorted(f.players)))
                           for f in inventory.findings),
        "verdict": inventory.verdict.error_803,
    }


@pytest.mark.parametrize("scenario", ["error-803", "split-stale-dual", "home-theater",
                                      "offline-member", "s1-added-upnp-off", "legacy-2015"])
def test_offline_and_socket_scans_agree(emulate: Callable[..., Emulator], scenario: str) -> None:
    emulate(scenario)
    over_sockets, _ = scan_loopback()
    offline, _, _ = scan_offline(scenario, budget_s=15.0)
    assert essence(offline) == essence(over_sockets)

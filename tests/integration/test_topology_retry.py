"""A household's topology is read through any member that can answer (issue 9), over real
loopback sockets. Discovery is a fixed list of sightings in a chosen order (no SSDP window), so
the player asked first is the one that cannot answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sonos_inventory import app
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import ErrorKind, Inventory, Method, Sighting, Track
from sonos_inventory.scan import HostSource, Scan, ScanOptions

from .test_scan_emulator import assert_read_only

pytestmark = pytest.mark.integration
Start = Callable[..., Emulator]


def scan_in_order(emulator: Emulator, first_uuids: list[str]) -> Inventory:
    """Discovery reports `first_uuids` first, then every other answering player, each with its
    household id as SSDP would carry it."""
    players = sorted(emulator.players, key=lambda p: (
        first_uuids.index(p.uuid) if p.uuid in first_uuids else len(first_uuids)))
    sightings = tuple(Sighting(p.endpoint, Method.SSDP, p.uuid, p.household.household_id)
                      for p in players)
    options = ScanOptions(use_ssdp=False, use_mdns=False, budget_s=15.0)
    observations = Scan(options, sources=[HostSource(sightings, method=Method.SSDP)],
                        local_networks=(), interfaces=()).run()
    return app.inventory_from(observations)


def zone_group_state_asks(emulator: Emulator) -> list[str]:
    return [e["player"] for e in emulator.log.entries
            if (e["soap_action"] or "").endswith("#GetZoneGroupState")]


def test_a_refused_topology_is_read_through_the_next_member(emulate: Start) -> None:
    emulator = emulate("topology-refused")
    kitchen = "RINCON_000E58F00F0101400"
    inventory = scan_in_order(emulator, [kitchen])
    asked = zone_group_state_asks(emulator)
    assert asked[0] == kitchen and len(asked) == 2  # refused (500), then one other member
    [household] = inventory.households
    assert household.topology_read and household.topology_problem is None
    assert inventory.scan.complete and inventory.verdict.error_803 == "not-indicated"
    assert app.exit_code(inventory) == app.EXIT_OK
    assert_read_only(emulator)


def test_upnp_off_members_do_not_hide_the_s1_product(emulate: Start) -> None:
    emulator = emulate("s1-added-upnp-off")
    s2_members = ["RINCON_000E58F00E0101400", "RINCON_000E58F00E0201400",
                  "RINCON_000E58F00E0301400"]
    inventory = scan_in_order(emulator, s2_members)
    asked = zone_group_state_asks(emulator)
    assert asked[0] == s2_members[0] and asked[-1] == "RINCON_000E58F00E0401400"
    assert len(asked) == 2  # no retry is spent on another player with UPnP off
    [household] = inventory.households
    assert household.topology_read
    for uuid in s2_members:
        player = inventory.player(uuid)
        assert player is not None and not player.reachable and player.track is Track.S2
        assert player.errors[0].kind is ErrorKind.UPNP_DISABLED
    mixed = next(f for f in inventory.findings if f.rule == "mixed-generation")
    assert mixed.players == ("RINCON_000E58F00E0401400",)
    assert inventory.verdict.error_803 == "likely"
    assert app.exit_code(inventory) == app.EXIT_CONFLICT
    assert_read_only(emulator)

"""A household's topology is read through any member that can answer (issue 9). Served offline
(emulator/offline.py): discovery reports the players in scenario order, so the player asked
first is the one that cannot answer, every time."""

from __future__ import annotations

from sonos_inventory import api
from sonos_inventory.emulator.offline import OfflineLan
from sonos_inventory.model import ErrorKind, Track

from ..conftest import scan_offline
from ..helpers import assert_read_only


def zone_group_state_asks(lan: OfflineLan) -> list[str]:
    return [e["player"] for e in lan.log.entries
            if (e["soap_action"] or "").endswith("#GetZoneGroupState")]


def test_a_refused_topology_is_read_through_the_next_member() -> None:
    inventory, _, lan = scan_offline("topology-refused")
    kitchen = "RINCON_000E58F00F0101400"
    asked = zone_group_state_asks(lan)
    assert asked[0] == kitchen and len(asked) == 2  # refused (500), then one other member
    [household] = inventory.households
    assert household.topology_read and household.topology_problem is None
    assert inventory.scan.complete and inventory.verdict.error_803 == "not-indicated"
    assert api.exit_code(inventory) == api.EXIT_OK
    assert_read_only(lan)


def test_upnp_off_members_do_not_hide_the_s1_product() -> None:
    inventory, _, lan = scan_offline("s1-added-upnp-off")
    s2_members = ["RINCON_000E58F00E0101400", "RINCON_000E58F00E0201400",
                  "RINCON_000E58F00E0301400"]
    asked = zone_group_state_asks(lan)
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
    assert api.exit_code(inventory) == api.EXIT_CONFLICT
    assert_read_only(lan)

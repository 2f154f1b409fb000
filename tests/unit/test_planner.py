"""The scan's decisions (planner.py), events in and actions out: no thread, no clock, no socket.

Then the same decisions through the whole Scan, against scenarios served offline."""

from __future__ import annotations

import pytest

from sonos_inventory import bounds
from sonos_inventory.collect.parse import parse_zone_group_state
from sonos_inventory.collect.read import DescriptionResult
from sonos_inventory.model import (
    DeviceDescription,
    Endpoint,
    ErrorKind,
    HouseholdRead,
    Method,
    Problem,
    Sighting,
)
from sonos_inventory.planner import Planner, ReadDescription, ReadHousehold

from ..conftest import scan_offline

HH = "Sonos_Planner"


def at(n: int) -> Endpoint:
    return Endpoint(f"127.9.0.{n}", 1400)


def uuid(n: int) -> str:
    return f"RINCON_00000000{n:04d}01400"


def described(n: int) -> DescriptionResult:
    description = DeviceDescription(
        uuid=uuid(n), model_name="One", model_number="S18", serial=None, mac=None,
        software_version="95.0-77060", sw_gen=2, display_version=None, hardware_version=None,
        min_compatible_version=None, legacy_compatible_version=None, room=f"Room {n}",
        display_name=None, memory_mb=None)
    return DescriptionResult(description, None, b"<root/>", 0.01)


def failed(kind: ErrorKind, status: int | None = None) -> DescriptionResult:
    return DescriptionResult(None, Problem(kind, "test", http_status=status), None, 0.01)


def topology(*members: int, location_host: str = "127.9.0") -> str:
    rows = "".join(
        f'<ZoneGroupMember UUID="{uuid(n)}" Location="http://{location_host}.{n}:1400/xml/'
        f'device_description.xml" ZoneName="Room {n}" SoftwareVersion="95.0-77060" SWGen="2"/>'
        for n in members)
    return (f'<ZoneGroupState><ZoneGroups><ZoneGroup Coordinator="{uuid(members[0])}" ID="g">'
            f"{rows}</ZoneGroup></ZoneGroups><VanishedDevices/></ZoneGroupState>")


def read_ok(n: int, *members: int, household: str | None = HH) -> HouseholdRead:
    return HouseholdRead(at(n), uuid(n), household, parse_zone_group_state(topology(*members)))


def read_failed(n: int, status: int, household: str | None = HH) -> HouseholdRead:
    return HouseholdRead(at(n), uuid(n), household, None,
                         Problem(ErrorKind.HTTP_STATUS, f"HTTP {status}", http_status=status))


def sight(planner: Planner, n: int, household: str | None = HH) -> list[object]:
    return list(planner.sighting(Sighting(at(n), Method.SSDP, uuid(n), household)))


def test_a_sighting_reads_the_player_and_its_household_at_once() -> None:
    planner = Planner(())
    assert sight(planner, 1) == [ReadDescription(at(1)), ReadHousehold(at(1), HH, uuid(1))]
    assert sight(planner, 2) == [ReadDescription(at(2))]  # the household read is under way
    assert sight(planner, 1) == []  # seen again: nothing new


def test_a_failed_topology_read_is_asked_again_of_a_member_that_answers() -> None:
    planner = Planner(())
    sight(planner, 1)
    sight(planner, 2)
    sight(planner, 3)
    assert planner.description_read(at(1), failed(ErrorKind.UPNP_DISABLED, 403)) == []
    assert planner.description_read(at(2), failed(ErrorKind.TIMEOUT)) == []
    # the first read fails; nobody has answered yet, so nobody is asked
    assert planner.household_read(at(1), read_failed(1, 403)) == []
    # a member that answers its description is asked next...
    assert planner.description_read(at(3), described(3)) == [ReadHousehold(at(3), HH, uuid(3))]
    # ...and within the bound on attempts, never again after that
    assert planner.household_read(at(3), read_failed(3, 500)) == []
    sight(planner, 4)
    assert planner.description_read(at(4), described(4)) == []
    tries = [r for r in planner.reads if r.household_id == HH]
    assert len(tries) == bounds.MAX_HOUSEHOLD_READ_ATTEMPTS


def test_a_household_read_adds_its_members_and_is_done() -> None:
    planner = Planner(())
    sight(planner, 1)
    actions = planner.household_read(at(1), read_ok(1, 1, 2, 3))
    assert actions == [ReadDescription(at(2)), ReadDescription(at(3))]
    assert Method.TOPOLOGY in planner.targets[at(1)].via
    assert planner.targets[at(2)].expected_uuid == uuid(2)
    assert planner.description_read(at(2), described(2)) == []  # covered: no second read


def test_without_a_household_id_reads_wait_for_the_one_under_way() -> None:
    planner = Planner(())
    sight(planner, 1, household=None)
    sight(planner, 2, household=None)
    assert planner.description_read(at(1), described(1)) == [ReadHousehold(at(1), None, uuid(1))]
    assert planner.description_read(at(2), described(2)) == []  # deferred
    # the read covers player 2: nothing more to ask
    assert planner.household_read(at(1), read_ok(1, 1, 2, household=None)) == []
    # had it not, player 2's own household would have been asked after it
    planner = Planner(())
    sight(planner, 1, household=None)
    sight(planner, 5, household=None)
    planner.description_read(at(1), described(1))
    planner.description_read(at(5), described(5))
    assert planner.household_read(at(1), read_ok(1, 1, household=None)) == [
        ReadHousehold(at(5), None, uuid(5))]


def test_two_addresses_claiming_one_player() -> None:
    planner = Planner(())
    sight(planner, 1)
    sight(planner, 2)
    planner.description_read(at(1), described(1))
    planner.description_read(at(2), described(1))  # player 2 claims to be player 1
    problem = planner.targets[at(2)].problem
    assert problem is not None and problem.kind is ErrorKind.DUPLICATE


def test_members_the_policy_forbids_are_refused_not_read() -> None:
    planner = Planner(())
    sight(planner, 1)
    lying = HouseholdRead(at(1), uuid(1), HH, parse_zone_group_state(
        topology(1, 7, location_host="203.0.113")))
    assert planner.household_read(at(1), lying) == []
    assert [r.uuid for r in planner.refused] == [uuid(7)]
    assert all(r.address and r.address.startswith("203.0.113") for r in planner.refused)


def test_caps_stop_growth_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_PLAYERS", 3)
    planner = Planner(())
    for n in range(1, 6):
        sight(planner, n, household=None)
    assert len(planner.targets) == 3
    assert any("more than 3 discovered devices" in note for note in planner.notes)


def test_a_sighting_from_outside_the_rules_is_noted_not_read() -> None:
    planner = Planner(())
    outside = Sighting(Endpoint("192.168.1.5", 8080), Method.SSDP, uuid(9), HH)  # not port 1400
    assert planner.sighting(outside) == []
    assert planner.notes and "not contacting" in planner.notes[0]


# ---- the same decisions through the whole Scan, offline ----


@pytest.mark.parametrize("scenario", ["error-803", "split-s1-s2", "home-theater",
                                      "offline-member", "legacy-2015", "stereo-partner-offline"])
def test_an_offline_scan_finds_every_member(scenario: str) -> None:
    inventory, _, lan = scan_offline(scenario)
    answering = {p.uuid for p in lan.players}
    read = {p.uuid for p in inventory.players if p.reachable}
    assert read == answering
    assert all(h.topology_read for h in inventory.households)
    asked = [e for e in lan.log.entries if (e["soap_action"] or "").endswith("GetZoneGroupState")]
    assert len(asked) == len(inventory.households)  # one topology read per household


def test_a_501_topology_is_retried_once_then_the_household_comes_from_discovery(
    tmp_path: object,
) -> None:
    import json
    from pathlib import Path

    from sonos_inventory.scenario.builtin import write_scenario

    root = write_scenario("healthy-s2", Path(str(tmp_path)) / "s")
    (root / "home" / "faults.json").write_text(json.dumps(
        {"*": {"status": {"GetZoneGroupState": 501}}}))
    inventory, _, lan = scan_offline(root)
    asked = [e for e in lan.log.entries if (e["soap_action"] or "").endswith("GetZoneGroupState")]
    assert len(asked) == bounds.MAX_HOUSEHOLD_READ_ATTEMPTS
    [household] = inventory.households
    assert not household.topology_read and len(household.players) == 4
    assert not any(e["method"] == "SUBSCRIBE" for e in lan.log.entries)

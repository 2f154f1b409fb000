"""Scans of the emulator over real loopback sockets, through every discovery path."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from sonos_inventory.discovery.hosts import host_sightings
from sonos_inventory.discovery.probe import parse_networks
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import ErrorKind, Method, Role, Track
from sonos_inventory.report.render_json import render_json, schema

from ..conftest import scan_loopback
from ..helpers import assert_read_only

pytestmark = pytest.mark.integration
Start = Callable[..., Emulator]


def expected_uuids(emulator: Emulator) -> set[str]:
    return {p.uuid for p in emulator.players}


def test_ssdp_on_loopback_finds_the_803_household(emulate: Start) -> None:
    emulator = emulate("error-803")
    inventory, _ = scan_loopback()
    assert {p.uuid for p in inventory.players} == expected_uuids(emulator)
    assert all(p.reachable for p in inventory.players)
    assert all(p.serial and p.model_number and p.software_version for p in inventory.players)
    assert inventory.scan.complete
    [household] = inventory.households
    assert household.tracks == (Track.S1, Track.S2)
    bedroom = next(p for p in inventory.players if p.room == "Bedroom")
    assert bedroom.track is Track.S1 and bedroom.s2_capable is True
    assert Method.SSDP in bedroom.discovered_via and Method.TOPOLOGY in bedroom.discovered_via
    assert_read_only(emulator)


def test_requests_per_player_stay_near_the_floor(emulate: Start) -> None:
    emulator = emulate("split-s1-s2")
    scan_loopback()
    per_player = Counter(e["player"] for e in emulator.log.entries)
    descriptions = Counter(e["player"] for e in emulator.log.entries
                           if e["path"] == "/xml/device_description.xml")
    assert set(descriptions.values()) == {1}  # each device description read exactly once
    topology_reads = [e for e in emulator.log.entries
                      if (e["soap_action"] or "").endswith("#GetZoneGroupState")]
    assert len(topology_reads) == 2  # one per household
    household_id_reads = [e for e in emulator.log.entries
                          if (e["soap_action"] or "").endswith("#GetHouseholdID")]
    assert not household_id_reads  # SSDP already carried the household ids
    assert sum(per_player.values()) == len(emulator.players) + 2


def test_split_lan_two_households(emulate: Start) -> None:
    emulator = emulate("split-s1-s2")
    inventory, _ = scan_loopback()
    assert {p.uuid for p in inventory.players} == expected_uuids(emulator)
    tracks = sorted(h.tracks for h in inventory.households)
    assert tracks == [(Track.S1,), (Track.S2,)]
    ids = {h.household_id for h in inventory.households}
    assert ids == {"HHID_FixtureSplitLegacyS1xxxxxx01", "Sonos_FixtureSplitMainS2xxxxxxx02"}
    connect = next(p for p in inventory.players if p.model_number == "ZP90")
    assert connect.s2_capable is False


def test_host_expands_the_household_through_its_topology(emulate: Start) -> None:
    emulator = emulate("error-803")
    first = emulator.players[0].endpoint
    inventory, _ = scan_loopback(use_ssdp=False, hosts=host_sightings([str(first)]))
    assert {p.uuid for p in inventory.players} == expected_uuids(emulator)
    assert inventory.households[0].household_id == "Sonos_FixtureErrorEightZeroThree01"
    via = {p.uuid: p.discovered_via for p in inventory.players}
    assert Method.HOST in via[emulator.players[0].uuid]
    assert all(Method.TOPOLOGY in v for v in via.values())
    household_id_reads = [e for e in emulator.log.entries
                          if (e["soap_action"] or "").endswith("#GetHouseholdID")]
    assert len(household_id_reads) == 1
    assert_read_only(emulator)


def test_network_probe_of_the_emulator_block(emulate: Start) -> None:
    emulator = emulate("split-s1-s2")
    inventory, _ = scan_loopback(use_ssdp=False,
                                 networks=parse_networks([emulator.household_block()]))
    assert {p.uuid for p in inventory.players} == expected_uuids(emulator)
    assert len(inventory.households) == 2
    assert inventory.scan.complete
    assert all(h.household_id for h in inventory.households)
    topology_reads = [e for e in emulator.log.entries
                      if (e["soap_action"] or "").endswith("#GetZoneGroupState")]
    assert len(topology_reads) == 2


def test_mdns_alone_finds_the_s2_players(emulate: Start) -> None:
    emulator = emulate("healthy-s2", ssdp=False, mdns=True)
    inventory, observations = scan_loopback(use_ssdp=False, use_mdns=True, mdns_window_s=4.0)
    assert {p.uuid for p in inventory.players} == expected_uuids(emulator)
    assert any(Method.MDNS in p.discovered_via for p in inventory.players)
    assert Method.MDNS in observations.methods


def test_offline_member_and_vanished_device(emulate: Start) -> None:
    emulate("offline-member")
    inventory, _ = scan_loopback(budget_s=10.0)
    patio = next(p for p in inventory.players if p.room == "Patio")
    assert not patio.reachable and not patio.vanished
    assert patio.errors[0].kind in (ErrorKind.REFUSED, ErrorKind.TIMEOUT)
    assert patio.ip and patio.ip.startswith("127.")
    guest = next(p for p in inventory.players if p.room == "Guest Room")
    assert guest.vanished and guest.model_number == "S33"
    assert guest.ip and guest.ip.startswith("127.")  # LastKnownIP was rewritten too
    assert not inventory.scan.complete


def test_home_theater_roles(emulate: Start) -> None:
    emulate("home-theater")
    inventory, _ = scan_loopback()
    roles = Counter(p.role for p in inventory.players)
    assert roles == {Role.PLAYER: 2, Role.SATELLITE: 2, Role.SUBWOOFER: 1, Role.BRIDGE: 1,
                     Role.STEREO_PARTNER: 1}
    assert inventory.scan.complete


def write_faults(tmp_path: Path, name: str, faults: dict[str, object]) -> Path:
    from sonos_inventory.scenario.builtin import write_scenario

    root = write_scenario(name, tmp_path / name)
    household = next(root.iterdir())
    (household / "faults.json").write_text(json.dumps(faults))
    return root


def test_upnp_disabled_player_is_a_record_with_advice(emulate: Start, tmp_path: Path) -> None:
    root = write_faults(tmp_path, "healthy-s2", {
        "RINCON_000E58F0020301400": {"status": {"/xml/device_description.xml": 403}}})
    emulate(root)
    inventory, _ = scan_loopback()
    kitchen = inventory.player("RINCON_000E58F0020301400")
    assert kitchen is not None and not kitchen.reachable
    assert kitchen.errors[0].kind is ErrorKind.UPNP_DISABLED
    assert "Connection Security" in kitchen.errors[0].detail
    assert kitchen.track is Track.S2  # still known from the topology
    assert sum(p.reachable for p in inventory.players) == 3


def test_topology_501_builds_the_household_from_discovery(
    emulate: Start, tmp_path: Path
) -> None:
    root = write_faults(tmp_path, "healthy-s2", {"*": {"status": {"GetZoneGroupState": 501}}})
    emulator = emulate(root)
    inventory, _ = scan_loopback()
    assert {p.uuid for p in inventory.players} == expected_uuids(emulator)
    [household] = inventory.households
    assert not household.topology_read
    assert household.topology_problem is not None
    assert household.topology_problem.kind is ErrorKind.TOPOLOGY_UNAVAILABLE
    assert not inventory.scan.complete
    subscribes = [e for e in emulator.log.entries if e["method"] == "SUBSCRIBE"]
    assert not subscribes  # never falls back to an event subscription


def test_json_output_validates_against_the_schema(emulate: Start) -> None:
    emulate("home-theater")
    inventory, _ = scan_loopback()
    document = json.loads(render_json(inventory))
    jsonschema.validate(document, schema())
    assert document["scan"]["complete"] is True
    assert set(document["scan"]["methods"]) == {"ssdp", "topology"}


def test_proxy_settings_are_never_used(emulate: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator = emulate("healthy-s2")
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # discard port: a proxy would fail
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    inventory, _ = scan_loopback()
    assert {p.uuid for p in inventory.players if p.reachable} == expected_uuids(emulator)


def test_port_mode_one_address_many_ports(emulate: Start) -> None:
    """Where only 127.0.0.1 exists (macOS), each player gets a port of its own."""
    emulator = emulate("split-s1-s2", port_mode=True)
    assert {p.endpoint.host for p in emulator.players} == {"127.0.0.1"}
    assert len({p.endpoint.port for p in emulator.players}) == len(emulator.players)
    inventory, _ = scan_loopback()
    assert {p.uuid for p in inventory.players if p.reachable} == expected_uuids(emulator)
    assert len(inventory.households) == 2 and inventory.scan.complete

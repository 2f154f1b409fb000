"""The pure inventory builder: every topology member is a record, read or not."""

from __future__ import annotations

import json

import jsonschema

from sonos_inventory.analyze.classify import classify
from sonos_inventory.inventory import build_inventory
from sonos_inventory.model import (
    DeviceDescription,
    Endpoint,
    ErrorKind,
    HouseholdRead,
    Method,
    Problem,
    RefusedMember,
    Role,
    ScanObservations,
    Sighting,
    TargetObservation,
    Topology,
    Track,
    VanishedDevice,
    ZoneMember,
)
from sonos_inventory.report.render_json import render_json, schema

HH = "Sonos_TestHousehold01"


def member(n: int, **kw: object) -> ZoneMember:
    values: dict[str, object] = {
        "location": f"http://192.168.1.{n}:1400/xml/device_description.xml",
        "zone_name": f"Room {n}", "software_version": "95.0-77060", "sw_gen": 2,
        "min_compatible_version": "94.0-00000", "legacy_compatible_version": "58.0-00000",
        "group_id": f"RINCON_{n:012d}01400:1", "coordinator": f"RINCON_{n:012d}01400"}
    values.update(kw)
    return ZoneMember(uuid=f"RINCON_{n:012d}01400", **values)  # type: ignore[arg-type]


def description(n: int, **kw: object) -> DeviceDescription:
    values: dict[str, object] = {
        "model_name": "Sonos One", "model_number": "S18", "serial": "00-0E-58-00-00-01:A",
        "mac": "00:0E:58:00:00:01", "software_version": "95.0-77060", "sw_gen": 2,
        "display_version": "17.8", "hardware_version": "1.26.1.7-1.2",
        "min_compatible_version": "94.0-00000", "legacy_compatible_version": "58.0-00000",
        "room": f"Room {n}", "display_name": "One", "memory_mb": 1024}
    values.update(kw)
    return DeviceDescription(uuid=f"RINCON_{n:012d}01400", **values)  # type: ignore[arg-type]


def target(n: int, *, desc: DeviceDescription | None = None, problem: Problem | None = None,
           via: tuple[Method, ...] = (Method.SSDP,), household: str | None = HH,
           uuid: str | None = None) -> TargetObservation:
    endpoint = Endpoint(f"192.168.1.{n}")
    sighting = Sighting(endpoint, via[0], uuid=uuid or f"RINCON_{n:012d}01400",
                        household_id=household)
    return TargetObservation(endpoint, via, (sighting,) if via[0] is Method.SSDP else (),
                             expected_uuid=uuid or f"RINCON_{n:012d}01400"
                             if via[0] is not Method.NETWORK else None,
                             description=desc, problem=problem)


def observations(targets: tuple[TargetObservation, ...], reads: tuple[HouseholdRead, ...],
                 **kw: object) -> ScanObservations:
    return ScanObservations("2026-11-25T00:00:00Z", "2026-11-25T00:00:02Z",
                            (Method.SSDP, Method.TOPOLOGY), ("192.168.1.2",), targets, reads,
                            **kw)  # type: ignore[arg-type]


def test_unread_member_and_vanished_device_are_listed() -> None:
    vanished = VanishedDevice("RINCON_00000000000901400", "Guest", "powered off", "S33",
                              "192.168.1.9", "2026-11-20T18:04:11Z", 2)
    topology = Topology((member(1), member(2), member(3, sw_gen=1,
                                                       software_version="57.23-80060")),
                        (vanished,))
    timeout = Problem(ErrorKind.TIMEOUT, "no answer")
    obs = observations(
        (target(1, desc=description(1)),
         target(2, desc=None, problem=timeout, via=(Method.TOPOLOGY,))),
        (HouseholdRead(Endpoint("192.168.1.1"), "RINCON_000000000001", HH, topology),),
    )
    inventory = classify(build_inventory(obs, "test"))
    by_uuid = {p.uuid: p for p in inventory.players}
    assert len(by_uuid) == 4
    p2 = by_uuid[member(2).uuid]
    assert not p2.reachable and p2.errors[0].kind is ErrorKind.TIMEOUT
    assert p2.track is Track.S2 and p2.household_id == HH
    p3 = by_uuid[member(3).uuid]
    assert p3.track is Track.S1 and p3.errors[0].kind is ErrorKind.NOT_ATTEMPTED
    assert p3.ip == "192.168.1.3"
    gone = by_uuid[vanished.uuid]
    assert gone.vanished and gone.model_number == "S33" and gone.ip == "192.168.1.9"
    assert gone.errors[0].kind is ErrorKind.VANISHED
    household = inventory.households[0]
    assert household.tracks == (Track.S1, Track.S2)
    assert set(household.players) == set(by_uuid)
    assert not inventory.scan.complete  # members 2 and 3 were not read
    assert Method.TOPOLOGY in by_uuid[member(1).uuid].discovered_via


def test_vanished_devices_alone_do_not_make_a_scan_incomplete() -> None:
    vanished = VanishedDevice("RINCON_00000000000901400", "Guest", "powered off", "S33",
                              "192.168.1.9", None, 2)
    obs = observations(
        (target(1, desc=description(1)),),
        (HouseholdRead(Endpoint("192.168.1.1"), None, HH, Topology((member(1),), (vanished,))),),
    )
    inventory = classify(build_inventory(obs, "test"))
    assert inventory.scan.complete, inventory.scan.incomplete_reasons


def test_refused_member_keeps_its_reason() -> None:
    outside = member(7, location="http://8.8.8.8:1400/xml/device_description.xml")
    obs = observations(
        (target(1, desc=description(1)),),
        (HouseholdRead(Endpoint("192.168.1.1"), None, HH, Topology((member(1), outside))),),
        refused=(RefusedMember(outside.uuid, "8.8.8.8", "8.8.8.8 is outside 192.168.1.0/24"),),
    )
    player = classify(build_inventory(obs, "test")).player(outside.uuid)
    assert player is not None and player.errors[0].kind is ErrorKind.POLICY
    assert "outside" in player.errors[0].detail


def test_topology_failure_builds_household_from_discovery() -> None:
    problem = Problem(ErrorKind.TOPOLOGY_UNAVAILABLE, "HTTP 501")
    obs = observations(
        (target(1, desc=description(1)), target(2, desc=description(2))),
        (HouseholdRead(Endpoint("192.168.1.1"), None, HH, None, problem),),
    )
    inventory = classify(build_inventory(obs, "test"))
    assert len(inventory.households) == 1
    household = inventory.households[0]
    assert not household.topology_read and household.topology_problem == problem
    assert len(household.players) == 2
    assert not inventory.scan.complete


def test_unidentified_addresses_and_probe_noise() -> None:
    refused = Problem(ErrorKind.REFUSED, "connection refused")
    not_sonos = Problem(ErrorKind.NOT_SONOS, "deviceType urn:x")
    obs = observations(
        (target(5, problem=refused, via=(Method.HOST,), household=None, uuid=None),
         target(6, problem=not_sonos, via=(Method.NETWORK,), household=None)),
        (),
    )
    host_target = obs.targets[0]
    obs = observations((TargetObservation(host_target.endpoint, (Method.HOST,),
                                          problem=refused), obs.targets[1]), ())
    inventory = classify(build_inventory(obs, "test"))
    assert [u.ip for u in inventory.unidentified] == ["192.168.1.5"]
    assert not inventory.players and not inventory.scan.complete
    assert "no Sonos player was found" in inventory.scan.incomplete_reasons


def test_s1_only_connect_and_roles_and_json_schema() -> None:
    connect = description(4, model_number="ZP90", model_name="Sonos CONNECT", memory_mb=32,
                          hardware_version="1.16.5.5-2", sw_gen=None,
                          software_version="28.1-83040", display_version="5.2")
    bridge = description(5, model_number="ZB100", model_name="Sonos BRIDGE", sw_gen=None,
                         software_version="28.1-83040", hardware_version="1.5.0.0-2")
    obs = observations(
        (target(4, desc=connect), target(5, desc=bridge)),
        (HouseholdRead(Endpoint("192.168.1.4"), None, HH, Topology((
            member(4, sw_gen=None, software_version="28.1-83040"),
            member(5, sw_gen=None, software_version="28.1-83040", is_zone_bridge=True,
                   invisible=True)))),),
    )
    inventory = classify(build_inventory(obs, "9.9.9"))
    p4, p5 = inventory.players
    assert p4.track is Track.S1 and p4.s2_capable is False and "32 MB" in p4.s2_capable_basis
    assert p5.role is Role.BRIDGE and p5.s2_capable is False
    document = json.loads(render_json(inventory))
    jsonschema.validate(document, schema())
    assert document["tool"] == {"name": "sonos-inventory", "version": "9.9.9"}
    assert document["players"][0]["s2_capable"] is False

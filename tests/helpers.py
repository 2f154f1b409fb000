"""Pure test helpers: a scenario folder as a perfect scan would observe it (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.collect.parse import parse_device_description
from sonos_inventory.collect.transport import READ_ONLY_ACTIONS, READ_ONLY_GETS
from sonos_inventory.emulator.server import RequestLog
from sonos_inventory.inventory import build_inventory
from sonos_inventory.model import (
    Endpoint,
    ErrorKind,
    HouseholdRead,
    Inventory,
    Method,
    Problem,
    ScanObservations,
    Sighting,
    TargetObservation,
)
from sonos_inventory.netpolicy import endpoint_from_location
from sonos_inventory.scenario.folder import load_scenario

from .conftest import SCENARIOS

DESCRIPTION = "/xml/device_description.xml"


def observe(path: Path) -> ScanObservations:
    scenario = load_scenario(path)
    targets, reads = [], []
    for household in scenario.households:
        devices = dict(household.devices)
        source = None
        for member in household.topology.members:
            if member.channel_map_of is not None:
                continue  # no address: a real scan lists it but never contacts it
            endpoint = endpoint_from_location(member.location) or Endpoint("192.0.2.1")
            faults = household.faults_for(member.uuid)
            if member.uuid in devices and faults.status_for(DESCRIPTION) == 403:
                sighting = Sighting(endpoint, Method.SSDP, member.uuid, household.household_id)
                targets.append(TargetObservation(
                    endpoint, (Method.SSDP, Method.TOPOLOGY), (sighting,), member.uuid, None,
                    Problem(ErrorKind.UPNP_DISABLED, "HTTP 403: UPnP is turned off")))
            elif member.uuid in devices:
                sighting = Sighting(endpoint, Method.SSDP, member.uuid, household.household_id)
                targets.append(TargetObservation(
                    endpoint, (Method.SSDP, Method.TOPOLOGY), (sighting,), member.uuid,
                    parse_device_description(devices[member.uuid])))
                if faults.status_for("GetZoneGroupState") is None:
                    source = source or endpoint
            else:
                targets.append(TargetObservation(
                    endpoint, (Method.TOPOLOGY,), (), member.uuid, None,
                    Problem(ErrorKind.TIMEOUT, "no complete answer in time")))
        reads.append(HouseholdRead(source or Endpoint("192.0.2.1"), None, household.household_id,
                                   household.topology))
    return ScanObservations("2026-11-25T10:00:00Z", "2026-11-25T10:00:02Z",
                            (Method.SSDP, Method.TOPOLOGY), ("192.168.1.2",), tuple(targets),
                            tuple(reads))


def inventory_of(name_or_path: str | Path, version: str = "1.0.0-test") -> Inventory:
    path = Path(name_or_path)
    if not path.is_dir():
        path = SCENARIOS / str(name_or_path)
    return analyze(build_inventory(observe(path), version))


class _Logged(Protocol):
    @property
    def log(self) -> RequestLog: ...


def assert_read_only(served: _Logged) -> None:
    """Every request the emulator (or an OfflineLan) recorded is on the read-only allow-list."""
    for entry in served.log.entries:
        if entry["method"] == "GET":
            assert entry["path"] in READ_ONLY_GETS, entry
        else:
            assert entry["method"] == "POST", entry
            assert entry["soap_action"] in READ_ONLY_ACTIONS[entry["path"]], entry

"""What a scan received, as a scenario directory (DESIGN.md) that replays it. Pure.

Per household: the zone group state exactly as the player returned it, each answering player's
device description verbatim, the household id, and a faults.json that makes the emulator fail the
way the real players failed (no answer, 403, garbage...). Discovery data goes under _discovery/.
Returns {relative path: bytes}; the bundle writer puts it under raw/.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr

from ..bounds import MAX_DESCRIPTION_BYTES
from ..model import (
    ErrorKind,
    Household,
    HouseholdRead,
    Inventory,
    Method,
    Player,
    Problem,
    ScanObservations,
    TargetObservation,
)
from .synth import PlayerSpec, device_description

DESCRIPTION = "/xml/device_description.xml"
STATUS_PAGE = "/status/zp"


def _fault_for(problem: Problem, raw: bytes | None) -> dict[str, Any] | None:
    """The emulator fault that reproduces a failed description read; None: nothing listens."""
    kind = problem.kind
    if kind is ErrorKind.TIMEOUT:
        return {"hang": True}
    if kind is ErrorKind.UPNP_DISABLED:
        return {"status": {DESCRIPTION: 403}}
    if kind in (ErrorKind.HTTP_STATUS, ErrorKind.UPNP_FAULT):
        return {"status": {DESCRIPTION: problem.http_status or 500}}
    if kind in (ErrorKind.BAD_XML, ErrorKind.NOT_SONOS):
        if problem.truncated:
            return {"truncate": True}
        body = (raw or b"").decode("utf-8", "replace")
        return {"body": {DESCRIPTION: body}}
    if kind is ErrorKind.TOO_LARGE:
        return {"huge_mb": max(1, MAX_DESCRIPTION_BYTES // (1024 * 1024) + 1)}
    if kind is ErrorKind.REDIRECT:
        return {"redirect": "http://127.0.0.1:9/xml/device_description.xml"}
    return None  # refused, unreachable, not attempted, policy: nothing answers there


def _stand_in(player: Player) -> bytes:
    """A device description for a player that never sent one (its faults decide what is served;
    this body is never seen by a scan)."""
    mac = (player.mac or player.uuid[7:19]).replace(":", "").replace("-", "")[:12].ljust(12, "0")
    spec = PlayerSpec(mac=mac, room=player.room or "Unknown", model_number=player.model_number
                      or "unknown", model_name=player.model_name or "unknown",
                      display_name=player.model_name or "unknown",
                      software_version=player.software_version or "0.0-00000",
                      display_version=player.display_version or "", hardware_version="",
                      sw_gen=player.sw_gen, ip=player.ip or "0.0.0.0")
    return device_description(spec).encode("utf-8")


def _synthetic_zone_group_state(players: list[Player]) -> str:
    """For a household whose topology could not be read: its discovered players, one group each
    (the faults make GetZoneGroupState fail again on replay)."""
    rows = []
    for p in players:
        if p.vanished:
            continue
        attrs = {"UUID": p.uuid,
                 "Location": f"http://{p.ip or '0.0.0.0'}:{p.port or 1400}{DESCRIPTION}",
                 "ZoneName": p.room or "", "SoftwareVersion": p.software_version or ""}
        if p.sw_gen:
            attrs["SWGen"] = str(p.sw_gen)
        attr_text = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
        rows.append(f'    <ZoneGroup Coordinator={quoteattr(p.uuid)} ID={quoteattr(p.uuid + ":1")}>'
                    f"<ZoneGroupMember {attr_text}/></ZoneGroup>")
    return ("<ZoneGroupState>\n  <ZoneGroups>\n" + "\n".join(rows)
            + "\n  </ZoneGroups>\n  <VanishedDevices></VanishedDevices>\n</ZoneGroupState>\n")


def _read_for(household: Household, reads: tuple[HouseholdRead, ...]) -> HouseholdRead | None:
    """The copy of the household's zone group state to replay: one read with its own id (in
    a fixed order, whatever order the players answered in), else one whose members it shares
    (a read whose id is unknown)."""
    usable = sorted((r for r in reads if r.topology is not None and r.raw_zone_group_state),
                    key=lambda r: (r.source_uuid or "", str(r.source)))
    if household.household_id:
        own = [r for r in usable if r.household_id == household.household_id]
        if own:
            return own[0]
    members = set(household.players)
    return next((r for r in usable if r.household_id is None and r.topology is not None
                 and {m.uuid for m in r.topology.members} & members), None)


def _failed_read(household: Household, reads: tuple[HouseholdRead, ...]) -> Problem | None:
    for read in reads:
        if read.topology is None and read.problem and read.household_id == household.household_id:
            return read.problem
    return household.topology_problem


def raw_scenario(inventory: Inventory, observations: ScanObservations) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    by_uuid: dict[str, TargetObservation] = {}
    for observed in observations.targets:
        if observed.uuid and (observed.uuid not in by_uuid or observed.description is not None):
            by_uuid[observed.uuid] = observed
    players = {p.uuid: p for p in inventory.players}
    for index, household in enumerate(inventory.households, 1):
        folder = f"household-{index}"
        members = [players[u] for u in household.players if u in players]
        read = _read_for(household, observations.household_reads)
        faults: dict[str, Any] = {}
        if read is not None and read.raw_zone_group_state:
            zgs = read.raw_zone_group_state
        else:
            zgs = _synthetic_zone_group_state(members)
            problem = _failed_read(household, observations.household_reads)
            status = problem.http_status if problem else None
            faults["*"] = {"status": {"GetZoneGroupState": status or 501}}
        files[f"{folder}/zone_group_state.xml"] = zgs.encode("utf-8")
        if household.household_id:
            files[f"{folder}/household_id"] = (household.household_id + "\n").encode("utf-8")
        for player in members:
            if player.vanished:
                continue
            target = by_uuid.get(player.uuid)
            if target is not None and target.description is not None and target.raw_description:
                files[f"{folder}/devices/{player.uuid}.xml"] = target.raw_description
                continue
            if target is None or target.problem is None:
                continue
            fault = _fault_for(target.problem, target.raw_description)
            if fault is not None:
                files[f"{folder}/devices/{player.uuid}.xml"] = _stand_in(player)
                faults[player.uuid] = fault
        _deep_files(files, folder, members, observations, faults, read)
        if faults:
            files[f"{folder}/faults.json"] = (json.dumps(faults, indent=2) + "\n").encode()
    files.update(_discovery(observations))
    return files


def _deep_files(files: dict[str, bytes], folder: str, members: list[Player],
                observations: ScanObservations, faults: dict[str, Any],
                read: HouseholdRead | None) -> None:
    """--deep: each status page as received (devices/<UUID>.status_zp.xml), a 403/404 as a
    fault that answers it again, and a second member's differing copy of the zone group state
    (zone_group_state.<UUID>.xml), so that a replay shows the same."""
    if not observations.deep:
        return
    uuids = {p.uuid for p in members}
    for status in observations.status_reads:
        if status.uuid not in uuids:
            continue
        if status.raw is not None:
            files[f"{folder}/devices/{status.uuid}.status_zp.xml"] = status.raw
        elif status.problem is not None and status.problem.http_status is not None:
            entry = faults.setdefault(str(status.uuid), {})
            entry.setdefault("status", {})[STATUS_PAGE] = status.problem.http_status
    for second in observations.second_reads:
        if (second.source_uuid in uuids and second.raw_zone_group_state and read is not None
                and second.raw_zone_group_state != read.raw_zone_group_state):
            files[f"{folder}/zone_group_state.{second.source_uuid}.xml"] = (
                second.raw_zone_group_state.encode("utf-8"))


def _discovery(observations: ScanObservations) -> dict[str, bytes]:
    ssdp, mdns = [], []
    for target in observations.targets:
        for sighting in target.sightings:
            entry = {"address": str(target.endpoint), "uuid": sighting.uuid,
                     "fields": dict(sighting.raw)}
            if sighting.method is Method.SSDP:
                ssdp.append(entry)
            elif sighting.method is Method.MDNS:
                mdns.append(entry)
    return {
        "_discovery/ssdp.json": (json.dumps(ssdp, indent=2, ensure_ascii=False) + "\n").encode(),
        "_discovery/mdns.json": (json.dumps(mdns, indent=2, ensure_ascii=False) + "\n").encode(),
        "_discovery/README.txt": (
            b"What discovery saw: SSDP reply headers and mDNS TXT records, per address.\n"
            b"The emulator ignores this folder; the household folders beside it replay the scan.\n"
        ),
    }


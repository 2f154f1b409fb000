"""Turn what a scan observed into the inventory: pure, no I/O.

Every member of a household's topology is a player record, read or not; vanished devices are
listed as such; addresses that never said who they are become `unidentified` entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .analyze import connection as conn
from .analyze.classify import detect_role, zone_facts
from .analyze.deep import disagreement
from .model import (
    DeepInfo,
    DeviceDescription,
    ErrorKind,
    Household,
    HouseholdRead,
    Inventory,
    Method,
    Player,
    Problem,
    Role,
    ScanInfo,
    ScanObservations,
    StatusRead,
    TargetObservation,
    Topology,
    Unidentified,
    VanishedDevice,
    ZoneMember,
)
from .netpolicy import endpoint_from_location
from .report.safe_text import quoted

METHOD_ORDER = tuple(Method)


@dataclass(frozen=True)
class _HouseholdView:
    key: str
    household_id: str | None
    topology: Topology | None
    problem: Problem | None
    source_uuid: str | None = None  # the player the chosen (or failed) read was asked through


def self_households(observations: ScanObservations) -> dict[str, str]:
    """uuid -> the household id a product named for itself (GetHouseholdID at its own
    address): what decides membership when it is in doubt."""
    said: dict[str, str] = {}
    for read in observations.household_reads:
        if read.id_asked and read.source_uuid and read.household_id:
            said.setdefault(read.source_uuid, read.household_id)
    for asked in observations.household_ids:
        if asked.household_id and asked.problem is None:
            said[asked.uuid] = asked.household_id
    return said


def _from_satellite(read: HouseholdRead) -> bool:
    """The read came through a satellite or subwoofer, whose copy may be stale."""
    if read.topology is None or read.source_uuid is None:
        return False
    member = read.topology.member(read.source_uuid)
    return member is not None and detect_role(member, read.topology, None) in (
        Role.SATELLITE, Role.SUBWOOFER)


def _merged(reads: list[HouseholdRead]) -> Topology:
    """One household's copies of the zone group state as one: every member and vanished entry
    any of them lists (the first copy's entry wins), in a fixed order."""
    members: dict[str, ZoneMember] = {}
    vanished: dict[str, VanishedDevice] = {}
    for read in reads:
        assert read.topology is not None
        for member in read.topology.members:
            members.setdefault(member.uuid, member)
        for device in read.topology.vanished:
            vanished.setdefault(device.uuid, device)
    return Topology(tuple(members.values()), tuple(vanished.values()),
                    any(r.topology is not None and r.topology.truncated for r in reads))


def _source_order(read: HouseholdRead) -> tuple[str, str]:
    return (read.source_uuid or "", str(read.source))


def _households(observations: ScanObservations, said: dict[str, str]) -> list[_HouseholdView]:
    """One view per household, whatever order the players answered in.

    Reads that carry different household ids are different households, never merged; the id of
    a read is what its source says of itself when that is known. A household's copies read
    through coordinators or other non-satellite members are believed over a satellite's (which
    can be stale); a satellite's copy is used only when it is the only one. Reads whose id is
    unknown join the household whose members they share, or stand alone.
    """
    reads = sorted(observations.household_reads, key=_source_order)
    with_id: dict[str, list[HouseholdRead]] = {}
    failed: dict[str, HouseholdRead] = {}
    anonymous: list[HouseholdRead] = []
    for read in reads:
        household = said.get(read.source_uuid or "", read.household_id)
        if household is None:
            anonymous.append(read)
        elif read.topology is not None:
            with_id.setdefault(household, []).append(read)
        else:
            failed.setdefault(household, read)
    views: dict[str, _HouseholdView] = {}
    for household, group in with_id.items():
        trusted = [r for r in group if not _from_satellite(r)] or group
        views[household] = _HouseholdView(household, household, _merged(trusted), None,
                                          trusted[0].source_uuid)
    for household, read in failed.items():
        if household not in views:
            views[household] = _HouseholdView(household, household, None, read.problem,
                                              read.source_uuid)
    member_home = {m.uuid: v.key for v in views.values() if v.topology
                   for m in v.topology.members}
    for read in anonymous:
        if read.topology is None:
            key = member_home.get(read.source_uuid or "")
            if key is None:
                key = f"@{read.source_uuid or read.source}"
                views.setdefault(key, _HouseholdView(key, None, None, read.problem,
                                                     read.source_uuid))
            continue
        key = next((member_home[m.uuid] for m in read.topology.members
                    if m.uuid in member_home), f"@{read.source_uuid or read.source}")
        existing = views.get(key)
        if existing is not None and existing.topology is not None:
            continue
        views[key] = _HouseholdView(key, None, read.topology, None, read.source_uuid)
        for member in read.topology.members:
            member_home.setdefault(member.uuid, key)
    for household in sorted(set(said.values()) - set(views)):  # named by a product only
        views[household] = _HouseholdView(
            household, household, None, Problem(ErrorKind.TOPOLOGY_UNAVAILABLE,
                                                "no player of this household answered "
                                                "GetZoneGroupState"))
    known_ids = {v.household_id for v in views.values()}
    for target in observations.targets:  # households known only from discovery hints
        if target.uuid in member_home or target.uuid in said:
            continue
        for sighting in target.sightings:
            if sighting.household_id and sighting.household_id not in known_ids:
                known_ids.add(sighting.household_id)
                views[sighting.household_id] = _HouseholdView(
                    sighting.household_id, sighting.household_id, None,
                    Problem(ErrorKind.TOPOLOGY_UNAVAILABLE,
                            "no player of this household answered GetZoneGroupState"),
                )
    return sorted(views.values(), key=lambda v: (v.household_id is None, v.household_id or "",
                                                 v.key))


def _ordered(methods: set[Method]) -> tuple[Method, ...]:
    return tuple(m for m in METHOD_ORDER if m in methods)


def _player(
    uuid: str,
    *,
    description: DeviceDescription | None,
    member: ZoneMember | None,
    vanished: VanishedDevice | None,
    view: _HouseholdView | None,
    target: TargetObservation | None,
    household_hint: str | None,
    via: set[Method],
    errors: tuple[Problem, ...],
    ip: str | None,
    port: int | None,
    deep: DeepInfo | None = None,
    status: StatusRead | None = None,
    other_copy: ZoneMember | None = None,
) -> Player:
    d = description
    page = status.page if status else None
    software_version = (d and d.software_version) or (member and member.software_version)
    if software_version is None and target:
        software_version = next(
            (s.software_version for s in target.sightings if s.software_version), None
        )
    model_number = (d and d.model_number) or (vanished and vanished.model_number)
    topology_sw_gen = (member and member.sw_gen) or (vanished and vanished.sw_gen)
    min_compatible = (d and d.min_compatible_version) or (member and member.min_compatible_version)
    network = member or other_copy  # another member's copy, where only that one lists it
    facts = zone_facts(
        member, view.topology if view else None, link=network,
        ssdp_wifi_mode=conn.ssdp_wifi_mode(target.sightings) if target else None,
        description_sw_gen=d.sw_gen if d else None, topology_sw_gen=topology_sw_gen or None,
        more_info=vanished.more_info if vanished else None)
    boot_seq = network.boot_seq if network else None
    if boot_seq is None and target:
        boot_seq = next((int(v) for s in target.sightings for k, v in s.raw
                         if k.upper() == "X-RINCON-BOOTSEQ" and v.isdigit() and len(v) < 10),
                        None)
    return Player(  # classified by analyze (analyze/classify.py), from these fields and facts
        uuid=uuid,
        ip=ip,
        port=port,
        room=(d and d.room) or (member and member.zone_name) or (vanished and vanished.zone_name)
        or None,
        model_name=d.model_name if d else None,
        model_number=model_number or None,
        serial=(d.serial if d else None) or (page.serial if page else None),
        mac=(d.mac if d else None) or (page.mac if page else None)
        or (vanished.mac if vanished else None),
        software_version=software_version or None,
        display_version=d.display_version if d else None,
        hardware_version=d.hardware_version if d else None,
        sw_gen=(d.sw_gen if d else None) or topology_sw_gen or None,
        min_compatible_version=min_compatible or None,
        legacy_compatible_version=(d and d.legacy_compatible_version)
        or (member and member.legacy_compatible_version) or None,
        memory_mb=d.memory_mb if d else None,
        household_id=(view.household_id if view else None) or household_hint,
        reachable=d is not None,
        vanished=vanished is not None and member is None,
        discovered_via=_ordered(via),
        errors=errors,
        series_id=(d.series_id if d else None) or (page.series_id if page else None),
        facts=facts,
        boot_seq=boot_seq,
        deep=deep,
    )


def _deep(observations: ScanObservations, status: StatusRead | None,
          target: TargetObservation | None) -> DeepInfo | None:
    """--deep: the player's status page, or why there is none (a normal per-player result)."""
    if not observations.deep:
        return None
    if status is None:
        answered = target is not None and target.description is not None
        return DeepInfo("not read: the scan ended first" if answered else
                        "not asked: the player did not answer")
    if status.page is None:
        return DeepInfo(status.problem.detail if status.problem else "not read")
    page = status.page
    return DeepInfo("read", page.software_date, page.hh_swgen_state, page.wifi_mode,
                    page.connection_type, page.extra_info, page.household_control_id,
                    page.ip, page.mac)


_Listed = list[tuple[_HouseholdView, ZoneMember]]
_Remembered = list[tuple[_HouseholdView, VanishedDevice]]


def _index_topologies(views: list[_HouseholdView]) -> tuple[dict[str, _Listed],
                                                            dict[str, _Remembered]]:
    """Every household that lists a product as a current member, and every household that
    remembers it as vanished (a product can be in several of each)."""
    listed: dict[str, _Listed] = {}
    vanished: dict[str, _Remembered] = {}
    for view in views:
        if view.topology:
            for member in view.topology.members:
                listed.setdefault(member.uuid, []).append((view, member))
            for device in view.topology.vanished:
                vanished.setdefault(device.uuid, []).append((view, device))
    return listed, vanished


@dataclass(frozen=True)
class _Membership:
    """Where a product belongs, and what the households that do not own it remember of it."""

    view: _HouseholdView | None
    member: ZoneMember | None
    vanished: VanishedDevice | None  # set only for a product that does not answer
    elsewhere: tuple[_HouseholdView, ...] = ()  # still list it; it is a member of `view`
    remembered_by: tuple[_HouseholdView, ...] = ()  # remember it; it belongs to none of them


def build_inventory(observations: ScanObservations, tool_version: str) -> Inventory:
    said = self_households(observations)
    views = _households(observations, said)
    listed, vanished_views = _index_topologies(views)
    by_id = {v.household_id: v for v in views if v.household_id}
    by_uuid_target: dict[str, TargetObservation] = {}
    for observed in sorted(observations.targets, key=lambda t: t.endpoint):
        uuid = observed.uuid
        if uuid is None or _no_player_record(observed, listed):
            continue
        if uuid not in by_uuid_target or (observed.description is not None
                                          and by_uuid_target[uuid].description is None):
            by_uuid_target[uuid] = observed
    refused = {r.uuid: r for r in observations.refused}
    status_of = {r.uuid: r for r in observations.status_reads if r.uuid}
    second_members = {m.uuid: m for r in observations.second_reads if r.topology
                      for m in r.topology.members}

    players: list[Player] = []
    home: dict[str, list[str]] = {}  # uuid -> the keys of the households that list it
    moved_out: dict[str, list[str]] = {}  # household key -> products it lists, now elsewhere
    remembered: dict[str, list[str]] = {}  # household key -> products that belong nowhere
    uuids = list(dict.fromkeys([*listed, *sorted(by_uuid_target), *vanished_views]))
    for uuid in uuids:
        target = by_uuid_target.get(uuid)
        hint = None
        if target:
            hint = next((s.household_id for s in target.sightings if s.household_id), None)
        answered = target is not None and target.description is not None
        place = _membership(listed.get(uuid, []), vanished_views.get(uuid, []),
                            said.get(uuid) if answered else None, by_id, answered, hint)
        view, member, vanished = place.view, place.member, place.vanished
        for old in place.elsewhere:
            moved_out.setdefault(old.key, []).append(uuid)
        for old in place.remembered_by:
            remembered.setdefault(old.key, []).append(uuid)
            if not answered:  # listed under each, as a vanished product of none of them
                home.setdefault(uuid, []).append(old.key)
        via = set(target.via) if target else set()
        if member is not None and member.channel_map_of is None:
            via.add(Method.TOPOLOGY)
        errors: tuple[Problem, ...] = ()
        ip = port = None
        if target:
            ip, port = target.endpoint.host, target.endpoint.port
            if target.problem:
                errors = (target.problem,)
        elif member is not None and member.channel_map_of is not None:
            partner = view.topology.member(member.channel_map_of) if view and view.topology \
                else None
            named = (partner.zone_name if partner else None) or member.channel_map_of
            gone = f" (the household lists it as vanished: {vanished.reason})" if (
                vanished and vanished.reason) else ""
            errors = (Problem(ErrorKind.UNREACHABLE,
                              f"in no zone group: only the channel map of its partner in "
                              f"{named} names it, so it is probably off the network{gone}"),)
        elif member is not None:
            located = endpoint_from_location(member.location)
            ip, port = (located.host, located.port) if located else (None, None)
            if uuid in refused:
                errors = (Problem(ErrorKind.POLICY, f"not contacted: {refused[uuid].reason}"),)
            else:
                errors = (Problem(ErrorKind.NOT_ATTEMPTED, "not read"),)
        elif vanished is not None:
            ip = vanished.last_known_ip
            reason = vanished.reason or "unknown reason"
            seen = f", last seen {vanished.last_seen_utc}" if vanished.last_seen_utc else ""
            if place.remembered_by:
                names = " and ".join(quoted(v.household_id, 64) if v.household_id
                                     else "an unknown household" for v in place.remembered_by)
                errors = (Problem(ErrorKind.VANISHED,
                                  f"remembered by {names} as vanished, not answering "
                                  f"(latest sighting: {reason}{seen})"),)
            else:
                errors = (Problem(ErrorKind.VANISHED,
                                  f"the household lists it as vanished ({reason}{seen})"),)
        if view is None and not place.remembered_by and hint:
            view = by_id.get(hint)
        if view is None and not place.remembered_by:
            # the player a failed, id-less topology read was asked through
            view = next((v for v in views if v.topology is None and v.household_id is None
                         and v.source_uuid == uuid), None)
        if view is not None:
            home.setdefault(uuid, []).append(view.key)
        players.append(_player(
            uuid, description=target.description if target else None, member=member,
            vanished=vanished, view=view, target=target,
            household_hint=None if place.remembered_by else hint, via=via,
            errors=errors, ip=ip, port=port,
            deep=_deep(observations, status_of.get(uuid), target), status=status_of.get(uuid),
            other_copy=second_members.get(uuid),
        ))

    unidentified = tuple(
        Unidentified(t.endpoint.host, t.endpoint.port, t.via, (t.problem,) if t.problem else ())
        for t in observations.targets
        if _is_unidentified(t, listed)
    )
    households = _household_records(views, players, home, moved_out, remembered,
                                    observations.second_reads if observations.deep else None)
    scan = _scan_info(observations, households, players, unidentified)
    return Inventory(tool_version, scan, households, tuple(players), unidentified)


_NOT_A_PLAYER = frozenset({ErrorKind.NOT_SONOS, ErrorKind.REFUSED, ErrorKind.HTTP_STATUS,
                           ErrorKind.BAD_XML})


def _membership(listed: _Listed, remembered: _Remembered, said: str | None,
                by_id: Mapping[str, _HouseholdView], answered: bool, hint: str | None,
                ) -> _Membership:
    """Where a product belongs: what it says of itself outranks what others remember.

    - A product that named its household for itself (GetHouseholdID at its own address) is a
      current member of that household, whatever another player's copy lists.
    - Otherwise it belongs to the household whose topology lists it as a member (when two do,
      the one that does not also remember it as vanished, then the lower id: the same answer
      whatever order the players answered in).
    - A product only remembered as vanished that answers is not vanished: it belongs to the
      household its discovery reply names, else to no known household (never guessed). One
      that does not answer is a vanished member of the one household that remembers it; when
      several remember it, it belongs to none of them ("remembered by A and B").
    An SSDP header alone never moves a current member out of a household that lists it.
    """
    listing = list(dict.fromkeys(v for v, _ in listed))
    remembering = list(dict.fromkeys(v for v, _ in remembered))

    def others(view: _HouseholdView | None) -> tuple[_HouseholdView, ...]:
        return tuple(v for v in dict.fromkeys([*listing, *remembering]) if v is not view)

    if said is not None and said in by_id:
        view = by_id[said]
        member = next((m for v, m in listed if v is view), None)
        if member is None:
            member = next((m for _v, m in listed), None)
        return _Membership(view, member, None, others(view))
    if listed:
        gone = {v.key for v in remembering}
        view, member = min(listed, key=lambda vm: (vm[0].key in gone, vm[0].household_id or "",
                                                   vm[0].key))
        return _Membership(view, member, None, others(view))
    if remembered and answered:
        claimed = by_id.get(hint or "")
        if claimed is not None:
            return _Membership(claimed, None, None, others(claimed))
        return _Membership(None, None, None, (), tuple(remembering))
    if len(remembering) == 1:
        return _Membership(remembered[0][0], None, remembered[0][1])
    if remembered:
        latest = max((d for _v, d in remembered), key=lambda d: (d.last_seen_utc or "",
                                                                 d.reason or ""))
        return _Membership(None, None, latest, (), tuple(remembering))
    return _Membership(None, None, None)


def _kind(target: TargetObservation) -> ErrorKind | None:
    return target.problem.kind if target.problem else None


def _no_player_record(target: TargetObservation, member_view: Mapping[str, object]) -> bool:
    """It claimed another's UUID, or is no Sonos player at all (and no household lists it)."""
    kind = _kind(target)
    return kind is ErrorKind.DUPLICATE or (
        kind is ErrorKind.NOT_SONOS and target.uuid not in member_view)


def _is_unidentified(target: TargetObservation,
                     member_view: Mapping[str, object]) -> bool:
    """An address that never said which player it is, claimed another's UUID, or is no Sonos
    player at all (listed with kind `not-sonos`, which makes nothing incomplete).

    A --network probe hit that turns out not to be Sonos is not reported: the probe touches every
    device that listens on port 1400.
    """
    if target.description is not None:
        return False
    if target.uuid is not None and not _no_player_record(target, member_view):
        return False  # listed as a player record, unreachable, with its reason
    probe_only = set(target.via) == {Method.NETWORK}
    return not (probe_only and _kind(target) in _NOT_A_PLAYER)


def is_not_sonos(entry: Unidentified) -> bool:
    """An address that answered, but as something other than a Sonos player."""
    return bool(entry.errors) and all(e.kind is ErrorKind.NOT_SONOS for e in entry.errors)


def _compare(view: _HouseholdView, second_reads: tuple[HouseholdRead, ...] | None,
             players: list[Player]) -> tuple[str, ...] | None:
    """--deep: the second member's zone group state against the first one's."""
    if second_reads is None or view.topology is None:
        return None
    members = {m.uuid for m in view.topology.members}
    second = next((r for r in second_reads if r.topology is not None and (
        (view.household_id is not None and r.household_id == view.household_id)
        or r.source_uuid in members)), None)
    if second is None or second.topology is None:
        return None
    label = {p.uuid: f"{p.room or 'unnamed room'} ({p.uuid})" for p in players}
    rooms = {p.uuid: p.room or "an unnamed room" for p in players}
    first_name = f"the copy in {rooms.get(view.source_uuid or '', 'one member')}"
    second_name = f"the copy in {rooms.get(second.source_uuid or '', 'another member')}"
    return disagreement(view.topology, second.topology, first_name, second_name, label)


def _household_records(views: list[_HouseholdView], players: list[Player],
                       home: dict[str, list[str]], moved_out: dict[str, list[str]],
                       remembered: dict[str, list[str]],
                       second_reads: tuple[HouseholdRead, ...] | None = None,
                       ) -> tuple[Household, ...]:
    records = []
    for view in views:
        members = [p for p in players if view.key in home.get(p.uuid, ())]
        if not members and view.topology is None:
            continue  # a failed read that no player belongs to says nothing of its own
        records.append(Household(  # its tracks: analyze/classify.py
            household_id=view.household_id,
            tracks=(),
            players=tuple(p.uuid for p in members),
            topology_read=view.topology is not None,
            topology_problem=view.problem if view.topology is None else None,
            moved_out=tuple(dict.fromkeys(moved_out.get(view.key, ()))),
            remembered=tuple(dict.fromkeys(remembered.get(view.key, ()))),
            topology_disagreement=_compare(view, second_reads, players),
        ))
    assigned = {uuid for h in records for uuid in h.players}
    loose = [p for p in players if p.uuid not in assigned]
    if loose:  # players whose household we could not learn at all
        records.append(Household(None, (), tuple(p.uuid for p in loose), False,
                                 Problem(ErrorKind.TOPOLOGY_UNAVAILABLE,
                                         "household unknown: no topology could be read")))
    return tuple(records)


def _scan_info(
    observations: ScanObservations,
    households: tuple[Household, ...],
    players: list[Player],
    unidentified: tuple[Unidentified, ...],
) -> ScanInfo:
    reasons: list[str] = []
    unread = [p for p in players if not p.reachable and not p.vanished]
    if not players:
        reasons.append("no Sonos player was found")
    if unread:
        reasons.append(f"{len(unread)} current player(s) could not be read")
    for household in households:
        if not household.topology_read:
            reasons.append(
                "the topology of household "
                f"{quoted(household.household_id, 64) if household.household_id else '(unknown)'}"
                " could not be read, so it may have members that were not found"
            )
    silent = [u for u in unidentified if not is_not_sonos(u)]
    if silent:
        reasons.append(f"{len(silent)} address(es) did not answer as a Sonos player")
    if observations.budget_exhausted:
        reasons.append("the time budget ran out")
    if observations.interrupted:
        reasons.append("the scan was interrupted")
    return ScanInfo(
        started_at=observations.started_at,
        finished_at=observations.finished_at,
        complete=not reasons,
        methods=observations.methods,
        interfaces=observations.interfaces,
        incomplete_reasons=tuple(reasons),
    )

"""Turn what a scan observed into the inventory: pure, no I/O.

Every member of a household's topology is a player record, read or not; vanished devices are
listed as such; addresses that never said who they are become `unidentified` entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .analyze import connection as conn
from .analyze.deep import disagreement
from .analyze.products import capability
from .analyze.tracks import detect_role, detect_track
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
    ScanInfo,
    ScanObservations,
    StatusRead,
    TargetObservation,
    Topology,
    Track,
    Unidentified,
    VanishedDevice,
    ZoneMember,
)
from .netpolicy import endpoint_from_location

METHOD_ORDER = tuple(Method)


@dataclass(frozen=True)
class _HouseholdView:
    key: str
    household_id: str | None
    topology: Topology | None
    problem: Problem | None
    source_uuid: str | None = None  # the player a failed read was asked through


def _households(observations: ScanObservations) -> list[_HouseholdView]:
    """One view per household: its first successful topology read, else its last failure.

    A topology is the ground truth of membership: two reads whose members overlap are one
    household whatever ids the players claimed, and an id claimed only by players that a
    topology already placed does not make a household of its own.
    """
    views: dict[str, _HouseholdView] = {}
    member_home: dict[str, str] = {}
    for index, read in enumerate(observations.household_reads):
        key = _key_from_members(read, member_home) or read.household_id or f"household-{index + 1}"
        existing = views.get(key)
        if existing and existing.topology is not None:
            continue
        if read.topology is None and existing is not None:
            continue
        views[key] = _HouseholdView(key, read.household_id, read.topology, read.problem,
                                    read.source_uuid)
        if read.topology:
            for member in read.topology.members:
                member_home.setdefault(member.uuid, key)
    known_ids = {v.household_id for v in views.values()}
    for target in observations.targets:  # households known only from discovery hints
        if target.uuid in member_home:
            continue
        for sighting in target.sightings:
            if sighting.household_id and sighting.household_id not in known_ids:
                known_ids.add(sighting.household_id)
                views[sighting.household_id] = _HouseholdView(
                    sighting.household_id, sighting.household_id, None,
                    Problem(ErrorKind.TOPOLOGY_UNAVAILABLE,
                            "no player of this household answered GetZoneGroupState"),
                )
    return list(views.values())


def _key_from_members(read: HouseholdRead, member_home: dict[str, str]) -> str | None:
    if read.topology is None:
        return member_home.get(read.source_uuid or "")
    for member in read.topology.members:
        if member.uuid in member_home:
            return member_home[member.uuid]
    return None


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
    track, track_basis = detect_track(
        d.sw_gen if d else None, topology_sw_gen or None, software_version or None,
        d.display_version if d else None,
    )
    min_compatible = (d and d.min_compatible_version) or (member and member.min_compatible_version)
    network = member or other_copy  # another member's copy, where only that one lists it
    connection, connection_basis = conn.classify(
        network, conn.ssdp_wifi_mode(target.sightings) if target else None)
    boot_seq = network.boot_seq if network else None
    if boot_seq is None and target:
        boot_seq = next((int(v) for s in target.sightings for k, v in s.raw
                         if k.upper() == "X-RINCON-BOOTSEQ" and v.isdigit() and len(v) < 10),
                        None)
    cap = capability(
        model_number or None, d.memory_mb if d else None, d.hardware_version if d else None,
        min_compatible or None, runs_s2=track is Track.S2,
        runs_s1=track is Track.S1,
    )
    return Player(
        uuid=uuid,
        ip=ip,
        port=port,
        room=(d and d.room) or (member and member.zone_name) or (vanished and vanished.zone_name)
        or None,
        model_name=(d and d.model_name) or cap.product,
        model_number=model_number or None,
        serial=(d.serial if d else None) or (page.serial if page else None),
        mac=(d.mac if d else None) or (page.mac if page else None),
        software_version=software_version or None,
        display_version=d.display_version if d else None,
        hardware_version=d.hardware_version if d else None,
        sw_gen=(d.sw_gen if d else None) or topology_sw_gen or None,
        track=track,
        track_basis=track_basis,
        s2_capable=cap.s2_capable,
        s2_capable_basis=cap.basis,
        min_compatible_version=min_compatible or None,
        legacy_compatible_version=(d and d.legacy_compatible_version)
        or (member and member.legacy_compatible_version) or None,
        memory_mb=d.memory_mb if d else None,
        household_id=(view.household_id if view else None) or household_hint,
        role=detect_role(member, view.topology if view else None, model_number or None),
        reachable=d is not None,
        vanished=vanished is not None and member is None,
        discovered_via=_ordered(via),
        errors=errors,
        series_id=(d.series_id if d else None) or (page.series_id if page else None),
        connection=connection,
        connection_basis=connection_basis,
        behind_wifi_extender=conn.behind_extender(network),
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
                    page.connection_type, page.extra_info)


_Remembered = list[tuple[_HouseholdView, VanishedDevice]]


def _index_topologies(views: list[_HouseholdView]) -> tuple[
    dict[str, tuple[_HouseholdView, ZoneMember]], dict[str, _Remembered]
]:
    """Current members (the first household whose topology lists a player owns it) and every
    household's vanished entries (a product can be remembered by several)."""
    members: dict[str, tuple[_HouseholdView, ZoneMember]] = {}
    vanished: dict[str, list[tuple[_HouseholdView, VanishedDevice]]] = {}
    for view in views:
        if view.topology:
            for member in view.topology.members:
                members.setdefault(member.uuid, (view, member))
            for device in view.topology.vanished:
                vanished.setdefault(device.uuid, []).append((view, device))
    return members, vanished


def build_inventory(observations: ScanObservations, tool_version: str) -> Inventory:
    views = _households(observations)
    member_view, vanished_views = _index_topologies(views)
    by_uuid_target: dict[str, TargetObservation] = {}
    for observed in observations.targets:
        uuid = observed.uuid
        if uuid is None or _no_player_record(observed, member_view):
            continue
        if uuid not in by_uuid_target or observed.description is not None:
            by_uuid_target[uuid] = observed
    refused = {r.uuid: r for r in observations.refused}
    status_of = {r.uuid: r for r in observations.status_reads if r.uuid}
    second_members = {m.uuid: m for r in observations.second_reads if r.topology
                      for m in r.topology.members}

    players: list[Player] = []
    home: dict[str, str] = {}  # uuid -> the key of the household it belongs to
    moved_out: dict[str, list[str]] = {}  # household key -> products it remembers, now elsewhere
    uuids = list(dict.fromkeys([*member_view, *by_uuid_target, *vanished_views]))
    for uuid in uuids:
        target = by_uuid_target.get(uuid)
        view: _HouseholdView | None
        member: ZoneMember | None
        view, member = member_view.get(uuid, (None, None))
        hint = None
        if target:
            hint = next((s.household_id for s in target.sightings if s.household_id), None)
        view, vanished, elsewhere = _membership(
            view, member, vanished_views.get(uuid, []),
            answered_for=hint if target is not None and target.description is not None else None)
        for old in elsewhere:
            moved_out.setdefault(old.key, []).append(uuid)
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
            errors = (Problem(ErrorKind.VANISHED,
                              f"the household lists it as vanished ({reason}{seen})"),)
        if view is None and hint:
            view = next((v for v in views if v.household_id == hint), None)
        if view is None:  # the player a failed, id-less topology read was asked through
            view = next((v for v in views if v.topology is None and v.household_id is None
                         and v.source_uuid == uuid), None)
        if view is not None:
            home[uuid] = view.key
        players.append(_player(
            uuid, description=target.description if target else None, member=member,
            vanished=vanished, view=view, target=target, household_hint=hint, via=via,
            errors=errors, ip=ip, port=port,
            deep=_deep(observations, status_of.get(uuid), target), status=status_of.get(uuid),
            other_copy=second_members.get(uuid),
        ))

    unidentified = tuple(
        Unidentified(t.endpoint.host, t.endpoint.port, t.via, (t.problem,) if t.problem else ())
        for t in observations.targets
        if _is_unidentified(t, member_view)
    )
    households = _household_records(views, players, home, moved_out,
                                    observations.second_reads if observations.deep else None)
    scan = _scan_info(observations, households, players, unidentified)
    return Inventory(tool_version, scan, households, tuple(players), unidentified)


_NOT_A_PLAYER = frozenset({ErrorKind.NOT_SONOS, ErrorKind.REFUSED, ErrorKind.HTTP_STATUS,
                           ErrorKind.BAD_XML})


def _membership(view: _HouseholdView | None, member: ZoneMember | None,
                remembered: _Remembered, answered_for: str | None,
                ) -> tuple[_HouseholdView | None, VanishedDevice | None, list[_HouseholdView]]:
    """Where a product belongs, its own vanished entry there, and the other households that
    remember it as vanished although it is now elsewhere.

    A current member belongs to the household whose topology lists it; so does a product that
    answered with another household's id than every household remembering it. Otherwise a
    remembered product is a vanished member of the first household that lists it."""
    if member is not None:
        return (view, next((d for v, d in remembered if v is view), None),
                [v for v, _ in remembered if v is not view])
    if remembered and answered_for and all(
            v.household_id not in (None, answered_for) for v, _ in remembered):
        return view, None, [v for v, _ in remembered]
    if remembered:
        first, device = remembered[0]
        return first, device, [v for v, _ in remembered[1:]]
    return view, None, []


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


def _household_records(views: list[_HouseholdView], players: list[Player], home: dict[str, str],
                       moved_out: dict[str, list[str]],
                       second_reads: tuple[HouseholdRead, ...] | None = None,
                       ) -> tuple[Household, ...]:
    records = []
    for view in views:
        members = [p for p in players if home.get(p.uuid) == view.key]
        if not members and view.topology is None:
            continue  # a failed read that no player belongs to says nothing of its own
        tracks = sorted(
            {p.track for p in members if not p.vanished and p.track is not Track.UNKNOWN},
            key=lambda t: t.value,
        )
        records.append(Household(
            household_id=view.household_id,
            tracks=tuple(tracks),
            players=tuple(p.uuid for p in members),
            topology_read=view.topology is not None,
            topology_problem=view.problem if view.topology is None else None,
            moved_out=tuple(dict.fromkeys(moved_out.get(view.key, ()))),
            topology_disagreement=_compare(view, second_reads, players),
        ))
    assigned = {uuid for h in records for uuid in h.players}
    loose = [p for p in players if p.uuid not in assigned]
    if loose:  # players whose household we could not learn at all
        tracks = sorted({p.track for p in loose if p.track is not Track.UNKNOWN},
                        key=lambda t: t.value)
        records.append(Household(None, tuple(tracks), tuple(p.uuid for p in loose), False,
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
                f"the topology of household {household.household_id or '(unknown)'} could not be "
                "read, so it may have members that were not found"
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

"""The scan's decisions, with no threads, no sockets and no clock: events in, actions out.

Which address to read, when to read a household's topology and through which player, when to
ask another member after a failure, which topology members may be contacted, when the caps stop
the scan from growing, and what a duplicate UUID means. `scan.Scan` feeds it what discovery saw
and what each read returned, and carries out the actions it returns (on its pool, under its
deadline). Everything here is unit-tested directly (tests/unit/test_planner.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import bounds
from .collect.read import DescriptionResult
from .model import (
    Endpoint,
    ErrorKind,
    HouseholdIdRead,
    HouseholdRead,
    Method,
    Probe,
    Problem,
    RefusedMember,
    Sighting,
    StatusRead,
    TargetObservation,
    Topology,
    parse_channel_map,
)
from .netpolicy import IPNetwork, Origin, check, endpoint_from_location


@dataclass(frozen=True)
class ReadDescription:
    """Action: read the device description at `endpoint`."""

    endpoint: Endpoint


@dataclass(frozen=True)
class ReadHousehold:
    """Action: read a household's topology through `endpoint` (and its id when not known)."""

    endpoint: Endpoint
    household_id: str | None
    source_uuid: str | None


@dataclass(frozen=True)
class ReadStatus:
    """Action (--deep): read the player's own status page, GET /status/zp."""

    endpoint: Endpoint
    uuid: str


@dataclass(frozen=True)
class ReadSecondTopology:
    """Action (--deep): read a household's topology again through a second member, to compare."""

    endpoint: Endpoint
    uuid: str
    household_id: str | None


@dataclass(frozen=True)
class ReadHouseholdId:
    """Action: ask a product at its own address which household it belongs to (GetHouseholdID),
    because its membership is in doubt."""

    endpoint: Endpoint
    uuid: str


Action = ReadDescription | ReadHousehold | ReadStatus | ReadSecondTopology | ReadHouseholdId


@dataclass
class Target:
    """What is known of one address so far (mutable: the planner's own bookkeeping)."""

    endpoint: Endpoint
    via: list[Method] = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)
    expected_uuid: str | None = None
    result: DescriptionResult | None = None
    problem: Problem | None = None

    def add(self, method: Method, sighting: Sighting | None = None) -> None:
        if method not in self.via:
            self.via.append(method)
        if sighting is not None and len(self.sightings) < bounds.MAX_SIGHTINGS_PER_TARGET:
            self.sightings.append(sighting)
        if sighting is not None and sighting.uuid and not self.expected_uuid:
            self.expected_uuid = sighting.uuid

    @property
    def household_hint(self) -> str | None:
        return next((s.household_id for s in self.sightings if s.household_id), None)

    @property
    def uuid(self) -> str | None:
        if self.result and self.result.description:
            return self.result.description.uuid
        return self.expected_uuid

    def observation(self) -> TargetObservation:
        result, problem = self.result, self.problem
        if result is None and problem is None:
            problem = Problem(ErrorKind.TIMEOUT, "no answer within the scan's time budget")
        description = result.description if result and not self.problem else None
        return TargetObservation(
            endpoint=self.endpoint, via=tuple(self.via), sightings=tuple(self.sightings),
            expected_uuid=self.expected_uuid, description=description,
            problem=problem if description is None else None,
            raw_description=result.raw if result else None,
            elapsed_s=result.elapsed_s if result else None,
        )


class Planner:
    """The decisions of one scan. Call the event methods; carry out the actions they return."""

    def __init__(self, local_networks: tuple[IPNetwork, ...], *, deep: bool = False,
                 browsed: tuple[IPNetwork, ...] = ()) -> None:
        self.local_networks = local_networks
        self.browsed = browsed  # the subnets of the interfaces mDNS browses
        self.deep = deep
        self.status: list[StatusRead] = []
        self.second: list[HouseholdRead] = []
        self._first_topologies: dict[str, tuple[Endpoint, Topology]] = {}
        self._second_started: set[str] = set()
        self.targets: dict[Endpoint, Target] = {}
        self.reads: list[HouseholdRead] = []
        self.refused: list[RefusedMember] = []
        self.notes: list[str] = []
        self.probes: list[Probe] = []
        self._uuid_endpoint: dict[str, Endpoint] = {}
        self._household_tries: dict[str, list[Endpoint]] = {}
        self._household_done: set[str] = set()
        self._covered: set[str] = set()
        self._reads_in_flight = 0
        self._deferred: list[Endpoint] = []
        self._counts = {True: 0, False: 0}  # targets from the topology / from discovery
        self.id_reads: list[HouseholdIdRead] = []
        self._id_asked: set[str] = set()
        self._listed: dict[str, set[str]] = {}  # uuid -> households whose topology lists it
        self._remembered: set[str] = set()  # uuids some topology lists as vanished
        self._confirm: dict[str, str] = {}  # household -> the parent that is to confirm it
        self._cap_noted = {True: False, False: False}

    # ---- events ----

    def sighting(self, sighting: Sighting) -> list[Action]:
        """Discovery saw a device."""
        origin = Origin.USER if sighting.method in (Method.HOST, Method.NETWORK) else (
            Origin.ANNOUNCED if sighting.method is Method.MDNS else Origin.RESPONDER)
        decision = check(sighting.endpoint, origin, local_networks=self.local_networks,
                         browsed=self.browsed)
        if not decision.allowed:
            note = f"{sighting.method}: not contacting {sighting.endpoint}: {decision.reason}"
            if origin is Origin.ANNOUNCED:
                note += (". If it is a Sonos player behind an mDNS proxy on another subnet, read "
                         f"it with: sonos-inventory scan --host {sighting.endpoint.host}")
            self.notes.append(note)
            return []
        actions: list[Action] = []
        target = self._ensure_target(sighting.endpoint, sighting.method, actions, sighting)
        if target is not None and sighting.household_id and target.uuid not in self._covered:
            self._maybe_read_household(sighting.household_id, sighting.endpoint, actions)
        if target is not None and target.uuid and sighting.household_id:
            self._check_doubt(target.uuid, actions)  # its header may disagree with a topology
            self._check_coverage(sighting.endpoint, actions)
        return actions

    def note(self, text: str) -> None:
        self.notes.append(text)

    def description_read(self, endpoint: Endpoint, result: DescriptionResult | BaseException
                         ) -> list[Action]:
        """A description read finished (or the read itself failed with an exception)."""
        target = self.targets[endpoint]
        if not isinstance(result, DescriptionResult):
            target.problem = Problem(ErrorKind.INTERNAL, f"read failed: {result!r}")
            return []
        target.result = result
        self.probes.append(Probe(endpoint, "device description", result.elapsed_s,
                                 result.problem))
        actions: list[Action] = []
        description = result.description
        if description is None:
            target.problem = result.problem
            if target.household_hint:  # its household may still be read through another player
                self._retry_household(target.household_hint, actions)
            return actions
        owner = self._uuid_endpoint.setdefault(description.uuid, endpoint)
        if owner != endpoint and self._described(owner):
            target.problem = Problem(
                ErrorKind.DUPLICATE,
                f"claims {description.uuid}, which {owner} already answered for",
            )
            return actions
        self._uuid_endpoint[description.uuid] = endpoint
        if self.deep:
            actions.append(ReadStatus(endpoint, description.uuid))
            self._maybe_second_reads(actions)
        self._consider_topology(endpoint, actions)
        self._check_doubt(description.uuid, actions)
        self._check_coverage(endpoint, actions)
        for household, parent in list(self._confirm.items()):
            if parent == description.uuid:
                self._start_confirmation(household, parent, actions)
        return actions

    def household_read(self, endpoint: Endpoint, read: HouseholdRead | BaseException,
                       probes: tuple[Probe, ...] = ()) -> list[Action]:
        """A topology read finished (or the read itself failed with an exception)."""
        self._reads_in_flight -= 1
        if not isinstance(read, HouseholdRead):
            read = HouseholdRead(endpoint, None, None, None,
                                 Problem(ErrorKind.INTERNAL, f"{read!r}"))
        self.probes.extend(probes)
        self.reads.append(read)
        actions: list[Action] = []
        household = read.household_id
        if read.topology is None:
            if household:
                self._retry_household(household, actions)
        else:
            if household:
                self._household_done.add(household)
            if self.deep:
                self._first_topologies.setdefault(household or f"@{endpoint}",
                                                  (endpoint, read.topology))
            self._expand(endpoint, read, actions)
            if read.id_asked and read.source_uuid:
                self._id_asked.add(read.source_uuid)  # it has said where it belongs
            self._note_listings(read, actions)
            if household:
                self._maybe_confirm(household, read, actions)
                for other in list(self.targets):
                    self._check_coverage(other, actions)
            if self.deep:
                self._maybe_second_reads(actions)
        deferred, self._deferred = self._deferred, []
        for waiting in deferred:
            self._consider_topology(waiting, actions)
        return actions

    def household_id_read(self, endpoint: Endpoint, outcome: HouseholdIdRead | BaseException
                          ) -> list[Action]:
        """A product said which household it belongs to (or could not)."""
        if not isinstance(outcome, HouseholdIdRead):
            self.notes.append(f"GetHouseholdID failed: {outcome!r}")
            return []
        self.id_reads.append(outcome)
        self.probes.append(Probe(endpoint, "GetHouseholdID", outcome.elapsed_s, outcome.problem))
        actions: list[Action] = []
        household = outcome.household_id
        if household and household not in self._household_done and not (
                self._household_tries.get(household)):
            # a member listed by one household that names another: read that one too
            self._start_household_read(household, endpoint, actions)
        return actions

    def status_read(self, endpoint: Endpoint, outcome: StatusRead | BaseException) -> None:
        """--deep: a status page read finished."""
        if isinstance(outcome, StatusRead):
            self.status.append(outcome)
            self.probes.append(Probe(outcome.endpoint, "status page", outcome.elapsed_s,
                                     outcome.problem))
        else:
            self.notes.append(f"--deep read failed: {outcome!r}")

    def second_read(self, endpoint: Endpoint, outcome: HouseholdRead | BaseException) -> None:
        """--deep: a second member's topology read finished."""
        if isinstance(outcome, HouseholdRead):
            self.second.append(outcome)
        else:
            self.notes.append(f"--deep read failed: {outcome!r}")

    # ---- decisions ----

    def _maybe_second_reads(self, actions: list[Action]) -> None:
        """--deep: ask one more member of each household for its zone group state, to compare.
        The member must have answered its own description; satellites are skipped (they can
        hold a stale copy, docs/sonos-facts.md §2). One such read per household at most."""
        for key, (source, topology) in self._first_topologies.items():
            if key in self._second_started:
                continue
            for member in topology.members:
                endpoint = self._uuid_endpoint.get(member.uuid)
                if endpoint is None or endpoint == source or member.satellite_of is not None or (
                        member.channel_map_of is not None) or not self._described(endpoint):
                    continue
                self._second_started.add(key)
                household_id = None if key.startswith("@") else key
                actions.append(ReadSecondTopology(endpoint, member.uuid, household_id))
                break

    def _note_listings(self, read: HouseholdRead, actions: list[Action]) -> None:
        assert read.topology is not None
        for member in read.topology.members:
            if read.household_id:
                self._listed.setdefault(member.uuid, set()).add(read.household_id)
        self._remembered.update(d.uuid for d in read.topology.vanished)
        for uuid in dict.fromkeys([*(m.uuid for m in read.topology.members),
                                   *(d.uuid for d in read.topology.vanished)]):
            self._check_doubt(uuid, actions)

    def _check_doubt(self, uuid: str, actions: list[Action]) -> None:
        """Ask a product where it belongs when, and only when, its membership is in doubt:
        some household remembers it as vanished, two households list it, or its SSDP
        household header disagrees with the household that lists it. Never decided by a
        discovery header or an mDNS record alone."""
        if uuid in self._id_asked:
            return
        endpoint = self._uuid_endpoint.get(uuid)
        if endpoint is None or not self._described(endpoint):
            return
        listed = self._listed.get(uuid, set())
        hint = self.targets[endpoint].household_hint
        if (uuid in self._remembered or len(listed) > 1
                or (hint is not None and listed and hint not in listed)):
            self._id_asked.add(uuid)
            actions.append(ReadHouseholdId(endpoint, uuid))

    def _check_coverage(self, endpoint: Endpoint, actions: list[Action]) -> None:
        """A product that answered for household H while the copy of H's zone group state we
        read neither lists nor remembers it: that copy is not the whole story (each product
        keeps its own), so read H's copy through this product too (within H's attempts)."""
        target = self.targets[endpoint]
        household = target.household_hint
        uuid = target.uuid
        if (household is None or uuid is None or household not in self._household_done
                or not self._described(endpoint) or uuid in self._remembered
                or household in self._listed.get(uuid, set())):
            return
        tried = self._household_tries.setdefault(household, [])
        if endpoint in tried or len(tried) >= bounds.MAX_HOUSEHOLD_READ_ATTEMPTS:
            return
        self._start_household_read(household, endpoint, actions)

    def _maybe_confirm(self, household: str, read: HouseholdRead, actions: list[Action]) -> None:
        """A copy read through a satellite or subwoofer may be stale: confirm it through the
        parent it names (within the household's read attempts)."""
        assert read.topology is not None
        source = read.topology.member(read.source_uuid or "")
        if source is None:
            return
        parent = source.satellite_of
        if parent is None and "SW" in parse_channel_map(source.channel_map_set).get(
                source.uuid, ()):
            parent = source.coordinator
        if parent is None or parent == source.uuid or household in self._confirm:
            return
        self._confirm[household] = parent
        self._start_confirmation(household, parent, actions)

    def _start_confirmation(self, household: str, parent: str, actions: list[Action]) -> None:
        endpoint = self._uuid_endpoint.get(parent)
        tried = self._household_tries.setdefault(household, [])
        if (endpoint is None or not self._described(endpoint) or endpoint in tried
                or len(tried) >= bounds.MAX_HOUSEHOLD_READ_ATTEMPTS):
            return
        self._start_household_read(household, endpoint, actions)

    def _ensure_target(self, endpoint: Endpoint, method: Method, actions: list[Action],
                       sighting: Sighting | None = None, expected_uuid: str | None = None,
                       ) -> Target | None:
        target = self.targets.get(endpoint)
        if target is None:
            from_topology = method is Method.TOPOLOGY
            if self._counts[from_topology] >= bounds.MAX_PLAYERS:
                if not self._cap_noted[from_topology]:
                    what = "topology members" if from_topology else "discovered devices"
                    self.notes.append(f"more than {bounds.MAX_PLAYERS} {what}: the rest were "
                                      "not read")
                    self._cap_noted[from_topology] = True
                return None
            self._counts[from_topology] += 1
            target = self.targets[endpoint] = Target(endpoint, expected_uuid=expected_uuid)
            actions.append(ReadDescription(endpoint))
        target.add(method, sighting)
        if target.uuid and target.uuid not in self._uuid_endpoint:
            self._uuid_endpoint[target.uuid] = endpoint
        return target

    def _described(self, endpoint: Endpoint) -> bool:
        target = self.targets.get(endpoint)
        return bool(target and target.result and target.result.description)

    def _consider_topology(self, endpoint: Endpoint, actions: list[Action]) -> None:
        target = self.targets[endpoint]
        if target.uuid in self._covered:
            return
        household = target.household_hint
        if household:
            self._maybe_read_household(household, endpoint, actions)
        elif self._reads_in_flight:
            self._deferred.append(endpoint)  # a read under way may cover it
        else:
            self._start_household_read(None, endpoint, actions)

    def _maybe_read_household(self, household: str, endpoint: Endpoint,
                              actions: list[Action]) -> None:
        if household in self._household_done:
            return
        tried = self._household_tries.setdefault(household, [])
        if not tried:
            self._start_household_read(household, endpoint, actions)
        elif self._described(endpoint):
            self._retry_household(household, actions)  # one that answers: ask it if needed

    def _retry_household(self, household: str, actions: list[Action]) -> None:
        """Ask the next member that has described itself, after a read that gave nothing.

        Any failure counts (no answer, 403 with UPnP off, 5xx, garbage): one player that cannot
        answer must not leave its household unread. Only players that answered their own
        description are asked again, so a retry is not spent on another silent one; a player
        that answers later triggers the retry then (see _maybe_read_household)."""
        tried = self._household_tries.get(household, [])
        if household in self._household_done or len(tried) >= bounds.MAX_HOUSEHOLD_READ_ATTEMPTS:
            return
        if len(tried) > len([r for r in self.reads if r.household_id == household]):
            return  # one is still under way
        for endpoint, target in self.targets.items():
            if (endpoint not in tried and target.household_hint == household
                    and self._described(endpoint)):
                self._start_household_read(household, endpoint, actions)
                return

    def _start_household_read(self, household: str | None, endpoint: Endpoint,
                              actions: list[Action]) -> None:
        if household:
            self._household_tries.setdefault(household, []).append(endpoint)
        self._reads_in_flight += 1
        actions.append(ReadHousehold(endpoint, household, self.targets[endpoint].uuid))

    def _expand(self, reporter: Endpoint, read: HouseholdRead, actions: list[Action]) -> None:
        """Add every current member of a topology that we have not met yet."""
        assert read.topology is not None
        if read.topology.truncated:
            self.notes.append(
                f"the zone group state from {reporter} lists more than "
                f"{bounds.MAX_TOPOLOGY_MEMBERS} members; only the first were taken")
        for member in read.topology.members:
            self._covered.add(member.uuid)
            known = self._uuid_endpoint.get(member.uuid)
            if known is not None:
                self.targets[known].add(Method.TOPOLOGY)
                continue
            if member.channel_map_of is not None:
                continue  # in no zone group, so no address: listed, never contacted
            endpoint = endpoint_from_location(member.location)
            if endpoint is None:
                self.refused.append(RefusedMember(
                    member.uuid, member.location,
                    "its Location is not an http URL with an IP address",
                ))
                continue
            decision = check(endpoint, Origin.TOPOLOGY, reporter=reporter,
                             local_networks=self.local_networks)
            if not decision.allowed:
                self.refused.append(RefusedMember(member.uuid, endpoint.host, decision.reason))
                continue
            self._ensure_target(endpoint, Method.TOPOLOGY, actions, expected_uuid=member.uuid)

    # ---- results ----

    def counts(self) -> tuple[int, int, int]:
        """(found, read, households read) for progress displays."""
        read = sum(1 for t in self.targets.values() if t.result is not None)
        households = len({r.household_id for r in self.reads if r.topology is not None})
        return len(self.targets), read, households

    def observed_targets(self) -> tuple[TargetObservation, ...]:
        return tuple(t.observation() for t in self.targets.values())

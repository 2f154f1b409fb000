"""The scan: the imperative shell that runs discovery and collection and records what happened.

Discovery sources run in their own threads and report Sightings; reads run on a bounded pool. Both
post events to one queue and only the main loop below touches the scan's state, so there are no
locks around decisions. A player is read as soon as it is found (collection overlaps discovery);
each household's topology is read once, through one of its players, and adds its other members.
The result is a frozen ScanObservations; turning it into an inventory is pure (inventory.py).
"""

from __future__ import annotations

import ipaddress
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Protocol

from . import bounds
from .collect.read import (
    DescriptionResult,
    TopologyResult,
    read_description,
    read_household_id,
    read_status,
    read_topology,
)
from .collect.transport import HttpTransport, Transport
from .discovery import mdns, probe, ssdp
from .discovery.interfaces import default_discovery_interfaces, list_interfaces
from .model import (
    Endpoint,
    ErrorKind,
    HouseholdRead,
    Method,
    Probe,
    Problem,
    RefusedMember,
    ScanObservations,
    Sighting,
    StatusRead,
    TargetObservation,
    Topology,
)
from .netpolicy import IPNetwork, Origin, check, endpoint_from_location


class DiscoverySource(Protocol):
    """The seam for "discover": report sightings until done or stopped."""

    @property
    def method(self) -> Method: ...

    def run(
        self,
        on_sighting: Callable[[Sighting], None],
        stop: threading.Event,
        on_problem: Callable[[str], None],
    ) -> None: ...


@dataclass(frozen=True)
class SsdpSource:
    interfaces: tuple[str, ...]
    window_s: float = bounds.SSDP_WINDOW_S
    method: Method = Method.SSDP
    ttl: int = bounds.SSDP_DEFAULT_TTL
    broadcast: bool | None = None  # None: on every interface but loopback (discovery/ssdp.py)

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        ssdp.search(self.interfaces, on_sighting, window_s=self.window_s, mx=bounds.SSDP_MX_S,
                    sends=bounds.SSDP_RESENDS, stop=stop, on_problem=on_problem, ttl=self.ttl,
                    broadcast=self.broadcast)


@dataclass(frozen=True)
class MdnsSource:
    interfaces: tuple[str, ...]
    window_s: float = bounds.MDNS_WINDOW_S
    method: Method = Method.MDNS

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        mdns.browse(self.interfaces, on_sighting, window_s=self.window_s, stop=stop,
                    on_problem=on_problem)


@dataclass(frozen=True)
class ProbeSource:
    networks: tuple[ipaddress.IPv4Network, ...]
    method: Method = Method.NETWORK

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        probe.probe(self.networks, on_sighting, stop=stop)


@dataclass(frozen=True)
class HostSource:
    sightings: tuple[Sighting, ...]
    method: Method = Method.HOST

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        for sighting in self.sightings:
            on_sighting(sighting)


@dataclass(frozen=True)
class ScanOptions:
    interface_addrs: tuple[str, ...] = ()
    hosts: tuple[Sighting, ...] = ()
    networks: tuple[ipaddress.IPv4Network, ...] = ()
    use_ssdp: bool = True
    use_mdns: bool = True
    budget_s: float = bounds.DEFAULT_SCAN_BUDGET_S
    ssdp_window_s: float = bounds.SSDP_WINDOW_S
    mdns_window_s: float = bounds.MDNS_WINDOW_S
    max_workers: int = bounds.MAX_WORKERS
    deep: bool = False  # also GET /status/zp per player and a second member's zone group state
    ttl: int = bounds.SSDP_DEFAULT_TTL  # multicast TTL of the M-SEARCH (--ttl)


@dataclass(frozen=True)
class Progress:
    found: int
    read: int
    households: int


@dataclass
class _Target:
    endpoint: Endpoint
    via: list[Method] = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)
    expected_uuid: str | None = None
    result: DescriptionResult | None = None
    problem: Problem | None = None

    def add(self, method: Method, sighting: Sighting | None = None) -> None:
        if method not in self.via:
            self.via.append(method)
        if sighting is not None and len(self.sightings) < 8:
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


@dataclass(frozen=True)
class _HouseholdOutcome:
    probes: tuple[Probe, ...]
    read: HouseholdRead


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_sources(options: ScanOptions, interfaces: tuple[str, ...]) -> list[DiscoverySource]:
    sources: list[DiscoverySource] = []
    if options.hosts:
        sources.append(HostSource(options.hosts))
    if options.use_ssdp and interfaces:
        sources.append(SsdpSource(interfaces, options.ssdp_window_s, ttl=options.ttl))
    if options.use_mdns and interfaces:
        sources.append(MdnsSource(interfaces, options.mdns_window_s))
    if options.networks:
        sources.append(ProbeSource(options.networks))
    return sources


class Scan:
    """One scan. Create, call run() once, get ScanObservations."""

    def __init__(
        self,
        options: ScanOptions,
        *,
        transport: Transport | None = None,
        sources: list[DiscoverySource] | None = None,
        local_networks: tuple[IPNetwork, ...] | None = None,
        interfaces: tuple[str, ...] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_log: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options
        self.transport = transport or HttpTransport()
        all_interfaces = list_interfaces() if local_networks is None or interfaces is None else ()
        if interfaces is None:
            interfaces = options.interface_addrs or tuple(
                i.address for i in default_discovery_interfaces(all_interfaces)
            )
        self.interfaces = interfaces
        self.local_networks = (
            local_networks if local_networks is not None
            else tuple(i.network for i in all_interfaces)
        )
        self.sources = sources if sources is not None else build_sources(options, interfaces)
        self.on_progress = on_progress or (lambda _p: None)
        self.log = on_log or (lambda _m: None)
        self._events: queue.Queue[tuple[str, object, object]] = queue.Queue()
        self._stop = threading.Event()
        self._targets: dict[Endpoint, _Target] = {}
        self._uuid_endpoint: dict[str, Endpoint] = {}
        self._pending = 0
        self._reads: list[HouseholdRead] = []
        self._household_tries: dict[str, list[Endpoint]] = {}
        self._household_done: set[str] = set()
        self._covered: set[str] = set()
        self._reads_in_flight = 0
        self._deferred: list[Endpoint] = []
        self._refused: list[RefusedMember] = []
        self._notes: list[str] = []
        self._counts = {True: 0, False: 0}  # targets from topology / from discovery
        self._probes: list[Probe] = []
        self._cap_noted = {True: False, False: False}
        self._status: list[StatusRead] = []
        self._second: list[HouseholdRead] = []
        self._first_topologies: dict[str, tuple[Endpoint, Topology]] = {}
        self._second_started: set[str] = set()

    # ---- running ----

    def run(self) -> ScanObservations:
        started_at = utc_now()
        self.deadline = time.monotonic() + self.options.budget_s
        if not self.sources:
            self._notes.append("no discovery method was enabled and no --host or --network given")
        pool = ThreadPoolExecutor(max_workers=self.options.max_workers,
                                  thread_name_prefix="read")
        self._pool = pool
        threads = [
            threading.Thread(target=self._run_source, args=(s,), daemon=True,
                             name=f"discover-{s.method}")
            for s in self.sources
        ]
        sources_running = len(threads)
        started = time.monotonic()
        timings: dict[str, float] = {}
        for thread in threads:
            thread.start()
        budget_exhausted = interrupted = False
        try:
            while sources_running or self._pending:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    budget_exhausted = True
                    break
                try:
                    kind, a, b = self._events.get(timeout=min(remaining, 0.25))
                except queue.Empty:
                    continue
                if kind == "done":
                    sources_running -= 1
                    if not sources_running:
                        timings["discovery_done"] = time.monotonic() - started
                else:
                    self._handle(kind, a, b)
                self.on_progress(self._progress())
        except KeyboardInterrupt:
            interrupted = True  # keep what was found; the caller decides what to write
            self._notes.append("the scan was interrupted (Ctrl-C); the result is partial")
            self.transport.abort()  # blocked reads return now, so the process exits promptly
        finally:
            self._stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
        if budget_exhausted:
            self._notes.append(
                f"the scan's time budget ({self.options.budget_s:g} s) ran out before every read "
                "finished; raise it with --timeout"
            )
        timings["done"] = time.monotonic() - started
        return replace(self._observations(started_at, budget_exhausted), interrupted=interrupted,
                       timings=tuple(timings.items()))

    def _run_source(self, source: DiscoverySource) -> None:
        try:
            source.run(lambda s: self._events.put(("sighting", s, None)), self._stop,
                       lambda msg: self._events.put(("note", msg, None)))
        except Exception as exc:  # a broken source must not lose the others' results
            self._events.put(("note", f"{source.method}: discovery failed: {exc!r}", None))
        finally:
            self._events.put(("done", source.method, None))

    def _submit(self, kind: str, endpoint: Endpoint, work: Callable[[], object]) -> None:
        self._pending += 1
        future: Future[object] = self._pool.submit(work)
        future.add_done_callback(lambda f: self._events.put((kind, endpoint, f)))

    def _handle(self, kind: str, a: object, b: object) -> None:
        if kind == "sighting":
            assert isinstance(a, Sighting)
            self._on_sighting(a)
        elif kind == "note":
            self._notes.append(str(a))
            self.log(str(a))
        elif kind in ("status", "second"):
            self._pending -= 1
            assert isinstance(b, Future)
            try:
                outcome = b.result()
            except Exception as exc:  # a bug in a read: keep the scan, record it
                outcome = exc
            if kind == "status" and isinstance(outcome, StatusRead):
                self._status.append(outcome)
                self._probes.append(Probe(outcome.endpoint, "status page", outcome.elapsed_s,
                                          outcome.problem))
            elif kind == "second" and isinstance(outcome, HouseholdRead):
                self._second.append(outcome)
            else:
                self._notes.append(f"--deep read failed: {outcome!r}")
        elif kind in ("description", "household"):
            self._pending -= 1
            assert isinstance(a, Endpoint) and isinstance(b, Future)
            try:
                result = b.result()
            except Exception as exc:  # a bug in a read: keep the scan, record it
                result = exc
            if kind == "description":
                self._on_description(a, result)
            else:
                self._on_household(a, result)

    # ---- decisions ----

    def _on_sighting(self, sighting: Sighting) -> None:
        origin = Origin.USER if sighting.method in (Method.HOST, Method.NETWORK) else (
            Origin.RESPONDER
        )
        decision = check(sighting.endpoint, origin, local_networks=self.local_networks)
        if not decision.allowed:
            self._notes.append(f"{sighting.method}: not contacting {sighting.endpoint}: "
                               f"{decision.reason}")
            return
        target = self._ensure_target(sighting.endpoint, sighting.method, sighting)
        if target is None:
            return
        household = sighting.household_id
        if household and target.uuid not in self._covered:
            self._maybe_read_household(household, sighting.endpoint)

    def _ensure_target(
        self, endpoint: Endpoint, method: Method, sighting: Sighting | None = None,
        expected_uuid: str | None = None,
    ) -> _Target | None:
        target = self._targets.get(endpoint)
        if target is None:
            from_topology = method is Method.TOPOLOGY
            if self._counts[from_topology] >= bounds.MAX_PLAYERS:
                if not self._cap_noted[from_topology]:
                    what = "topology members" if from_topology else "discovered devices"
                    self._notes.append(f"more than {bounds.MAX_PLAYERS} {what}: the rest were "
                                       "not read")
                    self._cap_noted[from_topology] = True
                return None
            self._counts[from_topology] += 1
            target = self._targets[endpoint] = _Target(endpoint, expected_uuid=expected_uuid)
            self._submit("description", endpoint,
                         lambda: read_description(self.transport, endpoint, self.deadline))
        target.add(method, sighting)
        if target.uuid and target.uuid not in self._uuid_endpoint:
            self._uuid_endpoint[target.uuid] = endpoint
        return target

    def _on_description(self, endpoint: Endpoint, result: object) -> None:
        target = self._targets[endpoint]
        if not isinstance(result, DescriptionResult):
            target.problem = Problem(ErrorKind.INTERNAL, f"read failed: {result!r}")
            return
        target.result = result
        self._probes.append(Probe(endpoint, "device description", result.elapsed_s,
                                  result.problem))
        description = result.description
        if description is None:
            target.problem = result.problem
            household = target.household_hint
            if household:  # its household may still be read through another player
                self._retry_household(household)
            return
        owner = self._uuid_endpoint.setdefault(description.uuid, endpoint)
        if owner != endpoint and self._described(owner):
            target.problem = Problem(
                ErrorKind.DUPLICATE,
                f"claims {description.uuid}, which {owner} already answered for",
            )
            return
        self._uuid_endpoint[description.uuid] = endpoint
        if self.options.deep:
            uuid = description.uuid
            self._submit("status", endpoint,
                         lambda: read_status(self.transport, endpoint, uuid, self.deadline))
            self._maybe_second_reads()
        self._consider_topology(endpoint)

    def _described(self, endpoint: Endpoint) -> bool:
        target = self._targets.get(endpoint)
        return bool(target and target.result and target.result.description)

    def _consider_topology(self, endpoint: Endpoint) -> None:
        target = self._targets[endpoint]
        if target.uuid in self._covered:
            return
        household = target.household_hint
        if household:
            self._maybe_read_household(household, endpoint)
        elif self._reads_in_flight:
            self._deferred.append(endpoint)  # a read under way may cover it
        else:
            self._start_household_read(None, endpoint)

    def _maybe_read_household(self, household: str, endpoint: Endpoint) -> None:
        if household in self._household_done:
            return
        tried = self._household_tries.setdefault(household, [])
        if not tried:
            self._start_household_read(household, endpoint)
        elif self._described(endpoint):
            self._retry_household(household)  # a player that answers: ask it if the first failed

    def _retry_household(self, household: str) -> None:
        """Ask the next member that has described itself, after a read that gave nothing.

        Any failure counts (no answer, 403 with UPnP off, 5xx, garbage): one player that cannot
        answer must not leave its household unread. Only players that answered their own
        description are asked again, so a retry is not spent on another silent one; a player
        that answers later triggers the retry then (see _maybe_read_household)."""
        tried = self._household_tries.get(household, [])
        if household in self._household_done or len(tried) >= bounds.MAX_HOUSEHOLD_READ_ATTEMPTS:
            return
        if len(tried) > len([r for r in self._reads if r.household_id == household]):
            return  # one is still under way
        for endpoint, target in self._targets.items():
            if endpoint not in tried and target.household_hint == household and (
                self._described(endpoint)
            ):
                self._start_household_read(household, endpoint)
                return

    def _start_household_read(self, household: str | None, endpoint: Endpoint) -> None:
        if household:
            self._household_tries.setdefault(household, []).append(endpoint)
        self._reads_in_flight += 1
        source_uuid = self._targets[endpoint].uuid

        def work() -> _HouseholdOutcome:
            topology: TopologyResult = read_topology(self.transport, endpoint, self.deadline)
            probes = [Probe(endpoint, "GetZoneGroupState", topology.elapsed_s, topology.problem)]
            household_id, problem = household, topology.problem
            if household_id is None and topology.topology is not None:
                started = time.monotonic()
                household_id, id_problem = read_household_id(
                    self.transport, endpoint, self.deadline
                )
                probes.append(Probe(endpoint, "GetHouseholdID", time.monotonic() - started,
                                    id_problem))
                if id_problem:
                    self.log(f"{endpoint}: household id not read: {id_problem.detail}")
            return _HouseholdOutcome(tuple(probes), HouseholdRead(
                source=endpoint, source_uuid=source_uuid, household_id=household_id,
                topology=topology.topology, problem=problem,
                raw_zone_group_state=topology.raw,
            ))

        self._submit("household", endpoint, work)

    def _on_household(self, endpoint: Endpoint, result: object) -> None:
        self._reads_in_flight -= 1
        if not isinstance(result, _HouseholdOutcome):
            result = _HouseholdOutcome((), HouseholdRead(
                endpoint, None, None, None, Problem(ErrorKind.INTERNAL, f"{result!r}")
            ))
        self._probes.extend(result.probes)
        read = result.read
        self._reads.append(read)
        household = read.household_id
        if read.topology is None:
            if household:
                self._retry_household(household)
        else:
            if household:
                self._household_done.add(household)
            if self.options.deep:
                self._first_topologies.setdefault(household or f"@{endpoint}",
                                                  (endpoint, read.topology))
            self._expand(endpoint, read)
            if self.options.deep:
                self._maybe_second_reads()
        deferred, self._deferred = self._deferred, []
        for waiting in deferred:
            self._consider_topology(waiting)

    def _maybe_second_reads(self) -> None:
        """--deep: ask one more member of each household for its zone group state, to compare.
        The member must have answered its own description; satellites are skipped (they can
        hold a stale copy, sonos-facts.md §2). One such read per household at most."""
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
                self._submit("second", endpoint, self._second_read(endpoint, member.uuid,
                                                                   household_id))
                break

    def _second_read(self, endpoint: Endpoint, uuid: str, household_id: str | None
                     ) -> Callable[[], HouseholdRead]:
        def work() -> HouseholdRead:
            result = read_topology(self.transport, endpoint, self.deadline)
            return HouseholdRead(endpoint, uuid, household_id, result.topology, result.problem,
                                 result.raw)
        return work

    def _expand(self, reporter: Endpoint, read: HouseholdRead) -> None:
        """Add every current member of a topology that we have not met yet."""
        assert read.topology is not None
        if read.topology.truncated:
            self._notes.append(
                f"the zone group state from {reporter} lists more than "
                f"{bounds.MAX_TOPOLOGY_MEMBERS} members; only the first were taken")
        for member in read.topology.members:
            self._covered.add(member.uuid)
            known = self._uuid_endpoint.get(member.uuid)
            if known is not None:
                self._targets[known].add(Method.TOPOLOGY)
                continue
            if member.channel_map_of is not None:
                continue  # in no zone group, so no address: listed, never contacted
            endpoint = endpoint_from_location(member.location)
            if endpoint is None:
                self._refused.append(RefusedMember(
                    member.uuid, member.location,
                    "its Location is not an http URL with an IP address",
                ))
                continue
            decision = check(endpoint, Origin.TOPOLOGY, reporter=reporter,
                             local_networks=self.local_networks)
            if not decision.allowed:
                self._refused.append(RefusedMember(member.uuid, endpoint.host, decision.reason))
                continue
            self._ensure_target(endpoint, Method.TOPOLOGY, expected_uuid=member.uuid)

    # ---- results ----

    def _progress(self) -> Progress:
        read = sum(1 for t in self._targets.values() if t.result is not None)
        households = len({r.household_id for r in self._reads if r.topology is not None})
        return Progress(found=len(self._targets), read=read, households=households)

    def _observations(self, started_at: str, budget_exhausted: bool) -> ScanObservations:
        targets = []
        for target in self._targets.values():
            result = target.result
            problem = target.problem
            if result is None and problem is None:
                problem = Problem(ErrorKind.TIMEOUT, "no answer within the scan's time budget")
            description = result.description if result and not target.problem else None
            targets.append(TargetObservation(
                endpoint=target.endpoint,
                via=tuple(target.via),
                sightings=tuple(target.sightings),
                expected_uuid=target.expected_uuid,
                description=description,
                problem=problem if description is None else None,
                raw_description=result.raw if result else None,
                elapsed_s=result.elapsed_s if result else None,
            ))
        methods = tuple(dict.fromkeys(
            [s.method for s in self.sources] + ([Method.TOPOLOGY] if self._reads else [])
        ))
        return ScanObservations(
            started_at=started_at,
            finished_at=utc_now(),
            methods=methods,
            interfaces=self.interfaces,
            targets=tuple(targets),
            household_reads=tuple(self._reads),
            refused=tuple(self._refused),
            budget_exhausted=budget_exhausted,
            notes=tuple(dict.fromkeys(self._notes)),
            probes=tuple(self._probes),
            deep=self.options.deep,
            status_reads=tuple(self._status),
            second_reads=tuple(self._second),
        )

"""The scan: the imperative shell that runs discovery and collection and records what happened.

Discovery sources (discovery/sources.py) run in their own threads and report Sightings; reads run
on a bounded pool. Both post events to one queue; the main loop below hands each event to the
planner (planner.py, every decision and no I/O) and carries out the reads it asks for, under the
scan's deadline. A player is read as soon as it is found (collection overlaps discovery); each
household's topology is read through one of its players and adds its other members. The result
is a frozen ScanObservations; turning it into an inventory is pure (inventory.py).
"""

from __future__ import annotations

import functools
import ipaddress
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from . import bounds
from .analyze.verdict import analyze
from .collect.read import (
    TopologyResult,
    read_description,
    read_household_id,
    read_status,
    read_topology,
)
from .collect.transport import HttpTransport, Transport
from .discovery.interfaces import default_discovery_interfaces, list_interfaces
from .discovery.sources import (
    DiscoverySource,
    HostSource,
    MdnsSource,
    ProbeSource,
    SsdpSource,
)
from .inventory import build_inventory
from .model import (
    Endpoint,
    HouseholdIdRead,
    HouseholdRead,
    Inventory,
    Method,
    Probe,
    ScanObservations,
    Sighting,
)
from .netpolicy import IPNetwork, interface_networks
from .planner import (
    Action,
    Planner,
    ReadDescription,
    ReadHousehold,
    ReadHouseholdId,
    ReadSecondTopology,
    ReadStatus,
)
from .version import __version__

__all__ = [
    "DiscoverySource",
    "HostSource",
    "MdnsSource",
    "Noted",
    "ProbeSource",
    "Progress",
    "ReadDone",
    "Scan",
    "ScanEvent",
    "ScanOptions",
    "Sighted",
    "SourceDone",
    "SsdpSource",
    "build_sources",
    "utc_now",
]


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


# ---- what the scan's threads tell its main loop (one queue; the planner decides) ----


@dataclass(frozen=True)
class Sighted:
    """A discovery source saw a device."""

    sighting: Sighting


@dataclass(frozen=True)
class Noted:
    """A discovery source has something to say (for the scan's notes and the log)."""

    message: str


@dataclass(frozen=True)
class SourceDone:
    """A discovery source has finished (its window closed, or it was told to stop)."""

    method: Method


@dataclass(frozen=True)
class ReadDone:
    """A read the planner asked for has finished: the action it carried out, and its outcome
    (the read's result, or the exception a bug in it raised)."""

    action: Action
    outcome: Future[object]


ScanEvent = Sighted | Noted | SourceDone | ReadDone
"""Every event of a scan; ReadDone mirrors the planner's actions (planner.Action)."""


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


@dataclass(frozen=True)
class _HouseholdOutcome:
    probes: tuple[Probe, ...]
    read: HouseholdRead


def read_household(transport: Transport, action: ReadHousehold, deadline: float,
                   log: Callable[[str], None] = lambda _m: None) -> _HouseholdOutcome:
    """Carry out ReadHousehold: the zone group state, and the household id when not known."""
    endpoint = action.endpoint
    topology: TopologyResult = read_topology(transport, endpoint, deadline)
    probes = [Probe(endpoint, "GetZoneGroupState", topology.elapsed_s, topology.problem)]
    household_id, problem = action.household_id, topology.problem
    asked = household_id is None and topology.topology is not None
    if asked:
        started = time.monotonic()
        household_id, id_problem = read_household_id(transport, endpoint, deadline)
        probes.append(Probe(endpoint, "GetHouseholdID", time.monotonic() - started, id_problem))
        if id_problem:
            log(f"{endpoint}: household id not read: {id_problem.detail}")
    return _HouseholdOutcome(tuple(probes), HouseholdRead(
        source=endpoint, source_uuid=action.source_uuid, household_id=household_id,
        topology=topology.topology, problem=problem, raw_zone_group_state=topology.raw,
        id_asked=asked and household_id is not None,
    ))


def ask_household_id(transport: Transport, action: ReadHouseholdId, deadline: float
                     ) -> HouseholdIdRead:
    """Carry out ReadHouseholdId: GetHouseholdID at the product's own address."""
    started = time.monotonic()
    household_id, problem = read_household_id(transport, action.endpoint, deadline)
    return HouseholdIdRead(action.endpoint, action.uuid, household_id, problem,
                           time.monotonic() - started)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


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
        expected: frozenset[Endpoint] = frozenset(),
    ) -> None:
        self.options = options
        self.expected = expected
        """Discovery ends as soon as every one of these has been sighted (the demo knows what
        its emulator serves); empty: discovery runs its full window."""
        self.transport = transport or HttpTransport()
        all_interfaces = list_interfaces() if local_networks is None or interfaces is None else ()
        if interfaces is None:
            interfaces = options.interface_addrs or tuple(
                i.address for i in default_discovery_interfaces(all_interfaces)
            )
        self.interfaces = interfaces
        local_networks = (local_networks if local_networks is not None
                          else tuple(i.network for i in all_interfaces))
        self.sources = sources if sources is not None else build_sources(options, interfaces)
        self.on_progress = on_progress or (lambda _p: None)
        self.log = on_log or (lambda _m: None)
        self.planner = Planner(local_networks, deep=options.deep,
                               browsed=interface_networks(interfaces, local_networks))
        self._events: queue.Queue[ScanEvent] = queue.Queue()
        self._stop = threading.Event()
        self._pending = 0
        self.deadline = time.monotonic() + options.budget_s

    # ---- running ----

    def run(self) -> ScanObservations:
        started_at = utc_now()
        self.deadline = time.monotonic() + self.options.budget_s
        if not self.sources:
            searching = self.options.use_ssdp or self.options.use_mdns
            self.planner.note(
                "this computer is not connected to a network: no network interface is up "
                "(apart from loopback). Connect to the network your Sonos products are on, "
                "then scan again" if searching and not self.interfaces else
                "no discovery method was enabled and no --host or --network given")
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
                    event = self._events.get(timeout=min(remaining, 0.25))
                except queue.Empty:
                    continue
                if isinstance(event, SourceDone):
                    sources_running -= 1
                    if not sources_running:
                        timings["discovery_done"] = time.monotonic() - started
                else:
                    self._handle(event)
                    if (isinstance(event, Sighted) and self.expected
                            and not self._stop.is_set()
                            and self.expected <= self.planner.targets.keys()):
                        self._stop.set()  # everything there is to find was found
                self.on_progress(self._progress())
        except KeyboardInterrupt:
            interrupted = True  # keep what was found; the caller decides what to write
            self.planner.note("the scan was interrupted (Ctrl-C); the result is partial")
            self.transport.abort()  # blocked reads return now, so the process exits promptly
        finally:
            self._stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            for thread in threads:  # sources stop within a poll interval once told to
                thread.join(timeout=bounds.SOURCE_STOP_WAIT_S)
        if budget_exhausted:
            self.planner.note(
                f"the scan's time budget ({self.options.budget_s:g} s) ran out before every read "
                "finished; raise it with --timeout"
            )
        timings["done"] = time.monotonic() - started
        return replace(self._observations(started_at, budget_exhausted), interrupted=interrupted,
                       timings=tuple(timings.items()))

    def _run_source(self, source: DiscoverySource) -> None:
        try:
            source.run(lambda s: self._events.put(Sighted(s)), self._stop,
                       lambda msg: self._events.put(Noted(msg)))
        except Exception as exc:  # a broken source must not lose the others' results
            self._events.put(Noted(f"{source.method}: discovery failed: {exc!r}"))
        finally:
            self._events.put(SourceDone(source.method))

    def _handle(self, event: ScanEvent) -> None:
        if isinstance(event, Sighted):
            self._carry_out(self.planner.sighting(event.sighting))
        elif isinstance(event, Noted):
            self.planner.note(event.message)
            self.log(event.message)
        elif isinstance(event, ReadDone):
            self._pending -= 1
            try:
                result = event.outcome.result()
            except Exception as exc:  # a bug in a read: keep the scan, record it
                result = exc
            self._report(event.action, result)

    def _report(self, action: Action, result: Any) -> None:
        """Hand a finished read to the planner method for its kind of action."""
        endpoint = action.endpoint
        if isinstance(action, ReadDescription):
            self._carry_out(self.planner.description_read(endpoint, result))
        elif isinstance(action, ReadHousehold) and isinstance(result, _HouseholdOutcome):
            self._carry_out(self.planner.household_read(endpoint, result.read, result.probes))
        elif isinstance(action, ReadHousehold):
            self._carry_out(self.planner.household_read(endpoint, result))
        elif isinstance(action, ReadStatus):
            self.planner.status_read(endpoint, result)
        elif isinstance(action, ReadHouseholdId):
            self._carry_out(self.planner.household_id_read(endpoint, result))
        else:
            self.planner.second_read(endpoint, result)

    # ---- carrying out the planner's actions ----

    def _carry_out(self, actions: list[Action]) -> None:
        for action in actions:
            work: Callable[[], object]
            if isinstance(action, ReadDescription):
                work = functools.partial(read_description, self.transport, action.endpoint,
                                         self.deadline)
            elif isinstance(action, ReadHousehold):
                work = functools.partial(self._read_household, action)
            elif isinstance(action, ReadStatus):
                work = functools.partial(read_status, self.transport, action.endpoint,
                                         action.uuid, self.deadline)
            elif isinstance(action, ReadHouseholdId):
                work = functools.partial(self._read_household_id, action)
            else:
                work = functools.partial(self._read_second, action)
            self._submit(action, work)

    def _submit(self, action: Action, work: Callable[[], object]) -> None:
        self._pending += 1
        future: Future[object] = self._pool.submit(work)
        future.add_done_callback(lambda f: self._events.put(ReadDone(action, f)))

    def _read_household(self, action: ReadHousehold) -> _HouseholdOutcome:
        return read_household(self.transport, action, self.deadline, self.log)

    def _read_household_id(self, action: ReadHouseholdId) -> HouseholdIdRead:
        return ask_household_id(self.transport, action, self.deadline)

    def _read_second(self, action: ReadSecondTopology) -> HouseholdRead:
        result = read_topology(self.transport, action.endpoint, self.deadline)
        return HouseholdRead(action.endpoint, action.uuid, action.household_id, result.topology,
                             result.problem, result.raw)

    # ---- results ----

    def _progress(self) -> Progress:
        found, read, households = self.planner.counts()
        return Progress(found=found, read=read, households=households)

    def _observations(self, started_at: str, budget_exhausted: bool) -> ScanObservations:
        planner = self.planner
        methods = tuple(dict.fromkeys(
            [s.method for s in self.sources] + ([Method.TOPOLOGY] if planner.reads else [])
        ))
        return ScanObservations(
            started_at=started_at,
            finished_at=utc_now(),
            methods=methods,
            interfaces=self.interfaces,
            targets=planner.observed_targets(),
            household_reads=tuple(planner.reads),
            refused=tuple(planner.refused),
            budget_exhausted=budget_exhausted,
            notes=tuple(dict.fromkeys(planner.notes)),
            probes=tuple(planner.probes),
            deep=self.options.deep,
            status_reads=tuple(planner.status),
            second_reads=tuple(planner.second),
            household_ids=tuple(planner.id_reads),
        )


def inventory_from(observations: ScanObservations) -> Inventory:
    """A scan's observations as an analysed inventory (inventory.py, then analyze)."""
    return analyze(build_inventory(observations, __version__))


def run_scan(
    options: ScanOptions,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    on_log: Callable[[str], None] | None = None,
    expected: frozenset[Endpoint] = frozenset(),
) -> tuple[Inventory, ScanObservations]:
    """One whole scan: discover, read, then the analysed inventory and what was observed
    (what every command, the guided scan and `watch` run)."""
    observations = Scan(options, on_progress=on_progress, on_log=on_log,
                        expected=expected).run()
    return inventory_from(observations), observations

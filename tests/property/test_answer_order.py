"""The result does not depend on the order in which players answer (issue 17).

A synchronous driver runs the real planner against a scenario served without sockets
(emulator/offline.py) and completes its pending work in an order drawn from a seed: sightings,
description reads, topology reads and GetHouseholdID questions interleave as they would on a
busy network. Chosen players time out in every order alike. Households, memberships, findings
and the verdict must come out identical. The default tier samples scenarios and orders with a
fixed seed; the slow tier (`make test-slow`) sweeps every scenario.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.collect.read import DescriptionResult, read_description
from sonos_inventory.emulator.offline import SOCKET_ONLY_FAULTS, OfflineLan
from sonos_inventory.inventory import build_inventory
from sonos_inventory.model import (
    ErrorKind,
    HouseholdIdRead,
    HouseholdRead,
    Inventory,
    Method,
    Problem,
    ScanObservations,
    Sighting,
)
from sonos_inventory.planner import (
    Action,
    Planner,
    ReadDescription,
    ReadHousehold,
    ReadHouseholdId,
)
from sonos_inventory.scan import ask_household_id, read_household
from sonos_inventory.scenario.builtin import SCENARIOS as BUILTIN
from sonos_inventory.scenario.folder import load_scenario

from ..conftest import SCENARIOS
from ..helpers import assert_read_only

TIMEOUT = Problem(ErrorKind.TIMEOUT, "no answer within the scan's time budget")


def offline_scenarios() -> list[str]:
    """Every built-in scenario that can be served without sockets."""
    names = []
    for name in BUILTIN:
        lan = load_scenario(SCENARIOS / name)
        if not any(getattr(h.faults_for(m.uuid), f) for h in lan.households
                   for m in h.topology.members for f in SOCKET_ONLY_FAULTS):
            names.append(name)
    return names


def replay(path: Path, order_seed: int, silent: frozenset[str]) -> Inventory:
    """One scan of the scenario with work completed in a seeded order; `silent` players (by
    UUID) never answer anything."""
    lan = OfflineLan(load_scenario(path))
    quiet = {p.endpoint for p in lan.players if p.uuid in silent}
    rng = random.Random(order_seed)
    planner = Planner((), deep=False)
    transport = lan.transport()
    deadline = time.monotonic() + 60
    sightings: list[Sighting] = []
    lan.discovery().run(sightings.append, threading.Event(), lambda _m: None)
    pending: list[Sighting | Action] = [s for s in sightings if s.endpoint not in quiet]
    steps = 0
    while pending:
        steps += 1
        assert steps < 10_000, "the planner does not settle"
        item = pending.pop(rng.randrange(len(pending)))
        actions: list[Action] = []
        if isinstance(item, Sighting):
            actions = planner.sighting(item)
        elif isinstance(item, ReadDescription):
            result = (DescriptionResult(None, TIMEOUT, None, 0.0) if item.endpoint in quiet
                      else read_description(transport, item.endpoint, deadline))
            actions = planner.description_read(item.endpoint, result)
        elif isinstance(item, ReadHousehold):
            if item.endpoint in quiet:
                actions = planner.household_read(item.endpoint, HouseholdRead(
                    item.endpoint, item.source_uuid, item.household_id, None, TIMEOUT))
            else:
                outcome = read_household(transport, item, deadline)
                actions = planner.household_read(item.endpoint, outcome.read, outcome.probes)
        elif isinstance(item, ReadHouseholdId):
            asked = (HouseholdIdRead(item.endpoint, item.uuid, None, TIMEOUT)
                     if item.endpoint in quiet else ask_household_id(transport, item, deadline))
            actions = planner.household_id_read(item.endpoint, asked)
        pending += actions
    assert_read_only(lan)
    observations = ScanObservations(
        "2026-12-07T10:00:00Z", "2026-12-07T10:00:02Z", (Method.SSDP, Method.TOPOLOGY), (),
        planner.observed_targets(), tuple(planner.reads), tuple(planner.refused),
        household_ids=tuple(planner.id_reads))
    return analyze(build_inventory(observations, "test"))


def summary(inventory: Inventory) -> object:
    """What must not depend on the order: households, memberships, findings, verdict."""
    households = sorted(
        (h.household_id or "", tuple(sorted(t.value for t in h.tracks)), tuple(sorted(h.players)),
         tuple(sorted(h.moved_out)), tuple(sorted(h.remembered)), h.topology_read)
        for h in inventory.households)
    players = sorted((p.uuid, p.household_id or "", p.reachable, p.vanished, p.role.value,
                      p.track.value) for p in inventory.players)
    findings = sorted((f.rule, f.severity.value, tuple(sorted(f.players)))
                      for f in inventory.findings)
    return households, players, findings, inventory.verdict.error_803, inventory.scan.complete


def check_orders(name: str, seed: int, orders: int) -> None:
    path = SCENARIOS / name
    rng = random.Random(seed)
    uuids = sorted(p.uuid for p in OfflineLan(load_scenario(path)).players)
    silent = frozenset(u for u in uuids if rng.random() < 0.2)
    first = summary(replay(path, rng.randrange(1 << 30), silent))
    for _ in range(orders - 1):
        order = rng.randrange(1 << 30)
        assert summary(replay(path, order, silent)) == first, (
            f"{name}: order {order} with {sorted(silent)} silent gives another result")


MEMBERSHIP_SCENARIOS = ("satellite-start", "overlapping-reads", "vanished-but-answering",
                        "remembered-twice", "split-stale-dual", "error-803")


@pytest.mark.parametrize("name", MEMBERSHIP_SCENARIOS)
def test_membership_does_not_depend_on_answer_order(name: str) -> None:
    check_orders(name, seed=17, orders=6)


def test_a_sample_of_every_scenario_in_several_orders() -> None:
    rng = random.Random(2026)
    for name in rng.sample(offline_scenarios(), 6):
        check_orders(name, seed=rng.randrange(1 << 30), orders=3)


@pytest.mark.slow
@pytest.mark.parametrize("name", offline_scenarios())
def test_every_scenario_in_many_orders(name: str) -> None:
    for seed in range(6):
        check_orders(name, seed=seed, orders=25)


def test_the_driver_sees_what_a_real_offline_scan_sees() -> None:
    """Sanity: with nobody silent, the replay gives what scan_offline gives."""
    from ..conftest import scan_offline

    for name in ("satellite-start", "error-803"):
        inventory, _obs, _lan = scan_offline(name)
        assert summary(replay(SCENARIOS / name, 1, frozenset())) == summary(inventory)


"""Property-based: mDNS TXT parsing, and rules that only ever gain findings from more data."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.discovery.mdns import decode_txt, sighting_from_txt
from sonos_inventory.inventory import build_inventory
from sonos_inventory.model import (
    ErrorKind,
    Inventory,
    PlayerFacts,
    Problem,
    Severity,
    Track,
    VanishedDevice,
)

from ..conftest import SCENARIOS
from ..helpers import inventory_of, observe

SCENARIO_NAMES = ["error-803", "healthy-s2", "split-s1-s2", "home-theater", "offline-member",
                  "s1-only-in-s2", "leftover-s1", "legacy-2015", "behind-one-release",
                  "update-in-progress"]
INVENTORIES = {name: inventory_of(name) for name in SCENARIO_NAMES}


@settings(max_examples=300)
@given(st.dictionaries(st.binary(max_size=40), st.one_of(st.none(), st.binary(max_size=400)),
                       max_size=20),
       st.booleans(), st.text(max_size=80),
       st.sampled_from(["10.0.0.9", "127.0.0.1", "::1", "nonsense"]))
def test_mdns_txt_parsing_is_total_and_bounded(
    properties: dict[bytes, bytes | None], with_uuid: bool, name: str, address: str
) -> None:
    if with_uuid:  # half the examples carry a player id, so the checks below are reached
        properties = {k: v for k, v in properties.items() if k.lower() != b"uuid"}
        properties[b"uuid"] = b"RINCON_000E58F0AA0101400"
    txt = decode_txt(properties)
    assert all(len(v) <= 512 for v in txt.values())
    sighting = sighting_from_txt(name, address, txt)
    if with_uuid and address != "nonsense":
        assert sighting is not None
    if sighting is not None:
        assert sighting.uuid and sighting.uuid.startswith("RINCON_")
        assert sighting.endpoint.host == address or address == "::1"
    else:
        assert address == "nonsense" or not with_uuid


ghosts = st.builds(
    lambda n, track, version, model: (n, track, version, model),
    st.integers(1, 99), st.sampled_from(list(Track)),
    st.sampled_from([None, "57.23-80060", "86.4-73290", "95.0-77060", "93.1-73290", "garbage"]),
    st.sampled_from([None, "S18", "ZP90", "S5", "S99"]),
)

_SEVERITY = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
_VERDICT = {"not-indicated": 0, "possible": 1, "likely": 2}
GEN = {Track.S1: 1, Track.S2: 2}


def _flags(inventory: Inventory) -> dict[str, int]:
    """uuid -> the highest severity of any finding that names it (mixed-generation aside)."""
    flags: dict[str, int] = {}
    for finding in inventory.findings:
        if finding.rule == "mixed-generation":
            continue
        for uuid in finding.players:
            flags[uuid] = max(flags.get(uuid, 0), _SEVERITY[finding.severity])
    return flags


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SCENARIO_NAMES), st.lists(ghosts, min_size=1, max_size=4))
def test_adding_unreachable_players_never_removes_a_finding(
    name: str, extra: list[tuple[int, Track, str | None, str | None]]
) -> None:
    """Members that did not answer count with what the household says they run: they may
    change which side of a conflict is the smaller one, but never make a conflict, a product
    behind its release, or any flagged product disappear, nor lower the verdict."""
    inventory = INVENTORIES[name]
    household = inventory.households[0]
    added = []
    for n, track, version, model in extra:
        added.append(replace(
            inventory.players[0], uuid=f"RINCON_0000DEAD{n:04d}01400", reachable=False,
            serial=None, room=f"Ghost {n}", software_version=version, model_number=model,
            # what the household's topology says it runs (analyze classifies from this)
            sw_gen=GEN.get(track), facts=PlayerFacts(topology_sw_gen=GEN.get(track), listed=True),
            errors=(Problem(ErrorKind.TIMEOUT, "no answer"),)))
    bigger: Inventory = analyze(replace(
        inventory, players=(*inventory.players, *added),
        households=(replace(household, players=(*household.players,
                                                *(p.uuid for p in added))),
                    *inventory.households[1:])))
    before, after = _flags(inventory), _flags(bigger)
    lost = {u: level for u, level in before.items() if after.get(u, -1) < level}
    assert not lost, lost
    rules_before = {(f.rule, f.severity) for f in inventory.findings}
    rules_after = {(f.rule, f.severity) for f in bigger.findings}
    assert ("mixed-generation", Severity.ERROR) not in rules_before - rules_after
    assert _VERDICT[bigger.verdict.error_803] >= _VERDICT[inventory.verdict.error_803]


SPLIT_SCENARIOS = ["split-s1-s2", "leftover-s1", "split-stale-dual", "split-stale-s1-only"]
OBSERVED = {name: observe(SCENARIOS / name) for name in SPLIT_SCENARIOS}


def _judged(inventory: Inventory) -> set[tuple[str, str, tuple[str, ...]]]:
    """What the diagnosis says, leaving out the split note (which lists the memory itself)."""
    return {(f.rule, f.severity.value, f.players) for f in inventory.findings
            if f.rule != "split-households"}


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(SPLIT_SCENARIOS), st.integers(0, 1), st.data())
def test_a_stale_vanished_entry_in_another_household_changes_nothing(
    name: str, rememberer: int, data: st.DataObject
) -> None:
    observations = OBSERVED[name]
    reads = list(observations.household_reads)
    remembering, other = reads[rememberer], reads[1 - rememberer]
    assert remembering.topology is not None and other.topology is not None
    member = data.draw(st.sampled_from(list(other.topology.members)))
    stale = VanishedDevice(
        uuid=member.uuid, zone_name=data.draw(st.sampled_from([member.zone_name, "Old", None])),
        reason=data.draw(st.sampled_from(["powered off", "UNKNOWN", None])),
        model_number=data.draw(st.sampled_from(["S12", "ZP90", "S18", None])),
        last_known_ip=data.draw(st.sampled_from(["192.168.1.99", None])),
        last_seen_utc=None, sw_gen=data.draw(st.sampled_from([1, 2, None])))
    reads[rememberer] = replace(remembering, topology=replace(
        remembering.topology, vanished=(*remembering.topology.vanished, stale)))
    before = analyze(build_inventory(observations, "test"))
    after = analyze(build_inventory(replace(observations, household_reads=tuple(reads)), "test"))
    assert _judged(after) == _judged(before)
    if member.uuid in before.verdict.summary or any(
            p.uuid == member.uuid and p.room and p.room in before.verdict.summary
            for p in before.players):
        # The memory is evidence that this product left the other system on purpose (a split),
        # not that it failed to join it: the verdict may only get milder.
        assert _VERDICT[after.verdict.error_803] <= _VERDICT[before.verdict.error_803]
    else:
        assert after.verdict.error_803 == before.verdict.error_803
    assert [h.players for h in after.households] == [h.players for h in before.households]
    assert [h.tracks for h in after.households] == [h.tracks for h in before.households]
    moved = next(h for h in after.households if member.uuid in h.moved_out)
    assert member.uuid not in moved.players

"""Property-based: mDNS TXT parsing, and rules that only ever gain findings from more data."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.discovery.mdns import decode_txt, sighting_from_txt
from sonos_inventory.model import ErrorKind, Inventory, Problem, Track

from ..helpers import inventory_of

SCENARIO_NAMES = ["error-803", "healthy-s2", "split-s1-s2", "home-theater", "offline-member",
                  "s1-only-in-s2", "leftover-s1", "legacy-2015", "behind-one-release",
                  "update-in-progress"]
INVENTORIES = {name: inventory_of(name) for name in SCENARIO_NAMES}


@settings(max_examples=300)
@given(st.dictionaries(st.binary(max_size=40), st.one_of(st.none(), st.binary(max_size=400)),
                       max_size=20),
       st.text(max_size=80), st.sampled_from(["10.0.0.9", "127.0.0.1", "::1", "nonsense"]))
def test_mdns_txt_parsing_is_total_and_bounded(
    properties: dict[bytes, bytes | None], name: str, address: str
) -> None:
    txt = decode_txt(properties)
    assert all(len(v) <= 512 for v in txt.values())
    sighting = sighting_from_txt(name, address, txt)
    if sighting is not None:
        assert sighting.uuid and sighting.uuid.startswith("RINCON_")
        assert sighting.endpoint.host == address or address == "::1"


ghosts = st.builds(
    lambda n, track, version, model: (n, track, version, model),
    st.integers(1, 99), st.sampled_from(list(Track)),
    st.sampled_from([None, "57.23-80060", "86.4-73290", "95.0-77060", "93.1-73290", "garbage"]),
    st.sampled_from([None, "S18", "ZP90", "S5", "S99"]),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SCENARIO_NAMES), st.lists(ghosts, min_size=1, max_size=4))
def test_adding_unreachable_players_never_removes_a_finding(
    name: str, extra: list[tuple[int, Track, str | None, str | None]]
) -> None:
    inventory = INVENTORIES[name]
    household = inventory.households[0]
    added = []
    for n, track, version, model in extra:
        added.append(replace(
            inventory.players[0], uuid=f"RINCON_0000DEAD{n:04d}01400", reachable=False,
            serial=None, room=f"Ghost {n}", track=track, software_version=version,
            model_number=model, errors=(Problem(ErrorKind.TIMEOUT, "no answer"),)))
    bigger: Inventory = analyze(replace(
        inventory, players=(*inventory.players, *added),
        households=(replace(household, players=(*household.players,
                                                *(p.uuid for p in added))),
                    *inventory.households[1:])))
    ghost_ids = {p.uuid for p in added}
    before = {(f.rule, f.players) for f in inventory.findings}
    after = {(f.rule, tuple(u for u in f.players if u not in ghost_ids))
             for f in bigger.findings}
    missing = {b for b in before if not any(
        rule == b[0] and set(b[1]) <= set(players) for rule, players in after)}
    assert not missing, missing

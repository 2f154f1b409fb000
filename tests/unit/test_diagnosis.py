"""The diagnosis on households built from the facts (issue 9): membership per household, the cause
named from what each product runs, release standing across branches, unknown stays unknown, and
advice that follows the verdict. Pure: scenario folders observed as a perfect scan would."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from sonos_inventory.analyze.products import capability
from sonos_inventory.analyze.releases import (
    NEXT_RELEASE_MIN_GAP,
    SAME_RELEASE_MAX_GAP,
    Standing,
    standings,
)
from sonos_inventory.analyze.tracks import detect_track
from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.api import EXIT_CONFLICT, EXIT_INCOMPLETE, EXIT_OK, exit_code
from sonos_inventory.collect.parse import parse_device_description, parse_zone_group_state
from sonos_inventory.errors import NotSonosError
from sonos_inventory.inventory import build_inventory
from sonos_inventory.model import (
    Endpoint,
    ErrorKind,
    Method,
    Player,
    PlayerFacts,
    Problem,
    Role,
    Sighting,
    TargetObservation,
    Track,
)
from sonos_inventory.report.render_html import render_html
from sonos_inventory.report.render_json import inventory_from_dict, render_json, schema
from sonos_inventory.report.render_markdown import render_markdown
from sonos_inventory.report.render_table import render_table

from ..conftest import SCENARIOS
from ..helpers import inventory_of, observe
from .test_rules import rooms as named
from .test_rules import rules as fired


def first_section(markdown: str) -> str:
    """The verdict section: from '## Verdict' to the next heading."""
    start = markdown.index("## Verdict")
    return markdown[start:markdown.index("\n## ", start + 1)]


# scenario: (rules and severities, rules that must not fire, {rule: rooms named}, verdict, exit)
CASES: dict[str, tuple[dict[str, list[str]], set[str], dict[str, set[str | None]], str, int]] = {
    "split-stale-s1-only": (
        {"split-households": ["info"], "s1-only-product": ["info"]},
        {"mixed-generation", "unreachable-player"}, {"s1-only-product": {"Hi-Fi"}},
        "not-indicated", EXIT_OK),
    "split-stale-dual": (
        {"split-households": ["info"]}, {"mixed-generation", "unreachable-player"}, {},
        "not-indicated", EXIT_OK),
    "s1-added-upnp-off": (
        {"mixed-generation": ["error"], "upnp-disabled": ["warning"]}, {"s1-only-product"},
        {"mixed-generation": {"Bedroom"}, "upnp-disabled": {"Kitchen", "Office", "Living Room"}},
        "likely", EXIT_CONFLICT),
    "topology-refused": ({}, {"unreachable-player"}, {}, "not-indicated", EXIT_OK),
    "healthy-aug-2026": ({}, {"below-min-compatible", "version-skew"}, {}, "not-indicated",
                         EXIT_OK),
    "lag-older-branch": (
        {"behind-release": ["warning"]},
        {"version-skew", "mixed-generation", "below-min-compatible"},
        {"behind-release": {"Bathroom"}}, "possible", EXIT_OK),
    "lag-newer-branch": (
        {"behind-release": ["warning"]},
        {"version-skew", "mixed-generation", "below-min-compatible"},
        {"behind-release": {"Kitchen"}}, "possible", EXIT_OK),
    "consecutive-releases": (
        {"behind-release": ["warning"]}, {"version-skew", "below-min-compatible"},
        {"behind-release": {"Office"}}, "possible", EXIT_OK),
    "behind-one-release": (
        {"behind-release": ["warning"]}, {"version-skew", "below-min-compatible"},
        {"behind-release": {"Bathroom"}}, "possible", EXIT_OK),
    "update-in-progress": (
        {"version-skew": ["info"]}, {"behind-release", "below-min-compatible"},
        {"version-skew": {"Office"}}, "not-indicated", EXIT_OK),
    "unknown-model-s1": (
        {"unknown-model": ["info"], "s2-readiness": ["info"]},
        {"s1-only-product", "mixed-generation"},
        {"unknown-model": {"Study"}}, "not-indicated", EXIT_OK),
    "stereo-partner-offline": (
        {"unreachable-player": ["warning"]}, {"mixed-generation"},
        {"unreachable-player": {"Living Room"}}, "possible", EXIT_INCOMPLETE),
}


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_scenario_diagnosis(scenario: str) -> None:
    wanted, absent, rooms, verdict, code = CASES[scenario]
    inventory = inventory_of(scenario)
    assert fired(inventory) == wanted
    assert not absent & set(fired(inventory))
    for rule, expected_rooms in rooms.items():
        assert named(inventory, rule) == expected_rooms, rule
    assert inventory.verdict.error_803 == verdict
    assert exit_code(inventory) == code
    jsonschema.validate(json.loads(render_json(inventory)), schema())
    section = first_section(render_markdown(inventory))
    assert verdict.replace("-", " ").capitalize().split()[0] in section
    if verdict == "not-indicated":
        assert "stop" not in section.lower() and "after their fix" not in section


def test_a_split_off_product_belongs_to_the_household_it_is_in() -> None:
    for scenario, room in (("split-stale-s1-only", "Hi-Fi"), ("split-stale-dual", "Cabin")):
        inventory = inventory_of(scenario)
        product = next(p for p in inventory.players if p.room == room)
        assert not product.vanished and product.track is Track.S1
        old, new = sorted(inventory.households, key=lambda h: len(h.moved_out))[::-1]
        assert product.uuid in old.moved_out and product.uuid not in old.players
        assert product.uuid in new.players and product.household_id == new.household_id
        assert old.tracks == (Track.S2,)
        split = next(f for f in inventory.findings if f.rule == "split-households")
        assert any(f'known to household "{old.household_id}"' in e
                   and f'now in household "{new.household_id}"' in e for e in split.evidence)
        table = render_table(inventory)
        assert "known to this household (still listed here), now in household" in table
        assert "split off" in render_markdown(inventory) and "split off" in render_html(inventory)


def test_an_old_inventory_listing_a_moved_product_twice_is_read_per_household() -> None:
    """Inventories written before membership was per household listed the split-off product
    in the old household too; analyze must not turn that into a mixed household."""
    inventory = inventory_of("split-stale-s1-only")
    moved = inventory.households[1].moved_out[0]
    old = replace(inventory.households[1],
                  players=(*inventory.households[1].players, moved), moved_out=())
    document = json.loads(render_json(replace(inventory, households=(
        inventory.households[0], old))))
    reread = analyze(inventory_from_dict(document))
    assert "mixed-generation" not in fired(reread)
    assert fired(reread)["s1-only-product"] == ["info"]


def test_the_cause_is_named_from_what_each_product_runs() -> None:
    inventory = inventory_of("s1-added-upnp-off")
    mixed = next(f for f in inventory.findings if f.rule == "mixed-generation")
    assert "3 product(s) on S2 and 1 on S1" in mixed.detail
    assert any("SWGen 2 in the zone group state" in e and "did not answer" in e
               for e in mixed.evidence)
    assert "Bedroom" in inventory.verdict.summary and "Kitchen" not in inventory.verdict.summary


def test_a_product_whose_track_is_unknown_never_decides_the_cause() -> None:
    inventory = inventory_of("error-803")
    unknown = [replace(inventory.players[0], uuid=f"RINCON_00000000{n:04d}01400", room=f"U{n}",
                       reachable=False, sw_gen=None, software_version=None,
                       display_version=None, facts=PlayerFacts(listed=True),  # says nothing
                       errors=(Problem(ErrorKind.TIMEOUT, "no answer"),)) for n in range(5)]
    household = replace(inventory.households[0],
                        players=(*inventory.households[0].players, *(p.uuid for p in unknown)))
    bigger = analyze(replace(inventory, players=(*inventory.players, *unknown),
                             households=(household,)))
    assert all(bigger.player(p.uuid).track is Track.UNKNOWN for p in unknown)  # type: ignore[union-attr]
    assert named(bigger, "mixed-generation") == {"Bedroom"}


def test_a_bonded_partner_named_only_in_a_channel_map_is_a_member() -> None:
    inventory = inventory_of("stereo-partner-offline")
    right = next(p for p in inventory.players if p.uuid.endswith("1502" + "01400"))
    assert right.role is Role.STEREO_PARTNER and not right.reachable and not right.vanished
    assert right.room == "Living Room" and right.uuid in inventory.households[0].players
    assert "channel map" in right.errors[0].detail


def test_a_surround_named_only_in_the_home_theater_map_is_a_member() -> None:
    text = (SCENARIOS / "home-theater" / "home" / "zone_group_state.xml").read_text()
    start = text.index("<Satellite")
    text = text[:start] + text[text.index("/>", start) + 2:]  # the sub drops off the network
    topology = parse_zone_group_state(text)
    sub = next(m for m in topology.members if m.channel_map_of)
    assert sub.satellite_of is not None and sub.location is None
    from sonos_inventory.analyze.classify import detect_role

    assert detect_role(sub, topology, None) is Role.SUBWOOFER


def _player(uuid: str, version: str, model: str = "S18") -> Player:
    return Player(
        uuid=uuid, ip=None, port=None, room=uuid[-4:], model_name=None, model_number=model,
        serial=None, mac=None, software_version=version, display_version=None,
        hardware_version=None, sw_gen=2, track=Track.S2, track_basis="test", s2_capable=True,
        s2_capable_basis="test", min_compatible_version=f"{int(version.split('.')[0]) - 1}.0",
        legacy_compatible_version=None, memory_mb=None, household_id="h", role=Role.PLAYER,
        reachable=True, vanished=False, discovered_via=(Method.SSDP,))


@pytest.mark.parametrize(("older", "newer", "expected"), [
    ("86.8-78270", "96.0-78270", Standing.IN_STEP),  # the real household, Aug 2026
    ("86.7-77050", "95.0-77060", Standing.IN_STEP),
    ("86.4-73290", "93.1-73290", Standing.IN_STEP),
    ("86.8-78270", "96.0-79160", Standing.IN_STEP),  # the Move's own build: 890 apart
    ("94.1-76070", "95.0-77060", Standing.BEHIND_RELEASE),  # a release behind, compatible
    ("86.7-77050", "86.8-78270", Standing.BEHIND_RELEASE),
    ("95.0-77060", "86.8-78270", Standing.BEHIND_RELEASE),  # the higher major is behind
    ("86.8-77320", "96.0-78270", Standing.UNDECIDED),  # 950 apart: the data cannot tell
    ("95.1-77500", "96.0-78270", Standing.BEHIND_RELEASE),  # own lower major on its branch
    ("85.0-64200", "85.0-66270", Standing.IN_STEP),  # one release, 2,070 apart (real, 2025)
    ("92.0-71170", "92.0-72090", Standing.IN_STEP),  # both 17.7
    ("81.1-58210", "82.3-60160", Standing.BEHIND_RELEASE),  # surrounds a release behind
    ("85.0-66270", "86.8-78270", Standing.BEHIND_RELEASE),  # the trunk beside the older line
    ("63.2-88230", "96.0-78270", Standing.BELOW_MIN_COMPATIBLE),  # 13.1, back after years
    ("67.1-27100", "96.0-78270", Standing.BELOW_MIN_COMPATIBLE),  # 14.4, back after years
    ("57.23-74170", "57.23-80060", Standing.IN_STEP),  # S1: one major.minor, one release
    ("57.6-88280", "57.23-80060", Standing.BEHIND_RELEASE),  # 11.2.9: the build wrapped
    ("54.2-72160", "57.23-80060", Standing.BELOW_MIN_COMPATIBLE),  # below S1's 56.0
])
def test_release_standing_across_branches(older: str, newer: str, expected: Standing) -> None:
    track = Track.S1 if older.startswith("5") else Track.S2
    a = replace(_player("RINCON_A", older, "S12"), track=track)
    b = replace(_player("RINCON_B", newer, "S17"), track=track)
    result = {s.player.uuid: s for s in standings([a, b], track)}
    assert result["RINCON_A"].standing is expected, result["RINCON_A"].reason
    assert result["RINCON_B"].standing is Standing.IN_STEP
    if expected is not Standing.IN_STEP:
        assert older in result["RINCON_A"].reason and newer in result["RINCON_A"].reason
    flipped = {s.player.uuid: s.standing for s in standings([b, a], track)}
    assert flipped == {u: s.standing for u, s in result.items()}


def test_thresholds_come_from_the_observations() -> None:
    assert SAME_RELEASE_MAX_GAP == 890 and NEXT_RELEASE_MIN_GAP == 990


def test_undecided_gap_is_a_warning_that_says_so() -> None:
    inventory = inventory_of("healthy-s2")
    players = [replace(p, software_version="86.7-76120") if p.software_version == "86.7-77050"
               else p for p in inventory.players]  # the older line 940 below the newer one
    result = analyze(replace(inventory, players=tuple(players)))
    skew = [f for f in result.findings if f.rule == "version-skew"]
    assert [f.severity.value for f in skew] == ["warning"]
    assert any("cannot tell" in e for e in skew[0].evidence)
    assert result.verdict.error_803 == "possible"


@pytest.mark.parametrize("version", ["garbage", "0.0-00000", "0.3", "v17", "-1.2-3"])
def test_an_unreadable_or_zero_version_gives_track_unknown(version: str) -> None:
    track, basis = detect_track(None, None, version, "17.8")
    assert track is Track.UNKNOWN and basis


def test_an_unknown_model_on_s1_may_or_may_not_run_s2() -> None:
    assert capability("S98", None, None, "56.0-00000", runs_s2=False, runs_s1=True).s2_capable \
        is None
    assert capability("S98", None, None, "95.0-00000", runs_s2=False).s2_capable is True
    assert capability("S98", None, None, None, runs_s2=True).s2_capable is True
    study = next(p for p in inventory_of("unknown-model-s1").players if p.room == "Study")
    assert study.s2_capable is None and study.track is Track.S1


NOT_A_ZONE_PLAYER = (
    '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
    "<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>"
    "<manufacturer>Sonos, Inc.</manufacturer><modelNumber>S18</modelNumber>"
    "<UDN>uuid:RINCON_000E58F0FF0101400</UDN></device></root>")


def test_a_responder_that_is_not_a_zone_player_is_listed_as_not_sonos() -> None:
    with pytest.raises(NotSonosError):
        parse_device_description(NOT_A_ZONE_PLAYER)
    observations = observe(SCENARIOS / "healthy-s2")
    stranger = TargetObservation(
        Endpoint("192.168.1.250"), (Method.SSDP,),
        (Sighting(Endpoint("192.168.1.250"), Method.SSDP, "RINCON_000E58F0FF0101400"),),
        "RINCON_000E58F0FF0101400", None,
        Problem(ErrorKind.NOT_SONOS, "not a Sonos ZonePlayer (deviceType MediaRenderer)"))
    inventory = analyze(build_inventory(
        replace(observations, targets=(*observations.targets, stranger)), "test"))
    assert all(p.uuid != "RINCON_000E58F0FF0101400" for p in inventory.players)
    assert [u.ip for u in inventory.unidentified] == ["192.168.1.250"]
    assert inventory.scan.complete and exit_code(inventory) == EXIT_OK
    assert inventory.verdict.error_803 == "not-indicated"
    assert "Not Sonos players" in render_table(inventory)


def test_advice_follows_a_not_indicated_verdict() -> None:
    for scenario in ("healthy-s2", "split-stale-dual", "healthy-aug-2026"):
        markdown = render_markdown(inventory_of(scenario))
        head = markdown[:markdown.index("## Inventory")]
        assert "no software-track conflict" in head.lower()
        assert "stopped retrying" not in head and "Stop retrying" not in head
        assert "After their fix" not in head
        assert "diagnostic number" in head


def test_a_member_that_could_not_be_read_comes_first_and_is_named() -> None:
    inventory = inventory_of("offline-member")
    markdown = render_markdown(inventory)
    steps = markdown[markdown.index("## What to do now"):markdown.index("## Inventory")]
    first = steps.split("\n1. ", 1)[1].split("\n", 1)[0]
    assert "Patio" in first and "scan again" in first
    assert "Patio" in inventory.verdict.summary and "scan again" in inventory.verdict.summary
    healthy = inventory_of("healthy-s2").verdict.summary
    assert "another cause" in healthy and "diagnostic number" in healthy


@pytest.mark.parametrize("render", [render_table, render_markdown, render_html])
def test_an_incomplete_scan_says_so_beside_the_verdict(render: object) -> None:
    inventory = inventory_of("offline-member")
    assert not inventory.scan.complete
    text = render(inventory)  # type: ignore[operator]
    assert "Incomplete scan" in text
    index = text.index("Incomplete scan")
    verdict_at = min(i for i in (text.find("Verdict"), text.find("Error 803")) if i >= 0)
    assert "Patio" in text[index:index + 600]
    if render is not render_table:
        assert 0 <= index - verdict_at < 400
    else:
        assert index < 200  # at the top of the terminal view, and again beside the verdict
        assert text.count("Incomplete scan") == 2
    complete = render(inventory_of("healthy-s2"))  # type: ignore[operator]
    assert "Incomplete scan" not in complete

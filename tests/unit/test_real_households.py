"""Diagnosis that holds on real households (issue 17): whole versions within a branch, release
labels, incompatible against behind, and which player said what. Each scenario is scanned
through the real planner without sockets (emulator/offline.py) and pins the rules that fire and
do not fire, the products named, the severities, the verdict and the exit code."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from sonos_inventory.analyze.labels import (
    clean_display_version,
    known_release,
    release_label,
    release_table,
)
from sonos_inventory.analyze.products import capability
from sonos_inventory.analyze.verdict import RULE_IDS, analyze
from sonos_inventory.analyze.versions import Branch, branch, parse_build
from sonos_inventory.api import EXIT_CONFLICT, EXIT_OK, exit_code
from sonos_inventory.diff import diff_inventories
from sonos_inventory.model import Inventory, Track
from sonos_inventory.report.render_json import inventory_from_dict, render_json, schema
from sonos_inventory.report.render_markdown import render_markdown
from sonos_inventory.report.render_table import render_table

from ..conftest import scan_offline
from ..helpers import assert_read_only


def fired(inventory: Inventory) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in inventory.findings:
        found.setdefault(f.rule, []).append(f.severity.value)
    return {rule: sorted(levels) for rule, levels in found.items()}


def rooms(inventory: Inventory, rule: str) -> set[str | None]:
    return {p.room for f in inventory.findings if f.rule == rule for u in f.players
            if (p := inventory.player(u)) is not None}


# scenario: (rules and severities, rules that must not fire, {rule: rooms}, verdict, exit code)
CASES: dict[str, tuple[dict[str, list[str]], set[str], dict[str, set[str | None]], str, int]] = {
    "one-release-many-builds": (
        {"version-skew": ["info"]}, {"below-min-compatible", "behind-release"}, {},
        "not-indicated", EXIT_OK),
    "s1-back-after-years": (
        {"behind-release": ["warning"], "s1-only-product": ["info"], "s2-readiness": ["info"]},
        {"below-min-compatible", "mixed-generation"}, {"behind-release": {"Attic"}},
        "possible", EXIT_OK),
    "s2-back-after-years": (
        {"below-min-compatible": ["error"]}, {"behind-release", "version-skew"},
        {"below-min-compatible": {"Attic"}}, "possible", EXIT_CONFLICT),
    "one-release-two-labels": (
        {}, {"version-skew", "behind-release", "below-min-compatible"}, {}, "not-indicated",
        EXIT_OK),
    "healthy-aug-2026": (
        {}, {"version-skew", "behind-release", "below-min-compatible"}, {}, "not-indicated",
        EXIT_OK),
    "lag-older-branch": (
        {"behind-release": ["warning"]}, {"below-min-compatible", "version-skew"},
        {"behind-release": {"Bathroom"}}, "possible", EXIT_OK),
    "surrounds-behind": (
        {"behind-release": ["warning", "warning"]}, {"below-min-compatible"},
        {"behind-release": {"TV Room"}}, "possible", EXIT_OK),
    "satellite-start": (
        {"split-households": ["info"]}, {"mixed-generation", "unreachable-player"}, {},
        "not-indicated", EXIT_OK),
    "overlapping-reads": (
        {"split-households": ["info"]}, {"mixed-generation", "unreachable-player"}, {},
        "not-indicated", EXIT_OK),
    "vanished-but-answering": (
        {"mixed-generation": ["error"]}, {"unreachable-player", "split-households"},
        {"mixed-generation": {"Bedroom"}}, "likely", EXIT_CONFLICT),
    "remembered-twice": (
        {"split-households": ["info"], "unreachable-player": ["warning"]},
        {"mixed-generation"}, {"unreachable-player": {"Patio"}}, "not-indicated", EXIT_OK),
    "conflicting-model-facts": (
        {"mixed-generation": ["error"]}, {"s1-only-product"}, {"mixed-generation": {"Hi-Fi"}},
        "likely", EXIT_CONFLICT),
    "established-s1-beside-s2": (
        {"s2-readiness": ["info"], "split-households": ["info"], "s1-only-product": ["info"]},
        {"mixed-generation"}, {"s2-readiness": {"Garage", "Workshop", "Den"}},
        "not-indicated", EXIT_OK),
    "leftover-s1": (
        {"split-households": ["info"]}, {"s2-readiness"}, {}, "possible", EXIT_OK),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_household_diagnosis(name: str) -> None:
    wanted, absent, named, verdict, code = CASES[name]
    inventory, _observations, lan = scan_offline(name)
    assert fired(inventory) == wanted
    assert not absent & set(fired(inventory))
    for rule, expected in named.items():
        assert rooms(inventory, rule) == expected, rule
    assert inventory.verdict.error_803 == verdict
    assert exit_code(inventory) == code
    assert_read_only(lan)
    document = json.loads(render_json(inventory))
    jsonschema.validate(document, schema())
    assert summary_of(analyze(inventory_from_dict(document))) == summary_of(inventory)


def summary_of(inventory: Inventory) -> object:
    return (sorted((f.rule, f.severity.value, f.players) for f in inventory.findings),
            inventory.verdict.error_803)


def test_a_healthy_household_on_one_release_is_not_told_to_stop() -> None:
    inventory, _o, _l = scan_offline("one-release-many-builds")
    assert len(inventory.players) == 8
    assert "no software-track conflict" in inventory.verdict.summary.lower()
    document = json.loads(render_json(inventory))
    assert {p["release_standing"] for p in document["players"]} <= {"in-step", "same-release"}
    assert {p["branch"] for p in document["players"]} == {"s2"}


def test_the_product_back_after_years_is_the_one_named_never_the_reference() -> None:
    inventory, _o, _l = scan_offline("s2-back-after-years")
    [finding] = [f for f in inventory.findings if f.rule == "below-min-compatible"]
    attic = next(p for p in inventory.players if p.room == "Attic")
    assert finding.players == (attic.uuid,)
    assert "release 13.1" in finding.detail and "63.2-88230" in finding.detail
    assert any("85.0-00000" in e for e in finding.evidence)
    assert "Attic" in inventory.verdict.summary and "incompatible" in inventory.verdict.summary
    s1, _o, _l = scan_offline("s1-back-after-years")
    [behind] = [f for f in s1.findings if f.rule == "behind-release"]
    assert "57.6-88280" in behind.detail and "release 11.2.9" in behind.detail
    assert "57.23-80060" in behind.detail and "11.16.2" in behind.detail


def test_behind_and_incompatible_are_told_apart_in_the_verdict() -> None:
    behind, _o, _l = scan_offline("lag-older-branch")
    assert "yet compatible" in behind.verdict.summary
    assert "incompatible" not in behind.verdict.summary
    assert "behind-release" in render_markdown(behind)


def test_a_satellite_start_believes_the_parent_and_the_product_itself() -> None:
    inventory, observations, lan = scan_offline("satellite-start")
    cabin = next(p for p in inventory.players if p.room == "Cabin")
    s2 = next(h for h in inventory.households if Track.S2 in h.tracks)
    s1 = next(h for h in inventory.households if h.tracks == (Track.S1,))
    assert cabin.uuid in s1.players and cabin.uuid not in s2.players
    assert cabin.uuid in s2.moved_out and not cabin.vanished and cabin.reachable
    sources = {r.source_uuid for r in observations.household_reads if r.topology is not None}
    arc = next(p for p in inventory.players if p.model_number == "S19")
    assert arc.uuid in sources  # confirmed through the parent the Sub names
    asked = [e for e in lan.log.entries if "GetHouseholdID" in (e["soap_action"] or "")]
    assert any(e["player"] == cabin.uuid for e in asked)


def test_household_ids_are_asked_only_when_in_doubt() -> None:
    for name in ("healthy-s2", "home-theater", "error-803"):
        _inventory, observations, lan = scan_offline(name)
        assert observations.household_ids == ()
        asked = [e for e in lan.log.entries
                 if (e["soap_action"] or "").endswith("#GetHouseholdID")]
        assert len(asked) <= 1  # at most the first topology read's own id, when no SSDP id
    _inventory, observations, _lan = scan_offline("vanished-but-answering")
    assert [a.household_id for a in observations.household_ids] == [
        "Sonos_FixtureVanishedAnswering01"]


def test_a_product_is_never_both_reachable_and_vanished() -> None:
    for name in CASES:
        inventory, _o, _l = scan_offline(name)
        assert not [p for p in inventory.players if p.reachable and p.vanished], name


def test_remembered_by_two_households_is_a_member_of_neither() -> None:
    inventory, _o, _l = scan_offline("remembered-twice")
    patio = next(p for p in inventory.players if p.room == "Patio")
    assert patio.vanished and patio.household_id is None
    assert all(patio.uuid in h.remembered for h in inventory.households)
    split = next(f for f in inventory.findings if f.rule == "split-households")
    text = " ".join(split.evidence)
    assert ('remembered by "Sonos_FixtureRememberedTwiceA01" and '
            '"Sonos_FixtureRememberedTwiceB02"') in text
    assert "2026-12-01T09:30:00Z" in text and "now in" not in text
    assert "now in" not in render_table(inventory) and "remembered by" in render_table(inventory)


def test_conflicting_model_facts_stay_unknown() -> None:
    inventory, _o, _l = scan_offline("conflicting-model-facts")
    connect = next(p for p in inventory.players if p.room == "Hi-Fi")
    assert connect.s2_capable is None
    assert "64 MB" in connect.s2_capable_basis and "family 16" in connect.s2_capable_basis
    assert "cannot tell" in connect.s2_capable_basis
    mixed = next(f for f in inventory.findings if f.rule == "mixed-generation")
    assert ": can run S2" not in mixed.advice and "not known" in mixed.advice
    assert capability("S9", None, "1.16.5.5-2", None, runs_s2=False).s2_capable is None
    assert capability("S9", None, "1.9.1.10-2.2", None, runs_s2=False).s2_capable is True
    assert capability("ZB100", 8, "1.5.0.0-2", None, runs_s2=False).s2_capable is False
    assert capability("ZP90", 32, "1.17.3.1-2", None, runs_s2=False).s2_capable is None
    assert capability("ZP90", 32, "1.16.5.5-2", None, runs_s2=False).s2_capable is False


def test_aligned_means_read_one_track_and_no_product_behind() -> None:
    healthy, _o, _l = scan_offline("healthy-aug-2026")
    assert diff_inventories(healthy, healthy).aligned
    for name in ("lag-older-branch", "s2-back-after-years", "error-803"):
        inventory, _o, _l = scan_offline(name)
        assert not diff_inventories(healthy, inventory).aligned, name
    split, _o, _l = scan_offline("established-s1-beside-s2")
    assert diff_inventories(split, split).aligned  # one track in each household
    info_only, _o, _l = scan_offline("update-in-progress")
    assert diff_inventories(info_only, info_only).aligned  # the info form does not count
    nothing = replace(healthy, players=(), households=())
    assert not diff_inventories(healthy, nothing).aligned


# ---- versions, branches and the release table ----


@pytest.mark.parametrize(("version", "expected"), [
    ("28.1-83040", Branch.S1), ("57.23-80060", Branch.S1), ("58.0-00000", Branch.S2_TRUNK),
    ("85.0-66270", Branch.S2_TRUNK), ("86.8-78270", Branch.S2_OLDER_HARDWARE),
    ("89.9-99999", Branch.S2_OLDER_HARDWARE), ("90.0-67171", Branch.S2_NEWER_HARDWARE),
    ("96.0-79160", Branch.S2_NEWER_HARDWARE), ("garbage", None), (None, None), ("0.0-0", None),
])
def test_branch_comes_from_the_major_in_fixed_ranges(version: str | None,
                                                     expected: Branch | None) -> None:
    assert branch(version) is expected


def test_versions_order_whole_within_a_branch() -> None:
    ordered = ["57.4-83220", "57.6-88280", "57.9-23010", "57.23-74170", "57.23-80060"]
    builds = [parse_build(v) for v in ordered]
    assert builds == sorted(builds)  # type: ignore[type-var]


def test_every_table_pair_maps_and_has_a_source() -> None:
    rows = release_table()
    assert len(rows) >= 40
    for row in rows:
        assert row.source.strip() and clean_display_version(row.label) == row.label
        if row.by_major_minor:
            major, minor = (int(x) for x in row.key.split("."))
            same = [r for r in rows if not r.by_major_minor
                    and r.key.startswith(f"{major}.{minor}-")]
            assert all(r.label == row.label for r in same), row.key
            assert release_label(f"{row.key}-12345", None).label == row.label
        else:
            build = parse_build(row.key)
            assert build is not None and known_release(build) == row
            assert release_label(row.key, None) == replace(
                release_label(row.key, None), label=row.label, basis="table")
        assert row.release_date is None or row.release_date[:4].isdigit()


def test_a_reported_label_wins_and_unknown_stays_unknown() -> None:
    assert release_label("92.0-71170", "17.7").basis == "description"
    assert release_label("95.0-77060", None).label is None
    assert release_label("95.0-77060", None).words() == "release label unknown"
    assert release_label("67.1-27100", None).words() == "runs 14.4"
    assert release_label("67.1-27100", "<script>").basis == "table"


def test_the_schema_rule_enum_is_every_rule_id() -> None:
    enum = schema()["properties"]["findings"]["items"]["properties"]["rule"]["enum"]
    assert sorted(enum) == sorted(RULE_IDS)
    for name in CASES:
        inventory, _o, _l = scan_offline(name)
        assert {f.rule for f in inventory.findings} <= set(RULE_IDS)


def test_nothing_read_is_its_own_verdict() -> None:
    """"Found nothing" never reads as "healthy" (issue 22): verdict unknown, exit 3."""
    from sonos_inventory.api import EXIT_INCOMPLETE, inventory_from
    from sonos_inventory.model import Likelihood, Method, ScanObservations

    nothing = inventory_from(ScanObservations("a", "b", (Method.SSDP,), (), (), ()))
    assert nothing.verdict.error_803 is Likelihood.UNKNOWN
    assert "nothing could be judged" in nothing.verdict.summary.lower()
    assert exit_code(nothing) == EXIT_INCOMPLETE
    jsonschema.validate(json.loads(render_json(nothing)), schema())
    assert "Unknown" in render_table(nothing) and "Unknown" in render_markdown(nothing)
    silent, _o, _l = scan_offline("offline-member")  # some read: judged from what was read
    assert silent.verdict.error_803 is Likelihood.POSSIBLE

"""Every rule with positive and negative scenarios; the verdict; the 803 golden report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from sonos_inventory.analyze.releases import Standing, build_gap, standings
from sonos_inventory.api import EXIT_CONFLICT, EXIT_INCOMPLETE, EXIT_OK, exit_code
from sonos_inventory.model import Inventory, Severity, Track
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.render_json import render_json, schema
from sonos_inventory.report.render_markdown import render_markdown
from sonos_inventory.report.render_table import render_table

from ..helpers import inventory_of

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def rules(inventory: Inventory) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in inventory.findings:
        found.setdefault(finding.rule, []).append(finding.severity.value)
    return found


def rooms(inventory: Inventory, rule: str) -> set[str | None]:
    uuids = {u for f in inventory.findings if f.rule == rule for u in f.players}
    return {p.room for p in inventory.players if p.uuid in uuids}


EXPECTED = {
    # scenario: (rules that must fire with their severities, verdict, exit code)
    "error-803": ({"mixed-generation": ["error"]}, "likely", EXIT_CONFLICT),
    "healthy-s2": ({}, "not-indicated", EXIT_OK),
    "home-theater": ({}, "not-indicated", EXIT_OK),
    "s1-only-in-s2": ({"mixed-generation": ["error"], "s1-only-product": ["error"]}, "likely",
                      EXIT_CONFLICT),
    "split-s1-s2": ({"split-households": ["info"], "s1-only-product": ["info", "info"],
                     "s2-readiness": ["info"]}, "not-indicated", EXIT_OK),
    "leftover-s1": ({"split-households": ["info"]}, "possible", EXIT_OK),
    "legacy-2015": ({"s1-only-product": ["info"] * 3, "s2-readiness": ["info"]},
                    "not-indicated", EXIT_OK),
    "behind-one-release": ({"behind-release": ["warning"]}, "possible", EXIT_OK),
    "update-in-progress": ({"version-skew": ["info"]}, "not-indicated", EXIT_OK),
    "offline-member": ({"unreachable-player": ["warning", "warning"]}, "possible",
                       EXIT_INCOMPLETE),
}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_rules_and_verdict_per_scenario(scenario: str) -> None:
    wanted, verdict, code = EXPECTED[scenario]
    inventory = inventory_of(scenario)
    assert rules(inventory) == wanted
    assert inventory.verdict.error_803 == verdict
    assert exit_code(inventory) == code
    jsonschema.validate(json.loads(render_json(inventory)), schema())


def test_803_names_the_product_room_and_serial() -> None:
    inventory = inventory_of("error-803")
    assert rooms(inventory, "mixed-generation") == {"Bedroom"}
    summary = inventory.verdict.summary
    assert "Bedroom" in summary and "00-0E-58-F0-01-04" in summary and "Play:5" in summary
    assert "Error 803" in summary
    finding = inventory.findings[0]
    assert "can run S2" in finding.advice and "Do not factory-reset" in finding.advice


def test_s1_only_product_gets_different_advice() -> None:
    inventory = inventory_of("s1-only-in-s2")
    mixed = next(f for f in inventory.findings if f.rule == "mixed-generation")
    assert "cannot run S2, ever" in mixed.advice and "trade-up" in mixed.advice
    only = next(f for f in inventory.findings if f.rule == "s1-only-product")
    assert any("32 MB" in e for e in only.evidence)  # shows the basis


def test_two_s2_branches_released_together_are_healthy() -> None:
    inventory = inventory_of("healthy-s2")
    versions = {p.software_version for p in inventory.players}
    assert {"86.7-77050", "95.0-77060"} <= versions
    assert not inventory.findings


def test_behind_one_release_shows_its_evidence() -> None:
    inventory = inventory_of("behind-one-release")
    [finding] = inventory.findings
    assert rooms(inventory, "behind-release") == {"Bathroom"}
    assert any("86.4-73290" in e and "older release than 86.7-77050" in e
               for e in finding.evidence)
    assert "86.7-77050" in finding.detail and "release label unknown" in finding.detail


def test_leftover_dual_capable_product_in_s1_system() -> None:
    inventory = inventory_of("leftover-s1")
    assert "could run S2" in inventory.verdict.summary
    assert "Bathroom" in inventory.verdict.summary


def test_2015_firmware_without_swgen_is_s1() -> None:
    inventory = inventory_of("legacy-2015")
    assert {p.track for p in inventory.players} == {Track.S1}
    assert all("major 28" in p.track_basis for p in inventory.players)
    assert all(f.severity is Severity.INFO for f in inventory.findings)


def test_release_heuristic_edges() -> None:
    assert build_gap(77060, 77050) == 10
    assert build_gap(19080, 88230) == 30850  # the five-digit wrap (63.2-88230 -> 64.3-19080)
    assert build_gap(77050, 77060) == -10
    inventory = inventory_of("healthy-s2")
    assert all(s.standing is Standing.IN_STEP
               for s in standings(list(inventory.players), Track.S2))


def test_adding_an_unreachable_player_never_removes_a_finding() -> None:
    from dataclasses import replace

    from sonos_inventory.analyze.verdict import analyze
    from sonos_inventory.model import ErrorKind, Problem

    inventory = inventory_of("error-803")
    ghost = replace(inventory.players[0], uuid="RINCON_000E58F0FFFF01400", reachable=False,
                    serial=None, errors=(Problem(ErrorKind.TIMEOUT, "no answer"),))
    household = replace(inventory.households[0],
                        players=(*inventory.households[0].players, ghost.uuid))
    bigger = analyze(replace(inventory, players=(*inventory.players, ghost),
                             households=(household,)))
    before = {(f.rule, f.players) for f in inventory.findings}
    after = {(f.rule, f.players) for f in bigger.findings}
    assert before <= after


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; rerun with UPDATE_GOLDEN=1 if intended"


def test_golden_803_markdown_and_json() -> None:
    inventory = inventory_of("error-803")
    context = ReportContext(note="Case 01234567", diagnostic_id="1234567")
    check_golden("error-803.md", render_markdown(inventory, context))
    check_golden("error-803.json", render_json(inventory, context))


def test_table_ends_with_verdict_and_how_to_get_the_report() -> None:
    text = render_table(inventory_of("error-803"))
    lines = text.splitlines()
    assert "| Error 803 (software-track conflict): Likely" in lines
    assert lines[-1].startswith("=====")  # the verdict's frame closes the output
    frame = lines.index("| Error 803 (software-track conflict): Likely") - 1
    assert lines[frame].startswith("=====") and all(
        line.startswith("| ") for line in lines[frame + 1:-1])
    assert any("--format markdown" in line for line in lines[:frame])

"""One analysis step (issue 19): classification runs inside analyze(), the same on a live scan and
on a loaded file. A saved file is classified again from the raw facts it holds, so an edited
classified field changes nothing; a file made before schema_version 2 keeps the role and
connection it stored, marked "from the file". Every output of every built-in scenario, with
and without --deep, validates against the schema and loads back through analyze, diff and the
history.

The default tier runs a fixed sample of the scenarios; the slow tier (`make test-slow`) all.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sonos_inventory import history
from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.api import read_input
from sonos_inventory.deliver import OutputRequest, deliver
from sonos_inventory.diff import diff_inventories
from sonos_inventory.model import FROM_THE_FILE, Inventory, ScanObservations
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.render_json import inventory_dict, inventory_from_dict, schema
from sonos_inventory.report.schema_enums import ENUMS, enums_in
from sonos_inventory.scenario.builtin import SCENARIOS

from ..conftest import ROOT, scan_offline

EVERY = [(name, deep) for name in SCENARIOS for deep in (False, True)]
SAMPLED = set(random.Random(19).sample(EVERY, 3))
CASES = [pytest.param(name, deep, marks=() if (name, deep) in SAMPLED else pytest.mark.slow)
         for name, deep in EVERY]
"""A fixed sample in the default tier; the rest in the slow tier (make test-slow)."""


def classified(inventory: Inventory) -> dict[str, Any]:
    """Everything analysis decides, for comparing two analyses."""
    return {
        "players": [(p.uuid, p.track, p.track_basis, p.s2_capable, p.s2_capable_basis, p.role,
                     p.role_basis, p.connection, p.connection_basis, p.wifi_band,
                     p.channel_mhz, p.battery_percent, p.charging, p.behind_wifi_extender,
                     p.model_name) for p in inventory.players],
        "households": [(h.household_id, h.tracks) for h in inventory.households],
        "findings": [(f.rule, f.severity, f.players, f.title, f.detail, f.advice, f.evidence)
                     for f in inventory.findings],
        "verdict": inventory.verdict,
    }


@pytest.mark.parametrize(("name", "deep"), CASES)
def test_scan_save_load_analyze_gives_the_same_analysis(name: str, deep: bool,
                                                        tmp_path: Path) -> None:
    try:
        inventory, observations, _lan = scan_offline(name, deep=deep)
    except ValueError as exc:  # socket-level faults: tests/integration (the real emulator)
        pytest.skip(str(exc))
    assert_round_trips(inventory, observations, tmp_path)


def assert_round_trips(inventory: Inventory, observations: ScanObservations,
                       tmp_path: Path) -> None:
    """Saved as JSON, as a bundle and in the history, the scan loads back (schema-valid) to
    the same analysis, and diff finds no change between two saves of it."""
    document = inventory_dict(inventory)
    jsonschema.validate(document, schema())
    loaded = analyze(inventory_from_dict(json.loads(json.dumps(document))))
    assert classified(loaded) == classified(inventory)

    # ... and through the files people keep: the JSON, the bundle, the history
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(document), "utf-8")
    bundle = tmp_path / "bundle.zip"
    delivered = deliver(inventory, OutputRequest("json", tmp_path / "out.json", bundle),
                        ReportContext(), observations=observations)
    assert delivered.ok, delivered.failures
    folder = tmp_path / "history"
    history.save(document, folder)
    history.save(document, folder)
    (entry, again) = list(history.entries(folder))
    assert entry.document is not None and again.document is not None
    for path in (saved, bundle, entry.path):
        reread, _raw = read_input(path)
        assert classified(reread) == classified(inventory), path.name
    before, _raw = read_input(entry.path)
    after, _raw = read_input(again.path)
    change = diff_inventories(before, after)
    assert (change.added, change.removed, change.changed) == ((), (), ())


def edited(document: dict[str, Any]) -> dict[str, Any]:
    """Every classified value in the file changed to something else."""
    other = copy.deepcopy(document)
    for player in other["players"]:
        player["track"] = "S1" if player["track"] != "S1" else "S2"
        player["s2_capable"] = not player["s2_capable"]
        player["role"] = "bridge" if player["role"] != "bridge" else "player"
        player["connection"] = "wired" if player["connection"] != "wired" else "wifi"
        player["track_basis"] = player["role_basis"] = player["connection_basis"] = "edited"
        player["wifi_band"] = None
    for household in other["households"]:
        household["tracks"] = ["S1", "S2"]
    other["findings"] = []
    other["verdict"] = {"error_803": "not-indicated", "summary": "edited"}
    return other


@pytest.mark.parametrize("name", ["error-803", "home-theater", "healthy-s2"])
def test_an_edited_classified_field_changes_nothing(name: str) -> None:
    inventory, _o, _l = scan_offline(name)
    document = json.loads(json.dumps(inventory_dict(inventory)))
    loaded = analyze(inventory_from_dict(edited(document)))
    assert classified(loaded) == classified(inventory)


def as_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """The file as a tool before schema_version 2 wrote it: no facts, no role basis."""
    old = copy.deepcopy(document)
    old["schema_version"] = 1
    old.pop("analyzed_by")
    for player in old["players"]:
        player.pop("facts")
        player.pop("role_basis")
    return old


def test_a_file_without_raw_facts_keeps_its_role_and_connection_from_the_file() -> None:
    inventory, _o, _l = scan_offline("home-theater")
    old = as_version_1(json.loads(json.dumps(inventory_dict(inventory))))
    jsonschema.validate(old, schema())
    old["players"][0]["track"] = "S1"  # a track is decided again: its inputs are in the file
    old["players"][0]["role"] = "subwoofer"  # a role is not: kept, and said to be
    loaded = analyze(inventory_from_dict(old))
    first = loaded.players[0]
    assert first.track is inventory.players[0].track
    assert first.role.value == "subwoofer" and first.role_basis == FROM_THE_FILE
    assert all(p.connection == q.connection and p.connection_basis.startswith(FROM_THE_FILE)
               for p, q in zip(loaded.players, inventory.players, strict=True))
    assert analyze(loaded) == loaded  # analysing again adds nothing ("from the file" once)


def test_diff_of_an_old_file_and_a_new_one_reports_no_reclassification() -> None:
    inventory, _o, _l = scan_offline("error-803")
    document = json.loads(json.dumps(inventory_dict(inventory)))
    old = as_version_1(document)
    for player in old["players"]:
        player["connection"] = "wired"  # what an older rule might have said
        player["track"] = "unknown"
    change = diff_inventories(analyze(inventory_from_dict(old)),
                              analyze(inventory_from_dict(document)))
    assert change.changed == ()


def test_the_json_says_which_tool_analysed_it() -> None:
    inventory, _o, _l = scan_offline("error-803")
    document = inventory_dict(inventory)
    assert document["schema_version"] == 2
    assert document["analyzed_by"]["name"] == "sonos-inventory"
    assert all(isinstance(p["facts"], dict) for p in document["players"])


def test_the_shipped_schema_has_the_models_enums() -> None:
    """The file other readers get; run scripts/update-schema when this fails."""
    shipped = json.loads((ROOT / "sonos_inventory" / "data" / "inventory.schema.json")
                         .read_text("utf-8"))
    assert enums_in(shipped) == ENUMS


def test_the_schema_the_tool_validates_with_follows_the_registered_rules() -> None:
    """Adding a rule is the rule (registered with @rule, listed in RULES) and its tests: the
    ids, and the schema the tool validates with, follow."""
    from sonos_inventory.analyze.rules import RULE_ID
    from sonos_inventory.analyze.verdict import EVERY_RULE, RULE_IDS

    assert all(rule in RULE_ID for rule in EVERY_RULE)
    assert tuple(RULE_ID[rule] for rule in EVERY_RULE) == RULE_IDS
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    rule_enum = schema()["properties"]["findings"]["items"]["properties"]["rule"]["enum"]
    assert rule_enum == list(RULE_IDS)


@pytest.mark.parametrize("name", ["home-theater", *(
    pytest.param(n, marks=pytest.mark.slow) for n in ("error-803", "stereo-partner-offline"))])
def test_a_bundle_without_facts_is_classified_from_its_raw_captures(name: str,
                                                                    tmp_path: Path) -> None:
    """A bundle made before schema_version 2: its inventory.json has no facts, its raw/
    captures have them, so nothing is left "from the file" for a product they list."""
    import zipfile

    inventory, observations, _lan = scan_offline(name)
    bundle = tmp_path / "new.zip"
    assert deliver(inventory, OutputRequest("json", tmp_path / "x.json", bundle),
                   ReportContext(), observations=observations).ok
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(old, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "inventory.json":
                data = json.dumps(as_version_1(json.loads(data))).encode()
            target.writestr(item, data)
    reread, _raw = read_input(old)
    listed = [p for p in reread.players if not p.vanished]
    assert listed and all(p.facts is not None and p.role_basis != FROM_THE_FILE
                          for p in listed)
    assert classified(reread) == classified(inventory)

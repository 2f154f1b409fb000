"""The scan history and the fleet view are API calls of their own (issue 19): the command line
makes them, scan() never does. Pure files in a temporary folder; no network."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import sonos_inventory
from sonos_inventory import api
from sonos_inventory.errors import UsageError
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.render_json import render_json

from ..helpers import inventory_of


def test_record_in_history_saves_and_gives_first_seen(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    inventory = inventory_of("error-803")
    first = api.record_in_history(inventory, directory=folder)
    assert first.saved is not None and first.saved.parent == folder
    assert {u for u, _ in first.context.first_seen} == {p.uuid for p in inventory.players}
    again = api.record_in_history(inventory, ReportContext("note"), save=False,
                                  directory=folder)
    assert again.saved is None and again.context.note == "note"
    assert dict(again.context.first_seen) == dict(first.context.first_seen)  # the earliest
    nothing = replace(inventory, players=())
    assert api.record_in_history(nothing, directory=folder).saved is None  # never saved


def test_a_broken_history_is_a_warning_never_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir(mode=0o700)
    (folder / "scan-20260101T000000Z.json").write_text("{not json")
    update = api.record_in_history(inventory_of("healthy-s2"), directory=folder)
    assert update.saved is not None
    assert any("skipped 1 bad file" in w for w in update.warnings)
    listed = api.saved_scans(directory=folder)
    assert [e["readable"] for e in listed] == [False, True]


def test_scans_to_compare_picks_the_last_two_of_a_label(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    smith = replace(inventory_of("error-803"), label="Smith house")
    jones = replace(inventory_of("healthy-s2"), label="Jones")
    for inventory in (smith, jones, smith, jones):
        api.record_in_history(inventory, directory=folder)
    chosen = api.scans_to_compare(label="Smith house", directory=folder)
    (before, old), (after, new) = chosen.before, chosen.after
    assert before != after and old.label == new.label == "Smith house"
    with pytest.raises(UsageError, match=r'0 usable scan\(s\) labelled "Nobody"'):
        api.scans_to_compare(label="Nobody", directory=folder)


def test_fleet_summarises_problems_first_and_counts_a_file_once(tmp_path: Path) -> None:
    paths = []
    for name, scenario in (("ok", "healthy-s2"), ("bad", "error-803")):
        path = tmp_path / f"{name}.json"
        path.write_text(render_json(inventory_of(scenario)))
        paths.append(path)
    view = api.fleet([*paths, paths[0]])
    assert [site.name for site in view.sites] == ["bad.json", "ok.json"]  # problems first
    assert view.exit_code == api.EXIT_CONFLICT and len(view.notes) == 1
    document = json.loads("".join(view.chunks("json")))
    assert [s["site"] for s in document["sites"]] == ["bad.json", "ok.json"]
    redacted = api.fleet(paths, redact=True)
    text = "".join(redacted.chunks("csv"))
    assert "00-0E-58-F0-01-04:C" not in text and redacted.redaction_map()


def test_the_package_exports_the_history_and_fleet_calls() -> None:
    for name in ("record_in_history", "saved_scans", "scans_to_compare", "clear_history",
                 "fleet", "exit_code", "validate_label"):
        assert name in sonos_inventory.__all__ and callable(getattr(sonos_inventory, name))

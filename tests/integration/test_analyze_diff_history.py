"""analyze, diff and the scan history, through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.report.render_json import render_json

from ..helpers import inventory_of

Start = Callable[..., Emulator]


@pytest.fixture(autouse=True)
def isolated_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(home))
    yield home / "history"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def saved(tmp_path: Path, name: str, scenario: str) -> Path:
    path = tmp_path / name
    path.write_text(render_json(inventory_of(scenario)))
    return path


def fixed_803(tmp_path: Path) -> Path:
    """The 803 household after support's fix: the Play:5 moved to S2 and updated."""
    document = json.loads(render_json(inventory_of("error-803")))
    for player in document["players"]:
        if player["room"] == "Bedroom":
            player.update(track="S2", sw_gen=2, software_version="95.0-77060",
                          display_version="17.8", min_compatible_version="94.0-00000")
            player["facts"].update(description_sw_gen=2, topology_sw_gen=2)  # what it says
    document["households"][0]["tracks"] = ["S2"]
    path = tmp_path / "after.json"
    path.write_text(json.dumps(document))
    return path


def test_analyze_reruns_the_rules_offline(tmp_path: Path) -> None:
    before = saved(tmp_path, "before.json", "error-803")
    code, out, _ = run("analyze", str(before), "--format", "markdown", "--note", "case 42")
    assert code == 1
    assert "## Verdict: Likely" in out and "case 42" in out
    code, out, _ = run("analyze", str(saved(tmp_path, "ok.json", "healthy-s2")))
    assert code == 0 and "(software-track conflict): Not indicated" in out


@pytest.mark.parametrize("content", ["not json", '{"schema_version": 1}', "[]"])
def test_analyze_refuses_what_is_not_an_inventory(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, _, err = run("analyze", str(path))
    assert code == 2 and "bad.json" in err


def test_diff_before_and_after_the_fix(tmp_path: Path) -> None:
    before = saved(tmp_path, "before.json", "error-803")
    after = fixed_803(tmp_path)
    code, out, _ = run("diff", str(before), str(after))
    assert code == 0
    assert '"Bedroom: Sonos Play:5": software 57.23-80060 -> 95.0-77060, track S1 -> S2' in out
    assert out.rstrip().endswith("Every product in each household is on one track and "
                                 "compatible.")
    code, out, _ = run("diff", str(after), str(before))
    assert code == 1 and "NOT aligned" in out


def test_diff_reports_added_and_removed_products(tmp_path: Path) -> None:
    code, out, _ = run("diff", str(saved(tmp_path, "a.json", "healthy-s2")),
                       str(saved(tmp_path, "b.json", "offline-member")), "--force")
    assert out.startswith("DIFFERENT SYSTEMS")
    assert "Added:" in out and "Removed:" in out
    assert code == 0  # offline-member is on one track and in step


def test_history_first_seen_diff_and_clear(emulate: Start, isolated_history: Path) -> None:
    code, _, err = run("diff")
    assert code == 2 and "history" in err
    emulate("healthy-s2")
    for _ in range(2):
        code, _, _ = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns", "-f", "json")
        assert code == 0
    code, out, _ = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns", "-f", "markdown",
                       "--no-history")
    assert "| First seen |" in out and "first saw the product on this computer" in out
    assert len(list(isolated_history.glob("scan-*.json"))) == 2
    code, out, _ = run("history")
    assert code == 0 and len(out.strip().splitlines()) == 3  # the header, then two scans
    code, out, _ = run("diff")
    assert code == 0 and "No products added, removed or changed." in out
    code, _, err = run("history", "--clear", "--yes")
    assert code == 0 and "Deleted 2" in err
    assert not list(isolated_history.glob("scan-*.json"))


def test_demo_never_writes_history(isolated_history: Path) -> None:
    code, _, _ = run("demo", "--scenario", "healthy-s2", "-f", "json")
    assert code == 0
    assert not isolated_history.exists()


def test_diff_label_compares_that_sites_last_two_scans(isolated_history: Path,
                                                        tmp_path: Path) -> None:
    from sonos_inventory import history

    for index, (label, scenario) in enumerate((("Smith house", "error-803"),
                                               ("Jones flat", "healthy-s2"),
                                               ("Smith house", "error-803"))):
        document = json.loads(render_json(inventory_of(scenario)))
        document["label"] = label
        document["scan"]["finished_at"] = f"2026-12-0{index + 1}T10:00:00Z"
        history.save(document)
    code, out, err = run("diff", "--label", "Smith house")
    assert code == 1  # the 803 household is still not aligned
    assert out.startswith('Before: "Smith house" (2026-12-01T10:00:00Z)')
    assert 'After:  "Smith house" (2026-12-03T10:00:00Z)' in out
    assert '"Smith house"' in err
    code, _, err = run("diff", "--label", "Nobody")
    assert code == 2 and 'labelled "Nobody"' in err
    code, out, _ = run("diff", "--label", "Smith house", "--format", "json")
    document = json.loads(out)
    assert document["before_label"] == document["after_label"] == "Smith house"


def test_history_has_a_header_local_times_an_incomplete_marker_and_fits_80_columns(
        isolated_history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time as _time

    from sonos_inventory import history

    monkeypatch.setenv("TZ", "Europe/Paris")
    _time.tzset()
    try:
        for scenario in ("healthy-s2", "offline-member"):
            document = json.loads(render_json(inventory_of(scenario)))
            document["label"] = "A rather long site name for an installer" * 3
            document["scan"]["finished_at"] = "2026-12-01T10:00:00Z"
            history.save(document)
        code, out, _ = run("history")
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:2] == ["Finished", "(local"]
    assert all(len(line) <= 80 for line in lines), lines
    assert "2026-12-01 11:00 CET" in out and "INCOMPLETE" in out and "complete" in out


@pytest.mark.slow
@pytest.mark.parametrize("deep", [False, True])
def test_the_hostile_household_round_trips_through_every_file(
        emulate: Callable[..., Emulator], tmp_path: Path, deep: bool) -> None:
    """The one built-in household whose faults need real sockets (tests/unit/
    test_one_analysis_step.py does the others without sockets)."""
    from ..conftest import scan_loopback
    from ..unit.test_one_analysis_step import assert_round_trips

    emulate("hostile")
    inventory, observations = scan_loopback(deep=deep)
    assert inventory.players
    assert_round_trips(inventory, observations, tmp_path)

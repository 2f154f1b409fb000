"""For installers and scripts (issue 13): CSV, a fleet of systems, labels, diff that knows
systems apart, machine output of diff and history, and the Python API."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import sonos_inventory
from sonos_inventory.cli import cli
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.report.render_csv import FORMULA_STARTS, cell, render_csv
from sonos_inventory.report.render_json import render_json

from ..helpers import inventory_of

Start = Callable[..., Emulator]
DATA = Path(sonos_inventory.__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(tmp_path / "home"))
    yield tmp_path / "home" / "history"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    # stdout_bytes: Result.stdout turns CRLF into LF, and CSV line ends are part of the contract
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def saved(tmp_path: Path, name: str, scenario: str, label: str | None = None) -> Path:
    path = tmp_path / name
    inventory = inventory_of(scenario)
    path.write_text(render_json(replace(inventory, label=label)))
    return path


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# ---- CSV ----


def test_csv_parses_back_with_one_row_per_product(tmp_path: Path) -> None:
    code, out, _ = run("analyze", str(saved(tmp_path, "a.json", "split-s1-s2")), "-f", "csv")
    assert code == 0
    assert "\r\n" in out and not out.startswith("\ufeff")
    table = parse_csv(out)
    inventory = inventory_of("split-s1-s2")
    assert len(table) == len(inventory.players)
    assert list(table[0])[:10] == ["household_id", "room", "model_name", "model_number",
                                   "series_id", "serial", "software_version", "display_version",
                                   "track", "s2_capable"]
    assert {"connection", "connection_basis", "boot_seq"} <= set(table[0])  # issue 12's fields
    garage = next(r for r in table if r["room"] == "Garage")
    assert garage["model_number"] == "ZP90" and garage["track"] == "S1"
    assert garage["s2_capable"] == "false" and garage["reachable"] == "true"
    assert garage["findings"].split(";") == ["s1-only-product", "split-households",
                                          "s2-readiness"]
    code, out, _ = run("analyze", str(saved(tmp_path, "b.json", "healthy-s2")), "-f", "csv",
                       "--csv-bom")
    assert out.startswith("\ufeff") and parse_csv(out[1:])[0]["household_id"]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_formula_cells_are_neutralised(start: str) -> None:
    inventory = inventory_of("healthy-s2")
    evil = f"{start}HYPERLINK(\"http://x\",\"y\")"
    players = (replace(inventory.players[0], room=evil), *inventory.players[1:])
    table = parse_csv(render_csv(replace(inventory, players=players)))
    room = table[0]["room"]
    assert not room.startswith(FORMULA_STARTS) and "HYPERLINK" in room
    assert cell("-12") == "'-12" and cell("12") == "12" and cell(None) == ""


def test_csv_cells_carry_no_control_characters() -> None:
    inventory = inventory_of("healthy-s2")
    players = (replace(inventory.players[0], room="Kitchen\x1b[2J\r\nDen"),
               *inventory.players[1:])
    text = render_csv(replace(inventory, players=players))
    assert "\x1b" not in text and parse_csv(text)[0]["room"].startswith("Kitchen")


# ---- fleet ----


def test_a_fleet_of_three_bundles(tmp_path: Path) -> None:
    bundles = []
    for name, scenario, label in (("one", "healthy-s2", "Smith house"),
                                  ("two", "error-803", None), ("three", "offline-member", "Shop")):
        bundle = tmp_path / f"{name}.zip"
        code, _, _ = run("analyze", str(saved(tmp_path, f"{name}.json", scenario, label)),
                         "--bundle", str(bundle), "-o", str(tmp_path / f"{name}.md"))
        bundles.append(bundle)
    code, out, _ = run("analyze", *map(str, bundles), "-f", "csv")
    assert code == 1  # the worst site: a conflict
    table = parse_csv(out)
    assert next(iter(table[0])) == "site"
    assert {r["site"] for r in table} == {"Smith house", "two.zip", "Shop"}
    assert sum(r["site"] == "two.zip" for r in table) == 4
    code, out, _ = run("analyze", *map(str, bundles), "-f", "markdown")
    assert code == 1 and "## Summary" in out and "| Smith house | 4 | 4 | 0 |" in out
    code, out, _ = run("analyze", *map(str, bundles[::2]), "-f", "html")
    assert code == 3 and "<table class=\"summary\">" in out and "Shop" in out  # incomplete first
    assert out.count("<table class=\"inventory\">") == 2  # each site: the report's table
    code, out, _ = run("analyze", *map(str, bundles), "-f", "json")
    sites = json.loads(out)["sites"]
    assert [s["verdict"] for s in sites] == ["likely", "possible", "not-indicated"]
    code, _, err = run("analyze", *map(str, bundles), "--bundle", str(tmp_path / "x.zip"))
    assert code == 2 and "--bundle takes one input" in err


# ---- labels ----


def test_labels_through_scan_history_and_reports(emulate: Start, tmp_path: Path) -> None:
    emulate("healthy-s2")
    args = ["scan", "--interface-addr", "127.0.0.1", "--no-mdns"]
    code, out, _ = run(*args, "--label", "Smith house", "-f", "json")
    assert code == 0 and json.loads(out)["label"] == "Smith house"
    code, out, _ = run(*args, "--label", "Jones flat")
    assert out.startswith('System: "Jones flat"')
    code, out, _ = run("history")
    assert "\"Smith house\"" in out and "\"Jones flat\"" in out
    code, out, _ = run("history", "--label", "smith", "-f", "json")
    document = json.loads(out)
    jsonschema.validate(document, json.loads((DATA / "history.schema.json").read_text()))
    assert [s["label"] for s in document["scans"]] == ["Smith house"]
    latest = Path(document["scans"][0]["path"])
    code, out, _ = run("analyze", str(latest), "-f", "markdown")
    assert "**System:** Smith house" in out
    code, out, _ = run("analyze", str(latest), "-f", "markdown", "--label", "Renamed")
    assert "**System:** Renamed" in out
    bundle = tmp_path / "b.zip"
    run("analyze", str(latest), "--bundle", str(bundle), "-o", str(tmp_path / "r.txt"))
    import zipfile

    with zipfile.ZipFile(bundle) as archive:
        assert json.loads(archive.read("manifest.json"))["label"] == "Smith house"
    _, out, _ = run("analyze", str(latest), "-f", "json", "--redact")
    assert json.loads(out)["label"] == "Smith house"  # labels survive --redact...
    _, out, _ = run("analyze", str(latest), "-f", "json", "--redact-rooms")
    assert "Smith" not in out  # ...but not --redact-rooms
    code, _, err = run("analyze", str(latest), "--label", "a\x1bb")
    assert code == 2 and "printable" in err


def test_history_clear_asks_first(emulate: Start, isolated_history: Path) -> None:
    emulate("healthy-s2")
    run("scan", "--interface-addr", "127.0.0.1", "--no-mdns")
    code, _, err = run("history", "--clear")  # no terminal: refuses without --yes
    assert code == 2 and "--yes" in err
    assert len(list(isolated_history.glob("scan-*.json"))) == 1
    code, _, err = run("history", "--clear", "--yes")
    assert code == 0 and not list(isolated_history.glob("scan-*.json"))


# ---- diff ----


def test_diff_of_two_different_systems_refuses_unless_forced(tmp_path: Path) -> None:
    one = saved(tmp_path, "one.json", "healthy-s2")
    other = saved(tmp_path, "other.json", "error-803")
    code, out, err = run("diff", str(one), str(other))
    assert code == 2 and "different systems" in err and not out
    code, out, _ = run("diff", str(one), str(other), "--force")
    assert code == 1 and out.startswith("DIFFERENT SYSTEMS")
    code, out, _ = run("diff", str(one), str(other), "--force", "-f", "json")
    document = json.loads(out)
    jsonschema.validate(document, json.loads((DATA / "diff.schema.json").read_text()))
    assert document["same_system"] is False and document["forced"] is True


def test_diff_names_new_and_gone_households(tmp_path: Path) -> None:
    before = saved(tmp_path, "before.json", "split-s1-s2")
    document = json.loads(before.read_text())
    document["households"] = document["households"][1:]  # the S1 system was retired
    legacy = {p["uuid"] for p in json.loads(before.read_text())["players"]
              if p["track"] == "S1"}
    document["players"] = [p for p in document["players"] if p["uuid"] not in legacy]
    after = tmp_path / "after.json"
    after.write_text(json.dumps(document))
    code, out, _ = run("diff", str(before), str(after), "-f", "json")
    result = json.loads(out)
    assert result["same_system"] and result["gone_households"] == [
        "HHID_FixtureSplitLegacyS1xxxxxx01"]
    assert len(result["removed"]) == 2 and code == 0
    _, text, _ = run("diff", str(before), str(after))
    assert 'Household(s) gone: "HHID_FixtureSplitLegacyS1xxxxxx01"' in text


# ---- Python API ----


def test_the_exported_names_are_the_documented_ones() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Python API"):]
    section = section[:section.index("\n## ", 5)]
    for name in sonos_inventory.__all__:
        assert f"`{name}" in section, name
    assert callable(sonos_inventory.scan) and sonos_inventory.scan.__doc__
    import sonos_inventory.scan as module  # the submodule never hides the function

    assert module is sonos_inventory.scan  # type: ignore[comparison-overlap]
    assert callable(sonos_inventory.analyze)
    for name in sonos_inventory.__all__:
        if name != "__version__":
            assert getattr(sonos_inventory, name).__doc__, name


def test_the_api_scans_the_emulator(emulate: Start, isolated_history: Path,
                                    caplog: pytest.LogCaptureFixture,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    emulate("error-803")
    caplog.set_level(logging.DEBUG, logger="sonos_inventory")
    inventory = sonos_inventory.scan(interface_addrs=["127.0.0.1"], mdns=False, timeout=15,
                                     label="Lab")
    assert isinstance(inventory, sonos_inventory.Inventory) and inventory.label == "Lab"
    on_s1 = [p.room for p in inventory.players if p.track is sonos_inventory.Track.S1]
    assert on_s1 == ["Bedroom"]
    assert inventory.verdict.error_803 == "likely"
    document = sonos_inventory.to_json(inventory)
    assert document["label"] == "Lab" and len(document["players"]) == 4
    assert capsys.readouterr() == ("", "")  # it never prints
    assert not isolated_history.exists()  # and never writes history
    assert any(r.name.startswith("sonos_inventory") for r in caplog.records)
    with pytest.raises(sonos_inventory.UsageError):
        sonos_inventory.scan(hosts=["not-an-address"])


def test_the_api_loads_and_analyses(tmp_path: Path) -> None:
    path = saved(tmp_path, "a.json", "behind-one-release")
    inventory = sonos_inventory.load(path)
    assert [f.rule for f in inventory.findings] == ["behind-release"]
    assert sonos_inventory.analyze(inventory).verdict == inventory.verdict
    (tmp_path / "bad.json").write_text("[" * 100000)
    with pytest.raises(sonos_inventory.UsageError):
        sonos_inventory.load(tmp_path / "bad.json")


def test_analyze_suggests_the_report_of_the_same_file_never_a_scan(tmp_path: Path) -> None:
    path = saved(tmp_path, "a.json", "healthy-s2")
    code, out, _ = run("analyze", str(path))
    assert code == 0
    hint = " ".join(out[out.index("For the full support report"):].split())  # may be wrapped
    assert " analyze " in hint and str(path) in hint and " scan " not in hint
    assert "(S2, 4 products" in out
    _, out, _ = run("analyze", str(saved(tmp_path, "one.json", "split-stale-dual")))
    assert "(S1, 1 product)" in out


def test_fleet_names_never_collide_and_problems_come_first(tmp_path: Path) -> None:
    paths = []
    for index, (label, scenario) in enumerate((("X", "healthy-s2"), ("X", "error-803"),
                                               ("X #2", "offline-member"))):
        document = json.loads(render_json(inventory_of(scenario)))
        document["label"] = label
        path = tmp_path / f"{index}.json"
        path.write_text(json.dumps(document))
        paths.append(str(path))
    code, out, _ = run("analyze", *paths, "-f", "json")
    sites = json.loads(out)["sites"]
    assert code == 1
    assert [s["verdict"] for s in sites] == ["likely", "possible", "not-indicated"]
    names = [s["site"] for s in sites]
    assert len(set(names)) == 3 and set(names) == {"X", "X #2", "X #2 #2"}


def test_every_csv_row_says_which_system_and_scan_and_analyze_names_the_format(
        tmp_path: Path) -> None:
    saved = tmp_path / "a.json"
    saved.write_text(render_json(replace(inventory_of("healthy-s2"), label="Smith house")))
    code, out, _ = run("analyze", str(saved), "-f", "csv")
    table = parse_csv(out)
    assert {r["label"] for r in table} == {"Smith house"}
    assert {r["scan_started_at"] for r in table} == {"2026-11-25T10:00:00Z"}
    for fmt, word in (("csv", "CSV"), ("markdown", "Markdown"), ("html", "HTML")):
        other = tmp_path / f"report.{fmt}"
        assert run("analyze", str(saved), "-f", fmt, "-o", str(other))[0] == 0
        code, _, err = run("analyze", str(other))
        assert code == 2 and "looks like" in err and word in err, err
        assert "analyze reads inventory JSON" in err


def test_analyze_keeps_first_seen_note_and_diagnostic_id(tmp_path: Path) -> None:
    document = json.loads(render_json(inventory_of("healthy-s2")))
    for player in document["players"]:
        player["first_seen"] = "2026-10-01T09:00:00Z"
    document["report"] = {"note": "bathroom speaker moved", "diagnostic_id": "1234567"}
    saved = tmp_path / "a.json"
    saved.write_text(json.dumps(document))
    code, out, _ = run("analyze", str(saved), "-f", "json")
    assert code == 0
    again = json.loads(out)
    assert {p["first_seen"] for p in again["players"]} == {"2026-10-01T09:00:00Z"}
    assert again["report"] == {"note": "bathroom speaker moved", "diagnostic_id": "1234567"}
    _code, out, _ = run("analyze", str(saved), "-f", "csv")
    assert {r["first_seen"] for r in parse_csv(out)} == {"2026-10-01T09:00:00Z"}
    _code, out, _ = run("analyze", str(saved), "-f", "json", "--note", "new note")
    assert json.loads(out)["report"]["note"] == "new note"


@pytest.mark.parametrize("command", [[], ["scan"], ["demo"], ["emulate"], ["analyze"], ["diff"],
                                     ["history"], ["guide"]])
def test_every_help_fits_80_columns(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=80)
    assert result.exit_code == 0
    assert all(len(line) <= 80 for line in result.output.splitlines()), result.output


def test_help_names_where_files_go_and_the_environment() -> None:
    guide = CliRunner().invoke(cli, ["guide", "--help"], terminal_width=80).output
    assert "Documents" in guide and "SONOS_INVENTORY_DOCUMENTS" in guide
    assert "SONOS_INVENTORY_HOME" in guide and "temporary folder" in guide
    history = CliRunner().invoke(cli, ["history", "--help"], terminal_width=80).output
    assert "SONOS_INVENTORY_HOME" in history and "LOCALAPPDATA" in history
    emulate = CliRunner().invoke(cli, ["emulate", "--help"], terminal_width=80).output
    assert "(default)" not in emulate


def test_an_unreachable_host_says_the_real_cause_first() -> None:
    code, _, err = run("scan", "--host", "127.0.0.9:9", "--no-ssdp", "--no-mdns",
                       "--timeout", "3")
    assert code == 3
    first = err.strip().splitlines()[0] if "note:" not in err.splitlines()[0] else next(
        line for line in err.splitlines() if line.startswith("No Sonos product"))
    assert first.startswith("No Sonos product answered at 127.0.0.9:9:")
    assert "refused" in first
    assert "firewall" not in err.lower()


def test_no_network_interface_says_so() -> None:
    from sonos_inventory.scan import Scan, ScanOptions

    observations = Scan(ScanOptions(use_ssdp=True, use_mdns=True, budget_s=2.0),
                        interfaces=(), local_networks=()).run()
    assert any("not connected to a network" in note for note in observations.notes)


def test_debug_logs_name_each_address_asked_once(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="sonos_inventory")
    sonos_inventory.scan(hosts=["127.0.0.9:9"], ssdp=False, mdns=False, timeout=3)
    asked = [r.getMessage() for r in caplog.records if r.getMessage().startswith("asked ")]
    assert asked and all("127.0.0.9:9" in line and " s" in line for line in asked)
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("scan: ")]
    assert len(progress) == len(set(progress))  # no line repeated


def test_fleet_before_and_after_of_one_site_and_the_same_file_twice(tmp_path: Path) -> None:
    paths = []
    for index, (scenario, started) in enumerate((("error-803", "2026-12-01T10:00:00Z"),
                                                 ("healthy-s2", "2026-11-01T10:00:00Z"),
                                                 ("error-803", "2026-11-20T10:00:00Z"))):
        document = json.loads(render_json(inventory_of(scenario)))
        document["scan"]["started_at"] = started
        document["label"] = "Smith house" if scenario == "error-803" else "Jones flat"
        path = tmp_path / f"{index}.json"
        path.write_text(json.dumps(document))
        paths.append(str(path))
    code, out, err = run("analyze", *paths, paths[0])
    assert code == 1
    assert "given twice" in err
    lines = [line for line in out.splitlines() if line.startswith("  ") and "20" in line]
    assert len(lines) == 3 and all(len(line) <= 80 for line in out.splitlines()), [
        line for line in out.splitlines() if len(line) > 80]
    assert "2026-11-20" in lines[0] and "2026-12-01" in lines[1]  # the same site, in date order
    assert "Jones flat" in lines[2]
    _code, out, _ = run("analyze", *paths, "-f", "csv")
    table = parse_csv(out)
    assert {r["site_verdict"] for r in table} == {"likely", "not-indicated"}
    assert {"site_errors", "site_complete", "scan_started_at", "label"} <= set(table[0])


def test_guide_demo_searches_loopback_writes_no_history_and_says_where(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SONOS_INVENTORY_NO_BROWSER", "1")
    result = CliRunner().invoke(cli, ["guide", "--demo"], input="\n\n\n\n")
    assert result.exit_code == 1, result.output  # the built-in household's conflict
    assert "(software-track conflict): Likely" in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    folder = lines[lines.index("Saved in this folder:") + 1]  # in full, then the file names
    report = Path(folder) / "sonos-report.html"
    assert "- sonos-report.html: the report" in lines[lines.index(folder) + 1]
    assert report.is_file() and "sonos-inventory-guide-demo-" in folder
    assert not (tmp_path / "home" / "history").exists()  # the demo writes no history
    shutil.rmtree(report.parent.parent)

"""The support bundle: contents, manifest, replay to the same inventory, analyze of a bundle."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.report.render_json import schema

from ..conftest import scan_offline

pytestmark = pytest.mark.integration
KEYS = ("uuid", "room", "model_name", "model_number", "serial", "mac", "software_version",
        "display_version", "hardware_version", "sw_gen", "track", "s2_capable", "household_id",
        "role", "reachable", "vanished")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def players(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What must survive a replay: everything but addresses, timing and discovery paths."""
    return sorted((tuple(p[k] for k in KEYS), tuple(e["kind"] for e in p["errors"]))
                  for p in document["players"])


def test_demo_bundle_contents_and_stdout(tmp_path: Path) -> None:
    bundle = tmp_path / "case.zip"
    code, out, err = run("demo", "--bundle", str(bundle), "-f", "json")
    assert code == 1 and json.loads(out)["verdict"]["error_803"] == "likely"  # stdout kept
    assert f"Wrote {bundle}" in err
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert {"report.md", "report.html", "inventory.json", "manifest.json",
                "raw/_discovery/ssdp.json", "raw/_discovery/mdns.json"} <= names
        assert sum(n.startswith("raw/household-1/devices/") for n in names) == 4
        assert "raw/household-1/zone_group_state.xml" in names
        inventory = json.loads(archive.read("inventory.json"))
        jsonschema.validate(inventory, schema())
        manifest = json.loads(archive.read("manifest.json"))
        assert "## Verdict: Likely" in archive.read("report.md").decode()
    assert manifest["tool"]["name"] == "sonos-inventory"
    assert manifest["options"]["command"] == "demo" and manifest["redacted"] is False
    asked = [p["asked"] for p in manifest["probes"]]
    assert asked.count("device description") == 4 and asked.count("GetZoneGroupState") == 1
    assert all(p["timeout_s"] > 0 and p["elapsed_s"] >= 0 for p in manifest["probes"])
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically


@pytest.mark.parametrize("scenario,faults", [
    ("error-803", None),
    ("offline-member", None),
    ("healthy-s2", {"RINCON_000E58F0020301400": {"status": {"/xml/device_description.xml": 403}},
                    "RINCON_000E58F0020401400": {"body": {"/xml/device_description.xml":
                                                          "<garbage"}}}),
    ("split-s1-s2", {"*": {"status": {"GetZoneGroupState": 501}}}),
])
def test_a_bundle_replays_to_the_same_inventory(
    tmp_path: Path, scenario: str, faults: dict[str, Any] | None
) -> None:
    """Scan, bundle, unzip raw/, scan the replay: the same inventory. Both scans run the whole
    scan offline (emulator/offline.py: the emulator's own answers, no socket); the socket path
    of the same round trip is covered by test_analyze_reads_a_bundle_and_keeps_its_raw_part and
    the odd-capture replays."""
    from sonos_inventory.deliver import OutputRequest, deliver
    from sonos_inventory.report.context import ReportContext
    from sonos_inventory.report.render_json import inventory_dict
    from sonos_inventory.scenario.builtin import write_scenario

    source = write_scenario(scenario, tmp_path / "source")
    if faults:
        for household in source.iterdir():
            (household / "faults.json").write_text(json.dumps(faults))
    first, observations, _ = scan_offline(source)
    bundle = tmp_path / "case.zip"
    delivered = deliver(first, OutputRequest("json", tmp_path / "first.json", bundle),
                        ReportContext(), observations=observations, options={"command": "test"})
    assert delivered.ok, delivered.failures
    raw = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as archive:
        for name in archive.namelist():
            if name.startswith("raw/"):
                archive.extract(name, raw)
    replayed, _, _ = scan_offline(raw / "raw")
    original, again = inventory_dict(first), inventory_dict(replayed)
    assert players(again) == players(original)
    assert again["verdict"]["error_803"] == original["verdict"]["error_803"]
    assert [h["topology_read"] for h in again["households"]] == [
        h["topology_read"] for h in original["households"]]


def test_analyze_reads_a_bundle_and_keeps_its_raw_part(tmp_path: Path) -> None:
    bundle = tmp_path / "case.zip"
    run("demo", "--bundle", str(bundle), "-f", "json")
    code, out, _ = run("analyze", str(bundle), "-f", "markdown")
    assert code == 1 and "## Verdict: Likely" in out
    again = tmp_path / "again.zip"
    code, _, _ = run("analyze", str(bundle), "--bundle", str(again))
    with zipfile.ZipFile(again) as archive:
        assert any(n.startswith("raw/household-1/devices/") for n in archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["options"]["command"] == "analyze" and manifest["probes"] == []


def test_bundle_option_errors(tmp_path: Path) -> None:
    code, _, err = run("demo", "--bundle", str(tmp_path / "x.tar"))
    assert code == 2 and "zip" in err
    code, _, err = run("demo", "--redact-map", str(tmp_path / "map.json"))
    assert code == 2 and "--redact" in err


def test_redacted_bundle_and_map(tmp_path: Path) -> None:
    bundle, mapping = tmp_path / "case.zip", tmp_path / "map.json"
    code, out, _ = run("demo", "--bundle", str(bundle), "--redact-rooms", "--redact-map",
                       str(mapping), "-f", "markdown")
    assert code == 1  # the conflict is still found in redacted data
    real = ["00-0E-58-F0-01-04", "000E58F00104", "Sonos_FixtureErrorEightZeroThree01",
            "Bedroom"]
    texts = [out]
    with zipfile.ZipFile(bundle) as archive:
        texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        names = " ".join(archive.namelist())
    for text in [*texts, names]:
        for value in real:
            assert value.lower() not in text.lower(), value
    assert "S6" in out and "57.23-80060" in out and "Likely" in out  # what support needs stays
    table = json.loads(mapping.read_text())
    assert "Bedroom" in table["room"].values()
    assert "map.json" not in names

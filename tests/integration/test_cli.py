"""The command line against the emulator: streams, formats, exit codes, emulate and demo."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.report.render_json import schema

pytestmark = pytest.mark.integration
Start = Callable[..., Emulator]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_scan_json_stdout_is_only_json(emulate: Start) -> None:
    emulate("healthy-s2")
    code, out, _err = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns",
                          "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, schema())
    assert len(document["players"]) == 4
    assert code == 0


def test_scan_to_file_prints_nothing(emulate: Start, tmp_path: Path) -> None:
    emulate("healthy-s2")
    target = tmp_path / "inventory.json"
    code, out, err = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns", "-f", "json",
                         "--output", str(target))
    assert out == "" and code == 0
    assert json.loads(target.read_text())["schema_version"] == 2
    assert "Wrote" in err
    assert not list(tmp_path.glob(".inventory.json.*"))  # no temporary file left behind


def test_incomplete_scan_exits_3(emulate: Start) -> None:
    emulate("offline-member")
    code, out, _ = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns")
    assert code == 3
    assert "INCOMPLETE" in out and "Patio" in out


def test_nothing_found_explains_what_to_try() -> None:
    code, out, err = run("scan", "--no-ssdp", "--no-mdns", "--host", "127.0.0.1:9",
                         "--timeout", "3")
    assert code == 3  # an address you named: what it did, first; no firewall lecture
    assert "No Sonos product answered at 127.0.0.1:9" in err and "firewall" not in err.lower()
    assert "No Sonos player found" in out
    code, out, err = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns", "--timeout", "3")
    assert code == 3  # a search on loopback that finds nothing: the usual causes
    assert "--interface-addr" in err and "firewall" in err.lower()


@pytest.mark.parametrize("args", [
    ["scan", "--network", "10.0.0.0/8"],
    ["scan", "--host", "kitchen.local"],
    ["scan", "--interface-addr", "eth0"],
    ["scan", "--format", "yaml"],
    ["demo", "--scenario", "no-such-scenario"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    code, _out, err = run(*args)
    assert code == 2 and "Error" in err


def test_help_lists_exit_codes() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "Exit codes" in out and "Read-only" in out


def _cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_emulate_prints_players_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "sonos_inventory", "emulate", "split-s1-s2", "--no-mdns",
         "--request-log", str(log)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_cli_env(),
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        assert all(line.startswith("RINCON_") and " 127." in line for line in lines), lines
        _code, out, _ = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns", "-f", "json")
        assert len(json.loads(out)["players"]) == 4
        entries = [json.loads(line) for line in log.read_text().splitlines()]
        assert entries and {"ts", "player", "method", "path", "soap_action"} <= set(entries[0])
    finally:
        process.send_signal(signal.SIGINT)
        try:  # "within a second" on a quiet machine; a generous bound for a noisy one
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            pytest.fail("emulate did not stop within 20 s of Ctrl-C")
    assert process.returncode == 0  # Ctrl-C is how a running emulator stops


def test_demo_shows_the_803_household() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sonos_inventory", "demo", "--format", "json"],
        capture_output=True, text=True, timeout=120, env=_cli_env(),
    )
    document = json.loads(result.stdout)
    rooms = {p["room"]: p for p in document["players"]}
    assert rooms["Bedroom"]["track"] == "S1"
    assert {p["track"] for p in document["players"]} == {"S1", "S2"}
    assert all(p["serial"] and p["software_version"] for p in document["players"])
    assert result.returncode == 1  # the default scenario's conflict


def test_output_file_extension_picks_the_format_unless_given(tmp_path: Path) -> None:
    code, _, _ = run("demo", "-o", str(tmp_path / "report.md"))
    assert code == 1 and (tmp_path / "report.md").read_text().startswith("# ")
    code, _, _ = run("demo", "-f", "table", "-o", str(tmp_path / "table.md"))
    assert "| Error 803 (software-track conflict): Likely" in (tmp_path / "table.md").read_text()

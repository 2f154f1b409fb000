"""Hostile scenario folders (demo --scenario DIR, emulate DIR) and faults.json: refused at load
with exit 2, one line and the path; FIFOs, devices and links never block or leak a file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sonos_inventory.bounds import MAX_BUNDLE_MEMBER_BYTES
from sonos_inventory.cli import cli
from sonos_inventory.errors import UsageError
from sonos_inventory.scenario.builtin import write_scenario
from sonos_inventory.scenario.folder import load_scenario

KITCHEN = "RINCON_000E58F0010201400"  # error-803's Kitchen


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.stdout, result.stderr


def refused(path: Path, *, needle: str) -> str:
    with pytest.raises(UsageError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert needle in message and "\n" not in message, message
    for command in (("demo", "--scenario", str(path)), ("emulate", str(path))):
        code, _, err = run(*command)
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    return message


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return write_scenario("error-803", tmp_path / "scenario") / "home"


def null_device(path: Path) -> None:
    """A character device with /dev/null's numbers, made inside the test folder."""
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))


def test_a_link_that_leaves_the_folder_is_refused(home: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text("<secret/>")
    device = home / "devices" / f"{KITCHEN}.xml"
    device.unlink()
    device.symlink_to(secret)
    message = refused(home.parent, needle="leaves the scenario folder")
    assert KITCHEN in message


def test_a_linked_folder_outside_is_refused(home: Path, tmp_path: Path) -> None:
    outside = write_scenario("healthy-s2", tmp_path / "elsewhere")
    (home.parent / "borrowed").symlink_to(outside)
    refused(home.parent, needle="borrowed")


def test_a_link_inside_the_folder_is_served(home: Path) -> None:
    device = home / "devices" / f"{KITCHEN}.xml"
    copy = home / "kitchen-copy.xml"
    device.rename(copy)
    device.symlink_to(copy)
    scenario = load_scenario(home.parent)
    assert KITCHEN in dict(scenario.households[0].devices)


@pytest.mark.parametrize("what", ["fifo", "device", "folder"])
@pytest.mark.parametrize("name", ["zone_group_state.xml", "household_id", "faults.json",
                                  f"devices/{KITCHEN}.xml"])
def test_something_else_where_a_file_is_expected_is_refused(home: Path, what: str,
                                                            name: str) -> None:
    path = home / name
    if path.exists():
        path.unlink()
    if what == "fifo":
        os.mkfifo(path)
    elif what == "device":
        null_device(path)
    else:
        path.mkdir()
    if name == "zone_group_state.xml" and what == "folder":
        (home / "other").mkdir()  # a folder named like the file: this household has no file
        message = refused(home.parent, needle="not a regular file")
    else:
        message = refused(home.parent, needle="not a regular file")
    assert name.split("/")[-1] in message


def test_a_fifo_never_hangs_the_command(home: Path) -> None:
    (home / "household_id").unlink()
    os.mkfifo(home / "household_id")
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "demo", "--scenario",
                             str(home.parent)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "FIFO" in result.stderr, result.stderr


def test_oversized_files_are_refused(home: Path) -> None:
    with (home / "zone_group_state.xml").open("r+b") as stream:
        stream.truncate(MAX_BUNDLE_MEMBER_BYTES + 1)  # sparse: costs no disk
    refused(home.parent, needle="larger than")


def test_non_utf8_is_refused(home: Path) -> None:
    path = home / "zone_group_state.xml"
    path.write_bytes(path.read_bytes().replace(b"Kitchen", b"K\xfctchen"))
    refused(home.parent, needle="not UTF-8")


def test_uuids_that_are_paths_are_never_read(home: Path, tmp_path: Path) -> None:
    (tmp_path / "stolen.xml").write_text("<stolen/>")
    zgs = home / "zone_group_state.xml"
    zgs.write_text(zgs.read_text().replace(KITCHEN, "../../../stolen"))
    scenario = load_scenario(home.parent)
    assert all(b"stolen" not in xml for _, xml in scenario.households[0].devices)


BAD_FAULTS: dict[str, Any] = {
    "not JSON": "{nope",
    "not an object": "[1, 2]",
    "NaN": '{"*": {"latency_ms": NaN}}',
    "Infinity": '{"*": {"huge_mb": Infinity}}',
    "negative": {"*": {"latency_ms": -5}},
    "absurd latency": {"*": {"latency_ms": 10**12}},
    "absurd huge": {"*": {"huge_mb": 100000}},
    "float": {"*": {"drip_bps": 1.5}},
    "bool as int": {"*": {"vanish_after": True}},
    "string as bool": {"*": {"hang": "yes"}},
    "unknown key": {"*": {"explode": True}},
    "status out of range": {"*": {"status": {"GetZoneGroupState": 99999}}},
    "status not a map": {"*": {"status": [500]}},
    "body not a string": {"*": {"body": {"/xml/device_description.xml": 5}}},
    "header injection": {"*": {"redirect": "http://127.0.0.1/\r\nX-Evil: 1"}},
    "lone surrogate": '{"*": {"body": {"/x": "\\ud800"}}}',
    "extra not a list": {"*": {"ssdp_extra": "x"}},
    "too many extras": {"*": {"ssdp_extra": ["x"] * 100}},
    "txt too long": {"*": {"txt": {"info": "A" * 300}}},
    "spec not an object": {"*": 5},
    "deep": "[" * 5000 + "]" * 5000,
}


@pytest.mark.parametrize("case", sorted(BAD_FAULTS))
def test_bad_faults_are_refused_at_load(home: Path, case: str) -> None:
    content = BAD_FAULTS[case]
    (home / "faults.json").write_text(content if isinstance(content, str)
                                      else json.dumps(content))
    message = refused(home.parent, needle="faults.json")
    assert len(message) < 600


def test_good_faults_still_load(home: Path) -> None:
    (home / "faults.json").write_text(json.dumps({KITCHEN: {
        "latency_ms": 5, "status": {"GetZoneInfo": 500}, "ssdp": False,
        "body": {"/x": "\udcff raw byte"}, "txt": {"info": "A" * 200}}}))
    scenario = load_scenario(home.parent)
    faults = scenario.households[0].faults_for(KITCHEN)
    assert faults.latency_ms == 5 and not faults.ssdp and faults.status_for("GetZoneInfo") == 500


def test_too_many_files_is_refused(tmp_path: Path) -> None:
    root = write_scenario("healthy-s2", tmp_path / "many")
    clutter = root / "clutter"
    clutter.mkdir()
    for i in range(5001):
        (clutter / str(i)).touch()
    refused(root, needle="more than")

"""Broken and hostile players: each becomes a record with a reason; the rest is read in full."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from sonos_inventory.collect.transport import HttpTransport
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import ErrorKind, Inventory
from sonos_inventory.scenario.builtin import write_scenario

from ..conftest import scan_loopback, scan_offline

pytestmark = pytest.mark.adversarial
Start = Callable[..., Emulator]
KITCHEN = "RINCON_000E58F0020301400"  # in healthy-s2


def with_faults(tmp_path: Path, faults: dict[str, object]) -> Path:
    root = write_scenario("healthy-s2", tmp_path / "healthy-s2")
    (root / "home" / "faults.json").write_text(json.dumps(faults))
    return root


def assert_kitchen_is_a_record(inventory: Inventory, kind: ErrorKind) -> None:
    """The broken player is a record with its reason; the three others are read in full."""
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and not kitchen.reachable
    assert kitchen.errors[0].kind is kind, kitchen.errors
    others = [p for p in inventory.players if p.uuid != KITCHEN]
    assert len(others) == 3 and all(p.reachable and p.serial for p in others)


@pytest.mark.parametrize("fault,kind", [
    ({"body": {"/xml/device_description.xml": "<root><device>"}}, ErrorKind.BAD_XML),
    ({"body": {"/xml/device_description.xml":
               '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><root>&x;</root>'}},
     ErrorKind.BAD_XML),
    ({"status": {"/xml/device_description.xml": 302}}, ErrorKind.REDIRECT),
    ({"status": {"/xml/device_description.xml": 404}}, ErrorKind.HTTP_STATUS),
    ({"body": {"/xml/device_description.xml": "<html><body>router login</body></html>"}},
     ErrorKind.NOT_SONOS),
])
def test_a_broken_player_is_a_record_and_the_rest_is_read(
    tmp_path: Path, fault: dict[str, object], kind: ErrorKind
) -> None:
    inventory, _, _ = scan_offline(with_faults(tmp_path, {KITCHEN: fault}), budget_s=8.0)
    assert_kitchen_is_a_record(inventory, kind)


def test_a_player_that_hangs_is_a_timeout_and_the_rest_is_read(
    emulate: Start, tmp_path: Path
) -> None:
    emulate(with_faults(tmp_path, {KITCHEN: {"hang": True}}))
    started = time.monotonic()
    # what is tested is that the hang ends in a record, not how long a timeout is: 1 s
    inventory, _ = scan_loopback(budget_s=8.0, transport=HttpTransport(request_timeout=1.0))
    elapsed = time.monotonic() - started
    assert_kitchen_is_a_record(inventory, ErrorKind.TIMEOUT)
    assert elapsed < 8.0 + 3.0  # within the budget, plus a little


def test_slow_player_beside_fast_ones_does_not_hold_them_up(
    emulate: Start, tmp_path: Path
) -> None:
    emulate(with_faults(tmp_path, {KITCHEN: {"latency_ms": 2000}}))
    inventory, observations = scan_loopback(budget_s=10.0)
    assert all(p.reachable for p in inventory.players), [p.errors for p in inventory.players]
    times = {t.description.uuid: t.elapsed_s for t in observations.targets if t.description}
    assert (times[KITCHEN] or 0) >= 2.0, times
    assert all(t is not None and t < 2.0 for uuid, t in times.items() if uuid != KITCHEN), times


def test_the_emulator_refuses_and_records_write_actions(emulate: Start) -> None:
    emulator = emulate("healthy-s2", ssdp=False)
    player = emulator.players[0]
    request = urllib.request.Request(
        f"{player.endpoint.base_url}/ZoneGroupTopology/Control",
        data=b"<s:Envelope/>", method="POST",
        headers={"SOAPACTION": '"urn:schemas-upnp-org:service:ZoneGroupTopology:1#'
                               'BeginSoftwareUpdate"'})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=5)
    assert caught.value.code == 500 and b"<errorCode>401</errorCode>" in caught.value.read()
    assert emulator.log.entries[-1]["soap_action"].endswith("#BeginSoftwareUpdate")


def test_ctrl_c_during_a_scan_writes_the_partial_result(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from sonos_inventory.scenario.folder import load_scenario

    root = with_faults(tmp_path, {KITCHEN: {"latency_ms": 20000}})
    output = tmp_path / "partial.json"
    with Emulator(load_scenario(root), seed=3) as emulator:
        process = subprocess.Popen(
            [sys.executable, "-m", "sonos_inventory", "scan", "--interface-addr", "127.0.0.1",
             "--no-mdns", "--no-history", "--timeout", "60", "-f", "json", "-o", str(output),
             "--bundle", str(tmp_path / "partial.zip")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "SONOS_INVENTORY_HOME": str(tmp_path / "home")},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(emulator.log.entries) < 4:
            time.sleep(0.05)  # wait, with a deadline, until the scan is reading players
        assert len(emulator.log.entries) >= 4, "the scan never started reading"
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _out, err = process.communicate(timeout=40)
        stopped_after = time.monotonic() - started
    assert process.returncode == 130, err
    assert stopped_after < 12  # far below the 20 s the slow player would hold it without abort
    document = json.loads(output.read_text())
    assert document["scan"]["complete"] is False
    assert "the scan was interrupted" in document["scan"]["incomplete_reasons"]
    assert "partial result" in err
    import zipfile

    with zipfile.ZipFile(tmp_path / "partial.zip") as archive:
        bundled = json.loads(archive.read("inventory.json"))
    assert bundled["scan"]["complete"] is False

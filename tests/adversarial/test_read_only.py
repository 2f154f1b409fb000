"""Every command of the tool stays within the read-only allow-list, proven by recording every
HTTP request any of them sends (below our transport, at http.client) and by the emulator's log.
One test per group of commands, so that they run side by side."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.collect.transport import HttpRequest, check_read_only
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import Endpoint

pytestmark = pytest.mark.adversarial
Start = Callable[..., Emulator]
Commands = Callable[[Emulator, Path], list[list[str]]]

GROUPS: dict[str, Commands] = {
    "scan": lambda e, tmp: [
        ["scan", "--interface-addr", "127.0.0.1", "--no-mdns"],
        ["scan", "--interface-addr", "127.0.0.1", "-f", "markdown"]],
    "scan-deep": lambda e, tmp: [
        ["scan", "--interface-addr", "127.0.0.1", "--no-mdns", "--deep", "--ttl", "3"],
        ["scan", "--no-ssdp", "--no-mdns", "--deep", "--host", str(e.players[0].endpoint)]],
    "host-and-network": lambda e, tmp: [
        ["scan", "--no-ssdp", "--no-mdns", "--host", str(e.players[0].endpoint)],
        ["scan", "--no-ssdp", "--no-mdns", "--network", e.household_block()]],
    "demo": lambda e, tmp: [
        ["demo", "--scenario", "home-theater"],
        ["demo", "--scenario", "group-dropout", "--deep"]],
    "membership": lambda e, tmp: [  # a confirmation read, GetHouseholdID when in doubt
        ["demo", "--scenario", "satellite-start"],
        ["demo", "--scenario", "vanished-but-answering"]],
    "saved": lambda e, tmp: [
        ["scan", "--interface-addr", "127.0.0.1", "--no-mdns", "-f", "json", "-o",
         str(tmp / "scan.json")],
        ["scan", "--interface-addr", "127.0.0.1", "--no-mdns"],
        ["analyze", str(tmp / "scan.json"), "-f", "markdown"],
        ["diff"], ["history"]],
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_command_sends_only_reads(
    emulate: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group: str
) -> None:
    sent: list[HttpRequest] = []
    original = http.client.HTTPConnection.request

    def spy(self: http.client.HTTPConnection, method: str, url: str, body: Any = None,
            headers: Any = None, **kwargs: Any) -> None:
        headers = dict(headers or {})
        sent.append(HttpRequest(Endpoint(self.host, self.port), method, url,
                                tuple((str(k), str(v)) for k, v in headers.items()),
                                body if isinstance(body, bytes) else b""))
        original(self, method, url, body, headers, **kwargs)

    monkeypatch.setattr(http.client.HTTPConnection, "request", spy)
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(tmp_path / "home"))
    emulator = emulate("split-s1-s2")
    runner = CliRunner()
    for command in GROUPS[group](emulator, tmp_path):
        result = runner.invoke(cli, command, catch_exceptions=False)
        assert result.exit_code in (0, 1, 3), (command, result.stderr)
    assert sent
    for request in sent:
        check_read_only(request)  # raises on anything that is not a read
    assert {r.method for r in sent} <= {"GET", "POST"}
    assert {r.path for r in sent if r.method == "GET"} <= {"/xml/device_description.xml",
                                                           "/status/zp"}
    for entry in emulator.log.entries:
        assert entry["method"] in ("GET", "POST")
        assert entry["path"] in ("/xml/device_description.xml", "/status/zp") or (
            entry["soap_action"] or "").rsplit("#", 1)[-1].startswith("Get")
    if group == "scan-deep":
        assert any(e["path"] == "/status/zp" for e in emulator.log.entries)  # --deep reached it
        assert {r.method for r in sent} == {"GET", "POST"}

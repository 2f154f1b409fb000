"""--deep, the players' answers as real players send them, SSDP broadcast and TTL: against the
emulator on loopback (broadcast only inside the private network namespace of `make test`)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.discovery import ssdp
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import Sighting
from sonos_inventory.report.render_json import inventory_from_dict, schema

from ..conftest import SCENARIOS, scan_loopback

Start = Callable[..., Emulator]


def in_private_netns() -> bool:
    """scripts/in-netns sets the variable; only loopback exists in that namespace."""
    interfaces = [name for _, name in socket.if_nameindex()]
    return os.environ.get("SONOS_INVENTORY_IN_NETNS") == "1" and interfaces == ["lo"]


def requests_by_path(emulator: Emulator) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in emulator.log.entries:
        key = entry["soap_action"] or entry["path"]
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_deep_reads_each_status_page_and_a_second_topology(emulate: Start) -> None:
    emulator = emulate("error-803")
    plain, _ = scan_loopback()
    plain_count = len(emulator.log.entries)
    emulator.log.entries.clear()
    inventory, observations = scan_loopback(deep=True)
    deep_count = len(emulator.log.entries)
    players = len(emulator.players)
    assert plain_count <= 1.5 * players
    assert deep_count - plain_count <= players + len(inventory.households)
    assert requests_by_path(emulator)["/status/zp"] == players
    assert all(p.deep is not None and p.deep.status == "read" for p in inventory.players)
    assert {p.deep.hh_swgen_state for p in inventory.players if p.deep} == {"allow:2"}
    assert inventory.scan.complete
    assert inventory.households[0].topology_disagreement == ()
    mixed = next(f for f in inventory.findings if f.rule == "mixed-generation")
    assert any("HHSwgenState" in e for e in mixed.evidence)
    assert len(observations.second_reads) == 1
    assert plain.households[0].topology_disagreement is None  # not compared without --deep


def test_status_page_refused_is_a_normal_result(emulate: Start, tmp_path: Path) -> None:
    target = tmp_path / "s"
    shutil.copytree(SCENARIOS / "healthy-s2", target)
    (target / "home" / "faults.json").write_text(json.dumps(
        {"*": {"status": {"/status/zp": 403}}}))
    emulate(target)
    inventory, _ = scan_loopback(deep=True)
    assert inventory.scan.complete
    assert {p.deep.status for p in inventory.players if p.deep} == {"refused (HTTP 403)"}
    assert not any(f.severity.value == "error" for f in inventory.findings)


def test_topology_disagreement_is_reported(emulate: Start) -> None:
    emulate("group-dropout")
    inventory, _ = scan_loopback(deep=True)
    finding = next(f for f in inventory.findings if f.rule == "topology-disagreement")
    bathroom = next(p for p in inventory.players if p.room == "Bathroom")
    assert bathroom.uuid in finding.players
    assert any("led by" in e for e in finding.evidence)
    plain, _ = scan_loopback()
    assert not any(f.rule == "topology-disagreement" for f in plain.findings)


@pytest.mark.parametrize("faults", [
    {"framing": "length"}, {"framing": "close"}, {"framing": "chunked"},
    {"ssdp_headers": "classic"}, {"ssdp_headers": "newer"},
    {"framing": "chunked", "ssdp_headers": "newer"},
])
def test_scanner_reads_every_framing_and_header_set(
        emulate: Start, tmp_path: Path, faults: dict[str, str]) -> None:
    target = tmp_path / "s"
    shutil.copytree(SCENARIOS / "home-theater", target)
    (target / "home" / "faults.json").write_text(json.dumps({"*": faults}))
    emulator = emulate(target)
    inventory, _ = scan_loopback(deep=True)
    assert inventory.scan.complete, inventory.scan.incomplete_reasons
    assert all(p.reachable for p in inventory.players)
    assert len(inventory.players) == len(emulator.players)
    assert all(p.deep and p.deep.status == "read" for p in inventory.players)


def test_answers_look_like_real_players(emulate: Start) -> None:
    import http.client

    emulator = emulate("error-803")
    player = emulator.players[0]
    connection = http.client.HTTPConnection(player.endpoint.host, player.endpoint.port, timeout=5)
    connection.request("GET", "/status/zp")
    response = connection.getresponse()
    body = response.read()
    assert response.version == 11
    assert response.getheader("Server", "").startswith("Linux UPnP/1.0 Sonos/")
    assert response.getheader("Connection") == "close"
    assert response.getheader("EXT") == ""
    assert response.getheader("Content-Length") is None  # status pages: close-delimited
    assert b"<ZPSupportInfo>" in body
    connection.close()
    connection = http.client.HTTPConnection(player.endpoint.host, player.endpoint.port, timeout=5)
    envelope = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                '<u:GetZoneGroupState xmlns:u="urn:schemas-upnp-org:service:ZoneGroupTopology:1"'
                "/></s:Body></s:Envelope>")
    connection.request("POST", "/ZoneGroupTopology/Control", envelope, {
        "SOAPACTION": '"urn:schemas-upnp-org:service:ZoneGroupTopology:1#GetZoneGroupState"'})
    soap = connection.getresponse().read()
    connection.close()
    assert not soap.startswith(b"<?xml")
    assert b"\n" not in soap


def _search(target: str, timeout: float = 1.6) -> list[bytes]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    message = ssdp.msearch(1, target)
    sock.sendto(message, (ssdp.MULTICAST_GROUP, ssdp.SSDP_PORT))
    replies, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            replies.append(sock.recvfrom(4096)[0])
        except TimeoutError:
            continue
    sock.close()
    return replies


def test_ssdp_all_and_rootdevice_with_sub_devices(emulate: Start) -> None:
    emulator = emulate("home-theater")
    uuids = {p.uuid for p in emulator.players}
    everything = _search("ssdp:all")
    usns = [ssdp.parse_headers(r)[1]["USN"] for r in everything]
    assert any(u.endswith("_MR::urn:schemas-upnp-org:device:MediaRenderer:1") for u in usns)
    assert any("_MS" in u for u in usns)
    roots = _search("upnp:rootdevice")
    assert {ssdp.parse_headers(r)[1]["ST"] for r in roots} == {"upnp:rootdevice"}
    for reply in everything + roots:  # every reply is credited to the player, never _MR/_MS
        sighting = ssdp.parse_response(reply, "127.0.0.1")
        assert sighting is not None and sighting.uuid in uuids
    headers = [ssdp.parse_headers(r)[1] for r in roots]
    assert len({h["X-RINCON-BOOTSEQ"] for h in headers}) > 1  # varies per player
    assert all("BOOTID.UPNP.ORG" in h and "LOCATION.SMARTSPEAKER.AUDIO" in h for h in headers)
    assert all(h["LOCATION.SMARTSPEAKER.AUDIO"].startswith("lc_") for h in headers)


def test_ttl_option_and_bounds() -> None:
    sock = ssdp._open_socket("127.0.0.1", 5)
    assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 5
    sock.close()
    for bad in (0, 17):
        with pytest.raises(ValueError):
            ssdp._open_socket("127.0.0.1", bad)
    result = CliRunner().invoke(cli, ["scan", "--ttl", "17", "--no-ssdp", "--no-mdns"])
    assert result.exit_code == 2 and "--ttl" in result.output


def _sightings(broadcast: bool) -> list[Sighting]:
    found: list[Sighting] = []
    ssdp.search(("127.0.0.1",), found.append, window_s=1.3, mx=1, sends=2,
                stop=threading.Event(), broadcast=broadcast)
    return found


@pytest.mark.skipif(not in_private_netns(),
                    reason="broadcast is sent only inside a private network namespace "
                           "(run through scripts/in-netns or make test)")
def test_broadcast_finds_players_when_multicast_is_filtered(emulate: Start) -> None:
    emulator = emulate("healthy-s2", ssdp_multicast=False)  # as behind a multicast filter
    uuids = {p.uuid for p in emulator.players}
    assert not {s.uuid for s in _sightings(broadcast=False)} & uuids
    assert {s.uuid for s in _sightings(broadcast=True)} == uuids


def test_deep_bundle_keeps_status_pages_and_replays_them(tmp_path: Path) -> None:
    runner = CliRunner()
    bundle = tmp_path / "b.zip"
    result = runner.invoke(cli, ["demo", "--scenario", "group-dropout", "--deep", "-f", "json",
                                 "--bundle", str(bundle)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr  # one household, read whole: a warning only
    first = json.loads(result.stdout)
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert sum(n.endswith(".status_zp.xml") for n in names) == len(first["players"])
    replay = runner.invoke(cli, ["demo", "--scenario", str(bundle), "--deep", "-f", "json"],
                           catch_exceptions=False)
    second = json.loads(replay.stdout)
    key = "software_date"
    assert sorted((p["uuid"], p[key], p["connection"]) for p in second["players"]) == sorted(
        (p["uuid"], p[key], p["connection"]) for p in first["players"])
    for document in (first, second):
        assert "topology-disagreement" in {f["rule"] for f in document["findings"]}
        jsonschema.validate(document, schema())  # the tool's own schema takes --deep output
        reloaded = inventory_from_dict(document)
        assert len(reloaded.players) == len(document["players"])
    saved = tmp_path / "deep.json"
    saved.write_text(result.stdout)
    assert runner.invoke(cli, ["analyze", str(saved)]).exit_code == 0  # the same judgement
    assert runner.invoke(cli, ["analyze", str(bundle)]).exit_code == 0
    same = runner.invoke(cli, ["diff", str(saved), str(saved)])
    assert same.exit_code == 0 and "No products added, removed or changed." in same.stdout


def test_deep_bundle_redacts_status_pages(tmp_path: Path) -> None:
    bundle = tmp_path / "r.zip"
    result = CliRunner().invoke(cli, ["demo", "--scenario", "error-803", "--deep", "--redact",
                                      "-f", "json", "--bundle", str(bundle)],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.stderr
    with zipfile.ZipFile(bundle) as archive:
        pages = [archive.read(n) for n in archive.namelist() if n.endswith(".status_zp.xml")]
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert len(pages) == 4
    for secret in (b"000E58F001", b"00-0E-58-F0-01", b"Sonos_FixtureErrorEightZeroThree01",
                   b"lc_000e58f001"):
        assert secret not in everything


def test_hostile_status_pages_are_records(emulate: Start, tmp_path: Path) -> None:
    target = tmp_path / "s"
    shutil.copytree(SCENARIOS / "healthy-s2", target)
    uuids = sorted(p.name[:-4] for p in (target / "home" / "devices").glob("RINCON_*01400.xml"))
    (target / "home" / "faults.json").write_text(json.dumps({
        uuids[0]: {"body": {"/status/zp": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                          "<ZPSupportInfo>&x;</ZPSupportInfo>"}},
        uuids[1]: {"status": {"/status/zp": 404}},
        uuids[2]: {"body": {"/status/zp": "<ZPSupportInfo><ZPInfo><SWGen>\u202e9</SWGen>"
                                          "<HHSwgenState>" + "A" * 9000 + "</HHSwgenState>"
                                          "</ZPInfo></ZPSupportInfo>"}},
    }))
    emulate(target)
    inventory, _ = scan_loopback(deep=True)
    assert inventory.scan.complete
    status = {p.uuid: p.deep.status for p in inventory.players if p.deep}
    assert "forbidden XML construct" in status[uuids[0]]
    assert status[uuids[1]] == "not served (HTTP 404)"
    odd = next(p for p in inventory.players if p.uuid == uuids[2])
    assert odd.deep is not None and odd.deep.status == "read"
    assert len(odd.deep.hh_swgen_state or "") <= 4096
    assert odd.sw_gen == 2  # the page's garbled SWGen changes nothing


VERA = ('<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
        "<deviceType>urn:schemas-micasaverde-com:device:HomeAutomationGateway:1</deviceType>"
        "<friendlyName>Vera</friendlyName><UDN>uuid:4d494342-5342-5645-0001-000002b8c3b3</UDN>"
        "</device></root>")


def test_a_non_sonos_responder_answers_with_its_own_usn_port_and_description(
        emulate: Start, tmp_path: Path) -> None:
    """Non-Sonos devices are a scenario element of their own (issue 20): SSDP with their own
    USN, location and port, their description at their own path; never a zone-group member."""
    import http.client

    target = tmp_path / "s"
    shutil.copytree(SCENARIOS / "healthy-s2", target)
    (target / "vera.xml").write_text(VERA)
    (target / "responders.json").write_text(json.dumps({"responders": [{
        "name": "Vera", "usn": "uuid:4d494342-5342-5645-0001-000002b8c3b3::upnp:rootdevice",
        "st": "urn:schemas-micasaverde-com:device:HomeAutomationGateway:1",
        "server": "Linux/2.6 UPnP/1.0 Vera/1.7", "port": 3480, "path": "/description.xml",
        "description_file": "vera.xml"}]}))
    emulator = emulate(target)
    [served] = emulator.responders
    replies = [ssdp.parse_headers(r)[1] for r in _search("ssdp:all")]
    vera = [h for h in replies if h.get("USN", "").startswith("uuid:4d494342")]
    assert vera and vera[0]["LOCATION"] == served.location and "Vera/1.7" in vera[0]["SERVER"]
    assert served.endpoint.port == 3480 or served.endpoint.host == "127.0.0.1"  # port mode
    connection = http.client.HTTPConnection(served.endpoint.host, served.endpoint.port,
                                            timeout=5)
    connection.request("GET", "/description.xml")
    response = connection.getresponse()
    assert response.status == 200 and response.read() == VERA.encode()
    connection.close()
    inventory, _ = scan_loopback()
    assert len(inventory.players) == 4 and inventory.scan.complete  # not a player, no problem

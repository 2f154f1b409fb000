"""The fault and attack matrix of issue 5, end to end against the emulator.

For each case: the scan ends within its budget (plus a little), the bad device is recorded with a
precise reason, every good player is still read in full, the JSON and Markdown are still written,
nothing is fetched from an address the policy forbids (the socket guard in conftest fails any
non-loopback send), and no device string reaches the terminal unescaped.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sonos_inventory.collect.transport import HttpTransport
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import ErrorKind, Inventory, Method, ScanObservations
from sonos_inventory.report.render_json import render_json, schema
from sonos_inventory.report.render_markdown import render_markdown
from sonos_inventory.report.render_table import render_table
from sonos_inventory.scenario.builtin import write_scenario

from ..conftest import scan_loopback, scan_offline

pytestmark = pytest.mark.adversarial
Start = Callable[..., Emulator]
BUDGET = 6.0
KITCHEN = "RINCON_000E58F0020301400"  # healthy-s2 has four players; this one misbehaves
DESCRIPTION = "/xml/device_description.xml"
GOOD_HEAD = ('<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
             "<deviceType>urn:schemas-upnp-org:device:ZonePlayer:1</deviceType>"
             "<manufacturer>Sonos, Inc.</manufacturer>")


def soap_zgs(inner: str) -> str:
    escaped = inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")
    return ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            '<u:GetZoneGroupStateResponse xmlns:u="urn:schemas-upnp-org:service:'
            f'ZoneGroupTopology:1"><ZoneGroupState>{escaped}</ZoneGroupState>'
            "</u:GetZoneGroupStateResponse></s:Body></s:Envelope>")


def members_xml(members: list[tuple[str, str]]) -> str:
    rows = "".join(f'<ZoneGroupMember UUID="{u}" Location="{loc}" ZoneName="X" '
                   f'SoftwareVersion="95.0-77060" SWGen="2"/>' for u, loc in members)
    return (f'<ZoneGroupState><ZoneGroups><ZoneGroup Coordinator="{KITCHEN}" ID="g:1">{rows}'
            "</ZoneGroup></ZoneGroups><VanishedDevices/></ZoneGroupState>")


def with_faults(tmp_path: Path, faults: dict[str, Any]) -> Path:
    root = write_scenario("healthy-s2", tmp_path / "healthy-s2")
    (root / "home" / "faults.json").write_text(json.dumps(faults))
    return root


def scan(emulate: Start, tmp_path: Path, faults: dict[str, Any], **options: Any
         ) -> tuple[Inventory, ScanObservations, float, Emulator]:
    emulator = emulate(with_faults(tmp_path, faults), **options.pop("emulator", {}))
    started = time.monotonic()
    inventory, observations = scan_loopback(budget_s=BUDGET, **options)
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET + 3, elapsed
    for target in observations.targets:  # nothing outside loopback was ever a target
        assert target.endpoint.host.startswith("127."), target.endpoint
    jsonschema.validate(json.loads(render_json(inventory)), schema())
    assert_terminal_safe(render_table(inventory))
    assert_terminal_safe(render_markdown(inventory))
    return inventory, observations, elapsed, emulator


def scan_fast(tmp_path: Path, faults: dict[str, Any], root: Path | None = None
              ) -> tuple[Inventory, ScanObservations]:
    """The same checks, for faults that need no socket (status codes, bodies, XML, topology
    lies): served offline through the emulator's own answers (emulator/offline.py)."""
    inventory, observations, _lan = scan_offline(root or with_faults(tmp_path, faults),
                                                 budget_s=BUDGET)
    for target in observations.targets:
        assert target.endpoint.host.startswith("127."), target.endpoint
    jsonschema.validate(json.loads(render_json(inventory)), schema())
    assert_terminal_safe(render_table(inventory))
    assert_terminal_safe(render_markdown(inventory))
    return inventory, observations


def assert_terminal_safe(text: str) -> None:
    for char in text:
        if char != "\n":
            assert unicodedata.category(char) not in ("Cc", "Cf"), repr(char)


REAL = {f"RINCON_000E58F002{n:02d}01400" for n in range(1, 5)}  # healthy-s2's players


def good_players_read(inventory: Inventory, bad: str = KITCHEN) -> None:
    """Every real player except `bad` was read in full."""
    for uuid in REAL - {bad}:
        player = inventory.player(uuid)
        assert player is not None and player.reachable, player
        assert player.serial and player.software_version, player


XML_ATTACKS = {
    "external entity (file)": (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<root>&x;</root>", ErrorKind.BAD_XML),
    "external entity (network)": (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://203.0.113.9/x">]>'
        "<root>&x;</root>", ErrorKind.BAD_XML),
    "entity expansion bomb": (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]><root>&i;</root>", ErrorKind.BAD_XML),
    "any DTD": ('<?xml version="1.0"?><!DOCTYPE root><root/>', ErrorKind.BAD_XML),
    "wrong namespace": (GOOD_HEAD.replace("urn:schemas-upnp-org:device-1-0", "urn:evil")
                        + f"<UDN>uuid:{KITCHEN}</UDN></device></root>", ErrorKind.BAD_XML),
    "missing UDN": (GOOD_HEAD + "<modelNumber>S18</modelNumber></device></root>",
                    ErrorKind.BAD_XML),
    "invalid UTF-8": (GOOD_HEAD + "<roomName>\udcff\udcfe</roomName></device></root>",
                      ErrorKind.BAD_XML),
    "truncated XML": (GOOD_HEAD + "<UDN>uuid:" + KITCHEN, ErrorKind.BAD_XML),
    "not Sonos at all": ("<html><body>router login</body></html>", ErrorKind.NOT_SONOS),
}


@pytest.mark.parametrize("case", sorted(XML_ATTACKS))
def test_xml_attacks(tmp_path: Path, case: str) -> None:
    body, kind = XML_ATTACKS[case]
    inventory, _ = scan_fast(tmp_path, {KITCHEN: {"body": {DESCRIPTION: body}}})
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and not kitchen.reachable
    assert kitchen.errors[0].kind is kind, kitchen.errors
    good_players_read(inventory)


def test_missing_optional_fields_still_make_a_record(tmp_path: Path) -> None:
    body = GOOD_HEAD + f"<UDN>uuid:{KITCHEN}</UDN></device></root>"
    inventory, _ = scan_fast(tmp_path, {KITCHEN: {"body": {DESCRIPTION: body}}})
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and kitchen.reachable
    assert kitchen.model_number is None and kitchen.serial is None
    assert kitchen.software_version == "95.0-77060"  # from the topology


TRANSPORT_FAULTS: dict[str, tuple[dict[str, Any], ErrorKind]] = {
    "10 MB body": ({"huge_mb": 12}, ErrorKind.TOO_LARGE),
    "endless body": ({"endless": True}, ErrorKind.TOO_LARGE),
    "one byte a second": ({"drip_bps": 1}, ErrorKind.TIMEOUT),
    "body shorter than promised": ({"truncate": True}, ErrorKind.BAD_XML),
    "accept and hang": ({"hang": True}, ErrorKind.TIMEOUT),
    "connection reset": ({"reset": True}, ErrorKind.REFUSED),
    "redirect elsewhere": ({"redirect": "http://203.0.113.7:1400/xml/device_description.xml"},
                           ErrorKind.REDIRECT),
    "gone before any answer": ({"vanish_after": 0}, ErrorKind.REFUSED),
}


STATUS_FAULTS: dict[str, tuple[dict[str, Any], ErrorKind]] = {
    "HTTP 403": ({"status": {DESCRIPTION: 403}}, ErrorKind.UPNP_DISABLED),
    "HTTP 404": ({"status": {DESCRIPTION: 404}}, ErrorKind.HTTP_STATUS),
    "HTTP 500": ({"status": {DESCRIPTION: 500}}, ErrorKind.HTTP_STATUS),
    "HTTP 501": ({"status": {DESCRIPTION: 501}}, ErrorKind.HTTP_STATUS),
    "nothing listens": ({"no_answer": True}, ErrorKind.REFUSED),
}


@pytest.mark.parametrize("case", sorted(STATUS_FAULTS))
def test_status_faults(tmp_path: Path, case: str) -> None:
    fault, kind = STATUS_FAULTS[case]
    inventory, _ = scan_fast(tmp_path, {KITCHEN: fault})
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and not kitchen.reachable
    assert kitchen.errors[0].kind is kind, kitchen.errors
    good_players_read(inventory)


@pytest.mark.parametrize("case", sorted(TRANSPORT_FAULTS))
def test_transport_faults(emulate: Start, tmp_path: Path, case: str) -> None:
    fault, kind = TRANSPORT_FAULTS[case]
    # what is tested is how each fault ends, not how long a timeout is: 1 s per request
    inventory, _, _, _ = scan(emulate, tmp_path, {KITCHEN: fault},
                              transport=HttpTransport(request_timeout=1.0))
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and not kitchen.reachable
    assert kitchen.errors[0].kind is kind, kitchen.errors
    good_players_read(inventory)


def test_player_that_disappears_mid_scan(emulate: Start, tmp_path: Path) -> None:
    # Kitchen is the only SSDP responder, answers its description, then drops off the network
    # before the topology read; the household is asked through no other player (none known).
    # Its SSDP reply carries no usable household id, so the topology is asked for only after
    # the description (otherwise both go out at once and either could be "the first request").
    faults = {"*": {"ssdp": False},
              KITCHEN: {"vanish_after": 1, "ssdp_household": "not\u0001an-id"}}
    inventory, _, _, _ = scan(emulate, tmp_path, faults)
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and kitchen.reachable
    [household] = inventory.households
    assert not household.topology_read and household.topology_problem is not None
    assert household.topology_problem.kind is ErrorKind.REFUSED
    assert not inventory.scan.complete


def test_ssdp_location_lies_are_ignored(emulate: Start, tmp_path: Path) -> None:
    faults = {KITCHEN: {"ssdp_location": "http://203.0.113.50:1400/xml/device_description.xml"},
              "RINCON_000E58F0020401400": {"ssdp_location": "http://sonos.evil.example:80/x"}}
    inventory, _, _, _ = scan(emulate, tmp_path, faults)
    assert all(p.reachable for p in inventory.players)


def test_topology_members_outside_the_subnet_or_named_are_refused(tmp_path: Path) -> None:
    lies = [("RINCON_00000000BAD101400", "http://203.0.113.5:1400/xml/device_description.xml"),
            ("RINCON_00000000BAD201400", "http://sonos.evil.example:1400/x.xml"),
            ("RINCON_00000000BAD301400", "http://192.168.1.9:1400/xml/device_description.xml"),
            ("RINCON_00000000BAD401400", "http://[::ffff:10.0.0.1]:1400/x.xml")]
    faults = {"*": {"body": {"GetZoneGroupState": soap_zgs(members_xml(lies))}}}
    inventory, _ = scan_fast(tmp_path, faults)
    for uuid, _location in lies:
        liar = inventory.player(uuid)
        assert liar is not None and not liar.reachable
        assert liar.errors[0].kind is ErrorKind.POLICY, liar.errors
    good_players_read(inventory, bad="none")


def test_two_players_claiming_one_uuid(tmp_path: Path) -> None:
    office = "RINCON_000E58F0020401400"
    root = with_faults(tmp_path, {})
    stolen = (root / "home" / "devices" / f"{office}.xml").read_text()
    (root / "home" / "faults.json").write_text(json.dumps(
        {KITCHEN: {"body": {DESCRIPTION: stolen}}}))
    inventory, _ = scan_fast(tmp_path, {}, root)
    duplicates = [u for u in inventory.unidentified
                  if u.errors and u.errors[0].kind is ErrorKind.DUPLICATE]
    assert len(duplicates) == 1
    owner = inventory.player(office)
    assert owner is not None and owner.reachable
    assert len([p for p in inventory.players if p.uuid == office]) == 1


def test_household_id_that_changes_is_still_one_household(tmp_path: Path) -> None:
    inventory, _ = scan_fast(tmp_path, {KITCHEN: {"ssdp_household": "Sonos_SomeoneElse"}})
    assert len(inventory.households) == 1
    assert len(inventory.households[0].players) == 4


def test_absurd_topology_is_capped(tmp_path: Path) -> None:
    many = [(f"RINCON_{i:012X}01400",
             f"http://127.201.{i // 250}.{i % 250 + 1}:1400/xml/device_description.xml")
            for i in range(10_000)]
    faults = {"*": {"body": {"GetZoneGroupState": soap_zgs(members_xml(many))}}}
    inventory, observations = scan_fast(tmp_path, faults)
    from_topology = [t for t in observations.targets if set(t.via) == {Method.TOPOLOGY}]
    assert len(from_topology) <= 1000
    assert any("more than 1000 members" in note for note in observations.notes)
    good_players_read(inventory, bad="none")


CONTROL_REPLY = (
    "HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
    "USN: uuid:RINCON_000E58F0020301400::urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
    "SERVER: Linux UPnP/1.0 Sonos/95.0-77060 (ZPS18)\x1b]0;pwned\x07\r\n"
    "X-RINCON-HOUSEHOLD: Sonos_\x1b[31mred\x9b\r\n\r\n"
)


def test_noise_on_the_lan(emulate: Start, tmp_path: Path) -> None:
    noise = [
        "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:router-1::upnp:rootdevice\r\n"
        "SERVER: Linux/5.4 UPnP/1.0 MiniUPnPd/2.3\r\nLOCATION: http://127.0.0.1:5000/r.xml\r\n\r\n",
        "HTTP/1.1 200 OK\r\nST: urn:dial-multiscreen-org:service:dial:1\r\n"
        "USN: uuid:tv-1::urn:dial-multiscreen-org:service:dial:1\r\nSERVER: WebOS TV\r\n\r\n",
        "\x00\x01\x02 not ssdp at all \xff",
        "HTTP/1.1 200 OK\r\n" + "X-Junk: " + "A" * 3000 + "\r\n\r\n",
        CONTROL_REPLY,
    ]
    txt = {"hhid": "\x00\x1b[2J" + "\xff" * 40, "info": "A" * 250, "uuid": KITCHEN + "\u202e"}
    inventory, observations, _, _ = scan(
        emulate, tmp_path, {KITCHEN: {"ssdp_extra": noise, "txt": txt}},
        emulator={"mdns": True}, use_mdns=True, mdns_window_s=4.0)  # zeroconf rate-limits repeats
    assert len(inventory.players) == 4
    assert all(p.reachable for p in inventory.players)
    assert {h.household_id for h in inventory.households} == {"Sonos_FixtureHealthyS2xxxxxxxxx01"}
    kitchen_mdns = [s for t in observations.targets for s in t.sightings
                    if s.method is Method.MDNS and s.uuid == KITCHEN]
    assert kitchen_mdns, "the hostile mDNS record was not seen at all"
    assert all(s.household_id is None for s in kitchen_mdns)  # garbage hhid rejected


def test_control_and_bidi_characters_in_names(tmp_path: Path) -> None:
    root = with_faults(tmp_path, {})
    path = root / "home" / "devices" / f"{KITCHEN}.xml"
    text = path.read_text().replace("<roomName>Kitchen</roomName>",
                                    "<roomName>Kit\u009bchen\u202e\u2066x</roomName>")
    path.write_text(text.replace("<modelName>Sonos One</modelName>",
                                 "<modelName>One\u0085\u200f</modelName>"))
    inventory, _ = scan_fast(tmp_path, {}, root)
    kitchen = inventory.player(KITCHEN)
    assert kitchen is not None and kitchen.room == "Kit\u009bchen\u202e\u2066x"  # shown as-is
    table = render_table(inventory)
    assert_terminal_safe(table)
    assert "Kit\\x9bchen\\u202e\\u2066x" in table

"""Connection, boot counter, app version and the --deep parsers on real-capture-shaped data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sonos_inventory.analyze.connection import CONNECTION_TYPE_CODES, behind_extender, classify
from sonos_inventory.analyze.deep import disagreement, gate, gate_evidence
from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.analyze.versions import app_version
from sonos_inventory.collect.parse import parse_status_page, parse_zone_group_state
from sonos_inventory.diff import diff_inventories, restarted
from sonos_inventory.discovery.ssdp import parse_response
from sonos_inventory.errors import ParseError
from sonos_inventory.model import DeepInfo, Method, Sighting
from sonos_inventory.report.render_json import inventory_dict, inventory_from_dict, render_json

from ..helpers import inventory_of

# The shape of the 2026 capture of a real 30-product household (sonos-facts.md §7): three
# kinds of members, attributes in the order the players send them; identifiers made up.
SD_LIKE = (
    '<ZoneGroupState><ZoneGroups><ZoneGroup Coordinator="RINCON_000E58A0000101400" '
    'ID="RINCON_000E58A0000101400:12">'
    '<ZoneGroupMember UUID="RINCON_000E58A0000101400" '
    'Location="http://10.0.0.11:1400/xml/device_description.xml" ZoneName="Den" Icon="" '
    'Configuration="1" SoftwareVersion="86.8-78270" SWGen="2" '
    'MinCompatibleVersion="85.0-00000" LegacyCompatibleVersion="58.0-00000" BootSeq="118" '
    'TVConfigurationError="0" HdmiCecAvailable="0" WirelessMode="0" WirelessLeafOnly="0" '
    'ChannelFreq="2437" BehindWifiExtender="0" WifiEnabled="1" EthLink="0" Orientation="0" '
    'RoomCalibrationState="4" SecureRegState="3" VoiceConfigState="0" MicEnabled="0" '
    'HeadphoneSwapActive="0" AirPlayEnabled="0" IdleState="1" MoreInfo="" SSLPort="1443" '
    'HHSSLPort="1843" ConnectionType="2"/>'
    '<ZoneGroupMember UUID="RINCON_000E58A0000201400" '
    'Location="http://10.0.0.12:1400/xml/device_description.xml" ZoneName="BOOST" Icon="" '
    'Configuration="1" Invisible="1" IsZoneBridge="1" SoftwareVersion="86.8-78270" SWGen="2" '
    'MinCompatibleVersion="85.0-00000" LegacyCompatibleVersion="58.0-00000" BootSeq="40" '
    'WirelessMode="0" WirelessLeafOnly="0" ChannelFreq="2437" BehindWifiExtender="0" '
    'WifiEnabled="1" EthLink="1" MoreInfo="" ConnectionType="1"/>'
    '<ZoneGroupMember UUID="RINCON_000E58A0000301400" '
    'Location="http://10.0.0.13:1400/xml/device_description.xml" ZoneName="TV" Icon="" '
    'Configuration="1" SoftwareVersion="96.0-78270" SWGen="2" '
    'MinCompatibleVersion="95.0-00000" LegacyCompatibleVersion="58.0-00000" BootSeq="77" '
    'HTSatChanMapSet="RINCON_000E58A0000301400:LF,RF;RINCON_000E58A0000401400:LR" '
    'WirelessMode="0" BehindWifiExtender="0" WifiEnabled="1" EthLink="0" ConnectionType="2">'
    '<Satellite UUID="RINCON_000E58A0000401400" '
    'Location="http://10.0.0.14:1400/xml/device_description.xml" ZoneName="TV" Icon="" '
    'Configuration="1" Invisible="1" SoftwareVersion="96.0-78270" SWGen="2" BootSeq="9" '
    'HTSatChanMapSet="RINCON_000E58A0000301400:LF,RF;RINCON_000E58A0000401400:LR" '
    'WirelessMode="0" BehindWifiExtender="0" WifiEnabled="1" EthLink="0" ConnectionType="6"/>'
    "</ZoneGroupMember></ZoneGroup></ZoneGroups><VanishedDevices></VanishedDevices>"
    "</ZoneGroupState>"
)

# A /status/zp page with the fields of the 2026 captures (sonos-facts.md §5, §7).
STATUS_PAGE = (
    '<?xml version="1.0" ?><?xml-stylesheet type="text/xsl" href="/xml/review.xsl"?>'
    "<ZPSupportInfo><ZPInfo><ZoneName>Den</ZoneName><ZoneIcon>x-rincon-roomicon:den</ZoneIcon>"
    "<Configuration>1</Configuration><LocalUID>RINCON_000E58A0000101400</LocalUID>"
    "<SerialNumber>00-0E-58-A0-00-01:7</SerialNumber><SoftwareVersion>86.8-78270"
    "</SoftwareVersion><BuildType>release</BuildType><SWGen>2</SWGen>"
    "<SoftwareDate>2026-06-27 22:10:16.032610</SoftwareDate><HHSwgenState>allow:2"
    "</HHSwgenState><MinCompatibleVersion>85.0-00000</MinCompatibleVersion>"
    "<HardwareVersion>1.20.1.6-2.1</HardwareVersion><SeriesID>A101</SeriesID>"
    "<IPAddress>10.0.0.11</IPAddress><MACAddress>00:0E:58:A0:00:01</MACAddress>"
    "<ExtraInfo>OTP: </ExtraInfo><HouseholdControlID>Sonos_abcdefghijkl.mnopq"
    "</HouseholdControlID><LocationId>lc_0123456789</LocationId>"
    "<WifiModeString>SONOSNET_MODE</WifiModeString>"
    "<ConnectionTypeString>SonosNet (wireless)</ConnectionTypeString></ZPInfo></ZPSupportInfo>"
)


def test_connection_from_the_2026_capture_shape() -> None:
    members = {m.zone_name: m for m in parse_zone_group_state(SD_LIKE).members}
    satellite = next(m for m in parse_zone_group_state(SD_LIKE).members if m.satellite_of)
    assert classify(members["Den"])[0] == "sonosnet"
    assert classify(members["BOOST"])[0] == "wired"
    assert classify(satellite)[0] == "home-theater"
    assert "observed" in classify(members["Den"])[1]
    assert "ConnectionType=2" in classify(members["Den"])[1]
    assert members["Den"].boot_seq == 118 and satellite.boot_seq == 9
    assert behind_extender(members["Den"]) is False


@pytest.mark.parametrize("code", ["0", "3", "5", "7", "99"])
def test_codes_not_seen_in_data_are_unknown_with_the_raw_code(code: str) -> None:
    member = replace(parse_zone_group_state(SD_LIKE).members[0], connection_type=code)
    connection, basis = classify(member)
    assert connection == "unknown"
    assert repr(code) in basis
    assert code not in CONNECTION_TYPE_CODES


def test_older_captures_without_connection_type(samples: Path) -> None:
    theater = parse_zone_group_state(
        (samples / "zgs_S2-69.1_home-theater-satellites_node-sonos-ts.xml").read_bytes())
    by_uuid = {m.uuid: m for m in theater.members}
    bar = by_uuid["RINCON_FFFFFFFFFFFFFFFF0"]
    connection, basis = classify(bar)
    assert connection == "wired" and "EthLink=1" in basis and "inferred" in basis
    for member in theater.members:
        if member.satellite_of:
            assert classify(member)[0] == "home-theater"
    fixture = parse_zone_group_state(
        (samples / "zgs_S2-70.4_two-members_home-assistant-fixture.xml").read_bytes())
    assert {classify(m)[0] for m in fixture.members} == {"wifi"}  # WirelessMode="1"
    assert all("observed" in classify(m)[1] for m in fixture.members)
    old = parse_zone_group_state(
        (samples / "zgs_S1-54.2_openphonos-demozone.xml").read_bytes())
    for member in old.members:  # 54.2 sends no EthLink: only the structure and the Boost tell
        expected = ("home-theater" if member.satellite_of else
                    "wired" if member.is_zone_bridge else "unknown")
        assert classify(member, must_be_cabled=member.is_zone_bridge)[0] == expected, member


def test_ssdp_wifimode_header_alone(samples: Path) -> None:
    raw = (samples / "ssdp_msearch_responses_40.5_duncan3dc-sonos_normal.http").read_bytes()
    first = raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    sighting = parse_response(first, "192.168.7.105")
    assert sighting is not None
    assert dict(sighting.raw)["X-RINCON-WIFIMODE"] == "0"
    assert classify(None, "0")[0] == "unknown"
    assert classify(None, "1")[0] == "wifi"
    assert classify(None, None)[0] == "unknown"


def test_app_version_is_display_version_and_build() -> None:
    assert app_version("17.8", "95.0-77060") == "17.8 (build 95077060)"
    assert app_version("11.2.9", "57.6-88280") == "11.2.9 (build 57688280)"  # HA #52757
    assert app_version(None, "95.0-77060") == "build 95077060"
    assert app_version("17.8", None) == "17.8"
    assert app_version(None, None) is None


def test_restarted_counts_from_boot_seq() -> None:
    assert restarted(12, 15) == "restarted 3 times since"
    assert restarted(12, 13) == "restarted 1 time since"
    assert restarted(12, 12) is None and restarted(None, 4) is None
    assert "reset" in (restarted(40, 3) or "")


def test_diff_says_restarted() -> None:
    before = inventory_of("healthy-s2")
    bumped = tuple(replace(p, boot_seq=(p.boot_seq or 0) + 2) for p in before.players)
    result = diff_inventories(before, replace(before, players=bumped))
    assert result.changed and all("restarted 2 times since" in c.what for c in result.changed)


def test_status_page_parser() -> None:
    page = parse_status_page(STATUS_PAGE)
    assert (page.software_version, page.sw_gen, page.hh_swgen_state) == (
        "86.8-78270", 2, "allow:2")
    assert page.software_date == "2026-06-27 22:10:16.032610"
    assert (page.series_id, page.mac, page.extra_info) == ("A101", "00:0E:58:A0:00:01", "OTP:")
    assert (page.wifi_mode, page.connection_type) == ("SONOSNET_MODE", "SonosNet (wireless)")
    assert page.household_control_id == "Sonos_abcdefghijkl.mnopq"
    with pytest.raises(ParseError):
        parse_status_page("<html>Forbidden</html>")
    with pytest.raises(ParseError):
        parse_status_page('<!DOCTYPE r [<!ENTITY a "b">]><ZPSupportInfo>&a;</ZPSupportInfo>')


def test_gate_parsing() -> None:
    assert gate("allow:2") == 2 and gate(" allow : 1 ") == 1
    assert gate(None) is None and gate("deny:2") is None and gate("allow:x") is None


def test_gate_contradiction_is_evidence_of_the_finding() -> None:
    inventory = inventory_of("error-803")
    deep = tuple(replace(p, deep=DeepInfo("read", hh_swgen_state="allow:2"))
                 for p in inventory.players)
    analysed = analyze(replace(inventory, players=deep, findings=()))
    mixed = next(f for f in analysed.findings if f.rule == "mixed-generation")
    assert any("HHSwgenState" in e and "Bedroom" in e for e in mixed.evidence)
    s2_player = next(p for p in analysed.players if p.sw_gen == 2)
    assert gate_evidence(analysed, s2_player) is None  # at the gate: nothing to say
    # without --deep there is no such evidence
    assert not any("HHSwgenState" in e for f in inventory.findings for e in f.evidence)


def test_disagreement_between_two_copies() -> None:
    full = parse_zone_group_state(SD_LIKE)
    assert disagreement(full, full, "a", "b", {}) == ()
    fewer = replace(full, members=full.members[1:])
    moved = replace(full, members=tuple(
        replace(m, coordinator="RINCON_000E58A0000201400") if m.zone_name == "Den" else m
        for m in full.members))
    lines = disagreement(full, fewer, "first", "second", {})
    assert lines == ("RINCON_000E58A0000101400 is listed by first but not by second",)
    lines = disagreement(full, moved, "first", "second", {})
    assert len(lines) == 1 and "led by" in lines[0]


def test_new_keys_round_trip_through_json_and_the_schema() -> None:
    inventory = inventory_of("home-theater")
    players = tuple(replace(p, deep=DeepInfo("refused (HTTP 403)")) for p in inventory.players)
    document = inventory_dict(replace(inventory, players=players))
    for entry in document["players"]:
        for key in ("series_id", "app_version", "connection", "connection_basis",
                    "behind_wifi_extender", "boot_seq", "status_page"):
            assert key in entry
    back = inventory_from_dict(document)
    assert [(p.connection, p.boot_seq, p.series_id, p.deep) for p in back.players] == [
        (p.connection, p.boot_seq, p.series_id, p.deep) for p in players]
    assert '"connection": "wired"' in render_json(inventory)  # the Boost


def test_scenarios_cover_every_connection() -> None:
    seen = {p.connection for name in ("home-theater", "healthy-s2", "split-s1-s2", "error-803")
            for p in inventory_of(name).players}
    assert {"wired", "sonosnet", "wifi", "home-theater"} <= seen
    assert any(p.behind_wifi_extender for p in inventory_of("healthy-s2").players)
    ids = {h.household_id for h in inventory_of("split-s1-s2").households}
    assert any(i and i.startswith("HHID_") for i in ids)
    assert any(i and i.startswith("Sonos_") for i in ids)


def test_boot_seq_from_ssdp_when_the_topology_has_none() -> None:
    from sonos_inventory.analyze.classify import classify
    from sonos_inventory.inventory import build_inventory
    from sonos_inventory.model import Endpoint, ScanObservations, TargetObservation

    sighting = Sighting(Endpoint("10.0.0.5"), Method.SSDP, "RINCON_000E58A0000901400", None,
                        raw=(("X-RINCON-BOOTSEQ", "57"), ("X-RINCON-WIFIMODE", "1")))
    target = TargetObservation(Endpoint("10.0.0.5"), (Method.SSDP,), (sighting,),
                               "RINCON_000E58A0000901400")
    observations = ScanObservations("a", "b", (Method.SSDP,), (), (target,), ())
    player = classify(build_inventory(observations, "t")).players[0]
    assert (player.boot_seq, player.connection) == (57, "wifi")


def test_reports_show_connection_version_and_deep_pages() -> None:
    from sonos_inventory.report.render_html import render_html
    from sonos_inventory.report.render_markdown import render_markdown
    from sonos_inventory.report.render_table import render_table

    inventory = inventory_of("home-theater")
    table = render_table(inventory)
    assert "Connection" in table and "home theatre" in table and "wired" in table
    assert "build 95077060" in table
    html = render_html(inventory)
    assert 'data-connection="wired"' in html and 'data-connection="home-theater"' in html
    assert "Status pages (--deep)" not in html
    markdown = render_markdown(inventory)
    assert "| SonosNet |" in markdown and "Status pages (--deep)" not in markdown
    players = tuple(replace(p, deep=DeepInfo("read", "2026-06-27 22:10:16", "allow:2",
                                             "SONOSNET_MODE", "SonosNet (wireless)", "OTP:"))
                    for p in inventory.players)
    deep = replace(inventory, players=players)
    assert "SonosNet (wireless)" in render_markdown(deep) and "allow:2" in render_html(deep)


def test_emulated_ssdp_replies_follow_each_player() -> None:
    from sonos_inventory.emulator.player import EmulatedPlayer
    from sonos_inventory.emulator.ssdp import replies_for
    from sonos_inventory.model import Endpoint
    from sonos_inventory.scenario.folder import Faults, load_scenario

    from ..conftest import SCENARIOS

    def player(name: str, faults: Faults | None = None) -> EmulatedPlayer:
        faults = faults or Faults()
        household = load_scenario(SCENARIOS / name).households[0]
        uuid, xml = household.devices[0]
        from sonos_inventory.scenario.folder import describe
        return EmulatedPlayer(uuid, Endpoint("127.0.0.9"), household, describe(xml), xml, faults)

    def headers(reply: bytes) -> dict[str, str]:
        from sonos_inventory.discovery.ssdp import parse_headers
        return parse_headers(reply)[1]

    old = headers(replies_for(player("legacy-2015"), "upnp:rootdevice")[0])
    assert old["X-RINCON-VARIANT"] == "0" and "BOOTID.UPNP.ORG" not in old
    new = headers(replies_for(player("healthy-s2"), "upnp:rootdevice")[0])
    assert new["X-RINCON-VARIANT"] == "2" and new["BOOTID.UPNP.ORG"] == new["X-RINCON-BOOTSEQ"]
    forced = headers(replies_for(player("healthy-s2", Faults(ssdp_headers="classic")),
                                 "upnp:rootdevice")[0])
    assert "SECURELOCATION.UPNP.ORG" not in forced
    everything = replies_for(player("healthy-s2"), "ssdp:all")
    assert len(everything) == 7  # root, uuid, ZonePlayer, _MS twice, _MR twice
    assert replies_for(player("healthy-s2"), "urn:example:nothing:1") == []


def test_status_page_with_every_member_picks_the_player() -> None:
    other = STATUS_PAGE.replace("RINCON_000E58A0000101400", "RINCON_000E58A0000201400").replace(
        "<SeriesID>A101</SeriesID>", "<SeriesID>C201</SeriesID>")
    review = ("<ZPSupportInfo>" + other.split("<ZPSupportInfo>")[1].split("</ZPSupportInfo>")[0]
              + STATUS_PAGE.split("<ZPSupportInfo>")[1])
    assert parse_status_page(review, "RINCON_000E58A0000101400").series_id == "A101"
    assert parse_status_page(review, "RINCON_000E58A0000201400").series_id == "C201"
    assert parse_status_page(review).series_id == "C201"  # unknown player: the first block

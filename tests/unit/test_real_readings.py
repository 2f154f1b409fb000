"""What real players report (issue 20): the connection from the topology's attributes, the
band and channel, portables' battery, vanished devices' MAC and model, the status page's
cross-checks, and the product table. Pure."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sonos_inventory.analyze.connection import band, battery, classify
from sonos_inventory.analyze.products import product_table
from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.collect.parse import parse_status_page, parse_zone_group_state
from sonos_inventory.model import DeepInfo, Player, ZoneMember

from ..helpers import assert_read_only, inventory_of


def member(**attrs: str | None) -> ZoneMember:
    base = ZoneMember("RINCON_000E58F0AB0101400", None, "Room", None, None, None, None, None,
                      None)
    return replace(base, **attrs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("attrs", "cabled", "connection", "word"), [
    ({"wireless_mode": "1", "eth_link": "0"}, False, "wifi", "observed"),
    ({"wireless_mode": "2", "satellite_of": "RINCON_X"}, False, "home-theater", "observed"),
    ({"satellite_of": "RINCON_X"}, False, "home-theater", "inferred"),
    ({"wireless_mode": "0", "eth_link": "0"}, False, "sonosnet", "likely"),
    ({"wireless_mode": "0", "eth_link": "1"}, False, "wired", "inferred"),
    ({"wireless_mode": "0"}, False, "unknown", "no EthLink"),
    ({"wireless_mode": "0"}, True, "wired", "cabled"),
    ({"connection_type": "2", "eth_link": "0"}, False, "sonosnet", "observed"),
])
def test_connection_from_the_topology(attrs: dict[str, str], cabled: bool, connection: str,
                                      word: str) -> None:
    found, basis = classify(member(**attrs), must_be_cabled=cabled)
    assert found == connection and word in basis, basis


def test_wired_with_wifi_off_and_the_band() -> None:
    found, basis = classify(member(eth_link="1", wifi_enabled="0", channel_freq="2437"))
    assert found == "wired" and "Wi-Fi is off" in basis
    assert band(member(channel_freq="2437")) == ("2.4 GHz", 2437)
    assert band(member(channel_freq="5745")) == ("5 GHz", 5745)
    assert band(member(channel_freq="junk")) == (None, None)


def test_battery_from_more_info() -> None:
    assert battery("RawBattPct:90,BattPct:100,BattChg:CHARGING,BattTmp:32") == (100, True)
    assert battery("RawBattPct:5,BattPct:4,BattChg:NOT_CHARGING,BattTmp:20") == (4, False)
    assert battery("TargetRoomName:Kitchen") == (None, None)
    assert battery(None) == (None, None)


VANISHED_ROAM = (
    '<ZoneGroupState><ZoneGroups><ZoneGroup Coordinator="RINCON_000E58F0AB0201400" ID="x:1">'
    '<ZoneGroupMember UUID="RINCON_000E58F0AB0201400" Location="http://192.168.1.2:1400/xml/'
    'device_description.xml" ZoneName="Kitchen" SoftwareVersion="96.0-78270" SWGen="2" '
    'WirelessMode="0" EthLink="0" ChannelFreq="2437"/>'
    '<ZoneGroupMember UUID="RINCON_000E58F0AB0301400" Location="http://192.168.1.3:1400/xml/'
    'device_description.xml" ZoneName="Den" SoftwareVersion="96.0-78270" SWGen="2" '
    'WirelessMode="1" ChannelFreq="2437"/></ZoneGroup></ZoneGroups><VanishedDevices>'
    '<Device UUID="RINCON_000E58F0AB0401400" ZoneName="Patio" Reason="powered off" '
    'ModelInfo="S54" Mac="000E58F0AB04" LastKnownIP="192.168.1.4" '
    'LastSeenUTC="2026-12-01T10:00:00Z" SWGen="2" '
    'MoreInfo="RawBattPct:5,BattPct:4,BattChg:NOT_CHARGING,BattTmp:20"/>'
    '</VanishedDevices></ZoneGroupState>')


def test_vanished_keep_mac_and_model_and_a_flat_battery_is_the_likely_reason() -> None:
    topology = parse_zone_group_state(VANISHED_ROAM)
    [device] = topology.vanished
    assert device.mac == "00:0E:58:F0:AB:04" and device.model_number == "S54"
    assert "S54" in product_table() and product_table()["S54"].name == "Roam 2"
    from sonos_inventory.inventory import build_inventory
    from sonos_inventory.model import Endpoint, HouseholdRead, Method, ScanObservations

    observations = ScanObservations(
        "2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z", (Method.HOST,), (), (),
        (HouseholdRead(Endpoint("192.168.1.2"), "RINCON_000E58F0AB0201400", "Sonos_Roam",
                       topology),))
    inventory = analyze(build_inventory(observations, "test"))
    roam = next(p for p in inventory.players if p.room == "Patio")
    assert roam.mac == "00:0E:58:F0:AB:04" and roam.model_name == "Roam 2"
    assert (roam.battery_percent, roam.charging) == (4, False)
    offline = next(f for f in inventory.findings if f.rule == "unreachable-player"
                   and roam.uuid in f.players)
    assert "last seen at 4 %, not charging" in offline.detail
    kitchen = next(p for p in inventory.players if p.room == "Kitchen")
    den = next(p for p in inventory.players if p.room == "Den")
    assert (kitchen.connection, kitchen.wifi_band) == ("sonosnet", "2.4 GHz")
    assert den.connection == "wifi"
    shared = [f for f in inventory.findings if f.rule == "shared-channel"]
    assert shared and "2437" in shared[0].title


def test_a_status_page_that_disagrees_is_a_warning() -> None:
    page = parse_status_page(
        "<ZPSupportInfo><ZPInfo><IPAddress>192.168.1.99</IPAddress><MACAddress>"
        "00:0E:58:F0:99:99</MACAddress><HouseholdControlID>Sonos_X.abc</HouseholdControlID>"
        "</ZPInfo></ZPSupportInfo>")
    assert page.ip == "192.168.1.99" and page.household_control_id == "Sonos_X.abc"
    inventory = inventory_of("healthy-s2")
    first = inventory.players[0]
    deep = DeepInfo("read", household_control_id=page.household_control_id, ip=page.ip,
                    mac=page.mac)
    changed = replace(inventory, players=(replace(first, deep=deep), *inventory.players[1:]))
    result = analyze(changed)
    [mismatch] = [f for f in result.findings if f.rule == "address-mismatch"]
    assert "192.168.1.99" in mismatch.detail and str(first.ip) in mismatch.detail
    assert "00:0E:58:F0:99:99" in mismatch.detail
    same = replace(deep, ip=first.ip, mac=first.mac)
    quiet = analyze(replace(inventory, players=(replace(first, deep=same),
                                                *inventory.players[1:])))
    assert not [f for f in quiet.findings if f.rule == "address-mismatch"]


def test_the_emulator_invents_no_version_and_no_boot_counter(tmp_path: object) -> None:
    """A capture without a software version or a BootSeq replays without them (issue 20)."""
    import re
    from pathlib import Path

    from sonos_inventory.discovery.ssdp import parse_response
    from sonos_inventory.emulator.offline import OfflineLan
    from sonos_inventory.emulator.ssdp import reply_for
    from sonos_inventory.scenario.builtin import write_scenario
    from sonos_inventory.scenario.folder import load_scenario

    root = write_scenario("healthy-s2", Path(str(tmp_path)) / "s")
    for path in root.rglob("*.xml"):
        text = path.read_text("utf-8")
        text = re.sub(r"<softwareVersion>[^<]*</softwareVersion>", "", text)
        text = re.sub(r' BootSeq="\d+"', "", text)
        path.write_text(text, "utf-8")
    lan = OfflineLan(load_scenario(root))
    player = lan.players[0]
    reply = reply_for(player, "urn:schemas-upnp-org:device:ZonePlayer:1").decode()
    assert "X-RINCON-BOOTSEQ" not in reply and "BOOTID.UPNP.ORG" not in reply
    assert "Sonos (ZPS" in reply and "0.0-00000" not in reply
    sighting = parse_response(reply.encode(), player.endpoint.host)
    assert sighting is not None and sighting.software_version is None


def test_status_pages_are_the_scenarios_own_or_404(tmp_path: object) -> None:
    from pathlib import Path

    from sonos_inventory.emulator.offline import OfflineLan
    from sonos_inventory.scenario.builtin import SCENARIOS, write_scenario
    from sonos_inventory.scenario.folder import STATUS_PAGE_SUFFIX, load_scenario

    for name in SCENARIOS:  # built-in pages: realistic fields only
        for household in load_scenario(Path("fixtures/scenarios") / name).households:
            for _uuid, page in household.status_pages:
                assert b"WifiModeString" not in page and b"ConnectionTypeString" not in page
                assert b"<HouseholdControlID>" in page and b"<SoftwareVersion>" in page
    root = write_scenario("healthy-s2", Path(str(tmp_path)) / "s")
    removed = next(root.rglob(f"*{STATUS_PAGE_SUFFIX}"))
    removed.unlink()
    lan = OfflineLan(load_scenario(root))
    codes = {p.uuid: lan.emulator.respond_get(p, "/status/zp")[0] for p in lan.players}
    assert codes.pop(removed.name[: -len(STATUS_PAGE_SUFFIX)]) == 404
    assert set(codes.values()) == {200}


def test_what_the_emulator_cannot_serve_is_named(tmp_path: object) -> None:
    from pathlib import Path

    from sonos_inventory.emulator.offline import OfflineLan
    from sonos_inventory.scenario.builtin import write_scenario
    from sonos_inventory.scenario.folder import load_scenario

    root = write_scenario("healthy-s2", Path(str(tmp_path)) / "s")
    devices = root / "home" / "devices"
    original = next(devices.glob("RINCON_*01400.xml"))
    (devices / "RINCON_XXXXXXXXXXXX01400.xml").write_bytes(original.read_bytes())
    scenario = load_scenario(root)
    [stray] = [s for s in scenario.skipped if "RINCON_XXXXXXXXXXXX01400.xml" in s]
    assert "not served" in stray and "zone_group_state.xml" in stray
    assert len(OfflineLan(scenario).players) == 4  # the rest is served
    assert not load_scenario(Path("fixtures/scenarios/healthy-s2")).skipped


def test_the_real_readings_scenario_end_to_end() -> None:
    """Every reading through the real planner and the emulator's answers, with --deep."""
    from ..conftest import scan_offline

    inventory, _observations, lan = scan_offline("real-readings", deep=True)
    by_room: dict[str | None, list[Player]] = {}
    for p in inventory.players:
        by_room.setdefault(p.room, []).append(p)
    assert by_room["Kitchen"][0].connection == "wifi"
    living = by_room["Living Room"][0]
    assert (living.connection, living.wifi_band, living.channel_mhz) == (
        "sonosnet", "2.4 GHz", 2437)
    assert by_room["BOOST"][0].connection == "wired"
    assert by_room["Den"][0].connection == "unknown"
    office = by_room["Office"][0]
    assert office.connection == "wired" and "Wi-Fi is off" in office.connection_basis
    surrounds = [p for p in by_room["TV Room"] if p.role.value == "satellite"]
    assert {(p.connection, p.wifi_band) for p in surrounds} == {("home-theater", "5 GHz")}
    move = by_room["Garden"][0]
    assert (move.battery_percent, move.charging) == (100, True)
    roam = by_room["Patio"][0]
    assert roam.vanished and roam.model_name == "Roam 2" and roam.mac == "00:0E:58:F0:22:0A"
    rules = {f.rule: f for f in inventory.findings}
    assert "last seen at 4 %, not charging" in rules["unreachable-player"].detail
    assert {inventory.player(u).room for u in rules["shared-channel"].players} == {  # type: ignore[union-attr]
        "Kitchen", "Living Room"}
    mismatch = rules["address-mismatch"]
    assert mismatch.players == (by_room["Den"][0].uuid,)
    den_deep = by_room["Den"][0].deep
    assert den_deep is not None and den_deep.household_control_id
    assert inventory.verdict.error_803 == "not-indicated"
    assert_read_only(lan)


@pytest.mark.parametrize(("spec", "message"), [
    ({"name": "Vera", "usn": "a\r\nEvil: 1"}, "must not hold CR"),
    ({"name": "Vera", "usn": "uuid:x", "port": 70000}, "port must be"),
    ({"name": "Vera", "usn": "uuid:x", "path": "description.xml"}, "path must start"),
    ({"name": "Vera", "usn": "uuid:x", "description_file": "../etc/passwd"}, "beside"),
    ({"name": "../x", "usn": "uuid:x"}, "name:"),
    ({"name": "Vera", "usn": "uuid:x", "mdns_type": "_http._tcp"}, "mdns_type"),
])
def test_responders_json_is_checked_at_load(tmp_path: object, spec: dict[str, object],
                                            message: str) -> None:
    import json
    from pathlib import Path

    from sonos_inventory.errors import UsageError
    from sonos_inventory.scenario.builtin import write_scenario
    from sonos_inventory.scenario.folder import load_scenario

    root = write_scenario("healthy-s2", Path(str(tmp_path)) / "s")
    (root / "responders.json").write_text(json.dumps({"responders": [spec]}))
    with pytest.raises(UsageError, match=message):
        load_scenario(root)


SEEN_IN_PUBLIC_CAPTURES = (
    "ZP80", "ZP100", "ZP90", "ZP120", "S15", "S16", "S5", "S6", "S24", "S3", "S1", "S12", "S9",
    "S11", "S13", "S18", "S22", "S38", "S14", "S31", "S17", "S23", "S20", "S21", "S33", "S29",
    "S19", "S27", "S35", "S36", "S39", "S41", "S45", "S26", "S30", "S34", "Sub", "ZB100", "BR100",
    "BR200", "WD100", "CR100", "CR200", "S54")
"""Every model number the reference facts name from public captures and sources (§4, §8)."""


def test_the_product_table_knows_every_model_number_seen_in_captures() -> None:
    table = product_table()
    missing = [m for m in SEEN_IN_PUBLIC_CAPTURES if m.upper() not in table]
    assert not missing
    assert all(product.source.strip() for product in table.values())

"""Parsers on the verbatim real captures, in every form players and captures use."""

from __future__ import annotations

from pathlib import Path

import pytest

from sonos_inventory.collect.parse import (
    parse_device_description,
    parse_soap_response,
    parse_upnp_error,
    parse_zone_group_state,
)
from sonos_inventory.errors import ParseError


def read(samples: Path, prefix: str) -> bytes:
    return next(samples.glob(f"{prefix}*")).read_bytes()


def test_s2_one_gen2(samples: Path) -> None:
    d = parse_device_description(read(samples, "device_description_S18"))
    assert d.uuid == "RINCON_48A6B88C948E01400"
    assert (d.model_number, d.model_name, d.software_version) == ("S18", "Sonos One", "92.0-71170")
    assert (d.sw_gen, d.display_version, d.memory_mb) == (2, "17.7", 1024)
    assert d.min_compatible_version == "91.0-00000"
    assert d.legacy_compatible_version == "58.0-00000"
    assert d.hardware_version == "1.26.1.7-1.2"
    assert d.mac is None  # "removed for privacy" is not a MAC
    assert d.room == "Sonos"


def test_s1_playbar_with_unfilled_template_placeholders(samples: Path) -> None:
    d = parse_device_description(read(samples, "device_description_S9"))
    assert (d.model_number, d.software_version, d.sw_gen) == ("S9", "57.4-83220", 1)
    assert d.display_version == "11.2.4"
    assert d.serial and d.mac and d.serial.startswith(d.mac.replace(":", "-"))


@pytest.mark.parametrize("prefix,model,memory", [
    ("device_description_ZP90", "ZP90", 32),
    ("device_description_ZP120", "ZP120", 32),
    ("device_description_ZB100", "ZB100", 8),
])
def test_2015_firmware_without_swgen_or_mac_element(
    samples: Path, prefix: str, model: str, memory: int
) -> None:
    d = parse_device_description(read(samples, prefix))
    assert d.model_number == model
    assert d.software_version == "28.1-83040"
    assert d.sw_gen is None
    assert d.memory_mb == memory
    assert d.mac is not None  # derived from the serial, as soco does


def test_escaped_zgs_with_satellites(samples: Path) -> None:
    topology = parse_zone_group_state(read(samples, "zgs_S2-69.1"))
    satellites = [m for m in topology.members if m.satellite_of]
    assert satellites and all(m.invisible for m in satellites)
    assert all(m.sw_gen == 2 for m in topology.members)
    coordinator = topology.members[0]
    assert coordinator.ht_sat_chan_map_set and ":SW" in coordinator.ht_sat_chan_map_set


def test_unescaped_zgs_s1(samples: Path) -> None:
    topology = parse_zone_group_state(read(samples, "zgs_S1-54.2"))
    assert len(topology.members) >= 5
    assert {m.software_version for m in topology.members} == {"54.2-72160"}
    assert all(m.sw_gen == 1 for m in topology.members)


def test_pre_10_1_zone_groups_root_inside_an_event(samples: Path) -> None:
    raw = read(samples, "zgs_S1-31.8")
    # The capture is hand-merged and misses one </ZoneGroup>: a strict parser must refuse it
    # with our one parse error, not crash or guess.
    with pytest.raises(ParseError):
        parse_zone_group_state(raw)
    repaired = raw.replace(b"&lt;/ZoneGroupMember&gt;\n            &lt;/ZoneGroups&gt;",
                           b"&lt;/ZoneGroupMember&gt;&lt;/ZoneGroup&gt;&lt;/ZoneGroups&gt;")
    assert repaired != raw
    topology = parse_zone_group_state(repaired)
    assert topology.members
    assert all(m.sw_gen is None for m in topology.members)  # no SWGen before S2
    bridges = [m for m in topology.members if m.is_zone_bridge]
    assert bridges and bridges[0].invisible
    assert all(m.uuid == m.uuid.strip() for m in topology.members)


def test_home_assistant_fixture(samples: Path) -> None:
    topology = parse_zone_group_state(read(samples, "zgs_S2-70.4"))
    assert [m.software_version for m in topology.members] == ["70.4-36090"] * len(
        topology.members)


def test_soap_wrapped_zgs_and_vanished_devices() -> None:
    inner = (
        '<ZoneGroupState><ZoneGroups><ZoneGroup Coordinator="RINCON_A01400" ID="RINCON_A01400:1">'
        '<ZoneGroupMember UUID="RINCON_A01400" Location="http://10.0.0.2:1400/xml/'
        'device_description.xml" ZoneName="K" SoftwareVersion="95.0-77060" SWGen="2"/>'
        '</ZoneGroup></ZoneGroups><VanishedDevices><Device UUID="RINCON_B01400" ZoneName="G" '
        'Reason="powered off" ModelInfo="S33" LastKnownIP="10.0.0.9" SWGen="2"/>'
        "</VanishedDevices></ZoneGroupState>"
    )
    escaped = inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")
    envelope = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        '<u:GetZoneGroupStateResponse xmlns:u="urn:schemas-upnp-org:service:ZoneGroupTopology:1">'
        f"<ZoneGroupState>{escaped}</ZoneGroupState></u:GetZoneGroupStateResponse></s:Body>"
        "</s:Envelope>"
    ).encode()
    assert parse_soap_response(envelope, "GetZoneGroupState")["ZoneGroupState"] == inner
    for form in (envelope, inner):
        topology = parse_zone_group_state(form)
        assert [m.uuid for m in topology.members] == ["RINCON_A01400"]
        assert topology.vanished[0].model_number == "S33"
        assert topology.vanished[0].last_known_ip == "10.0.0.9"


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><root>&x;</root>',
    b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><root>&b;</root>',
    b"<root><device>",
    b"\xff\xfe\x00garbage",
    b"",
    b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:x</deviceType>'
    b"</device></root>",
])
def test_hostile_or_foreign_descriptions_raise_parse_error_only(payload: bytes) -> None:
    with pytest.raises(ParseError):
        parse_device_description(payload)


def test_upnp_fault_body() -> None:
    body = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
            b'<detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>401'
            b"</errorCode></UPnPError></detail></s:Fault></s:Body></s:Envelope>")
    assert parse_upnp_error(body) == ("401", 401)
    assert parse_upnp_error(b"<html/>") is None


def test_topology_member_cap_is_reported() -> None:
    rows = "".join(f'<ZoneGroupMember UUID="RINCON_{i:012X}01400" Location="http://10.0.0.1:1400/'
                   f'x" ZoneName="r"/>' for i in range(1005))
    topology = parse_zone_group_state(
        f'<ZoneGroupState><ZoneGroups><ZoneGroup Coordinator="x" ID="g">{rows}</ZoneGroup>'
        "</ZoneGroups></ZoneGroupState>")
    assert len(topology.members) == 1000 and topology.truncated

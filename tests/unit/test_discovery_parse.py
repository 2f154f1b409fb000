"""SSDP replies, mDNS TXT records, --host and --network values."""

from __future__ import annotations

import ast
import ipaddress
from pathlib import Path

import pytest

from sonos_inventory.discovery.hosts import parse_host
from sonos_inventory.discovery.mdns import decode_txt, sighting_from_txt
from sonos_inventory.discovery.probe import hosts_of, parse_networks
from sonos_inventory.discovery.ssdp import parse_response
from sonos_inventory.errors import ParseError, UsageError
from sonos_inventory.model import Endpoint, Method


def ssdp_replies(samples: Path) -> list[bytes]:
    text = next(samples.glob("ssdp_msearch_*")).read_bytes()
    return [part + b"\r\n\r\n" for part in text.split(b"\r\n\r\n") if part.strip()]


def test_real_ssdp_replies(samples: Path) -> None:
    replies = ssdp_replies(samples)
    assert len(replies) == 2
    sighting = parse_response(replies[0], "192.168.7.105")
    assert sighting is not None
    assert sighting.endpoint == Endpoint("192.168.7.105", 1400)
    assert sighting.uuid == "RINCON_B8E93759B3D601400"
    assert sighting.household_id == "Sonos_P9Ufbz0f2mKYnHAVXZdaVyKLm5"
    assert sighting.software_version == "40.5-48230"
    assert sighting.model_token == "ZPS1"
    assert sighting.method is Method.SSDP


def test_reply_is_credited_to_its_source_not_its_location(samples: Path) -> None:
    reply = ssdp_replies(samples)[0]
    sighting = parse_response(reply, "192.168.7.200")
    assert sighting is not None and sighting.endpoint == Endpoint("192.168.7.200", 1400)
    # A loopback responder may name its own port (the emulator's port mode), nobody else's.
    lying = reply.replace(b"192.168.7.105:1400", b"127.0.0.1:8080")
    assert parse_response(lying, "127.0.0.1").endpoint == Endpoint("127.0.0.1", 8080)  # type: ignore[union-attr]
    assert parse_response(lying, "127.0.0.2").endpoint == Endpoint("127.0.0.2", 1400)  # type: ignore[union-attr]
    other_port = reply.replace(b"192.168.7.105:1400", b"192.168.7.105:8080")
    assert parse_response(other_port, "192.168.7.105").endpoint == Endpoint(  # type: ignore[union-attr]
        "192.168.7.105", 1400)  # on a LAN, only the Sonos port, whatever LOCATION says


def test_non_sonos_and_malformed_datagrams() -> None:
    router = (b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:1234::upnp:rootdevice\r\n"
              b"SERVER: Linux UPnP/1.0 MiniUPnPd/2.0\r\nLOCATION: http://10.0.0.1:5000/x\r\n\r\n")
    assert parse_response(router, "10.0.0.1") is None
    assert parse_response(b"M-SEARCH * HTTP/1.1\r\n\r\n", "10.0.0.1") is None
    for garbage in (b"\x00\x01\x02", b"HELLO\r\nno colon here\r\n", b"x" * 5000):
        with pytest.raises(ParseError):
            parse_response(garbage, "10.0.0.1")


def test_household_header_with_control_characters_is_dropped() -> None:
    reply = (b"HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
             b"USN: uuid:RINCON_000E58F00001401400::urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
             b"SERVER: Linux UPnP/1.0 Sonos/95.0-77060 (ZPS18)\r\n"
             b"X-RINCON-HOUSEHOLD: Sonos_\x1b[31mred\r\n\r\n")
    sighting = parse_response(reply, "10.0.0.5")
    assert sighting is not None and sighting.household_id is None


def mdns_packet(samples: Path) -> bytes:
    text = next(samples.glob("mdns_*")).read_text()
    start = text.index("packet = (") + len("packet = ")
    end = text.index(")\n", start) + 1
    value = ast.literal_eval(text[start:end])
    assert isinstance(value, bytes)
    return value


def test_real_mdns_capture(samples: Path) -> None:
    from zeroconf._dns import DNSText
    from zeroconf._protocol.incoming import DNSIncoming

    incoming = DNSIncoming(mdns_packet(samples))
    txt = next(r for r in incoming.answers() if isinstance(r, DNSText))
    properties: dict[bytes, bytes | None] = {}
    data, offset = txt.text, 0
    while offset < len(data):
        length = data[offset]
        key, _, value = data[offset + 1: offset + 1 + length].partition(b"=")
        properties[key] = value
        offset += 1 + length
    sighting = sighting_from_txt("Sonos-542A1BC9220E", "192.168.2.58", decode_txt(properties))
    assert sighting is not None
    assert sighting.uuid == "RINCON_542A1BC9220E01400"
    assert sighting.household_id == "Sonos_rYn9K9DLXJe0f3LP9747lbvFvh"
    assert sighting.endpoint == Endpoint("192.168.2.58", 1400)


def test_mdns_location_naming_another_host_is_ignored() -> None:
    txt = {"uuid": "RINCON_000E58F00001401400", "location": "http://8.8.8.8:1400/x.xml"}
    sighting = sighting_from_txt("whatever", "192.168.1.9", txt)
    assert sighting is not None and sighting.endpoint == Endpoint("192.168.1.9", 1400)
    assert sighting_from_txt("Printer", "192.168.1.9", {"ty": "printer"}) is None


@pytest.mark.parametrize("value,expected", [
    ("192.168.1.20", Endpoint("192.168.1.20", 1400)),
    ("127.0.0.1:1401", Endpoint("127.0.0.1", 1401)),
    ("[::1]:1400", Endpoint("::1", 1400)),
])
def test_parse_host(value: str, expected: Endpoint) -> None:
    assert parse_host(value) == expected


@pytest.mark.parametrize("value", ["kitchen.local", "192.168.1.20:99999", "1.2.3.4:x"])
def test_parse_host_rejects(value: str) -> None:
    with pytest.raises(UsageError):
        parse_host(value)


def test_networks_are_clamped_to_a_22() -> None:
    assert parse_networks(["10.1.2.0/22"])[0].num_addresses == 1024
    with pytest.raises(UsageError, match="/22"):
        parse_networks(["10.0.0.0/16"])
    with pytest.raises(UsageError):
        parse_networks(["not-a-network"])
    assert len(hosts_of([ipaddress.IPv4Network("10.0.0.0/24")])) == 254
    assert hosts_of([ipaddress.IPv4Network("10.0.0.7/32")]) == ["10.0.0.7"]

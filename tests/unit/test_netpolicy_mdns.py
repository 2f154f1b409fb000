"""The network policy for addresses an mDNS record announces (issue 18): only on the subnet of
an interface being browsed; never link-local, loopback or multicast unless the interface is;
a device names no port except a player's own on its own loopback address."""

from __future__ import annotations

import ipaddress

import pytest

from sonos_inventory.model import Endpoint, Method, Sighting
from sonos_inventory.netpolicy import Origin, check, interface_networks
from sonos_inventory.planner import Planner, ReadDescription

LAN = (ipaddress.ip_network("192.168.1.0/24"),)
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


@pytest.mark.parametrize(("host", "port", "browsed", "allowed"), [
    ("192.168.1.50", 1400, LAN, True),
    ("169.254.169.254", 1400, LAN, False),  # a link-local metadata address
    ("8.8.8.8", 1400, LAN, False),  # a public address elsewhere
    ("127.0.0.1", 1400, LAN, False),  # the scanner's own loopback from a LAN record
    ("127.0.0.1", 8080, LAN, False),
    ("224.0.0.251", 1400, LAN, False),
    ("192.168.1.255", 1400, LAN, False),  # the subnet's broadcast address
    ("192.168.1.0", 1400, LAN, False),
    ("192.168.1.50", 8080, LAN, False),  # a device never chooses a port
    ("127.0.0.5", 40123, LOOPBACK, True),  # the emulator: its own port on its own address
    ("203.0.113.9", 1400, (ipaddress.ip_network("203.0.113.0/24"),), True),  # a public home
    ("169.254.3.4", 1400, (ipaddress.ip_network("169.254.0.0/16"),), True),  # link-local iface
    ("10.0.0.5", 1400, (), False),
])
def test_an_announced_address_must_be_on_a_browsed_subnet(
        host: str, port: int, browsed: tuple[ipaddress.IPv4Network, ...], allowed: bool) -> None:
    decision = check(Endpoint(host, port), Origin.ANNOUNCED, browsed=browsed)
    assert decision.allowed is allowed, decision.reason
    if not allowed:
        assert decision.reason


def test_interface_networks_use_the_local_subnet_or_the_24_around_it() -> None:
    local = (ipaddress.ip_network("10.1.0.0/16"),)
    assert interface_networks(("10.1.2.3", "192.168.5.7", "127.0.0.1", "junk"), local) == (
        ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("192.168.5.0/24"),
        ipaddress.ip_network("127.0.0.0/8"))


def test_the_planner_refuses_and_names_the_host_command() -> None:
    planner = Planner(LAN, browsed=LAN)
    for host, port in (("169.254.169.254", 1400), ("8.8.8.8", 1400), ("127.0.0.1", 8080)):
        actions = planner.sighting(Sighting(Endpoint(host, port), Method.MDNS,
                                            "RINCON_000E58F0AA0101400"))
        assert actions == []
    assert sum("sonos-inventory scan --host " in note for note in planner.notes) == 3
    ok = planner.sighting(Sighting(Endpoint("192.168.1.50"), Method.MDNS,
                                   "RINCON_000E58F0AA0201400"))
    assert ok == [ReadDescription(Endpoint("192.168.1.50"))]
    # SSDP: the reply's own source, as before; --host: as the user gave it
    assert planner.sighting(Sighting(Endpoint("10.9.9.9"), Method.SSDP, None))
    assert planner.sighting(Sighting(Endpoint("169.254.1.1"), Method.HOST, None))

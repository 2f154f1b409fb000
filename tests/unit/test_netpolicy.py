"""The network policy: one function, edge cases of ipaddress."""

from __future__ import annotations

import ipaddress

import pytest

from sonos_inventory.model import Endpoint
from sonos_inventory.netpolicy import Origin, check, endpoint_from_location, reporter_subnet

LAN = (ipaddress.ip_network("192.168.1.0/24"),)
REPORTER = Endpoint("192.168.1.20", 1400)


def topology(host: str, port: int = 1400, reporter: Endpoint = REPORTER) -> bool:
    return check(Endpoint(host, port), Origin.TOPOLOGY, reporter=reporter,
                 local_networks=LAN).allowed


def test_members_in_the_reporters_subnet_are_allowed() -> None:
    assert topology("192.168.1.21")
    assert topology("::ffff:192.168.1.22")  # IPv4-mapped IPv6 is judged as IPv4


@pytest.mark.parametrize("host", [
    "192.168.2.21",  # next subnet
    "8.8.8.8",  # public
    "10.0.0.1",  # private, but not the reporter's subnet
    "127.0.0.1",  # loopback from a non-loopback player
    "0.0.0.0",
    "255.255.255.255",
    "239.255.255.250",
    "192.168.1.255",  # the subnet's broadcast address
    "192.168.1.0",
    "sonos.example.com",  # a hostname, even one that would resolve
])
def test_members_elsewhere_are_refused(host: str) -> None:
    assert not topology(host)


def test_port_1400_only_except_on_loopback() -> None:
    assert not topology("192.168.1.21", 8080)
    loop = Endpoint("127.0.0.5", 1400)
    assert check(Endpoint("127.0.0.9", 1401), Origin.TOPOLOGY, reporter=loop).allowed
    assert not check(Endpoint("192.168.1.9", 1400), Origin.TOPOLOGY, reporter=loop).allowed


def test_unknown_subnet_falls_back_to_the_24_around_the_reporter() -> None:
    reporter = Endpoint("172.20.5.9", 1400)
    assert check(Endpoint("172.20.5.200", 1400), Origin.TOPOLOGY, reporter=reporter).allowed
    assert not check(Endpoint("172.20.6.1", 1400), Origin.TOPOLOGY, reporter=reporter).allowed
    assert str(reporter_subnet(ipaddress.ip_address("172.20.5.9"), ())) == "172.20.5.0/24"


def test_documentation_ranges_are_judged_by_subnet_not_by_is_private() -> None:
    lan = (ipaddress.ip_network("192.0.2.0/24"),)  # TEST-NET-1: is_private is True
    reporter = Endpoint("192.0.2.10", 1400)
    assert check(Endpoint("192.0.2.11", 1400), Origin.TOPOLOGY, reporter=reporter,
                 local_networks=lan).allowed
    assert not check(Endpoint("198.51.100.1", 1400), Origin.TOPOLOGY, reporter=reporter,
                     local_networks=lan).allowed


def test_user_targets_are_taken_as_given_but_never_unusable() -> None:
    assert check(Endpoint("10.9.9.9", 1400), Origin.USER).allowed
    assert check(Endpoint("10.9.9.9", 8080), Origin.USER).allowed
    assert not check(Endpoint("0.0.0.0", 1400), Origin.USER).allowed
    assert not check(Endpoint("224.0.0.251", 1400), Origin.USER).allowed


def test_location_urls() -> None:
    assert endpoint_from_location("http://192.168.1.5:1400/xml/device_description.xml") == (
        Endpoint("192.168.1.5", 1400))
    for bad in ("https://192.168.1.5:1400/x", "http://sonos.local:1400/x",
                "http://user:pw@192.168.1.5:1400/x", "ftp://1.2.3.4/", "http://[::1", None, ""):
        assert endpoint_from_location(bad) is None
    assert endpoint_from_location("http://192.168.1.5/x") == Endpoint("192.168.1.5", 80)

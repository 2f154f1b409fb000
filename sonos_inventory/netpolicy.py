"""The network policy: the one place that decides which addresses the tool may contact.

- A discovery responder (SSDP): its own address (the source of its reply), never an address it
  names.
- An address a record announces (an mDNS A/AAAA record, whose packet's source python-zeroconf
  does not expose): only on the subnet of an interface being browsed; never link-local unless
  that interface is, never loopback unless that interface is (the emulator), never multicast.
- A topology member: only inside the IPv4 subnet of the player that reported it (the subnet of the
  local interface that reaches that player, else the /24 around it); a loopback player may point
  only at loopback.
- --host and --network targets: as the user gave them.
- Port 1400 only, except on loopback (the emulator's port mode). IP literals only, never a hostname.

"Private" is deliberately not the test: Python's is_private also covers documentation and reserved
ranges, and a device may sit on a public range at home. "Same subnet as the reporter" is the test.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from dataclasses import dataclass
from enum import Enum

from .bounds import SONOS_PORT
from .model import Endpoint

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Origin(Enum):
    RESPONDER = "responder"  # the address a discovery reply came from
    USER = "user"  # --host / --network
    TOPOLOGY = "topology"  # a member address reported by another player
    ANNOUNCED = "announced"  # an address a record names (mDNS A/AAAA), not its packet's source


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


ALLOW = Decision(True)


def normalize_ip(text: str) -> IPAddress | None:
    """Parse an IP literal; IPv4-mapped IPv6 becomes IPv4. Anything else (hostnames too) is None."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _unusable(address: IPAddress) -> str | None:
    if address.is_unspecified:
        return "unspecified address"
    if address.is_multicast:
        return "multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address == ipaddress.IPv4Address(
        "255.255.255.255"
    ):
        return "broadcast address"
    return None


def reporter_subnet(reporter: IPAddress, local_networks: tuple[IPNetwork, ...]) -> IPNetwork:
    """The subnet a reporting player lives in, as seen from this machine."""
    if reporter.is_loopback:
        return ipaddress.ip_network("127.0.0.0/8" if reporter.version == 4 else "::1/128")
    for network in local_networks:
        if network.version == reporter.version and reporter in network:
            return network
    prefix = 24 if reporter.version == 4 else 64
    return ipaddress.ip_network(f"{reporter}/{prefix}", strict=False)


def interface_networks(addresses: tuple[str, ...], local_networks: tuple[IPNetwork, ...]
                       ) -> tuple[IPNetwork, ...]:
    """The subnets of the interfaces being browsed: the local network holding each address,
    else the /24 around it (the /8 for loopback)."""
    found: list[IPNetwork] = []
    for text in addresses:
        address = normalize_ip(text)
        if address is not None:
            found.append(reporter_subnet(address, local_networks))
    return tuple(dict.fromkeys(found))


def _announced(address: IPAddress, browsed: tuple[IPNetwork, ...]) -> Decision:
    inside = [n for n in browsed if n.version == address.version and address in n]
    if not inside:
        shown = ", ".join(str(n) for n in browsed) or "none known"
        return Decision(False, f"{address} is not on the subnet of an interface being browsed "
                               f"({shown})")
    subnet = inside[0]
    if address.is_loopback and not subnet.network_address.is_loopback:
        return Decision(False, f"{address} is a loopback address")
    if address.is_link_local and not subnet.network_address.is_link_local:
        return Decision(False, f"{address} is a link-local address")
    if isinstance(subnet, ipaddress.IPv4Network) and subnet.prefixlen < 31 and (
            address in (subnet.network_address, subnet.broadcast_address)) and (
            not address.is_loopback):
        return Decision(False, f"{address} is the network or broadcast address of {subnet}")
    return ALLOW


def check(
    endpoint: Endpoint,
    origin: Origin,
    *,
    reporter: Endpoint | None = None,
    local_networks: tuple[IPNetwork, ...] = (),
    browsed: tuple[IPNetwork, ...] = (),
) -> Decision:
    """May the tool contact `endpoint`? The reason says why not, in words for the report."""
    address = normalize_ip(endpoint.host)
    if address is None:
        return Decision(False, f"{endpoint.host!r} is not an IP address (names are never resolved)")
    problem = _unusable(address)
    if problem:
        return Decision(False, f"{address} is a {problem}")
    if not 0 < endpoint.port < 65536:
        return Decision(False, f"port {endpoint.port} is not a TCP port")
    if origin is not Origin.USER and endpoint.port != SONOS_PORT and not address.is_loopback:
        return Decision(False, f"port {endpoint.port} is not the Sonos port {SONOS_PORT}")
    if origin is Origin.ANNOUNCED:
        return _announced(address, browsed)
    if origin is Origin.TOPOLOGY:
        reporter_ip = normalize_ip(reporter.host) if reporter else None
        if reporter_ip is None:
            return Decision(False, "no reporting player to judge the member's address by")
        if reporter_ip.version != address.version:
            return Decision(False, f"{address} is not in the network of {reporter_ip}")
        subnet = reporter_subnet(reporter_ip, local_networks)
        if address not in subnet:
            return Decision(
                False, f"{address} is outside {subnet}, the subnet of the player that reported it"
            )
        if isinstance(subnet, ipaddress.IPv4Network) and subnet.prefixlen < 31 and (
            address in (subnet.network_address, subnet.broadcast_address)
        ) and not address.is_loopback:
            return Decision(False, f"{address} is the network or broadcast address of {subnet}")
    return ALLOW


def endpoint_from_location(url: str | None) -> Endpoint | None:
    """The endpoint a `Location` URL names, or None unless it is plain http to an IP literal."""
    if not url:
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "http" or parts.username or parts.password or not parts.hostname:
        return None
    address = normalize_ip(parts.hostname)
    if address is None:
        return None
    return Endpoint(str(address), port if port is not None else 80)

"""The machine's IPv4 interfaces: where discovery listens, and the subnets the policy sees."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class Interface:
    name: str
    address: str
    network: ipaddress.IPv4Network

    @property
    def is_loopback(self) -> bool:
        return self.network.network_address.is_loopback


def list_interfaces() -> tuple[Interface, ...]:
    """Every configured IPv4 address (ifaddr works on Linux, macOS and Windows)."""
    import ifaddr

    found: list[Interface] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not ip.is_IPv4 or not isinstance(ip.ip, str):
                continue
            try:
                network = ipaddress.IPv4Network(f"{ip.ip}/{ip.network_prefix}", strict=False)
            except ValueError:
                continue
            found.append(Interface(str(adapter.nice_name or adapter.name), ip.ip, network))
    return tuple(found)


def default_discovery_interfaces(all_interfaces: tuple[Interface, ...]) -> tuple[Interface, ...]:
    """Every IPv4 interface that is up, except loopback and link-local (169.254/16)."""
    return tuple(
        i for i in all_interfaces
        if not i.is_loopback and not ipaddress.IPv4Address(i.address).is_link_local
    )

"""The discovery sources: each reports Sightings until it is done or stopped.

`DiscoverySource` is the seam for "discover": tests stand in with `HostSource` (a fixed list of
sightings) or a source of their own, with no socket.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .. import bounds
from ..model import Method, Sighting
from . import mdns, probe, ssdp


class DiscoverySource(Protocol):
    """The seam for "discover": report sightings until done or stopped."""

    @property
    def method(self) -> Method: ...

    def run(
        self,
        on_sighting: Callable[[Sighting], None],
        stop: threading.Event,
        on_problem: Callable[[str], None],
    ) -> None: ...


@dataclass(frozen=True)
class SsdpSource:
    interfaces: tuple[str, ...]
    window_s: float = bounds.SSDP_WINDOW_S
    method: Method = Method.SSDP
    ttl: int = bounds.SSDP_DEFAULT_TTL
    broadcast: bool | None = None  # None: on every interface but loopback (discovery/ssdp.py)

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        ssdp.search(self.interfaces, on_sighting, window_s=self.window_s, mx=bounds.SSDP_MX_S,
                    sends=bounds.SSDP_RESENDS, stop=stop, on_problem=on_problem, ttl=self.ttl,
                    broadcast=self.broadcast)


@dataclass(frozen=True)
class MdnsSource:
    interfaces: tuple[str, ...]
    window_s: float = bounds.MDNS_WINDOW_S
    method: Method = Method.MDNS

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        mdns.browse(self.interfaces, on_sighting, window_s=self.window_s, stop=stop,
                    on_problem=on_problem)


@dataclass(frozen=True)
class ProbeSource:
    networks: tuple[ipaddress.IPv4Network, ...]
    method: Method = Method.NETWORK

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        probe.probe(self.networks, on_sighting, stop=stop)


@dataclass(frozen=True)
class HostSource:
    sightings: tuple[Sighting, ...]
    method: Method = Method.HOST

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        for sighting in self.sightings:
            on_sighting(sighting)

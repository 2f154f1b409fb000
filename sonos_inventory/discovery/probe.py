"""--network: a bounded TCP probe of port 1400 for networks where multicast does not pass.

Non-blocking connects, at most PROBE_CONCURRENCY open at once, each given PROBE_CONNECT_TIMEOUT_S.
A host that accepts is only a candidate: reading its device description decides if it is Sonos.
"""

from __future__ import annotations

import errno
import ipaddress
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterable

from ..bounds import (
    MAX_PROBE_ADDRESSES,
    MAX_PROBE_PREFIX,
    PROBE_CONCURRENCY,
    PROBE_CONNECT_TIMEOUT_S,
    SONOS_PORT,
)
from ..errors import UsageError
from ..model import Endpoint, Method, Sighting


def parse_networks(values: Iterable[str], name: str = "--network"
                   ) -> tuple[ipaddress.IPv4Network, ...]:
    """Validate --network values: IPv4 CIDR with its prefix, no larger than a /22 each and at
    most MAX_PROBE_ADDRESSES in all. UsageError naming `name` (the option or the argument)."""
    networks = []
    total = 0
    for value in values:
        text = value.strip()
        if "/" not in text:
            raise UsageError(
                f"{name} {value!r} has no prefix: write {text}/24 for the network around it, "
                f"or {text}/32 for that one address")
        try:
            network = ipaddress.IPv4Network(text, strict=False)
        except ValueError:
            raise UsageError(
                f"{name} {value!r} is not an IPv4 network; write it like 192.168.1.0/24"
            ) from None
        if network.prefixlen < MAX_PROBE_PREFIX:
            raise UsageError(
                f"{name} {value} has {network.num_addresses} addresses; the probe takes at most "
                f"a /{MAX_PROBE_PREFIX} ({2 ** (32 - MAX_PROBE_PREFIX)} addresses). Give the /24 "
                "your Sonos players are on, or several networks"
            )
        total += network.num_addresses
        if total > MAX_PROBE_ADDRESSES:
            raise UsageError(
                f"{name}: more than {MAX_PROBE_ADDRESSES:,} addresses in all; probe the "
                "networks your Sonos players are on, a few at a time")
        networks.append(network)
    return tuple(networks)


def hosts_of(networks: Iterable[ipaddress.IPv4Network]) -> list[str]:
    seen: dict[str, None] = {}
    for network in networks:
        for host in network.hosts() if network.prefixlen < 31 else network:
            seen.setdefault(str(host), None)
    return list(seen)


def probe(
    networks: tuple[ipaddress.IPv4Network, ...],
    on_sighting: Callable[[Sighting], None],
    *,
    stop: threading.Event,
    port: int = SONOS_PORT,
    connect_timeout: float = PROBE_CONNECT_TIMEOUT_S,
    concurrency: int = PROBE_CONCURRENCY,
) -> None:
    """Report every host of `networks` that accepts TCP on `port`."""
    pending = hosts_of(networks)
    pending.reverse()
    selector = selectors.DefaultSelector()
    started: dict[socket.socket, tuple[str, float]] = {}

    def finish(sock: socket.socket) -> None:
        selector.unregister(sock)
        started.pop(sock, None)
        sock.close()

    try:
        while (pending or started) and not stop.is_set():
            while pending and len(started) < concurrency:
                host = pending.pop()
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setblocking(False)
                code = sock.connect_ex((host, port))
                if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
                    sock.close()
                    continue
                started[sock] = (host, time.monotonic())
                selector.register(sock, selectors.EVENT_WRITE)
            for key, _ in selector.select(timeout=0.05):
                sock = next(s for s in started if s.fileno() == key.fd)
                host, _ = started[sock]
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    on_sighting(Sighting(Endpoint(host, port), Method.NETWORK))
                finish(sock)
            now = time.monotonic()
            for sock, (_, began) in list(started.items()):
                if now - began > connect_timeout:
                    finish(sock)
    finally:
        for sock in list(started):
            finish(sock)
        selector.close()

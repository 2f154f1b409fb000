"""SSDP discovery: one M-SEARCH per interface, every Sonos responder within the window.

The parser is pure; `search()` owns the sockets. A reply is credited to the address it came from,
never to the LOCATION it names (that is what a lying device would change).
"""

from __future__ import annotations

import re
import selectors
import socket
import threading
import time
from collections.abc import Callable

from ..bounds import (
    MAX_HEADER_VALUE,
    MAX_SSDP_DATAGRAM,
    MAX_SSDP_RESPONDERS,
    SONOS_PORT,
    SSDP_DEFAULT_TTL,
    SSDP_MAX_TTL,
    SSDP_RESEND_AFTER_S,
)
from ..errors import ParseError
from ..model import Endpoint, Method, Sighting
from ..netpolicy import endpoint_from_location, normalize_ip

MULTICAST_GROUP = "239.255.255.250"
BROADCAST = "255.255.255.255"
DESTINATIONS = (MULTICAST_GROUP, BROADCAST)
"""Each M-SEARCH goes to the multicast group and to the limited broadcast address, as the Sonos
controller does: routers that filter multicast still pass broadcast on the segment."""
SSDP_PORT = 1900
ZONE_PLAYER_ST = "urn:schemas-upnp-org:device:ZonePlayer:1"

_HOUSEHOLD_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_VERSION_RE = re.compile(r"Sonos/(0*[1-9]\d{0,3}\.\d{1,4}-\d{1,9})")  # major 0: no version
_TOKEN_RE = re.compile(r"Sonos(?:/[^ ]+)? \(([A-Za-z0-9_-]{1,32})\)")
_UUID_RE = re.compile(r"uuid:(RINCON_[0-9A-Za-z]{1,64})")


def msearch(mx: int, st: str = ZONE_PLAYER_ST) -> bytes:
    return (
        "M-SEARCH * HTTP/1.1\r\n"
        f"HOST: {MULTICAST_GROUP}:{SSDP_PORT}\r\n"
        'MAN: "ssdp:discover"\r\n'
        f"MX: {mx}\r\n"
        f"ST: {st}\r\n\r\n"
    ).encode("ascii")


def parse_headers(data: bytes) -> tuple[str, dict[str, str]]:
    """Start line and headers (upper-cased names) of an SSDP datagram. Raises ParseError."""
    if len(data) > MAX_SSDP_DATAGRAM:
        raise ParseError("SSDP datagram too large")
    text = data.decode("latin-1")
    lines = re.split(r"\r?\n", text)
    start = lines[0].strip()
    headers: dict[str, str] = {}
    for line in lines[1:65]:
        if not line.strip():
            break
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or len(name) > 64:
            raise ParseError("malformed SSDP header line")
        headers.setdefault(name.strip().upper(), value.strip()[:MAX_HEADER_VALUE])
    return start, headers


def parse_response(data: bytes, source_ip: str) -> Sighting | None:
    """A Sonos ZonePlayer reply as a Sighting; None for anything else that is valid SSDP.

    Raises ParseError for datagrams that are not SSDP at all.
    """
    start, headers = parse_headers(data)
    if not (start.upper().startswith("HTTP/1.1 200") or start.upper().startswith("NOTIFY ")):
        if start.upper().startswith("M-SEARCH"):
            return None  # another control point's search
        raise ParseError("not an SSDP response")
    address = normalize_ip(source_ip)
    if address is None:
        raise ParseError("reply from a non-IP source")
    usn = headers.get("USN", "")
    target = headers.get("ST", headers.get("NT", ""))
    server = headers.get("SERVER", "")
    uuid_match = _UUID_RE.search(usn)
    if not uuid_match or (ZONE_PLAYER_ST not in target and "Sonos" not in server):
        return None
    port = SONOS_PORT
    location = endpoint_from_location(headers.get("LOCATION"))
    if address.is_loopback and location and normalize_ip(location.host) == address:
        port = location.port  # the emulator's port mode; never another host
    household = headers.get("X-RINCON-HOUSEHOLD", "")
    version = _VERSION_RE.search(server)
    token = _TOKEN_RE.search(server)
    raw = tuple(sorted(headers.items()))
    return Sighting(
        endpoint=Endpoint(str(address), port),
        method=Method.SSDP,
        uuid=uuid_match.group(1),
        household_id=household if _HOUSEHOLD_RE.match(household) else None,
        software_version=version.group(1) if version else None,
        model_token=token.group(1) if token else None,
        raw=raw,
    )


def _open_socket(interface: str, ttl: int = SSDP_DEFAULT_TTL) -> socket.socket:
    """A socket bound to the interface's own address (replies come back to it, and the
    broadcast leaves through that interface only), multicast pinned to the same interface."""
    if not 1 <= ttl <= SSDP_MAX_TTL:
        raise ValueError(f"TTL {ttl} outside 1..{SSDP_MAX_TTL}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.bind((interface, 0))
    sock.setblocking(False)
    return sock


def search(
    interfaces: tuple[str, ...],
    on_sighting: Callable[[Sighting], None],
    *,
    window_s: float,
    mx: int,
    sends: int,
    stop: threading.Event,
    on_problem: Callable[[str], None] = lambda _msg: None,
    ttl: int = SSDP_DEFAULT_TTL,
    broadcast: bool | None = None,
) -> None:
    """Send M-SEARCH on each interface to the multicast group and to the broadcast address, and
    report Sonos replies until the window closes.

    `broadcast=None` broadcasts on every interface but loopback (no player lives there; the
    emulator listens for both, and tests force it with True inside a network namespace)."""
    selector = selectors.DefaultSelector()
    sockets: list[socket.socket] = []
    destinations: dict[int, tuple[str, ...]] = {}
    for interface in interfaces:
        try:
            sock = _open_socket(interface, ttl)
        except OSError as exc:
            on_problem(f"SSDP: cannot search on {interface}: {exc.strerror or exc}")
            continue
        sockets.append(sock)
        selector.register(sock, selectors.EVENT_READ)
        loopback = interface.startswith("127.")
        destinations[sock.fileno()] = DESTINATIONS if (
            broadcast or (broadcast is None and not loopback)) else (MULTICAST_GROUP,)
    if not sockets:
        return
    started = time.monotonic()
    end = started + window_s
    send_times = [started + i * SSDP_RESEND_AFTER_S for i in range(max(1, sends))]
    seen: set[tuple[str, str]] = set()
    message = msearch(mx)
    try:
        while not stop.is_set():
            now = time.monotonic()
            while send_times and send_times[0] <= now:
                send_times.pop(0)
                for sock in sockets:
                    for destination in destinations[sock.fileno()]:
                        try:
                            sock.sendto(message, (destination, SSDP_PORT))
                        except OSError as exc:
                            on_problem(f"SSDP: M-SEARCH to {destination} not sent: "
                                       f"{exc.strerror or exc}")
            if now >= end:
                break
            timeout = min(end, send_times[0] if send_times else end) - now
            for key, _ in selector.select(timeout=max(0.0, min(timeout, 0.1))):
                sock = next(s for s in sockets if s.fileno() == key.fd)
                for _ in range(64):  # drain, but let the loop breathe under a flood
                    try:
                        data, (source_ip, _port, *_rest) = sock.recvfrom(MAX_SSDP_DATAGRAM + 1)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break
                    try:
                        sighting = parse_response(data, source_ip)
                    except ParseError:
                        continue
                    if sighting is None or sighting.uuid is None:
                        continue
                    key_ = (source_ip, sighting.uuid)
                    if key_ in seen or len(seen) >= MAX_SSDP_RESPONDERS:
                        continue
                    seen.add(key_)
                    on_sighting(sighting)
    finally:
        selector.close()
        for sock in sockets:
            sock.close()

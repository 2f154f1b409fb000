"""The emulator's SSDP responder: answers M-SEARCH from each player's own address, after a random
delay spread over the whole MX window, as real players do. Answers loopback sources only."""

from __future__ import annotations

import contextlib
import heapq
import random
import re
import socket
import threading
import time
from typing import TYPE_CHECKING

from ..bounds import MAX_HEADER_VALUE, MAX_SSDP_DATAGRAM
from ..discovery.ssdp import MULTICAST_GROUP, SSDP_PORT, ZONE_PLAYER_ST

if TYPE_CHECKING:
    from .server import EmulatedPlayer, Emulator

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
IP_MULTICAST_ALL = 49  # Linux: only deliver groups joined on this socket


def header_value(value: str) -> str:
    """A header value from scenario data: no CR, LF or other control character, bounded."""
    return _CONTROL.sub(" ", value)[:MAX_HEADER_VALUE]


def reply_for(player: EmulatedPlayer, search_target: str) -> bytes:
    d = player.description
    version = (d.software_version if d else None) or "0.0-00000"
    model = (d.model_number if d else None) or "ZP"
    token = model if model.upper().startswith("ZP") else f"ZP{model}"
    household = player.faults.ssdp_household or player.household.household_id
    location = player.faults.ssdp_location or (
        f"{player.endpoint.base_url}/xml/device_description.xml")
    version, token, household, location = (header_value(v) for v in (
        version, token, household, location))
    return (
        "HTTP/1.1 200 OK\r\n"
        "CACHE-CONTROL: max-age = 1800\r\n"
        "EXT:\r\n"
        f"LOCATION: {location}\r\n"
        f"SERVER: Linux UPnP/1.0 Sonos/{version} ({token})\r\n"
        f"ST: {search_target}\r\n"
        f"USN: uuid:{player.uuid}::{search_target}\r\n"
        f"X-RINCON-HOUSEHOLD: {household}\r\n"
        "X-RINCON-BOOTSEQ: 42\r\n"
        "X-RINCON-WIFIMODE: 0\r\n"
        "X-RINCON-VARIANT: 2\r\n"
        f"HOUSEHOLD.SMARTSPEAKER.AUDIO: {household}.emulated\r\n\r\n"
    ).encode("utf-8", "replace")[:MAX_SSDP_DATAGRAM]


class SsdpResponder:
    def __init__(self, emulator: Emulator, rng: random.Random) -> None:
        self.emulator = emulator
        self.rng = rng
        self._stop = threading.Event()
        self._heap: list[tuple[float, int, bytes, str, tuple[str, int]]] = []
        self._cond = threading.Condition()
        self._counter = 0
        self._senders: dict[str, socket.socket] = {}

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((MULTICAST_GROUP, SSDP_PORT))
        except OSError:
            sock.bind(("", SSDP_PORT))  # platforms that cannot bind a group address
        membership = socket.inet_aton(MULTICAST_GROUP) + socket.inet_aton("127.0.0.1")
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        sock.settimeout(0.2)
        self._sock = sock
        for player in self.emulator.players:
            if player.faults.ssdp and not player.faults.no_answer and player.endpoint.host not in (
                self._senders
            ):
                sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sender.bind((player.endpoint.host, 0))
                self._senders[player.endpoint.host] = sender
        self._threads = [
            threading.Thread(target=self._listen, daemon=True, name="emulator-ssdp-listen"),
            threading.Thread(target=self._send_loop, daemon=True, name="emulator-ssdp-send"),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=2)
        self._sock.close()
        for sender in self._senders.values():
            sender.close()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                data, source = self._sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            if not source[0].startswith("127.") or not data.startswith(b"M-SEARCH"):
                continue
            text = data.decode("latin-1")
            st = re.search(r"(?im)^ST:\s*(.+?)\s*$", text)
            mx = re.search(r"(?im)^MX:\s*(\d+)", text)
            target = st.group(1) if st else ""
            if target not in (ZONE_PLAYER_ST, "ssdp:all"):
                continue
            window = min(max(int(mx.group(1)) if mx else 1, 1), 5,
                         self.emulator.ssdp_max_delay_s)
            reply_st = ZONE_PLAYER_ST
            now = time.monotonic()
            with self._cond:
                for player in self.emulator.players:
                    if player.endpoint.host not in self._senders or not player.faults.ssdp:
                        continue
                    self._counter += 1
                    due = now + self.rng.uniform(0, window)
                    payloads = [reply_for(player, reply_st)] + [
                        extra.encode("latin-1", "replace") for extra in player.faults.ssdp_extra]
                    for payload in payloads:
                        self._counter += 1
                        heapq.heappush(self._heap, (due, self._counter, payload,
                                                    player.endpoint.host, source))
                self._cond.notify()

    def _send_loop(self) -> None:
        with self._cond:
            while not self._stop.is_set():
                if not self._heap:
                    self._cond.wait(timeout=0.5)
                    continue
                due = self._heap[0][0] - time.monotonic()
                if due > 0:
                    self._cond.wait(timeout=due)
                    continue
                _, _, payload, host, destination = heapq.heappop(self._heap)
                with contextlib.suppress(OSError):
                    self._senders[host].sendto(payload, destination)

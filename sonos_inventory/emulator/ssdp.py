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
from email.utils import formatdate

from ..bounds import MAX_HEADER_VALUE, MAX_SSDP_DATAGRAM
from ..discovery.ssdp import BROADCAST, MULTICAST_GROUP, SSDP_PORT, ZONE_PLAYER_ST
from ..model import ZoneMember
from .player import EmulatedPlayer, ServedLan, ServedResponder

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
IP_MULTICAST_ALL = 49  # Linux: only deliver groups joined on this socket


def header_value(value: str) -> str:
    """A header value from scenario data: no CR, LF or other control character, bounded."""
    return _CONTROL.sub(" ", value)[:MAX_HEADER_VALUE]


ROOT_DEVICE = "upnp:rootdevice"
MEDIA_RENDERER = "urn:schemas-upnp-org:device:MediaRenderer:1"
MEDIA_SERVER = "urn:schemas-upnp-org:device:MediaServer:1"


def _member(player: EmulatedPlayer) -> ZoneMember | None:
    return player.household.topology.member(player.uuid)


def _major(player: EmulatedPlayer) -> int:
    d = player.description
    match = re.match(r"(\d{1,4})\.", (d.software_version if d else None) or "")
    return int(match.group(1)) if match else 0


def header_set(player: EmulatedPlayer) -> str:
    """classic (the 2018 captures: no UPnP 1.1 headers) or newer (BOOTID.UPNP.ORG,
    SECURELOCATION.UPNP.ORG, X-SONOS-HHSECURELOCATION, DATE, LOCATION.SMARTSPEAKER.AUDIO).
    faults.json `ssdp_headers` chooses; by default S2 firmware sends the newer set."""
    if player.faults.ssdp_headers:
        return player.faults.ssdp_headers
    return "newer" if _major(player) >= 58 else "classic"


def reply_for(player: EmulatedPlayer, search_target: str, usn: str | None = None) -> bytes:
    household = player.faults.ssdp_household or player.household.household_id
    location = player.faults.ssdp_location or (
        f"{player.endpoint.base_url}/xml/device_description.xml")
    household, location = header_value(household), header_value(location)
    member = _member(player)
    boot_seq = member.boot_seq if member else None  # none in the capture: none in the reply
    wifi_mode = "1" if member is not None and member.wireless_mode == "1" else "0"
    variant = re.search(rb"<variant>\s*(\d{1,3})\s*</variant>", player.device_xml)
    lines = [
        "HTTP/1.1 200 OK",
        "CACHE-CONTROL: max-age = 1800",
        "EXT:",
        f"LOCATION: {location}",
        f"SERVER: {header_value(player.server_header)}",
        f"ST: {search_target}",
        f"USN: {usn or f'uuid:{player.uuid}::{search_target}'}",
        f"X-RINCON-HOUSEHOLD: {household}",
        f"X-RINCON-BOOTSEQ: {boot_seq}" if boot_seq is not None else "",
        f"BOOTID.UPNP.ORG: {boot_seq}" if header_set(player) == "newer" and (
            boot_seq is not None) else "",
        f"X-RINCON-WIFIMODE: {wifi_mode}",
        f"X-RINCON-VARIANT: {variant.group(1).decode() if variant else 0}",
        f"HOUSEHOLD.SMARTSPEAKER.AUDIO: {household}.emulated",
    ]
    if header_set(player) == "newer":
        host = player.endpoint.host
        lines += [
            f"LOCATION.SMARTSPEAKER.AUDIO: lc_{player.uuid[7:19].lower()}",
            f"SECURELOCATION.UPNP.ORG: https://{host}:1443/xml/device_description.xml",
            f"X-SONOS-HHSECURELOCATION: https://{host}:1843/xml/device_description.xml",
            f"DATE: {formatdate(usegmt=True)}",
        ]
    return ("\r\n".join(line for line in lines if line) + "\r\n\r\n").encode(
        "utf-8", "replace")[:MAX_SSDP_DATAGRAM]


def replies_for(player: EmulatedPlayer, search_target: str) -> list[bytes]:
    """What a real player answers to one M-SEARCH: one reply per matching (sub-)device and
    target; for ssdp:all every one of them, the MediaRenderer (`_MR`) and MediaServer (`_MS`)
    sub-devices included (a Bridge has no renderer)."""
    uuid = player.uuid
    renderer = b"MediaRenderer" in player.device_xml
    targets = [(ROOT_DEVICE, f"uuid:{uuid}::{ROOT_DEVICE}"), (f"uuid:{uuid}", f"uuid:{uuid}"),
               (ZONE_PLAYER_ST, f"uuid:{uuid}::{ZONE_PLAYER_ST}"),
               (f"uuid:{uuid}_MS", f"uuid:{uuid}_MS"),
               (MEDIA_SERVER, f"uuid:{uuid}_MS::{MEDIA_SERVER}")]
    if renderer:
        targets += [(f"uuid:{uuid}_MR", f"uuid:{uuid}_MR"),
                    (MEDIA_RENDERER, f"uuid:{uuid}_MR::{MEDIA_RENDERER}")]
    if search_target == "ssdp:all":
        return [reply_for(player, st, usn) for st, usn in targets]
    return [reply_for(player, st, usn) for st, usn in targets if st == search_target]


def notify_for(player: EmulatedPlayer, alive: bool, boot_seq: int | None) -> bytes:
    """What a real player multicasts when it comes up (ssdp:alive) or goes (ssdp:byebye)."""
    household = header_value(player.faults.ssdp_household or player.household.household_id)
    lines = ["NOTIFY * HTTP/1.1", "HOST: 239.255.255.250:1900", f"NT: {ZONE_PLAYER_ST}",
             f"NTS: {'ssdp:alive' if alive else 'ssdp:byebye'}",
             f"USN: uuid:{player.uuid}::{ZONE_PLAYER_ST}"]
    if alive:
        lines += ["CACHE-CONTROL: max-age = 1800",
                  f"LOCATION: {player.endpoint.base_url}/xml/device_description.xml",
                  f"SERVER: {header_value(player.server_header)}",
                  f"X-RINCON-HOUSEHOLD: {household}"]
        if boot_seq is not None:
            lines.append(f"X-RINCON-BOOTSEQ: {boot_seq}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")[:MAX_SSDP_DATAGRAM]


def responder_reply(served: ServedResponder, search_target: str) -> bytes | None:
    """A non-Sonos device's answer to an M-SEARCH, with its own USN, location and server;
    None when the search is not for it (ssdp:all, upnp:rootdevice or its own ST)."""
    responder = served.responder
    if search_target not in ("ssdp:all", ROOT_DEVICE, responder.st):
        return None
    st = responder.st if search_target == "ssdp:all" else search_target
    lines = ["HTTP/1.1 200 OK", "CACHE-CONTROL: max-age=1800", "EXT:",
             f"LOCATION: {served.location}", f"SERVER: {responder.server}", f"ST: {st}",
             f"USN: {responder.usn}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")[:MAX_SSDP_DATAGRAM]


def _shared_udp_socket() -> socket.socket:
    """A UDP socket that may share port 1900 with other listeners (emulators, a scanner)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


class SsdpResponder:
    def __init__(self, emulator: ServedLan, rng: random.Random, *,
                 listen_multicast: bool = True, listen_broadcast: bool = True) -> None:
        self.emulator = emulator
        self.rng = rng
        self.listen_multicast = listen_multicast
        self.listen_broadcast = listen_broadcast
        self._stop = threading.Event()
        self._heap: list[tuple[float, int, bytes, str, tuple[str, int]]] = []
        self._cond = threading.Condition()
        self._counter = 0
        self._senders: dict[str, socket.socket] = {}

    def start(self) -> None:
        sock = _shared_udp_socket()
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
        self._broadcast_sock: socket.socket | None = None
        if self.listen_broadcast:
            # M-SEARCH sent to 255.255.255.255 (as the Sonos controller also does): only
            # datagrams to the broadcast address reach a socket bound to it.
            bsock = _shared_udp_socket()
            try:
                bsock.bind((BROADCAST, SSDP_PORT))
                bsock.settimeout(0.2)
                self._broadcast_sock = bsock
            except OSError:
                bsock.close()  # platforms that cannot bind it: multicast only
        hosts = [p.endpoint.host for p in self.emulator.players
                 if p.faults.ssdp and not p.faults.no_answer]
        hosts += [r.endpoint.host for r in self.emulator.responders]
        for host in hosts:
            if host not in self._senders:
                sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sender.bind((host, 0))
                with contextlib.suppress(OSError):  # NOTIFY leaves through loopback
                    sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                                      socket.inet_aton(host))
                self._senders[host] = sender
        self._threads = [
            threading.Thread(target=self._listen, args=(self._sock, self.listen_multicast),
                             daemon=True, name="emulator-ssdp-listen"),
            threading.Thread(target=self._send_loop, daemon=True, name="emulator-ssdp-send"),
        ]
        if self._broadcast_sock is not None:
            self._threads.append(threading.Thread(
                target=self._listen, args=(self._broadcast_sock, True), daemon=True,
                name="emulator-ssdp-broadcast"))
        for thread in self._threads:
            thread.start()

    def notify(self, player: EmulatedPlayer, alive: bool, boot_seq: int | None) -> None:
        """Multicast the player's NOTIFY on loopback (a timeline step changed it)."""
        sender = self._senders.get(player.endpoint.host)
        if sender is not None:
            with contextlib.suppress(OSError):
                sender.sendto(notify_for(player, alive, boot_seq), (MULTICAST_GROUP, SSDP_PORT))

    def stop(self) -> None:
        """Safe at any point of start() (Ctrl-C can come while it runs): only the threads that
        started are joined, only the sockets that were opened are closed."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for thread in getattr(self, "_threads", ()):
            if thread.ident is not None:  # a thread never started cannot be joined
                thread.join(timeout=2)
        for sock in (getattr(self, "_sock", None), getattr(self, "_broadcast_sock", None)):
            if sock is not None:
                sock.close()
        for sender in self._senders.values():
            sender.close()

    def _listen(self, sock: socket.socket, answer: bool) -> None:
        while not self._stop.is_set():
            try:
                data, source = sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            if not answer:
                continue  # a router that filters multicast (listen_multicast=False)
            if not source[0].startswith("127.") or not data.startswith(b"M-SEARCH"):
                continue
            text = data.decode("latin-1")
            st = re.search(r"(?im)^ST:\s*(.+?)\s*$", text)
            mx = re.search(r"(?im)^MX:\s*(\d+)", text)
            target = st.group(1) if st else ""
            window = min(max(int(mx.group(1)) if mx else 1, 1), 5,
                         self.emulator.ssdp_max_delay_s)
            now = time.monotonic()
            with self._cond:
                for player in self.emulator.players:
                    if (player.endpoint.host not in self._senders or not player.faults.ssdp
                            or self.emulator.is_silent(player.uuid)):
                        continue
                    self._counter += 1
                    due = now + self.rng.uniform(0, window)
                    replies = replies_for(player, target)
                    if not replies:
                        continue
                    payloads = replies + [
                        extra.encode("latin-1", "replace") for extra in player.faults.ssdp_extra]
                    for payload in payloads:
                        self._counter += 1
                        heapq.heappush(self._heap, (due, self._counter, payload,
                                                    player.endpoint.host, source))
                for served in self.emulator.responders:  # non-Sonos devices answer too
                    reply = responder_reply(served, target)
                    if reply is not None and served.endpoint.host in self._senders:
                        self._counter += 1
                        heapq.heappush(self._heap, (now + self.rng.uniform(0, window),
                                                    self._counter, reply,
                                                    served.endpoint.host, source))
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

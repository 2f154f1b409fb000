"""The emulator: serves a scenario on loopback as real players would, and records every request.

Each answering player gets its own address in a 127.X.Y.0/24 block on port 1400 (or, where only
127.0.0.1 exists, as on macOS, 127.0.0.1 with a port of its own). It serves the device description,
the SCPD files soco needs, and SOAP Get* actions; any other action gets UPnP error 401 and is
recorded. Loopback only; never a reverse-DNS lookup (server_bind is overridden).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import random
import re
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from ..collect.parse import parse_zone_group_state
from ..model import Endpoint
from ..netpolicy import endpoint_from_location
from ..scenario import timeline
from ..scenario.folder import (
    AddressBook,
    HouseholdSpec,
    Scenario,
    describe,
    rewrite_device_description,
    rewrite_zone_group_state,
)
from ..scenario.timeline import TimelineStep
from .mdns import MdnsAdvertiser
from .player import EmulatedPlayer, ServedResponder
from .ssdp import SsdpResponder

SOAP_ENVELOPE = (  # as real players send it: no XML declaration, one line
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>{body}</s:Body>'
    "</s:Envelope>"
)
UPNP_ERROR = (
    '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>'
    '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>{code}</errorCode>'
    "<errorDescription>{text}</errorDescription></UPnPError></detail></s:Fault>"
)
SCPD_PATHS = {
    "/xml/ZoneGroupTopology1.xml": "ZoneGroupTopology1.xml",
    "/xml/DeviceProperties1.xml": "DeviceProperties1.xml",
}


@cache
def scpd(name: str) -> bytes:
    """A service description, read from the package once."""
    return resources.files("sonos_inventory").joinpath(f"data/scpd/{name}").read_bytes()


class RequestLog:
    """One JSON line per HTTP request (DESIGN.md); thread-safe; also kept in memory for tests."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.entries: list[dict[str, Any]] = []

    def record(self, player: str, method: str, path: str, soap_action: str | None) -> None:
        entry = {"ts": round(time.time(), 6), "player": player, "method": method, "path": path,
                 "soap_action": soap_action}
        with self._lock:
            self.entries.append(entry)
            if self._stream is not None:
                self._stream.write(json.dumps(entry) + "\n")
                self._stream.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], player: EmulatedPlayer, emulator: Emulator):
        self.player = player
        self.emulator = emulator
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() calls socket.getfqdn(), a reverse-DNS lookup that would leave
        # the machine for 127.X.Y.Z: bind without it (emulator-notes.md, trap 1).
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


class _ResponderServer(_Server):
    """A non-Sonos device of the scenario: its description at its path, 404 elsewhere."""

    def __init__(self, address: tuple[str, int], served: ServedResponder, emulator: Emulator):
        self.served = served
        self.emulator = emulator
        ThreadingHTTPServer.__init__(self, address, _ResponderHandler)


class _ResponderHandler(BaseHTTPRequestHandler):
    server: _ResponderServer
    protocol_version = "HTTP/1.1"
    sys_version = ""

    def version_string(self) -> str:
        return self.server.served.responder.server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        responder = self.server.served.responder
        found = self.path == responder.path
        body = responder.description if found else b""
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(body)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    sys_version = ""

    def version_string(self) -> str:
        return self.server.player.server_header


    def log_message(self, format: str, *args: Any) -> None:
        return

    def _allowed_source(self) -> bool:
        return bool(ipaddress_is_loopback(self.client_address[0]))

    def _send(self, status: int, body: bytes,
              content_type: str = 'text/xml; charset="utf-8"') -> None:
        faults = self.server.player.faults
        emulator = self.server.emulator
        delay = (faults.latency_ms + emulator.latency_ms) / 1000
        if delay and emulator.stopping.wait(delay):
            self.close_connection = True
            return  # stopped while waiting: no handler thread outlives the emulator
        if faults.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return  # closing with linger 0 sends a RST
        if faults.vanish_after is not None and emulator.count_request(
                self.server.player.uuid) > faults.vanish_after:
            self.close_connection = True
            return  # gone: the connection closes without an answer
        try:
            if faults.redirect:
                self.send_response(302)
                self.send_header("Location", faults.redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif faults.endless:
                self._send_endless(content_type)
            elif faults.huge_mb:
                self._send_huge(faults.huge_mb, content_type)
            elif faults.drip_bps:
                self._send_drip(status, body, faults.drip_bps, content_type)
            else:
                self._send_framed(status, body, content_type)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up, as it should

    def _send_framed(self, status: int, body: bytes, content_type: str) -> None:
        """Headers as real players send them (Server, EXT, Connection: close), then the body
        with the player's framing; one request per connection."""
        faults = self.server.player.faults
        framing = self.server.player.framing_for(self.path)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif framing == "length" or faults.truncate:
            self.send_header("Content-Length", str(len(body) + (1000 if faults.truncate else 0)))
        self.send_header("EXT", "")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if framing == "chunked" and not faults.truncate:
            for offset in range(0, len(body), 4096):
                piece = body[offset:offset + 4096]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)

    def _send_endless(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<root>" + b"<x/>" * 16000
        line = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        deadline = time.monotonic() + 300
        while not self.server.emulator.stopping.is_set() and time.monotonic() < deadline:
            self.wfile.write(line)

    def _send_huge(self, megabytes: int, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(megabytes * 1024 * 1024))
        self.end_headers()
        block = b" " * (1024 * 1024)
        for _ in range(megabytes):
            if self.server.emulator.stopping.is_set():
                return
            self.wfile.write(block)

    def _send_drip(self, status: int, body: bytes, rate: int, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for offset in range(0, len(body), rate):
            if self.server.emulator.stopping.wait(1.0):
                return
            self.wfile.write(body[offset:offset + rate])
            self.wfile.flush()

    def do_GET(self) -> None:
        if not self._allowed_source() or self.server.emulator.is_silent(
                self.server.player.uuid):
            self.close_connection = True
            return
        player = self.server.player
        self.server.emulator.log.record(player.uuid, "GET", self.path, None)
        status, body = self.server.emulator.respond_get(player, self.path)
        self._send(status, body, *(("text/xml",) if self.path == "/status/zp" else ()))

    def do_POST(self) -> None:
        if not self._allowed_source() or self.server.emulator.is_silent(
                self.server.player.uuid):
            self.close_connection = True
            return
        player = self.server.player
        action_header = (self.headers.get("SOAPACTION") or "").strip().strip('"')
        self.server.emulator.log.record(player.uuid, "POST", self.path, action_header or None)
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length < 1_000_000:
            self.rfile.read(length)
        self._send(*self.server.emulator.respond_post(player, self.path, action_header))

    def do_SUBSCRIBE(self) -> None:
        if not self._allowed_source():
            return
        self.server.emulator.log.record(self.server.player.uuid, "SUBSCRIBE", self.path, None)
        self._send(405, b"")

    do_PUT = do_DELETE = do_NOTIFY = do_UNSUBSCRIBE = do_SUBSCRIBE


def ipaddress_is_loopback(text: str) -> bool:
    return text.startswith("127.") or text in ("::1", "::ffff:127.0.0.1")


class _Listener:
    """A socket that accepts and never answers (the `hang` fault)."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(address)
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


class Emulator:
    """A running emulated LAN. Use as a context manager, or start() / stop()."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        latency_ms: int = 0,
        request_log: IO[str] | None = None,
        ssdp: bool = True,
        mdns: bool = False,
        port_mode: bool | None = None,
        seed: int | None = None,
        ssdp_max_delay_s: float = 5.0,
        ssdp_multicast: bool = True,
    ) -> None:
        self.scenario = scenario
        self.ssdp_max_delay_s = ssdp_max_delay_s  # real players: up to MX; tests answer sooner
        self.latency_ms = latency_ms
        self.log = RequestLog(request_log)
        self._want_ssdp = ssdp
        self._ssdp_multicast = ssdp_multicast  # False: as behind a router that drops multicast
        self._want_mdns = mdns
        self._port_mode = port_mode
        self._random = random.Random(seed)  # SSDP reply delays: reproducible with a seed
        self._blocks_random = random.Random()  # address blocks: never the same for two instances
        self.players: list[EmulatedPlayer] = []
        self.responders: list[ServedResponder] = []  # non-Sonos devices of the scenario
        self.blocks: list[str] = []
        self._servers: list[_Server] = []
        self._serving: set[_Server] = set()
        self._listeners: list[_Listener] = []
        self._zgs: dict[str, str] = {}  # household name -> rewritten ZGS
        self._threads: list[threading.Thread] = []
        self._ssdp: Any = None
        self._mdns: Any = None
        self._next_host = 2
        self._block_base: tuple[int, int] = (0, 0)
        self.stopping = threading.Event()
        self._request_counts: dict[str, int] = {}
        self._count_lock = threading.Lock()
        self._silent: set[str] = set()  # players dropped off by the timeline: nothing answers
        self._dropped: dict[str, str] = {}  # their zone group state elements, for "back"
        self._timeline_lock = threading.Lock()

    def count_request(self, uuid: str) -> int:
        """How many HTTP requests this player has had, this one included."""
        with self._count_lock:
            self._request_counts[uuid] = self._request_counts.get(uuid, 0) + 1
            return self._request_counts[uuid]

    # ---- addresses ----

    def _pick_block(self) -> None:
        for _ in range(64):
            x, y = self._blocks_random.randint(16, 250), self._blocks_random.randint(0, 255)
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
            try:
                probe.bind((f"127.{x}.{y}.2", 1400))
            except OSError as exc:
                if exc.errno == errno.EADDRNOTAVAIL:
                    self._port_mode = True
                    return
                continue
            finally:
                probe.close()
            self._block_base = (x, y)
            self.blocks.append(f"127.{x}.{y}.0/24")
            self._port_mode = False
            return
        raise OSError("no free 127.X.Y.0/24 block for the emulator")

    def _next_endpoint(self) -> Endpoint:
        if self._port_mode:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind(("127.0.0.1", 0))
                return Endpoint("127.0.0.1", probe.getsockname()[1])
        if self._next_host > 254:
            x, y = self._block_base
            y = (y + 1) % 256
            self._block_base = (x, y)
            self.blocks.append(f"127.{x}.{y}.0/24")
            self._next_host = 2
        x, y = self._block_base
        endpoint = Endpoint(f"127.{x}.{y}.{self._next_host}", 1400)
        self._next_host += 1
        return endpoint

    # ---- lifecycle ----

    def start(self) -> Emulator:
        try:
            return self._start()
        except BaseException:
            self.stop()  # never leave half a household listening
            raise

    def _start(self) -> Emulator:
        if self._port_mode is not True:
            self._pick_block()
        self._place_players(bind=True)
        self._place_responders()
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(self._serve, self._servers))
        if self._want_ssdp:
            self._ssdp = SsdpResponder(self, self._random,
                                       listen_multicast=self._ssdp_multicast)
            self._ssdp.start()
        if self._want_mdns:
            self._mdns = MdnsAdvertiser(self)
            self._mdns.start()
        if self.scenario.timeline:
            self.play(self.scenario.timeline)
        return self

    # ---- the scenario's timeline (scenario/timeline.py) ----

    def is_silent(self, uuid: str) -> bool:
        """Dropped off by the timeline: it answers nothing until it is back."""
        return uuid in self._silent

    def play(self, steps: tuple[TimelineStep, ...]) -> None:
        """Play timeline steps from now on (their at_s counted from this call)."""
        thread = threading.Thread(target=self._play_timeline, args=(steps,), daemon=True,
                                  name="emulator-timeline")
        self._threads.append(thread)
        thread.start()

    def _play_timeline(self, steps: tuple[TimelineStep, ...]) -> None:
        started = time.monotonic()
        pending = sorted(steps, key=lambda s: s.at_s)
        while pending:
            step = pending.pop(0)
            if self.stopping.wait(max(0.0, started + step.at_s - time.monotonic())):
                return
            self.apply(step)
            if step.change == "drop" and step.for_s is not None:
                back = TimelineStep(step.at_s + step.for_s, step.uuid, "back")
                pending = sorted([*pending, back], key=lambda s: s.at_s)

    def apply(self, step: TimelineStep) -> None:
        """One scripted change, to every copy of the zone group state and to the player."""
        with self._timeline_lock:
            for key, zgs in list(self._zgs.items()):
                if step.change == "reboot":
                    self._zgs[key] = timeline.rebooted(zgs, step.uuid)
                elif step.change == "update":
                    self._zgs[key] = timeline.updated(zgs, step)
                elif step.change == "drop":
                    self._zgs[key], element = timeline.dropped(zgs, step.uuid)
                    if element is not None:
                        self._dropped.setdefault(step.uuid, element)
                elif step.change == "back" and step.uuid in self._dropped:
                    self._zgs[key] = timeline.restored(zgs, step.uuid,
                                                       self._dropped[step.uuid])
                elif step.change == "leave":
                    self._zgs[key] = timeline.without_member(zgs, step.uuid)[0]
            if step.change == "drop":
                self._silent.add(step.uuid)
            elif step.change == "back":
                self._silent.discard(step.uuid)
                self._dropped.pop(step.uuid, None)
            elif step.change == "leave":
                self._silent.add(step.uuid)
            elif step.change == "update":
                self._replace_player(step)
            self._announce(step)

    def _announce(self, step: TimelineStep) -> None:
        """What the player multicasts after the change: byebye when it goes, alive (with its
        BootSeq) when it comes up again."""
        player = next((p for p in self.players if p.uuid == step.uuid), None)
        if self._ssdp is None or player is None or not self._zgs:
            return
        alive = step.change not in ("drop", "leave")
        count = timeline.boot_seq(next(iter(self._zgs.values())), step.uuid)
        self._ssdp.notify(player, alive, count)

    def _replace_player(self, step: TimelineStep) -> None:
        for index, player in enumerate(self.players):
            if player.uuid != step.uuid:
                continue
            xml = timeline.updated_description(player.device_xml, step)
            new = dataclasses.replace(player, device_xml=xml, description=describe(xml))
            self.players[index] = new
            for server in self._servers:
                if server.player.uuid == step.uuid:
                    server.player = new

    def search_answerers(self) -> frozenset[Endpoint]:
        """The players that answer an SSDP search at their own address: once a scan has
        sighted all of them there is nothing more for discovery to find (the demo)."""
        return frozenset(p.endpoint for p in self.players if p.faults.ssdp
                         and not (p.faults.no_answer or p.faults.hang
                                  or p.faults.ssdp_location or p.faults.ssdp_extra))

    def place_offline(self) -> Emulator:
        """Give every player an address and rewrite what it serves, without opening a socket:
        the household as OfflineLan serves it (offline.py). Nothing is ever sent there."""
        self._port_mode = False
        self._block_base = (254, 254)
        self.blocks.append("127.254.254.0/24")
        self._place_players(bind=False)
        return self

    def _place_players(self, *, bind: bool) -> None:
        book = AddressBook(self._next_endpoint)
        bound: dict[str, Endpoint] = {}  # a player listed by two households is served once
        listed: list[tuple[HouseholdSpec, list[str]]] = []
        for household in self.scenario.households:
            answering = dict(household.devices)
            members = [m.uuid for m in household.topology.members]
            for _uuid, view in household.member_views:  # members only one copy lists
                members += [m.uuid for m in parse_zone_group_state(view).members]
            members = list(dict.fromkeys(members))
            listed.append((household, members))
            for uuid in members:
                if uuid not in bound and uuid in answering:
                    bound[uuid] = self._bind_player(household, uuid, answering[uuid], book,
                                                    bind=bind)
        for household, members in listed:  # every copy points at wherever a player is served
            endpoints = {uuid: bound[uuid] for uuid in members if uuid in bound}
            self._zgs[household.name] = one_line(rewrite_zone_group_state(
                household.zone_group_state, endpoints, book))
            for uuid, view in household.member_views:  # a member whose own copy differs
                self._zgs[f"{household.name}\0{uuid}"] = one_line(
                    rewrite_zone_group_state(view, endpoints, book))

    def _bind_player(self, household: HouseholdSpec, uuid: str, xml: bytes,
                     book: AddressBook, *, bind: bool = True) -> Endpoint:
        faults = household.faults_for(uuid)
        given = dict(household.status_pages).get(uuid)
        for _ in range(8):
            endpoint = self._next_endpoint()
            description = describe(xml)
            member = household.topology.member(uuid)
            located = endpoint_from_location(member.location) if member else None
            own = located.host if located else None

            def address(match: re.Match[bytes], endpoint: Endpoint = endpoint,
                        own: str | None = own) -> bytes:
                """The page's address: this player's served one where it was its own in the
                capture, else a stable substitute (so a mismatch the capture shows stays)."""
                stated = match.group(2).decode("ascii", "replace").strip()
                host = endpoint.host if stated in (own, "") else book.foreign(stated).host
                return match.group(1) + host.encode() + match.group(3)

            # The scenario's own page, or none: GET /status/zp then answers 404, as a real
            # player that blocks the page; nothing is invented.
            status_page = re.sub(rb"(<IPAddress>)([^<]{0,64})(</IPAddress>)", address,
                                 given) if given is not None else b""
            player = EmulatedPlayer(uuid, endpoint, household, description,
                                    rewrite_device_description(xml, endpoint, book), faults,
                                    status_page)
            try:
                if faults.no_answer or not bind:
                    pass  # nothing listens there (offline: nothing listens anywhere)
                elif faults.hang:
                    self._listeners.append(_Listener((endpoint.host, endpoint.port)))
                else:
                    self._servers.append(_Server((endpoint.host, endpoint.port), player, self))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            self.players.append(player)
            return endpoint
        raise OSError(f"could not find a free loopback address for {uuid}")

    def _place_responders(self) -> None:
        """Each non-Sonos responder at an address of its own (its own port, except in the
        port mode, where only 127.0.0.1 exists)."""
        for responder in self.scenario.responders:
            base = self._next_endpoint()
            endpoint = base if self._port_mode else Endpoint(base.host, responder.port)
            served = ServedResponder(responder, endpoint)
            self._servers.append(_ResponderServer((endpoint.host, endpoint.port), served, self))
            self.responders.append(served)

    def _serve(self, server: _Server) -> None:
        self._serving.add(server)
        name = (f"emulator-responder-{server.served.responder.name}"
                if isinstance(server, _ResponderServer) else f"emulator-{server.player.uuid}")
        thread = threading.Thread(target=self._serve_until_stopped, args=(server,),
                                  daemon=True, name=name)
        thread.start()
        self._threads.append(thread)

    def _serve_until_stopped(self, server: _Server) -> None:
        """serve_forever, quiet when the emulator stopped first (Ctrl-C while it was starting
        closes a socket before its thread got to serve it). It always enters serve_forever,
        whose end is what shutdown() waits for."""
        try:
            server.serve_forever(poll_interval=0.2)
        except (OSError, ValueError):
            if not self.stopping.is_set():
                raise

    def stop(self) -> None:
        self.stopping.set()
        if self._mdns is not None:
            self._mdns.stop()
        if self._ssdp is not None:
            self._ssdp.stop()
            self._ssdp = None
        def close(server: _Server) -> None:
            if server in self._serving:  # shutdown() would wait forever on one never served
                server.shutdown()
            server.server_close()

        with ThreadPoolExecutor(max_workers=32) as pool:  # shutdown() waits a poll interval each
            list(pool.map(close, self._servers))
        self._serving.clear()
        for listener in self._listeners:
            listener.close()
        self._servers.clear()
        self._listeners.clear()
        self.responders.clear()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- answers (the one request -> response logic: sockets and OfflineLan both use it) ----

    def respond_get(self, player: EmulatedPlayer, path: str) -> tuple[int, bytes]:
        """Status and body of GET `path` on `player`, its faults applied."""
        status = player.faults.status_for(path)
        body = player.faults.body_for(path)
        if status is not None and body is None:
            return status, b""
        if body is not None:
            return status or 200, body.encode("utf-8", "surrogateescape")
        if path == "/xml/device_description.xml":
            return 200, player.device_xml
        if path == "/status/zp" and player.status_page:
            return 200, player.status_page
        if path in SCPD_PATHS:
            return 200, scpd(SCPD_PATHS[path])
        return 404, b""

    def respond_post(self, player: EmulatedPlayer, path: str, action_header: str
                     ) -> tuple[int, bytes]:
        """Status and body of a SOAP POST on `player`, its faults applied; an action that is
        not a known read answers UPnP error 401 (and was recorded, for the read-only proof)."""
        service, _, action = action_header.rpartition("#")
        status = player.faults.status_for(action) or player.faults.status_for(path)
        body = player.faults.body_for(action)
        if body is not None:
            return status or 200, body.encode("utf-8", "surrogateescape")
        if status is not None:
            return status, b""
        result = self.answer(player, path, service, action)
        if result is None:
            fault = UPNP_ERROR.format(code=401, text="Invalid Action")
            return 500, SOAP_ENVELOPE.format(body=fault).encode()
        arguments = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in result.items())
        response = f'<u:{action}Response xmlns:u="{service}">{arguments}</u:{action}Response>'
        return 200, SOAP_ENVELOPE.format(body=response).encode("utf-8")

    def answer(self, player: EmulatedPlayer, path: str, service: str, action: str
               ) -> dict[str, str] | None:
        """Output arguments of a read-only action, or None (-> UPnP error 401, recorded)."""
        household = player.household
        d = player.description
        if path == "/ZoneGroupTopology/Control" and service.endswith("ZoneGroupTopology:1"):
            if action == "GetZoneGroupState":
                return {"ZoneGroupState": self._zgs.get(f"{household.name}\0{player.uuid}",
                                                        self._zgs[household.name])}
            if action == "GetZoneGroupAttributes":
                member = household.topology.member(player.uuid)
                return {
                    "CurrentZoneGroupName": (member.zone_name or "") if member else "",
                    "CurrentZoneGroupID": (member.group_id or "") if member else "",
                    "CurrentZonePlayerUUIDsInGroup": player.uuid,
                    "CurrentMuseHouseholdId": household.household_id,
                }
        if path == "/DeviceProperties/Control" and service.endswith("DeviceProperties:1"):
            if action == "GetHouseholdID":
                return {"CurrentHouseholdID": household.household_id}
            if action == "GetZoneInfo" and d:
                return {
                    "SerialNumber": d.serial or "", "SoftwareVersion": d.software_version or "",
                    "DisplaySoftwareVersion": d.display_version or "",
                    "HardwareVersion": d.hardware_version or "",
                    "IPAddress": player.endpoint.host, "MACAddress": d.mac or "",
                    "CopyrightInfo": "© 2004-2026 Sonos, Inc. All Rights Reserved.",
                    "ExtraInfo": "", "HTAudioIn": "0", "Flags": "0",
                }
            if action == "GetZoneAttributes":
                return {"CurrentZoneName": (d.room if d else None) or "",
                        "CurrentIcon": "", "CurrentConfiguration": "1",
                        "CurrentTargetRoomName": (d.room if d else None) or ""}
        return None

    @property
    def mdns_problems(self) -> tuple[str, ...]:
        """What the mDNS advertiser could not advertise (the replay goes on without it)."""
        return tuple(self._mdns.problems) if self._mdns is not None else ()

    def household_block(self) -> str:
        return self.blocks[0] if self.blocks else "127.0.0.1/32"


def one_line(xml: str) -> str:
    """The zone group state as real players send it: one line, no whitespace between tags."""
    return re.sub(r">\s+<", "><", xml.strip())


@contextlib.contextmanager
def open_request_log(path: Path | None) -> Any:
    """Append to FILE (created 0600); a FIFO or terminal is written in place, and a FIFO nobody
    reads fails at once instead of hanging the emulator."""
    if path is None:
        yield None
        return
    import fcntl

    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOCTTY | os.O_NONBLOCK
                 | os.O_CLOEXEC, 0o600)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    with os.fdopen(fd, "a", encoding="utf-8") as stream:
        yield stream

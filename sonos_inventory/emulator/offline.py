"""A scenario served without sockets: the emulator's own answers behind the `Transport` and
`DiscoverySource` seams, for fast, deterministic tests of the scan's decisions and of every
status, body and XML fault (what httpx's MockTransport is to httpx).

    lan = OfflineLan(load_scenario(path))
    observations = Scan(options, transport=lan.transport(), sources=[lan.discovery()],
                        local_networks=(), interfaces=()).run()

The answers come from `Emulator.respond_get` / `respond_post`, the same code the socket emulator
runs, so the two cannot disagree; requests are recorded in the same request log and checked
against the same read-only allow-list before they are "sent". What needs a real socket (a hang,
a drip, a reset, a truncated or endless body, a redirect, SSDP and mDNS themselves) is refused
here with a clear error: test it against the socket emulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..collect.transport import HttpRequest, HttpResponse, check_read_only
from ..errors import FetchFailed
from ..model import Endpoint, ErrorKind, Method, Sighting
from ..scenario.folder import Scenario
from .player import EmulatedPlayer
from .server import Emulator

SOCKET_ONLY_FAULTS = ("hang", "drip_bps", "huge_mb", "endless", "truncate", "reset", "redirect",
                      "vanish_after", "ssdp_location", "ssdp_extra")
"""Faults whose whole point is what happens on the wire: they need the socket emulator."""


class OfflineLan:
    """One scenario, its players placed at addresses where nothing listens (nothing is sent)."""

    def __init__(self, scenario: Scenario) -> None:
        self.emulator = Emulator(scenario, ssdp=False, mdns=False).place_offline()
        self.log = self.emulator.log
        self.players = self.emulator.players
        for player in self.players:
            used = [name for name in SOCKET_ONLY_FAULTS if getattr(player.faults, name)]
            if used:
                raise ValueError(f"{player.uuid}: fault(s) {', '.join(used)} need real sockets; "
                                 "use the socket emulator (Emulator) for this scenario")

    def player_at(self, endpoint: Endpoint) -> EmulatedPlayer | None:
        """The player served there now (a timeline's update replaces a player's answers)."""
        return next((p for p in self.emulator.players if p.endpoint == endpoint), None)

    def transport(self) -> OfflineTransport:
        return OfflineTransport(self)

    def discovery(self, method: Method = Method.SSDP) -> OfflineDiscovery:
        return OfflineDiscovery(self, method)


class OfflineTransport:
    """The `Transport` seam over an OfflineLan: the same checks and answers, no socket."""

    def __init__(self, lan: OfflineLan) -> None:
        self.lan = lan

    def send(self, request: HttpRequest, deadline: float) -> HttpResponse:
        check_read_only(request)  # before anything is "sent", as the real transport does
        player = self.lan.player_at(request.endpoint)
        if player is None or player.faults.no_answer or self.lan.emulator.is_silent(
                player.uuid):
            raise FetchFailed(ErrorKind.REFUSED,
                              "connection refused (nothing listens on the port)")
        soap_action = request.soap_action
        self.lan.log.record(player.uuid, request.method, request.path, soap_action)
        if request.method == "GET":
            status, body = self.lan.emulator.respond_get(player, request.path)
        else:
            status, body = self.lan.emulator.respond_post(player, request.path,
                                                          soap_action or "")
        if 300 <= status < 400:
            raise FetchFailed(ErrorKind.REDIRECT, f"HTTP {status} redirect (never followed)")
        if len(body) > request.max_bytes:
            raise FetchFailed(ErrorKind.TOO_LARGE, f"body over {request.max_bytes} bytes")
        return HttpResponse(status, body, 0.0)

    def abort(self) -> None:
        return None  # nothing blocks


@dataclass(frozen=True)
class OfflineDiscovery:
    """The `DiscoverySource` seam: every player that answers SSDP is sighted, with what its
    SSDP reply carries (its UUID, household id and software version), in scenario order."""

    lan: OfflineLan
    method: Method = Method.SSDP

    def run(self, on_sighting: Callable[[Sighting], None], stop: threading.Event,
            on_problem: Callable[[str], None]) -> None:
        for player in self.lan.players:
            if stop.is_set():
                return
            if not player.faults.ssdp or player.faults.no_answer or (
                    self.lan.emulator.is_silent(player.uuid)):
                continue
            household = player.faults.ssdp_household or player.household.household_id
            version = player.description.software_version if player.description else None
            on_sighting(Sighting(player.endpoint, self.method, player.uuid, household,
                                 version))

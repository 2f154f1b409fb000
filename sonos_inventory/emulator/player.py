"""One emulated player, and what the SSDP responder and mDNS advertiser need of the emulator
that runs them (a Protocol, so that neither imports the server)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from ..model import DeviceDescription, Endpoint
from ..report.safe_text import for_terminal
from ..scenario.folder import Faults, HouseholdSpec, Responder


@dataclass(frozen=True)
class EmulatedPlayer:
    uuid: str
    endpoint: Endpoint
    household: HouseholdSpec
    description: DeviceDescription | None
    device_xml: bytes
    faults: Faults
    status_page: bytes = b""  # what GET /status/zp serves

    @property
    def server_header(self) -> str:
        """`Linux UPnP/1.0 Sonos/<version> (<token>)`, as real players send in HTTP and SSDP.
        A version the scenario does not hold is left out (`Sonos (<token>)`), never invented:
        a replay must not show more than the original scan saw."""
        d = self.description
        version = d.software_version if d else None
        model = (d.model_number if d else None) or "ZP"
        product = "ANVIL" if model.lower() == "sub" else (
            model if model.upper().startswith("ZP") else f"ZP{model}")
        sonos = f"Sonos/{version}" if version else "Sonos"
        return f"Linux UPnP/1.0 {sonos} ({product})"

    def framing_for(self, path: str) -> str:
        """length (Content-Length), close (no length, the body ends when the connection
        closes) or chunked. Default as real players: status pages close-delimited, the rest
        with a length."""
        if self.faults.framing:
            return self.faults.framing
        return "close" if path.startswith("/status") else "length"

    @property
    def label(self) -> str:
        d = self.description
        room = d.room if d and d.room else "?"
        model = d.model_number if d and d.model_number else "?"
        return for_terminal(f"{self.uuid} {self.endpoint} {room} ({model})", 300)


class ServedLan(Protocol):
    """The running emulator, as its SSDP responder and mDNS advertiser see it."""

    @property
    def players(self) -> list[EmulatedPlayer]: ...

    @property
    def ssdp_max_delay_s(self) -> float: ...

    @property
    def stopping(self) -> threading.Event: ...

    @property
    def responders(self) -> list[ServedResponder]: ...

    def is_silent(self, uuid: str) -> bool: ...


@dataclass(frozen=True)
class ServedResponder:
    """A non-Sonos device of the scenario, at the address the emulator gave it."""

    responder: Responder
    endpoint: Endpoint

    @property
    def location(self) -> str:
        return f"{self.endpoint.base_url}{self.responder.path}"

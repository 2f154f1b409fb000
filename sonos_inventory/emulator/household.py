"""Scenario directories (DESIGN.md): loading, and rewriting every address to loopback. Pure.

SCENARIO/<household>/zone_group_state.xml, devices/<UUID>.xml, household_id, faults.json.
Every folder holding a zone_group_state.xml is a household; everything else is ignored.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..collect.parse import parse_device_description, parse_zone_group_state
from ..errors import ParseError, UsageError
from ..model import DeviceDescription, Endpoint, Topology, ZoneMember

FAULT_KEYS = frozenset({
    "latency_ms", "no_answer", "hang", "status", "body", "ssdp", "mdns",
    "drip_bps", "huge_mb", "endless", "truncate", "reset", "redirect", "vanish_after",
    "ssdp_location", "ssdp_household", "ssdp_extra", "txt",
    "framing", "ssdp_headers",
})
FRAMINGS = frozenset({"length", "close", "chunked"})
SSDP_HEADER_SETS = frozenset({"classic", "newer"})
STATUS_PAGE_SUFFIX = ".status_zp.xml"
"""devices/<UUID>.status_zp.xml: the player's /status/zp page (optional; derived when absent)."""


@dataclass(frozen=True)
class Faults:
    """How one player misbehaves. See README "faults.json"."""

    latency_ms: int = 0
    no_answer: bool = False  # nothing listens on its address: connection refused
    hang: bool = False  # accepts the connection and never answers
    status: tuple[tuple[str, int], ...] = ()  # path or SOAP action name -> HTTP status
    body: tuple[tuple[str, str], ...] = ()  # path or SOAP action name -> body to send instead
    ssdp: bool = True  # answers M-SEARCH
    mdns: bool = True  # advertised over mDNS (S2 players only, as real ones)
    drip_bps: int = 0  # sends every body at this many bytes per second
    huge_mb: int = 0  # sends a body of this many megabytes instead
    endless: bool = False  # sends a chunked body that never ends
    truncate: bool = False  # promises more bytes than it sends, then closes
    reset: bool = False  # resets every connection after reading the request
    redirect: str | None = None  # answers 302 with this Location
    vanish_after: int | None = None  # after this many HTTP requests, drops every connection
    ssdp_location: str | None = None  # LOCATION it claims in SSDP replies
    ssdp_household: str | None = None  # X-RINCON-HOUSEHOLD it claims in SSDP replies
    ssdp_extra: tuple[str, ...] = ()  # extra raw datagrams it sends with each SSDP reply
    txt: tuple[tuple[str, str], ...] = ()  # mDNS TXT keys it sets or overrides
    framing: str | None = None  # length, close, chunked; None: as real players (see server.py)
    ssdp_headers: str | None = None  # classic, newer; None: by firmware (see emulator/ssdp.py)

    def status_for(self, key: str) -> int | None:
        return next((s for k, s in self.status if k == key), None)

    def body_for(self, key: str) -> str | None:
        return next((b for k, b in self.body if k == key), None)


@dataclass(frozen=True)
class HouseholdSpec:
    name: str
    household_id: str
    zone_group_state: str
    topology: Topology
    devices: tuple[tuple[str, bytes], ...]  # (uuid, device_description.xml) of answering players
    faults: tuple[tuple[str, Faults], ...] = ()
    status_pages: tuple[tuple[str, bytes], ...] = ()  # (uuid, /status/zp page) where given
    member_views: tuple[tuple[str, str], ...] = ()
    """(uuid, zone group state) for members whose own copy differs: zone_group_state.<UUID>.xml"""

    def faults_for(self, uuid: str) -> Faults:
        return next((f for u, f in self.faults if u == uuid), None) or next(
            (f for u, f in self.faults if u == "*"), Faults()
        )


@dataclass(frozen=True)
class Scenario:
    root: Path
    households: tuple[HouseholdSpec, ...] = field(default_factory=tuple)


def _faults(raw: Any, where: Path) -> tuple[tuple[str, Faults], ...]:
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: must hold a JSON object of UUID (or \"*\") -> faults")
    result = []
    for uuid, spec in raw.items():
        if not isinstance(spec, dict) or not set(spec) <= FAULT_KEYS:
            unknown = sorted(set(spec) - FAULT_KEYS) if isinstance(spec, dict) else spec
            raise UsageError(f"{where}: {uuid}: unknown fault keys {unknown}; "
                             f"known: {sorted(FAULT_KEYS)}")
        result.append((str(uuid), Faults(
            latency_ms=int(spec.get("latency_ms", 0)),
            no_answer=bool(spec.get("no_answer", False)),
            hang=bool(spec.get("hang", False)),
            status=tuple((str(k), int(v)) for k, v in dict(spec.get("status", {})).items()),
            body=tuple((str(k), str(v)) for k, v in dict(spec.get("body", {})).items()),
            ssdp=bool(spec.get("ssdp", True)),
            mdns=bool(spec.get("mdns", True)),
            drip_bps=int(spec.get("drip_bps", 0)),
            huge_mb=int(spec.get("huge_mb", 0)),
            endless=bool(spec.get("endless", False)),
            truncate=bool(spec.get("truncate", False)),
            reset=bool(spec.get("reset", False)),
            redirect=str(spec["redirect"]) if "redirect" in spec else None,
            vanish_after=int(spec["vanish_after"]) if "vanish_after" in spec else None,
            ssdp_location=str(spec["ssdp_location"]) if "ssdp_location" in spec else None,
            ssdp_household=str(spec["ssdp_household"]) if "ssdp_household" in spec else None,
            ssdp_extra=tuple(str(x) for x in spec.get("ssdp_extra", [])),
            txt=tuple((str(k), str(v)) for k, v in dict(spec.get("txt", {})).items()),
            framing=_choice(spec, "framing", FRAMINGS, where),
            ssdp_headers=_choice(spec, "ssdp_headers", SSDP_HEADER_SETS, where),
        )))
    return tuple(result)


def _choice(spec: dict[str, Any], key: str, allowed: frozenset[str], where: Path) -> str | None:
    if key not in spec:
        return None
    value = spec[key]
    if value not in allowed:
        raise UsageError(f"{where}: {key} must be one of {sorted(allowed)}, not {value!r}")
    return str(value)


def synthetic_household_id(name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return "Sonos_" + "".join(c for c in digest if c.isalnum())[:26]


def load_scenario(root: Path) -> Scenario:
    """Load a scenario directory; UsageError says what is wrong with it."""
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory; give a scenario folder (see README)")
    households = []
    for zgs_path in sorted(root.rglob("zone_group_state.xml")):
        folder = zgs_path.parent
        text = zgs_path.read_text("utf-8")
        try:
            topology = parse_zone_group_state(text)
        except ParseError as exc:
            raise UsageError(f"{zgs_path}: {exc}") from None
        devices = []
        status_pages: list[tuple[str, bytes]] = []
        device_dir = folder / "devices"
        views = []
        view_members: list[ZoneMember] = []
        for member in topology.members:
            view_path = folder / f"zone_group_state.{member.uuid}.xml"
            if view_path.is_file():
                view_text = view_path.read_text("utf-8")
                try:
                    view_members += parse_zone_group_state(view_text).members
                except ParseError as exc:
                    raise UsageError(f"{view_path}: {exc}") from None
                views.append((member.uuid, view_text))
        known = {m.uuid for m in topology.members}
        extra = {m.uuid: m for m in view_members if m.uuid not in known}
        for member in (*topology.members, *extra.values()):
            path = device_dir / f"{member.uuid}.xml"
            if path.is_file():
                devices.append((member.uuid, path.read_bytes()))
            status_path = device_dir / f"{member.uuid}{STATUS_PAGE_SUFFIX}"
            if status_path.is_file():
                status_pages.append((member.uuid, status_path.read_bytes()))
        id_path = folder / "household_id"
        household_id = (
            id_path.read_text("utf-8").strip() if id_path.is_file() else ""
        ) or synthetic_household_id(str(folder.relative_to(root)))
        faults_path = folder / "faults.json"
        faults = _faults(json.loads(faults_path.read_text("utf-8")), faults_path) if (
            faults_path.is_file()) else ()
        households.append(HouseholdSpec(
            name=str(folder.relative_to(root)), household_id=household_id,
            zone_group_state=text, topology=topology, devices=tuple(devices), faults=faults,
            status_pages=tuple(status_pages), member_views=tuple(views),
        ))
    if not households:
        raise UsageError(f"{root} holds no household (no zone_group_state.xml below it)")
    return Scenario(root, tuple(households))


def describe(device_xml: bytes) -> DeviceDescription | None:
    try:
        return parse_device_description(device_xml)
    except ParseError:
        return None  # served verbatim all the same: a scenario may hold a broken device


# ---- address rewriting ----

_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d.])")
_MEMBER_TAG = re.compile(r"<(ZoneGroupMember|Satellite|Device)\b[^>]*>", re.S)
_ATTR = r'(\b{name}\s*=\s*")([^"]*)(")'


def _set_attr(tag: str, name: str, value: str) -> str:
    return re.sub(_ATTR.format(name=name), lambda m: m.group(1) + value + m.group(3), tag)


def _get_attr(tag: str, name: str) -> str | None:
    match = re.search(_ATTR.format(name=name), tag)
    return match.group(2).strip() if match else None


class AddressBook:
    """Hands out loopback endpoints; maps any foreign address seen in served text to one of them."""

    def __init__(self, allocate: Any) -> None:
        self._allocate = allocate  # () -> Endpoint where nothing listens
        self._foreign: dict[str, Endpoint] = {}

    def foreign(self, address: str) -> Endpoint:
        if address not in self._foreign:
            self._foreign[address] = self._allocate()
        return self._foreign[address]


def _is_loopback(text: str) -> bool:
    try:
        return ipaddress.IPv4Address(text).is_loopback
    except ValueError:
        return False


def rewrite_zone_group_state(
    text: str, endpoints: dict[str, Endpoint], book: AddressBook
) -> str:
    """Point every member's Location at its emulator endpoint, every other address at loopback."""

    def member_tag(match: re.Match[str]) -> str:
        tag = match.group(0)
        uuid = (_get_attr(tag, "UUID") or "").strip()
        if match.group(1) == "Device":
            last = _get_attr(tag, "LastKnownIP")
            if last is not None:
                tag = _set_attr(tag, "LastKnownIP", book.foreign(f"vanished:{uuid}").host)
            return tag
        endpoint = endpoints.get(uuid) or book.foreign(f"member:{uuid}")
        if _get_attr(tag, "Location") is not None:
            tag = _set_attr(tag, "Location", f"{endpoint.base_url}/xml/device_description.xml")
        return tag

    text = _MEMBER_TAG.sub(member_tag, text)
    return rewrite_stray_addresses(text, book)


def rewrite_stray_addresses(text: str, book: AddressBook) -> str:
    return _IPV4.sub(
        lambda m: m.group(1) if _is_loopback(m.group(1)) else book.foreign(m.group(1)).host, text
    )


def rewrite_device_description(xml: bytes, endpoint: Endpoint, book: AddressBook) -> bytes:
    """friendlyName starts with the player's IP; URLs may name addresses too. Nothing else moves
    (hardwareVersion `1.26.1.7-1.2` looks like an address and must stay as it is)."""
    text = xml.decode("utf-8", "surrogateescape")
    text = re.sub(r"(<friendlyName>\s*)(\d{1,3}(?:\.\d{1,3}){3})",
                  lambda m: m.group(1) + endpoint.host, text)
    text = re.sub(r"(://)(\d{1,3}(?:\.\d{1,3}){3})(:\d+)?",
                  lambda m: m.group(1) + (m.group(2) if _is_loopback(m.group(2))
                                          else book.foreign(m.group(2)).host) + (m.group(3) or ""),
                  text)
    return text.encode("utf-8", "surrogateescape")

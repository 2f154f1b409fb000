"""Scenario directories (DESIGN.md): loading, and rewriting every address to loopback. Pure.

SCENARIO/<household>/zone_group_state.xml, devices/<UUID>.xml, household_id, faults.json.
Every folder holding a zone_group_state.xml is a household; everything else is ignored.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ..bounds import (
    MAX_BUNDLE_ENTRIES,
    MAX_BUNDLE_MEMBER_BYTES,
    MAX_BUNDLE_TOTAL_BYTES,
    MAX_FAULT_COUNT,
    MAX_FAULT_EXTRA_DATAGRAMS,
    MAX_FAULT_HUGE_MB,
    MAX_FAULT_LATENCY_MS,
    MAX_JSON_STRING_CHARS,
    MAX_SCENARIO_DEPTH,
    MAX_SSDP_DATAGRAM,
    MAX_XML_TEXT,
)
from ..collect.parse import parse_device_description, parse_zone_group_state
from ..errors import ParseError, UsageError
from ..fileio import read_limited, shown
from ..jsonin import echo, parse_json
from ..model import DeviceDescription, Endpoint, Topology, ZoneMember
from ..report.safe_text import for_terminal
from .timeline import TimelineStep, parse_timeline

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
class Responder:
    """A device on the LAN that is no Sonos player (a Vera, a media server): answers SSDP (and,
    when `mdns_type` is given, mDNS) with its own USN, port and description, outside every zone
    group. From the scenario's `responders.json`."""

    name: str
    usn: str
    st: str
    server: str
    port: int
    path: str
    description: bytes
    mdns_type: str | None = None


_RESPONDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}")
_MDNS_TYPE = re.compile(r"_[a-z0-9-]{1,15}\._(tcp|udp)\.local\.")
MAX_RESPONDERS = 32


def _responders(raw: Any, where: Path, reader: _Reader) -> tuple[Responder, ...]:
    shown_where = shown(where)
    if not isinstance(raw, dict) or not isinstance(raw.get("responders"), list):
        _fail(shown_where, 'give {"responders": [ ... ]}')
    entries = raw["responders"]
    if len(entries) > MAX_RESPONDERS:
        _fail(shown_where, f"more than {MAX_RESPONDERS} responders")
    found = []
    for index, spec in enumerate(entries):
        at = f"{shown_where} (responder {index + 1})"
        if not isinstance(spec, dict):
            _fail(at, f"each responder must be an object, not {echo(spec)}")
        name = _text(spec.get("name"), "name", at, limit=63)
        if not _RESPONDER_NAME.fullmatch(name):
            _fail(at, "name: letters, digits, space, _ . - only")
        path = _text(spec.get("path", "/description.xml"), "path", at, header=True, limit=200)
        if not path.startswith("/"):
            _fail(at, "path must start with /")
        if "description_file" in spec:
            file = _text(spec["description_file"], "description_file", at, limit=200)
            if "/" in file or "\\" in file or file.startswith("."):
                _fail(at, "description_file names a file beside responders.json")
            description = reader.read(where.parent / file)
        else:
            description = _text(spec.get("description", ""), "description", at).encode()
        mdns_type = spec.get("mdns_type")
        if mdns_type is not None and (not isinstance(mdns_type, str)
                                      or not _MDNS_TYPE.fullmatch(mdns_type)):
            _fail(at, f"mdns_type must look like _http._tcp.local., not {echo(mdns_type)}")
        found.append(Responder(
            name=name,
            usn=_text(spec.get("usn"), "usn", at, header=True, limit=512),
            st=_text(spec.get("st", "upnp:rootdevice"), "st", at, header=True, limit=512),
            server=_text(spec.get("server", "Linux UPnP/1.0"), "server", at, header=True,
                         limit=512),
            port=int(_int(spec, "port", 80, 65535, at, bottom=1) or 80),
            path=path, description=description, mdns_type=mdns_type))
    return tuple(found)


@dataclass(frozen=True)
class Scenario:
    root: Path
    households: tuple[HouseholdSpec, ...] = field(default_factory=tuple)
    skipped: tuple[str, ...] = ()
    """Well-formed entries the emulator cannot serve, each with the reason (shown on stderr):
    a device file no topology member names, a description whose id is not its file's."""
    responders: tuple[Responder, ...] = ()
    timeline: tuple[TimelineStep, ...] = ()
    """timeline.json: scripted changes over time (scenario/timeline.py)."""


def _fail(where: str, message: str) -> NoReturn:
    raise UsageError(f"{where}: {message}")


def _bool(spec: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        _fail(where, f"{key} must be true or false, not {echo(value)}")
    return value


def _int(spec: dict[str, Any], key: str, default: int | None, top: int, where: str,
         bottom: int = 0) -> int | None:
    value = spec.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not bottom <= value <= top:
        _fail(where, f"{key} must be a whole number from {bottom} to {top:,}, not {echo(value)}")
    return value


def _text(value: Any, key: str, where: str, *, header: bool = False,
          limit: int = MAX_JSON_STRING_CHARS) -> str:
    if not isinstance(value, str):
        _fail(where, f"{key} must be a string, not {echo(value)}")
    if len(value) > limit:
        _fail(where, f"{key} is longer than {limit:,} characters")
    if header and any(c in value for c in "\r\n\0"):
        _fail(where, f"{key} must not hold CR, LF or NUL (it goes into a header)")
    try:
        value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        _fail(where, f"{key} holds a lone surrogate")
    return value


def _mapping(spec: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = spec.get(key, {})
    if not isinstance(value, dict):
        _fail(where, f"{key} must be an object, not {echo(value)}")
    return value


def _one_fault(spec: Any, where: str) -> Faults:
    if not isinstance(spec, dict):
        _fail(where, f"must be an object of fault keys, not {echo(spec)}")
    unknown = sorted(set(spec) - FAULT_KEYS)
    if unknown:
        _fail(where, f"unknown fault keys {echo(unknown)}; known: {sorted(FAULT_KEYS)}")
    status = []
    for key, code in _mapping(spec, "status", where).items():
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            _fail(where, f"status {echo(key)} must be an HTTP status 100-599, not {echo(code)}")
        status.append((_text(key, "status key", where, limit=256), code))
    extra = spec.get("ssdp_extra", [])
    if not isinstance(extra, list) or len(extra) > MAX_FAULT_EXTRA_DATAGRAMS:
        _fail(where, f"ssdp_extra must be a list of at most {MAX_FAULT_EXTRA_DATAGRAMS} strings")
    optional = {key: _text(spec[key], key, where, header=True, limit=4096)
                for key in ("redirect", "ssdp_location", "ssdp_household") if key in spec}
    return Faults(
        latency_ms=_int(spec, "latency_ms", 0, MAX_FAULT_LATENCY_MS, where) or 0,
        no_answer=_bool(spec, "no_answer", False, where),
        hang=_bool(spec, "hang", False, where),
        status=tuple(status),
        body=tuple((_text(k, "body key", where, limit=256), _text(v, f"body {k}", where))
                   for k, v in _mapping(spec, "body", where).items()),
        ssdp=_bool(spec, "ssdp", True, where),
        mdns=_bool(spec, "mdns", True, where),
        drip_bps=_int(spec, "drip_bps", 0, MAX_FAULT_COUNT, where) or 0,
        huge_mb=_int(spec, "huge_mb", 0, MAX_FAULT_HUGE_MB, where) or 0,
        endless=_bool(spec, "endless", False, where),
        truncate=_bool(spec, "truncate", False, where),
        reset=_bool(spec, "reset", False, where),
        redirect=optional.get("redirect"),
        vanish_after=_int(spec, "vanish_after", None, MAX_FAULT_COUNT, where),
        ssdp_location=optional.get("ssdp_location"),
        ssdp_household=optional.get("ssdp_household"),
        ssdp_extra=tuple(_text(x, "ssdp_extra", where, limit=MAX_SSDP_DATAGRAM) for x in extra),
        txt=tuple((_text(k, "txt key", where, limit=255), _text(v, f"txt {k}", where, limit=255))
                  for k, v in _mapping(spec, "txt", where).items()),
        framing=_choice(spec, "framing", FRAMINGS, where),
        ssdp_headers=_choice(spec, "ssdp_headers", SSDP_HEADER_SETS, where),
    )


def _faults(raw: Any, where: Path) -> tuple[tuple[str, Faults], ...]:
    """faults.json, checked completely at load (never at request time)."""
    shown_where = shown(where)
    if not isinstance(raw, dict):
        _fail(shown_where, 'must hold a JSON object of UUID (or "*") -> faults')
    return tuple((uuid, _one_fault(spec, f"{shown_where}: {echo(uuid)}"))
                 for uuid, spec in raw.items())


def _choice(spec: dict[str, Any], key: str, allowed: frozenset[str], where: str) -> str | None:
    if key not in spec:
        return None
    value = spec[key]
    if not isinstance(value, str) or value not in allowed:
        _fail(where, f"{key} must be one of {sorted(allowed)}, not {echo(value)}")
    return str(value)


def synthetic_household_id(name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return "Sonos_" + "".join(c for c in digest if c.isalnum())[:26]


_SAFE_FILE_NAME = re.compile(r"[^/\\\x00]{1,200}")


class _Reader:
    """Reads files of one scenario folder: regular files inside it only, under the caps."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.total = 0

    def inside(self, path: Path) -> Path:
        real = path.resolve()
        if real != self.real_root and self.real_root not in real.parents:
            raise UsageError(f"{shown(path)}: a symbolic link that leaves the scenario folder; "
                             "refused")
        return real

    def exists(self, path: Path) -> bool:
        try:
            path.lstat()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise UsageError(f"cannot read {shown(path)}: {exc.strerror}") from None
        return True

    def read(self, path: Path, limit: int = MAX_BUNDLE_MEMBER_BYTES) -> bytes:
        real = self.inside(path)
        try:
            data = read_limited(real, min(limit, MAX_BUNDLE_TOTAL_BYTES - self.total))
        except UsageError as exc:
            raise UsageError(str(exc).replace(shown(real), shown(path))) from None
        self.total += len(data)
        return data

    def text(self, path: Path, limit: int = MAX_BUNDLE_MEMBER_BYTES) -> str:
        try:
            return self.read(path, limit).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{shown(path)}: not UTF-8 text (byte {exc.start})") from None

    def households(self) -> list[Path]:
        """Folders holding a zone_group_state.xml, walked without following folder links."""
        found: list[Path] = []
        seen = 0
        pending = [(self.root, 0)]
        while pending:
            folder, depth = pending.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                raise UsageError(f"cannot read {shown(folder)}: {exc.strerror}") from None
            for entry in entries:
                seen += 1
                if seen > MAX_BUNDLE_ENTRIES:
                    raise UsageError(f"{shown(self.root)}: more than {MAX_BUNDLE_ENTRIES:,} "
                                     "files; refused")
                path = Path(entry.path)
                if entry.is_symlink():
                    self.inside(path)  # a link that leaves the folder is refused
                    if entry.name == "zone_group_state.xml":
                        found.append(folder)
                    continue  # never walk into a linked folder (no loops)
                if entry.name == "zone_group_state.xml":
                    found.append(folder)
                elif entry.is_dir(follow_symlinks=False) and depth < MAX_SCENARIO_DEPTH:
                    pending.append((path, depth + 1))
        return sorted(found)


def load_scenario(root: Path) -> Scenario:
    """Load a scenario directory; UsageError says what is wrong with it (and where)."""
    if not root.is_dir():
        raise UsageError(f"{shown(root)} is not a directory; give a scenario folder (see README)")
    reader = _Reader(root)
    households = []
    skipped: list[str] = []
    for folder in reader.households():
        zgs_path = folder / "zone_group_state.xml"
        text = reader.text(zgs_path)
        try:
            topology = parse_zone_group_state(text)
        except ParseError as exc:
            raise UsageError(f"{shown(zgs_path)}: {for_terminal(exc, 200)}") from None
        devices: list[tuple[str, bytes]] = []
        status_pages: list[tuple[str, bytes]] = []
        device_dir = folder / "devices"
        views = []
        view_members: list[ZoneMember] = []
        for member in topology.members:
            if not _SAFE_FILE_NAME.fullmatch(member.uuid) or member.uuid.startswith("."):
                continue  # a name that cannot be a file: nothing of it can be stored
            view_path = folder / f"zone_group_state.{member.uuid}.xml"
            if reader.exists(view_path):
                view_text = reader.text(view_path, MAX_BUNDLE_MEMBER_BYTES)
                try:
                    view_members += parse_zone_group_state(view_text).members
                except ParseError as exc:
                    raise UsageError(f"{shown(view_path)}: {for_terminal(exc, 200)}") from None
                views.append((member.uuid, view_text))
        known = {m.uuid for m in topology.members}
        extra = {m.uuid: m for m in view_members if m.uuid not in known}
        for member in (*topology.members, *extra.values()):
            if not _SAFE_FILE_NAME.fullmatch(member.uuid) or member.uuid.startswith("."):
                continue  # a name that cannot be a file: the player has no description
            path = device_dir / f"{member.uuid}.xml"
            if reader.exists(path) and member.uuid not in dict(devices):
                devices.append((member.uuid, reader.read(path, MAX_BUNDLE_MEMBER_BYTES)))
            status_path = device_dir / f"{member.uuid}{STATUS_PAGE_SUFFIX}"
            if reader.exists(status_path) and member.uuid not in dict(status_pages):
                status_pages.append((member.uuid, reader.read(status_path,
                                                              MAX_BUNDLE_MEMBER_BYTES)))
        skipped += _unserved(folder, device_dir, devices, topology, reader)
        id_path = folder / "household_id"
        household_id = (
            reader.text(id_path, 4 * MAX_XML_TEXT).strip() if reader.exists(id_path) else ""
        ) or synthetic_household_id(str(folder.relative_to(root)))
        faults_path = folder / "faults.json"
        faults = _faults(parse_json(reader.read(faults_path), shown(faults_path), raw_bytes=True),
                         faults_path) if reader.exists(faults_path) else ()
        households.append(HouseholdSpec(
            name=str(folder.relative_to(root)), household_id=household_id,
            zone_group_state=text, topology=topology, devices=tuple(devices), faults=faults,
            status_pages=tuple(status_pages), member_views=tuple(views),
        ))
    if not households:
        raise UsageError(f"{shown(root)} holds no household (no zone_group_state.xml below it)")
    responders_path = root / "responders.json"
    responders = _responders(parse_json(reader.read(responders_path), shown(responders_path),
                                        raw_bytes=True), responders_path, reader) if (
        reader.exists(responders_path)) else ()
    timeline_path = root / "timeline.json"
    timeline = parse_timeline(parse_json(reader.read(timeline_path), shown(timeline_path),
                                         raw_bytes=True), shown(timeline_path)) if (
        reader.exists(timeline_path)) else ()
    known = {m.uuid for h in households for m in h.topology.members} | {
        uuid for h in households for uuid, _ in h.devices}
    for step in timeline:
        if step.uuid not in known:
            raise UsageError(f"{shown(timeline_path)}: a step at {step.at_s:g} s names "
                             f"{step.uuid}, which is not a player of this scenario")
    return Scenario(root, tuple(households), tuple(skipped), responders, timeline)


def _unserved(folder: Path, device_dir: Path, devices: list[tuple[str, bytes]],
              topology: Topology, reader: _Reader) -> list[str]:
    """What in devices/ will not be served, and why: named, never silently dropped."""
    served = {uuid for uuid, _ in devices}
    found: list[str] = []
    try:
        names = sorted(e.name for e in os.scandir(device_dir) if e.is_file(follow_symlinks=False))
    except OSError:
        return found
    for name in names[:MAX_BUNDLE_ENTRIES]:
        if not name.endswith(".xml") or name.endswith(STATUS_PAGE_SUFFIX):
            continue
        uuid = name[:-4]
        where = shown(device_dir / name)
        if uuid not in served:
            found.append(f"{where}: not served: no member of {shown(folder.name)}'s "
                         "zone_group_state.xml has this id (a player id is RINCON_...; masked "
                         "ids must match in both files)")
            continue
        description = describe(dict(devices)[uuid])
        if description is None:
            found.append(f"{where}: served as it is, but it is not a readable device "
                         "description (a scan lists the player as not answering properly)")
        elif description.uuid != uuid:
            found.append(f"{where}: served, but its UDN says {for_terminal(description.uuid, 80)}"
                         ", not the id of its file name")
    return found


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

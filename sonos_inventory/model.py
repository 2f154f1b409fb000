"""The values that flow through the pipeline: frozen, hashable, free of I/O.

discover -> Sighting; collect -> DeviceDescription / Topology / ScanObservations;
inventory -> Inventory (players, households, scan info); analyze adds findings and a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .bounds import MAX_CHANNEL_MAP_ENTRIES


class StrEnum(str, Enum):
    """A str-valued enum whose str() is its value (enum.StrEnum arrived in 3.11)."""

    def __str__(self) -> str:
        return str(self.value)


class Track(StrEnum):
    """The software track a product runs: S1 (legacy, builds up to 57) or S2 (58 and later)."""

    S1 = "S1"
    S2 = "S2"
    UNKNOWN = "unknown"


class Role(StrEnum):
    """What a product does in its room: a player, or a bonded part of another player's room."""

    PLAYER = "player"
    STEREO_PARTNER = "stereo-partner"
    SATELLITE = "satellite"
    SUBWOOFER = "subwoofer"
    BRIDGE = "bridge"


class Method(StrEnum):
    """How a player came to our attention; listed in discovery order."""

    SSDP = "ssdp"
    MDNS = "mdns"
    TOPOLOGY = "topology"
    HOST = "host"
    NETWORK = "network"


class ErrorKind(StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "refused"  # connection refused or reset
    UNREACHABLE = "unreachable"  # no route, host down
    HTTP_STATUS = "http-status"
    UPNP_DISABLED = "upnp-disabled"  # HTTP 403 from a Sonos player
    UPNP_FAULT = "upnp-fault"  # SOAP fault (HTTP 500 + UPnPError)
    REDIRECT = "redirect"  # never followed
    TOO_LARGE = "too-large"
    BAD_XML = "bad-xml"
    NOT_SONOS = "not-sonos"
    POLICY = "policy"  # the network policy forbids contacting that address
    DUPLICATE = "duplicate"  # another device already answered for this UUID
    TOPOLOGY_UNAVAILABLE = "topology-unavailable"
    VANISHED = "vanished"
    NOT_ATTEMPTED = "not-attempted"  # the scan budget ran out first
    INTERNAL = "internal"


class Severity(StrEnum):
    """How much a finding matters: error (a conflict), warning, info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Endpoint:
    """An IP literal and TCP port. Never a hostname: device data cannot make us resolve names."""

    host: str
    port: int = 1400

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class Problem:
    """Why something could not be read. `kind` is machine-readable, `detail` is for people."""

    kind: ErrorKind
    detail: str
    http_status: int | None = None  # the HTTP status a device answered with, when that failed
    truncated: bool = False  # the body ended before the length the device had announced
    upnp_error_code: int | None = None  # a SOAP fault's UPnP errorCode (e.g. 401, 402, 501)


@dataclass(frozen=True)
class Sighting:
    """One discovery method saw a device at `endpoint` and may have learnt a few facts already."""

    endpoint: Endpoint
    method: Method
    uuid: str | None = None
    household_id: str | None = None
    software_version: str | None = None
    model_token: str | None = None  # SSDP SERVER product token, e.g. "ZPS18"
    raw: tuple[tuple[str, str], ...] = ()  # headers or TXT keys as received, for the record


@dataclass(frozen=True)
class DeviceDescription:
    """What /xml/device_description.xml says (fields that old firmware lacks are None)."""

    uuid: str
    model_name: str | None
    model_number: str | None
    serial: str | None
    mac: str | None
    software_version: str | None
    sw_gen: int | None
    display_version: str | None
    hardware_version: str | None
    min_compatible_version: str | None
    legacy_compatible_version: str | None
    room: str | None
    display_name: str | None
    memory_mb: int | None
    zone_type: str | None = None
    series_id: str | None = None
    deactivation_state: str | None = None


@dataclass(frozen=True)
class ZoneMember:
    """A ZoneGroupMember or Satellite of the zone group state."""

    uuid: str
    location: str | None
    zone_name: str | None
    software_version: str | None
    sw_gen: int | None
    min_compatible_version: str | None
    legacy_compatible_version: str | None
    group_id: str | None
    coordinator: str | None
    invisible: bool = False
    is_zone_bridge: bool = False
    satellite_of: str | None = None  # parent UUID when this is a <Satellite>
    channel_map_set: str | None = None
    ht_sat_chan_map_set: str | None = None
    channel_map_of: str | None = None
    """Set when the player is in no zone group and only another member's channel map names it
    (the right speaker of a pair, or a surround, that is off the network): that member's UUID."""
    boot_seq: int | None = None  # BootSeq: the reboot counter
    connection_type: str | None = None  # ConnectionType, raw (see analyze/connection.py)
    wireless_mode: str | None = None  # WirelessMode, raw
    eth_link: str | None = None  # EthLink, raw
    wifi_enabled: str | None = None  # WifiEnabled, raw
    behind_wifi_extender: str | None = None  # BehindWifiExtender, raw
    channel_freq: str | None = None  # ChannelFreq (MHz), raw
    more_info: str | None = None  # MoreInfo, raw (portables: RawBattPct:..,BattPct:..,BattChg:..)


def parse_channel_map(value: str | None) -> dict[str, tuple[str, ...]]:
    """`RINCON_A:LF,LF;RINCON_B:RF,RF` -> {RINCON_A: (LF, LF), RINCON_B: (RF, RF)}."""
    mapping: dict[str, tuple[str, ...]] = {}
    for part in (value or "").split(";")[:MAX_CHANNEL_MAP_ENTRIES]:
        uuid, sep, channels = part.strip().partition(":")
        if sep and uuid:
            mapping[uuid] = tuple(c.strip().upper() for c in channels.split(",") if c.strip())
    return mapping


@dataclass(frozen=True)
class VanishedDevice:
    uuid: str
    zone_name: str | None
    reason: str | None
    model_number: str | None
    last_known_ip: str | None
    last_seen_utc: str | None
    sw_gen: int | None
    mac: str | None = None  # Mac, as 12 hex digits
    more_info: str | None = None  # MoreInfo at its last sighting (battery of a portable)


@dataclass(frozen=True)
class Topology:
    members: tuple[ZoneMember, ...]
    vanished: tuple[VanishedDevice, ...] = ()
    truncated: bool = False  # the payload listed more than bounds.MAX_TOPOLOGY_MEMBERS

    def member(self, uuid: str) -> ZoneMember | None:
        return next((m for m in self.members if m.uuid == uuid), None)


# ---- what collection observed (the input of the pure inventory builder) ----


@dataclass(frozen=True)
class TargetObservation:
    """Everything learnt about one address: who pointed us there, and what it answered."""

    endpoint: Endpoint
    via: tuple[Method, ...]
    sightings: tuple[Sighting, ...] = ()
    expected_uuid: str | None = None  # from SSDP/mDNS or the topology, before it answered
    description: DeviceDescription | None = None
    problem: Problem | None = None
    raw_description: bytes | None = None
    elapsed_s: float | None = None

    @property
    def uuid(self) -> str | None:
        return self.description.uuid if self.description else self.expected_uuid


@dataclass(frozen=True)
class HouseholdRead:
    """One attempt to read a household's topology (and id) through one of its players."""

    source: Endpoint
    source_uuid: str | None
    household_id: str | None
    topology: Topology | None
    problem: Problem | None = None
    raw_zone_group_state: str | None = None
    id_asked: bool = False
    """The household id came from GetHouseholdID asked at the source itself (not from a
    discovery header): what the source says of itself."""


@dataclass(frozen=True)
class HouseholdIdRead:
    """GetHouseholdID asked at a product's own address: the household it names for itself.
    Asked only when its membership is in doubt (listed as vanished, listed by two households,
    or its SSDP household header disagrees with the topology that lists it)."""

    endpoint: Endpoint
    uuid: str
    household_id: str | None
    problem: Problem | None = None
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class StatusPage:
    """What a player's own support page (GET /status/zp, --deep) says. Pure data; every field
    may be missing (players differ, and newer firmware may refuse the page)."""

    software_version: str | None = None
    sw_gen: int | None = None
    software_date: str | None = None
    hh_swgen_state: str | None = None
    series_id: str | None = None
    mac: str | None = None
    serial: str | None = None
    wifi_mode: str | None = None  # WifiModeString, e.g. SONOSNET_MODE
    connection_type: str | None = None  # ConnectionTypeString, e.g. "SonosNet (wireless)"
    extra_info: str | None = None
    household_control_id: str | None = None
    ip: str | None = None  # IPAddress: the address the player says it has


@dataclass(frozen=True)
class StatusRead:
    """One GET /status/zp (--deep): the page, or why there is none (403/404 are normal)."""

    endpoint: Endpoint
    uuid: str | None
    page: StatusPage | None
    problem: Problem | None = None
    raw: bytes | None = None
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class RefusedMember:
    """A topology member the network policy did not let us contact."""

    uuid: str
    address: str | None
    reason: str


@dataclass(frozen=True)
class Probe:
    """One read the scan made, for the bundle's manifest."""

    endpoint: Endpoint
    what: str  # "device description", "GetZoneGroupState", "GetHouseholdID"
    elapsed_s: float
    problem: Problem | None = None


@dataclass(frozen=True)
class ScanObservations:
    started_at: str
    finished_at: str
    methods: tuple[Method, ...]
    interfaces: tuple[str, ...]
    targets: tuple[TargetObservation, ...]
    household_reads: tuple[HouseholdRead, ...]
    refused: tuple[RefusedMember, ...] = ()
    budget_exhausted: bool = False
    notes: tuple[str, ...] = ()
    interrupted: bool = False
    probes: tuple[Probe, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()  # seconds from the start: discovery_done, done
    deep: bool = False  # --deep was asked for
    status_reads: tuple[StatusRead, ...] = ()  # --deep: one per answering player
    second_reads: tuple[HouseholdRead, ...] = ()  # --deep: a second member's zone group state
    household_ids: tuple[HouseholdIdRead, ...] = ()  # products asked where they belong


# ---- the inventory ----


@dataclass(frozen=True)
class PlayerFacts:
    """What the network said about one product's place and link, before any classification:
    the inputs of analyze/classify.py beside the description fields a Player keeps. Saved in
    the inventory JSON (`facts`), so a loaded file is classified by today's rules. Every value
    is raw, as the device sent it."""

    description_sw_gen: int | None = None  # swGen in its own device description
    topology_sw_gen: int | None = None  # swGen in the zone group state that lists it
    listed: bool = False  # a member (or satellite) in a zone group state that was read
    zone_bridge: bool = False  # IsZoneBridge
    satellite_of: str | None = None  # the home theatre player's UUID, for a <Satellite>
    invisible: bool = False  # Invisible (a bonded part of another player's room)
    channels: tuple[str, ...] = ()  # its channels in its own ChannelMapSet (LF, RF, SW)
    theater_channels: tuple[str, ...] = ()  # its channels in the home theatre's HTSatChanMapSet
    zone_copy: bool = False
    """The link attributes below come from a zone group state (its own listing, or another
    member's copy that lists it)."""
    connection_type: str | None = None  # ConnectionType
    wireless_mode: str | None = None  # WirelessMode
    eth_link: str | None = None  # EthLink
    wifi_enabled: str | None = None  # WifiEnabled
    behind_wifi_extender: str | None = None  # BehindWifiExtender
    channel_freq: str | None = None  # ChannelFreq (MHz)
    more_info: str | None = None  # MoreInfo (portables: the battery)
    ssdp_wifi_mode: str | None = None  # X-RINCON-WIFIMODE of its SSDP reply


FROM_THE_FILE = "from the file"
"""The basis of a value kept as a saved file holds it: the file has no raw facts behind it
(made before schema_version 2), so today's rules could not decide it again."""


@dataclass(frozen=True, kw_only=True)
class Player:
    """One Sonos product: what it reported (description fields and `facts`), and what analysis
    made of it (track, S2 capability, role, connection: analyze/classify.py)."""

    uuid: str
    ip: str | None
    port: int | None
    room: str | None
    model_name: str | None
    model_number: str | None
    serial: str | None
    mac: str | None
    software_version: str | None
    display_version: str | None
    hardware_version: str | None
    sw_gen: int | None
    min_compatible_version: str | None
    legacy_compatible_version: str | None
    memory_mb: int | None
    household_id: str | None
    reachable: bool
    vanished: bool
    discovered_via: tuple[Method, ...]
    errors: tuple[Problem, ...] = ()
    series_id: str | None = None
    facts: PlayerFacts | None = None
    """None for a player read from a file made before schema_version 2."""
    # ---- classified (analyze/classify.py); outputs for readers, never inputs to the rules ----
    track: Track = Track.UNKNOWN
    track_basis: str = "not classified yet"
    s2_capable: bool | None = None
    s2_capable_basis: str = "not classified yet"
    role: Role = Role.PLAYER
    role_basis: str = "not classified yet"
    connection: str = "unknown"  # wired, sonosnet, wifi, home-theater, unknown
    connection_basis: str = ""
    behind_wifi_extender: bool | None = None
    boot_seq: int | None = None
    deep: DeepInfo | None = None  # --deep only
    wifi_band: str | None = None  # "2.4 GHz", "5 GHz" (ChannelFreq), None when not known
    channel_mhz: int | None = None  # ChannelFreq
    battery_percent: int | None = None  # portables: BattPct in MoreInfo
    charging: bool | None = None  # portables: BattChg in MoreInfo


@dataclass(frozen=True)
class DeepInfo:
    """What --deep learnt of one player from its own status page (GET /status/zp)."""

    status: str  # "read", or why not: "forbidden (HTTP 403)", "not found (HTTP 404)", ...
    software_date: str | None = None
    hh_swgen_state: str | None = None
    wifi_mode: str | None = None
    connection_type: str | None = None
    extra_info: str | None = None
    household_control_id: str | None = None
    ip: str | None = None  # the page's IPAddress
    mac: str | None = None  # the page's MACAddress


@dataclass(frozen=True)
class Household:
    """One Sonos system (household): its id, tracks and member players."""

    household_id: str | None
    tracks: tuple[Track, ...]
    players: tuple[str, ...]
    topology_read: bool
    topology_problem: Problem | None = None
    moved_out: tuple[str, ...] = ()
    """Products this household still lists as vanished that are current members of another
    household (split off, or moved to S1): they belong there, not here."""
    remembered: tuple[str, ...] = ()
    """Products this household lists as vanished that belong to no household for sure:
    remembered by several households and answering none of them (listed under each)."""
    topology_disagreement: tuple[str, ...] | None = None
    """--deep: how a second member's zone group state differs from the first one's (empty: they
    agree; None: not compared)."""


@dataclass(frozen=True)
class Unidentified:
    """An address we were sent to that never told us who it is (so it has no UUID)."""

    ip: str
    port: int
    discovered_via: tuple[Method, ...]
    errors: tuple[Problem, ...]


@dataclass(frozen=True)
class ScanInfo:
    started_at: str
    finished_at: str
    complete: bool
    methods: tuple[Method, ...]
    interfaces: tuple[str, ...] = ()
    incomplete_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One result of a rule: which products, why (evidence) and what to do (advice)."""

    rule: str
    severity: Severity
    players: tuple[str, ...]
    title: str
    detail: str
    advice: str
    evidence: tuple[str, ...] = ()


class Likelihood(StrEnum):
    """How likely the software-track conflict behind "Error 803" is: `verdict.error_803`."""

    LIKELY = "likely"
    POSSIBLE = "possible"
    NOT_INDICATED = "not-indicated"  # products were read, and no sign was found
    UNKNOWN = "unknown"  # no product at all was read: nothing could be judged


@dataclass(frozen=True)
class Verdict:
    """Is the software-track conflict behind 'Error 803' likely, possible or not indicated?"""

    error_803: Likelihood
    summary: str


@dataclass(frozen=True)
class Inventory:
    """Everything one scan (or saved file) knows: households, players, findings, verdict."""

    tool_version: str
    scan: ScanInfo
    households: tuple[Household, ...]
    players: tuple[Player, ...]
    unidentified: tuple[Unidentified, ...] = ()
    findings: tuple[Finding, ...] = ()
    verdict: Verdict = field(default_factory=lambda: Verdict(Likelihood.NOT_INDICATED, ""))
    label: str | None = None
    """The name a person gave this system (customer, site): `--label`."""

    def player(self, uuid: str) -> Player | None:
        return next((p for p in self.players if p.uuid == uuid), None)

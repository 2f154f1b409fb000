"""Synthetic households in the scenario format, shaped like the real captures in
shared/reference/samples (element order, attribute sets); identifiers are made up.

Used by fixtures/make_scenarios.py and by the benchmark to build households of any size.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..collect.parse import parse_device_description, parse_zone_group_state
from .folder import STATUS_PAGE_SUFFIX
from .status import derived_status_page


@dataclass(frozen=True)
class PlayerSpec:
    mac: str  # 12 hex digits
    room: str
    model_number: str
    model_name: str
    display_name: str
    software_version: str
    display_version: str | None  # None: the description has no displayVersion element
    hardware_version: str
    sw_gen: int | None = 2  # None: 2015-era firmware without the element
    memory_mb: int = 1024
    answers: bool = True  # False: in the topology, but no devices/<UUID>.xml
    include_mac_element: bool = True
    ip: str = "192.168.1.10"
    connection: str = "sonosnet"  # wired, sonosnet, wifi, home-theater (see _network_attrs)
    behind_extender: bool = False
    boot_seq: int | None = None  # None: a stable number derived from the MAC
    series_id: str = "A201"
    status_page: bool = True  # write devices/<UUID>.status_zp.xml (what --deep reads)
    network: tuple[tuple[str, str], ...] | None = None
    """The zone group state's network attributes as a capture has them (WirelessMode, EthLink,
    ChannelFreq, WifiEnabled, ...), in place of those derived from `connection`."""
    more_info: str = ""  # MoreInfo (portables: RawBattPct:..,BattPct:..,BattChg:..)
    status_ip: str | None = None  # the IPAddress its status page states, when not its own
    status_strings: tuple[str, str] | None = None
    """WifiModeString and ConnectionTypeString, only when a scenario states them: real pages
    seen so far carry neither."""

    @property
    def uuid(self) -> str:
        return f"RINCON_{self.mac.upper()}01400"

    @property
    def serial(self) -> str:
        pairs = [self.mac[i:i + 2].upper() for i in range(0, 12, 2)]
        check = "ABCDEFGHJK"[int(hashlib.sha256(self.mac.encode()).hexdigest(), 16) % 10]
        return "-".join(pairs) + f":{check}"

    @property
    def mac_colons(self) -> str:
        return ":".join(self.mac[i:i + 2].upper() for i in range(0, 12, 2))

    @property
    def boot_counter(self) -> int:
        if self.boot_seq is not None:
            return self.boot_seq
        return 7 + int(hashlib.sha256(("boot" + self.mac).encode()).hexdigest(), 16) % 400

    @property
    def wifi_mode_header(self) -> str:
        """X-RINCON-WIFIMODE of its SSDP replies (1 on a product in Wi-Fi mode)."""
        return "1" if self.connection == "wifi" else "0"

    @property
    def major(self) -> int:
        return int(self.software_version.split(".")[0])

    @property
    def min_compatible(self) -> str:
        if self.major <= 57 and self.major >= 55:
            return "56.0-00000"
        return f"{self.major - 1}.0-00000"

    @property
    def legacy_compatible(self) -> str:
        return "58.0-00000" if self.major >= 58 else "36.0-00000"


@dataclass(frozen=True)
class Member:
    """A ZoneGroupMember with optional satellites and flags."""

    player: PlayerSpec
    invisible: bool = False
    zone_bridge: bool = False
    channel_map_set: str | None = None
    ht_sat_chan_map_set: str | None = None
    satellites: tuple[tuple[PlayerSpec, str], ...] = ()  # (player, its HTSatChanMapSet part)


@dataclass(frozen=True)
class Group:
    members: tuple[Member, ...]

    @property
    def coordinator(self) -> PlayerSpec:
        return self.members[0].player


@dataclass(frozen=True)
class Vanished:
    mac: str
    room: str
    model_number: str
    ip: str
    sw_gen: int = 2
    reason: str = "powered off"
    last_seen: str = "2026-11-20T18:04:11Z"
    more_info: str = ""


@dataclass(frozen=True)
class HouseholdSpecSynth:
    name: str
    household_id: str
    groups: tuple[Group, ...]
    vanished: tuple[Vanished, ...] = ()
    faults: dict[str, object] = field(default_factory=dict)
    views: tuple[tuple[str, tuple[Group, ...]], ...] = ()
    """(uuid, groups): that member's own copy of the zone group state differs (it lists these
    groups); written as zone_group_state.<UUID>.xml."""
    view_vanished: tuple[tuple[str, tuple[Vanished, ...]], ...] = ()
    """(uuid, vanished): what that member's own copy lists as vanished, where it differs."""

    def players(self) -> list[PlayerSpec]:
        found = []
        for group in self.groups:
            for member in group.members:
                found.append(member.player)
                found.extend(p for p, _ in member.satellites)
        return found


def device_description(p: PlayerSpec) -> str:
    """A device_description.xml shaped like the S18 (S2), S9 (S1) and 2015 captures."""
    gen = f"    <swGen>{p.sw_gen}</swGen>\n" if p.sw_gen is not None else ""
    display = (f"    <displayVersion>{p.display_version}</displayVersion>\n"
               if p.display_version is not None else "")
    mac = f"    <MACAddress>{p.mac_colons}</MACAddress>\n" if p.include_mac_element else ""
    friendly = f"{p.ip} - Sonos {escape(p.display_name)}" + (
        f" - {p.uuid}" if p.sw_gen == 2 else ""
    )
    services = "".join(
        "      <service>\n"
        f"        <serviceType>urn:schemas-upnp-org:service:{s}:1</serviceType>\n"
        f"        <serviceId>urn:upnp-org:serviceId:{s}</serviceId>\n"
        f"        <controlURL>/{s}/Control</controlURL>\n"
        f"        <eventSubURL>/{s}/Event</eventSubURL>\n"
        f"        <SCPDURL>/xml/{s}1.xml</SCPDURL>\n"
        "      </service>\n"
        for s in ("AlarmClock", "MusicServices", "DeviceProperties", "SystemProperties",
                  "ZoneGroupTopology", "GroupManagement")
    )
    return f"""<?xml version="1.0" encoding="utf-8" ?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion>
    <major>1</major>
    <minor>0</minor>
  </specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:ZonePlayer:1</deviceType>
    <friendlyName>{friendly}</friendlyName>
    <manufacturer>Sonos, Inc.</manufacturer>
    <manufacturerURL>http://www.sonos.com</manufacturerURL>
    <modelNumber>{escape(p.model_number)}</modelNumber>
    <modelDescription>{escape(p.model_name)}</modelDescription>
    <modelName>{escape(p.model_name)}</modelName>
    <modelURL>http://www.sonos.com/products/zoneplayers/{escape(p.model_number)}</modelURL>
    <softwareVersion>{p.software_version}</softwareVersion>
{gen}    <hardwareVersion>{p.hardware_version}</hardwareVersion>
    <serialNum>{p.serial}</serialNum>
{mac}    <UDN>uuid:{p.uuid}</UDN>
    <iconList>
      <icon>
        <id>0</id>
        <mimetype>image/png</mimetype>
        <width>48</width>
        <height>48</height>
        <depth>24</depth>
        <url>/img/icon-{escape(p.model_number)}.png</url>
      </icon>
    </iconList>
    <minCompatibleVersion>{p.min_compatible}</minCompatibleVersion>
    <legacyCompatibleVersion>{p.legacy_compatible}</legacyCompatibleVersion>
{display}    <extraVersion></extraVersion>
    <roomName>{escape(p.room)}</roomName>
    <displayName>{escape(p.display_name)}</displayName>
    <zoneType>20</zoneType>
    <feature1>0x00000000</feature1>
    <feature2>0x05c18332</feature2>
    <feature3>0x0541580e</feature3>
    <seriesid>{escape(p.series_id)}</seriesid>
    <variant>{0 if p.sw_gen is None else 2}</variant>
    <internalSpeakerSize>5</internalSpeakerSize>
    <memory>{p.memory_mb}</memory>
    <flash>{p.memory_mb}</flash>
    <ampOnTime>20</ampOnTime>
    <retailMode>0</retailMode>
    <serviceList>
{services}    </serviceList>
    <deviceList>
      <device>
        <deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>
        <friendlyName>{friendly} Media Server</friendlyName>
        <manufacturer>Sonos, Inc.</manufacturer>
        <modelNumber>{escape(p.model_number)}</modelNumber>
        <modelName>{escape(p.model_name)}</modelName>
        <UDN>uuid:{p.uuid}_MS</UDN>
      </device>
      <device>
        <deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>
        <friendlyName>{escape(p.room)} - Sonos {escape(p.display_name)} Renderer</friendlyName>
        <manufacturer>Sonos, Inc.</manufacturer>
        <modelNumber>{escape(p.model_number)}</modelNumber>
        <modelName>{escape(p.model_name)}</modelName>
        <UDN>uuid:{p.uuid}_MR</UDN>
      </device>
    </deviceList>
  </device>
</root>
"""


def _member_attrs(p: PlayerSpec, *, invisible: bool = False, zone_bridge: bool = False,
                  channel_map_set: str | None = None, ht: str | None = None,
                  room: str | None = None) -> str:
    attrs = [
        ("UUID", p.uuid),
        ("Location", f"http://{p.ip}:1400/xml/device_description.xml"),
        ("ZoneName", room or p.room),
        ("Icon", ""),
        ("Configuration", "1"),
    ]
    if invisible:
        attrs.append(("Invisible", "1"))
    if zone_bridge:
        attrs.append(("IsZoneBridge", "1"))
    attrs.append(("SoftwareVersion", p.software_version))
    if p.sw_gen is not None:
        attrs.append(("SWGen", str(p.sw_gen)))
    attrs += [("MinCompatibleVersion", p.min_compatible),
              ("LegacyCompatibleVersion", p.legacy_compatible)]
    if channel_map_set:
        attrs.append(("ChannelMapSet", channel_map_set))
    if ht:
        attrs.append(("HTSatChanMapSet", ht))
    connection = "home-theater" if invisible and ht and p.connection == "sonosnet" else (
        p.connection)
    attrs += [("BootSeq", str(p.boot_counter)), ("TVConfigurationError", "0"),
              ("HdmiCecAvailable", "0"),
              *(p.network if p.network is not None else _network_attrs(p, connection)),
              ("Orientation", "0"), ("RoomCalibrationState", "4"), ("SecureRegState", "3"),
              ("VoiceConfigState", "0"), ("MicEnabled", "0"), ("AirPlayEnabled", "0"),
              ("IdleState", "1"), ("MoreInfo", p.more_info)]
    return " ".join(f"{k}={quoteattr(v)}" for k, v in attrs)


CONNECTION_TYPE = {"wired": "1", "sonosnet": "2", "home-theater": "6"}
"""The ConnectionType codes seen in a real 2026 household (sonos-facts.md §7). Wi-Fi mode has no
code in any capture: such players get none, and WirelessMode 1 (as in the 70.4 fixture)."""


def _network_attrs(p: PlayerSpec, connection: str) -> list[tuple[str, str]]:
    """WirelessMode .. EthLink in capture order; ConnectionType only on 2026 builds (86 and up),
    as in the captures (older firmware does not send it)."""
    attrs = [("WirelessMode", "1" if connection == "wifi" else "0"), ("WirelessLeafOnly", "0"),
             ("ChannelFreq", "5180" if connection == "wifi" else "2412"),
             ("BehindWifiExtender", "1" if p.behind_extender else "0"), ("WifiEnabled", "1"),
             ("EthLink", "1" if connection == "wired" else "0")]
    code = CONNECTION_TYPE.get(connection)
    if code is not None and p.major >= 86:
        attrs.append(("ConnectionType", code))
    return attrs


def zone_group_state(household: HouseholdSpecSynth) -> str:
    lines = ["<ZoneGroupState>", "  <ZoneGroups>"]
    for index, group in enumerate(household.groups):
        coordinator = group.coordinator.uuid
        lines.append(f'    <ZoneGroup Coordinator="{coordinator}" ID="{coordinator}:{index + 7}">')
        for member in group.members:
            attrs = _member_attrs(member.player, invisible=member.invisible,
                                  zone_bridge=member.zone_bridge,
                                  channel_map_set=member.channel_map_set,
                                  ht=member.ht_sat_chan_map_set)
            if not member.satellites:
                lines.append(f"      <ZoneGroupMember {attrs}/>")
                continue
            lines.append(f"      <ZoneGroupMember {attrs}>")
            for satellite, ht in member.satellites:
                sat_attrs = _member_attrs(satellite, invisible=True, ht=ht,
                                          room=member.player.room)
                lines.append(f"        <Satellite {sat_attrs}/>")
            lines.append("      </ZoneGroupMember>")
        lines.append("    </ZoneGroup>")
    lines.append("  </ZoneGroups>")
    if household.vanished:
        lines.append("  <VanishedDevices>")
        for v in household.vanished:
            uuid = f"RINCON_{v.mac.upper()}01400"
            lines.append(
                f'    <Device UUID="{uuid}" ZoneName={quoteattr(v.room)} Reason="{v.reason}" '
                f'ModelInfo="{v.model_number}" Mac="{v.mac.upper()}" LastKnownIP="{v.ip}" '
                f'LastSeenUTC="{v.last_seen}" SWGen="{v.sw_gen}"'
                + (f" MoreInfo={quoteattr(v.more_info)}" if v.more_info else "") + "/>"
            )
        lines.append("  </VanishedDevices>")
    else:
        lines.append("  <VanishedDevices></VanishedDevices>")
    lines.append("</ZoneGroupState>")
    return "\n".join(lines) + "\n"


def write_household(root: Path, household: HouseholdSpecSynth) -> Path:
    import json

    folder = root / household.name
    devices = folder / "devices"
    devices.mkdir(parents=True, exist_ok=True)
    (folder / "zone_group_state.xml").write_text(zone_group_state(household), "utf-8")
    (folder / "household_id").write_text(household.household_id + "\n", "utf-8")
    for uuid, groups in household.views:
        view = HouseholdSpecSynth(household.name, household.household_id, groups,
                                  dict(household.view_vanished).get(uuid, household.vanished))
        (folder / f"zone_group_state.{uuid}.xml").write_text(zone_group_state(view), "utf-8")
    zgs_topology = parse_zone_group_state(zone_group_state(household))
    for player in household.players():
        if player.answers:
            xml = device_description(player)
            (devices / f"{player.uuid}.xml").write_text(xml, "utf-8")
            if player.status_page:  # explicit, realistic fields only (scenario/status.py)
                page = derived_status_page(
                    parse_device_description(xml.encode()), zgs_topology.member(player.uuid),
                    zgs_topology, household.household_id, player.status_ip or player.ip,
                    xml.encode(), player.status_strings)
                (devices / f"{player.uuid}{STATUS_PAGE_SUFFIX}").write_bytes(page)
    if household.faults:
        (folder / "faults.json").write_text(json.dumps(household.faults, indent=2) + "\n", "utf-8")
    return folder


def simple_household(name: str, count: int, *, mac_prefix: str, subnet: str = "192.168.1",
                     software_version: str = "95.0-77060", faults: dict[str, object] | None = None,
                     ) -> HouseholdSpecSynth:
    """`count` One (gen 2) players, one per room, each its own group (for benchmarks)."""
    players = [
        PlayerSpec(mac=f"{mac_prefix}{i:06X}"[-12:], room=f"Room {i + 1}", model_number="S18",
                   model_name="Sonos One", display_name="One", software_version=software_version,
                   display_version=None, hardware_version="1.26.1.7-1.2",
                   ip=f"{subnet}.{(i % 250) + 2}")
        for i in range(count)
    ]
    digest = hashlib.sha256(name.encode()).hexdigest()[:22]
    return HouseholdSpecSynth(name, f"Sonos_{digest}", tuple(Group((Member(p),)) for p in players),
                              faults=faults or {})

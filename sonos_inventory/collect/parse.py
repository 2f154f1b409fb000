"""Pure parsers for what players send: device descriptions, zone group state, SOAP responses.

Every byte here came from a device and is hostile until parsed. XML goes through defusedxml with
DTDs forbidden (no entities, no external references); sizes are capped by the transport before we
get here and text values are clipped. The only exception raised is errors.ParseError.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..bounds import (
    MAX_STATUS_PAGE_BLOCKS,
    MAX_STATUS_PAGE_ELEMENTS,
    MAX_TOPOLOGY_MEMBERS,
    MAX_XML_TEXT,
)
from ..errors import NotSonosError, ParseError
from ..model import (
    DeviceDescription,
    StatusPage,
    Topology,
    VanishedDevice,
    ZoneMember,
    parse_channel_map,
)

_ZONE_PLAYER_RE = re.compile(r"urn:schemas-upnp-org:device:ZonePlayer:[1-9][0-9]{0,2}")
UPNP_DEVICE_NS = "urn:schemas-upnp-org:device-1-0"
_UUID_RE = re.compile(r"^(?:uuid:)?(RINCON_[0-9A-Za-z_.:-]{1,64})$")


def parse_xml(data: bytes | str) -> Element:
    """Parse untrusted XML: no DTD, no entities, no external references."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ParseError(f"forbidden XML construct: {type(exc).__name__}") from exc
    except SafeET.ParseError as exc:
        raise ParseError(f"not well-formed XML: {exc}") from exc
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise ParseError(f"unreadable XML: {type(exc).__name__}") from exc


def local(tag: object) -> str:
    """Element tag without its namespace (`{urn:...}device` -> `device`)."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def clip(value: str | None) -> str | None:
    """Strip and bound a device-supplied string; empty becomes None."""
    if value is None:
        return None
    value = value.strip()[:MAX_XML_TEXT]
    return value or None


def _child_text(parent: Element, name: str) -> str | None:
    for child in parent:
        if local(child.tag) == name:
            return clip(child.text)
    return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def normalize_uuid(value: str | None) -> str | None:
    match = _UUID_RE.match(value.strip()) if value else None
    return match.group(1) if match else None


def mac_from_serial(serial: str | None) -> str | None:
    """Sonos serials are `<MAC with dashes>:<check>`: `94-9F-00-68-00-A9:D`."""
    if not serial:
        return None
    match = re.match(r"^([0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(?::|$)", serial.strip())
    return match.group(1).replace("-", ":").upper() if match else None


def parse_device_description(data: bytes | str) -> DeviceDescription:
    """Parse /xml/device_description.xml. Tolerates 2015 firmware (no swGen, no MACAddress)."""
    root = parse_xml(data)
    if local(root.tag) != "root":
        raise NotSonosError(f"root element is <{local(root.tag)}>, not a UPnP <root>")
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in ("", UPNP_DEVICE_NS):
        raise ParseError(f"wrong namespace {namespace[:80]!r} for a UPnP device description")
    device = next((c for c in root if local(c.tag) == "device"), None)
    if device is None:
        raise ParseError("no <device> element")
    device_type = _child_text(device, "deviceType") or ""
    if not _ZONE_PLAYER_RE.fullmatch(device_type):
        # Sonos players are ZonePlayers; anything else that answered the Sonos search (a
        # renderer, a bridge of another brand, a router) is not one, whatever it calls itself.
        raise NotSonosError(f"not a Sonos ZonePlayer (deviceType {device_type[:80]!r})")
    uuid = normalize_uuid(_child_text(device, "UDN"))
    if uuid is None:
        raise ParseError("no RINCON_ UDN")
    serial = _child_text(device, "serialNum")
    mac = _child_text(device, "MACAddress")
    if mac is None or not re.fullmatch(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}", mac):
        mac = mac_from_serial(serial)
    sw_gen = _int(_child_text(device, "swGen"))
    return DeviceDescription(
        uuid=uuid,
        model_name=_child_text(device, "modelName") or _child_text(device, "modelDescription"),
        model_number=_child_text(device, "modelNumber"),
        serial=serial,
        mac=mac.upper() if mac else None,
        software_version=_child_text(device, "softwareVersion"),
        sw_gen=sw_gen if sw_gen in (1, 2) else None,
        display_version=_child_text(device, "displayVersion"),
        hardware_version=_child_text(device, "hardwareVersion"),
        min_compatible_version=_child_text(device, "minCompatibleVersion"),
        legacy_compatible_version=_child_text(device, "legacyCompatibleVersion"),
        room=_child_text(device, "roomName"),
        display_name=_child_text(device, "displayName"),
        memory_mb=_int(_child_text(device, "memory")),
        zone_type=_child_text(device, "zoneType"),
        series_id=_child_text(device, "seriesid"),
        deactivation_state=_child_text(device, "DeactivationState"),
    )


# ---- zone group state ----


def _find_zgs_root(root: Element, depth: int = 0) -> Element:
    """Accept <ZoneGroupState>, pre-10.1 <ZoneGroups>, a SOAP envelope or an event propertyset,
    with the payload either as child elements or as an escaped XML string."""
    if depth > 3:
        raise ParseError("zone group state nested too deeply")
    name = local(root.tag)
    if name in ("ZoneGroupState", "ZoneGroups") and any(
        local(c.tag) in ("ZoneGroups", "ZoneGroup", "VanishedDevices") for c in root
    ):
        return root
    if name == "ZoneGroups":
        return root  # an empty pre-10.1 household
    for element in root.iter():
        if local(element.tag) == "ZoneGroupState" and element is not root:
            if len(element):
                return _find_zgs_root(element, depth + 1)
            if element.text and element.text.strip():
                return _find_zgs_root(parse_xml(element.text.strip()), depth + 1)
    if name == "ZoneGroupState" and root.text and root.text.strip().startswith("<"):
        return _find_zgs_root(parse_xml(root.text.strip()), depth + 1)
    if name == "ZoneGroupState":
        return root
    raise ParseError(f"no zone group state in <{name}>")


def _attr(element: Element, name: str) -> str | None:
    return clip(element.get(name))


def _member(element: Element, group: Element | None, parent: str | None) -> ZoneMember | None:
    uuid = normalize_uuid(_attr(element, "UUID"))
    if uuid is None:
        return None
    sw_gen = _int(_attr(element, "SWGen"))
    return ZoneMember(
        uuid=uuid,
        location=_attr(element, "Location"),
        zone_name=_attr(element, "ZoneName"),
        software_version=_attr(element, "SoftwareVersion"),
        sw_gen=sw_gen if sw_gen in (1, 2) else None,
        min_compatible_version=_attr(element, "MinCompatibleVersion"),
        legacy_compatible_version=_attr(element, "LegacyCompatibleVersion"),
        group_id=_attr(group, "ID") if group is not None else None,
        coordinator=normalize_uuid(_attr(group, "Coordinator")) if group is not None else None,
        invisible=_attr(element, "Invisible") == "1",
        is_zone_bridge=_attr(element, "IsZoneBridge") == "1",
        satellite_of=parent,
        channel_map_set=_attr(element, "ChannelMapSet"),
        ht_sat_chan_map_set=_attr(element, "HTSatChanMapSet"),
        boot_seq=_int(_attr(element, "BootSeq")),
        connection_type=_short(_attr(element, "ConnectionType")),
        wireless_mode=_short(_attr(element, "WirelessMode")),
        eth_link=_short(_attr(element, "EthLink")),
        wifi_enabled=_short(_attr(element, "WifiEnabled")),
        behind_wifi_extender=_short(_attr(element, "BehindWifiExtender")),
        channel_freq=_short(_attr(element, "ChannelFreq")),
        more_info=_attr(element, "MoreInfo"),
    )


def _short(value: str | None) -> str | None:
    """A code attribute (`ConnectionType="2"`): kept raw but short; anything else is dropped."""
    return value if value is not None and len(value) <= 16 else None


def _groups(root: Element) -> Iterator[Element]:
    if local(root.tag) == "ZoneGroups":
        containers = [root]
    else:
        containers = [c for c in root if local(c.tag) == "ZoneGroups"]
    for container in containers:
        for group in container:
            if local(group.tag) == "ZoneGroup":
                yield group


def parse_zone_group_state(data: bytes | str) -> Topology:
    """Parse the ZoneGroupState payload in any of the forms players and captures use."""
    root = _find_zgs_root(parse_xml(data))
    members: dict[str, ZoneMember] = {}
    truncated = False
    for group in _groups(root):
        if len(members) >= MAX_TOPOLOGY_MEMBERS:
            truncated = True
            break
        for element in group:
            if len(members) >= MAX_TOPOLOGY_MEMBERS:
                truncated = True
                break
            if local(element.tag) != "ZoneGroupMember":
                continue
            member = _member(element, group, None)
            if member is None:
                continue
            members.setdefault(member.uuid, member)
            for child in element:
                if local(child.tag) == "Satellite":
                    satellite = _member(child, group, member.uuid)
                    if satellite is not None:
                        members.setdefault(satellite.uuid, satellite)
    bonded_only = _channel_map_only_members(members)
    if len(members) + len(bonded_only) > MAX_TOPOLOGY_MEMBERS:
        truncated = True
    for member in bonded_only[:max(0, MAX_TOPOLOGY_MEMBERS - len(members))]:
        members[member.uuid] = member
    vanished: dict[str, VanishedDevice] = {}
    for container in (c for c in root if local(c.tag) == "VanishedDevices"):
        for device in container:
            uuid = normalize_uuid(_attr(device, "UUID"))
            if local(device.tag) != "Device" or uuid is None:
                continue
            if uuid in members and members[uuid].channel_map_of is None:
                continue  # a current member: the household's stale memory of it adds nothing
            sw_gen = _int(_attr(device, "SWGen"))
            vanished.setdefault(uuid, VanishedDevice(
                uuid=uuid,
                zone_name=_attr(device, "ZoneName"),
                reason=_attr(device, "Reason"),
                model_number=_attr(device, "ModelInfo"),
                last_known_ip=_attr(device, "LastKnownIP"),
                last_seen_utc=_attr(device, "LastSeenUTC"),
                sw_gen=sw_gen if sw_gen in (1, 2) else None,
                mac=_vanished_mac(_attr(device, "Mac")),
                more_info=_attr(device, "MoreInfo"),
            ))
            if len(vanished) >= MAX_TOPOLOGY_MEMBERS:
                truncated = True
                break
    return Topology(tuple(members.values()), tuple(vanished.values()), truncated)


def _vanished_mac(value: str | None) -> str | None:
    """`Mac="000E58F00504"` (or with separators) as 00:0E:58:F0:05:04; anything else dropped."""
    digits = re.sub(r"[:.-]", "", value or "")
    if not re.fullmatch(r"[0-9A-Fa-f]{12}", digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)).upper()


def _channel_map_only_members(members: dict[str, ZoneMember]) -> list[ZoneMember]:
    """Players that only a member's channel map names: bonded to it, but in no zone group.

    They are members all the same (a stereo pair's right speaker, a surround, a sub that is
    off the network); they carry their partner's room and group, and no address."""
    found: dict[str, ZoneMember] = {}
    for member in members.values():
        maps = ((member.ht_sat_chan_map_set, True), (member.channel_map_set, False))
        for value, home_theater in maps:
            for uuid in parse_channel_map(value):
                uuid = normalize_uuid(uuid) or ""
                if not uuid or uuid in members or uuid in found:
                    continue
                found[uuid] = ZoneMember(
                    uuid=uuid, location=None, zone_name=member.zone_name, software_version=None,
                    sw_gen=None, min_compatible_version=None, legacy_compatible_version=None,
                    group_id=member.group_id, coordinator=member.coordinator, invisible=True,
                    satellite_of=(member.satellite_of or member.uuid) if home_theater else None,
                    channel_map_set=None if home_theater else value,
                    ht_sat_chan_map_set=value if home_theater else None,
                    channel_map_of=member.uuid,
                )
    return list(found.values())


# ---- /status/zp (--deep) ----


def _first_text(root: Element, name: str) -> str | None:
    """The text of the first element called `name` anywhere in the page (bounded walk)."""
    for index, element in enumerate(root.iter()):
        if index > 5000:
            return None
        if local(element.tag) == name:
            return clip(element.text)
    return None


def parse_status_page(data: bytes | str, uuid: str | None = None) -> StatusPage:
    """Parse a player's `/status/zp` page (`<ZPSupportInfo><ZPInfo>...`). Raises ParseError.

    A page with several `ZPInfo` blocks (the `/support/review` form, one per member) gives the
    one whose `LocalUID` is `uuid`, else the first."""
    root = parse_xml(data)
    infos = [e for index, e in enumerate(root.iter()) if index < MAX_STATUS_PAGE_ELEMENTS
             and local(e.tag) == "ZPInfo"][:MAX_STATUS_PAGE_BLOCKS]
    if local(root.tag) != "ZPSupportInfo" and not infos:
        raise ParseError(f"not a status page (root <{local(root.tag)[:40]}>)")
    info = next((e for e in infos if uuid and _child_text(e, "LocalUID") == uuid),
                infos[0] if infos else root)
    scope = root if len(infos) <= 1 else info
    sw_gen = _int(_child_text(info, "SWGen"))
    mac = _child_text(info, "MACAddress")
    if mac is not None and not re.fullmatch(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}", mac):
        mac = None
    return StatusPage(
        software_version=_child_text(info, "SoftwareVersion"),
        sw_gen=sw_gen if sw_gen in (1, 2) else None,
        software_date=_child_text(info, "SoftwareDate"),
        hh_swgen_state=_child_text(info, "HHSwgenState"),
        series_id=_child_text(info, "SeriesID"),
        mac=mac.upper() if mac else None,
        serial=_child_text(info, "SerialNumber"),
        wifi_mode=_first_text(scope, "WifiModeString"),
        connection_type=_first_text(scope, "ConnectionTypeString"),
        extra_info=_child_text(info, "ExtraInfo"),
        household_control_id=_child_text(info, "HouseholdControlID"),
        ip=_child_text(info, "IPAddress"),
    )


# ---- SOAP ----


def parse_soap_response(data: bytes, action: str) -> dict[str, str]:
    """The output arguments of a SOAP `<action>Response` (children of the first Body child)."""
    root = parse_xml(data)
    body = next((c for c in root if local(c.tag) == "Body"), None)
    if body is None or not len(body):
        raise ParseError("SOAP response without a Body")
    response = body[0]
    if local(response.tag) != f"{action}Response":
        raise ParseError(f"expected <{action}Response>, got <{local(response.tag)}>")
    return {local(child.tag): child.text or "" for child in response}


def parse_upnp_error(data: bytes) -> tuple[str, int | None] | None:
    """(`errorCode description`, the code as a number when it is one) of a SOAP fault body, or
    None when it is not one."""
    try:
        root = parse_xml(data)
    except ParseError:
        return None
    code = next((e.text for e in root.iter() if local(e.tag) == "errorCode"), None)
    text = next((e.text for e in root.iter() if local(e.tag) == "errorDescription"), None)
    if code is None:
        return None
    digits = code.strip()
    number = int(digits) if digits.isdigit() and len(digits) <= 6 else None
    return " ".join(x for x in (clip(code), clip(text)) if x), number

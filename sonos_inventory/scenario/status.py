"""A player's /status/zp page (`ZPSupportInfo/ZPInfo`) for the built-in scenarios, which carry
explicit pages (devices/<UUID>.status_zp.xml) so that `--deep` works from an installed package.
The emulator never derives one: a scenario folder without a page answers 404. Pure.

Field names and order follow the real captures (sonos-facts.md §5, §7, §8), with realistic
fields only: no real page seen (4 of 4) carries `WifiModeString` or `ConnectionTypeString`, so
they are written only when a scenario states them (`strings`). Derived values: the household gate
`HHSwgenState` is `allow:<highest SWGen in the household>`, SoftwareDate is fixed.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from ..model import DeviceDescription, Topology, ZoneMember


def _household_gate(topology: Topology) -> int:
    gens = [m.sw_gen for m in topology.members if m.sw_gen is not None]
    return max(gens) if gens else 1


def derived_status_page(description: DeviceDescription | None, member: ZoneMember | None,
                        topology: Topology, household_id: str, ip: str,
                        device_xml: bytes = b"", strings: tuple[str, str] | None = None
                        ) -> bytes:
    d = description
    sw_gen = (d.sw_gen if d else None) or (member.sw_gen if member else None) or 1
    variant = re.search(rb"<variant>\s*(\d{1,3})\s*</variant>", device_xml)
    fields: list[tuple[str, str | None]] = [
        ("ZoneName", (d.room if d else None) or (member.zone_name if member else None)),
        ("ZoneIcon", "x-rincon-roomicon:living"),
        ("Configuration", "1"),
        ("LocalUID", (d.uuid if d else None) or (member.uuid if member else None)),
        ("SerialNumber", d.serial if d else None),
        ("SoftwareVersion", (d.software_version if d else None)
         or (member.software_version if member else None)),
        ("BuildType", "release"),
        ("SWGen", str(sw_gen)),
        ("SoftwareDate", "2026-06-27 22:10:16.032610"),
        ("SoftwareScm", "000000"),
        ("HHSwgenState", f"allow:{_household_gate(topology)}"),
        ("MinCompatibleVersion", (d.min_compatible_version if d else None)
         or (member.min_compatible_version if member else None)),
        ("LegacyCompatibleVersion", (d.legacy_compatible_version if d else None)
         or (member.legacy_compatible_version if member else None)),
        ("HardwareVersion", d.hardware_version if d else None),
        ("SeriesID", d.series_id if d else None),
        ("Variant", variant.group(1).decode() if variant else "2"),
        ("IPAddress", ip),
        ("MACAddress", d.mac if d else None),
        ("Copyright", "© 2004-2026 Sonos, Inc. All rights reserved."),
        ("ExtraInfo", "OTP: "),
        ("HouseholdControlID", f"{household_id}.emulated"),
        ("LocationId", "lc_emulated"),
    ]
    if strings is not None:  # only where the scenario states them
        fields += [("WifiModeString", strings[0]), ("ConnectionTypeString", strings[1])]
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields if v is not None)
    return ('<?xml version="1.0" ?><?xml-stylesheet type="text/xsl" href="/xml/review.xsl"?>'
            f"<ZPSupportInfo><ZPInfo>{body}</ZPInfo></ZPSupportInfo>").encode()

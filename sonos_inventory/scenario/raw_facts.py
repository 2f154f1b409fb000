"""The raw facts of each product, read back from a support bundle's `raw/` captures: for a
bundle made before schema_version 2, whose inventory.json has no `facts`, so that analyze
classifies it fully from what the players said. Pure; every capture is untrusted (bounded when
the bundle was read, parsed with defusedxml); one that does not parse is skipped."""

from __future__ import annotations

import re
from typing import Any

from ..analyze.classify import zone_facts
from ..collect.parse import parse_device_description, parse_zone_group_state
from ..errors import ParseError, UsageError
from ..jsonin import parse_json
from ..model import PlayerFacts

_TOPOLOGY = re.compile(r"household-[^/]{1,64}/zone_group_state(\.[A-Za-z0-9_]{1,64})?\.xml")
_DESCRIPTION = re.compile(r"household-[^/]{1,64}/devices/(RINCON_[A-Za-z0-9]{1,40})\.xml")


def _wifi_modes(raw: dict[str, bytes]) -> dict[str, str]:
    """uuid -> X-RINCON-WIFIMODE from the SSDP replies the bundle kept."""
    data = raw.get("_discovery/ssdp.json")
    if data is None:
        return {}
    try:
        replies: Any = parse_json(data, "raw/_discovery/ssdp.json")
    except UsageError:
        return {}
    modes: dict[str, str] = {}
    for reply in replies if isinstance(replies, list) else ():
        fields = reply.get("fields") if isinstance(reply, dict) else None
        uuid = reply.get("uuid") if isinstance(reply, dict) else None
        mode = fields.get("X-RINCON-WIFIMODE") if isinstance(fields, dict) else None
        if isinstance(uuid, str) and isinstance(mode, str) and mode.strip():
            modes.setdefault(uuid, mode.strip()[:8])
    return modes


def facts_from_raw(raw: dict[str, bytes]) -> dict[str, PlayerFacts]:
    """uuid -> the facts of every product a captured zone group state lists (the household's
    main capture first, then the --deep second copies)."""
    sw_gen: dict[str, int | None] = {}
    for name, data in raw.items():
        if (found := _DESCRIPTION.fullmatch(name)) is not None:
            try:
                sw_gen[found.group(1)] = parse_device_description(data).sw_gen
            except ParseError:
                continue
    modes = _wifi_modes(raw)
    facts: dict[str, PlayerFacts] = {}
    for name in sorted(n for n in raw if _TOPOLOGY.fullmatch(n)):  # main copies sort first
        try:
            topology = parse_zone_group_state(raw[name])
        except ParseError:
            continue
        for member in topology.members:
            facts.setdefault(member.uuid, zone_facts(
                member, topology, ssdp_wifi_mode=modes.get(member.uuid),
                description_sw_gen=sw_gen.get(member.uuid), topology_sw_gen=member.sw_gen))
    return facts

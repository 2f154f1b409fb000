"""Which software track a player is on, and what role it plays in its room. Pure."""

from __future__ import annotations

from ..model import Role, Topology, Track, ZoneMember, parse_channel_map
from .versions import LAST_S1_DISPLAY_MAJOR, LAST_S1_MAJOR, display_major, parse_build

BRIDGE_MODELS = frozenset({"ZB100", "BR100", "BR200"})
SUBWOOFER_MODELS = frozenset({"SUB"})


def detect_track(
    sw_gen: int | None,
    topology_sw_gen: int | None,
    software_version: str | None,
    display_version: str | None,
) -> tuple[Track, str]:
    """S1/S2 from the best evidence available, best first (docs/sonos-facts.md §3), with its
    basis."""
    if sw_gen in (1, 2):
        return Track(f"S{sw_gen}"), f"swGen {sw_gen} in its device description"
    if topology_sw_gen in (1, 2):
        return Track(f"S{topology_sw_gen}"), f"SWGen {topology_sw_gen} in the zone group state"
    if software_version is not None and software_version.strip():
        build = parse_build(software_version)
        if build is None or build.major == 0:
            # A version we cannot read decides nothing, and neither does a fallback behind it:
            # whatever sent it is not telling us which track it runs.
            return Track.UNKNOWN, (f"software version {software_version[:40]!r} is not a "
                                   "readable build and no swGen or SWGen was given")
        if build.major > LAST_S1_MAJOR:
            return Track.S2, f"build {software_version}: major {build.major} is 58 or later (S2)"
        return Track.S1, f"build {software_version}: major {build.major} is 57 or earlier (S1)"
    major = display_major(display_version)
    if major == 0:
        return Track.UNKNOWN, f"display version {display_version!r} is not a readable version"
    if major is not None:
        if major > LAST_S1_DISPLAY_MAJOR:
            return Track.S2, f"display version {display_version} is 12 or later (S2)"
        return Track.S1, f"display version {display_version} is 11 or earlier (S1)"
    return Track.UNKNOWN, "no swGen, SWGen or version known"


def channel_map(value: str | None) -> dict[str, tuple[str, ...]]:
    """`RINCON_A:LF,LF;RINCON_B:RF,RF` -> {RINCON_A: (LF, LF), RINCON_B: (RF, RF)}."""
    return parse_channel_map(value)


def detect_role(member: ZoneMember | None, topology: Topology | None,
                model_number: str | None) -> Role:
    model = (model_number or "").strip().upper()
    if (member and member.is_zone_bridge) or model in BRIDGE_MODELS:
        return Role.BRIDGE
    if model in SUBWOOFER_MODELS:
        return Role.SUBWOOFER
    if member is None:
        return Role.PLAYER
    if member.satellite_of:
        parent = topology.member(member.satellite_of) if topology else None
        channels = channel_map(parent.ht_sat_chan_map_set if parent else None).get(
            member.uuid
        ) or channel_map(member.ht_sat_chan_map_set).get(member.uuid, ())
        return Role.SUBWOOFER if "SW" in channels else Role.SATELLITE
    channels = channel_map(member.channel_map_set).get(member.uuid, ())
    if "SW" in channels:
        return Role.SUBWOOFER
    if channels and member.invisible:
        return Role.STEREO_PARTNER
    return Role.PLAYER

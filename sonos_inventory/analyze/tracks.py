"""Which software track a player is on (its role: analyze/classify.py). Pure."""

from __future__ import annotations

from ..model import Track
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

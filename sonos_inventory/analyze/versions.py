"""Sonos version strings: firmware builds (`57.23-80060`) and display versions (`11.16.2`).

Parsed leniently: 2015 firmware writes `24.0-0000`, and devices may send anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BUILD = re.compile(r"^\s*(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:-(\d{1,9}))?")

LAST_S1_MAJOR = 57
"""The S1 track ends at major 57 (11.x); S2 starts at 58 (12.0). docs/sonos-facts.md §3."""

LAST_S1_DISPLAY_MAJOR = 11


@dataclass(frozen=True, order=True)
class Build:
    """A firmware build `<major>.<minor>-<build>`; ordering follows the numbers."""

    major: int
    minor: int
    build: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}-{self.build:05d}"


def parse_build(text: str | None) -> Build | None:
    if not text:
        return None
    match = _BUILD.match(text)
    if not match:
        return None
    major, minor, _patch, build = match.groups()
    return Build(int(major), int(minor), int(build) if build else 0)


def display_major(text: str | None) -> int | None:
    if not text:
        return None
    match = re.match(r"^\s*(\d{1,4})(?:\.|$)", text)
    return int(match.group(1)) if match else None


def app_version(display_version: str | None, software_version: str | None) -> str | None:
    """The version as the Sonos app's "About My System" shows it: `17.8 (build 95077060)`.

    The build number is the software version without its punctuation (57.6-88280 is shown as
    build 57688280 next to 11.2.9 in app screenshots, HA #52757): inferred from those, not
    documented by Sonos."""
    build = re.sub(r"[^0-9]", "", software_version or "")[:16]
    display = (display_version or "").strip()[:32]
    if display and build:
        return f"{display} (build {build})"
    return display or (f"build {build}" if build else None)

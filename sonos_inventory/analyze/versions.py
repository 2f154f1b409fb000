"""Sonos version strings: firmware builds (`57.23-80060`) and display versions (`11.16.2`).

Parsed leniently: 2015 firmware writes `24.0-0000`, and devices may send anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

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


class Branch(str, Enum):
    """A line of releases that products move along together (docs: README, "Branches").

    S1 is one line. S2 was one line, the trunk, up to 85.x (in 2025 every S2 product ran 85.0);
    after it, older hardware continued at 86.x and newer hardware at 90.x and up, released
    together. Assigned from the version's major in fixed ranges, never from a model list."""

    S1 = "s1"
    S2_TRUNK = "s2"
    S2_OLDER_HARDWARE = "s2-older-hardware"
    S2_NEWER_HARDWARE = "s2-newer-hardware"

    def __str__(self) -> str:
        return str(self.value)


LAST_TRUNK_MAJOR = 85
"""The last S2 major before the split into two lines (85.0 ran on every S2 product in 2025)."""

FIRST_NEWER_HARDWARE_MAJOR = 90
"""Newer hardware's line starts at 90.x (90.0-67171 is 17.2); 86 to 89 is the older line's."""


def branch_of(build: Build | None) -> Branch | None:
    """The branch a version belongs to, from its major alone; None when it is not readable."""
    if build is None or build.major <= 0:
        return None
    if build.major <= LAST_S1_MAJOR:
        return Branch.S1
    if build.major <= LAST_TRUNK_MAJOR:
        return Branch.S2_TRUNK
    if build.major < FIRST_NEWER_HARDWARE_MAJOR:
        return Branch.S2_OLDER_HARDWARE
    return Branch.S2_NEWER_HARDWARE


def branch(software_version: str | None) -> Branch | None:
    return branch_of(parse_build(software_version))

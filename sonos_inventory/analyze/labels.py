"""Release labels: the version the Sonos app shows (`displayVersion`, e.g. 17.7) for a build.

A product's description says its label; members known only from the zone group state, status
pages and 2015-era descriptions say none. For those, a table shipped as data
(`data/releases.json`) maps known builds to labels, each pair with its source. A major.minor key
is used only where every known build of it shares the label. Pure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .versions import Build, parse_build

_LABEL = re.compile(r"^\d{1,3}(?:\.\d{1,4}){0,3}$")


@dataclass(frozen=True)
class KnownRelease:
    """One row of the table: a build (or every build of a major.minor) and its label."""

    key: str  # "62.1-86220" or "92.0"
    label: str
    source: str
    release_date: str | None = None

    @property
    def by_major_minor(self) -> bool:
        return "-" not in self.key


LABEL_BASES = ("description", "table", "unknown")
"""Where a release label comes from: the product's displayVersion, the release table, or
nowhere."""


@dataclass(frozen=True)
class ReleaseLabel:
    """A product's release label and where it came from: `description`, `table` or `unknown`."""

    label: str | None
    basis: str
    release_date: str | None = None
    source: str | None = None

    def short(self) -> str:
        """'release 14.4, released 2022', 'release 14.4' or 'release label unknown'."""
        if self.label is None:
            return "release label unknown"
        dated = f", released {self.release_date}" if self.release_date else ""
        return f"release {self.label}{dated}"

    def words(self) -> str:
        """'runs 14.4 (released 2022)', 'runs 14.4', or 'release label unknown'."""
        if self.label is None:
            return "release label unknown"
        dated = f" (released {self.release_date})" if self.release_date else ""
        return f"runs {self.label}{dated}"


@cache
def release_table() -> tuple[KnownRelease, ...]:
    raw = json.loads(
        resources.files("sonos_inventory").joinpath("data/releases.json").read_text("utf-8"))
    return tuple(KnownRelease(row.get("build") or row["major_minor"], row["label"], row["source"],
                              row.get("release_date")) for row in raw["releases"])


@cache
def _index() -> tuple[dict[str, KnownRelease], dict[str, KnownRelease]]:
    builds = {r.key: r for r in release_table() if not r.by_major_minor}
    minors = {r.key: r for r in release_table() if r.by_major_minor}
    return builds, minors


def known_release(build: Build | None) -> KnownRelease | None:
    """The table's row for a build: its own entry first, then its major.minor's."""
    if build is None:
        return None
    builds, minors = _index()
    return builds.get(str(build)) or minors.get(f"{build.major}.{build.minor}")


def clean_display_version(display_version: str | None) -> str | None:
    """A display version as a label, or None when it is not one (devices may send anything)."""
    text = (display_version or "").strip()
    return text if _LABEL.match(text) else None


def release_label(software_version: str | None, display_version: str | None) -> ReleaseLabel:
    """The label the product reports, else the table's, else unknown."""
    reported = clean_display_version(display_version)
    build = parse_build(software_version)
    row = known_release(build)
    if reported is not None:
        date = row.release_date if row is not None and row.label == reported else None
        return ReleaseLabel(reported, "description", date, None)
    if row is not None:
        return ReleaseLabel(row.label, "table", row.release_date, row.source)
    return ReleaseLabel(None, "unknown")

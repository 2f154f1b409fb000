"""Is a product behind the release its household runs? The one place this heuristic lives.

Sonos runs two S2 branches side by side since 2026: older S2-capable hardware (Play:1, Playbar,
Play:5 gen 2, ...) gets 86.x builds while newer products get 9x.x builds, released together. The
major differs by branch; the number after the dash (the build number) rises over time on both
branches and is close for builds released together. Every observation we have
(docs/sonos-facts.md §3 and §7):

    released together (one healthy household, or one update channel)       build numbers apart
      86.8-78270 beside 96.0-78270   (a real 30-product household, Aug 2026)          0
      86.4-73290 beside 93.1-73290   (scanned together, Feb 2026)                     0
      86.7-77050 beside 95.0-77060   (scanned together, Jul 2026)                    10
      86.8-78270 beside 96.0-79160   (the Move's target in the same update channel)  890
    consecutive releases
      94.1-76070 -> 95.0-77060                                                       990
      86.7-77050 -> 86.8-78270                                                     1,220
      86.4-73290 -> 86.7-77050   (one or more releases)                            3,760

So builds up to SAME_RELEASE_MAX_GAP apart have been seen in one release, and builds
NEXT_RELEASE_MIN_GAP or more apart were different releases. Between the two the data cannot
decide, and the finding says so instead of guessing.

The rule, per household and track, over every current member whose build is known (the zone
group state reports the build of members that could not be read themselves, so a product that
answered is judged against the whole household, not only against those that answered):

- Branches: the majors in use, split where consecutive majors are more than BRANCH_GAP apart.
- The household's release is the highest build number among the newest build of each branch:
  a product on the highest major can itself be the one left behind (95.0-77060 beside
  86.8-78270 is one release behind, though 95 > 86).
- A product is **behind** (error) when its build number is NEXT_RELEASE_MIN_GAP or more below
  the household's release, or when its build is below the minCompatibleVersion that the newest
  product on its own branch declares. A product's own minCompatibleVersion stays on its own
  branch (about its major - 1), so it is never compared across branches.
- A product between SAME_RELEASE_MAX_GAP and NEXT_RELEASE_MIN_GAP below the release is
  **undecided** (warning): it may be one release behind, or a model-specific build of the same
  release.
- Otherwise the product is in the release. Different models get builds of their own (the
  Move, 890 apart), so that alone says nothing; a product on an older build than another of the
  **same model** on its branch is noted (info): an update still reaching products one by one.

Build numbers are five digits and have wrapped before (63.2-88230 -> 64.3-19080), so differences
are taken modulo 100,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..model import Player, Track
from .versions import Build, parse_build

BRANCH_GAP = 3
"""Majors further apart than this are different branches (86 vs 93..96); a product one or two
majors behind on its own branch (93.1 beside 95.0) stays on that branch."""

SAME_RELEASE_MAX_GAP = 890
"""The largest gap between build numbers seen inside one release (86.8-78270 / 96.0-79160)."""

NEXT_RELEASE_MIN_GAP = 990
"""The smallest gap seen between consecutive releases (94.1-76070 -> 95.0-77060)."""

BUILD_MODULUS = 100_000

OBSERVATIONS = ("released together: 0 to 890 build numbers apart (86.8-78270 / 96.0-78270, "
                "86.4-73290 / 93.1-73290, 86.7-77050 / 95.0-77060, 86.8-78270 / 96.0-79160); "
                "consecutive releases: 990 or more apart (94.1-76070 -> 95.0-77060)")


class Standing(str, Enum):
    IN_STEP = "in-step"
    SAME_RELEASE = "same-release"  # older than the same model on its branch, within one release
    UNDECIDED = "undecided"
    BEHIND = "behind"


@dataclass(frozen=True)
class PlayerStanding:
    player: Player
    build: Build
    branch_newest: Player
    household_release: Player
    standing: Standing
    gap: int
    reason: str

    @property
    def behind(self) -> bool:
        return self.standing is Standing.BEHIND


def build_gap(newer: int, older: int) -> int:
    """How far `older` is behind `newer`, modulo the five-digit wrap (negative: it is ahead)."""
    gap = (newer - older) % BUILD_MODULUS
    return gap - BUILD_MODULUS if gap > BUILD_MODULUS // 2 else gap


def branches(builds: list[tuple[Player, Build]]) -> list[list[tuple[Player, Build]]]:
    """Group products by branch: runs of majors no more than BRANCH_GAP apart, oldest first."""
    ordered = sorted(builds, key=lambda pb: (pb[1].major, pb[1].minor, pb[1].build))
    groups: list[list[tuple[Player, Build]]] = []
    for item in ordered:
        if groups and item[1].major - groups[-1][-1][1].major <= BRANCH_GAP:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _highest_build(candidates: list[tuple[Player, Build]]) -> tuple[Player, Build]:
    """The candidate with the highest build number, comparing modulo the wrap."""
    anchor = candidates[0][1].build
    return max(candidates, key=lambda pb: (build_gap(pb[1].build, anchor), pb[1].major))


def standings(players: list[Player], track: Track) -> list[PlayerStanding]:
    """Where each current product of one household and track stands against its release."""
    builds = [(p, b) for p in players if p.track is track and not p.vanished
              and (b := parse_build(p.software_version)) is not None and b.major > 0]
    if len(builds) < 2:
        return []
    groups = branches(builds)
    release_player, release = _highest_build([group[-1] for group in groups])
    result = []
    for group in groups:
        newest_player = group[-1][0]
        floor = parse_build(newest_player.min_compatible_version)
        for player, build in group:
            gap = build_gap(release.build, build.build)
            against = (f"the household's release, build number {release.build:05d} "
                       f"({release_player.software_version} on {_name(release_player)})")
            reasons = []
            if gap >= NEXT_RELEASE_MIN_GAP:
                reasons.append(
                    f"{player.software_version}: build number {build.build:05d} is {gap} below "
                    f"{against}; consecutive releases were {NEXT_RELEASE_MIN_GAP} or more apart")
            if floor and build < floor:
                reasons.append(
                    f"{player.software_version} is below minCompatibleVersion "
                    f"{newest_player.min_compatible_version} declared by "
                    f"{_name(newest_player)} ({newest_player.software_version}) on the same "
                    "branch")
            if reasons:
                standing = Standing.BEHIND
            elif gap > SAME_RELEASE_MAX_GAP:
                standing = Standing.UNDECIDED
                reasons.append(
                    f"{player.software_version}: build number {build.build:05d} is {gap} below "
                    f"{against}: more than the {SAME_RELEASE_MAX_GAP} seen inside one release, "
                    f"less than the {NEXT_RELEASE_MIN_GAP} seen between two releases, so the "
                    "data cannot tell whether it is one release behind")
            elif (twin := _newer_same_model(player, build, group)) is not None:
                standing = Standing.SAME_RELEASE
                reasons.append(
                    f"{player.software_version} is older than {twin[0].software_version} on "
                    f"{_name(twin[0])}, the same model on the same branch, within one release "
                    f"({max(gap, 0)} build numbers from the household's release)")
            else:
                standing = Standing.IN_STEP
            result.append(PlayerStanding(player, build, newest_player, release_player, standing,
                                         gap, "; ".join(reasons)))
    return result


def _newer_same_model(player: Player, build: Build, group: list[tuple[Player, Build]]
                      ) -> tuple[Player, Build] | None:
    """The newest product of the same model on the same branch, when its build is newer."""
    model = (player.model_number or "").upper()
    if not model:
        return None
    twins = [pb for pb in group if (pb[0].model_number or "").upper() == model and pb[1] > build]
    return twins[-1] if twins else None


def _name(player: Player) -> str:
    return f"{player.room or player.uuid} ({player.model_number or '?'})"

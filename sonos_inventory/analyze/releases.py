"""Is a player behind the release its household runs? The one place this heuristic lives.

The facts (sonos-facts.md §3, "Release pairs"): since 2026 older S2-capable hardware (Play:1,
Playbar, Play:5 gen 2, ...) runs an 86.x branch while newer products run 9x.x, released together:
the majors differ by branch, and the number after the dash (the build number) rises over time on
both branches and is close for builds released together:

    86.4-73290 beside 93.1-73290   (same day, same build number)
    86.7-77050 beside 95.0-77060   (same day, 10 apart)
    86.8-78270 beside 96.0-79160   (same update channel, 890 apart)

while consecutive releases on one branch are 1,220 (86.7-77050 -> 86.8-78270) to 3,760
(86.4-73290 -> 86.7-77050) apart. A player's own minCompatibleVersion stays on its own branch
(about its major - 1), so comparing a 86.x player with a 9x.x peer's minCompatibleVersion would
wrongly flag a healthy system.

The rule, per household and track:
- Branches: the majors in use, split where consecutive majors are more than BRANCH_GAP apart.
- The household release is the build number of the newest build on the newest branch.
  Only players that answered set the reference, when there are any: a player we could not
  read can be found behind, but never moves the others' standing.
- A player is **behind** (error) when its build number is more than RELEASE_TOLERANCE older than
  the household release, or when its build is below the minCompatibleVersion that the newest
  player on its own branch declares.
- Otherwise, a player on an older build than the newest of its own branch shows **skew**
  (warning): the same release, not every player on the same build (an update that did not finish).
Build numbers are five digits and have wrapped before (63.2-88230 -> 64.3-19080), so differences
are taken modulo 100,000.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Player, Track
from .versions import Build, parse_build

BRANCH_GAP = 3
"""Majors further apart than this are different branches (86 vs 93..96); a player one or two
majors behind on its own branch (93.1 beside 95.0) stays on that branch."""

RELEASE_TOLERANCE = 1000
"""Build numbers of one release on two branches were at most 890 apart; consecutive releases on
one branch at least 1,220 apart."""

BUILD_MODULUS = 100_000


@dataclass(frozen=True)
class Standing:
    player: Player
    build: Build
    branch_newest: Player
    household_release: Player
    behind: bool
    skew: bool
    reason: str


def build_gap(newer: int, older: int) -> int:
    """How far `older` is behind `newer`, modulo the five-digit wrap (negative: it is ahead)."""
    gap = (newer - older) % BUILD_MODULUS
    return gap - BUILD_MODULUS if gap > BUILD_MODULUS // 2 else gap


def branches(builds: list[tuple[Player, Build]]) -> list[list[tuple[Player, Build]]]:
    """Group players by branch: runs of majors no more than BRANCH_GAP apart."""
    ordered = sorted(builds, key=lambda pb: (pb[1].major, pb[1].minor, pb[1].build))
    groups: list[list[tuple[Player, Build]]] = []
    for item in ordered:
        if groups and item[1].major - groups[-1][-1][1].major <= BRANCH_GAP:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def standings(players: list[Player], track: Track) -> list[Standing]:
    """Where each player of one household and track stands against its household's release."""
    builds = [(p, b) for p in players if p.track is track and not p.vanished
              and (b := parse_build(p.software_version)) is not None]
    if len(builds) < 2:
        return []
    groups = branches(builds)
    # The reference (household release, newest of each branch) comes from players that
    # answered, when there are any: a player we could not read never moves the others' standing.
    reference = [pb for pb in builds if pb[0].reachable] or builds
    release_player, release = branches(reference)[-1][-1]
    result = []
    for group in groups:
        answered = [pb for pb in group if pb[0].reachable] or group
        newest_player, newest = answered[-1]
        floor = parse_build(newest_player.min_compatible_version)
        for player, build in group:
            gap = build_gap(release.build, build.build)
            reasons = []
            if gap > RELEASE_TOLERANCE:
                reasons.append(
                    f"{player.software_version}: build number {build.build:05d} is {gap} behind "
                    "the household's release "
                    f"({release_player.software_version} on {_name(release_player)}); builds "
                    f"released together are at most {RELEASE_TOLERANCE} apart"
                )
            if floor and build < floor:
                reasons.append(
                    f"{player.software_version} is below minCompatibleVersion "
                    f"{newest_player.min_compatible_version} declared by "
                    f"{_name(newest_player)} ({newest_player.software_version}) on the same "
                    "branch"
                )
            behind = bool(reasons)
            skew = not behind and build < newest
            if skew:
                reasons.append(
                    f"{player.software_version} is older than {newest_player.software_version} "
                    f"on {_name(newest_player)}, within the same release"
                )
            result.append(Standing(player, build, newest_player, release_player, behind, skew,
                                   "; ".join(reasons)))
    return result


def _name(player: Player) -> str:
    return f"{player.room or player.uuid} ({player.model_number or '?'})"

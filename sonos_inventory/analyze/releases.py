"""Is a product behind the release its household runs? The one place this reasoning lives.

**Branches** (versions.Branch): S1 is one line of releases; S2 was one line, the trunk, up to
85.x; after it, older S2 hardware continued at 86.x and newer hardware at 90.x and up, released
together. A product's branch comes from its version's major alone.

**Within a branch** versions are compared whole, by (major, minor, build): the S1 build number
wrapped inside major 57 (57.6-88280, then 57.9-23010), so major.minor decides first. One release
is one release: on one branch, the same major.minor, or the same release label (the
`displayVersion` it reports, or the table's), is in step whatever the build numbers (a real
healthy 2025 household ran 85.0-64200, 85.0-65020 and 85.0-66270 side by side). A product on an
older release of its branch is

- **below-min-compatible** (incompatible, an error) when its version is below the
  `minCompatibleVersion` that a current member *on its own branch* declares;
- otherwise **behind-release** (a warning): a release or more behind, yet compatible (surrounds a
  release behind their soundbar are the common case).

**Across the lines, time, not labels.** A `minCompatibleVersion` and a release label belong to
their line (the older line's labels lag the newer line's: 86.8 products with minimum 85.0 beside
96.0 products with minimum 95.0 are a healthy household), so they are never compared across the
two lines.

- A trunk version (85.x or earlier) beside either line is behind. Its minimum check uses the
  older line's minimum: the one a present older-line member declares, else 85.0-00000, the
  lowest any 2026 product demands.
- Between the older and the newer line, the build number after the dash rises over time on both
  and is close for builds released together. Every observation we have (sonos-facts §3, §7):

    released together (one healthy household, or one update channel)       build numbers apart
      86.8-78270 beside 96.0-78270   (a real 30-product household, Aug 2026)          0
      86.4-73290 beside 93.1-73290   (scanned together, Feb 2026)                     0
      86.7-77050 beside 95.0-77060   (scanned together, Jul 2026)                    10
      86.8-78270 beside 96.0-79160   (the Move's target in the same update channel)  890
    consecutive releases
      94.1-76070 -> 95.0-77060                                                       990
      86.7-77050 -> 86.8-78270                                                     1,220

  So a line whose newest release is NEXT_RELEASE_MIN_GAP or more build numbers below the other
  line's is a release behind (behind-release); SAME_RELEASE_MAX_GAP or less is in step; between
  them the data cannot tell (version-skew, a warning). Build numbers have wrapped (63.2-88230 ->
  64.3-19080), so the nearest distance modulo 100,000 is taken.

A product with no readable version has no standing (`unknown`): nothing is guessed. A product
on an older build than another of the **same model** within one release is noted (info): an
update still reaching products one by one. Different models on their own builds of one release
(the Move, 890 apart) say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Player, StrEnum, Track
from ..report.safe_text import quoted
from .labels import ReleaseLabel, release_label
from .versions import Branch, Build, branch_of, parse_build

SAME_RELEASE_MAX_GAP = 890
"""The largest gap between build numbers seen inside one release across the two lines
(86.8-78270 / 96.0-79160)."""

NEXT_RELEASE_MIN_GAP = 990
"""The smallest gap seen between consecutive releases (94.1-76070 -> 95.0-77060)."""

BUILD_MODULUS = 100_000

TRUNK_FLOOR = Build(85, 0, 0)
"""The lowest minCompatibleVersion any 2026 product demands (86.x products declare 85.0-00000)."""

OBSERVATIONS = ("released together on the two S2 lines: 0 to 890 build numbers apart "
                "(86.8-78270 / 96.0-78270, 86.4-73290 / 93.1-73290, 86.7-77050 / 95.0-77060, "
                "86.8-78270 / 96.0-79160); consecutive releases: 990 or more apart "
                "(94.1-76070 -> 95.0-77060)")

S2_LINES = (Branch.S2_OLDER_HARDWARE, Branch.S2_NEWER_HARDWARE)


class Standing(StrEnum):
    IN_STEP = "in-step"
    SAME_RELEASE = "same-release"  # older than the same model on its branch, within one release
    UNDECIDED = "undecided"
    BEHIND_RELEASE = "behind-release"
    BELOW_MIN_COMPATIBLE = "below-min-compatible"
    UNKNOWN = "unknown"  # no readable version: no standing


@dataclass(frozen=True)
class PlayerStanding:
    player: Player
    build: Build | None
    branch: Branch | None
    reference: Player | None
    """The product whose release it was compared with (the newest on its branch, or on the
    other line)."""
    standing: Standing
    reason: str

    @property
    def behind(self) -> bool:
        return self.standing in (Standing.BEHIND_RELEASE, Standing.BELOW_MIN_COMPATIBLE)


@dataclass(frozen=True)
class _Entry:
    player: Player
    build: Build
    branch: Branch
    label: ReleaseLabel

    @property
    def order(self) -> tuple[int, int, int, str]:
        return (self.build.major, self.build.minor, self.build.build, self.player.uuid)


def build_gap(newer: int, older: int) -> int:
    """How far `older` is behind `newer`, modulo the five-digit wrap (negative: it is ahead)."""
    gap = (newer - older) % BUILD_MODULUS
    return gap - BUILD_MODULUS if gap > BUILD_MODULUS // 2 else gap


def same_release(a: _Entry, b: _Entry) -> bool:
    """One release on one branch: the same major.minor, or the same release label."""
    if a.branch is not b.branch:
        return False
    if (a.build.major, a.build.minor) == (b.build.major, b.build.minor):
        return True
    return a.label.label is not None and a.label.label == b.label.label


def _entry(player: Player) -> _Entry | None:
    build = parse_build(player.software_version)
    branch = branch_of(build)
    if build is None or branch is None:
        return None
    return _Entry(player, build, branch, release_label(player.software_version,
                                                      player.display_version))


def _floor(entries: list[_Entry]) -> tuple[Build, Player] | None:
    """The highest minCompatibleVersion the given products declare, and who declares it."""
    floors = [(b, e.player) for e in entries
              if (b := parse_build(e.player.min_compatible_version)) is not None and b.major > 0]
    return max(floors, key=lambda f: (f[0], f[1].uuid)) if floors else None


def standings(players: list[Player], track: Track) -> list[PlayerStanding]:
    """Where each current product of one household and track stands against its release."""
    current = sorted((p for p in players if p.track is track and not p.vanished),
                     key=lambda p: p.uuid)
    if len(current) < 2:
        return []
    entries: list[_Entry] = []
    result: list[PlayerStanding] = []
    for player in current:
        entry = _entry(player)
        if entry is None:
            result.append(PlayerStanding(
                player, None, None, None, Standing.UNKNOWN,
                f"software version {(player.software_version or 'not reported')[:40]!r} is not "
                "a readable build, so its release standing cannot be told"))
        else:
            entries.append(entry)
    by_branch: dict[Branch, list[_Entry]] = {}
    for entry in entries:
        by_branch.setdefault(entry.branch, []).append(entry)
    newest = {b: max(group, key=lambda e: e.order) for b, group in by_branch.items()}
    twins = _newest_of_each_model_and_release(entries)
    for entry in entries:
        result.append(_standing(entry, by_branch, newest, twins))
    order = {p.uuid: i for i, p in enumerate(players)}
    return sorted(result, key=lambda s: order.get(s.player.uuid, 0))


def _standing(entry: _Entry, by_branch: dict[Branch, list[_Entry]],
              newest: dict[Branch, _Entry], twins: dict[tuple[object, ...], _Entry]
              ) -> PlayerStanding:
    player, build = entry.player, entry.build
    ref = newest[entry.branch]

    def result(standing: Standing, reference: _Entry | None, reason: str) -> PlayerStanding:
        return PlayerStanding(player, build, entry.branch,
                              reference.player if reference else None, standing, reason)

    if not same_release(entry, ref):  # an older release on its own branch
        floor = _floor(by_branch[entry.branch])
        if floor is not None and build < floor[0]:
            return result(Standing.BELOW_MIN_COMPATIBLE, ref, (
                f"{_version(entry)} is below minCompatibleVersion {floor[0]} declared by "
                f"{_name(floor[1])} ({floor[1].software_version}) on the same branch "
                f"({entry.branch}); the newest there is {_version(ref)} on {_name(ref.player)}"))
        return result(Standing.BEHIND_RELEASE, ref, (
            f"{_version(entry)} is an older release than {_version(ref)} on "
            f"{_name(ref.player)}, the newest on its branch ({entry.branch}); it is not below "
            "any minCompatibleVersion declared on that branch, so it is compatible, a release "
            "or more behind"))
    lines = [b for b in S2_LINES if b in newest]
    if entry.branch is Branch.S2_TRUNK and lines:
        older = by_branch.get(Branch.S2_OLDER_HARDWARE, [])
        declared = _floor(older)
        floor_build = declared[0] if declared else TRUNK_FLOOR
        whose = (f"declared by {_name(declared[1])} ({declared[1].software_version}) on the "
                 "older-hardware line" if declared else
                 "the lowest minCompatibleVersion any 2026 product demands")
        other = newest[lines[0]]
        standing = (Standing.BELOW_MIN_COMPATIBLE if build < floor_build
                    else Standing.BEHIND_RELEASE)
        relation = "below" if standing is Standing.BELOW_MIN_COMPATIBLE else "not below"
        return result(standing, other, (
            f"{_version(entry)} is on the S2 trunk (85.x or earlier), which every product on "
            f"the two later lines has left: {_version(other)} on {_name(other.player)} is on "
            f"the {other.branch} line. It is {relation} {floor_build} ({whose})"))
    if entry.branch in S2_LINES:
        other_branch = next((b for b in lines if b is not entry.branch), None)
        if other_branch is not None:
            other = newest[other_branch]
            gap = build_gap(other.build.build, ref.build.build)
            where = (f"its release ({_version(ref)}) has build number {ref.build.build:05d}, "
                     f"{gap} below {_version(other)} on {_name(other.player)} on the "
                     f"{other.branch} line")
            if gap >= NEXT_RELEASE_MIN_GAP:
                return result(Standing.BEHIND_RELEASE, other, (
                    f"{where}; consecutive releases were {NEXT_RELEASE_MIN_GAP} or more apart, "
                    "so its line is a release or more behind"))
            if gap > SAME_RELEASE_MAX_GAP:
                return result(Standing.UNDECIDED, other, (
                    f"{where}: more than the {SAME_RELEASE_MAX_GAP} seen inside one release, "
                    f"less than the {NEXT_RELEASE_MIN_GAP} seen between two releases, so the "
                    "data cannot tell whether it is one release behind"))
    twin = _newer_same_model(entry, twins)
    if twin is not None:
        return result(Standing.SAME_RELEASE, twin, (
            f"{player.software_version} is older than {twin.player.software_version} on "
            f"{_name(twin.player)}, the same model, within one release"))
    return result(Standing.IN_STEP, ref, "")


def _release_keys(entry: _Entry) -> list[tuple[object, ...]]:
    """The keys under which products of one model share a release on one branch: its
    major.minor, and its release label when known (same_release, as lookups)."""
    model = (entry.player.model_number or "").upper()
    if not model:
        return []
    keys: list[tuple[object, ...]] = [(model, entry.branch, "mm", entry.build.major,
                                       entry.build.minor)]
    if entry.label.label is not None:
        keys.append((model, entry.branch, "label", entry.label.label))
    return keys


def _newest_of_each_model_and_release(entries: list[_Entry]) -> dict[tuple[object, ...], _Entry]:
    newest: dict[tuple[object, ...], _Entry] = {}
    for entry in entries:
        for key in _release_keys(entry):
            if key not in newest or entry.order > newest[key].order:
                newest[key] = entry
    return newest


def _newer_same_model(entry: _Entry, twins: dict[tuple[object, ...], _Entry]) -> _Entry | None:
    """The newest product of the same model and release on the branch, when its build is
    newer (one lookup per key: linear in the number of products, not quadratic)."""
    found = [t for key in _release_keys(entry) if (t := twins[key]).build > entry.build]
    return max(found, key=lambda e: e.order) if found else None


def _version(entry: _Entry) -> str:
    """'86.8-78270 (17.2.6, from the release table)'."""
    label = entry.label
    source = {"description": "as it reports", "table": "from the release table"}
    said = (f"{label.label}, {source[label.basis]}" if label.label is not None
            else "release label unknown")
    return f"{entry.player.software_version} ({said})"


def _name(player: Player) -> str:
    return quoted(f"{player.room or player.uuid} ({player.model_number or '?'})", 80)

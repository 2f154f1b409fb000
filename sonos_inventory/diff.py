"""Compare two inventories: what was added and removed, what changed, and whether every household
is now on one track and in step. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from .analyze.rules import name
from .analyze.verdict import analyze
from .model import Finding, Inventory, Severity
from .report.safe_text import for_terminal as t
from .report.safe_text import quoted

ALIGNMENT_RULES = frozenset({"mixed-generation", "below-min-compatible", "behind-release",
                             "s1-only-product"})
"""Findings that keep a household from being aligned (version-skew only at warning level: its
info form, the same model on different builds of one release, does not count)."""


def alignment_problems(inventory: Inventory) -> list[Finding]:
    """What keeps an analysed inventory from being aligned (diff, and watch --until-aligned)."""
    return [f for f in inventory.findings
            if (f.rule in ALIGNMENT_RULES and f.severity is not Severity.INFO)
            or (f.rule == "version-skew" and f.severity is Severity.WARNING)]


def is_aligned(inventory: Inventory) -> bool:
    """At least one product read, one track in each household, and no product behind or
    incompatible (no below-min-compatible, behind-release or warning-level version-skew)."""
    return (any(p.reachable for p in inventory.players)
            and all(len(h.tracks) <= 1 for h in inventory.households)
            and not alignment_problems(inventory))


@dataclass(frozen=True)
class Change:
    uuid: str
    label: str
    what: str


@dataclass(frozen=True)
class Systems:
    """Whether two inventories are of the same system, and which households came and went."""

    same: bool
    shared: tuple[str, ...]
    new: tuple[str, ...]
    gone: tuple[str, ...]


def _current_ids(inventory: Inventory) -> set[str]:
    return {p.uuid for p in inventory.players if not p.vanished}


def compare_systems(before: Inventory, after: Inventory) -> Systems:
    """Same system when they share a household id, else (a household set up again gets a new
    id) when they share a current product. Pure."""
    old = [h.household_id for h in before.households if h.household_id]
    new = [h.household_id for h in after.households if h.household_id]
    shared = tuple(h for h in new if h in old)
    same = bool(shared) or bool(_current_ids(before) & _current_ids(after))
    return Systems(same, shared, tuple(h for h in new if h not in old),
                   tuple(h for h in old if h not in new))


@dataclass(frozen=True)
class InventoryDiff:
    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    changed: tuple[Change, ...]
    aligned: bool
    alignment: tuple[str, ...]  # one line per household (and per remaining problem)
    systems: Systems = Systems(True, (), (), ())
    forced: bool = False
    labels: tuple[str | None, str | None] = (None, None)
    finished: tuple[str | None, str | None] = (None, None)


def diff_inventories(before: Inventory, after: Inventory, *, forced: bool = False
                     ) -> InventoryDiff:
    """What changed between two scans of one system. Both are classified by today's rules
    (analyze), so a change that only comes from re-classification never shows. The one value
    a file made before schema_version 2 keeps as stored (the connection: it has no raw facts
    behind it) is compared only with another such file."""
    before, after = analyze(before), analyze(after)
    old = {p.uuid: p for p in before.players if not p.vanished}
    new = {p.uuid: p for p in after.players if not p.vanished}
    added = tuple(Change(u, name(p), f"{p.software_version or '?'} ({p.track.value})")
                  for u, p in new.items() if u not in old)
    removed = tuple(Change(u, name(p), f"{p.software_version or '?'} ({p.track.value})")
                    for u, p in old.items() if u not in new)
    changed = []
    for uuid, p in new.items():
        q = old.get(uuid)
        if q is None:
            continue
        parts = []
        if q.software_version != p.software_version:
            parts.append(f"software {q.software_version or '?'} -> {p.software_version or '?'}")
        if q.track != p.track:
            parts.append(f"track {q.track.value} -> {p.track.value}")
        if q.household_id != p.household_id:
            parts.append(f"household {q.household_id or '?'} -> {p.household_id or '?'}")
        if q.reachable != p.reachable:
            parts.append("now answers" if p.reachable else "no longer answers")
        restarts = restarted(q.boot_seq, p.boot_seq)
        if restarts:
            parts.append(restarts)
        if (q.connection != p.connection and "unknown" not in (q.connection, p.connection)
                and (q.facts is None) == (p.facts is None)):  # like with like (see below)
            parts.append(f"connection {q.connection} -> {p.connection}")
        if parts:
            changed.append(Change(uuid, name(p), ", ".join(parts)))
    problems = alignment_problems(after)
    lines = []
    for household in after.households:
        tracks = "/".join(x.value for x in household.tracks) or "unknown"
        ours = [f for f in problems if set(f.players) & set(household.players)]
        state = "aligned" if len(household.tracks) <= 1 and not ours else "NOT aligned"
        ident = quoted(household.household_id, 64) if household.household_id else "(id unknown)"
        lines.append(f"Household {ident}: {state} "
                     f"(track {tracks}, {len(household.players)} products)")
        lines += [f"  - {f.title}" for f in ours]
    aligned = is_aligned(after)
    return InventoryDiff(added, removed, tuple(changed), aligned, tuple(lines),
                         compare_systems(before, after), forced,
                         (before.label, after.label),
                         (before.scan.finished_at, after.scan.finished_at))


def diff_dict(result: InventoryDiff, before: str, after: str) -> dict[str, object]:
    """The JSON of `diff --format json` (schema: data/diff.schema.json)."""
    def changes(items: tuple[Change, ...]) -> list[dict[str, str]]:
        return [{"uuid": c.uuid, "product": c.label, "what": c.what} for c in items]

    return {
        "schema_version": 1,
        "before": before,
        "after": after,
        "before_label": result.labels[0],
        "after_label": result.labels[1],
        "before_finished_at": result.finished[0],
        "after_finished_at": result.finished[1],
        "same_system": result.systems.same,
        "forced": result.forced,
        "shared_households": list(result.systems.shared),
        "new_households": list(result.systems.new),
        "gone_households": list(result.systems.gone),
        "added": changes(result.added),
        "removed": changes(result.removed),
        "changed": changes(result.changed),
        "aligned": result.aligned,
        "alignment": list(result.alignment),
    }


def restarted(before: int | None, after: int | None) -> str | None:
    """From two BootSeq readings: "restarted N times since" (the counter only grows; a lower
    reading means it was reset, e.g. by a factory reset, and says nothing of how often)."""
    if before is None or after is None or before == after:
        return None
    if after > before:
        count = after - before
        return f"restarted {count} time{'s' if count != 1 else ''} since"
    return f"boot counter went down ({before} -> {after}): reset since, restarts unknown"


def render_diff(result: InventoryDiff, names: tuple[str, str] | None = None) -> str:
    """`names`: how the two scans are called (label or file, and date), shown first."""
    lines = []
    if not result.systems.same:
        lines += ["DIFFERENT SYSTEMS: the two inventories share no household and no product; "
                  "compared anyway (--force).", ""]
    if names:
        lines += [f"Before: {names[0]}", f"After:  {names[1]}", ""]
    for title, ids in (("New household(s)", result.systems.new),
                       ("Household(s) gone", result.systems.gone)):
        if ids:
            lines.append(f"{title}: {', '.join(quoted(i, 64) for i in ids[:20])}")
    if result.systems.new or result.systems.gone:
        lines.append("")
    for title, changes in (("Added", result.added), ("Removed", result.removed),
                           ("Changed", result.changed)):
        if changes:
            lines.append(f"{title}:")
            lines += [f"  {t(c.label, 90)}: {t(c.what, 200)}" for c in changes]
    if not (result.added or result.removed or result.changed):
        lines.append("No products added, removed or changed.")
    lines.append("")
    lines += [t(line, 300) for line in result.alignment]  # each starts with the tool's words
    lines.append("")
    lines.append("Every product in each household is on one track and compatible."
                 if result.aligned else
                 "NOT aligned: some products are still on another track or behind.")
    return "\n".join(lines) + "\n"

"""The verdict: is this the software-track conflict reported behind "Error 803"? Pure.

Sonos has published no definition of "Error 803"; the verdict speaks of a software-track
conflict, "the situation reported behind Error 803", never of a certainty.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Finding, Inventory, Likelihood, Player, Severity, Track, Verdict
from .classify import classify
from .deep import topology_disagreement, with_gate_evidence
from .labels import release_label
from .rules import RULE_ID, RULES, Rule, alone_in_s1, name, names, s1_systems

LIKELY = Likelihood.LIKELY
POSSIBLE = Likelihood.POSSIBLE
NOT_INDICATED = Likelihood.NOT_INDICATED
UNKNOWN = Likelihood.UNKNOWN


def _who(players: list[Player]) -> str:
    """Each product with its version as the app shows it (the release label, where known)
    and as the product reports it (the build), its track and serial."""
    parts = []
    for p in players:
        serial = f", serial {p.serial}" if p.serial else ""
        label = release_label(p.software_version, p.display_version).label
        version = p.software_version or "version unknown"
        if label and p.software_version:
            version = f"version {label}, build {p.software_version}"
        parts.append(f"{name(p)} ({version}, {p.track.value}{serial})")
    return "; ".join(parts)


def _players(inventory: Inventory, findings: list[Finding]) -> list[Player]:
    uuids = list(dict.fromkeys(u for f in findings for u in f.players))
    return [p for u in uuids if (p := inventory.player(u)) is not None]


def _lonely_dual_capable_in_s1(inventory: Inventory) -> list[Player]:
    """An S2-capable product alone (or with its bonded partners) in an S1 system while an S2
    system exists: the usual leftover of a failed attempt to add it to the S2 system. One that
    a system still remembers was in it and left (split off, or moved to S1 on purpose): a
    supported split. An S1 system of several products is a supported setup (s2-readiness)."""
    if not any(h.tracks == (Track.S2,) for h in inventory.households):
        return []
    remembered = {u for h in inventory.households for u in (*h.moved_out, *h.remembered)}
    found = []
    for _household, players in s1_systems(inventory):
        if not alone_in_s1(players):
            continue
        found += [p for p in players if p.s2_capable and p.uuid not in remembered]
    return found


def unread_members(inventory: Inventory) -> list[Player]:
    """Current household members that could not be read (vanished products are not current)."""
    return [p for p in inventory.players if not p.reachable and not p.vanished]


def nothing_read(inventory: Inventory) -> bool:
    """No product answered and no household's member list was read: nothing to judge."""
    return not any(p.reachable for p in inventory.players) and not any(
        h.topology_read for h in inventory.households)


def verdict(inventory: Inventory, findings: tuple[Finding, ...]) -> Verdict:
    if nothing_read(inventory):  # "found nothing" must never read as "healthy"
        found = sum(1 for p in inventory.players if not p.vanished)
        return Verdict(UNKNOWN, (
            "Nothing could be judged: no Sonos product was read"
            + (f" ({found} known product(s) did not answer)" if found else "")
            + ". This says nothing about whether the system is healthy. Check that this "
            "computer is on the same network as the Sonos products, then scan again."))
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    mixed = by_rule.get("mixed-generation", [])
    if mixed:
        cause = _players(inventory, mixed)
        return Verdict(LIKELY, (
            "Software-track conflict found: the situation reported behind \"Error 803\". "
            f"A household holds products on both S1 and S2. On the smaller side: {_who(cause)}. "
            "While they are mixed, the system cannot update. Do not retry the update or reset "
            "anything; contact Sonos support with this report."
        ))
    reasons = []
    incompatible = _players(inventory, by_rule.get("below-min-compatible", []))
    if incompatible:
        reasons.append("product(s) running software below the oldest version their household "
                       f"accepts (incompatible until they update): {_who(incompatible)}")
    behind = _players(inventory, by_rule.get("behind-release", []))
    if behind:
        reasons.append("product(s) a release or more behind their household, yet compatible: "
                       f"{_who(behind)}")
    undecided = _players(inventory, [f for f in by_rule.get("version-skew", [])
                                     if f.severity is Severity.WARNING])
    if undecided:
        reasons.append("product(s) that may be one release behind (the data cannot tell): "
                       f"{_who(undecided)}")
    lonely = _lonely_dual_capable_in_s1(inventory)
    if lonely:
        reasons.append(
            "an S1 system sits beside an S2 system, and it holds product(s) that could run S2 "
            f"(the usual leftover of a failed attempt to add them to the S2 system): {_who(lonely)}"
        )
    unread = unread_members(inventory)
    if unread:
        reasons.append(f"current product(s) that could not be read: {_who(unread)}")
    if any(not h.topology_read for h in inventory.households):
        reasons.append("a household's member list could not be read")
    if reasons:
        text = ("No S1/S2 mix was seen inside one household, but there are weaker signs of the "
                "situation reported behind \"Error 803\": " + "; ".join(reasons) + ".")
        if unread:
            text += (f" First power on or reconnect {names(unread)} (or turn UPnP back on where "
                     "it answered 403) and scan again: the verdict can only judge what it reads.")
        return Verdict(POSSIBLE, text)
    count = sum(1 for p in inventory.players if not p.vanished)
    households = len(inventory.households)
    products = f"{count} current product" + ("s" if count != 1 else "")
    text = ("No software-track conflict: the household runs one track, and its "
            f"{products} {'are' if count != 1 else 'is'} on one release." if households == 1
            else f"No software-track conflict: each of the {households} households runs one "
                 f"track, and their {products} are on one release each.")
    if by_rule.get("split-households"):
        text += (" Separate systems on one network (for example an S1 system beside an S2 "
                 "system) are a supported setup.")
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        text += f" Other problems were found: {errors[0].title}."
    text += (" The update failure has another cause; Sonos support needs the diagnostic "
             "number from the Sonos app (Settings > System > About My System > Submit "
             "diagnostics) to look at it.")
    return Verdict(NOT_INDICATED, text)


EVERY_RULE: tuple[Rule, ...] = (*RULES, topology_disagreement)
"""The rules analyze runs, in order (findings are then sorted by severity)."""

RULE_IDS: tuple[str, ...] = tuple(RULE_ID[rule] for rule in EVERY_RULE)
"""Every rule id a finding can carry: the JSON Schema's enum is made from it."""


def analyze(inventory: Inventory) -> Inventory:
    """The one analysis step, the same on a live scan and on a loaded file: every product and
    household classified from what the players said (analyze/classify.py), then the rules'
    findings and the verdict."""
    inventory = classify(inventory)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    findings = tuple(sorted(
        with_gate_evidence(inventory, tuple(f for rule in EVERY_RULE for f in rule(inventory))),
        key=lambda f: order[f.severity]))
    return replace(inventory, findings=findings, verdict=verdict(inventory, findings))

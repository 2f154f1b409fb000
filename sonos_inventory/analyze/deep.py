"""What --deep adds to the diagnosis. Pure.

- The household's software-generation gate (`HHSwgenState`, e.g. `allow:2`, from each player's
  /status/zp): a firmware string says "hhSwgenState swgen must be >= player" (sonos-facts.md §3).
  A product whose own swGen is below the gate its household states is shown as evidence in the
  findings that name it. Nothing more is concluded from it: what the firmware does with the gate
  is not documented.
- Two members' zone group states compared: the players one lists and the other does not, and
  groups whose coordinator differs (owners see this as a speaker that keeps dropping out of
  groups).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import Finding, Inventory, Player, Severity, Topology
from .rules import name, rule

_GATE = re.compile(r"^\s*allow\s*:\s*(\d{1,2})\s*$", re.I)


def gate(hh_swgen_state: str | None) -> int | None:
    """`allow:2` -> 2; anything else (unknown forms) -> None."""
    match = _GATE.match(hh_swgen_state or "")
    return int(match.group(1)) if match else None


def gate_evidence(inventory: Inventory, player: Player) -> str | None:
    """"its household's gate allow:2 is above its own swGen 1", from any member's status page."""
    if player.sw_gen is None or player.household_id is None:
        return None
    stated = [(p, g) for p in inventory.players
              if p.household_id == player.household_id and p.deep is not None
              and (g := gate(p.deep.hh_swgen_state)) is not None]
    above = [(p, g) for p, g in stated if g > player.sw_gen]
    if not above:
        return None
    source, value = next(((p, g) for p, g in above if p.uuid == player.uuid), above[0])
    who = "its own status page" if source.uuid == player.uuid else (
        f"the status page of {name(source)}")
    return (f"{name(player)} runs software generation {player.sw_gen} (swGen), below its "
            f"household's gate HHSwgenState \"allow:{value}\" stated by {who}")


def with_gate_evidence(inventory: Inventory, findings: tuple[Finding, ...]
                       ) -> tuple[Finding, ...]:
    """Add the gate contradiction to every finding that names such a product."""
    result = []
    for finding in findings:
        extra = []
        for uuid in finding.players:
            player = inventory.player(uuid)
            line = gate_evidence(inventory, player) if player else None
            if line and line not in finding.evidence:
                extra.append(line)
        result.append(replace(finding, evidence=finding.evidence + tuple(extra))
                      if extra else finding)
    return tuple(result)


def _coordinators(topology: Topology) -> dict[str, str | None]:
    return {m.uuid: m.coordinator for m in topology.members if m.channel_map_of is None}


def disagreement(first: Topology, second: Topology, first_name: str, second_name: str,
                 label: dict[str, str]) -> tuple[str, ...]:
    """How two members' zone group states differ: players listed by one only, and players
    whose group coordinator differs. Empty when they agree."""
    a, b = _coordinators(first), _coordinators(second)
    lines = []
    for uuid in a:
        if uuid not in b:
            lines.append(f"{label.get(uuid, uuid)} is listed by {first_name} but not by "
                         f"{second_name}")
    for uuid in b:
        if uuid not in a:
            lines.append(f"{label.get(uuid, uuid)} is listed by {second_name} but not by "
                         f"{first_name}")
    for uuid in a:
        if uuid in b and a[uuid] != b[uuid]:
            lines.append(f"{label.get(uuid, uuid)}: {first_name} says its group is led by "
                         f"{label.get(a[uuid] or '', a[uuid] or 'none')}, {second_name} says "
                         f"{label.get(b[uuid] or '', b[uuid] or 'none')}")
    return tuple(lines[:50])


@rule("topology-disagreement")
def topology_disagreement(inventory: Inventory) -> list[Finding]:
    findings = []
    for household in inventory.households:
        if not household.topology_disagreement:
            continue
        players = tuple(u for u in household.players
                        if any(u in line for line in household.topology_disagreement))
        findings.append(Finding(
            rule="topology-disagreement", severity=Severity.WARNING,
            players=players or household.players,
            title=f"Two members of {household.household_id or 'a household'} disagree about "
                  "its rooms and groups",
            detail=("Each Sonos product keeps its own copy of the household's rooms and groups "
                    "(the zone group state). Two members asked one after the other gave "
                    "different copies. A short difference can be a change under way; one that "
                    "stays is what owners see as a speaker that keeps dropping out of groups."),
            advice=("Scan again in a minute with --deep. If the difference stays, check the "
                    "network connection of the product(s) named below (see the Connection "
                    "column) and mention this finding to Sonos support. Do not factory-reset "
                    "anything for this."),
            evidence=household.topology_disagreement,
        ))
    return findings

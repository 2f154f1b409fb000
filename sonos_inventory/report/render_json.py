"""The inventory JSON of DESIGN.md (schema_version 1), and reading it back for `analyze`."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..model import Finding, Household, Inventory, Player, Problem, Unidentified

SCHEMA_VERSION = 1
TOOL_NAME = "sonos-inventory"


def _problem(problem: Problem) -> dict[str, str]:
    return {"kind": problem.kind.value, "detail": problem.detail}


def player_dict(player: Player) -> dict[str, Any]:
    return {
        "uuid": player.uuid,
        "ip": player.ip,
        "port": player.port,
        "room": player.room,
        "model_name": player.model_name,
        "model_number": player.model_number,
        "serial": player.serial,
        "mac": player.mac,
        "software_version": player.software_version,
        "display_version": player.display_version,
        "hardware_version": player.hardware_version,
        "sw_gen": player.sw_gen,
        "track": player.track.value,
        "track_basis": player.track_basis,
        "s2_capable": player.s2_capable,
        "s2_capable_basis": player.s2_capable_basis,
        "min_compatible_version": player.min_compatible_version,
        "legacy_compatible_version": player.legacy_compatible_version,
        "memory_mb": player.memory_mb,
        "household_id": player.household_id,
        "role": player.role.value,
        "reachable": player.reachable,
        "vanished": player.vanished,
        "discovered_via": [m.value for m in player.discovered_via],
        "errors": [_problem(e) for e in player.errors],
    }


def household_dict(household: Household) -> dict[str, Any]:
    return {
        "household_id": household.household_id,
        "tracks": [t.value for t in household.tracks],
        "players": list(household.players),
        "topology_read": household.topology_read,
        "topology_error": _problem(household.topology_problem)
        if household.topology_problem else None,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "players": list(finding.players),
        "title": finding.title,
        "detail": finding.detail,
        "advice": finding.advice,
        "evidence": list(finding.evidence),
    }


def _unidentified(entry: Unidentified) -> dict[str, Any]:
    return {
        "ip": entry.ip,
        "port": entry.port,
        "discovered_via": [m.value for m in entry.discovered_via],
        "errors": [_problem(e) for e in entry.errors],
    }


def inventory_dict(inventory: Inventory) -> dict[str, Any]:
    scan = inventory.scan
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": inventory.tool_version},
        "scan": {
            "started_at": scan.started_at,
            "finished_at": scan.finished_at,
            "complete": scan.complete,
            "methods": [m.value for m in scan.methods],
            "interfaces": list(scan.interfaces),
            "incomplete_reasons": list(scan.incomplete_reasons),
        },
        "households": [household_dict(h) for h in inventory.households],
        "players": [player_dict(p) for p in inventory.players],
        "unidentified": [_unidentified(u) for u in inventory.unidentified],
        "findings": [finding_dict(f) for f in inventory.findings],
        "verdict": {"error_803": inventory.verdict.error_803, "summary": inventory.verdict.summary},
    }


def render_json(inventory: Inventory) -> str:
    return json.dumps(inventory_dict(inventory), indent=2, ensure_ascii=False) + "\n"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the inventory, shipped as package data."""
    text = resources.files("sonos_inventory").joinpath("data/inventory.schema.json").read_text(
        "utf-8"
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded

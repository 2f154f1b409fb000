"""The inventory JSON of DESIGN.md (schema_version 2: with each product's raw facts), and
reading it back (versions 1 and 2) for `analyze`, which classifies it again."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import Any

from ..analyze.labels import release_label
from ..analyze.rules import household_standings
from ..analyze.versions import app_version, branch
from ..errors import UsageError
from ..model import (
    DeepInfo,
    ErrorKind,
    Finding,
    Household,
    Inventory,
    Method,
    Player,
    PlayerFacts,
    Problem,
    Role,
    ScanInfo,
    Track,
    Unidentified,
)
from ..version import __version__
from .context import ReportContext
from .safe_text import json_dumps
from .schema_enums import with_model_enums

SCHEMA_VERSION = 2
TOOL_NAME = "sonos-inventory"


def _problem(problem: Problem) -> dict[str, Any]:
    status = {} if problem.http_status is None else {"http_status": problem.http_status}
    code = {} if problem.upnp_error_code is None else {
        "upnp_error_code": problem.upnp_error_code}
    return {"kind": problem.kind.value, "detail": problem.detail, **status, **code}


def _facts(facts: PlayerFacts | None) -> dict[str, Any] | None:
    if facts is None:
        return None
    document = asdict(facts)
    document["channels"] = list(facts.channels)
    document["theater_channels"] = list(facts.theater_channels)
    return document


def _facts_from(raw: Any) -> PlayerFacts | None:
    """The facts of a schema_version 2 file (already validated: known keys, right types)."""
    if not isinstance(raw, dict):
        return None
    values = dict(raw)
    for key in ("channels", "theater_channels"):
        values[key] = tuple(str(c) for c in values.get(key, ()))
    return PlayerFacts(**values)


def player_dict(player: Player, standing: str | None = None) -> dict[str, Any]:
    label = release_label(player.software_version, player.display_version)
    found = branch(player.software_version)
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
        "role_basis": player.role_basis,
        "reachable": player.reachable,
        "vanished": player.vanished,
        "discovered_via": [m.value for m in player.discovered_via],
        "errors": [_problem(e) for e in player.errors],
        "series_id": player.series_id,
        "app_version": app_version(label.label, player.software_version),
        "release_label": label.label,
        "release_label_basis": label.basis,
        "branch": found.value if found else None,
        "release_standing": standing,
        "connection": player.connection,
        "connection_basis": player.connection_basis,
        "behind_wifi_extender": player.behind_wifi_extender,
        "boot_seq": player.boot_seq,
        "wifi_band": player.wifi_band,
        "channel_mhz": player.channel_mhz,
        "battery_percent": player.battery_percent,
        "charging": player.charging,
        "facts": _facts(player.facts),
        **_deep(player.deep),
    }


def _deep(deep: DeepInfo | None) -> dict[str, Any]:
    if deep is None:
        return {}
    return {"status_page": deep.status, "software_date": deep.software_date,
            "hh_swgen_state": deep.hh_swgen_state, "wifi_mode": deep.wifi_mode,
            "connection_type": deep.connection_type, "extra_info": deep.extra_info,
            "household_control_id": deep.household_control_id,
            "status_ip": deep.ip, "status_mac": deep.mac}


def _deep_from(raw: dict[str, Any]) -> DeepInfo | None:
    status = raw.get("status_page")
    if not isinstance(status, str):
        return None
    return DeepInfo(status, raw.get("software_date"), raw.get("hh_swgen_state"),
                    raw.get("wifi_mode"), raw.get("connection_type"), raw.get("extra_info"),
                    raw.get("household_control_id"), raw.get("status_ip"),
                    raw.get("status_mac"))


def household_dict(household: Household) -> dict[str, Any]:
    return {
        "household_id": household.household_id,
        "tracks": [t.value for t in household.tracks],
        "players": list(household.players),
        "topology_read": household.topology_read,
        "topology_error": _problem(household.topology_problem)
        if household.topology_problem else None,
        "moved_out": list(household.moved_out),
        "remembered": list(household.remembered),
        **({} if household.topology_disagreement is None else
           {"topology_disagreement": list(household.topology_disagreement)}),
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


def inventory_dict(inventory: Inventory, context: ReportContext | None = None) -> dict[str, Any]:
    context = context or ReportContext()
    scan = inventory.scan
    players = []
    standing = {s.player.uuid: s.standing.value
                for _track, group in household_standings(inventory) for s in group}
    for player in inventory.players:
        entry = player_dict(player, standing.get(player.uuid))
        entry["first_seen"] = context.first_seen_of(player.uuid)
        players.append(entry)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": inventory.tool_version},
        "analyzed_by": {"name": TOOL_NAME, "version": __version__},
        "label": inventory.label,
        "scan": {
            "started_at": scan.started_at,
            "finished_at": scan.finished_at,
            "complete": scan.complete,
            "methods": [m.value for m in scan.methods],
            "interfaces": list(scan.interfaces),
            "incomplete_reasons": list(scan.incomplete_reasons),
        },
        "households": [household_dict(h) for h in inventory.households],
        "players": players,
        "unidentified": [_unidentified(u) for u in inventory.unidentified],
        "findings": [finding_dict(f) for f in inventory.findings],
        "verdict": {"error_803": inventory.verdict.error_803, "summary": inventory.verdict.summary},
        "report": {"note": context.note, "diagnostic_id": context.diagnostic_id},
    }


def dumps(document: Any) -> str:
    """JSON safe to print to a terminal (safe_text.json_dumps)."""
    return json_dumps(document)


def render_json(inventory: Inventory, context: ReportContext | None = None) -> str:
    return dumps(inventory_dict(inventory, context)) + "\n"


# ---- reading an inventory back (analyze, diff, history) ----


def _problem_from(raw: dict[str, Any]) -> Problem:
    try:
        kind = ErrorKind(raw.get("kind"))
    except ValueError:
        kind = ErrorKind.INTERNAL
    status, code = raw.get("http_status"), raw.get("upnp_error_code")
    return Problem(kind, str(raw.get("detail", "")),
                   http_status=status if isinstance(status, int) and 100 <= status < 600
                   else None,
                   upnp_error_code=code if isinstance(code, int) and 0 <= code < 10**6
                   else None)


def _player_from(raw: dict[str, Any]) -> Player:
    """A player as the file holds it. Its classified fields are read too, but analyze()
    decides them again from the reported fields and the facts; only a file without facts
    (schema_version 1) keeps its role and connection, marked "from the file"."""
    return Player(
        uuid=raw["uuid"], ip=raw.get("ip"), port=raw.get("port"), room=raw.get("room"),
        model_name=raw.get("model_name"), model_number=raw.get("model_number"),
        serial=raw.get("serial"), mac=raw.get("mac"),
        software_version=raw.get("software_version"), display_version=raw.get("display_version"),
        hardware_version=raw.get("hardware_version"), sw_gen=raw.get("sw_gen"),
        track=Track(raw.get("track", "unknown")), track_basis=raw.get("track_basis", ""),
        s2_capable=raw.get("s2_capable"), s2_capable_basis=raw.get("s2_capable_basis", ""),
        min_compatible_version=raw.get("min_compatible_version"),
        legacy_compatible_version=raw.get("legacy_compatible_version"),
        memory_mb=raw.get("memory_mb"), household_id=raw.get("household_id"),
        role=Role(raw.get("role", "player")), role_basis=raw.get("role_basis", ""),
        reachable=bool(raw.get("reachable")), facts=_facts_from(raw.get("facts")),
        vanished=bool(raw.get("vanished")),
        discovered_via=tuple(Method(m) for m in raw.get("discovered_via", [])),
        errors=tuple(_problem_from(e) for e in raw.get("errors", [])),
        series_id=raw.get("series_id"), connection=raw.get("connection", "unknown"),
        connection_basis=raw.get("connection_basis", ""),
        behind_wifi_extender=raw.get("behind_wifi_extender"), boot_seq=raw.get("boot_seq"),
        deep=_deep_from(raw), wifi_band=raw.get("wifi_band"), channel_mhz=raw.get("channel_mhz"),
        battery_percent=raw.get("battery_percent"), charging=raw.get("charging"),
    )


def inventory_from_dict(document: Any) -> Inventory:
    """An Inventory from inventory JSON; findings and verdict are left for analyze() to redo.
    Raises UsageError (with what is wrong) for anything that is not a valid inventory."""
    import jsonschema

    try:
        jsonschema.validate(document, schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise UsageError(f"not a sonos-inventory inventory (at {where}: {exc.message})") from None
    scan = document["scan"]
    households = tuple(
        Household(
            household_id=h.get("household_id"), tracks=tuple(Track(t) for t in h["tracks"]),
            players=tuple(h["players"]), topology_read=bool(h.get("topology_read", True)),
            topology_problem=_problem_from(h["topology_error"]) if h.get("topology_error")
            else None,
            moved_out=tuple(h.get("moved_out", ())),
            remembered=tuple(h.get("remembered", ())),
            topology_disagreement=tuple(h["topology_disagreement"])
            if h.get("topology_disagreement") is not None else None,
        ) for h in document["households"])
    label = document.get("label")
    return Inventory(
        label=label if isinstance(label, str) and label.strip() else None,
        tool_version=document["tool"]["version"],
        scan=ScanInfo(
            started_at=scan["started_at"], finished_at=scan["finished_at"],
            complete=scan["complete"], methods=tuple(Method(m) for m in scan["methods"]),
            interfaces=tuple(scan.get("interfaces", [])),
            incomplete_reasons=tuple(scan.get("incomplete_reasons", [])),
        ),
        households=households,
        players=tuple(_player_from(p) for p in document["players"]),
        unidentified=tuple(
            Unidentified(u["ip"], u["port"], tuple(Method(m) for m in u["discovered_via"]),
                         tuple(_problem_from(e) for e in u["errors"]))
            for u in document.get("unidentified", [])),
    )


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the inventory, shipped as package data, with its enums made from the
    model (report/schema_enums.py)."""
    text = resources.files("sonos_inventory").joinpath("data/inventory.schema.json").read_text(
        "utf-8"
    )
    loaded: dict[str, Any] = json.loads(text)
    return with_model_enums(loaded)

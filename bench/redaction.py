"""Redaction cost against household size: `python bench/redaction.py` (pure, no network).

For N players, times learning the identifiers and redacting every output a bundle holds (the four
reports and the raw captures). The issue's promise is linear growth: the time per player must
stay flat as N grows. Writes bench/results/redaction.md. Never fails on a number.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.collect.parse import parse_device_description, parse_zone_group_state
from sonos_inventory.deliver import render
from sonos_inventory.inventory import build_inventory
from sonos_inventory.model import (
    Endpoint,
    HouseholdRead,
    Inventory,
    Method,
    ScanObservations,
    Sighting,
    TargetObservation,
)
from sonos_inventory.netpolicy import endpoint_from_location
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.redact import Redactor
from sonos_inventory.scenario.synth import (
    HouseholdSpecSynth,
    device_description,
    simple_household,
    zone_group_state,
)

HERE = Path(__file__).resolve().parent
SIZES = (250, 1000, 4000, 20000)
"""The issue's figures: 1k, 4k and 20k players (20k is more than any scan reads: the fleet
view, or a hostile inventory file, can hold that many)."""


def observed(households: list[HouseholdSpecSynth]
             ) -> tuple[Inventory, ScanObservations, list[str]]:
    """What a perfect scan would observe of these households, built in memory (a scenario
    folder of 20k players is more files than the loader accepts, on purpose)."""
    targets, reads, raw = [], [], []
    for household in households:
        zgs = zone_group_state(household)
        topology = parse_zone_group_state(zgs)
        devices = {p.uuid: device_description(p).encode() for p in household.players()}
        for member in topology.members:
            endpoint = endpoint_from_location(member.location) or Endpoint("192.0.2.1")
            sighting = Sighting(endpoint, Method.SSDP, member.uuid, household.household_id)
            targets.append(TargetObservation(endpoint, (Method.SSDP,), (sighting,), member.uuid,
                                             parse_device_description(devices[member.uuid]),
                                             raw_description=devices[member.uuid]))
            raw.append(devices[member.uuid].decode())
        reads.append(HouseholdRead(targets[-1].endpoint, None, household.household_id,
                                   topology, raw_zone_group_state=zgs))
        raw.append(zgs)
    observations = ScanObservations("2026-11-25T10:00:00Z", "2026-11-25T10:00:02Z",
                                    (Method.SSDP,), ("192.168.1.2",), tuple(targets), tuple(reads))
    return analyze(build_inventory(observations, "bench")), observations, raw


def once(players: int) -> float:
    households, left, index = [], players, 0
    while left > 0:  # households of at most 32 players, as Sonos allows
        index += 1
        households.append(simple_household(
            f"household-{index}", min(32, left), mac_prefix=f"0E{index:04X}",
            subnet=f"10.{index // 250 % 250}.{index % 250 + 1}"))
        left -= 32
    inventory, observations, raw = observed(households)
    outputs = [render(inventory, fmt, ReportContext()) for fmt in
               ("table", "markdown", "json", "html")] + raw
    started = time.perf_counter()
    redactor = Redactor(rooms=True)
    redactor.learn(inventory, observations)
    redactor.learn_texts(raw)
    redactor.inventory(inventory)
    for text in outputs:
        redactor.text(text)
    return time.perf_counter() - started


def main() -> None:
    rows = ["| players | redaction (median of 3; one run at 20k) | per player | vs 1k per player |",
            "|---:|---:|---:|---:|"]
    per_1k = None
    for players in SIZES:
        seconds = statistics.median(once(players) for _ in range(3 if players <= 4000 else 1))
        per = seconds / players
        per_1k = per if players == 1000 else per_1k
        ratio = f"{per / per_1k:.2f}x" if per_1k else ""
        rows.append(f"| {players} | {seconds * 1000:.0f} ms | {per * 1e6:.0f} µs | {ratio} |")
        print(rows[-1], flush=True)
    text = ("# Redaction cost (bench/redaction.py)\n\nLearning every identifier and redacting "
            "the four reports and the raw captures of a bundle, with --redact-rooms.\n"
            f"Python {sys.version.split()[0]}.\n\n" + "\n".join(rows) + "\n")
    (HERE / "results" / "redaction.md").write_text(text, "utf-8")


if __name__ == "__main__":
    main()

"""Redaction cost against household size: `python bench/redaction.py` (pure, no network).

For N players, times learning the identifiers and redacting every output a bundle holds (the four
reports and the raw captures). The issue's promise is linear growth: the time per player must
stay flat as N grows. Writes bench/results/redaction.md. Never fails on a number.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.collect.parse import parse_device_description
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
from sonos_inventory.scenario.folder import load_scenario
from sonos_inventory.scenario.synth import simple_household, write_household

HERE = Path(__file__).resolve().parent
SIZES = (25, 50, 100, 200, 400, 800)


def observed(root: Path) -> tuple[Inventory, ScanObservations, list[str]]:
    scenario = load_scenario(root)
    targets, reads, raw = [], [], []
    for household in scenario.households:
        devices = dict(household.devices)
        for member in household.topology.members:
            endpoint = endpoint_from_location(member.location) or Endpoint("192.0.2.1")
            sighting = Sighting(endpoint, Method.SSDP, member.uuid, household.household_id)
            targets.append(TargetObservation(endpoint, (Method.SSDP,), (sighting,), member.uuid,
                                             parse_device_description(devices[member.uuid]),
                                             raw_description=devices[member.uuid]))
            raw.append(devices[member.uuid].decode())
        reads.append(HouseholdRead(targets[-1].endpoint, None, household.household_id,
                                   household.topology,
                                   raw_zone_group_state=household.zone_group_state))
        raw.append(household.zone_group_state)
    observations = ScanObservations("2026-11-25T10:00:00Z", "2026-11-25T10:00:02Z",
                                    (Method.SSDP,), ("192.168.1.2",), tuple(targets), tuple(reads))
    return analyze(build_inventory(observations, "bench")), observations, raw


def once(players: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        left, index = players, 0
        while left > 0:  # households of at most 32 players, as Sonos allows
            index += 1
            write_household(root, simple_household(
                f"household-{index}", min(32, left), mac_prefix=f"000E58{index:02X}",
                subnet=f"192.168.{index % 250 + 1}"))
            left -= 32
        inventory, observations, raw = observed(root)
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
    rows = ["| players | redaction (median of 3) | per player |", "|---:|---:|---:|"]
    for players in SIZES:
        seconds = statistics.median(once(players) for _ in range(3))
        rows.append(f"| {players} | {seconds * 1000:.0f} ms | {seconds / players * 1e6:.0f} µs |")
        print(rows[-1], flush=True)
    text = ("# Redaction cost (bench/redaction.py)\n\nLearning every identifier and redacting "
            "the four reports and the raw captures of a bundle, with --redact-rooms.\n"
            f"Python {sys.version.split()[0]}.\n\n" + "\n".join(rows) + "\n")
    (HERE / "results" / "redaction.md").write_text(text, "utf-8")


if __name__ == "__main__":
    main()

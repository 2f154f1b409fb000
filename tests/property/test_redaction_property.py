"""Property-based: generated households, redacted everywhere, leak no identifier in any spelling."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonos_inventory.deliver import OutputRequest, deliver
from sonos_inventory.emulator.synth import (
    Group,
    HouseholdSpecSynth,
    Member,
    PlayerSpec,
    Vanished,
    write_household,
)
from sonos_inventory.report.context import ReportContext

from ..helpers import inventory_of, observe

macs = st.text(alphabet="0123456789ABCDEF", min_size=12, max_size=12).filter(
    lambda m: not m.startswith("02"))
rooms = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=4, max_size=12).map(
    lambda r: "Zq" + r.strip() + "x")
networks = st.sampled_from(["192.168.1", "192.168.178", "10.0.0", "172.20.5", "10.1.2"])


def spellings(mac: str) -> list[str]:
    pairs = [mac[i:i + 2] for i in range(0, 12, 2)]
    forms = [sep.join(pairs) for sep in (":", "-", "")]
    return [f for form in forms for f in (form.upper(), form.lower())]


@st.composite
def households(draw: st.DrawFn) -> HouseholdSpecSynth:
    count = draw(st.integers(1, 4))
    mac_list = draw(st.lists(macs, min_size=count + 1, max_size=count + 1, unique=True))
    room_list = draw(st.lists(rooms, min_size=count + 1, max_size=count + 1, unique=True))
    net = draw(networks)
    players = [PlayerSpec(mac=mac_list[i], room=room_list[i], model_number="S18",
                          model_name="Sonos One", display_name="One",
                          software_version=draw(st.sampled_from(["95.0-77060", "57.23-80060"])),
                          display_version="17.8", hardware_version="1.26.1.7-1.2",
                          sw_gen=None, ip=f"{net}.{10 + i}", answers=draw(st.booleans()) or i == 0)
               for i in range(count)]
    household_id = "Sonos_" + draw(st.text(alphabet="abcdefghijkLMNOPQRST0123456789",
                                           min_size=20, max_size=26))
    vanished = (Vanished(mac_list[-1], room_list[-1], "S33", f"{net}.99"),)
    return HouseholdSpecSynth("home", household_id,
                              tuple(Group((Member(p),)) for p in players), vanished)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_no_identifier_survives_redaction(household: HouseholdSpecSynth) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "scenario"
        write_household(root, household)
        inventory, observations = inventory_of(root), observe(root)
        bundle = Path(tmp) / "case.zip"
        outputs = []
        for fmt in ("table", "markdown", "json", "html"):
            request = OutputRequest(fmt=fmt, bundle=bundle if fmt == "json" else None,
                                    redact_rooms=True)
            outputs.append(deliver(inventory, request, ReportContext(note="see Zq"),
                                   observations=observations).stdout)
        with zipfile.ZipFile(bundle) as archive:
            outputs += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
            outputs.append(" ".join(archive.namelist()))
    forbidden: list[str] = [household.household_id]
    for group in household.groups:
        for member in group.members:
            p = member.player
            forbidden += [*spellings(p.mac), p.serial, p.ip, p.room]
    for v in household.vanished:
        forbidden += [*spellings(v.mac), v.ip, v.room]
    text = "\n".join(outputs)
    for value in forbidden:
        assert value not in text, value
    assert "S18" in text and "Sonos_Redacted0001" in text  # models kept, ids pseudonymised

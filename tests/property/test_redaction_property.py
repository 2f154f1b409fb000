"""Property-based: generated households, redacted everywhere, leak no identifier in any spelling."""

from __future__ import annotations

import dataclasses
import html
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonos_inventory.deliver import OutputRequest, deliver
from sonos_inventory.model import Method, ScanObservations, Sighting
from sonos_inventory.report.context import ReportContext
from sonos_inventory.scenario.synth import (
    Group,
    HouseholdSpecSynth,
    Member,
    PlayerSpec,
    Vanished,
    write_household,
)

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


SAMPLE = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FULL = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""The default tier samples; the slow tier (`make test-slow`) runs ten times as many."""


@SAMPLE
@given(households())
def test_no_identifier_survives_redaction(household: HouseholdSpecSynth) -> None:
    no_identifier_survives(household)


@pytest.mark.slow
@FULL
@given(households())
def test_no_identifier_survives_redaction_many(household: HouseholdSpecSynth) -> None:
    no_identifier_survives(household)


def no_identifier_survives(household: HouseholdSpecSynth) -> None:
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


# ---- every identifier form, every output ----

alnum = "abcdefghijkLMNOPQRSTUVWXYZ0123456789"
household_ids = st.one_of(
    st.text(alphabet=alnum, min_size=16, max_size=26).map(lambda t: "Sonos_" + t),
    st.text(alphabet=alnum, min_size=16, max_size=26).map(lambda t: "HHID_" + t),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=10, max_size=20).map(
        lambda t: "Zhh" + t),  # any id a player reports, found by value
)
location_ids = st.text(alphabet=alnum, min_size=12, max_size=24).map(lambda t: "lc_" + t)
room_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=10)


@st.composite
def odd_households(draw: st.DrawFn) -> tuple[HouseholdSpecSynth, str]:
    count = draw(st.integers(2, 4))
    mac_list = draw(st.lists(macs, min_size=count, max_size=count, unique=True))
    words = draw(st.lists(room_words, min_size=count, max_size=count, unique=True))
    net = draw(networks)
    rooms = []
    for i, word in enumerate(words):
        other = mac_list[(i + 1) % count]
        style = draw(st.integers(0, 3))
        if style == 0:  # a player id inside a room name
            rooms.append(f"Zq{word} RINCON_{other}01400")
        elif style == 1:  # a MAC inside a room name, Markdown specials around it
            rooms.append(f"Zq_{word}_ *{':'.join(other[j:j + 2] for j in range(0, 12, 2))}*")
        elif style == 2:  # an apostrophe: &apos; in the raw XML
            rooms.append(f"Zq{word}'s Room")
        else:  # long: cut short by the table
            rooms.append(f"Zq{word} " + "x" * 40 + f" {other}")
    players = [PlayerSpec(mac=mac_list[i], room=rooms[i], model_number="S18",
                          model_name="Sonos One", display_name="One",
                          software_version="95.0-77060", display_version="17.8",
                          hardware_version="1.26.1.7-1.2", ip=f"{net}.{10 + i}")
               for i in range(count)]
    return (HouseholdSpecSynth("home", draw(household_ids),
                               tuple(Group((Member(p),)) for p in players)),
            draw(location_ids))


def enriched(root: Path, household: HouseholdSpecSynth, location: str) -> ScanObservations:
    """observe() plus what a real scan records: raw answers and discovery headers."""
    base = observe(root)
    folder = root / household.name
    raw_zgs = (folder / "zone_group_state.xml").read_text().replace("'", "&apos;")
    targets = []
    for target in base.targets:
        uuid = target.uuid or ""
        device = folder / "devices" / f"{uuid}.xml"
        raw = device.read_bytes().replace(b"'", b"&#39;") if device.exists() else None
        headers = (("LOCATION", f"http://{target.endpoint.host}:1400/xml/device_description.xml"),
                   ("X-RINCON-HOUSEHOLD", household.household_id),
                   ("HOUSEHOLD.SMARTSPEAKER.AUDIO", f"{household.household_id}.xyz"),
                   ("LOCATION.SMARTSPEAKER.AUDIO", location))
        sighting = Sighting(target.endpoint, Method.SSDP, uuid, household.household_id,
                            raw=headers)
        targets.append(dataclasses.replace(target, sightings=(sighting,), raw_description=raw))
    reads = tuple(dataclasses.replace(r, raw_zone_group_state=raw_zgs)
                  for r in base.household_reads)
    notes = tuple(f"{t.endpoint.host}: slow; {t.uuid} of {household.household_id} at {location}"
                  for t in base.targets)
    return dataclasses.replace(base, targets=tuple(targets), household_reads=reads, notes=notes)


def readings(text: str) -> list[str]:
    """The text as a reader of each format would see it: HTML/XML references resolved, Markdown
    and JSON escapes undone, separators dropped (for MACs cut or respelled)."""
    unescaped = html.unescape(html.unescape(text))
    plain = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), unescaped)
    plain = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", plain)
    return [text, unescaped, plain, re.sub(r"[:\-_ \\]", "", plain).upper()]


@SAMPLE
@given(odd_households(), st.booleans())
def test_no_identifier_form_survives_in_any_output(case: tuple[HouseholdSpecSynth, str],
                                                    rooms: bool) -> None:
    no_identifier_form_survives(case, rooms)


@pytest.mark.slow
@FULL
@given(odd_households(), st.booleans())
def test_no_identifier_form_survives_in_any_output_many(case: tuple[HouseholdSpecSynth, str],
                                                         rooms: bool) -> None:
    no_identifier_form_survives(case, rooms)


def no_identifier_form_survives(case: tuple[HouseholdSpecSynth, str], rooms: bool) -> None:
    household, location = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "scenario"
        write_household(root, household)
        observations = enriched(root, household, location)
        inventory = inventory_of(root)
        ip = household.groups[0].members[0].player.ip
        bundle = Path(tmp) / "case.zip"
        outputs: list[str] = []
        for fmt in ("table", "markdown", "json", "html"):
            request = OutputRequest(fmt=fmt, bundle=bundle if fmt == "html" else None,
                                    redact=True, redact_rooms=rooms)
            delivered = deliver(
                inventory, request,
                ReportContext(note=f"see {ip}. or scan-{ip}.json ({household.household_id})"),
                observations=observations, notes=observations.notes,
                options={"command": "analyze", "input": f"/home/alice/cases/{ip}.json"})
            outputs += [delivered.stdout, *delivered.notes]
        with zipfile.ZipFile(bundle) as archive:
            outputs += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
            outputs.append(" ".join(archive.namelist()))
    text = "\n".join(outputs)
    seen = readings(text)
    forbidden = [household.household_id, location, "alice", tmp]
    for group in household.groups:
        for member in group.members:
            p = member.player
            forbidden += [p.serial, p.ip, p.uuid, p.mac_colons]
            if rooms:
                forbidden.append(p.room)
    for value in forbidden:
        for reading in seen[:3]:
            assert value not in reading, value
    for group in household.groups:
        for member in group.members:  # no MAC, whole or cut, in any spelling
            assert member.player.mac[:10].upper() not in seen[3], member.player.mac
    assert "S18" in text and "_Redacted0001" in text

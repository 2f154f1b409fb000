"""Redaction cannot be used as a weapon (issue 18): a household id equal to a JSON key or to the
tool's own words, rooms named after XML tags, room names shorter than four characters. By-value
replacement runs only inside values (XML text and attribute values, header values, JSON string
values), never in names or the tool's words; a redacted bundle always loads back."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.collect.parse import parse_device_description, parse_zone_group_state
from sonos_inventory.deliver import OutputRequest, deliver
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.redact import Redactor
from sonos_inventory.scenario.builtin import one, play1
from sonos_inventory.scenario.synth import Group, HouseholdSpecSynth, Member, write_household

from ..helpers import inventory_of, observe

WEAPONS = ["players", "Likely: software-track conflict", "verdict", "household_id", "Verdict"]


def scenario(tmp_path: Path, household_id: str, rooms: tuple[str, str]) -> Path:
    root = tmp_path / "scenario"
    write_household(root, HouseholdSpecSynth("home", household_id, (
        Group((Member(one("000E58F0D101", rooms[0], "192.168.1.21")),)),
        Group((Member(play1("000E58F0D102", rooms[1], "192.168.1.22")),)),
    )))
    return root


def bundle_of(root: Path, tmp_path: Path, rooms: bool) -> dict[str, str]:
    path = tmp_path / "case.zip"
    deliver(inventory_of(root), OutputRequest(fmt="markdown", bundle=path, redact=True,
                                              redact_rooms=rooms),
            ReportContext(), observations=observe(root))
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8", "replace") for n in archive.namelist()}


@pytest.mark.parametrize("household_id", WEAPONS)
def test_a_household_id_that_is_a_key_or_the_tools_words(tmp_path: Path,
                                                          household_id: str) -> None:
    root = scenario(tmp_path, household_id, ("Kitchen", "Bathroom"))
    files = bundle_of(root, tmp_path, rooms=False)
    document = json.loads(files["inventory.json"])
    assert {"players", "households", "verdict", "findings"} <= set(document)
    assert all("household_id" in h for h in document["households"])
    assert household_id not in {h["household_id"] for h in document["households"]}
    assert "## Verdict" in files["report.md"] and "## Verdict" in files["report.md"]
    assert "software-track conflict" in files["report.md"]
    code = CliRunner().invoke(cli, ["analyze", str(tmp_path / "case.zip")]).exit_code
    assert code in (0, 1, 3)
    manifest = json.loads(files["manifest.json"])
    assert manifest["redacted"] is True


@pytest.mark.parametrize("rooms", [("Zone", "Group"), ("TV", "A"), ("root", "device"),
                                   ("UDN", "Room")])
def test_rooms_named_after_tags_and_short_names_keep_the_structure(
        tmp_path: Path, rooms: tuple[str, str]) -> None:
    root = scenario(tmp_path, "Sonos_WeaponRoomsxxxxxxxxxx01", rooms)
    files = bundle_of(root, tmp_path, rooms=True)
    zgs = next(v for k, v in files.items() if k.endswith("zone_group_state.xml"))
    assert zgs.count("<ZoneGroupState>") == 1 and "<ZoneGroupMember" in zgs
    topology = parse_zone_group_state(zgs)
    assert {m.zone_name for m in topology.members} == {"Room 1", "Room 2"}
    for name, text in files.items():
        if name.endswith(".xml") and "/devices/" in name:
            description = parse_device_description(text.encode())
            assert description.room in ("Room 1", "Room 2")
    document = json.loads(files["inventory.json"])
    assert {p["room"] for p in document["players"]} == {"Room 1", "Room 2"}
    for short in (r for r in rooms if len(r) < 4):  # only whole values, never a substring
        assert "Sonos One" in files["report.md"] or short not in ("S", "On")
    assert "Model" in files["report.md"] and "Software" in files["report.md"]
    code = CliRunner().invoke(cli, ["analyze", str(tmp_path / "case.zip")]).exit_code
    assert code in (0, 1, 3)
    raw = tmp_path / "raw"
    with zipfile.ZipFile(io.BytesIO((tmp_path / "case.zip").read_bytes())) as archive:
        archive.extractall(raw, [n for n in archive.namelist() if n.startswith("raw/")])
    from sonos_inventory.scenario.folder import load_scenario

    assert load_scenario(raw / "raw").households  # the redacted capture still replays


def test_every_spelling_of_an_identifier_is_redacted() -> None:
    redactor = Redactor()
    text = ("mac 000E.58F0.0103 and 000e.58f0.0103, mapped ::ffff:c0a8:0118 and "
            "::ffff:192.168.1.24, plain 192.168.1.24 and 00:0E:58:F0:01:03")
    out = redactor.text(text)
    for secret in ("000E.58F0.0103", "000e.58f0.0103", "c0a8:0118", "192.168.1.24",
                   "00:0E:58:F0:01:03"):
        assert secret not in out, out
    assert out.count("0200.0000.0001") == 2  # both spellings, one pseudonym
    mapped = out.split("mapped ")[1].split(" ")[0]
    assert mapped.startswith("::ffff:") and redactor.text(mapped) == mapped
    assert "100.64.0.24" in out  # the same pseudonym network for every spelling


def test_only_values_change_in_xml_and_json() -> None:
    redactor = Redactor(rooms=True)
    redactor._room("Zone")
    redactor._room("TV")
    xml = ('<ZoneGroupState><ZoneGroupMember ZoneName="Zone" Icon="x-rincon-roomicon:TV" '
           'MoreInfo="TargetRoomName:TV"/><roomName>TV</roomName><name>TVs</name>'
           '</ZoneGroupState>')
    out = redactor.xml_document(xml)
    assert out.startswith("<ZoneGroupState><ZoneGroupMember ZoneName=\"Room 1\"")
    assert "TargetRoomName:Room 2" in out and "<roomName>Room 2</roomName>" in out
    assert "<name>TVs</name>" in out  # under 4 characters: never as a substring
    document = json.loads(redactor.json_document(json.dumps({"Zone": "Zone", "TV": ["TV"]})))
    assert document == {"Zone": "Room 1", "TV": ["Room 2"]}

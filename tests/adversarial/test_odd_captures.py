"""The emulator replays every capture the scanner can produce: any room name (any script, any
length, CR/LF, dots), any household id length, one player listed by two households. Neither the
mDNS advertiser nor the SSDP responder may stop a replay."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from sonos_inventory.cli import cli
from sonos_inventory.emulator.mdns import dns_label, txt_value
from sonos_inventory.scenario.synth import (
    Group,
    HouseholdSpecSynth,
    Member,
    PlayerSpec,
    write_household,
)

ROOMS = [
    "リビングルーム・キッチン・ダイニング・子供部屋・書斎・寝室・客間・和室・玄関・廊下",
    "St. John's Room. With dots...",
    "Line one\r\nLine two",
    "Ω" * 300,
    "Café \U0001f3b5 Øresund \u202e evil",
]
LONG_HOUSEHOLD = "Sonos_" + "LongHouseholdId" * 8  # 126 characters: the scanner keeps 128
ABSURD_HOUSEHOLD = "Sonos_" + "AbsurdHouseholdId" * 200


def spec(index: int, room: str, subnet: str = "192.168.7") -> PlayerSpec:
    return PlayerSpec(mac=f"000E58F0C{index:03X}", room=room, model_number="S18",
                      model_name="Sonos One", display_name="One",
                      software_version="95.0-77060", display_version="17.8",
                      hardware_version="1.26.1.7-1.2", ip=f"{subnet}.{10 + index}")


def odd_scenario(root: Path, household_id: str = LONG_HOUSEHOLD) -> Path:
    players = [spec(i, room) for i, room in enumerate(ROOMS)]
    write_household(root, HouseholdSpecSynth(
        "odd", household_id, tuple(Group((Member(p),)) for p in players)))
    # A second household folder that lists the first player again (as a hostile or moving
    # player would), with its own description file.
    shared = players[0]
    other = spec(50, "Garage", "192.168.8")
    write_household(root, HouseholdSpecSynth(
        "second", "HHID_SecondHousehold", (Group((Member(other),)), Group((Member(shared),)))))
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.stdout, result.stderr


def test_labels_and_txt_fit_dns_limits() -> None:
    for room in ROOMS:
        label = dns_label(f"Sonos-000E58F0C001@{room}")
        assert len(label.encode()) <= 63 and "." not in label and "\n" not in label
    assert len(b"info=" + txt_value("info", "界" * 200)) <= 255


def test_odd_captures_replay_and_round_trip_through_a_bundle(tmp_path: Path) -> None:
    root = odd_scenario(tmp_path / "odd")
    bundle = tmp_path / "odd.zip"
    code, out, err = run("demo", "--scenario", str(root), "-f", "json", "--bundle", str(bundle))
    assert code in (0, 1, 3) and "Traceback" not in err, err
    first = json.loads(out)
    rooms = {p["room"] for p in first["players"]}
    for room in ROOMS[:2] + ROOMS[3:]:
        assert room in rooms, (room, rooms)
    assert any(r and "Line one" in r and "Line two" in r for r in rooms)
    assert LONG_HOUSEHOLD in {p["household_id"] for p in first["players"]}
    assert "not advertised" not in err and "mDNS advertisement failed" not in err
    uuids = [p["uuid"] for p in first["players"]]
    assert len(uuids) == len(set(uuids))  # one player listed by two households: served once

    code, out, err = run("demo", "--scenario", str(bundle), "-f", "json")
    assert code in (0, 1, 3) and "Traceback" not in err, err
    again = json.loads(out)
    assert {p["room"] for p in again["players"]} == rooms
    assert sorted(p["uuid"] for p in again["players"]) == sorted(uuids)
    assert {p["household_id"] for p in again["players"]} == {
        p["household_id"] for p in first["players"]}


def test_an_absurd_household_id_does_not_stop_a_replay(tmp_path: Path) -> None:
    root = odd_scenario(tmp_path / "absurd", ABSURD_HOUSEHOLD)
    code, out, err = run("demo", "--scenario", str(root), "-f", "json")
    assert code in (0, 1, 3) and "Traceback" not in err, err
    assert len(json.loads(out)["players"]) == len(ROOMS) + 1


def test_the_same_room_name_twice_is_advertised_twice(tmp_path: Path) -> None:
    root = tmp_path / "twins"
    players = [spec(i, "Twin Room") for i in range(3)]
    write_household(root, HouseholdSpecSynth("home", "Sonos_TwinsTwinsTwins01",
                                             tuple(Group((Member(p),)) for p in players)))
    code, out, err = run("demo", "--scenario", str(root), "-f", "json")
    assert code in (0, 1, 3) and "not advertised" not in err, err
    assert len(json.loads(out)["players"]) == 3
    shutil.rmtree(root)

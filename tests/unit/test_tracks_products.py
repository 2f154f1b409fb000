"""Track detection, S2 capability from the product table, roles, versions."""

from __future__ import annotations

import pytest

from sonos_inventory.analyze.classify import detect_role
from sonos_inventory.analyze.products import capability, product_table
from sonos_inventory.analyze.tracks import detect_track
from sonos_inventory.analyze.versions import Build, display_major, parse_build
from sonos_inventory.model import Role, Topology, Track, ZoneMember
from sonos_inventory.model import parse_channel_map as channel_map


@pytest.mark.parametrize("args,track", [
    ((2, None, "57.4-83220", None), Track.S2),  # swGen wins
    ((None, 1, "95.0-77060", None), Track.S1),  # then SWGen of the topology
    ((None, None, "57.23-80060", None), Track.S1),  # then the build major
    ((None, None, "58.0-00000", None), Track.S2),
    ((None, None, "28.1-83040", "5.2"), Track.S1),  # 2015 firmware
    ((None, None, None, "12.0"), Track.S2),  # then the display major
    ((None, None, None, "11.16.2"), Track.S1),
    ((None, None, "garbage", None), Track.UNKNOWN),
    ((None, None, None, None), Track.UNKNOWN),
])
def test_detect_track(args: tuple[int | None, int | None, str | None, str | None],
                      track: Track) -> None:
    assert detect_track(*args)[0] is track


def test_versions() -> None:
    assert parse_build("57.23-80060") == Build(57, 23, 80060)
    assert parse_build("24.0-0000") == Build(24, 0, 0)  # the 2015 form with four zeros
    assert parse_build("86.7-77050") < parse_build("95.0-77060")  # type: ignore[operator]
    assert parse_build("x") is None and parse_build(None) is None
    assert display_major("17.7") == 17 and display_major("") is None


def test_every_row_has_a_source() -> None:
    table = product_table()
    assert all(p.source for p in table.values())
    assert {"S5", "ZP80", "ZP100", "ZB100", "WD100", "CR200"} <= {
        k for k, p in table.items() if not p.s2}


@pytest.mark.parametrize("model,memory,hw,expected", [
    ("ZP90", 32, "1.16.5.5-2", False),
    ("ZP120", 32, "1.16.3.1-2", False),
    ("ZP90", 128, "1.17.3.1-1", True),
    ("ZP90", None, "1.16.5.5-2", False),
    ("ZP120", None, "1.17.5.2-1", True),
    ("ZP90", None, None, None),
    ("S5", 64, None, False),
    ("S6", 512, None, True),
    ("S39", None, None, True),
])
def test_capability(model: str, memory: int | None, hw: str | None,
                    expected: bool | None) -> None:
    result = capability(model, memory, hw, None, runs_s2=False)
    assert result.s2_capable is expected
    assert result.basis


def test_unknown_models_are_s2_only_with_reasoning() -> None:
    result = capability("S99", None, None, "95.0-00000", runs_s2=False)
    assert result.s2_capable is True and not result.known_model
    assert "94" not in result.basis and "S2" in result.basis
    assert capability(None, None, None, None, runs_s2=False).s2_capable is None


def member(uuid: str, **kw: object) -> ZoneMember:
    values: dict[str, object] = {"location": None, "zone_name": "TV", "software_version": None,
                                 "sw_gen": 2, "min_compatible_version": None,
                                 "legacy_compatible_version": None, "group_id": "g",
                                 "coordinator": "RINCON_A"}
    values.update(kw)
    return ZoneMember(uuid=uuid, **values)  # type: ignore[arg-type]


def test_roles() -> None:
    ht = "RINCON_A:LF,RF;RINCON_S:SW;RINCON_L:LR;RINCON_R:RR"
    bar = member("RINCON_A", ht_sat_chan_map_set=ht)
    sub = member("RINCON_S", satellite_of="RINCON_A", invisible=True)
    left = member("RINCON_L", satellite_of="RINCON_A", invisible=True)
    pair = "RINCON_P:LF,LF;RINCON_Q:RF,RF"
    p = member("RINCON_P", channel_map_set=pair)
    q = member("RINCON_Q", channel_map_set=pair, invisible=True)
    boost = member("RINCON_B", is_zone_bridge=True, invisible=True)
    topology = Topology((bar, sub, left, p, q, boost))
    assert detect_role(bar, topology, "S19") is Role.PLAYER
    assert detect_role(sub, topology, "Sub") is Role.SUBWOOFER
    assert detect_role(sub, topology, None) is Role.SUBWOOFER  # from the channel map alone
    assert detect_role(left, topology, "S38") is Role.SATELLITE
    assert detect_role(p, topology, "S18") is Role.PLAYER
    assert detect_role(q, topology, "S18") is Role.STEREO_PARTNER
    assert detect_role(boost, topology, "BR200") is Role.BRIDGE
    assert detect_role(None, None, "ZB100") is Role.BRIDGE
    assert channel_map(pair) == {"RINCON_P": ("LF", "LF"), "RINCON_Q": ("RF", "RF")}

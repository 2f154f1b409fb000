"""The built-in scenarios (`demo --scenario NAME`), defined as code so that an installed package
needs no data files; fixtures/scenarios/ is generated from these (fixtures/make_scenarios.py).

Structure follows the real captures in fixtures/samples; identifiers are synthetic (MACs under
00-0E-58-F0-xx-xx, household ids Sonos_Fixture...). Versions are real releases from
docs/sonos-facts.md §3: 95.0-77060 (newer S2 hardware) and 86.7-77050 (older S2 hardware) were
scanned together on 2026-07-04; 57.23-80060 is the last S1 release.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from .synth import (
    Group,
    HouseholdSpecSynth,
    Member,
    PlayerSpec,
    Vanished,
    write_household,
)
from .timeline import TimelineStep, timeline_document

# Release labels (displayVersion) only where the facts' table pairs them with the build; where it
# does not (95.0-77060, 86.7-77050), the description leaves the element out, as labels must not
# be invented: the report then says the label is unknown.
S2_NEW, S2_NEW_DISPLAY = "95.0-77060", None
S2_OLD_HW, S2_OLD_DISPLAY = "86.7-77050", None
S1_LAST, S1_LAST_DISPLAY = "57.23-80060", "11.16.2"


def one(mac: str, room: str, ip: str, version: str = S2_NEW, **kw: object) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S18", model_name="Sonos One",
                      display_name="One", software_version=version,
                      display_version=S2_NEW_DISPLAY, hardware_version="1.26.1.7-1.2",
                      ip=ip, **kw)  # type: ignore[arg-type]


def play5_gen2_on_s1(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S6", model_name="Sonos Play:5",
                      display_name="Play:5", software_version=S1_LAST,
                      display_version=S1_LAST_DISPLAY, hardware_version="1.20.1.6-2.1",
                      sw_gen=1, memory_mb=512, ip=ip)


def playbar(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S9", model_name="Sonos Playbar",
                      display_name="Playbar", software_version=S2_OLD_HW,
                      display_version=S2_OLD_DISPLAY, hardware_version="1.9.1.10-2.2",
                      memory_mb=128, ip=ip)


def play1(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S12", model_name="Sonos Play:1",
                      display_name="Play:1", software_version=S2_OLD_HW,
                      display_version=S2_OLD_DISPLAY, hardware_version="1.8.3.7-2.0",
                      memory_mb=512, ip=ip)


def era100(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S39", model_name="Sonos Era 100",
                      display_name="Era 100", software_version=S2_NEW,
                      display_version=S2_NEW_DISPLAY, hardware_version="1.39.1.8-1.0", ip=ip)


def error_803() -> list[HouseholdSpecSynth]:
    """An S2 system (both 2026 branches) plus a Play:5 gen 2 still on S1, just added."""
    living = playbar("000E58F00101", "Living Room", "192.168.1.21")
    kitchen = one("000E58F00102", "Kitchen", "192.168.1.22")
    office = era100("000E58F00103", "Office", "192.168.1.23")
    bedroom = play5_gen2_on_s1("000E58F00104", "Bedroom", "192.168.1.24")
    return [HouseholdSpecSynth(
        "home", "Sonos_FixtureErrorEightZeroThree01",
        (Group((Member(living),)), Group((Member(kitchen), Member(office))),
         Group((Member(bedroom),))),
    )]


def healthy_s2() -> list[HouseholdSpecSynth]:
    """A healthy S2 system, both 2026 S2 branches side by side, no conflict."""
    return [HouseholdSpecSynth("home", "Sonos_FixtureHealthyS2xxxxxxxxx01", (
        Group((Member(playbar("000E58F00201", "Living Room", "192.168.1.31")),)),
        Group((Member(play1("000E58F00202", "Bathroom", "192.168.1.32")),
               Member(one("000E58F00203", "Kitchen", "192.168.1.33")))),
        Group((Member(replace(era100("000E58F00204", "Office", "192.168.1.34"),
                              connection="wifi", behind_extender=True)),)),
    ))]


def split_s1_s2() -> list[HouseholdSpecSynth]:
    """An S1 system (with a first-generation Connect) beside an S2 system (supported)."""
    connect = PlayerSpec(mac="000E58F00301", room="Garage", model_number="ZP90",
                         model_name="Sonos CONNECT", display_name="CONNECT",
                         software_version=S1_LAST, display_version=S1_LAST_DISPLAY,
                         hardware_version="1.16.5.5-2", sw_gen=1, memory_mb=32,
                         ip="192.168.1.41", connection="wired")
    play5 = PlayerSpec(mac="000E58F00302", room="Workshop", model_number="S5",
                       model_name="Sonos PLAY:5", display_name="PLAY:5",
                       software_version=S1_LAST, display_version=S1_LAST_DISPLAY,
                       hardware_version="1.6.1.4-2", sw_gen=1, memory_mb=64, ip="192.168.1.42")
    return [
        HouseholdSpecSynth("legacy-s1", "HHID_FixtureSplitLegacyS1xxxxxx01",
                           (Group((Member(connect),)), Group((Member(play5),)))),
        HouseholdSpecSynth("main-s2", "Sonos_FixtureSplitMainS2xxxxxxx02", (
            Group((Member(one("000E58F00303", "Kitchen", "192.168.1.43")),)),
            Group((Member(era100("000E58F00304", "Study", "192.168.1.44")),)),
        )),
    ]


def home_theater() -> list[HouseholdSpecSynth]:
    """An Arc with surrounds and a Sub, and a stereo pair (products the app does not list)."""
    arc = PlayerSpec(mac="000E58F00401", room="TV Room", model_number="S19",
                     model_name="Sonos Arc", display_name="Arc", software_version=S2_NEW,
                     display_version=S2_NEW_DISPLAY, hardware_version="1.19.1.5-1.1",
                     ip="192.168.1.51")
    sub = PlayerSpec(mac="000E58F00402", room="TV Room", model_number="Sub",
                     model_name="Sonos Sub", display_name="Sub", software_version=S2_OLD_HW,
                     display_version=S2_OLD_DISPLAY, hardware_version="1.13.1.2-1.1",
                     memory_mb=512, ip="192.168.1.52")
    left = PlayerSpec(mac="000E58F00403", room="TV Room", model_number="S38",
                      model_name="Sonos One SL", display_name="One SL", software_version=S2_NEW,
                      display_version=S2_NEW_DISPLAY, hardware_version="1.38.1.2-1.0",
                      ip="192.168.1.53")
    right = PlayerSpec(mac="000E58F00404", room="TV Room", model_number="S38",
                       model_name="Sonos One SL", display_name="One SL", software_version=S2_NEW,
                       display_version=S2_NEW_DISPLAY, hardware_version="1.38.1.2-1.0",
                       ip="192.168.1.54")
    boost = PlayerSpec(mac="000E58F00405", room="BOOST", model_number="BR200",
                       model_name="Sonos Boost", display_name="Boost", software_version=S2_OLD_HW,
                       display_version=S2_OLD_DISPLAY, hardware_version="1.18.1.3-1.0",
                       memory_mb=256, ip="192.168.1.55", connection="wired")
    kitchen_l = one("000E58F00406", "Kitchen", "192.168.1.56")
    kitchen_r = one("000E58F00407", "Kitchen", "192.168.1.57")
    ht = (f"{arc.uuid}:LF,RF;{sub.uuid}:SW;{left.uuid}:LR;{right.uuid}:RR")
    pair = f"{kitchen_l.uuid}:LF,LF;{kitchen_r.uuid}:RF,RF"
    return [HouseholdSpecSynth("home", "Sonos_FixtureHomeTheaterxxxxxx01", (
        Group((Member(arc, ht_sat_chan_map_set=ht, satellites=(
            (sub, f"{arc.uuid}:LF,RF;{sub.uuid}:SW"),
            (left, f"{arc.uuid}:LF,RF;{left.uuid}:LR"),
            (right, f"{arc.uuid}:LF,RF;{right.uuid}:RR"),
        )),)),
        Group((Member(kitchen_l, channel_map_set=pair),
               Member(kitchen_r, invisible=True, channel_map_set=pair))),
        Group((Member(boost, invisible=True, zone_bridge=True),)),
    ))]


def offline_member() -> list[HouseholdSpecSynth]:
    """One member of the household does not answer, so the scan is incomplete (exit 3)."""
    silent = one("000E58F00503", "Patio", "192.168.1.63", answers=False)
    return [HouseholdSpecSynth("home", "Sonos_FixtureOfflineMemberxxxx01", (
        Group((Member(one("000E58F00501", "Kitchen", "192.168.1.61")),)),
        Group((Member(era100("000E58F00502", "Office", "192.168.1.62")),)),
        Group((Member(silent),)),
    ), vanished=(Vanished("000E58F00504", "Guest Room", "S33", "192.168.1.64"),))]


def s1_only_in_s2() -> list[HouseholdSpecSynth]:
    """A first-generation Connect (S1 only, 32 MB) added to an S2 system."""
    connect = PlayerSpec(mac="000E58F00601", room="Hi-Fi", model_number="ZP90",
                         model_name="Sonos CONNECT", display_name="CONNECT",
                         software_version=S1_LAST, display_version=S1_LAST_DISPLAY,
                         hardware_version="1.16.5.5-2", sw_gen=1, memory_mb=32,
                         ip="192.168.1.71")
    return [HouseholdSpecSynth("home", "Sonos_FixtureS1OnlyInS2xxxxxxx01", (
        Group((Member(one("000E58F00602", "Kitchen", "192.168.1.72")),)),
        Group((Member(era100("000E58F00603", "Office", "192.168.1.73")),)),
        Group((Member(connect),)),
    ))]


def leftover_s1() -> list[HouseholdSpecSynth]:
    """A Play:1 (S2-capable) alone in an S1 system beside the S2 system: the usual leftover of
    a failed attempt to add it to the S2 system."""
    lonely = PlayerSpec(mac="000E58F00701", room="Bathroom", model_number="S12",
                        model_name="Sonos Play:1", display_name="Play:1",
                        software_version=S1_LAST, display_version=S1_LAST_DISPLAY,
                        hardware_version="1.8.3.7-2.0", sw_gen=1, memory_mb=512,
                        ip="192.168.1.81")
    return [
        HouseholdSpecSynth("main-s2", "Sonos_FixtureLeftoverMainS2xxxx01", (
            Group((Member(one("000E58F00702", "Kitchen", "192.168.1.82")),)),
            Group((Member(playbar("000E58F00703", "Living Room", "192.168.1.83")),)),
        )),
        HouseholdSpecSynth("leftover-s1", "Sonos_FixtureLeftoverS1xxxxxxxx02",
                           (Group((Member(lonely),)),)),
    ]


def legacy_2015() -> list[HouseholdSpecSynth]:
    """2015 firmware (28.1-83040): no swGen element, no MACAddress element, no SWGen."""
    common = {"software_version": "28.1-83040", "display_version": "5.2", "sw_gen": None,
              "include_mac_element": False}
    connect = PlayerSpec(mac="000E58F00801", room="Living Room", model_number="ZP90",
                         model_name="Sonos CONNECT", display_name="CONNECT",
                         hardware_version="1.16.5.5-2", memory_mb=32, ip="192.168.1.91",
                         **common)  # type: ignore[arg-type]
    amp = PlayerSpec(mac="000E58F00802", room="Patio", model_number="ZP120",
                     model_name="Sonos CONNECT:AMP", display_name="CONNECT:AMP",
                     hardware_version="1.16.3.1-2", memory_mb=32, ip="192.168.1.92",
                     **common)  # type: ignore[arg-type]
    bridge = PlayerSpec(mac="000E58F00803", room="BRIDGE", model_number="ZB100",
                        model_name="Sonos BRIDGE", display_name="BRIDGE",
                        hardware_version="1.5.0.0-2", memory_mb=8, ip="192.168.1.93",
                        **common)  # type: ignore[arg-type]
    return [HouseholdSpecSynth("home", "Sonos_FixtureLegacy2015xxxxxxx01", (
        Group((Member(connect),)), Group((Member(amp),)),
        Group((Member(bridge, invisible=True, zone_bridge=True),)),
    ))]


def behind_one_release() -> list[HouseholdSpecSynth]:
    """A Play:1 that stopped at 86.4-73290 while the household runs 86.7-77050 / 95.0-77060."""
    stuck = PlayerSpec(mac="000E58F00901", room="Bathroom", model_number="S12",
                       model_name="Sonos Play:1", display_name="Play:1",
                       software_version="86.4-73290", display_version=None,
                       hardware_version="1.8.3.7-2.0", memory_mb=512, ip="192.168.1.101")
    return [HouseholdSpecSynth("home", "Sonos_FixtureBehindOneRelease01", (
        Group((Member(playbar("000E58F00902", "Living Room", "192.168.1.102")),)),
        Group((Member(one("000E58F00903", "Kitchen", "192.168.1.103")),)),
        Group((Member(stuck),)),
    ))]


def update_in_progress() -> list[HouseholdSpecSynth]:
    """A hotfix rolling out: 95.0-77500 on one product, 95.0-77060 (the same release, an older
    build) still on another of the same model."""
    return [HouseholdSpecSynth("home", "Sonos_FixtureUpdateInProgress01", (
        Group((Member(one("000E58F00A01", "Kitchen", "192.168.1.111", version="95.0-77500")),)),
        Group((Member(one("000E58F00A02", "Office", "192.168.1.112")),)),
    ))]


# Aug 2026: one real 30-product household ran 86.8-78270 and 96.0-78270 together (docs/sonos-facts
# §7). Labels: 86.8-78270 is 17.2.6 (the release table); 96.0-78270's is not known.
S2_AUG_NEW, S2_AUG_OLD_HW = "96.0-78270", "86.8-78270"
AUG_LABELS = {S2_AUG_OLD_HW: "17.2.6"}


def connect_gen1(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="ZP90", model_name="Sonos CONNECT",
                      display_name="CONNECT", software_version=S1_LAST,
                      display_version=S1_LAST_DISPLAY, hardware_version="1.16.5.5-2", sw_gen=1,
                      memory_mb=32, ip=ip)


def play1_on_s1(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S12", model_name="Sonos Play:1",
                      display_name="Play:1", software_version=S1_LAST,
                      display_version=S1_LAST_DISPLAY, hardware_version="1.8.3.7-2.0",
                      sw_gen=1, memory_mb=512, ip=ip)


def split_stale_s1_only() -> list[HouseholdSpecSynth]:
    """A first-generation Connect (S1 only) split off into its own S1 system; the S2 system it
    left still lists it as vanished. A supported split, not a mixed household."""
    connect = connect_gen1("000E58F00C01", "Hi-Fi", "192.168.1.121")
    return [
        HouseholdSpecSynth("main-s2", "Sonos_FixtureSplitStaleMainS2x01", (
            Group((Member(one("000E58F00C02", "Kitchen", "192.168.1.122")),)),
            Group((Member(era100("000E58F00C03", "Office", "192.168.1.123")),)),
        ), vanished=(Vanished("000E58F00C01", "Hi-Fi", "ZP90", "192.168.1.121", sw_gen=1,
                              reason="UNKNOWN"),)),
        HouseholdSpecSynth("legacy-s1", "Sonos_FixtureSplitStaleLegacyS102",
                           (Group((Member(connect),)),)),
    ]


def split_stale_dual() -> list[HouseholdSpecSynth]:
    """A Play:1 (S2-capable) moved to S1 on purpose into its own system ("Downgrade Product to
    S1"); the S2 system it left still remembers it (SWGen 2, as it was). A supported split."""
    moved = play1_on_s1("000E58F00D01", "Cabin", "192.168.1.131")
    return [
        HouseholdSpecSynth("main-s2", "Sonos_FixtureSplitStaleDualS2xx01", (
            Group((Member(one("000E58F00D02", "Kitchen", "192.168.1.132")),)),
            Group((Member(playbar("000E58F00D03", "Living Room", "192.168.1.133")),)),
        ), vanished=(Vanished("000E58F00D01", "Cabin", "S12", "192.168.1.131"),)),
        HouseholdSpecSynth("cabin-s1", "Sonos_FixtureSplitStaleDualS1xx02",
                           (Group((Member(moved),)),)),
    ]


_UPNP_OFF = {"status": {"/xml/device_description.xml": 403, "GetZoneGroupState": 403,
                        "GetHouseholdID": 403, "GetZoneGroupAttributes": 403}}


def s1_added_upnp_off() -> list[HouseholdSpecSynth]:
    """A Play:5 gen 2 on S1 joins an S2 system whose three S2 products have UPnP turned off
    (403): only the S1 product answers, yet the zone group state says what every member runs."""
    s2 = [one("000E58F00E01", "Kitchen", "192.168.1.141"),
          era100("000E58F00E02", "Office", "192.168.1.142"),
          playbar("000E58F00E03", "Living Room", "192.168.1.143")]
    added = play5_gen2_on_s1("000E58F00E04", "Bedroom", "192.168.1.144")
    return [HouseholdSpecSynth(
        "home", "Sonos_FixtureS1AddedUpnpOffxxx01",
        tuple(Group((Member(p),)) for p in (*s2, added)),
        faults={p.uuid: _UPNP_OFF for p in s2},
    )]


def topology_refused() -> list[HouseholdSpecSynth]:
    """A healthy system whose Kitchen player refuses GetZoneGroupState (HTTP 500): the
    household's topology must come from another member."""
    kitchen = one("000E58F00F01", "Kitchen", "192.168.1.151")
    return [HouseholdSpecSynth("home", "Sonos_FixtureTopologyRefusedxx01", (
        Group((Member(kitchen),)),
        Group((Member(era100("000E58F00F02", "Office", "192.168.1.152")),)),
        Group((Member(play1("000E58F00F03", "Bathroom", "192.168.1.153")),)),
    ), faults={kitchen.uuid: {"status": {"GetZoneGroupState": 500}}})]


def _aug(mac: str, room: str, ip: str, older_hardware: bool, version: str | None = None
         ) -> PlayerSpec:
    player = (play1 if older_hardware else one)(mac, room, ip)
    version = version or (S2_AUG_OLD_HW if older_hardware else S2_AUG_NEW)
    return replace(player, software_version=version, display_version=AUG_LABELS.get(version))


def healthy_aug_2026() -> list[HouseholdSpecSynth]:
    """Both S2 branches on the August 2026 release (86.8-78270 beside 96.0-78270, the same build
    number), plus a Move on its own build of that release (96.0-79160, 890 apart)."""
    move = PlayerSpec(mac="000E58F01005", room="Garden", model_number="S17",
                      model_name="Sonos Move", display_name="Move", software_version="96.0-79160",
                      display_version=None, hardware_version="1.24.1.8-2.0",
                      ip="192.168.1.165")
    return [HouseholdSpecSynth("home", "Sonos_FixtureHealthyAug2026xxx01", (
        Group((Member(_aug("000E58F01001", "Bathroom", "192.168.1.161", True)),
               Member(_aug("000E58F01002", "Kitchen", "192.168.1.162", False)))),
        Group((Member(_aug("000E58F01003", "Den", "192.168.1.163", True)),)),
        Group((Member(_aug("000E58F01004", "Office", "192.168.1.164", False)),)),
        Group((Member(move),)),
    ))]


def lag_older_branch() -> list[HouseholdSpecSynth]:
    """A Play:1 left on 86.7-77050 (July) while its household moved to 86.8-78270 /
    96.0-78270 (August): one release behind on the older-hardware branch."""
    return [HouseholdSpecSynth("home", "Sonos_FixtureLagOlderBranchxxx01", (
        Group((Member(_aug("000E58F01101", "Bathroom", "192.168.1.171", True,
                           version=S2_OLD_HW)),)),
        Group((Member(_aug("000E58F01102", "Living Room", "192.168.1.172", True)),)),
        Group((Member(_aug("000E58F01103", "Kitchen", "192.168.1.173", False)),)),
    ))]


def lag_newer_branch() -> list[HouseholdSpecSynth]:
    """A One left on 95.0-77060 (July) while the older-hardware products moved to 86.8-78270
    (August): the product on the highest major is the one behind."""
    return [HouseholdSpecSynth("home", "Sonos_FixtureLagNewerBranchxxx01", (
        Group((Member(_aug("000E58F01201", "Kitchen", "192.168.1.181", False,
                           version=S2_NEW)),)),
        Group((Member(_aug("000E58F01202", "Bathroom", "192.168.1.182", True)),)),
        Group((Member(_aug("000E58F01203", "Den", "192.168.1.183", True)),)),
    ))]


def consecutive_releases() -> list[HouseholdSpecSynth]:
    """An Era 100 on 94.1-76070, the release before the 95.0-77060 its household runs (990
    build numbers apart, the closest two releases seen)."""
    behind = replace(era100("000E58F01301", "Office", "192.168.1.191"),
                     software_version="94.1-76070")
    return [HouseholdSpecSynth("home", "Sonos_FixtureConsecutiveRelease01", (
        Group((Member(one("000E58F01302", "Kitchen", "192.168.1.192")),)),
        Group((Member(playbar("000E58F01303", "Living Room", "192.168.1.193")),)),
        Group((Member(behind),)),
    ))]


def unknown_model_s1() -> list[HouseholdSpecSynth]:
    """An S1 system with a product whose model number is in no table (S98): whether it can
    run S2 is not known."""
    mystery = PlayerSpec(mac="000E58F01401", room="Study", model_number="S98",
                         model_name="Sonos Mystery", display_name="Mystery",
                         software_version=S1_LAST, display_version=S1_LAST_DISPLAY,
                         hardware_version="1.98.1.1-1.0", sw_gen=1, memory_mb=512,
                         ip="192.168.1.201")
    return [HouseholdSpecSynth("home", "Sonos_FixtureUnknownModelS1xxx01", (
        Group((Member(play1_on_s1("000E58F01402", "Kitchen", "192.168.1.202")),)),
        Group((Member(mystery),)),
    ))]


def stereo_partner_offline() -> list[HouseholdSpecSynth]:
    """A stereo pair whose right speaker is off the network: only the left speaker's channel
    map still names it (as in a real 2026 capture). It is a member that does not answer."""
    left = one("000E58F01501", "Living Room", "192.168.1.211")
    right = replace(one("000E58F01502", "Living Room", "192.168.1.212"), answers=False)
    pair = f"{left.uuid}:LF,LF;{right.uuid}:RF,RF"
    return [HouseholdSpecSynth("home", "Sonos_FixtureStereoOfflinexxxx01", (
        Group((Member(left, channel_map_set=pair),)),
        Group((Member(era100("000E58F01503", "Office", "192.168.1.213")),)),
    ))]


def group_dropout() -> list[HouseholdSpecSynth]:
    """Bathroom keeps dropping out of its group: Kitchen's copy of the zone group state says
    Bathroom plays with Kitchen (Kitchen leads), Bathroom's own copy has it on its own (what
    --deep's second read compares; with two members, whichever is asked first, they differ)."""
    kitchen = one("000E58F01601", "Kitchen", "192.168.1.221")
    bathroom = replace(play1("000E58F01602", "Bathroom", "192.168.1.222"), connection="wifi")
    return [HouseholdSpecSynth(
        "home", "Sonos_FixtureGroupDropoutxxxxx01",
        (Group((Member(kitchen), Member(bathroom))),),
        views=((bathroom.uuid, (Group((Member(bathroom),)), Group((Member(kitchen),)))),),
    )]


# ---- diagnosis on real households (releases across years, labels, who said what) ----

S2_2025_BUILDS = ("85.0-64200", "85.0-65020", "85.0-66270")
"""One release, three builds: a real healthy 2025 household (docs/sonos-facts §8)."""


def one_release_many_builds() -> list[HouseholdSpecSynth]:
    """Eight products all on release 85.0, their builds up to 2,070 apart (a real healthy 2025
    household; every minCompatibleVersion 84.0-00000): one release, so no conflict."""
    makers = (one, one, play1, play1, era100, era100, playbar, one)
    players = [replace(make(f"000E58F017{i:02X}", f"Room {i + 1}", f"192.168.1.{10 + i}"),
                       software_version=S2_2025_BUILDS[i % 3], display_version=None)
               for i, make in enumerate(makers)]
    return [HouseholdSpecSynth("home", "Sonos_FixtureOneReleaseBuilds01",
                               tuple(Group((Member(p),)) for p in players))]


def s1_back_after_years() -> list[HouseholdSpecSynth]:
    """An S1 system whose Play:1 comes back after years on 11.2.9 (57.6-88280) while the rest
    runs 11.16.2 (57.23-80060): its build number is higher, but it is the one behind."""
    old = replace(play1_on_s1("000E58F01801", "Attic", "192.168.1.31"),
                  software_version="57.6-88280", display_version="11.2.9")
    return [HouseholdSpecSynth("home", "HHID_FixtureS1BackAfterYears01", (
        Group((Member(connect_gen1("000E58F01802", "Garage", "192.168.1.32")),)),
        Group((Member(play5_gen2_on_s1("000E58F01803", "Den", "192.168.1.33")),)),
        Group((Member(old),)),
    ))]


def s2_back_after_years() -> list[HouseholdSpecSynth]:
    """A Play:1 back from a drawer on 13.1 (63.2-88230) in a household on the August 2026
    release: it is the one to update, and incompatible (below 85.0-00000)."""
    old = replace(play1("000E58F01901", "Attic", "192.168.1.41"), software_version="63.2-88230",
                  display_version="13.1")
    return [HouseholdSpecSynth("home", "Sonos_FixtureS2BackAfterYears01", (
        Group((Member(_aug("000E58F01902", "Kitchen", "192.168.1.42", False)),)),
        Group((Member(_aug("000E58F01903", "Bathroom", "192.168.1.43", True)),)),
        Group((Member(_aug("000E58F01904", "Den", "192.168.1.44", False)),)),
        Group((Member(old),)),
    ))]


def era300(mac: str, room: str, ip: str) -> PlayerSpec:
    return PlayerSpec(mac=mac, room=room, model_number="S41", model_name="Sonos Era 300",
                      display_name="Era 300", software_version="92.0-72090",
                      display_version="17.7", hardware_version="1.41.1.6-1.0", ip=ip)


def one_release_two_labels() -> list[HouseholdSpecSynth]:
    """A One on 92.0-71170 and an Era 300 on 92.0-72090, both reporting 17.7: one release."""
    kitchen = replace(one("000E58F01A01", "Kitchen", "192.168.1.51"),
                      software_version="92.0-71170", display_version="17.7")
    return [HouseholdSpecSynth("home", "Sonos_FixtureOneReleaseLabels01", (
        Group((Member(kitchen),)),
        Group((Member(era300("000E58F01A02", "Living Room", "192.168.1.52")),)),
    ))]


def surrounds_behind() -> list[HouseholdSpecSynth]:
    """Surrounds a release behind their soundbar (81.1-58210 beside 82.3-60160, whose
    minCompatibleVersion is 81.0-00000): behind, yet compatible (a real capture)."""
    arc = PlayerSpec(mac="000E58F01B01", room="TV Room", model_number="S19",
                     model_name="Sonos Arc", display_name="Arc", software_version="82.3-60160",
                     display_version=None, hardware_version="1.19.1.5-1.1", ip="192.168.1.61")
    left, right = (PlayerSpec(mac=f"000E58F01B0{n}", room="TV Room", model_number="S38",
                              model_name="Sonos One SL", display_name="One SL",
                              software_version="81.1-58210", display_version="16.4.4",
                              hardware_version="1.38.1.2-1.0", ip=f"192.168.1.6{n}",
                              connection="home-theater") for n in (2, 3))
    return [HouseholdSpecSynth("home", "Sonos_FixtureSurroundsBehindxx01", (
        Group((Member(arc, ht_sat_chan_map_set=f"{arc.uuid}:LF,RF;{left.uuid}:LR;"
                      f"{right.uuid}:RR", satellites=(
                          (left, f"{arc.uuid}:LF,RF;{left.uuid}:LR"),
                          (right, f"{arc.uuid}:LF,RF;{right.uuid}:RR"))),)),
        Group((Member(replace(one("000E58F01B04", "Kitchen", "192.168.1.64"),
                              software_version="82.3-60160")),)),
    ))]


_NO_SSDP = {"ssdp": False}


def satellite_start() -> list[HouseholdSpecSynth]:
    """A scan that can start only from the Sub of a home theatre (as `--host` of it would):
    the Sub's own copy of the zone group state is stale and still lists the Cabin Play:1,
    which has since moved to an S1 system of its own. The parent's copy is believed."""
    arc = replace(_aug("000E58F01C01", "TV Room", "192.168.1.71", False), model_number="S19",
                  model_name="Sonos Arc", display_name="Arc", hardware_version="1.19.1.5-1.1")
    sub = PlayerSpec(mac="000E58F01C02", room="TV Room", model_number="Sub",
                     model_name="Sonos Sub", display_name="Sub", software_version=S2_AUG_OLD_HW,
                     display_version="17.2.6", hardware_version="1.13.1.2-1.1", memory_mb=512,
                     ip="192.168.1.72", connection="home-theater")
    kitchen = _aug("000E58F01C03", "Kitchen", "192.168.1.73", False)
    cabin = play1_on_s1("000E58F01C04", "Cabin", "192.168.1.74")
    theatre = Member(arc, ht_sat_chan_map_set=f"{arc.uuid}:LF,RF;{sub.uuid}:SW",
                     satellites=((sub, f"{arc.uuid}:LF,RF;{sub.uuid}:SW"),))
    stale = (Group((theatre,)), Group((Member(kitchen),)),
             Group((Member(replace(cabin, answers=False)),)))
    faults: dict[str, object] = {p.uuid: _NO_SSDP for p in (arc, kitchen)}
    return [
        HouseholdSpecSynth("main-s2", "Sonos_FixtureSatelliteStartS2x01",
                           (Group((theatre,)), Group((Member(kitchen),))),
                           vanished=(Vanished("000E58F01C04", "Cabin", "S12", "192.168.1.74",
                                              reason="UNKNOWN"),),
                           faults=faults, views=((sub.uuid, stale),),
                           view_vanished=((sub.uuid, ()),)),
        HouseholdSpecSynth("cabin-s1", "Sonos_FixtureSatelliteStartS1x02",
                           (Group((Member(cabin),)),), faults={cabin.uuid: _NO_SSDP}),
    ]


def overlapping_reads() -> list[HouseholdSpecSynth]:
    """A Play:1 just split off into an S1 system of its own: the S2 system's copy still lists
    it as a member, its new system's copy too. Two households, never merged; it belongs to
    the one it names for itself."""
    cabin = play1_on_s1("000E58F01D01", "Cabin", "192.168.1.81")
    return [
        HouseholdSpecSynth("main-s2", "Sonos_FixtureOverlappingS2xxxx01", (
            Group((Member(one("000E58F01D02", "Kitchen", "192.168.1.82")),)),
            Group((Member(era100("000E58F01D03", "Office", "192.168.1.83")),)),
            Group((Member(replace(cabin, answers=False)),)),
        )),
        HouseholdSpecSynth("cabin-s1", "Sonos_FixtureOverlappingS1xxxx02",
                           (Group((Member(cabin),)),)),
    ]


def vanished_but_answering() -> list[HouseholdSpecSynth]:
    """A Play:5 on S1 that carries the S2 household's own id while that household still lists
    it as vanished: it answers, so it is a current member, and the mix is the conflict."""
    bedroom = play5_gen2_on_s1("000E58F01E01", "Bedroom", "192.168.1.91")
    household = "Sonos_FixtureVanishedAnswering01"
    return [
        HouseholdSpecSynth("home", household, (
            Group((Member(one("000E58F01E02", "Kitchen", "192.168.1.92")),)),
            Group((Member(playbar("000E58F01E03", "Living Room", "192.168.1.93")),)),
        ), vanished=(Vanished("000E58F01E01", "Bedroom", "S6", "192.168.1.91", sw_gen=1,
                              reason="UNKNOWN"),)),
        HouseholdSpecSynth("bedroom", household, (Group((Member(bedroom),)),)),
    ]


def remembered_twice() -> list[HouseholdSpecSynth]:
    """A Roam remembered as vanished by two S2 systems and answering neither: it belongs to
    none of them; the report says who remembers it and when it was last seen."""
    def roam(last_seen: str) -> Vanished:
        return Vanished("000E58F01F01", "Patio", "S27", "192.168.1.109", last_seen=last_seen)

    return [
        HouseholdSpecSynth("first", "Sonos_FixtureRememberedTwiceA01", (
            Group((Member(one("000E58F01F02", "Kitchen", "192.168.1.102")),)),
        ), vanished=(roam("2026-11-20T18:04:11Z"),)),
        HouseholdSpecSynth("second", "Sonos_FixtureRememberedTwiceB02", (
            Group((Member(era100("000E58F01F03", "Studio", "192.168.1.103")),)),
        ), vanished=(roam("2026-12-01T09:30:00Z"),)),
    ]


def conflicting_model_facts() -> list[HouseholdSpecSynth]:
    """A Connect (ZP90) on S1 added to an S2 system: its memory (64 MB) says gen 2, its
    hardware version (family 16) says gen 1. Whether it can run S2 cannot be told."""
    connect = replace(connect_gen1("000E58F02001", "Hi-Fi", "192.168.1.111"), memory_mb=64)
    return [HouseholdSpecSynth("home", "Sonos_FixtureConflictingFacts01", (
        Group((Member(one("000E58F02002", "Kitchen", "192.168.1.112")),)),
        Group((Member(era100("000E58F02003", "Office", "192.168.1.113")),)),
        Group((Member(connect),)),
    ))]


def established_s1_beside_s2() -> list[HouseholdSpecSynth]:
    """An S1 system of three products (a first-generation Connect, a Play:1 and a Play:5 gen 2,
    both of which could run S2) beside an S2 system: a supported setup."""
    return [
        HouseholdSpecSynth("legacy-s1", "HHID_FixtureEstablishedS1xxxxx01", (
            Group((Member(connect_gen1("000E58F02101", "Garage", "192.168.1.121")),)),
            Group((Member(play1_on_s1("000E58F02102", "Workshop", "192.168.1.122")),)),
            Group((Member(play5_gen2_on_s1("000E58F02103", "Den", "192.168.1.123")),)),
        )),
        HouseholdSpecSynth("main-s2", "Sonos_FixtureEstablishedS2xxxxx02", (
            Group((Member(one("000E58F02104", "Kitchen", "192.168.1.124")),)),
            Group((Member(era100("000E58F02105", "Office", "192.168.1.125")),)),
        )),
    ]


def real_readings() -> list[HouseholdSpecSynth]:
    """What real players' topology attributes say, one of each (sonos-facts §8): Wi-Fi mode,
    SonosNet on the same 2.4 GHz channel as the router, a Boost on firmware without EthLink
    (cabled), a player without EthLink (cannot tell), a wired player with its Wi-Fi off, a home
    theatre on its 5 GHz link, a Move charging, a Roam 2 last seen at 4 % and not charging, and
    (with --deep) a status page that states another IP address than the player's."""
    kitchen = replace(_aug("000E58F02201", "Kitchen", "192.168.1.131", False),
                      network=(("WirelessMode", "1"), ("ChannelFreq", "2437"),
                               ("WifiEnabled", "1")))
    living = replace(_aug("000E58F02202", "Living Room", "192.168.1.132", True),
                     network=(("WirelessMode", "0"), ("ChannelFreq", "2437"),
                              ("WifiEnabled", "1"), ("EthLink", "0")))
    boost = PlayerSpec(mac="000E58F02203", room="BOOST", model_number="BR200",
                       model_name="Sonos Boost", display_name="Boost",
                       software_version=S2_AUG_OLD_HW, display_version="17.2.6",
                       hardware_version="1.12.1.3-1.0", memory_mb=256, ip="192.168.1.133",
                       network=(("WirelessMode", "0"),))
    den = replace(_aug("000E58F02204", "Den", "192.168.1.134", True),
                  network=(("WirelessMode", "0"),), status_ip="192.168.1.250")
    office = replace(era100("000E58F02205", "Office", "192.168.1.135"),
                     software_version=S2_AUG_NEW,
                     network=(("WirelessMode", "0"), ("WifiEnabled", "0"), ("EthLink", "1")))
    arc = PlayerSpec(mac="000E58F02206", room="TV Room", model_number="S19",
                     model_name="Sonos Arc", display_name="Arc", software_version=S2_AUG_NEW,
                     display_version=None, hardware_version="1.19.1.5-1.1", ip="192.168.1.136",
                     network=(("WirelessMode", "0"), ("ChannelFreq", "2437"), ("EthLink", "1")))
    surround = [PlayerSpec(mac=f"000E58F0220{n}", room="TV Room", model_number="S38",
                           model_name="Sonos One SL", display_name="One SL",
                           software_version=S2_AUG_NEW, display_version=None,
                           hardware_version="1.38.1.2-1.0", ip=f"192.168.1.13{n}",
                           network=(("WirelessMode", "2"), ("ChannelFreq", "5745")))
                for n in (7, 8)]
    move = PlayerSpec(mac="000E58F02209", room="Garden", model_number="S17",
                      model_name="Sonos Move", display_name="Move", software_version="96.0-79160",
                      display_version=None, hardware_version="1.24.1.8-2.0", ip="192.168.1.139",
                      network=(("WirelessMode", "1"), ("ChannelFreq", "5180")),
                      more_info="RawBattPct:90,BattPct:100,BattChg:CHARGING,BattTmp:32")
    ht = f"{arc.uuid}:LF,RF;{surround[0].uuid}:LR;{surround[1].uuid}:RR"
    return [HouseholdSpecSynth("home", "Sonos_FixtureRealReadingsxxxx01", (
        Group((Member(kitchen),)), Group((Member(living),)),
        Group((Member(boost, invisible=True, zone_bridge=True),)),
        Group((Member(den),)), Group((Member(office),)),
        Group((Member(arc, ht_sat_chan_map_set=ht, satellites=(
            (surround[0], f"{arc.uuid}:LF,RF;{surround[0].uuid}:LR"),
            (surround[1], f"{arc.uuid}:LF,RF;{surround[1].uuid}:RR"))),)),
        Group((Member(move),)),
    ), vanished=(Vanished("000E58F0220A", "Patio", "S54", "192.168.1.140",
                          last_seen="2026-12-06T21:40:00Z",
                          more_info="RawBattPct:5,BattPct:4,BattChg:NOT_CHARGING,BattTmp:20"),))]


_XML_HEAD = ('<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
             "<deviceType>urn:schemas-upnp-org:device:ZonePlayer:1</deviceType>")
HOSTILE_FAULTS: dict[str, object] = {
    "hang": {"hang": True},
    "drip": {"drip_bps": 1},
    "huge": {"huge_mb": 12},
    "endless": {"endless": True},
    "reset": {"reset": True},
    "redirect": {"redirect": "http://203.0.113.7:1400/xml/device_description.xml"},
    "upnp-off": {"status": {"/xml/device_description.xml": 403}},
    "http-500": {"status": {"/xml/device_description.xml": 500}},
    "truncated": {"truncate": True},
    "xxe": {"body": {"/xml/device_description.xml":
                     '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><root>&x;</root>'}},
    "bomb": {"body": {"/xml/device_description.xml":
                      '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
                      "]><root>&b;</root>"}},
    "wrong-namespace": {"body": {"/xml/device_description.xml":
                                 _XML_HEAD.replace("device-1-0", "evil") + "</device></root>"}},
    "not-sonos": {"body": {"/xml/device_description.xml": "<html>router login</html>"}},
    "liar": {"ssdp_location": "http://203.0.113.50:1400/xml/device_description.xml",
             "ssdp_household": "Sonos_SomeoneElse",
             "ssdp_extra": ["HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
                            "USN: uuid:router::upnp:rootdevice\r\nSERVER: MiniUPnPd\r\n\r\n",
                            "\u0000\u0001 garbage \u00ff"],
             "txt": {"hhid": "\u0000\u001b[2J", "info": "A" * 250}},
}


def hostile() -> list[HouseholdSpecSynth]:
    """Four good players beside one player for each hostile behaviour (HOSTILE_FAULTS)."""
    good = healthy_s2()[0]
    bad_players = []
    faults: dict[str, object] = {}
    for index, (name, fault) in enumerate(HOSTILE_FAULTS.items()):
        player = one(f"000E58F00B{index:02X}", f"Hostile {name}\u009b\u202e",
                     f"192.168.1.{150 + index}")
        bad_players.append(Group((Member(player),)))
        faults[player.uuid] = fault
    return [HouseholdSpecSynth("home", "Sonos_FixtureHostileLanxxxxxxxx01",
                               good.groups + tuple(bad_players), faults=faults)]


def fix_in_progress() -> list[HouseholdSpecSynth]:
    """The Error 803 household while support's fix lands: the Play:5 reboots onto S2 and an
    Era 100 drops off for a moment; it ends aligned (demo: `watch --until-aligned`, exit 0)."""
    return error_803()


def fix_stuck() -> list[HouseholdSpecSynth]:
    """The Error 803 household where the fix did not land: the Kitchen reboots, the Play:5
    stays on S1 (demo: `watch --until-aligned` until its short wait runs out, exit 1)."""
    return error_803()


PLAY5_803 = "RINCON_000E58F0010401400"
TIMELINES: dict[str, tuple[TimelineStep, ...]] = {
    "fix-in-progress": (
        TimelineStep(7.0, PLAY5_803, "update", software_version=S2_OLD_HW,
                     sw_gen=2, min_compatible_version="85.0-00000"),
        TimelineStep(12.0, "RINCON_000E58F0010301400", "drop", for_s=8.0),
    ),
    "fix-stuck": (
        TimelineStep(7.0, "RINCON_000E58F0010201400", "reboot"),
    ),
}
"""Scripted changes over time (timeline.json) of the scenarios that tell a story."""


SCENARIOS = {
    "error-803": error_803,
    "healthy-s2": healthy_s2,
    "split-s1-s2": split_s1_s2,
    "home-theater": home_theater,
    "offline-member": offline_member,
    "s1-only-in-s2": s1_only_in_s2,
    "leftover-s1": leftover_s1,
    "legacy-2015": legacy_2015,
    "behind-one-release": behind_one_release,
    "update-in-progress": update_in_progress,
    "hostile": hostile,
    "split-stale-s1-only": split_stale_s1_only,
    "split-stale-dual": split_stale_dual,
    "s1-added-upnp-off": s1_added_upnp_off,
    "topology-refused": topology_refused,
    "healthy-aug-2026": healthy_aug_2026,
    "lag-older-branch": lag_older_branch,
    "lag-newer-branch": lag_newer_branch,
    "consecutive-releases": consecutive_releases,
    "unknown-model-s1": unknown_model_s1,
    "stereo-partner-offline": stereo_partner_offline,
    "group-dropout": group_dropout,
    "one-release-many-builds": one_release_many_builds,
    "s1-back-after-years": s1_back_after_years,
    "s2-back-after-years": s2_back_after_years,
    "one-release-two-labels": one_release_two_labels,
    "surrounds-behind": surrounds_behind,
    "satellite-start": satellite_start,
    "overlapping-reads": overlapping_reads,
    "vanished-but-answering": vanished_but_answering,
    "remembered-twice": remembered_twice,
    "conflicting-model-facts": conflicting_model_facts,
    "established-s1-beside-s2": established_s1_beside_s2,
    "real-readings": real_readings,
    "fix-in-progress": fix_in_progress,
    "fix-stuck": fix_stuck,
}


DEFAULT_SCENARIO = "error-803"


def describe(name: str) -> str:
    """One line about a built-in scenario: the first sentence of its function's docstring."""
    doc = " ".join((SCENARIOS[name].__doc__ or "").split())
    return doc.split(". ", 1)[0].rstrip(".")


def write_scenario(name: str, target: Path) -> Path:
    """Write the built-in scenario `name` as a scenario directory at `target` (replaced)."""
    if target.exists():
        shutil.rmtree(target)
    for household in SCENARIOS[name]():
        write_household(target, household)
    if name in TIMELINES:
        import json

        (target / "timeline.json").write_text(
            json.dumps(timeline_document(TIMELINES[name]), indent=1) + "\n", "utf-8")
    return target

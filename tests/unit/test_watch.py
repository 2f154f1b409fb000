"""`watch` (issue 21) against households served without sockets (emulator/offline.py): the
emulator's state is changed between polls as an update rolling through a household would
change it, and the clock is a fake one, so a watch of many minutes runs in milliseconds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from importlib import resources

import jsonschema
import pytest

from sonos_inventory.emulator.offline import OfflineLan
from sonos_inventory.model import Inventory, ScanObservations
from sonos_inventory.scan import Scan, ScanOptions
from sonos_inventory.scenario.folder import load_scenario
from sonos_inventory.watch import EVENT_KINDS, Watch, WatchEvent, WatchOptions

from ..conftest import scenario
from ..helpers import assert_read_only

PLAY5 = "RINCON_000E58F0010401400"  # the S1 product of error-803 (Bedroom)
PLAYBAR = "RINCON_000E58F0010101400"


class Lan:
    """A scenario served offline, with the changes an update makes to a household."""

    def __init__(self, name: str) -> None:
        self.lan = OfflineLan(load_scenario(scenario(name)))
        self.emulator = self.lan.emulator

    def scan(self, options: ScanOptions) -> tuple[Inventory, ScanObservations]:
        from sonos_inventory.api import inventory_from

        observations = Scan(options, transport=self.lan.transport(),
                            sources=[self.lan.discovery()], local_networks=(),
                            interfaces=()).run()
        return inventory_from(observations), observations

    def _zgs(self, change: Callable[[str], str]) -> None:
        for key, value in list(self.emulator._zgs.items()):
            self.emulator._zgs[key] = change(value)

    def member_attrs(self, uuid: str, **attrs: str) -> None:
        def change(zgs: str) -> str:
            def one(match: re.Match[str]) -> str:
                element = match.group(0)
                for name, value in attrs.items():
                    element = re.sub(rf'{name}="[^"]*"', f'{name}="{value}"', element)
                return element
            return re.sub(rf'<ZoneGroupMember UUID="{uuid}"[^>]*/>', one, zgs)
        self._zgs(change)

    def boot_seq(self, uuid: str) -> int:
        zgs = next(iter(self.emulator._zgs.values()))
        found = re.search(rf'<ZoneGroupMember UUID="{uuid}"[^>]*BootSeq="(\d+)"', zgs)
        assert found
        return int(found.group(1))

    def update(self, uuid: str, version: str, sw_gen: int, minimum: str) -> None:
        """It reboots onto `version`: its description and its topology entry change."""
        self.member_attrs(uuid, SoftwareVersion=version, SWGen=str(sw_gen),
                          MinCompatibleVersion=minimum, BootSeq=str(self.boot_seq(uuid) + 1))
        for endpoint, player in list(self.lan._by_endpoint.items()):
            if player.uuid == uuid:
                xml = player.device_xml.decode()
                for tag, value in (("softwareVersion", version), ("swGen", str(sw_gen)),
                                   ("minCompatibleVersion", minimum)):
                    xml = re.sub(rf"<{tag}>[^<]*</{tag}>", f"<{tag}>{value}</{tag}>", xml)
                xml = re.sub(r"<displayVersion>[^<]*</displayVersion>", "", xml)
                self.lan._by_endpoint[endpoint] = replace(player, device_xml=xml.encode())

    def drop(self, uuid: str) -> str:
        """It drops off: the household lists it among its vanished devices."""
        zgs = next(iter(self.emulator._zgs.values()))
        found = re.search(rf'<ZoneGroupMember UUID="{uuid}"[^>]*/>', zgs)
        assert found
        element = found.group(0)
        self._zgs(lambda z: z.replace(element, "").replace(
            "</ZoneGroups>", f'</ZoneGroups><VanishedDevices><Device UUID="{uuid}" '
            'ZoneName="Bedroom" Reason="powered off"/></VanishedDevices>', 1))
        return element

    def back(self, element: str) -> None:
        self._zgs(lambda z: re.sub(r"<VanishedDevices>.*</VanishedDevices>", "", z).replace(
            "</ZoneGroups>", f'<ZoneGroup Coordinator="x" ID="x:1">{element}</ZoneGroup>'
            "</ZoneGroups>", 1))

    def remove(self, uuid: str) -> None:
        self._zgs(lambda z: re.sub(rf'<ZoneGroupMember UUID="{uuid}"[^>]*/>', "", z))


class Clock:
    """Monotonic time that moves only when the watch waits; `at` maps a poll to a change."""

    def __init__(self, at: dict[int, Callable[[], None]] | None = None) -> None:
        self.now = 1000.0
        self.waits = 0
        self.at = at or {}

    def monotonic(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += seconds
        self.waits += 1
        if self.waits in self.at:
            self.at[self.waits]()
        return self.waits > 200  # a runaway test stops


def watch(lan: Lan, clock: Clock, **options: float | bool) -> tuple[Watch, list[WatchEvent]]:
    values: dict[str, float | bool] = {"interval_s": 30.0}
    values.update(options)
    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False), WatchOptions(**values),  # type: ignore[arg-type]
                    transport=lan.lan.transport(), scanner=lan.scan, local_networks=(),
                    monotonic=clock.monotonic, wait=clock.wait,
                    wall=lambda: f"2026-12-07T10:{int(clock.now // 60) % 60:02d}:00Z")
    return running, list(running.run())


def kinds(events: list[WatchEvent]) -> list[str]:
    return [e.kind for e in events]


def test_the_fix_lands_and_the_watch_ends_aligned() -> None:
    lan = Lan("error-803")
    clock = Clock({2: lambda: lan.update(PLAY5, "86.7-77050", 2, "85.0-00000")})
    running, events = watch(lan, clock, until_aligned=True)
    assert running.state.outcome == "aligned"
    assert kinds(events) == ["rebooted", "version-changed", "verdict-changed", "aligned"]
    changed = events[1]
    assert (changed.uuid, changed.room, changed.old, changed.new) == (
        PLAY5, "Bedroom", "57.23-80060", "86.7-77050")
    assert "track S2" in changed.detail
    assert (events[2].old, events[2].new) == ("likely", "not-indicated")
    assert clock.waits == 3  # aligned on the poll of the update and the one after
    assert running.state.inventory is not None
    assert running.state.inventory.player(PLAY5).track.value == "S2"  # type: ignore[union-attr]


def test_out_of_time_names_what_is_stuck_and_for_how_long() -> None:
    lan = Lan("error-803")
    clock = Clock()
    running, events = watch(lan, clock, until_aligned=True, max_wait_s=0.5 * 60,
                            interval_s=5.0)
    assert running.state.outcome == "timed-out" and "aligned" not in kinds(events)
    stuck = running.not_aligned()
    assert any(line.startswith("Bedroom: not in step for") for line in stuck), stuck


def test_a_product_that_drops_off_is_waited_for_then_comes_back() -> None:
    lan = Lan("healthy-s2")
    uuid = lan.lan.players[0].uuid
    saved: list[str] = []
    clock = Clock({1: lambda: saved.append(lan.drop(uuid)), 3: lambda: lan.back(saved[0])})
    running, events = watch(lan, clock, until_aligned=True)
    assert kinds(events)[:2] == ["vanished", "back"]
    assert events[1].detail == "back after 60 s"
    assert running.state.outcome == "aligned"
    assert clock.waits >= 4  # not aligned while it was gone


def test_a_product_that_leaves_the_topology_is_not_waited_for() -> None:
    lan = Lan("healthy-s2")
    uuid = lan.lan.players[-1].uuid
    clock = Clock({1: lambda: lan.remove(uuid)})
    running, events = watch(lan, clock, until_aligned=True)
    assert kinds(events)[0] == "left" and events[0].uuid == uuid
    assert running.state.outcome == "aligned"


def test_a_reboot_alone_rereads_the_product_once() -> None:
    lan = Lan("healthy-s2")
    uuid = lan.lan.players[0].uuid
    clock = Clock({1: lambda: lan.member_attrs(uuid, BootSeq=str(lan.boot_seq(uuid) + 5))})
    _running, events = watch(lan, clock, until_aligned=True)
    assert kinds(events) == ["rebooted", "aligned"]
    reads = [e for e in lan.emulator.log.entries
             if e["path"] == "/xml/device_description.xml" and e["player"] == uuid]
    assert len(reads) == 2  # the scan's read, and one after the reboot: never more


def test_every_event_matches_the_schema_and_every_request_is_a_read() -> None:
    lan = Lan("error-803")
    clock = Clock({1: lambda: lan.update(PLAY5, "86.7-77050", 2, "85.0-00000"),
                   2: lambda: lan.remove(PLAYBAR)})
    _running, events = watch(lan, clock, until_aligned=True)
    schema = json.loads(resources.files("sonos_inventory").joinpath(
        "data/watch-event.schema.json").read_text("utf-8"))
    assert set(schema["properties"]["kind"]["enum"]) == set(EVENT_KINDS)
    for event in events:
        jsonschema.validate(event.as_dict(), schema)
    assert "left" in kinds(events)
    assert_read_only(lan.emulator)  # every request the watch sent is an allowed read
    polls = [e for e in lan.emulator.log.entries if e["soap_action"]
             and e["soap_action"].endswith("#GetZoneGroupState")]
    assert len(polls) <= 1 + clock.waits  # the scan's read, then one per household per poll


def test_a_watch_that_found_nothing_is_never_aligned() -> None:
    lan = Lan("healthy-s2")
    clock = Clock()

    def nothing(options: ScanOptions) -> tuple[Inventory, ScanObservations]:
        from sonos_inventory.api import inventory_from
        from sonos_inventory.model import Method

        empty = ScanObservations("a", "b", (Method.SSDP,), (), (), ())
        return inventory_from(empty), empty

    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False),
                    WatchOptions(interval_s=5.0, until_aligned=True, max_wait_s=60.0),
                    transport=lan.lan.transport(), scanner=nothing, local_networks=(),
                    monotonic=clock.monotonic, wait=clock.wait)
    assert list(running.run()) == []
    assert running.state.outcome == "timed-out"
    assert "no product was read" in running.not_aligned()


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_an_event_line_is_one_line_of_plain_text(kind: str) -> None:
    event = WatchEvent("2026-12-07T10:00:00Z", kind, PLAY5, "Bed\x1b[31mroom\n", "h", "a\nb",
                       "c", "detail\u202e")
    line = event.line()
    assert "\n" not in line and "\x1b" not in line and "\u202e" not in line

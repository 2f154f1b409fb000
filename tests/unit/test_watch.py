"""`watch` (issue 21) against households served without sockets (emulator/offline.py): the
emulator's state is changed between polls as an update rolling through a household would
change it, and the clock is a fake one, so a watch of many minutes runs in milliseconds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sonos_inventory.emulator.offline import OfflineLan
from sonos_inventory.model import Inventory, ScanObservations
from sonos_inventory.scan import Scan, ScanOptions
from sonos_inventory.scenario.folder import load_scenario
from sonos_inventory.scenario.timeline import (
    TimelineStep,
    boot_seq,
    restored,
    with_attributes,
    without_member,
)
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

    def apply(self, uuid: str, change: str, **values: object) -> None:
        self.emulator.apply(TimelineStep(0.0, uuid, change, **values))  # type: ignore[arg-type]

    def update(self, uuid: str, version: str, sw_gen: int, minimum: str) -> None:
        """It reboots onto `version` (as a timeline's "update" step)."""
        self.apply(uuid, "update", software_version=version, sw_gen=sw_gen,
                   min_compatible_version=minimum)

    def member_attrs(self, uuid: str, **attrs: str) -> None:
        for key, zgs in list(self.emulator._zgs.items()):
            self.emulator._zgs[key] = with_attributes(zgs, uuid, **attrs)

    def boot_seq(self, uuid: str) -> int:
        count = boot_seq(next(iter(self.emulator._zgs.values())), uuid)
        assert count is not None
        return count


class Clock:
    """Monotonic time that moves only when the watch waits; `at` maps a poll to a change."""

    def __init__(self, at: dict[int, Callable[[], None]] | None = None,
                 limit: int = 200) -> None:
        self.now = 1000.0
        self.waits = 0
        self.at = at or {}
        self.limit = limit

    def monotonic(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += seconds
        self.waits += 1
        if self.waits in self.at:
            self.at[self.waits]()
        return self.waits > self.limit  # a runaway test stops


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
    clock = Clock({1: lambda: lan.apply(uuid, "drop"), 3: lambda: lan.apply(uuid, "back")})
    running, events = watch(lan, clock, until_aligned=True)
    assert kinds(events)[:2] == ["vanished", "back"]
    assert events[1].detail == "back after 60 s"
    assert running.state.outcome == "aligned"
    assert clock.waits >= 4  # not aligned while it was gone


def test_a_product_that_leaves_the_topology_is_not_waited_for() -> None:
    lan = Lan("healthy-s2")
    uuid = lan.lan.players[-1].uuid
    clock = Clock({1: lambda: lan.apply(uuid, "leave")})
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
                   2: lambda: lan.apply(PLAYBAR, "leave")})
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


def test_a_product_that_appears_and_one_that_moves_households() -> None:
    lan = Lan("split-s1-s2")
    names = [h.name for h in lan.emulator.scenario.households]
    s2, s1 = (n for n in names)
    s2_zgs = lan.emulator._zgs[s2]
    newcomer = re.findall(r'<ZoneGroupMember UUID="(RINCON_[^"]+)"', s2_zgs)[-1]
    mover = re.findall(r'<ZoneGroupMember UUID="(RINCON_[^"]+)"', lan.emulator._zgs[s1])[0]
    lan.emulator._zgs[s2], element = without_member(s2_zgs, newcomer)  # not there at first
    lan.emulator._silent.add(newcomer)  # and not answering anything
    assert element is not None

    def appear() -> None:
        lan.emulator._silent.discard(newcomer)
        lan.emulator._zgs[s2] = restored(lan.emulator._zgs[s2], newcomer, element)

    def move() -> None:
        lan.emulator._zgs[s1], moved = without_member(lan.emulator._zgs[s1], mover)
        assert moved is not None
        lan.emulator._zgs[s2] = restored(lan.emulator._zgs[s2], mover, moved)

    clock = Clock({1: appear, 2: move, 3: lambda: None})
    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False), WatchOptions(interval_s=30.0),
                    transport=lan.lan.transport(), scanner=lan.scan, local_networks=(),
                    monotonic=clock.monotonic, wait=lambda s: clock.wait(s) or clock.waits > 3)
    events = list(running.run())
    assert [(e.kind, e.uuid) for e in events if e.kind in ("appeared", "moved")] == [
        ("appeared", newcomer), ("moved", mover)]


@pytest.mark.slow  # hours of polls: the default tier has the other watch tests
@pytest.mark.parametrize("hours", [1, 24])
def test_a_flapping_product_cannot_drive_the_request_rate_or_the_memory(hours: int) -> None:
    """A product that drops off and comes back at every poll, for hours of watching at the
    default interval: one zone group state per household per poll, at most one description
    per product per poll, at most MAX_WATCH_EVENTS_KEPT events in memory, and memory that
    stays flat (the second half of the watch adds nothing that stays)."""
    import tracemalloc

    from sonos_inventory import bounds

    lan = Lan("healthy-s2")
    uuid = lan.lan.players[1].uuid
    polls = hours * 3600 // 30
    sent: dict[str, int] = {"zgs": 0, "description": 0}
    inner = lan.lan.transport()

    class Counting:  # counts what is sent; the fake's own request log is emptied as it goes
        def send(self, request: Any, deadline: float) -> Any:
            if (request.soap_action or "").endswith("#GetZoneGroupState"):
                sent["zgs"] += 1
            elif request.path == "/xml/device_description.xml":
                sent["description"] += 1
            return inner.send(request, deadline)

        def abort(self) -> None:
            inner.abort()

    def flip(n: int) -> None:
        lan.emulator.log.entries.clear()
        lan.apply(uuid, "drop" if n % 2 else "back")

    flips: dict[int, Callable[[], None]] = {
        n: (lambda n=n: flip(n)) for n in range(1, polls + 1)}  # type: ignore[misc]
    clock = Clock(flips, limit=polls)
    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False), WatchOptions(interval_s=30.0),
                    transport=Counting(), scanner=lan.scan, local_networks=(),
                    monotonic=clock.monotonic,
                    wait=lambda s: clock.wait(s) or clock.waits > polls)
    tracemalloc.start()
    try:
        count, middle = 0, 0
        for _event in running.run():
            count += 1
            if clock.waits == polls // 2 and not middle:
                middle = tracemalloc.get_traced_memory()[0]
        end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert count >= polls - 2  # a vanished or a back event at (nearly) every poll
    assert len(running.state.events) == min(count, bounds.MAX_WATCH_EVENTS_KEPT)
    assert end - middle < 300_000, (middle, end)
    assert sent["zgs"] <= polls  # one household: one read per poll
    assert sent["description"] <= polls // 2 + 1  # only when it comes back


def test_a_player_that_never_answers_does_not_stall_the_watch() -> None:
    """The household is read from another member when its last source stops answering."""
    from sonos_inventory.errors import FetchFailed
    from sonos_inventory.model import ErrorKind

    lan = Lan("healthy-s2")
    inner = lan.lan.transport()
    hung: set[str] = set()

    class Hanging:
        def send(self, request: Any, deadline: float) -> Any:
            if request.endpoint.host in hung:
                raise FetchFailed(ErrorKind.TIMEOUT, "no answer within the deadline")
            return inner.send(request, deadline)

        def abort(self) -> None:
            inner.abort()

    def hang_the_source() -> None:
        hung.add(running.reads[0].source.host)

    clock = Clock({1: hang_the_source})
    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False),
                    WatchOptions(interval_s=30.0, until_aligned=True), transport=Hanging(),
                    scanner=lan.scan, local_networks=(), monotonic=clock.monotonic,
                    wait=clock.wait)
    list(running.run())
    assert running.state.outcome == "aligned"
    assert running.reads[0].source.host not in hung  # read from another member


def test_ctrl_c_while_waiting_ends_the_watch_with_its_state_kept() -> None:
    lan = Lan("error-803")

    def interrupted(seconds: float) -> bool:
        raise KeyboardInterrupt

    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False), WatchOptions(),
                    transport=lan.lan.transport(), scanner=lan.scan, local_networks=(),
                    wait=interrupted)
    with pytest.raises(KeyboardInterrupt):
        list(running.run())
    assert running.state.inventory is not None and running.state.polls == 1
    assert any(line.startswith("Bedroom: not in step") for line in running.not_aligned())


@pytest.mark.parametrize(("document", "message"), [
    ({"at_s": 1}, "a timeline is a list"),
    ([{"at_s": -1, "uuid": PLAY5, "change": "reboot"}], "at_s must be seconds"),
    ([{"at_s": 1, "uuid": "x", "change": "reboot"}], "uuid must be"),
    ([{"at_s": 1, "uuid": PLAY5, "change": "explode"}], "change must be one of"),
    ([{"at_s": 1, "uuid": PLAY5, "change": "update", "sw_gen": 2,
       "software_version": "<x>", "min_compatible_version": "1.0-0"}], "software_version"),
    ([{"at_s": 1, "uuid": PLAY5, "change": "reboot", "rm": "-rf"}], "unknown key"),
])
def test_a_bad_timeline_is_one_line_naming_the_step(document: object, message: str) -> None:
    from sonos_inventory.errors import UsageError
    from sonos_inventory.scenario.timeline import parse_timeline

    with pytest.raises(UsageError, match=message):
        parse_timeline(document, "timeline.json")


def test_the_story_scenarios_carry_their_timelines() -> None:
    for name in ("fix-in-progress", "fix-stuck"):
        timeline = load_scenario(scenario(name)).timeline
        assert timeline and all(step.at_s < 60 for step in timeline)


def test_analyze_of_a_watch_log_shows_its_timeline(tmp_path: Path) -> None:
    """`watch --output` writes JSON Lines; `analyze` of that file is its timeline, per product,
    in Markdown (the terminal), HTML, JSON or CSV: exit 0 when it ends aligned, else 1."""
    from click.testing import CliRunner

    from sonos_inventory.cli import cli
    from sonos_inventory.watch import EventStream

    lan = Lan("error-803")
    clock = Clock({1: lambda: lan.update(PLAY5, "86.7-77050", 2, "85.0-00000")})
    _running, events = watch(lan, clock, until_aligned=True)
    log = tmp_path / "events.jsonl"
    stream = EventStream(str(log))
    for event in events:
        stream.write(event)
    stream.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["analyze", str(log)])
    assert result.exit_code == 0, result.output
    assert "## Bedroom (versions 57.23-80060 -> 86.7-77050, 1 reboot)" in result.stdout
    assert "It ends aligned" in result.stdout
    page = tmp_path / "timeline.html"
    assert runner.invoke(cli, ["analyze", str(log), "-o", str(page)]).exit_code == 0
    assert 'class="chip version-changed"' in page.read_text()
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text(json.dumps({**events[0].as_dict(), "room": "<script>\x1b[2J",
                                   "kind": "rebooted"}) + "\n")
    out = runner.invoke(cli, ["analyze", str(hostile), "-f", "html"])
    assert out.exit_code == 1 and "<script>" not in out.stdout and "\x1b" not in out.stdout
    broken = tmp_path / "broken.jsonl"
    broken.write_text(log.read_text() + '{"time": "x", "kind": "exploded"}\n')
    bad = runner.invoke(cli, ["analyze", str(broken)])
    assert bad.exit_code == 2 and "line 5: not a watch event" in bad.stderr


def test_notify_parsing_takes_only_sonos_alive_and_byebye_from_their_sender() -> None:
    from sonos_inventory.discovery.notify import parse_notify

    alive = (b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
             b"NT: urn:schemas-upnp-org:device:ZonePlayer:1\r\nNTS: ssdp:alive\r\n"
             b"USN: uuid:RINCON_000E58F0010401400::urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
             b"LOCATION: http://203.0.113.9:1400/xml/device_description.xml\r\n"
             b"SERVER: Linux UPnP/1.0 Sonos/86.7-77050 (ZPS6)\r\nX-RINCON-BOOTSEQ: 384\r\n\r\n")
    notice = parse_notify(alive, "192.168.1.24")
    assert notice is not None and notice.alive and notice.boot_seq == 384
    assert notice.endpoint.host == "192.168.1.24"  # the sender, never the LOCATION's host
    byebye = alive.replace(b"ssdp:alive", b"ssdp:byebye")
    assert parse_notify(byebye, "192.168.1.24").alive is False  # type: ignore[union-attr]
    for other in (b"M-SEARCH * HTTP/1.1\r\n\r\n", b"\x00garbage", alive.replace(
            b"ssdp:alive", b"ssdp:update"), b"NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\n\r\n"):
        assert parse_notify(other, "192.168.1.24") is None


def test_the_event_stream_appends_never_follows_a_link_and_never_blocks(tmp_path: Path
                                                                       ) -> None:
    import os

    from sonos_inventory.watch import EventStream

    event = WatchEvent("2026-12-07T10:00:00Z", "rebooted", PLAY5, "=cmd|' /C calc'!A0", "h",
                       "1", "2", "BootSeq rose")
    log = tmp_path / "events.csv"
    for _ in range(2):  # a second watch appends to the same file, under the one header
        stream = EventStream(str(log), "csv")
        stream.write(event)
        stream.close()
    lines = log.read_text().splitlines()
    assert lines[0] == "time,kind,uuid,room,household_id,old,new,detail" and len(lines) == 3
    assert "'=cmd" in lines[1]  # a spreadsheet formula is neutralised
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    target = tmp_path / "elsewhere.jsonl"
    target.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with pytest.raises(OSError):
        EventStream(str(link))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError):  # nobody reads it: an error at once, not a hang
        EventStream(str(fifo))


def test_the_api_raises_not_aligned_naming_what_is_stuck() -> None:
    """As the command exits 1: the iterator of watch(until_aligned=True) ends with NotAligned
    when max_wait_s runs out first, never as if it were aligned."""
    from sonos_inventory.api import _events
    from sonos_inventory.errors import NotAligned

    lan = Lan("error-803")
    clock = Clock()
    running = Watch(ScanOptions(use_ssdp=False, use_mdns=False),
                    WatchOptions(interval_s=5.0, until_aligned=True, max_wait_s=30.0),
                    transport=lan.lan.transport(), scanner=lan.scan, local_networks=(),
                    monotonic=clock.monotonic, wait=clock.wait)
    with pytest.raises(NotAligned) as caught:
        list(_events(running))
    assert any("Bedroom: not in step for" in line and "(runs 57.23-80060, S1)" in line
               for line in caught.value.stuck), caught.value.stuck


def test_a_timeline_naming_a_player_the_scenario_lacks_is_refused(tmp_path: Path) -> None:
    from sonos_inventory.errors import UsageError
    from sonos_inventory.scenario.builtin import write_scenario

    folder = write_scenario("healthy-s2", tmp_path / "story")
    (folder / "timeline.json").write_text(json.dumps(
        [{"at_s": 1, "uuid": "RINCON_000E58F0999901400", "change": "reboot"}]))
    with pytest.raises(UsageError, match="RINCON_000E58F0999901400, which is not a player"):
        load_scenario(folder)


def test_an_ssdp_responder_stopped_before_it_started_stops_cleanly() -> None:
    """Ctrl-C can stop the emulator while its SSDP responder is still starting (a race the
    Ctrl-C-at-start test once hit): stop() must join only what started."""
    import random

    from sonos_inventory.emulator.ssdp import SsdpResponder

    responder = SsdpResponder(None, random.Random(1))  # type: ignore[arg-type]
    responder.stop()  # nothing started: no RuntimeError, no AttributeError

"""`sonos-inventory watch`: follow a household over time, read-only, while a fix rolls through it.

Cheap polling: one zone group state per household per interval. A product's description is read
again only when it appears or comes back, its BootSeq rises or its version in the zone group state
changes: at most once per product per poll, so a flapping or hostile player cannot drive the
request rate. No event subscription (the read-only policy rules out SUBSCRIBE). Every member
address goes through the network policy as in a scan. Each poll is turned into an inventory by
the same pipeline as a scan (inventory.py, then analyze), so "aligned" means what it means to
`diff`.

The events are WatchEvent values; the watch keeps at most bounds.MAX_WATCH_EVENTS_KEPT of them
in memory (the caller streams them all to a file).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from . import bounds
from .analyze.labels import release_label
from .collect.read import read_description, read_topology
from .collect.transport import HttpTransport, Transport
from .diff import alignment_problems, is_aligned
from .discovery.interfaces import list_interfaces
from .model import (
    Endpoint,
    ErrorKind,
    HouseholdRead,
    Inventory,
    Likelihood,
    Method,
    Problem,
    ScanObservations,
    TargetObservation,
    ZoneMember,
)
from .netpolicy import IPNetwork, Origin, check, endpoint_from_location
from .report.safe_text import for_terminal
from .scan import ScanOptions, inventory_from, run_scan, utc_now

EVENT_KINDS = ("appeared", "vanished", "back", "rebooted", "version-changed", "moved", "left",
               "verdict-changed", "aligned")
EVENT_KEYS = ("time", "kind", "uuid", "room", "household_id", "old", "new", "detail")


@dataclass(frozen=True)
class WatchEvent:
    """One thing that happened, as one JSON Lines line (data/watch-event.schema.json)."""

    time: str  # UTC, ISO 8601
    kind: str  # one of EVENT_KINDS
    uuid: str | None
    room: str | None
    household_id: str | None
    old: str | None
    new: str | None
    detail: str

    def as_dict(self) -> dict[str, str | None]:
        return {key: getattr(self, key) for key in EVENT_KEYS}

    def line(self) -> str:
        """One line for a person: local time, what, where (device text neutralised)."""
        when = _local_clock(self.time)
        who = f" {for_terminal(self.room or self.uuid or '', 40)}:" if (
            self.room or self.uuid) else ""
        change = (f" {for_terminal(self.old, 40)} -> {for_terminal(self.new, 40)}"
                  if self.old is not None or self.new is not None else "")
        return f"{when} {self.kind}{who}{change} {for_terminal(self.detail, 300)}".rstrip()


@dataclass(frozen=True)
class WatchOptions:
    interval_s: float = bounds.WATCH_DEFAULT_INTERVAL_S
    until_aligned: bool = False
    max_wait_s: float = bounds.WATCH_DEFAULT_MAX_WAIT_MIN * 60
    dropped_wait_s: float = bounds.WATCH_DROPPED_WAIT_S
    notify: bool = True
    """Also listen for SSDP NOTIFY between polls (where the scan searches with SSDP) and poll
    early when a product says it rebooted, left or came back."""


@dataclass
class _Product:
    uuid: str
    room: str | None
    household_id: str | None
    version: str | None
    boot_seq: int | None
    present: bool
    endpoint: Endpoint | None = None
    gone_since: float | None = None  # monotonic seconds, while it is dropped off
    gone_at: str | None = None  # UTC, for "dropped off at HH:MM"
    left: bool = False
    behind_since: float | None = None  # monotonic seconds, while a finding holds it back
    events: int = 0


@dataclass
class WatchState:
    """What the watch knows after each poll, for the status line and the summary."""

    inventory: Inventory | None = None
    polls: int = 0
    aligned_polls: int = 0
    outcome: str = "watching"  # watching, aligned, timed-out
    events: deque[WatchEvent] = field(
        default_factory=lambda: deque(maxlen=bounds.MAX_WATCH_EVENTS_KEPT))


def _local_clock(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime(
            "%H:%M:%S")
    except ValueError:
        return for_terminal(stamp, 25)


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


class Watch:
    """One watch: an initial scan, then a poll per interval until stopped, aligned (with
    until_aligned) or out of time. `run()` yields the events as they happen."""

    def __init__(self, scan_options: ScanOptions, options: WatchOptions, *,
                 transport: Transport | None = None,
                 scanner: Callable[[ScanOptions], tuple[Inventory, ScanObservations]]
                 | None = None,
                 local_networks: tuple[IPNetwork, ...] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], str] = utc_now,
                 wait: Callable[[float], bool] | None = None) -> None:
        self.scan_options = scan_options
        self.options = options
        self.transport = transport or HttpTransport()
        self.scanner = scanner or (lambda options: run_scan(options))
        self.local_networks = (local_networks if local_networks is not None
                               else tuple(i.network for i in list_interfaces()))
        self.monotonic = monotonic
        self.wall = wall
        self._stopped = threading.Event()
        self._woken = threading.Event()  # a NOTIFY asked for an early poll
        self._listening = wait is None and options.notify and scan_options.use_ssdp
        self.wait = wait or self._wait_or_notice
        self.last_poll = monotonic()
        self.notices = 0
        self.state = WatchState()
        self.products: dict[str, _Product] = {}
        self.base: ScanObservations | None = None
        self.targets: dict[str, TargetObservation] = {}
        self.others: tuple[TargetObservation, ...] = ()  # addresses that never said who
        self.reads: list[HouseholdRead] = []
        self.started = monotonic()
        self.verdict: Likelihood | None = None

    def stop(self) -> None:
        self._stopped.set()

    # ---- the loop ----

    def run(self) -> Iterator[WatchEvent]:
        listener = self._listen() if self._listening else None
        try:
            yield from self._loop()
        finally:
            if listener is not None:
                listener.stop()

    def _listen(self) -> Any:
        from .discovery.interfaces import default_discovery_interfaces
        from .discovery.notify import NotifyListener

        interfaces = self.scan_options.interface_addrs or tuple(
            i.address for i in default_discovery_interfaces(list_interfaces()))
        return NotifyListener(interfaces, self._notice,
                              local_networks=self.local_networks).start()

    def _notice(self, notice: Any) -> None:
        """From the listener's thread: poll early when a product says something changed."""
        product = self.products.get(notice.uuid)
        changed = (product is None and notice.alive) or (product is not None and (
            product.present != notice.alive or (
                notice.boot_seq is not None and product.boot_seq is not None
                and notice.boot_seq > product.boot_seq)))
        if changed:
            self.notices += 1
            self._woken.set()

    def _wait_or_notice(self, seconds: float) -> bool:
        """Until the interval is over, or a notice came and the minimum interval has passed
        since the last poll; True when the watch was stopped."""
        deadline = self.monotonic() + seconds
        while True:
            if self._stopped.is_set():
                return True
            now = self.monotonic()
            if now >= deadline:
                return False
            if self._woken.is_set() and now >= self.last_poll + bounds.WATCH_MIN_INTERVAL_S:
                self._woken.clear()
                return False
            self._stopped.wait(min(0.2, deadline - now))

    def _loop(self) -> Iterator[WatchEvent]:
        yield from self._record(self._start())
        while not self._stopped.is_set():
            if self.wait(self.options.interval_s) or self._stopped.is_set():
                return
            if (self.options.until_aligned
                    and self.monotonic() - self.started >= self.options.max_wait_s):
                self.state.outcome = "timed-out"
                return
            yield from self._record(self._poll() if self.reads else self._start())
            if self.state.outcome == "aligned":
                return

    def _record(self, events: list[WatchEvent]) -> Iterator[WatchEvent]:
        for event in events:
            self.state.events.append(event)
            product = self.products.get(event.uuid or "")
            if product is not None:
                product.events += 1
            yield event

    def _start(self) -> list[WatchEvent]:
        """A full scan: the products and households to follow (again, while none is known)."""
        inventory, observations = self.scanner(self.scan_options)
        if observations.interrupted:  # Ctrl-C during the scan: the watch stops, as a scan does
            raise KeyboardInterrupt
        self.base = observations
        self.targets = {t.uuid: t for t in observations.targets if t.uuid}
        self.others = tuple(t for t in observations.targets if not t.uuid)
        self.reads = [r for r in observations.household_reads if r.topology is not None]
        now = self.wall()
        events = []
        for player in inventory.players:
            known = player.uuid in self.products
            self.products[player.uuid] = _Product(
                player.uuid, player.room, player.household_id, player.software_version,
                player.boot_seq, not player.vanished,
                Endpoint(player.ip, player.port or 1400) if player.ip else None)
            if not known and self.state.polls and not player.vanished:
                events.append(self._event(now, "appeared", player.uuid, detail="found by a scan"))
        return events + self._judge(inventory, now)

    def _poll(self) -> list[WatchEvent]:
        now, clock = self.wall(), self.monotonic()
        self.last_poll = clock
        listed: dict[str, tuple[str | None, ZoneMember, Endpoint]] = {}
        remembered: set[str] = set()
        read_households: set[str | None] = set()
        reads = []
        for previous in self.reads:
            read, fresh = self._read_household(previous)
            reads.append(read)
            if not fresh or read.topology is None:
                continue
            read_households.add(read.household_id)
            for member in read.topology.members:
                listed.setdefault(member.uuid, (read.household_id, member, read.source))
            remembered.update(v.uuid for v in read.topology.vanished)
        self.reads = reads
        events: list[WatchEvent] = []
        reread: dict[str, Endpoint | None] = {}
        changed: dict[str, str | None] = {}  # uuid -> the version before
        for uuid, (household_id, member, source) in listed.items():
            endpoint = self._allowed(member, source)
            product = self.products.get(uuid)
            if product is None:
                product = self.products[uuid] = _Product(
                    uuid, member.zone_name, household_id, member.software_version,
                    member.boot_seq, True, endpoint)
                events.append(self._event(now, "appeared", uuid, new=member.software_version,
                                          detail="now a member of the household"))
                reread[uuid] = endpoint
                continue
            if not product.present:
                gone = clock - product.gone_since if product.gone_since is not None else 0.0
                events.append(self._event(now, "back", uuid,
                                          detail=f"back after {_duration(gone)}"))
                product.present, product.left = True, False
                product.gone_since = product.gone_at = None
                reread[uuid] = endpoint
            if product.household_id != household_id:
                events.append(self._event(now, "moved", uuid, old=product.household_id,
                                          new=household_id, detail="now in another household"))
                product.household_id = household_id
            if (member.boot_seq is not None and product.boot_seq is not None
                    and member.boot_seq > product.boot_seq):
                events.append(self._event(now, "rebooted", uuid, old=str(product.boot_seq),
                                          new=str(member.boot_seq), detail="BootSeq rose"))
                reread[uuid] = endpoint
            if member.software_version and member.software_version != product.version:
                changed[uuid] = product.version
                reread[uuid] = endpoint
            product.boot_seq = member.boot_seq if member.boot_seq is not None else (
                product.boot_seq)
            product.room = member.zone_name or product.room
            product.endpoint = endpoint or product.endpoint
        for uuid, product in self.products.items():
            if not product.present or uuid in listed or product.household_id not in (
                    read_households):
                continue  # still there, already gone, or its household was not read now
            product.present, product.gone_since, product.gone_at = False, clock, now
            old = self.targets.get(uuid)
            if old is not None:  # what it answered before is not what it answers now
                self.targets[uuid] = TargetObservation(
                    old.endpoint, old.via, expected_uuid=uuid,
                    problem=Problem(ErrorKind.VANISHED, "it dropped off during the watch"))
            if uuid in remembered:
                events.append(self._event(now, "vanished", uuid,
                                          detail="dropped off (the household lists it as gone)"))
            else:
                product.left = True
                events.append(self._event(now, "left", uuid,
                                          detail="no longer in the household's topology"))
        for uuid, endpoint in reread.items():  # at most once per product per poll
            self._reread(uuid, endpoint)
        inventory = inventory_from(self._observations(now, reads))
        for uuid, before in changed.items():
            player = inventory.player(uuid)
            after = player.software_version if player else None
            if player is None or after == before:
                continue
            label = release_label(player.software_version, player.display_version)
            events.append(self._event(now, "version-changed", uuid, old=before, new=after,
                                      detail=f"track {player.track.value}, "
                                             f"{label.short()}"))
            self.products[uuid].version = after
        return events + self._judge(inventory, now)

    # ---- reading ----

    def _allowed(self, member: ZoneMember, source: Endpoint) -> Endpoint | None:
        endpoint = endpoint_from_location(member.location)
        if endpoint is None:
            return None
        decision = check(endpoint, Origin.TOPOLOGY, reporter=source,
                         local_networks=self.local_networks)
        return endpoint if decision.allowed else None

    def _read_household(self, previous: HouseholdRead) -> tuple[HouseholdRead, bool]:
        """The household's zone group state from its last source, else from other members
        that answered before; the previous read (not fresh) when none answers now."""
        sources = [previous.source] + [
            p.endpoint for p in self.products.values()
            if p.present and p.endpoint is not None and p.household_id == previous.household_id
            and p.endpoint != previous.source and p.uuid in self.targets
            and self.targets[p.uuid].description is not None]
        for endpoint in list(dict.fromkeys(sources))[:bounds.WATCH_SOURCES_PER_POLL]:
            result = read_topology(self.transport, endpoint,
                                   self.monotonic() + bounds.REQUEST_TIMEOUT_S)
            if result.topology is not None:
                uuid = next((u for u, t in self.targets.items() if t.endpoint == endpoint),
                            previous.source_uuid)
                return HouseholdRead(endpoint, uuid, previous.household_id, result.topology,
                                     None, result.raw), True
        return previous, False

    def _reread(self, uuid: str, endpoint: Endpoint | None) -> None:
        if endpoint is None:
            return
        result = read_description(self.transport, endpoint,
                                  self.monotonic() + bounds.REQUEST_TIMEOUT_S)
        if result.description is not None and result.description.uuid != uuid:
            return  # another device answers there now: not this product's description
        self.targets[uuid] = TargetObservation(
            endpoint, (Method.TOPOLOGY,), expected_uuid=uuid, description=result.description,
            problem=result.problem, raw_description=result.raw, elapsed_s=result.elapsed_s)

    def _observations(self, now: str, reads: list[HouseholdRead]) -> ScanObservations:
        assert self.base is not None
        return replace(self.base, finished_at=now, household_reads=tuple(reads),
                       targets=(*self.targets.values(), *self.others), second_reads=(),
                       status_reads=(), household_ids=(), probes=(), notes=(),
                       budget_exhausted=False, interrupted=False)

    # ---- judging ----

    def _judge(self, inventory: Inventory, now: str) -> list[WatchEvent]:
        self.state.inventory = inventory
        self.state.polls += 1
        events = []
        verdict = inventory.verdict.error_803
        if self.verdict is not None and verdict != self.verdict:
            events.append(self._event(now, "verdict-changed", None, old=self.verdict.value,
                                      new=verdict.value,
                                      detail=inventory.verdict.summary.split(". ", 1)[0]))
        self.verdict = verdict
        clock = self.monotonic()
        behind = {u for f in alignment_problems(inventory) for u in f.players}
        for uuid, product in self.products.items():
            if uuid in behind and product.behind_since is None:
                product.behind_since = clock
            elif uuid not in behind:
                product.behind_since = None
        aligned = is_aligned(inventory) and not self.waiting_for()
        self.state.aligned_polls = self.state.aligned_polls + 1 if aligned else 0
        if self.options.until_aligned and self.state.aligned_polls >= 2:
            self.state.outcome = "aligned"
            events.append(self._event(now, "aligned", None,
                                      detail="every product is on one track and in step, "
                                             "for two polls in a row"))
        return events

    def waiting_for(self) -> list[_Product]:
        """Products that dropped off less than dropped_wait_s ago: the watch waits for them."""
        clock = self.monotonic()
        return [p for p in self.products.values() if not p.present and not p.left
                and p.gone_since is not None
                and clock - p.gone_since < self.options.dropped_wait_s]

    def not_aligned(self) -> list[str]:
        """One line per product still holding the household back, with how long."""
        clock = self.monotonic()
        waiting = self.waiting_for()
        lines = []
        for product in self.products.values():
            name = for_terminal(product.room or product.uuid, 40)
            if product.behind_since is not None:
                player = self.state.inventory.player(product.uuid) if (
                    self.state.inventory is not None) else None
                runs = (f" (runs {for_terminal(player.software_version, 24)}, "
                        f"{player.track.value})") if player and player.software_version else ""
                lines.append(f"{name}: not in step for "
                             f"{_duration(clock - product.behind_since)}{runs}")
            elif not product.present and not product.left and product.gone_at:
                if product in waiting:
                    gone = clock - (product.gone_since or clock)
                    lines.append(f"{name}: dropped off {_duration(gone)} ago")
                else:
                    lines.append(f"{name}: dropped off at {_local_clock(product.gone_at)[:5]}")
        if self.state.inventory is not None and not any(
                p.reachable for p in self.state.inventory.players):
            lines.append("no product was read")
        return lines

    def status(self) -> str:
        """The live status line: products, how many are aligned, how long it has watched."""
        inventory = self.state.inventory
        current = [p for p in (inventory.players if inventory else ()) if not p.vanished]
        behind = ({u for f in alignment_problems(inventory) for u in f.players}
                  if inventory else set())
        aligned = sum(1 for p in current if p.reachable and p.uuid not in behind)
        return (f"Watching for {_duration(self.monotonic() - self.started)}: "
                f"{len(current)} products, {aligned} aligned, {self.state.polls} polls")

    def _event(self, now: str, kind: str, uuid: str | None, *, old: str | None = None,
               new: str | None = None, detail: str = "") -> WatchEvent:
        product = self.products.get(uuid or "")
        return WatchEvent(now, kind, uuid, product.room if product else None,
                          product.household_id if product else None, old, new, detail)


class EventStream:
    """`watch --output FILE`: every event appended as it happens, as JSON Lines or CSV. A stream,
    unlike the atomic replace of scan outputs: an existing file is appended to, a new one is
    created 0600, a link is never followed, and `-` is standard output."""

    def __init__(self, path: str, fmt: str = "jsonl") -> None:
        import csv
        import io
        import os
        import stat
        import sys

        self.fmt = fmt
        self._csv = csv
        self._io = io
        if path == "-":
            self._fd = sys.stdout.fileno()
            self._own = False
            sys.stdout.flush()
            empty = True
        else:
            if not hasattr(os, "O_NOFOLLOW") and os.path.islink(path):  # Windows
                raise OSError(f"{path} is a link; it is never followed")
            # Non-blocking open: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND
                               | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0),
                               0o600)

            self._own = True
            info = os.fstat(self._fd)
            if stat.S_ISDIR(info.st_mode):
                os.close(self._fd)
                raise IsADirectoryError(path)
            try:
                import fcntl  # POSIX: blocking writes from here on

                flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
                fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
            except ImportError:  # Windows: no FIFOs, nothing to unset
                pass
            empty = not stat.S_ISREG(info.st_mode) or info.st_size == 0
        if fmt == "csv" and empty:
            self._write(self._row(EVENT_KEYS))

    def _row(self, values: tuple[object, ...]) -> str:
        buffer = self._io.StringIO()
        from .report.render_csv import cell

        self._csv.writer(buffer, lineterminator="\n").writerow(
            ["" if v is None else cell(v) for v in values])
        return buffer.getvalue()

    def _write(self, text: str) -> None:
        import os

        view = memoryview(text.encode("utf-8"))
        while view:
            view = view[os.write(self._fd, view):]

    def write(self, event: WatchEvent) -> None:
        if self.fmt == "csv":
            self._write(self._row(tuple(getattr(event, k) for k in EVENT_KEYS)))
        else:
            from .report.safe_text import json_dumps

            self._write(json_dumps(event.as_dict(), indent=None) + "\n")

    def close(self) -> None:
        import os

        if self._own:
            os.close(self._fd)


MAX_WATCH_LOG_LINES = 100_000
"""Lines of a watch's JSON Lines file that `analyze` reads (a day at a 5 s interval with
several events per poll fits)."""


def looks_like_watch_log(data: bytes) -> bool:
    """The file's first line is a watch event: `analyze` shows it as a timeline."""
    first = data.lstrip()[:4096].split(b"\n", 1)[0]
    return first.startswith(b"{") and b'"kind"' in first and b'"time"' in first and (
        not data.lstrip().startswith(b'{\n'))


def read_watch_log(data: bytes, what: str) -> list[dict[str, Any]]:
    """The events of a `watch --output` JSON Lines file, each checked against
    data/watch-event.schema.json; UsageError naming the first bad line."""
    import json
    from importlib import resources

    import jsonschema

    from .errors import UsageError
    from .jsonin import parse_json

    schema = json.loads(resources.files("sonos_inventory").joinpath(
        "data/watch-event.schema.json").read_text("utf-8"))
    events: list[dict[str, Any]] = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        if len(events) >= MAX_WATCH_LOG_LINES:
            raise UsageError(f"{what}: more than {MAX_WATCH_LOG_LINES:,} events; split the file")
        event = parse_json(line, f"{what} line {number}")
        try:
            jsonschema.validate(event, schema)
        except jsonschema.ValidationError as exc:
            raise UsageError(f"{what} line {number}: not a watch event ({exc.message[:120]})"
                             ) from None
        events.append(event)
    return events

"""The Python API: scan, analyse, load and serialise inventories without the command line.

Plain strings and numbers in, frozen dataclasses out; the options mean what the command's options
mean. It never prints, never writes the scan history, never exits the process: it logs through
the `sonos_inventory` logger (silent unless the application configures logging) and raises
`UsageError` (bad input) or another `SonosInventoryError`. The command line is built on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .analyze.verdict import analyze as _analyze
from .bounds import DEFAULT_SCAN_BUDGET_S, SSDP_DEFAULT_TTL, SSDP_MAX_TTL
from .errors import UsageError
from .model import Inventory, Severity
from .netpolicy import normalize_ip
from .report.context import ReportContext
from .scan import Progress, ScanOptions
from .scan import inventory_from as inventory_from  # the commands and the guide call them here
from .scan import run_scan as run_scan

logger = logging.getLogger("sonos_inventory")


# ---- exit codes and the scan itself (what every command and the guided scan run) ----

EXIT_OK = 0
EXIT_CONFLICT = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


def exit_code(inventory: Inventory) -> int:
    """DESIGN.md: 1 conflict (an error finding), 3 incomplete or nothing found, else 0."""
    if any(f.severity is Severity.ERROR for f in inventory.findings):
        return EXIT_CONFLICT
    if not inventory.scan.complete:
        return EXIT_INCOMPLETE
    return EXIT_OK


MAX_LABEL = 200
"""A label (--label, `label=`): one line of printable text, at most this long."""


def validate_label(label: object, name: str = "label") -> str | None:
    """One line of printable text, at most MAX_LABEL characters (spaces collapsed); None for
    none. UsageError naming `name` (the argument, or --label) otherwise."""
    if label is None:
        return None
    if not isinstance(label, str):
        raise UsageError(f"{name} must be text, not {type(label).__name__}")
    text = " ".join(label.split())
    if not text:
        return None
    if len(text) > MAX_LABEL or any(not c.isprintable() for c in text):
        raise UsageError(f"{name}: give one line of printable text, at most {MAX_LABEL} "
                         "characters")
    return text


def _strings(value: object, name: str) -> tuple[str, ...]:
    """A list (or tuple, or other iterable) of strings; a lone string is refused, as it would
    be read one character at a time."""
    if isinstance(value, (str, bytes)):
        raise UsageError(f"{name} must be a list of addresses, not a string: "
                         f"{name}=[{value!r}]")
    try:
        items: tuple[object, ...] = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise UsageError(f"{name} must be a list of addresses, not "
                         f"{type(value).__name__}") from None
    texts: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise UsageError(f"{name}: {item!r} is not an address (give text, "
                             "e.g. '192.168.1.20')")
        texts.append(item)
    return tuple(texts)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{name} must be True or False, not {value!r}")
    return value


def scan_options(*, interface_addrs: Iterable[str] = (), hosts: Iterable[str] = (),
                 networks: Iterable[str] = (), timeout: float = DEFAULT_SCAN_BUDGET_S,
                 ssdp: bool = True, mdns: bool = True, deep: bool = False,
                 ttl: int = SSDP_DEFAULT_TTL, names: dict[str, str] | None = None
                 ) -> ScanOptions:
    """Validate plain options into ScanOptions; UsageError names the argument that is wrong
    (the types too: a lone string where a list is expected is refused). `names`: how the
    caller calls the arguments in its messages (the command line: {"hosts": "--host", ...})."""
    named = {"interface_addrs": "interface_addrs", "hosts": "hosts", "networks": "networks",
             "timeout": "timeout", "ttl": "ttl", **(names or {})}
    from .discovery.hosts import host_sightings
    from .discovery.probe import parse_networks

    addrs = _strings(interface_addrs, named["interface_addrs"])
    for address in addrs:
        ip = normalize_ip(address)
        if ip is None or ip.version != 4:
            raise UsageError(f"{named['interface_addrs']} {address!r} is not an IPv4 address "
                             "of this computer")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (
            1 <= float(timeout) <= 300):
        raise UsageError(f"{named['timeout']} {timeout!r}: give 1 to 300 seconds")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= SSDP_MAX_TTL:
        raise UsageError(f"{named['ttl']} {ttl!r}: give a whole number from 1 to {SSDP_MAX_TTL}")
    return ScanOptions(interface_addrs=addrs,
                       hosts=host_sightings(_strings(hosts, named["hosts"]), named["hosts"]),
                       networks=parse_networks(_strings(networks, named["networks"]),
                                               named["networks"]),
                       use_ssdp=_flag(ssdp, "ssdp"), use_mdns=_flag(mdns, "mdns"),
                       budget_s=float(timeout), deep=_flag(deep, "deep"), ttl=ttl)


def scan(*, interface_addrs: Iterable[str] = (), hosts: Iterable[str] = (),
         networks: Iterable[str] = (), timeout: float = DEFAULT_SCAN_BUDGET_S,
         ssdp: bool = True, mdns: bool = True, deep: bool = False,
         ttl: int = SSDP_DEFAULT_TTL, label: str | None = None) -> Inventory:
    """Discover and read the Sonos products on the network; return the analysed inventory.

    `interface_addrs`: local IPv4 addresses to search from (default: every interface that is up,
    except loopback); `hosts`: players to read by address (`"192.168.1.20"` or `"IP:PORT"`);
    `networks`: CIDRs to probe on port 1400 (at most a /22 each); `timeout`: the overall budget
    in seconds; `ssdp` / `mdns`: the discovery methods; `deep`: also read each player's status
    page and a second member's topology (as --deep); `ttl`: the SSDP multicast TTL (as --ttl);
    `label`: a name for the system.
    Read-only, bounded, and safe as the command is (see SECURITY.md).
    """
    options = scan_options(interface_addrs=interface_addrs, hosts=hosts, networks=networks,
                           timeout=timeout, ssdp=ssdp, mdns=mdns, deep=deep, ttl=ttl)
    label = validate_label(label)

    last: list[Progress] = []

    def progress(p: Progress) -> None:
        if last and last[0] == p:
            return  # once per change, not once per event
        last[:] = [p]
        logger.debug("scan: %d found, %d read, %d household(s)", p.found, p.read, p.households)

    inventory, observations = run_scan(options, on_progress=progress, on_log=logger.info)
    for probe in observations.probes:  # each address asked, what, and how long it took
        logger.debug("asked %s for %s: %.3f s%s", probe.endpoint, probe.what, probe.elapsed_s,
                     f" ({probe.problem.kind}: {probe.problem.detail})" if probe.problem else "")
    for note in observations.notes:
        logger.info("scan: %s", note)
    return replace(inventory, label=label) if label is not None else inventory


def analyze(inventory: Inventory) -> Inventory:
    """The inventory with its findings and verdict computed again (pure)."""
    return _analyze(inventory)


def read_input(path: Path) -> tuple[Inventory, dict[str, bytes]]:
    """An inventory JSON or a bundle, bounded as every file the tool reads (bounds.py): the
    analysed inventory and the bundle's raw/ files. UsageError (one line) for anything else."""
    inventory, raw, _context = read_input_with_context(path)
    return inventory, raw


def read_input_with_context(path: Path) -> tuple[Inventory, dict[str, bytes], ReportContext]:
    """read_input, plus what the file says beside the inventory itself: each product's
    `first_seen`, the note and the diagnostic id (so `analyze` keeps every field a file
    holds)."""
    from .bounds import MAX_INPUT_FILE_BYTES
    from .fileio import read_limited, shown
    from .jsonin import parse_json
    from .report.bundle import is_zip, read_bundle
    from .report.render_json import inventory_from_dict
    from .report.safe_text import for_terminal

    raw: dict[str, bytes] = {}
    if is_zip(path):
        document, raw = read_bundle(path)
    else:
        document = parse_json(read_limited(path, MAX_INPUT_FILE_BYTES), shown(path))
    try:
        inventory = _with_raw_facts(inventory_from_dict(document), raw)
        context = _context_of(document)
    except UsageError as exc:
        raise UsageError(f"{shown(path)}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{shown(path)}: not a sonos-inventory inventory "
                         f"({type(exc).__name__}: {for_terminal(exc, 80)})") from None
    return _analyze(inventory), raw, context


def _with_raw_facts(inventory: Inventory, raw: dict[str, bytes]) -> Inventory:
    """A bundle made before schema_version 2 has no facts in its inventory.json, but its raw/
    captures hold them: take each product's from there, so it is classified fully."""
    if not raw or all(p.facts is not None for p in inventory.players):
        return inventory
    from .scenario.raw_facts import facts_from_raw

    found = facts_from_raw(raw)
    return replace(inventory, players=tuple(
        replace(p, facts=found[p.uuid]) if p.facts is None and p.uuid in found else p
        for p in inventory.players))


def _context_of(document: Any) -> ReportContext:
    """first_seen, note and diagnostic id as the (already validated) document holds them."""
    seen = tuple((str(p["uuid"]), str(p["first_seen"])) for p in document.get("players", ())
                 if isinstance(p, dict) and isinstance(p.get("first_seen"), str))
    report = document.get("report") if isinstance(document.get("report"), dict) else {}
    note, diagnostic = report.get("note"), report.get("diagnostic_id")
    return ReportContext(note if isinstance(note, str) else None,
                         diagnostic if isinstance(diagnostic, str) else None, seen)


def load(path: str | Path) -> Inventory:
    """Read an inventory JSON file or a support bundle (.zip) and analyse it."""
    return read_input(Path(path))[0]


def to_json(inventory: Inventory) -> dict[str, Any]:
    """The inventory as the JSON document of the shipped schema (a dict, ready for json.dumps)."""
    from .report.render_json import inventory_dict

    return inventory_dict(inventory)


# ---- the scan history: separate calls, never made by scan() (the command line makes them) ----


@dataclass(frozen=True)
class HistoryUpdate:
    """What record_in_history did: the report context with each product's first-seen time,
    where the scan was saved (None: not saved), and one line per problem met."""

    context: ReportContext
    saved: Path | None
    warnings: tuple[str, ...]


def history_directory() -> Path:
    """Where the scan history is kept (SONOS_INVENTORY_HOME=DIR: DIR/history)."""
    from . import history

    return history.history_dir()


def record_in_history(inventory: Inventory, context: ReportContext | None = None, *,
                      save: bool = True, directory: Path | None = None,
                      watch_events: Iterable[Any] = ()) -> HistoryUpdate:
    """First-seen times from the history (the scan history of this computer, or `directory`),
    and the inventory saved there when `save` (a scan that found nothing is never saved; a
    watch's final state carries its `watch_events`). A
    history that cannot be read or written is a warning, never an error: the scan is kept."""
    from . import history
    from .report.render_json import inventory_dict

    context = context or ReportContext()
    document = inventory_dict(inventory, context)
    events = [event.as_dict() for event in watch_events]
    if events:  # a watch's final state: its events go with it
        document["watch_events"] = events
    seen: dict[str, str] = {}
    skipped: list[str] = []
    warnings: list[str] = []
    try:
        for entry in history.entries(directory):
            if entry.document is None:
                skipped.append(entry.problem or "unreadable")
                continue
            for uuid, when in history.first_seen([entry.document]).items():
                if uuid not in seen or when < seen[uuid]:
                    seen[uuid] = when
    except UsageError as exc:
        warnings.append(f"scan history not read: {exc}")
    if skipped:
        more = f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
        warnings.append(f"skipped {len(skipped)} bad file(s) in the scan history: "
                        f"{'; '.join(skipped[:3])}{more}")
    saved: Path | None = None
    if save and inventory.players:
        try:
            saved = history.save(document, directory)
        except (OSError, UsageError) as exc:
            warnings.append(f"scan history not saved: {exc}")
    if not seen and saved is None:
        return HistoryUpdate(context, None, tuple(warnings))
    for uuid, when in history.first_seen([document]).items():
        if uuid not in seen or when < seen[uuid]:
            seen[uuid] = when
    return HistoryUpdate(replace(context, first_seen=tuple(sorted(seen.items()))), saved,
                         tuple(warnings))


def saved_scans(label: str | None = None, directory: Path | None = None
                ) -> list[dict[str, Any]]:
    """Every scan in the history, oldest first, as `history --format json` lists them (keys of
    data/history.schema.json); `label`: only those whose label contains it (any case)."""
    from . import history
    from .fileio import shown
    from .report.safe_text import for_terminal

    entries = []
    for item in history.entries(directory):
        entry = history.describe(item.path, item.document)
        entry["path"] = shown(item.path)
        if item.document is None:
            entry["problem"] = for_terminal(item.problem or "not a saved inventory", 200)
        if label and label.casefold() not in (entry["label"] or "").casefold():
            continue
        entries.append(entry)
    return entries


def clear_history(directory: Path | None = None) -> tuple[int, list[str]]:
    """Delete every saved scan: how many, and a note per file that could not be deleted."""
    from . import history

    return history.clear(directory)


@dataclass(frozen=True)
class Comparison:
    """Two scans to compare (diff): each file and its analysed inventory, and the saved scans
    that were skipped on the way (one line each)."""

    before: tuple[Path, Inventory]
    after: tuple[Path, Inventory]
    skipped: tuple[str, ...] = ()


def scans_to_compare(before: Path | None = None, after: Path | None = None, *,
                     label: str | None = None, directory: Path | None = None) -> Comparison:
    """The two scans `diff` compares: the two files given; one file and the newest saved scan;
    or the newest two saved scans (of the site labelled exactly `label`, when given). Saved
    scans that do not load are skipped; UsageError when too few are left."""
    from . import history

    label = validate_label(label)
    loaded: list[tuple[Path, Inventory]] = []
    skipped: list[str] = []
    if after is None:
        needed = 1 if before is not None else 2
        candidates = [e.path for e in history.entries(directory) if e.document is not None and (
            label is None or e.document.get("label") == label)]
        for path in reversed(candidates):
            try:
                loaded.insert(0, (path, load(path)))
            except UsageError as exc:
                skipped.append(f"skipped a saved scan: {exc}")
            if len(loaded) == needed:
                break
        if len(loaded) < needed:
            from .report.safe_text import quoted

            which = f" labelled {quoted(label, 60)}" if label else ""
            raise UsageError(
                f"the scan history has {len(loaded)} usable scan(s){which}; run "
                "`sonos-inventory scan` (without --no-history) first, or give two inventory "
                "files")
        after = loaded[-1][0]
        if before is None:
            before = loaded[0][0]
    if before is None:  # an `after` file without a `before` one is not a comparison
        raise UsageError("give the earlier scan too: diff BEFORE AFTER")
    known = dict(loaded)
    return Comparison((before, known.get(before) or load(before)),
                      (after, known.get(after) or load(after)), tuple(skipped))


# ---- many systems at once (installers): the fleet view ----


@dataclass
class Fleet:
    """Several inventories as one view. `sites` (problems first) holds a small summary of each;
    `chunks(fmt)` writes the view, loading one input at a time, so memory stays bounded by the
    largest single input, not by their sum."""

    sites: list[Any]
    exit_code: int
    notes: tuple[str, ...]
    _paths: dict[str, Path]
    _redactor: Any

    def chunks(self, fmt: str, *, csv_bom: bool = False) -> Iterator[str]:
        from .report.formats import RenderOptions, renderer

        for chunk in renderer(fmt).many(self.sites, lambda site: self._load(site.name),
                                        RenderOptions(csv_bom=csv_bom)):
            yield chunk if self._redactor is None else self._redactor.shapes(chunk)

    def redaction_map(self) -> dict[str, dict[str, str]] | None:
        """The pseudonyms used (after chunks() has run), or None without redaction."""
        return None if self._redactor is None else dict(self._redactor.mapping())

    def _load(self, name: str) -> Inventory:
        return _fleet_input(self._paths[name], self._redactor)


def _fleet_input(path: Path, redactor: Any) -> Inventory:
    """One fleet input, loaded and analysed (redacted first when a redactor is given)."""
    inventory = load(path)
    if redactor is None:
        return inventory
    redactor.learn(inventory, None)
    return _analyze(redactor.inventory(inventory))


def fleet(paths: Iterable[str | Path], *, redact: bool = False,
          redact_rooms: bool = False) -> Fleet:
    """The fleet view of several inventory files or bundles: each is a site, named by its label
    (else its file name), the same file given twice is one site, and the exit code is the
    worst site's (1, then 3, then 0). The first pass reads each file once and keeps only its
    summary. UsageError for a file that is not an inventory."""
    from .fileio import shown
    from .report.fleet import problems_first, summarise, unique_name, worst_exit
    from .report.redact import Redactor

    redactor = Redactor(rooms=redact_rooms) if (redact or redact_rooms) else None
    result = Fleet([], EXIT_OK, (), {}, redactor)
    seen: set[Path] = set()
    taken: set[str] = set()
    notes: list[str] = []
    for given in paths:  # in argument order (so are the redaction pseudonyms)
        path = Path(given)
        try:
            real = path.resolve()
        except OSError:
            real = path
        if real in seen:
            notes.append(f"{shown(path)} was given twice; it is one site")
            continue
        seen.add(real)
        inventory = _fleet_input(path, redactor)
        name = unique_name(inventory.label or path.name, taken)
        result._paths[name] = path
        result.sites.append(summarise(name, shown(path), inventory, exit_code(inventory)))
        del inventory
    result.sites = problems_first(result.sites)
    result.exit_code = worst_exit([site.exit_code for site in result.sites])
    result.notes = tuple(notes)
    return result


# ---- watching a household (issue 21): an iterator, history-free like scan() ----


def watch(*, interface_addrs: Iterable[str] = (), hosts: Iterable[str] = (),
          networks: Iterable[str] = (), timeout: float = DEFAULT_SCAN_BUDGET_S,
          ssdp: bool = True, mdns: bool = True, interval: float = 30.0,
          until_aligned: bool = False, max_wait_s: float = 3600.0) -> Iterator[Any]:
    """Follow the household over time, read-only, as `sonos-inventory watch` does: a scan, then
    one zone group state per household every `interval` seconds (at least 5); yields a
    `WatchEvent` (time, kind, uuid, room, household_id, old, new, detail) for each change as
    it happens. With `until_aligned` it ends after the "aligned" event (every product on one
    track and in step for two polls in a row), or raises NotAligned (naming what is stuck)
    when `max_wait_s` has passed first; without it,
    it runs until the caller stops iterating. It never writes the history. Bad arguments
    raise UsageError at once, before anything is sent."""
    from .bounds import WATCH_MIN_INTERVAL_S
    from .watch import Watch, WatchOptions

    options = scan_options(interface_addrs=interface_addrs, hosts=hosts, networks=networks,
                           timeout=timeout, ssdp=ssdp, mdns=mdns)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not (
            WATCH_MIN_INTERVAL_S <= interval <= 3600):
        raise UsageError(f"interval {interval!r}: give {WATCH_MIN_INTERVAL_S:g} to 3600 seconds")
    if isinstance(max_wait_s, bool) or not isinstance(max_wait_s, (int, float)) or not (
            0 < max_wait_s <= 7 * 24 * 3600):
        raise UsageError(f"max_wait_s {max_wait_s!r}: give a positive number of seconds")
    running = Watch(options, WatchOptions(float(interval), _flag(until_aligned, "until_aligned"),
                                          float(max_wait_s)))
    return _events(running)


def _events(running: Any) -> Iterator[Any]:
    """The watch's events; stopping the iteration stops the watch. NotAligned when
    until_aligned ran out of time first."""
    from .errors import NotAligned

    try:
        yield from running.run()
    finally:
        running.stop()
    if running.state.outcome == "timed-out":
        raise NotAligned(tuple(running.not_aligned()))



def is_watch_log(path: str | Path) -> bool:
    """Whether the file is a `watch --output` JSON Lines log (analyze shows it as a timeline)."""
    import os

    from .fileio import open_regular
    from .watch import looks_like_watch_log

    try:
        fd = open_regular(Path(path))
    except UsageError:
        return False
    try:
        return looks_like_watch_log(os.read(fd, 8192))  # its first line is enough
    except OSError:
        return False
    finally:
        os.close(fd)


def load_watch_log(path: str | Path) -> list[dict[str, Any]]:
    """The events of a `watch --output` JSON Lines file (bounded as every input), each a dict
    of data/watch-event.schema.json. UsageError (one line) for anything else."""
    from .bounds import MAX_INPUT_FILE_BYTES
    from .fileio import read_limited, shown
    from .watch import read_watch_log

    return read_watch_log(read_limited(Path(path), MAX_INPUT_FILE_BYTES), shown(Path(path)))

"""The Python API: scan, analyse, load and serialise inventories without the command line.

Plain strings and numbers in, frozen dataclasses out; the options mean what the command's options
mean. It never prints, never writes the scan history, never exits the process: it logs through
the `sonos_inventory` logger (silent unless the application configures logging) and raises
`UsageError` (bad input) or another `SonosInventoryError`. The command line is built on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import app
from .analyze.verdict import analyze as _analyze
from .bounds import DEFAULT_SCAN_BUDGET_S, SSDP_DEFAULT_TTL, SSDP_MAX_TTL
from .errors import UsageError
from .model import Inventory
from .netpolicy import normalize_ip
from .report.context import ReportContext
from .scan import Progress, ScanOptions

logger = logging.getLogger("sonos_inventory")


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
                 ttl: int = SSDP_DEFAULT_TTL) -> ScanOptions:
    """Validate plain options into ScanOptions; UsageError names the argument that is wrong
    (the types too: a lone string where a list is expected is refused)."""
    from .discovery.hosts import host_sightings
    from .discovery.probe import parse_networks

    addrs = _strings(interface_addrs, "interface_addrs")
    for address in addrs:
        ip = normalize_ip(address)
        if ip is None or ip.version != 4:
            raise UsageError(f"interface_addrs: {address!r} is not an IPv4 address of this "
                             "computer")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (
            1 <= float(timeout) <= 300):
        raise UsageError(f"timeout {timeout!r}: give 1 to 300 seconds")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= SSDP_MAX_TTL:
        raise UsageError(f"ttl {ttl!r}: give a whole number from 1 to {SSDP_MAX_TTL}")
    return ScanOptions(interface_addrs=addrs,
                       hosts=host_sightings(_strings(hosts, "hosts"), "hosts"),
                       networks=parse_networks(_strings(networks, "networks"), "networks"),
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

    inventory, observations = app.run_scan(options, on_progress=progress, on_log=logger.info)
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
        inventory = inventory_from_dict(document)
        context = _context_of(document)
    except UsageError as exc:
        raise UsageError(f"{shown(path)}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{shown(path)}: not a sonos-inventory inventory "
                         f"({type(exc).__name__}: {for_terminal(exc, 80)})") from None
    return _analyze(inventory), raw, context


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

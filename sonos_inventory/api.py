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
from .scan import Progress, ScanOptions

logger = logging.getLogger("sonos_inventory")


def scan_options(*, interface_addrs: Iterable[str] = (), hosts: Iterable[str] = (),
                 networks: Iterable[str] = (), timeout: float = DEFAULT_SCAN_BUDGET_S,
                 ssdp: bool = True, mdns: bool = True, deep: bool = False,
                 ttl: int = SSDP_DEFAULT_TTL) -> ScanOptions:
    """Validate plain options into ScanOptions; UsageError says what is wrong."""
    from .discovery.hosts import host_sightings
    from .discovery.probe import parse_networks

    addrs = tuple(interface_addrs)
    for address in addrs:
        ip = normalize_ip(address)
        if ip is None or ip.version != 4:
            raise UsageError(f"interface address {address!r} is not an IPv4 address of this "
                             "computer")
    if not 1 <= float(timeout) <= 300:
        raise UsageError(f"timeout {timeout!r}: give 1 to 300 seconds")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= SSDP_MAX_TTL:
        raise UsageError(f"ttl {ttl!r}: give a whole number from 1 to {SSDP_MAX_TTL}")
    return ScanOptions(interface_addrs=addrs, hosts=host_sightings(hosts),
                       networks=parse_networks(networks), use_ssdp=ssdp, use_mdns=mdns,
                       budget_s=float(timeout), deep=deep, ttl=ttl)


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

    def progress(p: Progress) -> None:
        logger.debug("scan: %d found, %d read, %d household(s)", p.found, p.read, p.households)

    inventory, observations = app.run_scan(options, on_progress=progress, on_log=logger.info)
    for note in observations.notes:
        logger.info("scan: %s", note)
    return replace(inventory, label=label) if label is not None else inventory


def analyze(inventory: Inventory) -> Inventory:
    """The inventory with its findings and verdict computed again (pure)."""
    return _analyze(inventory)


def read_input(path: Path) -> tuple[Inventory, dict[str, bytes]]:
    """An inventory JSON or a bundle, bounded as every file the tool reads (bounds.py): the
    analysed inventory and the bundle's raw/ files. UsageError (one line) for anything else."""
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
    except UsageError as exc:
        raise UsageError(f"{shown(path)}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{shown(path)}: not a sonos-inventory inventory "
                         f"({type(exc).__name__}: {for_terminal(exc, 80)})") from None
    return _analyze(inventory), raw


def load(path: str | Path) -> Inventory:
    """Read an inventory JSON file or a support bundle (.zip) and analyse it."""
    return read_input(Path(path))[0]


def to_json(inventory: Inventory) -> dict[str, Any]:
    """The inventory as the JSON document of the shipped schema (a dict, ready for json.dumps)."""
    from .report.render_json import inventory_dict

    return inventory_dict(inventory)

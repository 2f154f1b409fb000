"""Shared fixtures. Safety first: every test may talk to loopback only.

`make test` runs the suite inside a private network namespace; on top of that, the guard below
refuses any unicast connect/send to a non-loopback address from any test, so an accidental send
fails loudly here too (e.g. when someone runs plain `pytest` on a machine with a LAN).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sonos_inventory import app
from sonos_inventory.emulator.household import load_scenario
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import Inventory, ScanObservations
from sonos_inventory.scan import Scan, ScanOptions

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "fixtures" / "scenarios"
SAMPLES = ROOT / "fixtures" / "samples"


def _destination_allowed(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX and friends
    try:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
    except ValueError:
        return False  # a hostname: tests never resolve names
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # Multicast goes out on the interface the socket pinned (loopback in every test); the
    # network namespace of `make test` is what keeps it on this machine. The limited broadcast
    # address only inside that namespace (scripts/in-netns sets the variable): nowhere else.
    if str(ip) == "255.255.255.255":
        return os.environ.get("SONOS_INVENTORY_IN_NETNS") == "1" and [
            name for _, name in socket.if_nameindex()] == ["lo"]
    return ip.is_loopback or ip.is_multicast


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    originals = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex", "sendto")}

    def guard(name: str) -> Callable[..., Any]:
        original = originals[name]

        def checked(self: socket.socket, *args: Any) -> Any:
            address = args[-1] if name == "sendto" else args[0]
            if not _destination_allowed(address):
                raise AssertionError(f"a test tried to reach {address!r}: loopback only")
            return original(self, *args)

        return checked

    for name in originals:
        setattr(socket.socket, name, guard(name))
    yield
    for name, original in originals.items():
        setattr(socket.socket, name, original)


@pytest.fixture
def samples() -> Path:
    """Verbatim real captures (origins and licences in fixtures/samples/README.md)."""
    return SAMPLES


def scenario(name: str) -> Path:
    return SCENARIOS / name


@pytest.fixture
def emulate() -> Iterator[Callable[..., Emulator]]:
    """Start an emulator on a scenario (name or path); stopped at the end of the test."""
    started: list[Emulator] = []

    def start(name_or_path: str | Path, **kwargs: Any) -> Emulator:
        path = Path(name_or_path)
        if not path.is_dir():
            path = scenario(str(name_or_path))
        kwargs.setdefault("seed", 7)
        emulator = Emulator(load_scenario(path), **kwargs).start()
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


def loopback_options(**overrides: Any) -> ScanOptions:
    """SSDP pinned to loopback, mDNS off unless asked, a short but generous budget."""
    values: dict[str, Any] = {"interface_addrs": ("127.0.0.1",), "use_mdns": False,
                              "budget_s": 15.0}
    values.update(overrides)
    return ScanOptions(**values)


def scan_loopback(**overrides: Any) -> tuple[Inventory, ScanObservations]:
    options = loopback_options(**overrides)
    observations = Scan(options, interfaces=options.interface_addrs).run()
    return app.inventory_from(observations), observations

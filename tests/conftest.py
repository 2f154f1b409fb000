"""Shared fixtures. Safety first: every test may talk to loopback only.

`make test` runs the suite inside a private network namespace; on top of that, the guard below
refuses any unicast connect/send to a non-loopback address from any test, so an accidental send
fails loudly here too (e.g. when someone runs plain `pytest` on a machine with a LAN).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sonos_inventory import api
from sonos_inventory.collect.transport import Transport
from sonos_inventory.emulator.offline import OfflineLan
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.model import Inventory, ScanObservations
from sonos_inventory.scan import Scan, ScanOptions
from sonos_inventory.scenario.folder import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "fixtures" / "scenarios"
SAMPLES = ROOT / "fixtures" / "samples"


CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def _own_network_namespace() -> None:
    """Give this process a private network namespace with only loopback up.

    `make test` runs the suite in one private namespace; with pytest-xdist, each worker also
    takes one of its own, so that the emulators of tests running side by side never hear each
    other's SSDP searches (multicast on loopback reaches every socket in a namespace)."""
    import ctypes
    import fcntl
    import struct

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


TEST_WORKERS = 6
"""Workers for `-n auto` (pyproject's addopts) where each can have a network namespace of its
own; elsewhere the suite runs in one process (emulators side by side would hear each other)."""


def _can_isolate_workers() -> bool:
    import shutil
    import subprocess

    if os.name != "posix" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False  # a worker, already threaded, can only enter a namespace as root
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    return TEST_WORKERS if _can_isolate_workers() else 0


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        try:
            _own_network_namespace()
        except OSError as exc:
            raise pytest.UsageError(
                f"this test worker cannot have a network namespace of its own ({exc}); tests "
                "that run side by side would hear each other's SSDP. Run with -n 0") from None
        os.environ["SONOS_INVENTORY_IN_NETNS"] = "1"  # it is in one now: only loopback, up


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tier (the single-file build, memory at the caps: 30 s and more each) runs with
    SONOS_INVENTORY_TEST_SLOW=1 (`make test-slow`, which CI runs after `make test`)."""
    if os.environ.get("SONOS_INVENTORY_TEST_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow tier: `make test-slow` (CI runs it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


NAMESPACE_LAN: set[ipaddress.IPv4Network] = set()
"""Subnets of a LAN that a test built inside its own private network namespace (veth pairs):
reachable in that test only (tests/integration/test_mdns_policy_netns.py)."""


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
    if os.environ.get("SONOS_INVENTORY_IN_NETNS") == "1" and any(
            ip in network for network in NAMESPACE_LAN):
        return True
    return ip.is_loopback or ip.is_multicast


VIOLATIONS: list[str] = []
"""Non-loopback destinations a test tried to reach. The guard raises in the thread that tried,
but the scan turns a failed read into data, so the test is failed here as well."""


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    originals = {name: getattr(socket.socket, name)
                 for name in ("connect", "connect_ex", "sendto", "sendmsg")}

    def guard(name: str) -> Callable[..., Any]:
        original = originals[name]

        def checked(self: socket.socket, *args: Any) -> Any:
            if name == "sendmsg":  # sendmsg(buffers, ancdata=(), flags=0, address=None)
                address = args[3] if len(args) > 3 else None
                if address is None:
                    return original(self, *args)  # a connected socket: checked at connect
            else:
                address = args[-1] if name == "sendto" else args[0]
            if not _destination_allowed(address):
                VIOLATIONS.append(repr(address))
                raise AssertionError(f"a test tried to reach {address!r}: loopback only")
            return original(self, *args)

        return checked

    for name in originals:
        setattr(socket.socket, name, guard(name))
    yield
    for name, original in originals.items():
        setattr(socket.socket, name, original)


@pytest.fixture(autouse=True)
def fail_on_network_violation() -> Iterator[None]:
    VIOLATIONS.clear()
    yield
    if VIOLATIONS:
        found = ", ".join(dict.fromkeys(VIOLATIONS))
        VIOLATIONS.clear()
        pytest.fail(f"the test tried to reach {found}: loopback only")


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder (history, config): nothing lands in the real home."""
    home = tmp_path_factory.mktemp("data-home")
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    return home


LONG_LIVED_THREADS = ("http-watchdog",)
"""Threads that live for the whole process by design (one watchdog for every transport)."""


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """A test must not leave threads (of any name but the one long-lived watchdog) or child
    processes running: each would keep sockets, timers or ports alive into the next test.
    They get a short grace period to finish their last step."""
    before = set(threading.enumerate())
    children_before = _children()
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()
                and not t.name.startswith(LONG_LIVED_THREADS)]
        orphans = _children() - children_before
        if (not left and not orphans) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if left:
        pytest.fail("threads left running after the test: "
                    + ", ".join(sorted(t.name for t in left)))
    if orphans:
        pytest.fail(f"child processes left running after the test: {sorted(orphans)}")


def _children() -> set[int]:
    """This process's live child processes (Linux /proc; elsewhere not checked). Zombies that
    only wait to be reaped are not running."""
    found: set[int] = set()
    me = str(os.getpid())
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            found.add(int(entry))
    return found


THREAD_GRACE_S = 5.0


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
        kwargs.setdefault("ssdp_max_delay_s", TEST_SSDP_DELAY_S)
        emulator = Emulator(load_scenario(path), **kwargs).start()
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


TEST_SSDP_DELAY_S = 0.05
"""The test emulator answers M-SEARCH within 50 ms instead of spreading over MX (1 s)..."""

TEST_SSDP_WINDOW_S = 0.5
"""...so scans in tests listen 0.5 s: the resend at 0.1 s, the answer, and a wide margin for
a busy machine. What the window's length itself does is the benchmark's business."""


def loopback_options(**overrides: Any) -> ScanOptions:
    """SSDP pinned to loopback, mDNS off unless asked, a short but generous budget."""
    values: dict[str, Any] = {"interface_addrs": ("127.0.0.1",), "use_mdns": False,
                              "budget_s": 15.0, "ssdp_window_s": TEST_SSDP_WINDOW_S}
    values.update(overrides)
    return ScanOptions(**values)


def scan_loopback(transport: Transport | None = None, **overrides: Any
                  ) -> tuple[Inventory, ScanObservations]:
    options = loopback_options(**overrides)
    observations = Scan(options, interfaces=options.interface_addrs, transport=transport).run()
    return api.inventory_from(observations), observations


def scan_offline(name_or_path: str | Path, **overrides: Any
                 ) -> tuple[Inventory, ScanObservations, OfflineLan]:
    """The whole scan (planner, reads, parsers, inventory) against a scenario served without
    sockets (emulator/offline.py): no SSDP window, no timeouts, nothing listening anywhere."""
    path = Path(name_or_path)
    if not path.is_dir():
        path = scenario(str(name_or_path))
    lan = OfflineLan(load_scenario(path))
    values: dict[str, Any] = {"use_ssdp": False, "use_mdns": False, "budget_s": 15.0}
    values.update(overrides)
    observations = Scan(ScanOptions(**values), transport=lan.transport(),
                        sources=[lan.discovery()], local_networks=(), interfaces=()).run()
    return api.inventory_from(observations), observations, lan

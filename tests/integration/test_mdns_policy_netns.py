"""mDNS cannot steer the scanner (issue 18), on a LAN built inside this test's own private
network namespace: a veth pair (the scanner on one end, a hostile mDNS responder on the other)
and canary listeners on every address a record may name but the policy forbids (a link-local
metadata address, a public address, the scanner's own loopback at a port the record names, a
port the record names on the LAN). The canaries must see no connection; the one allowed
address, on the browsed subnet at the Sonos port, must see the scan's read (so the test cannot
pass by mDNS not working at all).

Runs only where this process has a network namespace of its own (make test as root); nothing it
sends can leave it.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator

import pytest

from sonos_inventory.scan import Scan, ScanOptions

from .. import conftest

SUBNET = ipaddress.IPv4Network("10.77.0.0/24")
SCANNER, RESPONDER = "10.77.0.1", "10.77.0.2"
METADATA, PUBLIC = "169.254.169.254", "198.51.100.7"

pytestmark = pytest.mark.skipif(
    os.environ.get("SONOS_INVENTORY_IN_NETNS") != "1" or os.geteuid() != 0
    or shutil.which("ip") is None,
    reason="needs a private network namespace of its own, as root, with `ip` (make test)")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@pytest.fixture
def namespace_lan() -> Iterator[None]:
    assert [name for _, name in socket.if_nameindex()] == ["lo"], "not a fresh namespace"
    ip("link", "add", "sivscan", "type", "veth", "peer", "name", "sivdev")
    try:
        ip("addr", "add", f"{SCANNER}/24", "dev", "sivscan")
        ip("addr", "add", f"{RESPONDER}/24", "dev", "sivdev")
        ip("addr", "add", f"{METADATA}/32", "dev", "lo")
        ip("addr", "add", f"{PUBLIC}/32", "dev", "lo")
        ip("link", "set", "sivscan", "up")
        ip("link", "set", "sivdev", "up")
        conftest.NAMESPACE_LAN.add(SUBNET)
        yield
    finally:
        conftest.NAMESPACE_LAN.discard(SUBNET)
        subprocess.run(["ip", "link", "del", "sivscan"], capture_output=True, timeout=10)
        for address in (METADATA, PUBLIC):
            subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"],
                           capture_output=True, timeout=10)


class Canary:
    """A TCP listener that counts connections and answers nothing useful."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_server((host, port))
        self.sock.settimeout(0.2)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.hits = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="canary", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


def test_mdns_records_cannot_point_the_scanner_anywhere(namespace_lan: None) -> None:
    from zeroconf import IPVersion, ServiceInfo, Zeroconf

    canaries = {name: Canary(host, port) for name, (host, port) in {
        "metadata": (METADATA, 1400), "public": (PUBLIC, 1400), "loopback": ("127.0.0.1", 0),
        "lan-other-port": (RESPONDER, 0), "lan-sonos-port": (RESPONDER, 1400)}.items()}
    records = [  # (instance, A record, TXT location)
        ("Sonos-000E58F0AA01", METADATA, f"http://{METADATA}:1400/xml/device_description.xml"),
        ("Sonos-000E58F0AA02", PUBLIC, f"http://{PUBLIC}:1400/xml/device_description.xml"),
        ("Sonos-000E58F0AA03", "127.0.0.1",
         f"http://127.0.0.1:{canaries['loopback'].port}/xml/device_description.xml"),
        ("Sonos-000E58F0AA04", RESPONDER,
         f"http://{RESPONDER}:{canaries['lan-other-port'].port}/xml/device_description.xml"),
    ]
    zc = Zeroconf(interfaces=[RESPONDER], ip_version=IPVersion.V4Only)
    try:
        infos = [ServiceInfo(
            "_sonos._tcp.local.", f"{instance}._sonos._tcp.local.",
            addresses=[socket.inet_aton(address)], port=1443, server=f"{instance}-{index}.local.",
            properties={"uuid": f"RINCON_000E58F0AA0{index + 1}01400", "location": location,
                        "hhid": "Sonos_NamespaceLan"})
            for index, (instance, address, location) in enumerate(records)]
        registering = [threading.Thread(target=zc.register_service, args=(info,),
                                        name="register") for info in infos]
        for thread in registering:  # each announces three times, a second apart: together
            thread.start()
        for thread in registering:
            thread.join(timeout=10)
        options = ScanOptions(interface_addrs=(SCANNER,), use_ssdp=False, use_mdns=True,
                              mdns_window_s=2.0, budget_s=10.0)
        observations = Scan(options, interfaces=(SCANNER,)).run()
    finally:
        zc.close()
        for canary in canaries.values():
            canary.close()
    forbidden = {name: c.hits for name, c in canaries.items() if name != "lan-sonos-port"}
    assert forbidden == dict.fromkeys(forbidden, 0), forbidden
    assert canaries["lan-sonos-port"].hits >= 1  # the allowed record was read: mDNS works here
    notes = " ".join(observations.notes)
    for address in (METADATA, PUBLIC, "127.0.0.1"):
        assert f"sonos-inventory scan --host {address}" in notes

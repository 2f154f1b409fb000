"""The floor: the least any complete scan must do. One M-SEARCH (MX=1), every reply that arrives
within the MX window, then every player's device description fetched at once; nothing else.
Prints JSON: {"seconds": ..., "players": ...}. Loopback or a private namespace only."""

from __future__ import annotations

import http.client
import json
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor

MX = 1
SEARCH = (b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
          b"MX: 1\r\nST: urn:schemas-upnp-org:device:ZonePlayer:1\r\n\r\n")


def fetch(host: str) -> int:
    connection = http.client.HTTPConnection(host, 1400, timeout=5)
    try:
        connection.request("GET", "/xml/device_description.xml")
        return len(connection.getresponse().read())
    finally:
        connection.close()


def main() -> None:
    interface = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    started = time.monotonic()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
    sock.bind((interface, 0))
    sock.sendto(SEARCH, ("239.255.255.250", 1900))
    hosts: set[str] = set()
    end = started + MX
    while (remaining := end - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            _data, (host, _port) = sock.recvfrom(2048)
        except TimeoutError:
            break
        hosts.add(host)
    with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as pool:
        sizes = list(pool.map(fetch, sorted(hosts)))
    print(json.dumps({"seconds": time.monotonic() - started, "players": len(sizes)}))


if __name__ == "__main__":
    main()

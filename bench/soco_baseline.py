"""What a user would otherwise run: soco's discover(), then get_speaker_info() for each player one
by one (soco defaults, with a timeout so it cannot hang). Prints JSON. Loopback/namespace only:
discover() is always pinned to an interface address here."""

from __future__ import annotations

import json
import sys
import time

import soco


def main() -> None:
    interface = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    started = time.monotonic()
    zones = soco.discover(timeout=5, interface_addr=interface) or set()
    found = 0
    for zone in sorted(zones, key=lambda z: z.ip_address):
        zone.get_speaker_info(refresh=True, timeout=5)
        found += 1
    print(json.dumps({"seconds": time.monotonic() - started, "players": found}))


if __name__ == "__main__":
    main()

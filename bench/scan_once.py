"""One default scan of ours (SSDP + mDNS, pinned to an interface address), in-process, with its
phase timings, CPU time and peak memory; `--deep` for a scan with --deep. Prints JSON."""

from __future__ import annotations

import json
import resource
import sys
import time

from sonos_inventory import api
from sonos_inventory.scan import Scan, ScanOptions


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--deep"]
    interface = args[0] if args else "127.0.0.1"
    options = ScanOptions(interface_addrs=(interface,), deep="--deep" in sys.argv[1:])
    cpu0 = time.process_time()
    started = time.monotonic()
    observations = Scan(options).run()
    seconds = time.monotonic() - started
    inventory = api.inventory_from(observations)
    timings = dict(observations.timings)
    print(json.dumps({
        "seconds": seconds,
        "discovery_s": timings.get("discovery_done"),
        "after_discovery_s": seconds - timings.get("discovery_done", seconds),
        "players": sum(p.reachable for p in inventory.players),
        "households": len(inventory.households),
        "status_pages": sum(1 for p in inventory.players if p.deep and p.deep.status == "read"),
        "cpu_s": time.process_time() - cpu0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()

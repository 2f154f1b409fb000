"""`make bench` (watch): requests per hour and CPU per hour of `watch` at the default interval.

A 32-player household served by the emulator in its own process (loopback only; `make bench`
runs inside a private network namespace). The watch runs in this process over real sockets;
only its waits between polls are skipped, so one hour of polls (120 at 30 s) takes seconds.
Counted: the requests the emulator received per simulated hour, and this process's CPU time
for them (the emulator's own CPU is not included). Writes bench/results/watch.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import EmulatorProcess, scenario  # noqa: E402

from sonos_inventory.bounds import WATCH_DEFAULT_INTERVAL_S  # noqa: E402
from sonos_inventory.scan import ScanOptions  # noqa: E402
from sonos_inventory.watch import Watch, WatchOptions  # noqa: E402


def measure(players: int, hours: float) -> dict[str, object]:
    polls = int(hours * 3600 / WATCH_DEFAULT_INTERVAL_S)
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        root = scenario(Path(tmp) / "scenario", players, 1)
        emulator = EmulatorProcess(root, 0, Path(tmp) / "requests.jsonl", players)
        try:
            done = [0]
            start: dict[str, float] = {}

            def wait(seconds: float) -> bool:  # the interval is skipped, not slept
                if done[0] == 0:  # the first scan is over: count from here
                    time.sleep(0.5)  # let the emulator flush its request log
                    start.update(requests=emulator.requests(), cpu=time.process_time(),
                                 wall=time.monotonic())
                done[0] += 1
                return done[0] > polls

            watch = Watch(ScanOptions(interface_addrs=("127.0.0.1",), use_mdns=False),
                          WatchOptions(WATCH_DEFAULT_INTERVAL_S), wait=wait)
            for _event in watch.run():
                pass
            cpu = time.process_time() - start["cpu"]
            wall = time.monotonic() - start["wall"]
            time.sleep(0.5)  # let the emulator flush its request log
            requests = emulator.requests() - start["requests"]
            found = len(watch.products)
        finally:
            emulator.stop()
    return {"players": players, "found": found, "households": 1,
            "interval_s": WATCH_DEFAULT_INTERVAL_S,
            "polls": polls, "requests_per_hour": round(requests / hours),
            "cpu_s_per_hour": round(cpu / hours, 3), "wall_s_per_poll": round(wall / polls, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--players", type=int, default=32)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    result = measure(args.players, args.hours)
    machine = (f"{platform.system()} {platform.machine()}, Python "
               f"{platform.python_version()}")
    table = (f"# watch at the default interval ({machine})\n\n"
             "| players | interval | polls | requests per hour | CPU per hour | per poll |\n"
             "|---|---|---|---|---|---|\n"
             f"| {result['players']} | {result['interval_s']:g} s | {result['polls']} | "
             f"{result['requests_per_hour']} | {result['cpu_s_per_hour']} s | "
             f"{result['wall_s_per_poll']} s |\n")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "watch.md").write_text(table)
    print(json.dumps(result))
    print(table)


if __name__ == "__main__":
    main()

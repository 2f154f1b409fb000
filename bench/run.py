"""`make bench`: sonos-inventory against the floor and against soco, on emulated households.

Runs only on loopback (and `make bench` runs it inside a private network namespace). Each
configuration starts the emulator in its own process (SSDP + mDNS + HTTP, with added latency and a
request log), then runs, each in a fresh process: our default scan, the floor (bench/floor.py) and
soco's discover() + get_speaker_info() (bench/soco_baseline.py). Medians of several runs.
Writes bench/results/latest.{json,md} and bench/results/latest.png. Never fails on a number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sonos_inventory.scenario.synth import simple_household, write_household

HERE = Path(__file__).resolve().parent
PY = sys.executable
SIZES = {8: 1, 32: 1, 128: 1, 300: 10}  # players: households


def scenario(root: Path, players: int, households: int) -> Path:
    each = players // households
    for index in range(households):
        write_household(root, simple_household(
            f"household-{index + 1}", each, mac_prefix=f"000E58{index + 1:02X}",
            subnet=f"192.168.{index + 1}"))
    return root


class EmulatorProcess:
    def __init__(self, root: Path, latency_ms: int, log: Path, expected: int) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [PY, "-m", "sonos_inventory", "emulate", str(root), "--latency-ms", str(latency_ms),
             "--request-log", str(log)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stderr is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if "Press Ctrl-C" in line or not line:
                break
        if self.process.poll() is not None:
            raise RuntimeError("the emulator did not start")
        self.expected = expected

    def requests(self) -> int:
        return sum(1 for _ in self.log.open()) if self.log.exists() else 0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run_json(args: list[str], timeout: float = 600) -> dict[str, Any]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{args[1]} failed: {result.stderr[-500:]}")
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure(players: int, households: int, latency: int, runs: int, soco_runs: int
            ) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = scenario(Path(tmp) / "scenario", players, households)
        emulator = EmulatorProcess(root, latency, Path(tmp) / "requests.jsonl", players)
        try:
            ours, requests = [], []
            for _ in range(runs):
                before = emulator.requests()
                result = run_json([PY, str(HERE / "scan_once.py")])
                time.sleep(0.3)  # let the emulator flush its request log before counting
                requests.append(emulator.requests() - before)
                ours.append(result)
            deep, deep_requests = [], []
            for _ in range(runs):  # --deep: the same household, the status pages added
                before = emulator.requests()
                deep.append(run_json([PY, str(HERE / "scan_once.py"), "127.0.0.1", "--deep"]))
                time.sleep(0.3)
                deep_requests.append(emulator.requests() - before)
            floor = [run_json([PY, str(HERE / "floor.py")]) for _ in range(runs)]
            soco = [run_json([PY, str(HERE / "soco_baseline.py")]) for _ in range(soco_runs)]
        finally:
            emulator.stop()
    return {
        "players": players, "households": households, "latency_ms": latency, "runs": runs,
        "ours_s": median([r["seconds"] for r in ours]),
        "discovery_s": median([r["discovery_s"] or 0 for r in ours]),
        "after_discovery_s": median([r["after_discovery_s"] for r in ours]),
        "ours_players": min(r["players"] for r in ours),
        "requests_per_player": median([n / players for n in requests]),
        "deep_s": median([r["seconds"] for r in deep]),
        "deep_added_s": median([r["seconds"] for r in deep]) - median([r["seconds"] for r in ours]),
        "deep_extra_requests": median([float(d) for d in deep_requests])
        - median([float(n) for n in requests]),
        "deep_extra_allowed": players + households,
        "deep_status_pages": min(r["status_pages"] for r in deep),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in ours),
        "cpu_s": median([r["cpu_s"] for r in ours]),
        "floor_s": median([r["seconds"] for r in floor]),
        "floor_players": min(r["players"] for r in floor),
        "soco_s": median([r["seconds"] for r in soco]) if soco else None,
        "soco_players": min(r["players"] for r in soco) if soco else None,
        "soco_runs": soco_runs,
    }


def completeness(runs: int) -> dict[str, Any]:
    """Does the default scan find every player of every household, run after run? Three
    households, one of them a single player (whose one reply may come anywhere in the window)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp) / "scenario"
        for index, count in enumerate((12, 5, 1)):
            write_household(root, simple_household(f"hh-{index}", count,
                                                   mac_prefix=f"000E58C{index}",
                                                   subnet=f"192.168.{50 + index}"))
        emulator = EmulatorProcess(root, 20, Path(tmp) / "requests.jsonl", 18)
        complete, times = 0, []
        try:
            for _ in range(runs):
                result = run_json([PY, str(HERE / "scan_once.py")])
                times.append(result["seconds"])
                complete += result["players"] == 18 and result["households"] == 3
        finally:
            emulator.stop()
    return {"runs": runs, "complete": complete, "median_s": median(times), "max_s": max(times)}


def startup() -> dict[str, float]:
    cli = str(Path(PY).parent / "sonos-inventory")
    help_times, probe_times = [], []
    for _ in range(5):
        started = time.monotonic()
        subprocess.run([cli, "--help"], capture_output=True, check=True)
        help_times.append(time.monotonic() - started)
    for _ in range(3):
        started = time.monotonic()
        subprocess.run([cli, "scan", "--no-ssdp", "--no-mdns", "--no-history", "--network",
                        "127.77.77.0/24"], capture_output=True)
        probe_times.append(time.monotonic() - started)
    return {"help_s": median(help_times), "empty_24_probe_s": median(probe_times)}


def markdown(results: list[dict[str, Any]], extra: dict[str, Any]) -> str:
    lines = [
        f"Machine: {extra['machine']}. Emulator in its own process on loopback, inside a private "
        "network namespace; medians of "
        f"{results[0]['runs'] if results else 0} runs (soco: 1 run from 128 players).",
        "",
        "| players (households) | latency | ours | discovery + after | floor | ours / floor "
        "| soco | soco found | ours vs soco | requests / player | peak memory | CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        soco = f"{r['soco_s']:.2f} s" if r["soco_s"] is not None else "-"
        found = f"{r['soco_players']}/{r['players']}" if r["soco_players"] is not None else "-"
        speedup = f"{r['soco_s'] / r['ours_s']:.1f}x" if r["soco_s"] else "-"
        lines.append(
            f"| {r['players']} ({r['households']}) | {r['latency_ms']} ms | {r['ours_s']:.2f} s "
            f"({r['ours_players']} read) | {r['discovery_s']:.2f} + "
            f"{r['after_discovery_s']:.2f} s | {r['floor_s']:.2f} s | "
            f"{r['ours_s'] / r['floor_s']:.2f} | {soco} | {found} | {speedup} | "
            f"{r['requests_per_player']:.2f} | {r['peak_rss_mb']:.0f} MB | {r['cpu_s']:.2f} s |")
    lines += ["", "`--deep` (status page per player, second zone group state per household), same "
              "households:", "",
              "| players (households) | latency | default | --deep | added | extra requests "
              "(allowed: players + households) | status pages read |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        if "deep_s" not in r:
            continue
        lines.append(
            f"| {r['players']} ({r['households']}) | {r['latency_ms']} ms | {r['ours_s']:.2f} s | "
            f"{r['deep_s']:.2f} s | {r['deep_added_s']:+.2f} s | {r['deep_extra_requests']:.0f} "
            f"({r['deep_extra_allowed']}) | {r['deep_status_pages']}/{r['players']} |")
    lines.append("")
    lines.append(f"`sonos-inventory --help`: {extra['startup']['help_s']:.2f} s. "
                 f"`--network` probe of an empty /24: {extra['startup']['empty_24_probe_s']:.2f} s "
                 "(whole command).")
    if extra.get("completeness"):
        c = extra["completeness"]
        lines.append(f"Completeness: {c['complete']} of {c['runs']} default scans found every "
                     f"player of 3 households (12 + 5 + 1 players, 20 ms), median "
                     f"{c['median_s']:.2f} s, slowest {c['max_s']:.2f} s.")
    return "\n".join(lines) + "\n"


def plot(results: list[dict[str, Any]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return
    latencies = sorted({r["latency_ms"] for r in results})
    figure, axes = plt.subplots(1, len(latencies), figsize=(4.2 * len(latencies), 3.6),
                                sharey=True)
    for axis, latency in zip(axes if len(latencies) > 1 else [axes], latencies, strict=False):
        rows = sorted((r for r in results if r["latency_ms"] == latency),
                      key=lambda r: r["players"])
        sizes = [r["players"] for r in rows]
        axis.plot(sizes, [r["ours_s"] for r in rows], "o-", label="sonos-inventory")
        axis.plot(sizes, [r["floor_s"] for r in rows], "s--", label="floor")
        soco = [(r["players"], r["soco_s"]) for r in rows if r["soco_s"]]
        if soco:
            axis.plot(*zip(*soco, strict=False), "^:", label="soco discover + get_speaker_info")
        for r in rows:
            if r["soco_s"] and r["soco_players"] is not None and r["soco_players"] < r["players"]:
                axis.annotate(f"soco found {r['soco_players']}/{r['players']}",
                              (r["players"], r["soco_s"]), textcoords="offset points",
                              xytext=(-95, 8), fontsize=7)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks(sizes)
        axis.set_xticklabels([str(s) for s in sizes])
        axis.set_title(f"{latency} ms per response")
        axis.set_xlabel("players")
        axis.grid(True, which="both", alpha=0.3)
    (axes[0] if len(latencies) > 1 else axes).set_ylabel("seconds (median)")
    (axes[0] if len(latencies) > 1 else axes).legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="8,32,128,300")
    parser.add_argument("--latencies", default="0,20,50")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--completeness", type=int, default=100)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--replot", action="store_true",
                        help="redraw the table and plot from the last latest.json; no runs")
    args = parser.parse_args()
    if args.replot:
        saved = json.loads((args.out / "latest.json").read_text())
        results = saved.pop("results")
        (args.out / "latest.md").write_text(markdown(results, saved))
        plot(results, args.out / "latest.png")
        return
    if os.environ.get("SONOS_INVENTORY_IN_NETNS") != "1":
        print("note: not inside a private network namespace; everything stays on loopback",
              file=sys.stderr)
    results = []
    for players in (int(s) for s in args.sizes.split(",")):
        for latency in (int(x) for x in args.latencies.split(",")):
            soco_runs = 1 if players >= 128 else args.runs
            print(f"{players} players, {latency} ms ...", file=sys.stderr, flush=True)
            results.append(measure(players, SIZES.get(players, 1), latency, args.runs,
                                   soco_runs))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    extra: dict[str, Any] = {
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "startup": startup(),
    }
    if args.completeness:
        print(f"completeness: {args.completeness} runs ...", file=sys.stderr, flush=True)
        extra["completeness"] = completeness(args.completeness)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps({"results": results, **extra}, indent=2))
    table = markdown(results, extra)
    (args.out / "latest.md").write_text(table)
    plot(results, args.out / "latest.png")
    print(table)


if __name__ == "__main__":
    main()

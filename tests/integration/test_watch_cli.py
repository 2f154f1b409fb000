"""`sonos-inventory watch` end to end against the emulator on loopback (a real poll interval, so
the slow tier: make test-slow). tests/unit/test_watch.py covers the decisions with a fake
clock in the default tier."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sonos_inventory.emulator.server import Emulator

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def run_watch(tmp_path: Path, *args: str, timeout: float = 60
              ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SONOS_INVENTORY_HOME": str(tmp_path / "home")}
    return subprocess.run([sys.executable, "-m", "sonos_inventory", "watch", "--no-ssdp",
                           "--no-mdns", "--interval", "5", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_until_aligned_exits_0_and_streams_the_events(emulate: Callable[..., Emulator],
                                                      tmp_path: Path) -> None:
    player = emulate("healthy-s2").players[0].endpoint
    events = tmp_path / "events.jsonl"
    result = run_watch(tmp_path, "--host", f"{player.host}:{player.port}", "--until-aligned",
                       "--max-wait", "2", "-o", str(events))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["kind"] for e in lines] == ["aligned"]
    assert oct(events.stat().st_mode & 0o777) == "0o600"
    assert "Aligned: every product is on one track and in step." in result.stderr
    (saved,) = (tmp_path / "home" / "history").glob("scan-*.json")
    assert json.loads(saved.read_text())["watch_events"][0]["kind"] == "aligned"


def test_max_wait_exits_1_naming_what_is_stuck(emulate: Callable[..., Emulator],
                                               tmp_path: Path) -> None:
    player = emulate("error-803").players[0].endpoint
    result = run_watch(tmp_path, "--host", f"{player.host}:{player.port}", "--until-aligned",
                       "--max-wait", "0.1", "-o", str(tmp_path / "e.csv"), "-f", "csv")
    assert result.returncode == 1, result.stderr
    assert "Not aligned before the wait ran out (--max-wait)." in result.stderr
    assert "Bedroom: not in step for" in result.stderr
    assert (tmp_path / "e.csv").read_text().splitlines()[0] == (
        "time,kind,uuid,room,household_id,old,new,detail")


def test_ctrl_c_prints_a_summary_saves_the_state_and_exits_130(
        emulate: Callable[..., Emulator], tmp_path: Path) -> None:
    player = emulate("error-803").players[0].endpoint
    env = {**os.environ, "SONOS_INVENTORY_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "sonos_inventory", "watch", "--no-ssdp",
                             "--no-mdns", "--host", f"{player.host}:{player.port}"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        time.sleep(7)  # the first scan and one poll
        os.killpg(proc.pid, signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
    assert proc.returncode == 130, err
    assert "Stopped." in err and "Still not aligned:" in err and "Traceback" not in err
    assert list((tmp_path / "home" / "history").glob("scan-*.json"))


def test_demo_of_the_fix_in_progress_watches_it_land(tmp_path: Path) -> None:
    """The built-in story: the Play:5 reboots onto S2, an Era 100 drops off and comes back;
    `demo` watches it at the shortest interval and exits 0 once aligned."""
    env = {**os.environ, "SONOS_INVENTORY_HOME": str(tmp_path / "home"), "COLUMNS": "60"}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "demo", "--scenario",
                             "fix-in-progress"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert all(len(line) <= 60 for line in (result.stdout + result.stderr).splitlines())
    kinds = [line.split()[1] for line in result.stdout.splitlines() if line[:2].isdigit()]
    for kind in ("rebooted", "version-changed", "verdict-changed", "vanished", "back",
                 "aligned"):
        assert kind in kinds, result.stdout
    assert time.monotonic() - started < 90
    assert not (tmp_path / "home").exists()  # a demo writes no history


def test_demo_of_the_stuck_fix_times_out_naming_the_product(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "demo", "--scenario",
                             "fix-stuck"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=150, check=False,
                            env={**os.environ, "SONOS_INVENTORY_HOME": str(tmp_path / "h")})
    assert result.returncode == 1, result.stderr
    assert "rebooted Kitchen" in result.stdout
    assert "Bedroom: not in step for" in result.stderr


def test_a_notify_makes_the_watch_poll_early(tmp_path: Path) -> None:
    """A product that drops off says so (ssdp:byebye); with a 60 s interval, the watch polls
    again as soon as its 5 s minimum allows, not a minute later."""
    import shutil

    from sonos_inventory.scan import ScanOptions
    from sonos_inventory.scenario.builtin import write_scenario
    from sonos_inventory.scenario.folder import load_scenario
    from sonos_inventory.watch import Watch, WatchOptions

    folder = write_scenario("healthy-s2", tmp_path / "story")
    office = "RINCON_000E58F0020401400"
    (folder / "timeline.json").write_text(json.dumps(
        [{"at_s": 3, "uuid": office, "change": "drop"}]))
    with Emulator(load_scenario(folder), mdns=False) as emulator:
        watch = Watch(ScanOptions(interface_addrs=("127.0.0.1",), use_mdns=False,
                                  ssdp_window_s=1.0),
                      WatchOptions(interval_s=60.0), local_networks=())
        started = time.monotonic()
        for event in watch.run():
            if event.kind == "vanished":
                break
            assert time.monotonic() - started < 40
        watch.stop()
    assert event.kind == "vanished" and event.uuid == office
    assert time.monotonic() - started < 20 and watch.notices >= 1
    assert emulator.players
    shutil.rmtree(folder)

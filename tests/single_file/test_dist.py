"""`make dist`: the single-file program is built (scripts/build-dist, what `make dist` and the
release workflow run) and works with no Python and an empty environment.

The build takes about 30-40 s here, more than the rest of the suite, so it runs in CI
(`make test-slow`, which .ci/run calls after `make test`) rather than in every `make test`; it
skips where PyInstaller is not installed (it comes with the dev extra).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sonos_inventory.emulator.server import Emulator

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller not installed (pip install -e '.[dist]')"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(ROOT / "scripts" / "build-dist"), sys.executable, str(out / "dist"),
                    str(out / "build")], check=True, timeout=900, capture_output=True)
    built = out / "dist" / ("sonos-inventory.exe" if sys.platform == "win32" else
                            "sonos-inventory")
    assert built.is_file()
    return built


def run_bare(program: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """An empty environment: no PATH, no PYTHONPATH, no HOME, no locale."""
    return subprocess.run([str(program), *args], env={}, cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=False)


def test_demo_runs_in_an_empty_environment(program: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_bare(program, "demo", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # the default scenario has the conflict
    assert "Sonos Play:5" in result.stdout and "(software-track conflict): Likely" in result.stdout
    assert "S1" in result.stdout  # the product table is inside: tracks are decided
    assert time.monotonic() - started < 60


def test_schema_and_html_are_inside(program: Path, tmp_path: Path) -> None:
    assert run_bare(program, "demo", "-f", "json", "-o", "inv.json", cwd=tmp_path).returncode == 1
    document = json.loads((tmp_path / "inv.json").read_text("utf-8"))
    assert document["tool"]["version"] not in ("", "0.0.0+source")  # package metadata inside
    # analyze validates its input against the JSON Schema shipped inside the program
    result = run_bare(program, "analyze", "inv.json", "-f", "html", "-o", "r.html", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "<style>" in (tmp_path / "r.html").read_text("utf-8")


def test_help_and_version(program: Path, tmp_path: Path) -> None:
    result = run_bare(program, "--version", cwd=tmp_path)
    assert result.returncode == 0 and "sonos-inventory" in result.stdout
    assert "Built-in scenarios" in run_bare(program, "demo", "--help", cwd=tmp_path).stdout


@pytest.mark.skipif(os.environ.get("SONOS_INVENTORY_IN_NETNS") != "1",
                    reason="the guided scan searches the default interfaces: only inside the "
                           "private network namespace (make test / scripts/in-netns)")
def test_guide_of_the_single_file_saves_the_report(program: Path, tmp_path: Path,
                                                   emulate: Callable[..., Emulator]) -> None:
    player = emulate("healthy-s2").players[0].endpoint
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > "{tmp_path}/opened.txt"\n')
    browser.chmod(0o755)
    env = {"SONOS_INVENTORY_DOCUMENTS": str(tmp_path / "Docs"), "BROWSER": str(browser),
           "SONOS_INVENTORY_HOME": str(tmp_path / "home")}
    result = subprocess.run([str(program), "guide"], input=f"\n{player.host}:{player.port}\n\n\n",
                            env=env, cwd=tmp_path, capture_output=True, text=True,
                            encoding="utf-8", timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (html,) = (tmp_path / "Docs").glob("sonos-inventory-*/sonos-report.html")
    assert (tmp_path / "opened.txt").read_text().strip() == html.as_uri()


@pytest.mark.skipif(os.environ.get("SONOS_INVENTORY_IN_NETNS") != "1",
                    reason="the guided scan searches the default interfaces: only inside the "
                           "private network namespace (make test / scripts/in-netns)")
@pytest.mark.parametrize("when", ["searching", "at the address prompt"])
def test_one_ctrl_c_in_the_single_file_is_one_clean_stop(program: Path, tmp_path: Path,
                                                         when: str) -> None:
    """The one-file launcher forwards the SIGINT the terminal also sends the program: one key
    press must stop the guide once, with one line and exit 130, never a traceback. Tried
    several times: the second signal's timing varies."""
    from tests.integration.test_guide_pty import PtySession, interrupt

    env = {"SONOS_INVENTORY_DOCUMENTS": str(tmp_path / "Docs"), "TERM": "xterm",
           "SONOS_INVENTORY_HOME": str(tmp_path / "home"), "SONOS_INVENTORY_NO_BROWSER": "1"}
    for _ in range(3):
        guide = PtySession([str(program), "guide"], env, tmp_path)
        guide.expect("Press Enter to start", timeout=60)
        guide.send("")
        guide.expect("Searching..." if when == "searching" else "IP address: ", timeout=60)
        interrupt(guide)
        screen = guide.expect("Stopped (Ctrl-C). Nothing was saved.")
        assert guide.close() == 130
        assert "Traceback" not in screen and screen.count("Stopped (Ctrl-C)") == 1
        assert not (tmp_path / "Docs").exists()

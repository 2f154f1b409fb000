"""The guided scan end to end, as a person meets it: the bare command in a terminal (a pseudo-
terminal here), against the emulator on loopback. The default search finds nothing (inside the
private network namespace only loopback exists, and the search skips loopback); the person
types one player's address; the report is saved in the (overridden) Documents folder and
"opened" by a BROWSER script that records the call.

The guided scan searches with the default interfaces, so these tests run only inside the
private namespace of `make test` (scripts/in-netns), never on a machine's real network.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sonos_inventory.emulator.server import Emulator

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.environ.get("SONOS_INVENTORY_IN_NETNS") != "1",
                       reason="the guided scan searches the default interfaces: only inside "
                              "the private network namespace (make test / scripts/in-netns)"),
]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class PtySession:
    def __init__(self, args: list[str], env: dict[str, str], cwd: Path,
                 size: tuple[int, int] = (40, 100)) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=cwd, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = b""
        self.seen = 0  # expect() looks after what earlier expects matched

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the program closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    def expect(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            plain = ANSI.sub("", self.text)
            index = plain.find(needle, self.seen)
            if index >= 0:
                self.seen = index + len(needle)
                return plain
            finished = not self._read(deadline) and self.proc.poll() is not None
            if finished or time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not shown; the screen so far:\n{plain}")

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")  # the Enter key

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            os.close(self.master)


@pytest.fixture
def person_env(tmp_path: Path) -> dict[str, str]:
    """A person's environment, with the Documents folder, the history and the browser
    redirected into tmp_path."""
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{tmp_path}/opened.txt"\n')
    browser.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update({"BROWSER": str(browser), "SONOS_INVENTORY_DOCUMENTS": str(tmp_path / "Docs"),
                "SONOS_INVENTORY_HOME": str(tmp_path / "home"), "HOME": str(tmp_path / "home"),
                "TERM": "xterm-256color", "NO_PROXY": "*"})
    return env


@pytest.fixture
def session(tmp_path: Path, person_env: dict[str, str]) -> Iterator[Callable[..., PtySession]]:
    opened: list[PtySession] = []

    def start(*args: str) -> PtySession:
        opened.append(PtySession([sys.executable, "-m", "sonos_inventory", *args], person_env,
                                 tmp_path))
        return opened[-1]

    yield start
    for one in opened:
        if one.proc.poll() is None:
            os.killpg(one.proc.pid, signal.SIGTERM)
            one.proc.wait(timeout=10)


def test_bare_command_in_a_terminal_guides_to_a_saved_and_opened_report(
        emulate: Callable[..., Emulator], session: Callable[..., PtySession],
        tmp_path: Path) -> None:
    emulator = emulate("error-803")
    player = emulator.players[1].endpoint
    guide = session()  # no arguments, in a terminal: the guided scan
    guide.expect("changes nothing on your speakers")
    guide.expect("Press Enter to start")
    guide.send("")
    guide.expect("No Sonos product answered the search")
    guide.expect("IP address: ")
    guide.send(f"{player.host}:{player.port}")
    screen = guide.expect("Diagnostic number (Enter to skip): ")
    for room in ("Living Room", "Kitchen", "Office", "Bedroom"):
        assert room in screen
    assert "\x1b[" in guide.text  # the verdict is coloured on a terminal
    assert "(software-track conflict): Likely" in screen
    table = [line for line in screen.splitlines() if "00-0E-58-F0-01-0" in line
             and line[2:].startswith(("Living", "Kitchen", "Office", "Bedroom"))]
    assert len(table) == 4 and all(len(line) <= 100 for line in table)
    guide.send("98765432")
    screen = guide.expect("Press Enter to close this window.")
    guide.send("")
    assert guide.close() == 1  # a conflict was found

    folder = tmp_path / "Docs" / f"sonos-inventory-{time.strftime('%Y-%m-%d')}"
    html, bundle = folder / "sonos-report.html", folder / "sonos-support-bundle.zip"
    flat = " ".join(screen.split())
    assert str(html) in flat and str(bundle) in flat
    assert "98765432" in html.read_text("utf-8")
    with zipfile.ZipFile(bundle) as archive:
        document = json.loads(archive.read("inventory.json"))
    assert len(document["players"]) == 4
    assert document["scan"]["methods"] == ["host", "topology"]  # only what it was told
    deadline = time.monotonic() + 10
    while not (tmp_path / "opened.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "opened.txt").read_text().split() == [html.as_uri()]
    assert len(list((tmp_path / "home" / "history").glob("scan-*.json"))) == 1


def test_nothing_found_saves_nothing(session: Callable[..., PtySession],
                                     tmp_path: Path) -> None:
    guide = session("guide")
    guide.expect("Press Enter to start")
    guide.send("")
    guide.expect("IP address: ")
    guide.send("q")
    guide.expect("Press Enter to close this window.")
    guide.send("")
    assert guide.close() == 3
    assert not (tmp_path / "Docs").exists() and not (tmp_path / "home" / "history").exists()
    assert not (tmp_path / "opened.txt").exists()


def test_guide_is_driven_by_a_script_through_stdin(
        emulate: Callable[..., Emulator], person_env: dict[str, str], tmp_path: Path) -> None:
    emulator = emulate("healthy-s2")
    player = emulator.players[0].endpoint
    answers = f"\nnot-an-ip\n{player.host}:{player.port}\n\n\n"
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "guide"], input=answers,
                            capture_output=True, text=True, env=person_env, cwd=tmp_path,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "'not-an-ip' is not an IP address" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal
    assert list((tmp_path / "Docs").glob("sonos-inventory-*/sonos-report.html"))


def test_bare_command_without_a_terminal_prints_help(person_env: dict[str, str],
                                                     tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sonos_inventory"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, env=person_env, cwd=tmp_path,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert "Usage: " in result.stderr and "guide" in result.stderr
    assert not (tmp_path / "Docs").exists()

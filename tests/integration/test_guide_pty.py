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
from typing import Any

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
    assert str(folder) in flat and html.name in flat and bundle.name in flat
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


# ---- Ctrl-C: one key press stops the guide, says so in one line, exits 130 ----

def at_the_diagnostic_prompt(session: Callable[..., PtySession], player: Any) -> PtySession:
    """The guide started, the search found nothing, the player's address typed and read."""
    guide = session()
    guide.expect("Press Enter to start")
    guide.send("")
    guide.expect("IP address: ")
    guide.send(f"{player.host}:{player.port}")
    guide.expect("Diagnostic number (Enter to skip): ")
    return guide


def interrupt(guide: PtySession, times: int = 1) -> None:
    """Ctrl-C as a terminal sends it: SIGINT to the foreground process group (the pty here is
    not the program's controlling terminal, so the key itself would not signal). What the
    screen shows from here on is checked by assert_stopped_with_nothing_saved."""
    guide.seen = len(ANSI.sub("", guide.text))
    for _ in range(times):
        os.killpg(guide.proc.pid, signal.SIGINT)


def assert_stopped_with_nothing_saved(guide: PtySession, tmp_path: Path) -> None:
    since = guide.seen
    screen = guide.expect("Stopped (Ctrl-C). Nothing was saved.")[since:]
    assert guide.close() == 130
    for wrong in ("Traceback", "firewall", "No Sonos product answered", "Diagnostic number"):
        assert wrong not in screen, screen
    assert screen.count("Stopped (Ctrl-C)") == 1
    assert not (tmp_path / "Docs").exists() and not (tmp_path / "opened.txt").exists()
    assert not list((tmp_path / "home").glob("history/scan-*.json"))


def test_ctrl_c_during_the_search_stops_it_and_saves_nothing(
        session: Callable[..., PtySession], tmp_path: Path) -> None:
    guide = session()
    guide.expect("Press Enter to start")
    guide.send("")
    guide.expect("Searching...")
    interrupt(guide)
    assert_stopped_with_nothing_saved(guide, tmp_path)


@pytest.mark.slow
def test_ctrl_c_at_the_diagnostic_prompt_saves_the_finished_report(
        emulate: Callable[..., Emulator], session: Callable[..., PtySession],
        tmp_path: Path) -> None:
    player = emulate("error-803").players[0].endpoint
    guide = at_the_diagnostic_prompt(session, player)
    interrupt(guide)
    screen = guide.expect("sonos-support-bundle.zip")
    assert guide.close() == 130
    assert "Stopped (Ctrl-C). Saving the report of the finished scan first." in screen
    assert "Traceback" not in screen and "Press Enter to close" not in screen
    (html,) = (tmp_path / "Docs").glob("sonos-inventory-*/sonos-report.html")
    assert "Software-track conflict" in html.read_text("utf-8")
    assert len(list((tmp_path / "home" / "history").glob("scan-*.json"))) == 1


@pytest.mark.slow
@pytest.mark.parametrize("prompt", ["Press Enter to start", "IP address: "])
def test_ctrl_c_at_a_prompt_before_anything_was_read(
        session: Callable[..., PtySession], tmp_path: Path, prompt: str) -> None:
    guide = session()
    guide.expect("Press Enter to start")
    if prompt != "Press Enter to start":
        guide.send("")
        guide.expect(prompt)
    interrupt(guide)
    assert_stopped_with_nothing_saved(guide, tmp_path)


@pytest.mark.slow
def test_ctrl_c_while_a_typed_address_is_read_never_blames_the_address(
        session: Callable[..., PtySession], tmp_path: Path) -> None:
    import socket

    with socket.socket() as silent:  # accepts (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        guide = session()
        guide.expect("Press Enter to start")
        guide.send("")
        guide.expect("IP address: ")
        guide.send(f"127.0.0.1:{silent.getsockname()[1]}")
        guide.expect("Searching...")
        time.sleep(0.3)  # the read is under way
        interrupt(guide)
        assert_stopped_with_nothing_saved(guide, tmp_path)


@pytest.mark.slow
def test_ctrl_c_delivered_twice_is_one_interrupt(
        emulate: Callable[..., Emulator], session: Callable[..., PtySession],
        tmp_path: Path) -> None:
    """What the single file's launcher does: the terminal's SIGINT, and the same one forwarded."""
    guide = session()
    guide.expect("Press Enter to start")
    guide.send("")
    guide.expect("Searching...")
    interrupt(guide, times=2)
    assert_stopped_with_nothing_saved(guide, tmp_path)


@pytest.mark.slow
def test_ctrl_c_at_the_closing_prompt_after_saving(
        emulate: Callable[..., Emulator], session: Callable[..., PtySession],
        tmp_path: Path) -> None:
    player = emulate("healthy-s2").players[0].endpoint
    guide = at_the_diagnostic_prompt(session, player)
    guide.send("")
    guide.expect("Press Enter to close this window.")
    interrupt(guide)
    screen = guide.expect("Stopped (Ctrl-C). The report was saved (see above).")
    assert guide.close() == 130 and "Traceback" not in screen
    assert len(list((tmp_path / "Docs").glob("sonos-inventory-*/sonos-report*.html"))) == 1

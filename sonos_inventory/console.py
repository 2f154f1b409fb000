"""The edges a person meets: the console's encoding and width, colour, the browser and the
Documents folder. Every choice here can be overridden by an environment variable, so tests and
scripts never touch the real home folder or start a real browser.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

ENV_DOCUMENTS = "SONOS_INVENTORY_DOCUMENTS"  # where the guided scan saves its folder
ENV_NO_BROWSER = "SONOS_INVENTORY_NO_BROWSER"  # set to 1: never start a browser
NAME = "sonos-inventory"


def force_utf8(*streams: TextIO) -> None:
    """UTF-8 with replacement on the given streams, whatever the console's code page.

    A Windows console redirected to a file or pipe gets the ANSI code page (cp1252, ...) by
    default, and a Japanese room name then raises UnicodeEncodeError mid-report.
    """
    for stream in streams:
        if isinstance(stream, io.TextIOWrapper):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # already written to / detached: leave it
                continue


INTERRUPT_ECHO_S = 1.0
"""A second SIGINT this soon after the first is the same key press delivered twice."""


def one_interrupt_per_press(window_s: float = INTERRUPT_ECHO_S) -> None:
    """Make one Ctrl-C one KeyboardInterrupt: a SIGINT within `window_s` of the last one that
    interrupted is ignored. The single file's launcher (PyInstaller's one-file bootloader)
    forwards the SIGINT the terminal also sends this process, so one key press arrived twice:
    it cut a scan short and then ended the program at the next prompt with a traceback. Only
    from the main thread (where Python runs signal handlers); elsewhere it does nothing."""
    last = [float("-inf")]

    def handler(signum: int, frame: object) -> None:
        now = time.monotonic()
        if now - last[0] < window_s:
            return
        last[0] = now
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no SIGINT
        signal.signal(signal.SIGINT, handler)


def ignore_interrupts_while_exiting() -> None:
    """The program has its exit code: a SIGINT that arrives now (the single file's launcher
    can forward the key press late, once Python has put back the default handler while it
    shuts down) must not turn exit 130 into death by signal."""
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to fit the table to: COLUMNS when set, else the terminal's, else None
    (piped output keeps the full layout)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = stream or sys.stdout
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (ValueError, OSError):
        return None
    return None


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return False
    except (ValueError, OSError):
        return False
    return _windows_ansi() if sys.platform == "win32" else True


def _windows_ansi() -> bool:
    """Turn on ANSI colour in a Windows console (off by default in the classic console that a
    double-click opens); False when it cannot be, so no escape codes are printed as text."""
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))  # VT processing
    return False


def program_name() -> str:
    """How to run this program again from the same place: `sonos-inventory` when that is on
    PATH and is this program, else the path it was started by (e.g. .venv/bin/sonos-inventory
    after `make demo`, ./sonos-inventory for the downloaded file)."""
    if not getattr(sys, "frozen", False) and Path(sys.argv[0]).name in ("__main__.py", "-m"):
        return f"{Path(sys.executable).name} -m sonos_inventory"
    started = Path(sys.executable if getattr(sys, "frozen", False) else sys.argv[0])
    on_path = shutil.which(NAME)
    try:
        if on_path and Path(on_path).resolve() == started.resolve():
            return NAME
    except OSError:
        pass
    text = str(started)
    if not started.is_absolute() and os.sep not in text:
        text = f".{os.sep}{text}"
    return f'"{text}"' if " " in text else text


def documents_dir() -> Path:
    """The user's Documents folder (SONOS_INVENTORY_DOCUMENTS overrides it); the home folder
    when there is none."""
    override = os.environ.get(ENV_DOCUMENTS)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_documents_path

    documents = user_documents_path()
    return documents if documents.is_dir() else Path.home()


def report_folders() -> list[Path]:
    """Where the guided scan saves, best first: Documents, then the places a person finds next
    when that cannot be written (macOS privacy prompt refused, Windows Controlled folder
    access, a read-only mount): the Desktop, the home folder, the system temporary folder."""
    from platformdirs import user_desktop_path

    if os.environ.get(ENV_DOCUMENTS):  # chosen on purpose (and by tests): then only the temp
        return [documents_dir(), Path(tempfile.gettempdir())]
    places = [documents_dir()]
    with contextlib.suppress(Exception):  # platformdirs may find no desktop on a server
        places.append(user_desktop_path())
    with contextlib.suppress(RuntimeError, KeyError):
        places.append(Path.home())
    places.append(Path(tempfile.gettempdir()))
    return list(dict.fromkeys(places))


def open_in_browser(path: Path) -> bool:
    """Open a local file in the default browser. False when none can be started here.

    BROWSER (the webbrowser module's variable) picks the program, also in tests. Otherwise
    Windows opens the file with its default program (os.startfile, as a double-click does),
    macOS with `open`; elsewhere the webbrowser module decides. On a Linux console without a
    display there is no graphical browser: a text-mode one would take over the terminal, so
    nothing is started and the caller prints the path instead.
    """
    if os.environ.get(ENV_NO_BROWSER) == "1":
        return False
    target = path.resolve()
    if not os.environ.get("BROWSER"):
        if sys.platform == "win32":
            try:
                os.startfile(str(target))  # type: ignore[attr-defined]  # noqa: S606 (our own file)
            except (OSError, AttributeError):
                return False
            return True
        if sys.platform == "darwin":
            import subprocess

            try:
                return subprocess.run(  # noqa: S603 (a fixed program; the path is our file)
                    ["/usr/bin/open", str(target)], capture_output=True,
                    timeout=20, check=False).returncode == 0
            except (OSError, subprocess.SubprocessError):
                return False
        if sys.platform.startswith("linux") and not (
                os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False
    import webbrowser  # only when a report is opened: it costs start-up time

    try:
        return webbrowser.open(target.as_uri())
    except (webbrowser.Error, OSError):
        return False

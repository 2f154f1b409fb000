"""Windows and macOS, where most owners are, tested here on Linux with the platform faked:
`sys.platform`, the environment and the folder functions are monkeypatched, so the code that
runs is the code those systems run (up to the operating system call, which is recorded)."""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path
from typing import Any

import platformdirs
import platformdirs.macos
import platformdirs.windows
import pytest

from sonos_inventory import console, guide_text


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("USERPROFILE", str(folder))
    monkeypatch.delenv(console.ENV_DOCUMENTS, raising=False)
    return folder


def as_windows(monkeypatch: pytest.MonkeyPatch, known: dict[str, Path]) -> None:
    """platformdirs' Windows implementation, with the shell's known-folder answers faked."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platformdirs.windows, "_RESOLVE_WIN_FOLDER",
                        lambda csidl: str(known[csidl]))
    windows = platformdirs.windows.Windows()
    monkeypatch.setattr(platformdirs, "user_documents_path",
                        lambda: windows.user_documents_path)
    monkeypatch.setattr(platformdirs, "user_desktop_path", lambda: windows.user_desktop_path)


def test_windows_documents_is_the_known_folder_also_when_onedrive_moved_it(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OneDrive's folder backup moves Documents to %USERPROFILE%\\OneDrive\\Documents; the
    known-folder API says so, and %USERPROFILE%\\Documents is then an empty leftover."""
    (home / "Documents").mkdir()
    onedrive = home / "OneDrive" / "Documents"
    desktop = home / "OneDrive" / "Desktop"
    onedrive.mkdir(parents=True)
    desktop.mkdir()
    as_windows(monkeypatch, {"CSIDL_PERSONAL": onedrive, "CSIDL_DESKTOPDIRECTORY": desktop})
    assert console.documents_dir() == onedrive
    places = console.report_folders()
    assert places[:3] == [onedrive, desktop, home]  # Controlled folder access: the next place
    assert places[-1].is_dir() and len(places) == 4  # and the temporary folder last


def test_windows_documents_that_does_not_exist_falls_back_to_home(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_windows(monkeypatch, {"CSIDL_PERSONAL": home / "gone",
                             "CSIDL_DESKTOPDIRECTORY": home / "Desktop"})
    assert console.documents_dir() == home


def test_macos_documents_is_the_one_in_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "Documents").mkdir()
    monkeypatch.setattr(sys, "platform", "darwin")
    mac = platformdirs.macos.MacOS()
    monkeypatch.setattr(platformdirs, "user_documents_path", lambda: mac.user_documents_path)
    monkeypatch.setattr(platformdirs, "user_desktop_path", lambda: mac.user_desktop_path)
    assert console.documents_dir() == home / "Documents"
    assert console.report_folders()[:3] == [home / "Documents", home / "Desktop", home]


def test_a_windows_code_page_console_still_prints_any_room_name() -> None:
    """A console on code page 1252 (or a redirected one) cannot encode a Japanese room name:
    the streams are switched to UTF-8 with replacement before anything is written."""
    with pytest.raises(UnicodeEncodeError):
        stream = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
        stream.write("リビング")
        stream.flush()
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    console.force_utf8(stream)
    stream.write("リビング\n")
    stream.flush()
    assert raw.getvalue().endswith("リビング\n".encode())


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def fake_kernel32(monkeypatch: pytest.MonkeyPatch, console_mode: bool) -> list[int]:
    import ctypes

    modes: list[int] = []

    def get_mode(handle: object, mode: Any) -> int:
        if console_mode:
            mode._obj.value = 0x0003  # ctypes.byref(...)._obj is the c_uint32
        return int(console_mode)

    def set_mode(handle: object, mode: int) -> int:
        modes.append(mode)
        return 1

    kernel32 = types.SimpleNamespace(GetStdHandle=lambda which: 7, GetConsoleMode=get_mode,
                                     SetConsoleMode=set_mode)
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32),
                        raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return modes


def test_windows_console_colour_turns_on_virtual_terminal_processing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    modes = fake_kernel32(monkeypatch, console_mode=True)
    assert console.colour_enabled(FakeTty())
    assert modes == [0x0003 | 0x0004]


def test_an_old_windows_console_gets_no_escape_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    modes = fake_kernel32(monkeypatch, console_mode=False)
    assert not console.colour_enabled(FakeTty())
    assert modes == []


def test_windows_opens_the_report_as_a_double_click_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.delenv(console.ENV_NO_BROWSER, raising=False)
    monkeypatch.setattr("os.startfile", started.append, raising=False)
    report = tmp_path / "sonos-report.html"
    assert console.open_in_browser(report)
    assert started == [str(report.resolve())]

    def refused(path: str) -> None:
        raise OSError("no program is associated")

    monkeypatch.setattr("os.startfile", refused, raising=False)
    assert not console.open_in_browser(report)  # the guide then says where the file is


def test_macos_opens_the_report_with_open(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    ran: list[list[str]] = []

    def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        ran.append(args)
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.delenv(console.ENV_NO_BROWSER, raising=False)
    monkeypatch.setattr(subprocess, "run", run)
    report = tmp_path / "sonos-report.html"
    assert console.open_in_browser(report)
    assert ran == [["/usr/bin/open", str(report.resolve())]]


@pytest.mark.parametrize(("platform", "says"), [
    ("win32", ["Windows Defender Firewall", "Private"]),
    ("darwin", ["Local Network", "System Settings"]),
])
def test_the_hints_speak_of_the_owners_system(platform: str, says: list[str]) -> None:
    text = guide_text.reasons_nothing_found(platform)
    for words in says:
        assert words in text, text
    assert "UDP" not in text and "SSDP" not in text  # no protocol names for an owner

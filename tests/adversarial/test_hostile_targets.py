"""Output targets (-o, --bundle, --redact-map), the scan history, and Ctrl-C.

Device nodes and FIFOs are made inside the test folder (never the real /dev/null or a terminal):
a character device with /dev/null's numbers stands for /dev/null, a symlink to a FIFO for
/dev/stdout.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory import api, history
from sonos_inventory.cli import cli
from sonos_inventory.report.render_json import render_json

from ..helpers import inventory_of


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    return tmp_path / "home" / "history"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.stdout, result.stderr


def saved(tmp_path: Path, scenario: str = "error-803") -> Path:
    path = tmp_path / f"{scenario}.json"
    path.write_text(render_json(inventory_of(scenario)))
    return path


def null_device(path: Path) -> Path:
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    return path


class Reader(threading.Thread):
    """Reads a FIFO to its end, as `cat fifo` would."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""

    def run(self) -> None:
        with self.path.open("rb") as stream:
            self.data = stream.read()


def test_a_device_target_is_written_in_place_never_replaced(tmp_path: Path) -> None:
    device = null_device(tmp_path / "null")
    code, out, err = run("analyze", str(saved(tmp_path)), "-o", str(device))
    assert code == 1 and out == "", err
    assert stat.S_ISCHR(device.lstat().st_mode)
    code, _, err = run("analyze", str(saved(tmp_path)), "--bundle", str(device) + ".zip")
    assert code == 1  # a fresh name: an ordinary file


def test_a_link_to_a_fifo_like_dev_stdout_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    reader = Reader(fifo)
    reader.start()
    code, _, err = run("analyze", str(saved(tmp_path)), "-f", "json", "-o", str(link))
    reader.join(10)
    assert code == 1, err
    assert json.loads(reader.data)["verdict"]["error_803"] == "likely"
    assert link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_bundle_into_a_fifo_is_a_whole_zip(tmp_path: Path) -> None:
    fifo = tmp_path / "bundle.zip"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    reader.start()
    code, _, err = run("analyze", str(saved(tmp_path)), "--bundle", str(fifo))
    reader.join(10)
    assert code == 1, err
    copy = tmp_path / "copy.zip"
    copy.write_bytes(reader.data)
    with zipfile.ZipFile(copy) as archive:
        assert "inventory.json" in archive.namelist()


def test_dash_means_stdout(tmp_path: Path) -> None:
    code, out, _ = run("analyze", str(saved(tmp_path)), "-f", "json", "-o", "-")
    assert code == 1 and json.loads(out)["players"]
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("option", ["-o", "--bundle", "--redact-map"])
@pytest.mark.parametrize("where", ["missing/folder/x.zip", "afile/x.zip", "adir"])
def test_a_bad_target_is_found_before_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               option: str, where: str) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    target = str(tmp_path / where) + ("" if where.endswith(".zip") else ".zip" if
                                       option == "--bundle" else "")
    if where == "adir":
        target = str(tmp_path / "adir.zip")
        Path(target).mkdir()

    def no_scan(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("scanned although the target is bad")

    monkeypatch.setattr(api, "run_scan", no_scan)
    extra = ["--redact"] if option == "--redact-map" else []
    for command in (["scan", "--interface-addr", "127.0.0.1"], ["demo"]):
        code, out, err = run(*command, *extra, option, target)
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2 and len(lines) == 1 and lines[0].startswith("Error: "), err
        assert out == "" and "Starting" not in err


def test_when_writing_fails_after_the_scan_the_report_is_printed(tmp_path: Path) -> None:
    fifo = tmp_path / "nobody-reads"
    os.mkfifo(fifo)  # writing fails at once (no reader): the check before could not know
    code, out, err = run("analyze", str(saved(tmp_path)), "-f", "json", "-o", str(fifo))
    assert code == 2, err  # never the "conflict found" code
    assert json.loads(out)["verdict"]["error_803"] == "likely"
    assert "printed below" in err and "Traceback" not in err


def test_when_the_bundle_fails_it_is_saved_elsewhere(tmp_path: Path) -> None:
    fifo = tmp_path / "nobody.zip"
    os.mkfifo(fifo)
    code, _, err = run("analyze", str(saved(tmp_path)), "--bundle", str(fifo))
    assert code == 2 and "saved it as" in err, err
    (kept,) = (tmp_path / "elsewhere").iterdir()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    with zipfile.ZipFile(kept) as archive:
        assert "inventory.json" in archive.namelist()


def test_written_files_are_private_and_links_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    planted = tmp_path / "report.md"
    planted.symlink_to(outside)
    code, _, err = run("analyze", str(saved(tmp_path)), "--redact", "-o", str(planted),
                       "--bundle", str(tmp_path / "b.zip"), "--redact-map",
                       str(tmp_path / "map.json"))
    assert code == 1, err
    assert outside.read_text() == "keep me" and not planted.is_symlink()
    for name in ("report.md", "b.zip", "map.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ---- the scan history ----


def hostile_history(directory: Path, tmp_path: Path) -> None:
    directory.mkdir(parents=True)
    good = json.loads(render_json(inventory_of("error-803")))
    (directory / "scan-20260101T000000Z.json").write_text(json.dumps(good))
    (directory / "scan-20260102T000000Z.json").write_text("{not json")
    (directory / "scan-20260103T000000Z.json").write_text("[" * 100000 + "]" * 100000)
    with (directory / "scan-20260104T000000Z.json").open("wb") as stream:
        stream.truncate(40 * 1024 * 1024)  # sparse: huge but free
    os.mkfifo(directory / "scan-20260105T000000Z.json")
    (directory / "scan-20260106T000000Z.json").mkdir()
    (tmp_path / "target.json").write_text(json.dumps(good))
    (directory / "scan-20260107T000000Z.json").symlink_to(tmp_path / "target.json")
    (directory / "scan-2026\x1b[2J\u202e.json").write_text('{"players": 5}')
    null_device(directory / "scan-20260108T000000Z.json")
    (directory / "scan-20260109T000000Z.json").write_text(json.dumps(
        {**good, "scan": {"finished_at": "\x1b[31mred", "started_at": 5}}))


def test_a_hostile_history_never_stops_scan_history_or_diff(emulate: object, tmp_path: Path,
                                                            isolated: Path) -> None:
    hostile_history(isolated, tmp_path)
    emulate("error-803")  # type: ignore[operator]
    code, out, err = run("scan", "--interface-addr", "127.0.0.1", "--no-mdns", "-f", "json")
    assert code == 1 and "Traceback" not in err, err
    assert "skipped" in err and "bad file(s) in the scan history" in err
    assert "\x1b" not in err and "\u202e" not in err
    players = json.loads(out)["players"]
    assert all(p["first_seen"] for p in players)

    code, out, err = run("history")
    assert code == 0 and "unreadable" in out, err
    assert "\x1b" not in out + err and "\u202e" not in out + err
    assert len(out.splitlines()) == 1 + len(list(isolated.iterdir()))  # a header first

    code, out, err = run("diff")
    assert code in (0, 1) and "Traceback" not in err, err

    code, _, err = run("history", "--clear", "--yes")
    assert code == 0, err
    assert not isolated.exists() or not list(isolated.iterdir())
    assert (tmp_path / "target.json").exists()  # the link went, not what it pointed at


def test_history_files_are_private_and_saving_never_follows_a_link(tmp_path: Path,
                                                                   isolated: Path) -> None:
    document = json.loads(render_json(inventory_of("healthy-s2")))
    isolated.mkdir(parents=True, mode=0o700)
    outside = tmp_path / "outside.json"
    outside.write_text("keep me")
    stamp = document["scan"]["finished_at"].replace("-", "").replace(":", "")
    (isolated / f"scan-{stamp}.json").symlink_to(outside)
    path = history.save(document)
    assert outside.read_text() == "keep me" and not path.is_symlink()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh" / "a" / "history"
    history.save(document, fresh)
    for folder in (fresh, fresh.parent, fresh.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


# ---- Ctrl-C ----


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.6])
def test_ctrl_c_while_the_emulator_starts_is_one_line_and_130(tmp_path: Path,
                                                              delay: float) -> None:
    process = subprocess.Popen([sys.executable, "-m", "sonos_inventory", "demo"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=tmp_path)
    assert process.stderr is not None
    assert "Starting the emulated household" in process.stderr.readline()
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode == 130 and "Traceback" not in err, err
    assert lines == ["Interrupted."], err


def test_an_emulator_that_cannot_start_says_why(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from sonos_inventory.emulator import server

    def refuse(self: object) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(server.Emulator, "_start", refuse)
    code, _, err = run("demo")
    assert code == 2 and "cannot start the emulator" in err and "in use" in err, err
    code, _, err = run("emulate", "error-803")
    assert code == 2 and "cannot start the emulator" in err, err


def test_a_request_log_nobody_reads_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "log"
    os.mkfifo(fifo)
    code, _, err = run("emulate", "error-803", "--request-log", str(fifo))
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("Error: "), err

"""Hostile bundles given to analyze, demo --scenario and emulate: every bomb is built here.

Each must end in exit 2 with one line on stderr, never a traceback, a hang or a memory blow-up.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory.bounds import (
    MAX_BUNDLE_ENTRIES,
    MAX_BUNDLE_MEMBER_BYTES,
    MAX_BUNDLE_TOTAL_BYTES,
)
from sonos_inventory.cli import cli
from sonos_inventory.errors import UsageError
from sonos_inventory.report.render_json import render_json
from sonos_inventory.scenario.extract import extract_raw

from ..helpers import inventory_of

MB = 1024 * 1024
MEMORY_LIMIT_KB = 200 * 1024  # the promise: reading or replaying any bundle < 200 MB


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err and len(lines[0]) < 500
    return lines[0]


def inventory_bytes() -> bytes:
    return render_json(inventory_of("error-803")).encode()


def write_zip(path: Path, members: dict[str, bytes],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def bomb(path: Path, size: int, name: str = "inventory.json") -> Path:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open(info, "w", force_zip64=size > 0xFFFFFFFF) as stream:
        block = bytes(MB)
        for _ in range(size // MB):
            stream.write(block)
    return path


def test_a_member_that_unpacks_too_far_is_refused(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.zip", MAX_BUNDLE_MEMBER_BYTES + 4 * MB)
    assert path.stat().st_size < MB  # a small file...
    line = one_line_error(*run("analyze", str(path))[::2])
    assert "unpacks to more than" in line


def test_the_total_is_capped_on_what_is_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    count = MAX_BUNDLE_TOTAL_BYTES // (MAX_BUNDLE_MEMBER_BYTES - MB) + 1
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inventory.json", inventory_bytes())
        for i in range(count):
            info = zipfile.ZipInfo(f"raw/pad-{i}")
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as stream:
                for _ in range(MAX_BUNDLE_MEMBER_BYTES // MB - 1):
                    stream.write(bytes(MB))
    assert "in all" in one_line_error(*run("analyze", str(path))[::2])


def test_a_zip_declaring_too_many_members_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "entries.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("inventory.json", inventory_bytes())
        for i in range(MAX_BUNDLE_ENTRIES + 1):
            archive.writestr(f"raw/{i}", b"")
    assert "members" in one_line_error(*run("analyze", str(path))[::2])


def test_an_end_record_that_lies_about_its_directory_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "lie.zip", {"inventory.json": inventory_bytes()})
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HHL", data, end + 8, 60000, 60000, 0x7FFFFFF0)
    path.write_bytes(bytes(data))
    one_line_error(*run("analyze", str(path))[::2])


def test_overlapping_members_are_refused(tmp_path: Path) -> None:
    """The "overlapping files" bomb: many central entries pointing at one local body."""
    path = write_zip(tmp_path / "overlap.zip", {"inventory.json": inventory_bytes(),
                                                "raw/a": b"x" * 1000})
    data = bytearray(path.read_bytes())
    central = [i for i in range(len(data)) if data[i:i + 4] == b"PK\x01\x02"]
    struct.pack_into("<L", data, central[1] + 42, 0)  # raw/a now starts where inventory.json does
    path.write_bytes(bytes(data))
    assert "overlap" in one_line_error(*run("analyze", str(path))[::2])


@pytest.mark.parametrize("name", ["raw/../../escape.xml", "/etc/evil", "raw/a\\..\\b",
                                  "raw/./x", "raw//x", "C:/x", "raw/\x1b[2Jx"])
def test_member_names_that_could_leave_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "names.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("inventory.json", inventory_bytes())
        archive.writestr(zipfile.ZipInfo(name), b"x")
    line = one_line_error(*run("analyze", str(path))[::2])
    assert "\x1b" not in line
    one_line_error(*run("demo", "--scenario", str(path))[::2])
    assert not (tmp_path / "escape.xml").exists()


def test_extract_never_writes_outside_its_target(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "target"
    with pytest.raises(UsageError):
        extract_raw({"../../outside.txt": b"x"}, target)
    assert not (tmp_path / "outside.txt").exists()
    planted = tmp_path / "planted"
    planted.mkdir()
    (target / "link").symlink_to(planted)
    with pytest.raises(UsageError):
        extract_raw({"link/x.xml": b"x"}, target)
    assert not list(planted.iterdir())


@pytest.mark.parametrize("names", [
    ("raw/home/zone_group_state.xml", "raw/home/zone_group_state.xml/x"),
    ("raw/home", "raw/home/"),
    ("raw/home/a", "raw/home/a"),
])
def test_a_member_that_is_both_file_and_folder_or_twice_is_refused(tmp_path: Path,
                                                                   names: tuple[str, ...]) -> None:
    path = tmp_path / "clash.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("inventory.json", inventory_bytes())
        for name in names:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # zipfile warns about a duplicate name
                archive.writestr(zipfile.ZipInfo(name), b"" if name.endswith("/") else b"x")
    one_line_error(*run("analyze", str(path))[::2])
    one_line_error(*run("demo", "--scenario", str(path))[::2])


@pytest.mark.parametrize("case", ["latin-1", "utf-16", "bzip2", "encrypted-flag", "truncated",
                                  "garbage", "empty", "not-an-inventory", "zip64"])
def test_malformed_bundles_are_one_line(tmp_path: Path, case: str) -> None:
    path = tmp_path / "bad.zip"
    good = inventory_bytes()
    if case == "latin-1":
        write_zip(path, {"inventory.json": good.replace(b"Kitchen", b"K\xfctchen")})
    elif case == "utf-16":
        write_zip(path, {"inventory.json": good.decode().encode("utf-16")})
    elif case == "bzip2":
        write_zip(path, {"inventory.json": good}, compression=zipfile.ZIP_BZIP2)
    elif case == "encrypted-flag":
        write_zip(path, {"inventory.json": good})
        data = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            data[at + offset] |= 1
        path.write_bytes(bytes(data))
    elif case == "truncated":
        write_zip(path, {"inventory.json": good})
        whole = path.read_bytes()
        path.write_bytes(whole[: len(whole) // 2])  # cut inside the member's data
    elif case == "garbage":
        path.write_bytes(b"PK\x03\x04" + os.urandom(5000))
    elif case == "empty":
        write_zip(path, {})
    elif case == "not-an-inventory":
        write_zip(path, {"inventory.json": b'{"players": "many"}'})
    elif case == "zip64":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            with archive.open("inventory.json", "w", force_zip64=True) as stream:
                stream.write(good)
            for i in range(3):
                archive.writestr(f"raw/{i}", b"x")
        data = bytearray(buffer.getvalue())
        end = data.rfind(b"PK\x05\x06")
        struct.pack_into("<HH", data, end + 8, 0xFFFF, 0xFFFF)
        locator = b"PK\x06\x07" + bytes(16)
        path.write_bytes(bytes(data[:end]) + locator + bytes(data[end:]))
    one_line_error(*run("analyze", str(path))[::2])
    if case not in ("not-an-inventory",):
        one_line_error(*run("demo", "--scenario", str(path))[::2])


@pytest.mark.parametrize("command", ["analyze", "diff"])
def test_a_missing_file_or_a_folder_is_one_line(tmp_path: Path, command: str) -> None:
    other = tmp_path / "other.json"
    other.write_bytes(inventory_bytes())
    for target in (tmp_path / "missing.json", tmp_path):
        args = [command, str(target)] + ([str(other)] if command == "diff" else [])
        one_line_error(*run(*args)[::2])


def test_a_fifo_given_as_input_never_hangs(tmp_path: Path) -> None:
    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "analyze", str(fifo)],
                            capture_output=True, text=True, timeout=60)
    line = one_line_error(result.returncode, result.stderr)
    assert "FIFO" in line


# ---- memory: a generous limit, measured in a child process (not a timing) ----

_MEASURE = (  # VmHWM: the peak resident set of this process image (ru_maxrss would include the
    # parent's, inherited across fork and exec)
    "import re, sys\n"
    "from sonos_inventory.cli import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    status = open('/proc/self/status').read()\n"
    "    sys.stderr.write('MAXRSS %s\\n' % re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
)


def peak_kb(*args: str, cwd: Path) -> tuple[int, int, str]:
    result = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True,
                            text=True, timeout=300, cwd=cwd)
    peak = int(result.stderr.rsplit("MAXRSS ", 1)[1].split()[0])
    return result.returncode, peak, result.stderr


@pytest.mark.parametrize("command", ["analyze", pytest.param("demo", marks=pytest.mark.slow)])
def test_peak_memory_for_bombs_stays_under_200_mb(tmp_path: Path, command: str) -> None:
    """The issue's case: a 1 MB zip that used to take over a gigabyte."""
    path = bomb(tmp_path / "bomb.zip", 1024 * MB, name="raw/household-1/zone_group_state.xml")
    assert path.stat().st_size < 2 * MB
    for args in ((command, str(path)) if command == "analyze" else (command, "--scenario",
                                                                     str(path)),):
        code, peak, err = peak_kb(*args, cwd=tmp_path)
        assert code == 2 and "Traceback" not in err, err
        assert peak < MEMORY_LIMIT_KB, f"{args[0]}: peak {peak // 1024} MB"
        print(f"{args[0]} of a 1 GB bomb: peak {peak // 1024} MB")


@pytest.mark.slow  # 30 s of redacting 32 MB: `make test-slow`, run by CI after `make test`
def test_peak_memory_for_a_bundle_at_the_caps_stays_under_200_mb(tmp_path: Path) -> None:
    """A bundle as large as the caps allow (every member near its cap, the total near its cap),
    read, redacted and written again as a bundle; then replayed by `demo --scenario`."""
    source = tmp_path / "source.zip"
    code, _, err = run("demo", "--bundle", str(source), "-f", "json")
    assert code == 1, err
    with zipfile.ZipFile(source) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    used = sum(len(v) for v in members.values())
    filler_count = (MAX_BUNDLE_TOTAL_BYTES - used - MB) // (MAX_BUNDLE_MEMBER_BYTES - MB)
    big = tmp_path / "big.zip"
    line = (b"<!-- 192.168.1.21 RINCON_000E58F0010101400 Sonos_FixtureErrorEightZeroThree01 "
            b"-->\n")
    dense = b"&amp;&#x27;RINCON\\_000E58F00101\\u00e9\n"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for i in range(filler_count):
            chosen = line if i % 2 else dense  # dense: an escape every few bytes
            body = chosen * ((MAX_BUNDLE_MEMBER_BYTES - MB) // len(chosen))
            archive.writestr(f"raw/household-1/filler-{i}.txt", body)
    code, peak, err = peak_kb("analyze", str(big), "--redact", "--bundle",
                              str(tmp_path / "again.zip"), "-o", str(tmp_path / "r.md"),
                              cwd=tmp_path)
    assert code == 1 and "Traceback" not in err, err
    assert peak < MEMORY_LIMIT_KB, f"analyze: peak {peak // 1024} MB"
    print(f"analyze --redact --bundle at the caps: peak {peak // 1024} MB")
    code, peak, err = peak_kb("demo", "--scenario", str(big), "-o", str(tmp_path / "d.md"),
                              cwd=tmp_path)
    assert code == 1 and "Traceback" not in err, err
    assert peak < MEMORY_LIMIT_KB, f"demo --scenario: peak {peak // 1024} MB"
    print(f"demo --scenario at the caps: peak {peak // 1024} MB")


def test_json_inventory_bombs(tmp_path: Path) -> None:
    cases = {
        "deep.json": b"[" * 200_000 + b"]" * 200_000,
        "deep-objects.json": b'{"a":' * 50 + b"1" + b"}" * 50,
        "surrogate.json": inventory_bytes().replace(b'"Kitchen"', b'"Kit\\ud800chen"'),
        "huge-string.json": b'{"players": ["' + b"A" * (9 * MB) + b'"]}',
        "nan.json": inventory_bytes().replace(b'"port": 1400', b'"port": NaN', 1),
        "not-utf8.json": inventory_bytes().replace(b"Kitchen", b"K\xfctchen"),
        "bad-types.json": json.dumps({**json.loads(inventory_bytes()), "players": [
            {"uuid": 5}]}).encode(),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        line = one_line_error(*run("analyze", str(path))[::2])
        assert len(line) < 400, line
        other = tmp_path / "other.json"
        other.write_bytes(inventory_bytes())
        one_line_error(*run("diff", str(path), str(other))[::2])


@pytest.mark.slow  # six inventories of 2,000 products, loaded twice each: `make test-slow`
def test_the_fleet_view_memory_is_bounded_by_the_largest_input(tmp_path: Path) -> None:
    """Two passes: the peak for six large inventories is about the peak for one."""
    document = json.loads(render_json(inventory_of("error-803")))
    template = document["players"][0]
    document["players"] = [dict(template, uuid=f"RINCON_0E{i:010X}01400", room=f"Room {i}",
                                serial=f"SERIAL-{i}") for i in range(2000)]
    document["households"][0]["players"] = [p["uuid"] for p in document["players"]]
    paths = []
    for index in range(6):
        path = tmp_path / f"site{index}.json"
        path.write_text(json.dumps(dict(document, label=f"Site {index}")))
        paths.append(str(path))
    peaks = {}
    for count in (1, 6):
        code, peak, err = peak_kb("analyze", *paths[:count], "-f", "json", "-o",
                                  str(tmp_path / f"fleet{count}.json"), cwd=tmp_path)
        assert code in (0, 1, 3) and "Traceback" not in err, err
        peaks[count] = peak
    print(f"fleet view peak: one input {peaks[1] // 1024} MB, six {peaks[6] // 1024} MB")
    assert peaks[6] < peaks[1] * 1.6, peaks

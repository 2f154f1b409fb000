"""Property-based: whatever inventory JSON or bundle `analyze` is given (mutated real ones,
random bytes, random zips), it ends with exit 0, 1, 2 or 3 and never a traceback; what it prints
to the terminal never carries a control character."""

from __future__ import annotations

import copy
import io
import json
import re
import tempfile
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonos_inventory.cli import cli
from sonos_inventory.report.render_json import render_json

from ..helpers import inventory_of

SCENARIOS = ("error-803", "offline-member", "home-theater", "hostile")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
    | st.sampled_from(["S1", "S2", "unknown", "player", "ssdp", "timeout", "\x1b[2J", "\u202e",
                       "RINCON_000E58F0010101400", "95.0-77060", "", "1400"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)


@cache
def base(scenario: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_json(inventory_of(scenario)))
    return loaded


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def like(old: Any) -> st.SearchStrategy[Any]:
    """A value of the same type as `old` most of the time (so the schema still passes and the
    rules run), anything at all otherwise."""
    if isinstance(old, bool):
        same: st.SearchStrategy[Any] = st.booleans()
    elif isinstance(old, int):
        same = st.integers(-2**40, 2**40)
    elif isinstance(old, str):
        same = st.text(max_size=60) | st.sampled_from(
            ["S1", "S2", "unknown", "\x1b[2J", "\u202e", "95.0-77060", "57.23-80060", "",
             "RINCON_000E58F0010101400", "Sonos_x", "HHID_abcdefgh", "192.168.1.5."])
    else:
        same = json_values
    return st.one_of(same, same, same, json_values)


@st.composite
def inventories(draw: st.DrawFn) -> bytes:
    document = copy.deepcopy(base(draw(st.sampled_from(SCENARIOS))))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(paths(document)[1:]))
        parent: Any = document
        for step in where[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.integers(0, 4)) == 0:
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(like(parent[where[-1]]))
    return json.dumps(document).encode()


@cache
def raw_files() -> dict[str, bytes]:
    root = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios" / "error-803"
    return {f"raw/{p.relative_to(root)}": p.read_bytes() for p in root.rglob("*") if p.is_file()}


any_input = st.one_of(
    inventories(),
    st.binary(max_size=300),
    inventories().map(lambda data: data[: len(data) // 2]),
    inventories().map(lambda data: data.replace(b'"', b"'", 1)),
)

member_names = st.sampled_from([
    "inventory.json", "raw/home/zone_group_state.xml", "raw/home/household_id",
    "raw/home/faults.json", "raw/home/devices/RINCON_000E58F0010101400.xml", "report.md",
    "raw/../x", "raw/home", "raw/home/", "/abs", "raw/\x1b", "manifest.json"])


@st.composite
def bundles(draw: st.DrawFn) -> bytes:
    members: dict[str, bytes] = {"inventory.json": draw(inventories())}
    if draw(st.booleans()):
        members.update(raw_files())
    for name in draw(st.lists(member_names, max_size=3, unique=True)):
        members[name] = draw(st.one_of(inventories(), st.binary(max_size=200)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=draw(st.sampled_from(
            [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    if draw(st.integers(0, 3)) == 0:  # corrupt one byte
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    return data


def check(data: bytes, suffix: str, fmt: str, redact: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        args = ["analyze", str(path), "-f", fmt] + (["--redact"] if redact else [])
        result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert result.exit_code in (0, 1, 2, 3), result.exit_code
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
    assert not CONTROL.search(result.stdout), result.stdout  # every format, terminal-safe
    assert not CONTROL.search(result.stderr), result.stderr


_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings_ = settings(max_examples=60, deadline=None, suppress_health_check=_HEALTH)
settings_full = settings(max_examples=400, deadline=None, suppress_health_check=_HEALTH)
"""The default tier samples (a fixed budget of examples); the slow tier runs many more."""
FORMATS = st.sampled_from(["table", "markdown", "json", "html"])


@settings_
@given(any_input, FORMATS, st.booleans())
def test_any_inventory_file_gives_an_exit_code_never_a_traceback(data: bytes, fmt: str,
                                                                 redact: bool) -> None:
    check(data, ".json", fmt, redact)


@settings_
@given(bundles(), FORMATS, st.booleans())
def test_any_bundle_gives_an_exit_code_never_a_traceback(data: bytes, fmt: str,
                                                         redact: bool) -> None:
    check(data, ".zip", fmt, redact)


@pytest.mark.slow
@settings_full
@given(any_input, FORMATS, st.booleans())
def test_many_inventory_files_give_an_exit_code(data: bytes, fmt: str, redact: bool) -> None:
    check(data, ".json", fmt, redact)


@pytest.mark.slow
@settings_full
@given(bundles(), FORMATS, st.booleans())
def test_many_bundles_give_an_exit_code(data: bytes, fmt: str, redact: bool) -> None:
    check(data, ".zip", fmt, redact)

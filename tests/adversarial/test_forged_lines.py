"""No line a device wrote can pass for one the tool wrote (issue 18).

A corpus of forged-line payloads (a fake verdict padded with characters that render blank, line
and paragraph separators, escape sequences, look-alike frames) is put into every device string
an inventory holds: room and model names, household ids, error details, the label. Every output
path is then rendered at 60, 80, 100 and 200 columns: the terminal table (and the guided scan's
coloured one), `diff`, `history`, and the fleet view, plus every JSON the tool prints. The
default tier samples the corpus with a fixed seed; the slow tier runs all of it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory.analyze.verdict import analyze
from sonos_inventory.cli import cli
from sonos_inventory.diff import diff_inventories, render_diff
from sonos_inventory.model import ErrorKind, Inventory, Problem
from sonos_inventory.report.render_json import render_json
from sonos_inventory.report.render_table import render_table
from sonos_inventory.report.safe_text import hidden, json_dumps, neutralise

from ..helpers import inventory_of

FAKE = "Error 803 (software-track conflict): NOT-INDICATED"
FAKE_NEW = "| Error 803 (software-track conflict): Not indicated"

CORPUS = [
    "\u2800" * 90 + FAKE + "\u2800" * 90,
    "\u3164" * 60 + FAKE + "\u3164" * 60,
    "\u115f\u1160" * 40 + FAKE,
    "\uffa0" * 80 + FAKE,
    "\u200b" * 100 + FAKE + "\u200b" * 100,
    "\u00a0" * 120 + FAKE,
    "\u3000" * 70 + FAKE,
    " " * 150 + FAKE,
    "\t" * 30 + FAKE,
    "\n" + FAKE + "\nScan complete.",
    "\r" + FAKE,
    "\u2028" + FAKE + "\u2029",
    "\x1b[2K\r" + FAKE,
    "\x9b2K" + FAKE,
    "\u202e" + FAKE[::-1],
    "\u2066" + FAKE + "\u2069",
    "\ufeff\u2060" * 50 + FAKE,
    "\U000e0041" * 40 + FAKE,
    FAKE_NEW,
    "=" * 78 + "\u2800" * 40 + FAKE_NEW,
    "x" * 400 + FAKE,
    'Kitchen" and "' + FAKE,
]
WIDTHS = (60, 80, 100, 200)
VERDICT = re.compile(r"^\| Error 803 \(software-track conflict\): (Likely|Possible|Not indicated)$")


def poisoned(payload: str, scenario: str = "error-803") -> Inventory:
    """The scenario with the payload in every device string, re-analysed (so the tool's own
    prose names the poisoned products)."""
    inventory = inventory_of(scenario)
    players = tuple(replace(
        p, room=payload, model_name=payload, display_version=payload,
        errors=(Problem(ErrorKind.TIMEOUT, payload),) if not p.reachable else p.errors)
        for p in inventory.players)
    households = tuple(replace(h, household_id=payload + str(i))
                       for i, h in enumerate(inventory.households))
    players = tuple(replace(p, household_id=households[0].household_id) for p in players)
    return analyze(replace(inventory, players=players, households=households, label=payload))


def offline_poisoned(payload: str) -> Inventory:
    """A household whose member never answers, so the incomplete notice names it."""
    return poisoned(payload, "offline-member")


def assert_no_forged_line(text: str, *, framed: bool) -> None:
    lines = text.splitlines()
    for char in text:
        assert char in "\n" or not hidden(char), f"hidden character U+{ord(char):04X} printed"
    assert "\x1b" not in text
    verdicts = [i for i, line in enumerate(lines) if VERDICT.match(line)]
    if framed:
        assert len(verdicts) == 1, verdicts
        start = verdicts[0] - 1
        assert lines[start].startswith("=" * 10) and lines[-1].startswith("=" * 10)
        assert all(line.startswith("| ") for line in lines[start + 1:-1])
        body = lines[:start]
    else:
        assert not verdicts
        body = lines
    for line in body:
        assert not line.startswith(("Error 803", "|", "=", "NOT-INDICATED", "\u2800")), line
        assert not line.startswith(FAKE[:12]), line


def outputs(payload: str) -> Iterator[tuple[str, str, bool]]:
    """(what, text, framed) for every terminal output path."""
    inventory = poisoned(payload)
    offline = offline_poisoned(payload)
    for width in (*WIDTHS, None):
        yield f"table@{width}", render_table(inventory, width=width), True
        yield f"offline@{width}", render_table(offline, width=width), True
        yield f"guide@{width}", render_table(
            inventory, width=width, hint=("The report is saved next.",),
            paint=lambda line, _kind: line), True
    clean = inventory_of("error-803")
    yield "diff", render_diff(diff_inventories(clean, inventory, forced=True)), False
    yield "diff-back", render_diff(diff_inventories(inventory, clean, forced=True)), False


def check(payload: str) -> None:
    for what, text, framed in outputs(payload):
        try:
            assert_no_forged_line(text, framed=framed)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}\n{text}") from None
    for document in (json.loads(render_json(poisoned(payload))),):
        printed = json_dumps(document)
        assert not any(hidden(c) for c in printed if c != "\n")
        assert json.loads(printed) == document


SAMPLE = random.Random(18).sample(CORPUS, 6)


@pytest.mark.parametrize("payload", SAMPLE, ids=[repr(p[:12]) for p in SAMPLE])
def test_a_sample_of_the_corpus_cannot_forge_a_line(payload: str) -> None:
    check(payload)


@pytest.mark.slow
@pytest.mark.parametrize("payload", CORPUS, ids=[repr(p[:12]) for p in CORPUS])
def test_the_whole_corpus_cannot_forge_a_line(payload: str) -> None:
    check(payload)


@pytest.fixture
def history_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(home))
    (home / "history").mkdir(parents=True, mode=0o700)
    return home / "history"


@pytest.mark.parametrize("payload", SAMPLE[:3], ids=[repr(p[:12]) for p in SAMPLE[:3]])
def test_history_and_fleet_views_cannot_forge_a_line(payload: str, history_home: Path,
                                                     tmp_path: Path) -> None:
    document = json.loads(render_json(poisoned(payload)))
    document["scan"]["finished_at"] = payload
    (history_home / "scan-20261201T100000Z.json").write_text(json.dumps(document))
    for args in (["history"], ["history", "--format", "json"]):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        if "json" in args:
            assert not any(hidden(c) for c in result.stdout if c != "\n")
            json.loads(result.stdout)
        else:
            assert_no_forged_line(result.stdout, framed=False)
    paths = []
    for index in range(2):
        path = tmp_path / f"site{index}.json"
        path.write_text(render_json(poisoned(payload)))
        paths.append(path)
    for fmt in ("table", "json"):
        text = CliRunner().invoke(cli, ["analyze", *map(str, paths), "-f", fmt],
                                  catch_exceptions=False).stdout
        if fmt == "json":
            assert not any(hidden(c) for c in text if c != "\n")
        else:
            assert_no_forged_line(text, framed=False)


def test_room_names_in_any_script_and_with_emoji_print_as_they_are() -> None:
    for name in ("Küche", "リビング", "غرفة المعيشة", "Spielzimmer 👨‍👩‍👧", "❤️ Lounge",
                 "Детская", "🏳️‍🌈 Room"):
        assert neutralise(name) == name
    assert neutralise("a\u00a0b\u3000c") == "a b c"
    assert neutralise("\u2800") == "\\u2800" and neutralise("x\u200dy") == "x\\u200dy"


@pytest.mark.parametrize("text", ["\ufe0f", "\u200d", "\ufe0e\ufe0f", "a\u200d",
                                  "\u200d\U0001F600"])
def test_joiners_and_selectors_alone_are_escaped_never_an_error(text: str) -> None:
    assert not any(hidden(c) for c in neutralise(text))

"""Scenario loading, address rewriting, and fixtures that never drift from their generator."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from sonos_inventory.errors import UsageError
from sonos_inventory.model import Endpoint
from sonos_inventory.scenario.builtin import SCENARIOS, write_scenario
from sonos_inventory.scenario.folder import (
    AddressBook,
    load_scenario,
    rewrite_device_description,
    rewrite_zone_group_state,
)

from ..conftest import SCENARIOS as SCENARIO_DIR


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fixtures_match_the_built_in_scenarios(name: str, tmp_path: Path) -> None:
    generated = write_scenario(name, tmp_path / name)
    compared = filecmp.dircmp(generated, SCENARIO_DIR / name)
    stack = [compared]
    while stack:
        current = stack.pop()
        assert not (current.left_only or current.right_only or current.diff_files), (
            f"fixtures/scenarios/{name} is stale: run `make fixtures`")
        stack.extend(current.subdirs.values())


def test_loader_takes_every_folder_with_a_zone_group_state(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO_DIR / "split-s1-s2")
    assert len(scenario.households) == 2
    (tmp_path / "_discovery").mkdir()
    with pytest.raises(UsageError):
        load_scenario(tmp_path)


def test_every_address_is_rewritten_to_loopback(samples: Path) -> None:
    counter = iter(range(2, 250))
    book = AddressBook(lambda: Endpoint(f"127.9.9.{next(counter)}", 1400))
    text = next(samples.glob("zgs_S2-69.1*")).read_text()
    from xml.sax.saxutils import unescape

    inner = unescape(text.split("<ZoneGroupState>", 1)[1].rsplit("</ZoneGroupState>", 1)[0],
                     {"&quot;": '"'})
    rewritten = rewrite_zone_group_state(inner, {}, book)
    assert "192.168." not in rewritten and "127.9.9." in rewritten
    device = next(samples.glob("device_description_S18*")).read_bytes()
    out = rewrite_device_description(device, Endpoint("127.9.9.77", 1400), book)
    assert b"172.16.0.10" not in out and b"<friendlyName>127.9.9.77 - Sonos One" in out
    assert b"1.26.1.7-1.2" in out  # a hardware version is not an address

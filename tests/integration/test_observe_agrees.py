"""tests/helpers.observe (a hand-written "perfect scan" that many tests use) agrees with the
real planner on every built-in scenario that can be served without sockets: the same
households, members, findings and verdict (issue 19)."""

from __future__ import annotations

import pytest

from ..conftest import scan_offline
from ..helpers import inventory_of
from ..property.test_answer_order import offline_scenarios, summary


@pytest.mark.parametrize("name", offline_scenarios())
def test_the_perfect_scan_helper_agrees_with_the_planner(name: str) -> None:
    planned, _observations, _lan = scan_offline(name)
    assert summary(inventory_of(name)) == summary(planned)

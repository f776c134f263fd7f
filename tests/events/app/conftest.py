"""Fixtures of the events tests; the builders live in events_fixtures.py."""

from __future__ import annotations

import pytest
from events_fixtures import MM, build_matchmaking


@pytest.fixture
def mm(world) -> MM:
    return build_matchmaking(world)

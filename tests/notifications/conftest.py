"""Fixtures of the notification tests: the shared world, with e-mail addresses, and the events builder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "events" / "app"))


@pytest.fixture
def nworld(world):
    for role, user in world.users.items():
        user.email = f"{role}@example.org"
        user.save(update_fields=["email"])
    return world


@pytest.fixture
def mm(nworld):
    from events_fixtures import build_matchmaking

    return build_matchmaking(nworld)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the notifications) registered inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)

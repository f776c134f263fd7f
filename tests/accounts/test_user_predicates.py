"""The one predicate per idea that every rule uses: ``is_coordinator`` and ``area_ids``."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", True), ("district", False), ("enterprise", False), ("leadership", False), ("expert", False)],
)
def test_is_coordinator_by_role(world, role, expected):
    assert world.users[role].is_coordinator is expected


def test_a_superuser_acts_as_coordinator_and_an_inactive_coordinator_does_not(world):
    lead = world.users["leadership"]
    lead.is_superuser = True
    assert lead.is_coordinator
    coord = world.users["coordinator"]
    coord.is_active = False
    assert not coord.is_coordinator


def test_area_ids_cover_the_functional_zones_below(world):
    district = world.users["district"]
    assert set(district.area_ids()) == {world.areas["laixi"].pk, world.areas["laixi-zone"].pk}
    assert world.users["leadership"].area_ids() == []


def test_area_ids_follow_a_changed_area(world):
    district = world.users["district"]
    district.area_ids()
    district.area = world.areas["laoshan"]
    assert district.area_ids() == [world.areas["laoshan"].pk]

"""Who sees which experts and achievements (kechuang/experts/access_rules.py), role by role."""

from __future__ import annotations

import pytest

from kechuang.experts import selectors

EXPERTS = {
    "coordinator": {"own", "other"},
    "leadership": {"own", "other"},
    "district": {"own", "other"},
    "liaison": {"own"},  # its society's experts only
    "expert": {"own"},  # its own profile only
    "enterprise": {"own", "other"},  # every expert of the platform's societies (public profile)
}
ACHIEVEMENTS = {
    "coordinator": {"own", "other"},
    "leadership": {"own", "other"},
    "district": {"own", "other"},
    "enterprise": {"own", "other"},
    "liaison": {"own"},  # owned by its society
    "expert": {"own"},  # its own and its societies'
}


def _keys(objs: dict, qs) -> set[str]:
    ids = set(qs.values_list("pk", flat=True))
    return {k for k, o in objs.items() if o.pk in ids}


@pytest.mark.parametrize("role", sorted(EXPERTS))
def test_expert_list_scope(world, role):
    assert _keys(world.experts, selectors.expert_list(user=world.users[role])) == EXPERTS[role]


@pytest.mark.parametrize("role", sorted(ACHIEVEMENTS))
def test_achievement_list_scope(world, role):
    assert _keys(world.achievements, selectors.achievement_list(user=world.users[role])) == ACHIEVEMENTS[role]


def test_service_teams_follow_the_society(world):
    from kechuang.experts.models import ServiceTeam

    # teams' ids must not coincide with experts' (a rule comparing the wrong ids passed on SQLite, where both
    # tables counted from 1, and failed only on PostgreSQL): ids used and deleted are not given out again
    for i in range(7):
        ServiceTeam.objects.create(name=f"空服务团{i}").delete()
    team = ServiceTeam.objects.create(name="石墨烯服务团")
    team.societies.add(world.orgs["soc"])
    team.experts.add(world.experts["own"])
    other = ServiceTeam.objects.create(name="农机服务团")
    other.societies.add(world.orgs["soc2"])
    seen = {r: set(selectors.team_list(user=world.users[r]).values_list("name", flat=True)) for r in EXPERTS}
    assert seen["liaison"] == {"石墨烯服务团"}
    assert seen["expert"] == {"石墨烯服务团"}
    assert seen["enterprise"] == set()
    assert seen["leadership"] == seen["district"] == seen["coordinator"] == {"石墨烯服务团", "农机服务团"}


def test_an_expert_outside_scope_is_404(world, client_for):
    other = world.experts["other"]
    assert client_for("liaison").get(f"/experts/{other.pk}/").status_code == 404
    assert client_for("coordinator").get(f"/experts/{other.pk}/").status_code == 200


@pytest.mark.parametrize("society", ["²", "١٢٣", "9" * 30, "abc", "-1", ""])
def test_odd_society_filters_are_ignored_not_errors(world, client_for, society):
    c = client_for("coordinator")
    for url in ("/experts/", "/experts/achievements/"):
        resp = c.get(url, {"society": society})
        assert resp.status_code == 200, (url, society)


def test_the_society_filter_keeps_its_choice(world, client_for):
    soc = world.orgs["soc"]
    page = client_for("coordinator").get("/experts/", {"society": str(soc.pk)}).content.decode()
    assert f'<option value="{soc.pk}" selected>' in page
    assert "王石墨" in page and "李农机" not in page


@pytest.mark.parametrize("role", sorted(EXPERTS))
def test_field_filter_offers_the_fields_of_the_experts_in_scope_only(world, role):
    """The list's 研究领域 filter: distinct strings of the in-scope experts' ``fields``, unnested by the
    database (SQLite json_each / PostgreSQL jsonb), equal to reading every expert in Python."""
    from kechuang.core.access import restrict
    from kechuang.experts.models import Expert

    world.experts["own"].fields = ["石墨烯", "导热膜", "石墨烯", 3, None, {"x": "y"}]
    world.experts["own"].save()
    world.experts["other"].fields = ["海洋装备", "导热膜", "O'Brien \"quoted\""]
    world.experts["other"].save()
    Expert.objects.create(name="空", fields=[])
    Expert.objects.create(name="不是数组", fields={"field": "氢能"})
    Expert.objects.create(name="字符串", fields="氢能")

    user = world.users[role]
    oracle = sorted(
        {f for fs in restrict(Expert.objects.all(), user).values_list("fields", flat=True) if isinstance(fs, list)
         for f in fs if isinstance(f, str)}
    )
    assert selectors.expert_field_choices(user=user) == oracle
    assert ("海洋装备" in oracle) == ("other" in EXPERTS[role])
    assert "石墨烯" in oracle and "氢能" not in oracle


@pytest.mark.parametrize("role", sorted(EXPERTS))
def test_an_expert_tied_many_ways_is_listed_once_without_distinct(world, role):
    """Two societies and two suggestions for the enterprise's needs: still one row per expert, and the
    list's SQL has no DISTINCT (a DISTINCT over every expert column was the slow PostgreSQL count)."""
    from kechuang.matching.models import Match

    own = world.experts["own"]
    own.societies.add(world.orgs["soc2"])
    for need in list(world.needs.values())[:2]:
        Match.objects.create(need=need, kind="expert", expert=own, score=0.5)
    qs = selectors.expert_list(user=world.users[role])
    ids = list(qs.values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == qs.count()
    assert "DISTINCT" not in str(qs.query).upper()
    assert own.pk in ids

"""Who sees which follow-up record, object by object; linked confidential needs never leak."""

from __future__ import annotations

import pytest

from kechuang.followup import selectors

# role -> (visits, stops, agreements, bases) by fixture key
EXPECT = {
    "coordinator": ({"own", "other"}, {"own", "other"}, {"own", "other"}, {"own", "other"}),
    "leadership": ({"own", "other"}, {"own", "other"}, {"own", "other"}, {"own", "other"}),
    "district": ({"own"}, {"own"}, {"own"}, {"own"}),
    "enterprise": ({"own"}, {"own"}, {"own"}, set()),
    "liaison": ({"own"}, {"own"}, {"own"}, {"own"}),
    "expert": ({"own"}, {"own"}, {"own"}, {"own"}),
}


@pytest.mark.parametrize("role", list(EXPECT))
def test_scope_per_role(world, fu, role):
    user = world.users[role]
    from kechuang.core.access import restrict
    from kechuang.followup.models import VisitStop

    def keys(kind, qs):
        pks = set(qs.values_list("pk", flat=True))
        return {k for k, o in fu[kind].items() if o.pk in pks}

    v, s, a, b = EXPECT[role]
    assert keys("visit", selectors.visit_list(user=user)) == v
    assert keys("stop", restrict(VisitStop.objects.all(), user)) == s
    assert keys("agreement", selectors.agreement_list(user=user)) == a
    assert keys("base", selectors.base_list(user=user)) == b


def test_enterprise_sees_only_its_own_diagnosis_on_a_shared_visit(world, fu):
    from kechuang.followup.models import VisitStop

    visit = fu["visit"]["own"]
    VisitStop.objects.create(
        visit=visit, enterprise=world.orgs["ent2"], order=2, minutes=30, findings="邻居企业的问题不应被看到。"
    )
    stops = selectors.visit_stops(user=world.users["enterprise"], visit=visit)
    assert [s.enterprise_id for s in stops] == [world.orgs["ent"].pk]
    assert len(selectors.visit_stops(user=world.users["coordinator"], visit=visit)) == 2


@pytest.mark.parametrize("role", ["leadership", "district", "liaison", "expert"])
def test_linked_confidential_needs_do_not_leak(world, fu, role):
    agr = fu["agreement"]["own"]  # linked to pub_laixi and the confidential conf_ent
    titles = set(
        selectors.agreement_needs(user=world.users[role], agreement=agr).values_list("title", flat=True)
    )
    assert "保密的石墨烯配方" not in titles
    if role in ("leadership", "district", "liaison", "expert"):
        assert titles <= {"石墨烯规模化制备"}


def test_enterprise_and_coordinator_see_the_confidential_link(world, fu):
    agr = fu["agreement"]["own"]
    for role in ("enterprise", "coordinator"):
        titles = set(
            selectors.agreement_needs(user=world.users[role], agreement=agr).values_list("title", flat=True)
        )
        assert titles == {"石墨烯规模化制备", "保密的石墨烯配方"}


def test_expert_followup_history(world, fu):
    own = world.experts["own"]
    got = selectors.expert_followup(user=world.users["coordinator"], expert=own)
    assert list(got["visits"]) == [fu["visit"]["own"]] and list(got["agreements"]) == [fu["agreement"]["own"]]
    got = selectors.expert_followup(user=world.users["enterprise"], expert=world.experts["other"])
    assert list(got["visits"]) == [] and list(got["agreements"]) == []

"""Confidentiality holds in suggestions, explanations, reverse lookups and the API."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.urls import reverse

from kechuang.matching import selectors, services
from kechuang.needs.models import Need
from kechuang.needs.selectors import need_list

SECRET_PROBLEM = "仅协调员可见的绝密工艺参数泄露测试"
MATCHED_PROBLEM = "仅匹配专家可见的石墨烯配方细节"


@pytest.fixture
def cworld(mworld):
    """Confidential needs whose text would match the graphene expert very well."""
    secret = mworld.needs["secret_ent2"]
    secret.problem = f"石墨烯规模化制备：{SECRET_PROBLEM}"
    secret.keywords = ["石墨烯", "规模化制备"]
    secret.save()
    conf = mworld.needs["conf_ent"]
    conf.problem = f"石墨烯规模化制备：{MATCHED_PROBLEM}"
    conf.keywords = ["石墨烯", "规模化制备"]
    conf.save()
    return mworld


def accept(world, need, expert="own"):
    return services.match_accept(
        user=world.users["coordinator"],
        need=world.needs[need],
        kind="expert",
        candidate_id=world.experts[expert].pk,
    )


def test_the_reverse_lookup_ranks_only_needs_the_user_may_see(cworld):
    expert = cworld.experts["own"]
    user = cworld.users["expert"]
    ranked = selectors.reverse_needs_for_expert(user=user, expert=expert)
    titles = {r.obj.title for r in ranked.rows} | {n.title for n, _ in ranked.excluded}
    visible = {n.title for n in need_list(user=user)}
    assert titles and titles <= visible
    assert "绝密农机方案" not in titles and "保密的石墨烯配方" not in titles
    text = json.dumps([r.explanation for r in ranked.rows], ensure_ascii=False)
    assert SECRET_PROBLEM not in text and MATCHED_PROBLEM not in text
    # the coordinator, who may see everything, does get them
    coord = selectors.reverse_needs_for_expert(user=cworld.users["coordinator"], expert=expert)
    assert {"绝密农机方案", "保密的石墨烯配方"} <= {r.obj.title for r in coord.rows}


def test_an_accepted_expert_sees_a_matched_need_but_never_a_coordinators_one(cworld, client_for):
    expert = cworld.users["expert"]
    conf, secret = cworld.needs["conf_ent"], cworld.needs["secret_ent2"]
    assert not need_list(user=expert).filter(pk__in=[conf.pk, secret.pk]).exists()
    accept(cworld, "conf_ent")
    accept(cworld, "secret_ent2")
    visible = set(need_list(user=expert).values_list("pk", flat=True))
    assert conf.pk in visible and secret.pk not in visible
    client = client_for("expert")
    assert client.get(reverse("needs:detail", args=[conf.pk])).status_code == 200
    assert client.get(reverse("needs:detail", args=[secret.pk])).status_code == 404
    page = client.get(reverse("matching:inbox")).content.decode()
    assert "保密的石墨烯配方" in page and "绝密农机方案" not in page and SECRET_PROBLEM not in page
    # nor in the reverse lookup, the API, or their home page
    api = client.get(reverse("api:matching_expert_needs", args=[cworld.experts["own"].pk])).content.decode()
    assert SECRET_PROBLEM not in api and "绝密农机方案" not in api
    home = client.get(reverse("home:home")).content.decode()
    assert "绝密农机方案" not in home


def test_another_expert_never_sees_the_matched_need(cworld, client_for):
    accept(cworld, "conf_ent")
    client = client_for("anonymous")
    client.force_login(cworld.users["partner"])
    assert client.get(reverse("needs:detail", args=[cworld.needs["conf_ent"].pk])).status_code == 404
    body = client.get(
        reverse("api:matching_expert_needs", args=[cworld.experts["partner"].pk])
    ).content.decode()
    assert MATCHED_PROBLEM not in body and "保密的石墨烯配方" not in body


def test_the_liaison_of_a_routed_society_sees_a_matched_need_not_a_coordinators_one(cworld):
    for need in ("conf_ent", "secret_ent2"):
        services.match_accept(
            user=cworld.users["coordinator"],
            need=cworld.needs[need],
            kind="society",
            candidate_id=cworld.orgs["soc"].pk,
        )
    visible = set(need_list(user=cworld.users["liaison"]).values_list("pk", flat=True))
    assert cworld.needs["conf_ent"].pk in visible and cworld.needs["secret_ent2"].pk not in visible
    assert [m.need for m in selectors.inbox(user=cworld.users["liaison"])] == [cworld.needs["conf_ent"]]


@pytest.mark.parametrize("role", ["district", "enterprise", "liaison", "expert", "leadership"])
def test_suggestions_are_for_coordinators_only(cworld, client_for, role):
    need = cworld.needs["pub_laixi"]
    with pytest.raises(Http404):
        selectors.need_suggestions(user=cworld.users[role], need=need)
    assert client_for(role).get(reverse("matching:suggestions", args=[need.pk])).status_code == 404


def test_the_api_gives_the_enterprise_only_what_was_accepted(cworld, client_for):
    accept(cworld, "pub_laixi")
    client = client_for("enterprise")
    data = client.get(reverse("api:matching_need_suggestions", args=[cworld.needs["pub_laixi"].pk])).json()
    assert data["full"] is False
    assert [(s["kind"], s["id"], s["status"]) for s in data["suggestions"]] == [
        ("expert", cworld.experts["own"].pk, "accepted")
    ]
    assert data["excluded"] == []
    # a need of another enterprise: 404, nothing about it
    resp = client.get(reverse("api:matching_need_suggestions", args=[cworld.needs["secret_ent2"].pk]))
    assert resp.status_code == 404 and "绝密" not in resp.content.decode()


def test_the_api_gives_coordinators_the_full_ranked_list(cworld, client_for):
    data = (
        client_for("coordinator")
        .get(reverse("api:matching_need_suggestions", args=[cworld.needs["pub_laixi"].pk]))
        .json()
    )
    assert data["full"] is True
    experts = [s for s in data["suggestions"] if s["kind"] == "expert"]
    assert experts[0]["id"] == cworld.experts["own"].pk
    assert experts[0]["evidence"] and experts[0]["evidence"][0]["spans"]
    assert {e["name"] for e in data["excluded"] if e["kind"] == "expert"} == {"赵内部", "钱合作"}


def test_a_confidential_need_is_audited_when_its_suggestions_are_viewed(cworld, client_for):
    from kechuang.core.models import AuditEntry

    need = cworld.needs["conf_ent"]
    assert client_for("coordinator").get(reverse("matching:suggestions", args=[need.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="need.view_confidential", object_id=str(need.pk)).exists()


def test_the_need_index_holds_every_need_but_search_is_limited_to_the_pool(cworld):
    """The reverse index is shared; the pool from need_list() is what keeps it safe."""
    from kechuang.matching import ranking

    expert = cworld.experts["own"]
    ranked = ranking.rank_needs(expert, [cworld.needs["pub_laixi"].pk])
    assert [r.obj for r in ranked.rows] == [cworld.needs["pub_laixi"]]
    assert Need.objects.count() > 1

"""need_submit / need_transition / need_record_view: rules, history, audit, one transaction."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.needs import selectors, services
from kechuang.needs.models import Need, NeedStatusChange


def _data(world, **over):
    d = {
        "title": "石墨烯导热膜量产",
        "kind": "tech",
        "chain": world.chains["materials"],
        "district": world.areas["laixi"],
        "background": "企业已有中试线",
        "problem": "导热膜在量产时厚度一致性差，良品率低于六成，需要工艺优化",
        "goal": "良品率提升到90%以上",
        "keywords": ["石墨烯", "导热膜"],
        "budget_min": 50,
        "budget_max": 200,
        "confidentiality": "public",
    }
    d.update(over)
    return d


def test_enterprise_submits_for_own_enterprise_with_history_and_audit(world):
    user = world.users["enterprise"]
    need = services.need_submit(user=user, data=_data(world), enterprise=world.orgs["ent2"])
    assert need.enterprise == world.orgs["ent"]  # an enterprise contact cannot submit for someone else
    assert need.status == "submitted" and need.submitted_by == user and need.source == "self"
    assert list(need.history.values_list("to_status", flat=True)) == ["submitted"]
    entry = AuditEntry.objects.get(action="need.submit", object_id=str(need.pk))
    assert entry.actor == user and entry.changes["title"] == "石墨烯导热膜量产"


def test_district_cannot_submit_for_enterprise_outside_area(world):
    before = Need.objects.count()
    with pytest.raises(ApplicationError) as e:
        services.need_submit(user=world.users["district"], data=_data(world), enterprise=world.orgs["ent2"])
    assert "无权" in e.value.message
    assert Need.objects.count() == before


def test_budget_order_is_checked_and_nothing_written(world):
    before = (Need.objects.count(), NeedStatusChange.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ApplicationError):
        services.need_submit(user=world.users["enterprise"], data=_data(world, budget_min=300, budget_max=10))
    assert (Need.objects.count(), NeedStatusChange.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("role", ["liaison", "expert", "leadership"])
def test_roles_that_cannot_submit(world, role):
    with pytest.raises(ApplicationError):
        services.need_submit(user=world.users[role], data=_data(world), enterprise=world.orgs["ent"])


def test_coordinator_walks_the_pipeline(world):
    coord = world.users["coordinator"]
    need = world.needs["new_ent2"]
    for to in ("reviewed", "matched", "met", "agreement", "delivered", "closed"):
        need = services.need_transition(user=coord, need=need, to_status=to, note=f"到{to}")
    assert need.status == "closed" and need.owner == coord
    steps = list(need.history.values_list("from_status", "to_status"))
    assert steps[-6:] == [
        ("submitted", "reviewed"),
        ("reviewed", "matched"),
        ("matched", "met"),
        ("met", "agreement"),
        ("agreement", "delivered"),
        ("delivered", "closed"),
    ]
    assert AuditEntry.objects.filter(action="need.transition", object_id=str(need.pk)).count() == 6


def test_illegal_transition_is_refused_and_nothing_changes(world):
    need = world.needs["new_ent2"]
    with pytest.raises(ApplicationError) as e:
        services.need_transition(user=world.users["coordinator"], need=need, to_status="agreement")
    assert "不能将需求" in e.value.message
    need.refresh_from_db()
    assert need.status == "submitted" and need.history.count() == 1


def test_return_requires_a_reason(world):
    with pytest.raises(ApplicationError) as e:
        services.need_transition(
            user=world.users["coordinator"], need=world.needs["new_ent2"], to_status="returned"
        )
    assert "原因" in e.value.message


def test_district_reviews_only_in_its_area(world):
    district = world.users["district"]
    mine = services.need_submit(user=district, data=_data(world), enterprise=world.orgs["ent"])
    assert services.allowed_transitions(district, mine) == ["reviewed", "returned"]
    assert services.allowed_transitions(district, world.needs["new_ent2"]) == []
    with pytest.raises(ApplicationError):
        services.need_transition(user=district, need=world.needs["new_ent2"], to_status="reviewed")


@pytest.mark.parametrize("role", ["leadership", "liaison", "expert"])
def test_read_only_roles_cannot_transition(world, role):
    assert services.allowed_transitions(world.users[role], world.needs["pub_laixi"]) == []


def test_confidential_view_is_audited_and_public_is_not(world):
    services.need_record_view(user=world.users["enterprise"], need=world.needs["conf_ent"])
    services.need_record_view(user=world.users["enterprise"], need=world.needs["pub_laixi"])
    rows = AuditEntry.objects.filter(action="need.view_confidential")
    assert [(r.object_id, r.actor) for r in rows] == [
        (str(world.needs["conf_ent"].pk), world.users["enterprise"])
    ]
    assert rows[0].changes == {"via": "detail", "confidentiality": "matched"}


EXPECTED_VISIBLE = {
    "coordinator": {"pub_laixi", "conf_ent", "pub_laoshan", "secret_ent2", "pub_zone", "new_ent2"},
    "district": {"pub_laixi", "pub_zone"},  # its area incl. zones, public only
    "enterprise": {"pub_laixi", "conf_ent", "pub_zone"},  # all of its own enterprise
    "liaison": {"pub_laixi", "pub_laoshan", "pub_zone"},  # public and reviewed
    "expert": {"pub_laixi", "pub_laoshan", "pub_zone"},
    "leadership": {"pub_laixi", "pub_laoshan", "pub_zone", "new_ent2"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_VISIBLE))
def test_need_list_scope(world, role):
    keys = {
        k
        for k, n in world.needs.items()
        if selectors.need_list(user=world.users[role]).filter(pk=n.pk).exists()
    }
    assert keys == EXPECTED_VISIBLE[role]


@pytest.mark.parametrize("role", sorted(EXPECTED_VISIBLE))
def test_text_search_never_finds_hidden_needs(world, role):
    hits = {n.title for n in selectors.need_list(user=world.users[role], filters={"q": "保密"})}
    hits |= {n.title for n in selectors.need_list(user=world.users[role], filters={"q": "绝密"})}
    allowed = {world.needs[k].title for k in EXPECTED_VISIBLE[role]}
    assert hits <= allowed


def test_filters(world):
    coord = world.users["coordinator"]
    by = lambda **f: {n.title for n in selectors.need_list(user=coord, filters=f)}  # noqa: E731
    assert by(chain="agri") == {"农机智能化升级", "绝密农机方案", "待审农机需求"}
    assert by(district="qd-laixi") == {
        "石墨烯规模化制备",
        "保密的石墨烯配方",
        "开发区石墨提纯",
    }  # zone included
    assert by(district="qd-laixi-kfq") == {"开发区石墨提纯"}
    assert by(status="submitted") == {"待审农机需求"}
    assert by(q="石墨提纯") == {"开发区石墨提纯"}
    assert by(q="崂山某农机") == {"农机智能化升级", "绝密农机方案", "待审农机需求"}  # enterprise name


def test_stalled_filter(world):
    from datetime import timedelta

    from django.utils import timezone

    Need.objects.filter(pk=world.needs["pub_laoshan"].pk).update(
        status_changed_at=timezone.now() - timedelta(days=45)
    )
    Need.objects.filter(pk=world.needs["secret_ent2"].pk).update(
        status="closed", status_changed_at=timezone.now() - timedelta(days=90)
    )
    stalled = {
        n.title for n in selectors.need_list(user=world.users["coordinator"], filters={"stalled": True})
    }
    assert stalled == {"农机智能化升级"}  # closed needs are finished, not stalled

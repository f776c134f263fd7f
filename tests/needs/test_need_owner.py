"""The follow-up owner (跟进负责人): who assigns, who may own, history and audit, single and bulk."""

from __future__ import annotations

import pytest

from kechuang.accounts.models import User
from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.needs import selectors, services
from kechuang.needs.models import Need, NeedStatusChange


@pytest.fixture
def staff(world):
    """A second coordinator, a second 莱西 district user and a 崂山 district user."""
    mk = User.objects.create_user
    return {
        "coord2": mk("coord2", role="coordinator", display_name="协调员乙"),
        "laixi2": mk("laixi2", role="district", area=world.areas["laixi"], display_name="莱西乙"),
        "laoshan": mk("laoshan", role="district", area=world.areas["laoshan"]),
    }


def test_coordinator_assigns_and_reassigns_with_history_and_audit(world, staff):
    coord, need = world.users["coordinator"], world.needs["pub_laixi"]
    status_before, changed_before = need.status, need.status_changed_at
    services.need_assign_owner(user=coord, need=need, owner=staff["laixi2"])
    services.need_assign_owner(user=coord, need=need, owner=staff["coord2"])
    need.refresh_from_db()
    assert need.owner == staff["coord2"]
    assert need.status == status_before and need.status_changed_at == changed_before  # not a status change
    notes = list(NeedStatusChange.objects.filter(need=need, note__startswith="跟进负责人").values_list("note", flat=True))
    assert notes == ["跟进负责人：未指定 → 莱西乙", "跟进负责人：莱西乙 → 协调员乙"]
    audits = AuditEntry.objects.filter(action="need.assign_owner", object_id=str(need.pk)).order_by("id")
    assert [a.changes["owner"] for a in audits] == [
        {"from": None, "to": staff["laixi2"].pk},
        {"from": staff["laixi2"].pk, "to": staff["coord2"].pk},
    ]


def test_same_owner_again_writes_nothing(world, staff):
    coord, need = world.users["coordinator"], world.needs["pub_laixi"]
    services.need_assign_owner(user=coord, need=need, owner=staff["laixi2"])
    n = AuditEntry.objects.count()
    services.need_assign_owner(user=coord, need=need, owner=staff["laixi2"])
    assert AuditEntry.objects.count() == n


def test_owner_must_cover_and_see_the_need(world, staff):
    coord = world.users["coordinator"]
    # a 崂山 district user cannot own a 莱西 need
    with pytest.raises(ApplicationError):
        services.need_assign_owner(user=coord, need=world.needs["pub_laixi"], owner=staff["laoshan"])
    # nor can a 莱西 district user own a confidential 莱西 need they may not see
    with pytest.raises(ApplicationError):
        services.need_assign_owner(user=coord, need=world.needs["conf_ent"], owner=staff["laixi2"])
    # enterprises, experts, leadership never own a need
    for role in ("enterprise", "expert", "leadership", "liaison"):
        with pytest.raises(ApplicationError):
            services.need_assign_owner(user=coord, need=world.needs["pub_laixi"], owner=world.users[role])
    assert Need.objects.get(pk=world.needs["pub_laixi"].pk).owner is None


def test_district_assigns_in_its_area_only_and_only_district_staff(world, staff):
    district = world.users["district"]
    services.need_assign_owner(user=district, need=world.needs["pub_zone"], owner=staff["laixi2"])
    assert Need.objects.get(pk=world.needs["pub_zone"].pk).owner == staff["laixi2"]
    with pytest.raises(ApplicationError):  # a coordinator is named by coordinators only
        services.need_assign_owner(user=district, need=world.needs["pub_laixi"], owner=staff["coord2"])
    with pytest.raises(ApplicationError):  # a need outside their area
        services.need_assign_owner(user=district, need=world.needs["pub_laoshan"], owner=district)
    assert set(selectors.owner_candidates(user=district)) == {district, staff["laixi2"]}
    for role in ("enterprise", "liaison", "expert", "leadership"):
        assert not selectors.owner_candidates(user=world.users[role]).exists()


def test_bulk_is_all_or_nothing(world, staff):
    coord = world.users["coordinator"]
    good, bad = world.needs["pub_laixi"], world.needs["pub_laoshan"]
    with pytest.raises(ApplicationError):
        services.needs_assign_owner(user=coord, needs=[good, bad], owner=staff["laixi2"])
    assert Need.objects.get(pk=good.pk).owner is None
    assert services.needs_assign_owner(user=coord, needs=[good, world.needs["pub_zone"]], owner=staff["laixi2"]) == 2
    assert Need.objects.filter(owner=staff["laixi2"]).count() == 2


def test_bulk_refuses_needs_the_user_cannot_see(world, staff):
    district = world.users["district"]
    with pytest.raises(ApplicationError, match="无权查看"):
        services.needs_assign_owner(
            user=district, needs=[world.needs["pub_zone"], world.needs["conf_ent"]], owner=staff["laixi2"]
        )
    assert Need.objects.get(pk=world.needs["pub_zone"].pk).owner is None


def test_views_single_and_bulk(world, staff, client_for):
    client = client_for("coordinator")
    need = world.needs["pub_laixi"]
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert 'data-testid="owner-card"' in page
    resp = client.post(f"/needs/{need.pk}/owner/", {"owner": staff["laixi2"].pk})
    assert resp.status_code == 302 and resp["Location"] == f"/needs/{need.pk}/"
    assert Need.objects.get(pk=need.pk).owner == staff["laixi2"]
    resp = client.post(
        "/needs/owner/",
        {"needs": [need.pk, world.needs["pub_zone"].pk], "owner": staff["coord2"].pk, "query": "sort=title&q=x"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/needs/?sort=title&q=x"
    assert Need.objects.filter(owner=staff["coord2"]).count() == 2
    # a bad id or a stranger's owner changes nothing and says why
    resp = client.post("/needs/owner/", {"needs": ["99999999999999999999"], "owner": staff["coord2"].pk}, follow=True)
    assert "未能批量指定跟进负责人" in resp.content.decode()


def test_roles_without_assignment_see_no_forms_and_get_404(world, client_for):
    for role in ("enterprise", "liaison", "expert", "leadership"):
        client = client_for(role)
        assert 'id="bulk-owner"' not in client.get("/needs/").content.decode()
        assert client.post("/needs/owner/", {}).status_code == 404
    client = client_for("enterprise")
    own = world.needs["conf_ent"]
    assert 'data-testid="owner-card"' not in client.get(f"/needs/{own.pk}/").content.decode()
    n = AuditEntry.objects.filter(action="need.assign_owner").count()
    client.post(f"/needs/{own.pk}/owner/", {"owner": world.users["coordinator"].pk})
    assert AuditEntry.objects.filter(action="need.assign_owner").count() == n

"""Editing a need: saving the form unchanged changes nothing; a stale form never overwrites."""

from __future__ import annotations

import datetime as dt

import pytest
from html_forms import form_data
from race import race, shared_build_world

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.needs import services
from kechuang.needs.models import Need


def _row(need: Need) -> dict:
    need.refresh_from_db()
    return {f.name: getattr(need, f.name) for f in Need._meta.concrete_fields if f.name != "updated_at"}


def _edit_page(client, need):
    resp = client.get(f"/needs/{need.pk}/edit/")
    assert resp.status_code == 200
    return form_data(resp.content.decode(), with_field="title")


def test_saving_the_form_unchanged_changes_nothing(world, client_for):
    need = world.needs["conf_ent"]
    Need.objects.filter(pk=need.pk).update(
        deadline=dt.date(2027, 6, 30), budget_min=50, budget_max=120, keywords=["石墨烯", "配方"], status="submitted"
    )
    before, audits = _row(need), AuditEntry.objects.exclude(action="need.view_confidential").count()
    c = client_for("enterprise")
    data = _edit_page(c, need)
    assert data["deadline"] == ["2027-06-30"]  # what an <input type="date"> can show
    resp = c.post(f"/needs/{need.pk}/edit/", data)
    assert resp.status_code == 302
    assert _row(need) == before
    assert AuditEntry.objects.exclude(action="need.view_confidential").count() == audits  # no update entry


def test_a_stale_form_is_refused_and_loses_nothing(world, client_for):
    need = world.needs["pub_laixi"]
    c = client_for("coordinator")
    stale = _edit_page(c, need)
    mine = dict(_edit_page(c, need))
    mine["goal"] = ["实现吨级稳定生产，良率 95% 以上"]
    assert c.post(f"/needs/{need.pk}/edit/", mine).status_code == 302
    stale["goal"] = ["另一位编辑的目标"]
    resp = c.post(f"/needs/{need.pk}/edit/", stale)
    assert resp.status_code == 200
    assert "该需求已被他人修改，请刷新后重试。" in resp.content.decode()
    need.refresh_from_db()
    assert need.goal == "实现吨级稳定生产，良率 95% 以上" and need.version == 2


@pytest.mark.django_db(transaction=True)
def test_two_editors_at_once_exactly_one_wins(db_conf):
    def setup():
        w = shared_build_world()
        return w.needs["pub_laixi"].pk, w.users["coordinator"].pk

    need_pk, coord_pk = race([setup], db_conf)[0][1]

    def editor(goal):
        def run():
            from kechuang.accounts.models import User

            need = Need.objects.get(pk=need_pk)
            user = User.objects.get(pk=coord_pk)
            return services.need_update(user=user, need=need, data={"goal": goal}, expected_version=1).goal

        return run

    results = race([editor("甲的目标"), editor("乙的目标")], db_conf)
    kinds = sorted(k for k, _ in results)
    assert kinds == ["error", "ok"], results
    err = next(v for k, v in results if k == "error")
    assert isinstance(err, ApplicationError) and "已被他人修改" in err.message
    winner = next(v for k, v in results if k == "ok")
    assert race([lambda: Need.objects.get(pk=need_pk).goal], db_conf)[0][1] == winner


def test_opening_the_edit_form_of_a_confidential_need_is_audited(world, client_for):
    need = world.needs["conf_ent"]
    Need.objects.filter(pk=need.pk).update(status="submitted")
    _edit_page(client_for("enterprise"), need)
    entry = AuditEntry.objects.filter(action="need.view_confidential", object_id=str(need.pk)).get()
    assert entry.actor == world.users["enterprise"]

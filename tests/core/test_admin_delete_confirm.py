"""Bulk deletes in the admin keep Django's own confirmation page: nobody disabled ``delete_selected``,
and choosing it shows what will be deleted and deletes nothing until "是，我确定"."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.test import RequestFactory

from kechuang.orgs.models import Organisation


def test_no_admin_disables_the_confirmed_bulk_delete(world):
    assert dict(admin.site.actions).get("delete_selected") is delete_selected
    coord = world.users["coordinator"]
    request = RequestFactory().get("/admin/")
    request.user = coord
    for model, model_admin in admin.site._registry.items():
        assert model_admin.delete_confirmation_template is None, model  # Django's own pages
        assert model_admin.delete_selected_confirmation_template is None, model
        if model_admin.actions is None:
            pytest.fail(f"{model.__name__} admin sets actions = None")
        if model_admin.has_delete_permission(request):
            actions = model_admin.get_actions(request)
            assert actions.get("delete_selected", (None,))[0] is delete_selected, model


def test_bulk_delete_shows_the_confirmation_and_deletes_nothing(world, client_for):
    c = client_for("coordinator")
    ent2 = Organisation.objects.create(name="待删除的测试企业", kind=Organisation.Kind.ENTERPRISE)
    n = Organisation.objects.count()
    resp = c.post(
        "/admin/orgs/organisation/",
        {"action": "delete_selected", "_selected_action": [str(ent2.pk)], "index": "0"},
    )
    assert resp.status_code == 200
    text = resp.content.decode()
    assert 'name="post" value="yes"' in text  # Django's "是的，我确定" form: the second, explicit step
    assert ent2.name in text
    assert Organisation.objects.count() == n
    # confirming deletes
    resp = c.post(
        "/admin/orgs/organisation/",
        {"action": "delete_selected", "_selected_action": [str(ent2.pk)], "post": "yes"},
    )
    assert resp.status_code == 302
    assert not Organisation.objects.filter(pk=ent2.pk).exists()

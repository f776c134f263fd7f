"""The admin: coordinators manage accounts without handing out privileges; every user change is
audited; records written by services are read-only."""

from __future__ import annotations

import pytest
from accounts_helpers import make_users
from django.forms import MultiWidget
from django.urls import reverse

from kechuang.accounts.models import User
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db):
    return make_users()


def form_data(resp) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    form = resp.context["adminform"].form
    data = {}
    for name in form.fields:
        bf = form[name]
        widget, value = bf.field.widget, bf.value()
        if isinstance(widget, MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = part.isoformat() if hasattr(part, "isoformat") else (part or "")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = value
    return data


def test_a_coordinator_cannot_grant_privileges(client, users):
    coord, ent = users["coordinator"], users["enterprise"]
    client.force_login(coord)
    url = reverse("admin:accounts_user_change", args=[ent.pk])
    page = client.get(url)
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert name not in fields, name  # shown read-only, not as inputs
    data = form_data(page) | {
        "display_name": "张经理",
        "is_superuser": "on",
        "is_staff": "on",
        "user_permissions": ["1", "2"],
    }
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else resp
    ent.refresh_from_db()
    assert ent.display_name == "张经理"
    assert not ent.is_superuser and not ent.is_staff and not ent.user_permissions.exists()
    entry = AuditEntry.objects.get(action="admin.user_change", object_id=str(ent.pk))
    assert entry.actor == coord
    assert entry.changes == {"display_name": {"from": "", "to": "张经理"}}


def test_a_superuser_can_and_is_audited(client, users):
    root, ent = users["root"], users["enterprise"]
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[ent.pk])
    page = client.get(url)
    assert "is_superuser" in page.context["adminform"].form.fields
    resp = client.post(url, form_data(page) | {"is_staff": "on"})
    assert resp.status_code == 302
    ent.refresh_from_db()
    assert ent.is_staff
    entry = AuditEntry.objects.get(action="admin.user_change", object_id=str(ent.pk))
    assert entry.actor == root and entry.changes == {"is_staff": {"from": False, "to": True}}


def test_a_coordinator_cannot_touch_a_superuser(client, users):
    client.force_login(users["coordinator"])
    root = users["root"]
    page = client.get(reverse("admin:accounts_user_change", args=[root.pk]))
    assert page.status_code == 200 and "name=\"_save\"" not in page.content.decode()  # view only
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 403
    resp = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Tide-Harbour-47", "password2": "Tide-Harbour-47"},
    )
    assert resp.status_code == 403
    root.refresh_from_db()
    assert root.check_password("pw-test-123")
    assert client.post(reverse("admin:accounts_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=root.pk).exists()


def test_password_set_and_user_added_in_the_admin_are_audited(client, users):
    coord, ent = users["coordinator"], users["enterprise"]
    client.force_login(coord)
    resp = client.post(
        reverse("admin:auth_user_password_change", args=[ent.pk]),
        {"password1": "Tide-Harbour-47", "password2": "Tide-Harbour-47"},
    )
    assert resp.status_code == 302
    entry = AuditEntry.objects.get(action="admin.user_password_set")
    assert entry.actor == coord and entry.object_id == str(ent.pk) and "pbkdf2" not in str(entry.changes)
    resp = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer", "usable_password": "true", "password1": "Tide-Harbour-47",
         "password2": "Tide-Harbour-47", "role": "enterprise"},
    )
    assert resp.status_code == 302, resp.context["adminform"].form.errors
    added = AuditEntry.objects.get(action="admin.user_add")
    assert added.actor == coord and added.object_repr == "newcomer" and added.changes["password"] == "已设置"
    assert not User.objects.get(username="newcomer").is_staff


def test_the_admin_refuses_weak_passwords(client, users):
    client.force_login(users["coordinator"])
    resp = client.post(
        reverse("admin:auth_user_password_change", args=[users["enterprise"].pk]),
        {"password1": "qingdao2026", "password2": "qingdao2026"},
    )
    assert resp.status_code == 200 and "过于相似" in resp.content.decode()


@pytest.mark.parametrize(
    ("model", "url"),
    [("needs.need", "admin:needs_need_change"), ("matching.match", "admin:matching_match_change")],
)
def test_service_owned_records_are_read_only(model, url, users):
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(model)]
    request = type("R", (), {"user": users["coordinator"]})()
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_attachments_are_read_only_in_the_agreement_admin(users):
    from django.contrib import admin

    from kechuang.followup.admin import AttachmentInline
    from kechuang.followup.models import Agreement

    inline = AttachmentInline(Agreement, admin.site)
    request = type("R", (), {"user": users["coordinator"]})()
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request)
    assert not inline.has_delete_permission(request)


def test_posting_to_a_need_in_the_admin_changes_nothing(client, world):
    need = world.needs["pub_laixi"]
    client.force_login(world.users["coordinator"])
    resp = client.post(reverse("admin:needs_need_change", args=[need.pk]), {"title": "改掉"})
    assert resp.status_code == 403
    need.refresh_from_db()
    assert need.title != "改掉"

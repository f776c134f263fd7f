"""Invitations: who may invite whom, the one-time hashed link, expiry, revoke, resend, acceptance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.experts.models import Expert
from kechuang.onboarding import services
from kechuang.onboarding.models import Invitation
from kechuang.onboarding.selectors import invitation_list

User = get_user_model()
PASSWORD = "Invite-Qd-2026!z"


@pytest.fixture
def new_expert(world):
    e = Expert.objects.create(name="赵新材", title="教授")
    e.societies.add(world.orgs["soc"])
    return e


def invite_expert(world, expert, **over):
    return services.invitation_create(
        user=world.users["liaison"],
        data={"role": "expert", "email": "zhao@uni.example", "display_name": "赵新材", "expert": expert}
        | over,
    )


def test_token_is_stored_hashed_and_mailed(world, new_expert, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv, token = invite_expert(world, new_expert)
    assert token not in inv.token_hash and inv.token_hash == services.hash_token(token)
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert inv.organisation == world.orgs["soc"] and inv.state() == "pending"
    assert len(mail.outbox) == 1 and reverse("onboarding:accept", args=[token]) in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="invitation.create", object_id=str(inv.pk)).exists()


def test_who_may_invite_whom(world, new_expert):
    coord, liaison = world.users["coordinator"], world.users["liaison"]
    services.invitation_create(
        user=coord,
        data={
            "role": "district",
            "email": "d@x.example",
            "display_name": "区员",
            "area": world.areas["laoshan"],
        },
    )
    services.invitation_create(
        user=coord,
        data={
            "role": "liaison",
            "email": "l@x.example",
            "display_name": "联络",
            "organisation": world.orgs["soc2"],
        },
    )
    with pytest.raises(ApplicationError, match="不能邀请该角色"):  # a liaison cannot make district staff
        services.invitation_create(
            user=liaison,
            data={
                "role": "district",
                "email": "d2@x.example",
                "display_name": "区员",
                "area": world.areas["laixi"],
            },
        )
    with pytest.raises(ApplicationError, match="本学会"):  # another society's expert
        invite_expert(world, world.experts["other"])
    with pytest.raises(ApplicationError, match="本学会"):  # an expert that already has an account
        invite_expert(world, world.experts["own"])
    for role in ("district", "enterprise", "expert", "leadership"):
        with pytest.raises(ApplicationError):
            services.invitation_create(
                user=world.users[role],
                data={"role": "expert", "email": "e@x.example", "display_name": "某", "expert": new_expert},
            )
    assert Invitation.objects.count() == 2


def test_liaison_sees_only_its_societys_invitations(world, new_expert):
    mine, _ = invite_expert(world, new_expert)
    theirs, _ = services.invitation_create(
        user=world.users["coordinator"],
        data={
            "role": "liaison",
            "email": "l@x.example",
            "display_name": "联络",
            "organisation": world.orgs["soc2"],
        },
    )
    assert list(invitation_list(user=world.users["liaison"])) == [mine]
    assert set(invitation_list(user=world.users["coordinator"])) == {mine, theirs}
    assert list(invitation_list(user=world.users["district"])) == []


def test_accept_creates_the_account_in_its_scope_once(world, new_expert):
    inv, token = invite_expert(world, new_expert)
    account = services.invitation_accept(token=token, username="zhaoxc", password=PASSWORD)
    assert account.role == "expert" and account.expert == new_expert and account.organisation is None
    assert account.check_password(PASSWORD)
    inv.refresh_from_db()
    assert inv.state() == "used" and inv.used_by == account
    with pytest.raises(ApplicationError, match="已使用"):
        services.invitation_accept(token=token, username="zhaoxc2", password=PASSWORD)
    assert User.objects.filter(expert=new_expert).count() == 1


def test_district_invitation_lands_in_its_area(world):
    _inv, token = services.invitation_create(
        user=world.users["coordinator"],
        data={
            "role": "district",
            "email": "d@x.example",
            "display_name": "崂山区员",
            "area": world.areas["laoshan"],
        },
    )
    account = services.invitation_accept(token=token, username="laoshan1", password=PASSWORD)
    assert account.role == "district" and account.area == world.areas["laoshan"]


def test_weak_password_changes_nothing(world, new_expert):
    inv, token = invite_expert(world, new_expert)
    with pytest.raises(ApplicationError) as e:
        services.invitation_accept(token=token, username="zhaoxc", password="zhaoxc123")
    assert e.value.field_errors["new_password1"]
    inv.refresh_from_db()
    assert inv.state() == "pending" and not User.objects.filter(username="zhaoxc").exists()


def test_expired_revoked_and_resent_links(world, new_expert):
    inv, token = invite_expert(world, new_expert)
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="已过期"):
        services.invitation_accept(token=token, username="zhaoxc", password=PASSWORD)
    inv, new_token = services.invitation_resend(user=world.users["liaison"], inv=inv)
    assert new_token != token and inv.state() == "pending"
    with pytest.raises(ApplicationError, match="无效"):  # the old link died with the resend
        services.invitation_accept(token=token, username="zhaoxc", password=PASSWORD)
    services.invitation_revoke(user=world.users["liaison"], inv=inv)
    with pytest.raises(ApplicationError, match="已撤销"):
        services.invitation_accept(token=new_token, username="zhaoxc", password=PASSWORD)
    with pytest.raises(ApplicationError, match="不能重发"):
        services.invitation_resend(user=world.users["liaison"], inv=inv)
    assert [
        e.action for e in AuditEntry.objects.filter(object_type="onboarding.invitation").order_by("pk")
    ] == [
        "invitation.create",
        "invitation.resend",
        "invitation.revoke",
    ]


def test_link_pages_say_clearly_why_not(client, world, new_expert):
    inv, token = invite_expert(world, new_expert)
    assert client.get(reverse("onboarding:accept", args=["nonsense"])).status_code == 404
    resp = client.get(reverse("onboarding:accept", args=[token]))
    assert resp.status_code == 200 and "设置密码并开通" in resp.content.decode()
    resp = client.post(
        reverse("onboarding:accept", args=[token]),
        {"username": "zhaoxc", "new_password1": PASSWORD, "new_password2": PASSWORD + "x"},
    )
    assert "两次输入的密码不一致" in resp.content.decode()
    resp = client.post(
        reverse("onboarding:accept", args=[token]),
        {"username": "zhaoxc", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert resp.status_code == 302 and resp.url == reverse("accounts:login")
    resp = client.get(reverse("onboarding:accept", args=[token]))
    assert resp.status_code == 410 and "已经使用过" in resp.content.decode()
    inv2, token2 = services.invitation_create(
        user=world.users["coordinator"],
        data={
            "role": "liaison",
            "email": "l@x.example",
            "display_name": "联络",
            "organisation": world.orgs["soc2"],
        },
    )
    services.invitation_revoke(user=world.users["coordinator"], inv=inv2)
    resp = client.get(reverse("onboarding:accept", args=[token2]))
    assert resp.status_code == 410 and "已被撤销" in resp.content.decode()


def test_invitation_pages(client_for, world, new_expert):
    c = client_for("liaison")
    resp = c.post(
        reverse("onboarding:invitation_create"),
        {"role": "expert", "display_name": "赵新材", "email": "zhao@uni.example", "expert": new_expert.pk},
        follow=True,
    )
    body = resp.content.decode()
    assert "邀请链接" in body and "赵新材" in body
    resp = c.post(
        reverse("onboarding:invitation_create"), {"role": "expert", "display_name": "", "email": "bad"}
    )
    body = resp.content.decode()
    assert "请填写姓名" in body and "请填写有效的电子邮箱" in body
    assert Invitation.objects.count() == 1

"""Enterprise sign-up: the application, the queue's scope, approval (one transaction) and rejection."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.notifications.models import Notification
from kechuang.onboarding import services
from kechuang.onboarding.models import SignupApplication
from kechuang.orgs.models import Organisation
from kechuang.orgs.validators import check_character

User = get_user_model()
PASSWORD = "Qd-Signup-2026!x"


def code(body17: str) -> str:
    return body17 + check_character(body17)


CODE = code("91370285MA3C4K7X1")


def data(world, **over):
    d = {
        "company_name": "青岛蓝海新材料有限公司",
        "credit_code": CODE,
        "district": world.areas["laixi"],
        "contact_name": "王经理",
        "contact_phone": "13800001111",
        "contact_email": "wang@lanhai.example",
        "username": "lanhai",
        "password": PASSWORD,
    }
    return d | over


def form_post(world, **over):
    d = data(world, **over)
    d["district"] = d["district"].pk
    d["password1"] = d["password2"] = d.pop("password")
    return d


def test_submit_creates_only_a_pending_application(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = services.signup_submit(data=data(world))
    assert app.status == SignupApplication.Status.PENDING
    assert not User.objects.filter(username="lanhai").exists()
    assert not Organisation.objects.filter(credit_code=CODE).exists()
    assert app.password_hash != PASSWORD and app.password_hash.startswith(
        ("pbkdf2", "argon2", "md5", "bcrypt")
    )
    # the coordinator and the district's staff hear; the other district's staff (none here) and others do not
    told = set(
        Notification.objects.filter(kind="signup_submitted").values_list("recipient__username", flat=True)
    )
    assert told == {"coordinator", "district"}
    assert AuditEntry.objects.filter(action="signup.submit", object_id=str(app.pk)).exists()


def test_duplicate_code_gets_a_clear_message(world):
    Organisation.objects.create(name="已注册企业", kind="enterprise", credit_code=CODE)
    with pytest.raises(ApplicationError, match="已在平台注册"):
        services.signup_submit(data=data(world))
    Organisation.objects.filter(credit_code=CODE).delete()
    services.signup_submit(data=data(world))
    with pytest.raises(ApplicationError, match="正在审核"):
        services.signup_submit(data=data(world, username="other-user"))
    assert SignupApplication.objects.count() == 1


def test_taken_username_and_weak_password_are_refused(world):
    with pytest.raises(ApplicationError, match="用户名已被使用"):
        services.signup_submit(data=data(world, username="enterprise"))
    with pytest.raises(ApplicationError) as e:
        services.signup_submit(data=data(world, password="12345678"))
    assert e.value.field_errors["password1"]
    assert not SignupApplication.objects.exists()


def test_form_checks_the_check_character_in_chinese(client, world):
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    resp = client.post(reverse("onboarding:signup"), form_post(world, credit_code=wrong))
    assert resp.status_code == 200
    assert "校验位不正确" in resp.content.decode()
    resp = client.post(reverse("onboarding:signup"), form_post(world) | {"password2": "different-Pass-1"})
    assert "两次输入的密码不一致" in resp.content.decode()
    assert not SignupApplication.objects.exists()


def test_form_submission_and_rate_limit(client, world, settings):
    from kechuang.onboarding import views

    resp = client.post(reverse("onboarding:signup"), form_post(world, credit_code=CODE.lower()))
    assert resp.status_code == 302 and resp.url == reverse("onboarding:signup_done")
    assert SignupApplication.objects.get().credit_code == CODE
    # the same address keeps posting: after the hourly allowance it is refused, nothing written
    for _ in range(views.SIGNUPS_PER_HOUR):
        resp = client.post(reverse("onboarding:signup"), form_post(world, credit_code=CODE))
    assert resp.status_code == 429
    assert "提交过于频繁" in resp.content.decode()
    assert SignupApplication.objects.count() == 1


@pytest.fixture
def pending(world):
    return services.signup_submit(data=data(world))


def test_approve_creates_org_and_account_in_one_go(world, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = services.signup_approve(user=world.users["district"], app=pending)
    assert app.status == "approved" and app.decided_by == world.users["district"]
    org = Organisation.objects.get(credit_code=CODE)
    assert org.kind == "enterprise" and org.district == world.areas["laixi"]
    account = User.objects.get(username="lanhai")
    assert account.role == "enterprise" and account.organisation == org
    assert account.check_password(PASSWORD)
    assert Notification.objects.filter(kind="signup_approved", recipient=account).exists()
    assert AuditEntry.objects.filter(action="signup.approve", object_id=str(app.pk)).exists()
    with pytest.raises(ApplicationError, match="已经审核"):
        services.signup_approve(user=world.users["coordinator"], app=app)


def test_approve_links_an_enterprise_known_by_name(world, pending):
    known = Organisation.objects.create(name="青岛蓝海新材料有限公司", kind="enterprise")
    services.signup_approve(user=world.users["coordinator"], app=pending)
    known.refresh_from_db()
    assert known.credit_code == CODE
    assert User.objects.get(username="lanhai").organisation == known


def test_approve_failing_midway_writes_nothing(world, pending):
    User.objects.create_user("lanhai", password="x")  # the name was taken meanwhile
    with pytest.raises(ApplicationError, match="已被占用"):
        services.signup_approve(user=world.users["coordinator"], app=pending)
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not Organisation.objects.filter(credit_code=CODE).exists()


def test_scope_other_district_and_other_roles_cannot_review(world, pending):
    other = User.objects.create_user(
        "laoshan-staff", password="x", role="district", area=world.areas["laoshan"]
    )
    for user in (other, world.users["enterprise"], world.users["liaison"], world.users["leadership"]):
        with pytest.raises(ApplicationError):
            services.signup_approve(user=user, app=pending)
    from kechuang.onboarding.selectors import signup_list

    assert list(signup_list(user=other)) == []
    assert list(signup_list(user=world.users["district"])) == [pending]


def test_reject_needs_a_reason_and_tells_the_applicant(world, pending, django_capture_on_commit_callbacks):
    with pytest.raises(ApplicationError, match="请填写未通过的原因"):
        services.signup_reject(user=world.users["coordinator"], app=pending, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_reject(user=world.users["coordinator"], app=pending, reason="营业执照名称与代码不符")
    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert len(mail.outbox) == 1 and "营业执照名称与代码不符" in mail.outbox[0].body
    assert mail.outbox[0].to == ["wang@lanhai.example"]
    assert not User.objects.filter(username="lanhai").exists()
    # a rejected code may apply again
    services.signup_submit(data=data(world))


def test_queue_pages(client_for, world, pending):
    c = client_for("district")
    assert "青岛蓝海新材料有限公司" in c.get(reverse("onboarding:signups")).content.decode()
    resp = c.post(reverse("onboarding:signup_approve", args=[pending.pk]))
    assert resp.status_code == 302
    assert User.objects.filter(username="lanhai", role="enterprise").exists()


def test_reject_page_without_reason_changes_nothing(client_for, world, pending):
    c = client_for("coordinator")
    resp = c.post(reverse("onboarding:signup_reject", args=[pending.pk]), {"reason": ""}, follow=True)
    assert "请填写原因" in resp.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"

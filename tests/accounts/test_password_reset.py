"""Password reset by e-mail (Django's views in our layout) and the login form keeping the username.

The reset link never signs anyone in: the new password does, so a required second factor is still
asked; a lockout of the username is lifted by a successful reset; requests and resets are audited."""

from __future__ import annotations

import re

import pytest
from accounts_helpers import PASSWORD, make_users, post_login
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db
NEW = "Xin-mima-2026!"


@pytest.fixture
def users(db):
    u = make_users()
    u["enterprise"].email = "ent@example.org"
    u["enterprise"].save(update_fields=["email"])
    u["coordinator"].email = "coord@example.org"
    u["coordinator"].save(update_fields=["email"])
    return u


def _request_link(client, email: str) -> str:
    resp = client.post(reverse("accounts:password_reset"), {"email": email})
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password_reset_done")
    [msg] = mail.outbox
    assert msg.to == [email] and "重设密码" in msg.subject
    return re.search(r"http://testserver(/accounts/password/reset/\S+/)", msg.body).group(1)


def _set_password(client, link: str, password: str):
    resp = client.get(link)
    assert resp.status_code == 302  # the token moves into the session, the URL no longer carries it
    form_url = resp["Location"]
    page = client.get(form_url)
    assert page.status_code == 200 and "设置新密码" in page.content.decode()
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_reset_by_email_then_sign_in_with_the_new_password(client, users):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page  # the way in, from the login page
    link = _request_link(client, "ent@example.org")
    resp = _set_password(client, link, NEW)
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password_reset_complete")
    assert "_auth_user_id" not in client.session  # the link does not sign in
    assert post_login(client, "enterprise", PASSWORD).status_code == 200  # the old password is gone
    assert post_login(client, "enterprise", NEW).status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_reset_requested", object_id=str(users["enterprise"].pk)).exists()
    assert AuditEntry.objects.filter(action="auth.password_reset", object_id=str(users["enterprise"].pk)).exists()


def test_a_link_works_once(client, users):
    link = _request_link(client, "ent@example.org")
    _set_password(client, link, NEW)
    resp = client.get(link, follow=True)
    assert 'data-testid="reset-invalid"' in resp.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(client, users):
    resp = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_weak_new_password_is_refused_in_chinese(client, users):
    link = _request_link(client, "ent@example.org")
    resp = _set_password(client, link, "12345678")
    body = resp.content.decode()
    assert resp.status_code == 200 and "新密码未设置成功" in body
    assert post_login(client, "enterprise", PASSWORD).status_code == 302  # unchanged


def test_a_reset_lifts_the_username_lockout(client, users):
    for _ in range(5):
        post_login(client, "enterprise", "wrong-password", ip="10.0.0.7")
    assert post_login(client, "enterprise", PASSWORD, ip="10.0.0.8").status_code == 429
    link = _request_link(client, "ent@example.org")
    _set_password(client, link, NEW)
    assert post_login(client, "enterprise", NEW, ip="10.0.0.8").status_code == 302


def test_second_factor_is_still_required_after_a_reset(client, users):
    with override_settings(KECHUANG_REQUIRE_2FA=True):
        link = _request_link(client, "coord@example.org")
        _set_password(client, link, NEW)
        resp = post_login(client, "coordinator", NEW)
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:otp_setup"))
        assert client.get(reverse("home:home")).status_code == 302  # nothing else until enrolled


def test_failed_login_keeps_the_username_not_the_password(client, users):
    resp = post_login(client, "enterprise", "wrong-password-xyz")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert re.search(r'<input[^>]*name="username"[^>]*value="enterprise"', body)
    password_input = re.search(r'<input[^>]*name="password"[^>]*>', body).group(0)
    assert "value" not in password_input and "wrong-password-xyz" not in body


def test_a_locked_out_login_keeps_the_username_too(client, users):
    for _ in range(5):
        resp = post_login(client, "enterprise", "wrong-password-xyz")
    assert resp.status_code == 429
    body = resp.content.decode()
    assert re.search(r'<input[^>]*name="username"[^>]*value="enterprise"', body)
    assert "wrong-password-xyz" not in body

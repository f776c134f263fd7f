"""django-axes: five failures for a username or from an address lock it for the cool-off, with the
reason on the login page in Chinese; every failure, lockout, login and unlock is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from accounts_helpers import PASSWORD, make_users, post_login
from django.urls import reverse

from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db):
    return make_users()
LOCKED = "登录失败次数过多"


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_password_is_a_plain_error_until_the_limit(client, users):
    for _ in range(4):
        resp = post_login(client, "enterprise", "wrong-password")
        assert resp.status_code == 200
        assert "用户名或密码不正确" in resp.content.decode()
    resp = post_login(client, "enterprise", "wrong-password")  # the fifth failure locks
    body = resp.content.decode()
    assert resp.status_code == 429
    assert LOCKED in body and "15 分钟" in body and 'name="username"' in body  # the login page, explained
    assert AuditEntry.objects.filter(action="auth.login_failed", object_id=str(users["enterprise"].pk)).count() == 5
    assert AuditEntry.objects.filter(action="auth.locked_out", object_repr="enterprise").exists()


def test_a_locked_username_is_refused_even_with_the_right_password_from_elsewhere(client, users):
    for _ in range(5):
        post_login(client, "enterprise", "wrong-password", ip="10.0.0.1")
    resp = post_login(client, "enterprise", PASSWORD, ip="10.9.9.9")
    assert resp.status_code == 429 and LOCKED in resp.content.decode()
    assert not _logged_in(client)
    # another user from another address is not affected
    assert post_login(client, "coordinator", PASSWORD, ip="10.9.9.9").status_code == 302


def test_an_address_is_locked_after_failures_for_many_usernames(client, users):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        post_login(client, name, "guess-123456", ip="10.0.0.7")
    resp = post_login(client, "enterprise", PASSWORD, ip="10.0.0.7")
    assert resp.status_code == 429 and not _logged_in(client)
    # unknown usernames are audited too, by the typed name
    assert AuditEntry.objects.filter(action="auth.login_failed", object_repr="a3", object_id="").exists()
    assert post_login(client, "enterprise", PASSWORD, ip="10.0.0.8").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, users):
    from axes.models import AccessAttempt

    for _ in range(5):
        post_login(client, "enterprise", "wrong-password")
    assert post_login(client, "enterprise", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    resp = post_login(client, "enterprise", PASSWORD)
    assert resp.status_code == 302 and _logged_in(client)
    from axes.models import AccessLog

    assert AccessLog.objects.filter(username="enterprise").exists()  # axes' log of successful logins


def test_a_success_resets_the_count(client, users):
    for _ in range(4):
        post_login(client, "enterprise", "wrong-password")
    assert post_login(client, "enterprise", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        post_login(client, "enterprise", "wrong-password")
    assert post_login(client, "enterprise", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, users):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "coordinator", "password": "nope-nope-1"}, REMOTE_ADDR="10.1.1.1")
    resp = client.post(reverse("admin:login"), {"username": "coordinator", "password": PASSWORD}, REMOTE_ADDR="10.1.1.2")
    assert resp.status_code == 429 and LOCKED in resp.content.decode()


def test_coordinator_sees_and_lifts_a_lockout_audited(client, users):
    for _ in range(5):
        post_login(client, "enterprise", "wrong-password", ip="10.0.0.3")
    coord = users["coordinator"]
    client.force_login(coord)
    page = client.get(reverse("accounts:lockouts"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="locked-username"' in body and ">enterprise<" in body and "10.0.0.3" in body
    resp = client.post(reverse("accounts:lockouts"), {"username": "enterprise"})
    assert resp.status_code == 302
    entry = AuditEntry.objects.get(action="auth.unlock")
    assert entry.actor == coord and entry.object_id == str(users["enterprise"].pk)
    assert entry.changes["attempts_removed"] == 1
    client.logout()
    assert post_login(client, "enterprise", PASSWORD, ip="10.0.0.4").status_code == 302


def test_coordinator_unlocks_an_address(client, users):
    for name in ("b1", "b2", "b3", "b4", "b5"):
        post_login(client, name, "guess-123456", ip="10.0.0.9")
    client.force_login(users["coordinator"])
    assert "10.0.0.9" in client.get(reverse("accounts:lockouts")).content.decode()
    client.post(reverse("accounts:lockouts"), {"ip": "10.0.0.9"})
    assert AuditEntry.objects.get(action="auth.unlock").changes["unlocked_ip"] == "10.0.0.9"
    client.logout()
    assert post_login(client, "enterprise", PASSWORD, ip="10.0.0.9").status_code == 302


def test_only_coordinators_unlock(client, users):
    for _ in range(5):
        post_login(client, "coordinator", "wrong-password")
    client.force_login(users["enterprise"])
    assert client.get(reverse("accounts:lockouts")).status_code == 404
    assert client.post(reverse("accounts:lockouts"), {"username": "coordinator"}).status_code == 404
    assert not AuditEntry.objects.filter(action="auth.unlock").exists()
    client.logout()
    assert post_login(client, "coordinator", PASSWORD, ip="10.2.2.2").status_code == 429


def test_an_overlong_username_is_refused_by_the_form_not_the_database(db, client):
    from kechuang.core.models import AuditEntry

    resp = client.post("/accounts/login/", {"username": "名" * 10_000, "password": "whatever-123"})
    assert resp.status_code == 200
    assert "用户名或密码不正确" in resp.content.decode()  # the sign-in page says no more than that
    assert not AuditEntry.objects.filter(action="auth.login_failed").exists()  # authenticate never ran

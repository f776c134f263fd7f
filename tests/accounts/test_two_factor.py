"""Second factor (django-otp): coordinators and staff must enrol a TOTP device and verify every
session when KECHUANG_REQUIRE_2FA is on; recovery codes are shown once and work once."""

from __future__ import annotations

import re
import time

import pytest
from accounts_helpers import PASSWORD, make_users, post_login
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kechuang.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_2fa")]


@pytest.fixture
def users(db):
    return make_users()


@pytest.fixture
def require_2fa():
    with override_settings(KECHUANG_REQUIRE_2FA=True):
        yield


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the phone app shows (``steps_ahead`` = 1: the next 30 s window, accepted by the tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the device accepts in no window near now."""
    near = {code_for(device, k) for k in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near)


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("accounts:otp_setup"))
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    device = TOTPDevice.objects.get(user__username="coordinator", confirmed=False)
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key  # the page shows this device
    resp = client.post(reverse("accounts:otp_setup"), {"token": code_for(device), "next": "/needs/"})
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:recovery_codes"))
    codes_page = client.get(resp["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    device.refresh_from_db()
    return device, codes


def test_coordinator_without_a_device_is_sent_to_enrolment_and_nowhere_else(client, users):
    resp = post_login(client, "coordinator", PASSWORD)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:otp_setup"))
    for url in (reverse("home:home"), reverse("needs:list"), "/admin/", reverse("accounts:lockouts")):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:otp_setup")), url
    assert client.get("/api/needs").status_code == 403
    page = client.get(reverse("accounts:otp_setup"))
    body = page.content.decode()
    assert page.status_code == 200 and "启用双因素认证" in body
    qr = re.search(r'data-testid="otp-qr">(.*?)</div>', body, re.S).group(1)
    assert qr.startswith("<svg") and "<path" in qr and "<img" not in qr  # drawn here, no external service
    assert client.post(reverse("accounts:logout")).status_code == 302  # logout always works


def test_enrolment_shows_ten_recovery_codes_once_and_verifies_the_session(client, users):
    post_login(client, "coordinator", PASSWORD)
    device, codes = enrol(client)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(StaticToken.objects.filter(device__user=users["coordinator"]).values_list("token", flat=True)) == sorted(codes)
    again = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert not any(c in again for c in codes) and "只在生成时显示一次" in again
    assert client.get(reverse("home:home")).status_code == 200  # this session is verified
    entry = AuditEntry.objects.get(action="auth.otp_enrolled")
    assert entry.actor == users["coordinator"] and entry.changes["recovery_codes"] == 10


def test_a_wrong_first_code_does_not_enrol(client, users):
    post_login(client, "coordinator", PASSWORD)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=users["coordinator"])
    resp = client.post(reverse("accounts:otp_setup"), {"token": wrong_code(device)})
    assert resp.status_code == 200 and "验证码不正确" in resp.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home:home")).status_code == 302


def test_next_login_asks_for_the_code(client, users):
    post_login(client, "coordinator", PASSWORD)
    device, _ = enrol(client)
    other = Client()
    resp = post_login(other, "coordinator", PASSWORD, next="/needs/")
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:otp_verify"))
    assert other.get(reverse("home:home"))["Location"].startswith(reverse("accounts:otp_verify"))
    bad = other.post(reverse("accounts:otp_verify"), {"token": wrong_code(device)})
    assert bad.status_code == 200 and "验证码不正确" in bad.content.decode()
    assert AuditEntry.objects.filter(action="auth.otp_failed", actor=users["coordinator"]).count() == 1
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a failure; a real user waits
    ok = other.post(reverse("accounts:otp_verify"), {"token": code_for(device, 1), "next": "/needs/"})
    assert ok.status_code == 302 and ok["Location"] == "/needs/"
    assert other.get(reverse("home:home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp_verified", changes__method="totp").exists()


def test_a_recovery_code_works_once(client, users):
    post_login(client, "coordinator", PASSWORD)
    _, codes = enrol(client)
    first = Client()
    post_login(first, "coordinator", PASSWORD)
    resp = first.post(reverse("accounts:otp_verify"), {"token": codes[3].upper()})
    assert resp.status_code == 302 and first.get(reverse("home:home")).status_code == 200
    assert not StaticToken.objects.filter(token=codes[3]).exists()
    second = Client()
    post_login(second, "coordinator", PASSWORD)
    again = second.post(reverse("accounts:otp_verify"), {"token": codes[3]})
    assert again.status_code == 200 and second.get(reverse("home:home")).status_code == 302


def test_a_password_alone_cannot_replace_the_device(client, users):
    post_login(client, "coordinator", PASSWORD)
    enrol(client)
    thief = Client()
    post_login(thief, "coordinator", PASSWORD)
    resp = thief.get(reverse("accounts:otp_setup"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:otp_verify"))
    assert thief.post(reverse("accounts:recovery_codes")).status_code == 302
    assert TOTPDevice.objects.filter(user=users["coordinator"]).count() == 1


def test_other_roles_are_not_asked(client, users):
    resp = post_login(client, "enterprise", PASSWORD)
    assert resp.status_code == 302 and resp["Location"] == reverse("home:home")
    assert client.get(reverse("home:home")).status_code == 200
    assert client.get(reverse("accounts:otp_setup")).status_code == 404


def test_superusers_are_asked_too(client, users):
    resp = post_login(client, "root", PASSWORD)
    assert resp["Location"].startswith(reverse("accounts:otp_setup"))


@override_settings(KECHUANG_REQUIRE_2FA=False)
def test_switched_off_nobody_is_asked(client, users):
    resp = post_login(client, "coordinator", PASSWORD)
    assert resp["Location"] == reverse("home:home")
    assert client.get(reverse("home:home")).status_code == 200

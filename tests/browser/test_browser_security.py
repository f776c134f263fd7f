"""Sign-in security clicked through in chromium: the lockout message, a coordinator lifting it,
and enrolling a TOTP authenticator then signing in with the second factor."""

from __future__ import annotations

import base64
import re
import time

import pytest
from browser_helpers import DEMO_PASSWORDS, login, shot
from django.test import override_settings
from django_otp.oath import TOTP
from playwright.sync_api import expect


def totp_code(secret_b32: str, steps_ahead: int = 0) -> str:
    """What a phone authenticator shows for this secret (RFC 6238: 30 s, 6 digits, SHA-1)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    totp = TOTP(key, step=30, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def submit_login(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_lockout_after_wrong_passwords_and_a_coordinator_unlocks(page, browser, live_server):
    coord = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    coord_page = coord.new_page()
    login(coord_page, "coordinator")  # signed in before the lockout

    for _ in range(4):
        submit_login(page, "enterprise", "wrong-password")
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    submit_login(page, "enterprise", "wrong-password")
    expect(page.get_by_test_id("lockout-message")).to_contain_text("登录失败次数过多")
    expect(page.get_by_test_id("lockout-message")).to_contain_text("15 分钟后再试")
    submit_login(page, "enterprise", DEMO_PASSWORDS["enterprise"])  # the right password does not help now
    expect(page.get_by_test_id("lockout-message")).to_be_visible()
    assert "/accounts/login/" in page.url
    shot(page, "security-lockout-message")

    coord_page.goto("/accounts/lockouts/")
    expect(coord_page.get_by_test_id("locked-username")).to_contain_text("enterprise")
    shot(coord_page, "security-lockouts-page")
    coord_page.get_by_test_id("locked-username").get_by_role("button", name="解锁").click()
    expect(coord_page.get_by_role("status")).to_contain_text("已解除锁定：enterprise")
    coord.close()

    login(page, "enterprise")
    expect(page.get_by_test_id("home-heading")).to_contain_text("企业工作台")

    from kechuang.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="auth.locked_out", changes__username="enterprise").exists()
    assert AuditEntry.objects.filter(action="auth.unlock", actor__username="coordinator").exists()


@pytest.fixture
def require_2fa():
    with override_settings(KECHUANG_REQUIRE_2FA=True):
        yield


def test_coordinator_enrols_totp_then_signs_in_with_the_second_factor(page, browser, live_server, require_2fa):
    submit_login(page, "coordinator", DEMO_PASSWORDS["coordinator"])
    page.wait_for_url("**/accounts/2fa/setup/**")
    expect(page.get_by_role("heading", name="启用双因素认证")).to_be_visible()
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    # a page outside enrolment sends the coordinator back
    page.goto("/needs/")
    page.wait_for_url("**/accounts/2fa/setup/**")
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    shot(page, "security-totp-enrolment")
    page.get_by_label("验证码").fill(totp_code(secret))
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/**")
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    shot(page, "security-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url("**/needs/")

    # a fresh browser: password, then the code from the authenticator
    other = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    p2 = other.new_page()
    submit_login(p2, "coordinator", DEMO_PASSWORDS["coordinator"])
    p2.wait_for_url("**/accounts/2fa/verify/**")
    expect(p2.get_by_role("heading", name="双因素认证")).to_be_visible()
    near = {totp_code(secret, k) for k in range(-2, 3)}
    p2.get_by_label("验证码").fill(next(c for c in ("000000", "111111", "222222", "333333") if c not in near))
    p2.get_by_role("button", name="验证").click()
    expect(p2.get_by_role("alert")).to_contain_text("验证码不正确")
    shot(p2, "security-totp-verify-error")

    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="coordinator").update(throttling_failure_count=0,
                                                                  throttling_failure_timestamp=None)
    p2.get_by_label("验证码").fill(totp_code(secret, 1))  # the next window: the enrolment code is spent
    p2.get_by_role("button", name="验证").click()
    p2.wait_for_url("**/home/")
    expect(p2.get_by_test_id("home-heading")).to_contain_text("协调员工作台")
    shot(p2, "security-totp-signed-in")
    other.close()

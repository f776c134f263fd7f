"""Notifications and password reset clicked through in chromium.

- An enterprise's need is returned by a coordinator → the enterprise's bell shows 1 → the list says
  which need and why → the link opens the need → the notification is read and the bell is empty.
- Password reset: the login page's link → the e-mail (Django's locmem outbox in tests) → a new
  password → sign in with it; the username stays in the form after a failed attempt.
"""

from __future__ import annotations

import re

from browser_helpers import DEMO_PASSWORDS, login, shot
from django.core import mail
from playwright.sync_api import expect


def _second_page(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    return ctx, pg


def test_returned_need_rings_the_enterprise_bell(page, browser, live_server, demo):
    from kechuang.accounts.models import User
    from kechuang.needs.models import Need
    from kechuang.notifications.models import Notification

    ent_user = User.objects.get(username="enterprise")
    mine = Need.objects.filter(enterprise_id=ent_user.organisation_id).order_by("pk")
    need = mine.filter(status__in=["submitted", "reviewed"]).first()
    if need is None:  # the demo's enterprise has moved all its needs on: it submits a new one (the service)
        from kechuang.needs.services import FIELDS, need_submit

        src = mine.first()
        data = {k: getattr(src, k) for k in FIELDS if k != "source"} | {"title": "石墨烯导热膜卷对卷连续制备"}
        need = need_submit(user=ent_user, data=data)
    assert not Notification.objects.filter(recipient=ent_user, read_at__isnull=True).exists()

    login(page, "coordinator")
    page.goto("/notifications/")  # the demo's reminders: the city's stalled needs, in one line a day
    summary = page.locator('[data-testid="notification"][data-kind="need_stalled"]')
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("项需求超过")
    shot(page, "notifications-coordinator-reminders")
    page.goto(f"/needs/{need.pk}/")
    page.get_by_label("说明（退回时必填）").fill("请补充期望的技术指标和预算范围。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_test_id("need-status")).to_have_text("已退回")
    coordinator = User.objects.get(username="coordinator")
    assert not Notification.objects.filter(recipient=coordinator, need=need).exists()  # not told what they did

    ctx, ent = _second_page(browser, live_server)
    try:
        login(ent, "enterprise")
        expect(ent.get_by_test_id("bell-count")).to_have_text("1")
        shot(ent, "notifications-bell-1")
        ent.get_by_test_id("bell").click()
        ent.wait_for_url("**/notifications/")
        item = ent.get_by_test_id("notification").first
        expect(item).to_contain_text(need.title)
        expect(item).to_contain_text("请补充期望的技术指标和预算范围。")
        expect(item).to_contain_text("未读")
        shot(ent, "notifications-list-unread")
        item.get_by_test_id("notification-link").click()
        ent.wait_for_url(f"**/needs/{need.pk}/")
        expect(ent.locator("h1").first).to_contain_text(need.title)
        expect(ent.get_by_test_id("bell-count")).to_have_count(0)
        shot(ent, "notifications-opened-need")
        ent.goto("/notifications/")
        expect(ent.get_by_test_id("unread-summary")).to_contain_text("0 条未读")
        expect(ent.get_by_test_id("notification").first).not_to_contain_text("未读")
        shot(ent, "notifications-list-read")
    finally:
        ctx.close()
    n = Notification.objects.get(recipient=ent_user, need=need)
    assert n.kind == "need_returned" and n.read_at is not None


def test_notification_settings_choose_email_per_kind(page, demo):
    from kechuang.accounts.models import User
    from kechuang.notifications.services import email_preferences

    login(page, "expert")
    page.goto("/notifications/settings/")
    box = page.locator("#email-agenda_changed")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").first).to_contain_text("通知设置已保存")
    expect(page.locator("#email-agenda_changed")).not_to_be_checked()
    shot(page, "notifications-settings")
    prefs = email_preferences(User.objects.get(username="expert"))
    assert prefs["agenda_changed"] is False and prefs["invitation_routed"] is True


def test_password_reset_by_email_then_sign_in(page, demo):
    from kechuang.accounts.models import User

    User.objects.filter(username="enterprise").update(email="contact@example.org")
    mail.outbox.clear()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("enterprise")
    page.get_by_label("密码").fill("not-my-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page.get_by_label("用户名")).to_have_value("enterprise")  # remembered
    expect(page.get_by_label("密码")).to_have_value("")  # never
    shot(page, "login-failed-keeps-username")
    page.get_by_test_id("forgot-password").click()
    page.get_by_label("邮箱").fill("contact@example.org")
    shot(page, "password-reset-request")
    page.get_by_role("button", name="发送重设链接").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    [msg] = mail.outbox
    assert msg.to == ["contact@example.org"]
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", msg.body).group(0)
    page.goto(link)
    new = "Xin-mima-2026!"
    page.get_by_label("新密码", exact=True).fill(new)
    page.get_by_label("新密码确认").fill(new)
    shot(page, "password-reset-set-new")
    page.get_by_role("button", name="设置新密码").click()
    expect(page.get_by_test_id("reset-complete")).to_be_visible()
    shot(page, "password-reset-complete")
    page.get_by_role("link", name="登录", exact=True).last.click()
    login(page, "enterprise", new)
    expect(page.get_by_test_id("current-user")).to_be_visible()
    assert DEMO_PASSWORDS["enterprise"] != new

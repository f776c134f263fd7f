"""Onboarding in the browser (issue 10): an enterprise signs up and is approved by its district, then
logs in and sees its own page; a liaison invites an expert, who sets a password from the one-time
link and edits the profile. Screenshots at 1366 px and 390 px."""

from __future__ import annotations

import re

from browser_helpers import login, shot
from playwright.sync_api import expect

from kechuang.orgs.validators import check_character

BODY = "91370214MA3D8N2P5"
CODE = BODY + check_character(BODY)
COMPANY = "青岛海晟智能装备有限公司"
PASSWORD = "Blue#Sea-7731-qd"
EXPERT_PASSWORD = "Zhuanjia#2026-qd"


def _context(browser, live_server, width=1366):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    return ctx, pg


def _both_widths(page, name):
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, f"{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_enterprise_signs_up_and_is_approved(page, demo, browser, live_server):
    from kechuang.accounts.models import User

    district_user = User.objects.get(username="district")
    area = district_user.area

    page.goto("/accounts/login/")
    page.get_by_test_id("signup-link").click()
    expect(page.locator("h1")).to_have_text("企业自助注册")
    page.get_by_label("企业名称").fill(COMPANY)
    wrong = BODY + ("0" if CODE[-1] != "0" else "1")
    page.get_by_label("统一社会信用代码").fill(wrong)
    page.get_by_label("所在区（市）").select_option(label=area.name)
    page.get_by_label("联系人姓名").fill("周海")
    page.get_by_label("联系电话").fill("13953200001")
    page.get_by_label("电子邮箱").fill("zhou@haisheng.example")
    page.get_by_label("用户名").fill("haisheng")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="提交注册申请").click()
    # a wrong check character: a clear Chinese message, nothing submitted
    expect(page.locator("[data-field=credit_code] .errorlist")).to_contain_text("校验位不正确")
    _both_widths(page, "onboarding-signup-error")
    page.get_by_label("统一社会信用代码").fill(CODE)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="提交注册申请").click()
    expect(page.get_by_test_id("signup-done")).to_be_visible()
    _both_widths(page, "onboarding-signup-done")

    # not an account yet: the login is refused
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("haisheng")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".form-errors")).to_contain_text("用户名或密码不正确")

    # the district's staff see it in the queue and approve it
    ctx, staff = _context(browser, live_server)
    login(staff, "district")
    staff.get_by_role("link", name="注册审核").click()
    expect(staff.get_by_test_id("signup-table")).to_contain_text(COMPANY)
    _both_widths(staff, "onboarding-signup-queue")
    staff.get_by_role("link", name=COMPANY).click()
    staff.get_by_test_id("approve").click()
    expect(staff.get_by_test_id("signup-status")).to_have_text("已通过")
    expect(staff.locator(".messages")).to_contain_text("已开通账号 haisheng")
    _both_widths(staff, "onboarding-signup-approved")
    ctx.close()

    # the contact logs in, sees the approval notice and its own enterprise, and may submit needs
    login(page, "haisheng", PASSWORD)
    expect(page.get_by_test_id("current-user")).to_have_text("周海")
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(f"您的企业“{COMPANY}”注册申请已通过")
    from kechuang.orgs.models import Organisation

    org = Organisation.objects.get(credit_code=CODE)
    page.goto(f"/orgs/{org.pk}/")
    expect(page.locator("h1")).to_contain_text(COMPANY)
    _both_widths(page, "onboarding-enterprise-own-page")
    page.goto("/needs/new/")
    expect(page.locator("h1")).to_contain_text("提交技术需求")


def test_liaison_invites_an_expert_who_sets_a_password_and_edits_the_profile(page, demo, browser, live_server):
    from kechuang.accounts.models import User
    from kechuang.experts.models import Expert

    liaison = User.objects.get(username="liaison")
    expert = (
        Expert.objects.filter(societies=liaison.organisation_id, user__isnull=True).order_by("name", "pk").first()
    )
    assert expert is not None, "the demo society has experts without accounts"

    login(page, "liaison")
    page.get_by_role("link", name="邀请", exact=True).click()
    page.get_by_test_id("new-invitation").click()
    page.get_by_label("姓名").fill(expert.name)
    page.get_by_label("电子邮箱").fill("invitee@uni.example")
    page.get_by_label("专家档案").select_option(value=str(expert.pk))
    _both_widths(page, "onboarding-invite-form")
    page.get_by_role("button", name="发送邀请").click()
    message = page.locator(".messages").inner_text()
    link = re.search(r"https?://\S+/onboarding/invite/\S+/", message).group(0)
    expect(page.get_by_test_id("invitation-table")).to_contain_text("待接受")
    _both_widths(page, "onboarding-invitations")

    # the invitee opens the link (no session), sets a password, and signs in
    ctx, inv = _context(browser, live_server)
    inv.goto(link)
    expect(inv.locator("h1")).to_have_text("开通科创对接平台账号")
    inv.get_by_label("用户名").fill("invited-expert")
    inv.get_by_label("设置密码").fill("short")
    inv.get_by_label("再次输入密码").fill("short")
    inv.get_by_role("button", name="设置密码并开通").click()
    expect(inv.locator("[data-field=new_password1] .errorlist")).to_be_visible()
    _both_widths(inv, "onboarding-accept-weak-password")
    inv.get_by_label("设置密码").fill(EXPERT_PASSWORD)
    inv.get_by_label("再次输入密码").fill(EXPERT_PASSWORD)
    inv.get_by_role("button", name="设置密码并开通").click()
    expect(inv.locator(".messages")).to_contain_text("账号 invited-expert 已开通")
    login(inv, "invited-expert", EXPERT_PASSWORD)

    # the expert edits the profile: availability, keywords, a publication
    inv.get_by_role("link", name="我的档案", exact=True).click()
    inv.get_by_label("暂不可对接").check()
    inv.get_by_label("关键词").fill("海洋装备、智能制造")
    inv.get_by_role("button", name="保存档案").click()
    expect(inv.locator(".messages")).to_contain_text("档案已保存")
    inv.locator("summary", has_text="添加论文").click()
    inv.get_by_test_id("publication-form").get_by_label("题名").fill("海洋装备智能运维方法研究")
    inv.get_by_test_id("publication-form").get_by_label("年份").fill("2025")
    inv.get_by_role("button", name="添加论文").click()
    expect(inv.get_by_test_id("publications")).to_contain_text("海洋装备智能运维方法研究")
    expect(inv.get_by_test_id("history")).to_contain_text("修改档案")
    _both_widths(inv, "onboarding-expert-profile")
    ctx.close()

    expert.refresh_from_db()
    assert expert.availability == "unavailable" and expert.keywords == ["海洋装备", "智能制造"]

    # the used link now explains itself
    page.goto(link)
    expect(page.get_by_test_id("invite-invalid")).to_contain_text("已经使用过")
    page.goto("/onboarding/invitations/")
    expect(page.get_by_test_id("invitation-table")).to_contain_text("已使用")

"""An enterprise finds an expert and asks for contact; the society's liaison forwards the request,
the expert accepts, and the enterprise sees it accepted (issue 13: enterprises see experts)."""

from __future__ import annotations

from browser_helpers import login, shot
from playwright.sync_api import expect

PHONE = "13905329876"
EVENT = "全国学会与青岛企业精准对接洽谈会"


def _as(browser, live_server, username):
    ctx = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    login(pg, username)
    return ctx, pg


def test_enterprise_browses_experts_and_requests_contact(page, demo, browser, live_server):
    from kechuang.accounts.models import User
    from kechuang.experts.models import ContactRequest

    expert = User.objects.get(username="expert").expert
    liaison = User.objects.get(username="liaison")
    assert expert.societies.filter(pk=liaison.organisation_id).exists(), (
        "the demo liaison routes the demo expert"
    )
    expert.phone, expert.contact_public = PHONE, False
    expert.save()

    # at the 对接会 the experts to choose from are links to their profiles, with title and fields
    login(page, "enterprise")
    page.get_by_role("link", name="活动", exact=True).click()
    page.get_by_role("link", name=EVENT).click()
    links = page.get_by_test_id("expert-profile-link")
    assert links.count() > 0
    first = links.first
    name = first.inner_text()
    beside = first.locator("xpath=following-sibling::small[1]").inner_text()
    assert beside.strip(), "title and fields are shown beside the name"
    shot(page, "experts-event-expert-links")
    first.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.get_by_test_id("expert-profile")).to_be_visible()

    # the enterprise browses the library (no longer "共 0 位") and opens the profile
    page.get_by_role("link", name="专家", exact=True).click()
    header = page.locator("h1")
    expect(header).to_contain_text("专家库")
    assert "共 0 位" not in header.inner_text()
    shot(page, "experts-enterprise-list")
    page.get_by_label("关键字").fill(expert.name)
    page.get_by_role("button", name="筛选").click()
    page.get_by_test_id("expert-table").get_by_role("link", name=expert.name).first.click()
    expect(page.get_by_test_id("expert-profile")).to_contain_text(expert.title)
    expect(page.get_by_test_id("expert-contact")).to_contain_text("专家未公开联系方式")
    assert PHONE not in page.content()
    shot(page, "experts-enterprise-profile")

    # ask for contact, tied to one of its needs
    form = page.get_by_test_id("contact-request-form")
    need_select = form.get_by_label("相关需求（可选）")
    options = need_select.locator("option").all()
    assert len(options) > 1, "the enterprise has needs to choose from"
    need_select.select_option(index=1)
    form.get_by_label("对接事由").fill("我们在做石墨烯散热膜量产，想请专家指导工艺。")
    form.get_by_role("button", name="提交请求").click()
    row = page.get_by_test_id("contact-request").first
    expect(row.get_by_test_id("contact-request-status")).to_have_text("待联络员处理")
    req = ContactRequest.objects.get(expert=expert)
    assert req.need_id is not None and req.society_id == liaison.organisation_id

    # the liaison forwards it
    ctx, lp = _as(browser, live_server, "liaison")
    lp.get_by_role("link", name="对接请求").click()
    card = lp.get_by_test_id("contact-request").filter(has_text="石墨烯散热膜")
    expect(card.get_by_test_id("contact-request-status")).to_have_text("待联络员处理")
    shot(lp, "experts-liaison-requests")
    card.get_by_role("textbox").fill("请专家拨冗回复")
    card.get_by_role("button", name="转交专家").click()
    expect(lp.locator(".messages, .alert, body").first).to_contain_text("已转交专家")
    ctx.close()

    # the expert accepts
    ctx, ep = _as(browser, live_server, "expert")
    ep.get_by_role("link", name="对接请求").click()
    card = ep.get_by_test_id("contact-request").filter(has_text="石墨烯散热膜")
    expect(card).to_contain_text("请专家拨冗回复")
    card.get_by_role("textbox").fill("欢迎来电，工作日下午方便。")
    card.get_by_role("button", name="同意对接").click()
    expect(ep.get_by_test_id("contact-request").first.get_by_test_id("contact-request-status")).to_have_text(
        "专家已同意"
    )
    shot(ep, "experts-expert-accepted")
    ctx.close()

    # the enterprise sees it accepted, and now the phone number
    page.reload()
    expect(
        page.get_by_test_id("contact-request").first.get_by_test_id("contact-request-status")
    ).to_have_text("专家已同意")
    expect(page.get_by_test_id("expert-phone")).to_have_text(PHONE)
    expect(page.get_by_test_id("contact-request").first).to_contain_text("欢迎来电")
    shot(page, "experts-enterprise-accepted")
    req.refresh_from_db()
    assert req.status == ContactRequest.Status.ACCEPTED


def test_expert_publishes_contact_and_enterprise_sees_it(page, demo, browser, live_server):
    from kechuang.accounts.models import User

    expert = User.objects.get(username="expert").expert
    expert.phone, expert.email, expert.contact_public = PHONE, "expert-demo@example.org", False
    expert.save()

    ctx, ep = _as(browser, live_server, "expert")
    ep.goto(f"/experts/{expert.pk}/")
    consent = ep.get_by_test_id("contact-consent")
    expect(ep.get_by_test_id("expert-contact")).to_contain_text("未向企业公开")
    consent.get_by_role("checkbox").check()
    consent.get_by_role("button", name="保存").click()
    expect(ep.locator("body")).to_contain_text("企业现在可以在专家主页看到联系方式")
    shot(ep, "experts-expert-consent")
    ctx.close()

    login(page, "enterprise")
    page.goto(f"/experts/{expert.pk}/")
    expect(page.get_by_test_id("expert-phone")).to_have_text(PHONE)
    expect(page.get_by_test_id("expert-email")).to_have_text("expert-demo@example.org")
    assert page.get_by_test_id("contact-consent").count() == 0  # the enterprise cannot change it
    shot(page, "experts-enterprise-public-contact")

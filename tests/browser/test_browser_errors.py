"""Error pages as people meet them: a mistyped or out-of-scope address, signed in or not, Chinese or English."""

from __future__ import annotations

from browser_helpers import login, shot
from playwright.sync_api import expect


def _assert_404_page(page, resp):
    assert resp.status == 404
    expect(page.get_by_test_id("error-page")).to_be_visible()
    expect(page.get_by_test_id("error-status")).to_have_text("404")
    assert "URLconf" not in page.content()


def test_404_anonymous_in_chinese_leads_home(page):
    resp = page.goto("/no-such-page/")
    _assert_404_page(page, resp)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    shot(page, "error-404-anonymous-zh")
    page.get_by_test_id("error-home").click()
    page.wait_for_url("**/accounts/login/**")


def test_404_signed_in_keeps_the_navigation_and_leads_home(page):
    login(page, "enterprise")
    resp = page.goto("/needs/987654/")
    _assert_404_page(page, resp)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    expect(page.locator("nav.mainnav")).to_be_visible()
    shot(page, "error-404-enterprise-zh")
    page.get_by_test_id("error-home").click()
    page.wait_for_url("**/home/")


def test_404_in_english_signed_in_and_anonymous(page, browser, live_server):
    login(page, "coordinator")
    page.locator("footer .lang-switch button[value=en]").click()
    page.wait_for_load_state()
    resp = page.goto("/no-such-page/")
    _assert_404_page(page, resp)
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_test_id("current-user")).to_be_visible()
    shot(page, "error-404-coordinator-en")

    ctx = browser.new_context(base_url=live_server.url, locale="en-US")
    anon = ctx.new_page()
    resp = anon.goto("/no-such-page/")
    _assert_404_page(anon, resp)
    assert anon.locator("html").get_attribute("lang") == "en"
    shot(anon, "error-404-anonymous-en")
    ctx.close()

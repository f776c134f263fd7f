"""The records and the words, clicked through on the demo: each role lands where its work is, the
expert's invitation says what the need is about, an agenda before scheduling says 尚未排期, a past
对接会 shows who came and takes no more requests, and the district's dashboard counts its events."""

from __future__ import annotations

import re

from browser_helpers import login, shot
from playwright.sync_api import expect

MAIN = "全国学会与青岛企业精准对接洽谈会"


def test_enterprise_lands_on_its_needs_with_what_happened_and_what_next(page, demo):
    page.set_default_timeout(90_000)  # a shared, loaded machine: patience, not a timing assertion
    from kechuang.needs.models import Need

    login(page, "enterprise")
    table = page.get_by_test_id("my-needs")
    expect(table).to_be_visible()
    need = (
        Need.objects.filter(enterprise=demo["users"]["u-enterprise"].organisation)
        .order_by("-created_at")
        .first()
    )
    row = page.get_by_test_id(f"my-need-{need.pk}")
    expect(row).to_contain_text(need.title)
    expect(row).to_contain_text(need.history.order_by("-at", "-pk").first().note)
    expect(row.get_by_test_id("next-step")).not_to_be_empty()
    expect(page.get_by_test_id("home-agendas")).to_contain_text(MAIN)
    assert "已已" not in page.content()
    shot(page, "records-home-enterprise")


def test_expert_lands_on_invitations_with_the_need_and_an_unscheduled_agenda(page, demo):
    page.set_default_timeout(90_000)  # a shared, loaded machine: patience, not a timing assertion
    login(page, "expert")
    card = page.get_by_test_id("home-invitation").first
    expect(card.get_by_test_id("invitation-need")).to_contain_text("技术难题")
    expect(card.get_by_test_id("invitation-budget")).to_be_visible()
    expect(card.get_by_test_id("invitation-deadline")).to_be_visible()
    shot(page, "records-home-expert")

    page.get_by_role("link", name="查看全部对接邀请并回复").click()
    first = page.locator("[data-testid^=invitation-]").first
    expect(first.get_by_test_id("invitation-need")).to_contain_text("预期目标")
    shot(page, "records-inbox-expert")

    # the big 对接会 is not scheduled in the demo: the agenda says so instead of 14 rows of 空闲
    page.goto("/home/")
    page.get_by_test_id("home-agendas").get_by_role("link", name=MAIN).click()
    expect(page.get_by_test_id("agenda-unscheduled")).to_contain_text("尚未排期")
    expect(page.get_by_test_id("agenda")).to_have_count(0)
    assert "空闲" not in page.content()
    shot(page, "records-agenda-unscheduled")


def test_past_matchmaking_meeting_shows_who_came_and_takes_no_requests(page, demo):
    page.set_default_timeout(90_000)  # a shared, loaded machine: patience, not a timing assertion
    from kechuang.events.models import Event

    ev = demo["events"]["ev-newmat-matchmaking"]
    login(page, "enterprise")
    page.goto(f"/events/{ev.pk}/")
    expect(page.get_by_test_id("event-past")).to_contain_text("不再接受报名和洽谈请求")
    expect(page.get_by_role("button", name="请求洽谈")).to_have_count(0)
    expect(page.get_by_test_id("register-enterprise")).to_have_count(0)
    shot(page, "records-past-event-enterprise")

    # a themed 对接会 of the past year: its figures are what its description says
    themed = (
        Event.objects.filter(kind="matchmaking", description__contains="位专家与").order_by("start").first()
    )
    m = re.search(r"(\d+)位专家与(\d+)家企业", themed.description)
    page.context.clear_cookies()  # sign out
    login(page, "coordinator")
    page.goto(f"/events/{themed.pk}/")
    expect(page.get_by_test_id("fig-experts")).to_have_text(m[1])
    expect(page.get_by_test_id("fig-enterprises")).to_have_text(m[2])
    assert int(page.get_by_test_id("fig-meetings").inner_text()) > 0
    expect(page.get_by_text("尚未设置洽谈场次")).to_have_count(0)
    shot(page, "records-past-event-figures")


def test_leadership_lands_on_the_dashboard_and_district_counts_its_events(page, demo):
    page.set_default_timeout(90_000)  # a shared, loaded machine: patience, not a timing assertion
    login(page, "leadership")
    expect(page).to_have_url(re.compile(r".*/dashboard/$"))
    shot(page, "records-home-leadership")
    page.context.clear_cookies()  # sign out
    login(page, "district")
    page.goto("/dashboard/")
    expect(page.get_by_test_id("dashboard-heading")).to_contain_text("莱西市")
    n = int(page.locator('[data-kpi="meetings"]').inner_text())
    shot(page, "records-dashboard-laixi")
    assert n >= 4  # the four 对接会 held in 莱西 (and the 新材料 one in its 开发区)

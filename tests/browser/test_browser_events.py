"""The 对接会 of the source story, clicked through by the city coordinator: open it (10 societies,
30+ enterprises, 50+ representatives), generate the schedule in one click, see that it is optimal
(or how close), download agendas, cancel a meeting and re-plan."""

from __future__ import annotations

import sys
from pathlib import Path

from browser_helpers import login, shot
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "events" / "app"))
from pdf_text import font_names, pdf_text  # noqa: E402

TITLE = "全国学会与青岛企业精准对接洽谈会"


def test_coordinator_schedules_the_story_matchmaking_meeting(page, demo, tmp_path):
    from kechuang.events.models import Meeting, ScheduleRun

    login(page, "coordinator")
    page.get_by_role("link", name="活动", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("event-title")).to_contain_text(TITLE)
    expect(page.get_by_test_id("fig-societies")).to_have_text("10/10")
    enterprises = int(page.get_by_test_id("fig-enterprises").inner_text())
    reps = int(page.get_by_test_id("fig-representatives").inner_text())
    assert enterprises >= 30 and reps >= 50, (enterprises, reps)
    shot(page, "events-matchmaking-detail")

    # one click
    page.get_by_test_id("open-schedule").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("尚未排期")
    page.get_by_test_id("generate").click(timeout=120_000)
    badge = page.get_by_test_id("run-badge")
    expect(badge).to_be_visible(timeout=120_000)
    run = ScheduleRun.objects.get()
    assert run.status in ("optimal", "feasible") and run.n_meetings >= 100
    if run.status == "optimal":
        expect(badge).to_have_text("最优")
        expect(page.get_by_test_id("run-status")).to_contain_text("已证明最少")
    else:  # say how close
        expect(badge).to_have_text("可行")
        expect(page.get_by_test_id("run-status")).to_contain_text("未证明最优")
    expect(page.get_by_role("status")).to_contain_text(f"排期已生成：{run.n_meetings} 场洽谈")
    expect(page.get_by_test_id("violations")).to_contain_text("通过全部规则检查")
    grid = page.get_by_test_id("master-grid")
    expect(grid.locator("td.busy")).to_have_count(run.n_meetings)
    shot(page, "events-schedule-generated")

    # the master grid as Excel
    with page.expect_download() as dl:
        page.get_by_test_id("grid-xlsx").click(timeout=60_000)
    xlsx = tmp_path / "grid.xlsx"
    dl.value.save_as(xlsx)
    from openpyxl import load_workbook

    assert load_workbook(xlsx)["洽谈清单"].max_row == 1 + run.n_meetings

    # one representative's agenda: page, print button, PDF download with the name in a CJK font
    m = Meeting.objects.filter(run=run).select_related("enterprise").order_by("slot", "table__number").first()
    rep = m.enterprise
    page.goto(f"/events/participants/{rep.pk}/")
    expect(page.get_by_test_id("agenda")).to_contain_text(m.expert.name)
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    shot(page, "events-agenda")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_test_id("agenda-pdf").click(timeout=60_000)
    pdf_path = tmp_path / "agenda.pdf"
    dl.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-") and "Noto-Sans-CJK-SC" in font_names(pdf)
    assert rep.name in pdf_text(pdf) and m.expert.name in pdf_text(pdf)

    # late change: the meeting is cancelled, then re-planned moving as few meetings as possible
    page.goto(f"/events/meetings/{m.pk}/")
    page.get_by_placeholder("取消原因").fill("专家航班延误")
    page.get_by_test_id("meeting-cancel").click()
    expect(page.get_by_test_id("consequences")).to_contain_text(m.expert.name)  # it asks first
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_role("status")).to_contain_text("已取消")
    expect(page.get_by_test_id("master-grid").locator("td.busy")).to_have_count(run.n_meetings - 1)
    page.get_by_test_id("replan").click(timeout=120_000)
    expect(page.get_by_test_id("moved")).to_be_visible(timeout=120_000)
    replan = ScheduleRun.objects.filter(kind="replan").get()
    expect(page.get_by_role("status")).to_contain_text(f"移动了 {replan.moved_count} 场洽谈")
    assert replan.slot_moves == 0  # a cancellation frees a place; nobody needs to move
    expect(page.get_by_test_id("violations")).to_contain_text("通过全部规则检查")
    shot(page, "events-replanned")

    # a table is lost on the day: its meetings move, and the page says which
    page.get_by_test_id("master-grid").locator("th").nth(3).get_by_role("button", name="停用").click(
        timeout=120_000
    )
    expect(page.get_by_test_id("consequences")).to_contain_text("将立即重新安排")  # it asks first
    page.get_by_test_id("confirm-yes").click(timeout=120_000)
    expect(page.get_by_test_id("moved")).to_contain_text("号桌", timeout=120_000)
    lost = ScheduleRun.objects.filter(kind="replan").order_by("-id").first()
    assert lost.moved_count >= 1 and lost.violations == []
    expect(page.get_by_test_id("moved").locator("tbody tr")).to_have_count(len(lost.moved))
    shot(page, "events-table-lost")

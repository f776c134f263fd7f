"""Follow-up and dashboard flows, clicked through in Chinese: visit → diagnosis → need → agreement →
leadership dashboard filtered by district → briefing exports."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from browser_helpers import SHOTS, choose, login, pick, shot
from django.utils import timezone
from playwright.sync_api import expect


def test_coordinator_visit_to_need_to_agreement(page, demo):
    from kechuang.followup.models import Agreement, VisitStop
    from kechuang.orgs.models import Organisation

    ent = (
        Organisation.objects.filter(kind="enterprise", district__code="qd-laixi", chain__isnull=False)
        .order_by("name")
        .first()
    )
    expert = demo["experts"][next(iter(demo["experts"]))]
    today = timezone.localdate().isoformat()
    login(page, "coordinator")
    page.get_by_role("link", name="走访把脉").click()
    expect(page.get_by_role("heading", name=re.compile("走进园区"))).to_be_visible()
    page.get_by_role("link", name="安排走访").click()
    page.get_by_label("走访名称").fill("石墨深加工专家团走进莱西")
    page.get_by_label("日期").fill(today)
    page.get_by_label("地区").select_option(label="莱西市")
    soc = Organisation.objects.get(name="中国材料研究学会")
    pick(page, "参与学会", "材料研究", "中国材料研究学会")  # type part of the name, pick
    choose(page, "id_experts", [expert.pk])
    choose(page, "id_stops-0-enterprise", ent.pk)
    page.get_by_label("第1站停留时间").fill("90")
    shot(page, "followup-visit-plan")
    # headless chromium swallows the first mouse click after picking options in a long <select multiple>;
    # the keyboard submits the form the same way a user would
    page.get_by_role("button", name="保存走访计划").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("已安排")
    expect(page.get_by_test_id("visit-experts")).to_contain_text(expert.name)
    # the diagnosis
    page.get_by_label("问题与发现").fill("石墨提纯仍采用酸碱法，酸耗高、废水处理成本占比超过三成。")
    page.get_by_label("专家建议").fill("引入高温纯化工艺，依托转化基地开展中试。")
    page.get_by_label("紧迫程度").select_option(label="紧迫")
    page.get_by_role("button", name="保存诊断").click()
    expect(page.get_by_role("status")).to_contain_text("诊断意见")
    expect(page.get_by_test_id("findings")).to_contain_text("酸耗高")
    shot(page, "followup-visit-diagnosis")
    # one click: the finding becomes a need (source: visit)
    page.get_by_role("textbox", name="需求名称（可修改）").fill("石墨高温纯化替代酸碱法提纯")
    page.get_by_role("button", name="转为需求").click()
    expect(page.get_by_role("status")).to_contain_text("来源：走访发现")
    expect(page.get_by_test_id("need-status")).to_have_text("已提交")
    expect(page.locator("dl.fields")).to_contain_text("走访发现")
    shot(page, "followup-need-from-visit")
    stop = VisitStop.objects.get(visit__title="石墨深加工专家团走进莱西")
    assert list(stop.visit.societies.all()) == [soc]  # typed "材料研究", picked, saved
    need = stop.needs.get()
    # move it through review, match and meeting with the need page's own buttons
    for button, status in (("审核通过", "已审核"), ("标记为已匹配", "已匹配"), ("标记为已对接", "已对接")):
        page.get_by_role("button", name=button).click()
        expect(page.get_by_test_id("need-status")).to_have_text(status)
    # back to the visit: record the agreement from the need's link
    page.goto(f"/followup/visits/{stop.visit_id}/")
    page.get_by_role("link", name="登记协议").click()
    page.get_by_label("协议名称").fill("中国材料研究学会石墨高温纯化技术服务协议")
    page.get_by_label("协议类型").select_option(label="技术服务")
    choose(page, "id_parties", [soc.pk, ent.pk])
    page.get_by_label("金额（万元）").fill("180")
    page.get_by_label("签订日期").fill(today)
    page.get_by_label("里程碑1", exact=True).fill("完成高温纯化中试")
    page.get_by_label("里程碑1日期").fill(
        (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    )
    expect(page.locator("select#id_needs")).to_have_values([str(need.pk)])
    shot(page, "followup-agreement-form")
    page.get_by_role("button", name="保存协议").click()
    expect(page.get_by_role("status").first).to_contain_text("已标记为“已签约”")
    expect(page.get_by_test_id("agreement-needs")).to_contain_text("已签约")
    expect(page.get_by_test_id("milestones")).to_contain_text("完成高温纯化中试")
    shot(page, "followup-agreement-detail")
    need.refresh_from_db()
    assert need.status == "agreement"
    assert Agreement.objects.get(title__startswith="中国材料研究学会石墨高温纯化").needs.get() == need


def test_leadership_dashboard_filter_and_briefing(page, demo):
    from openpyxl import load_workbook

    login(page, "leadership")
    page.get_by_role("link", name="数据看板").click()
    expect(page.get_by_test_id("dashboard-heading")).to_contain_text("青岛市")
    for chart in ("months", "funnel", "chains", "districts", "societies"):
        expect(page.get_by_test_id(f"chart-{chart}")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("summary")).to_contain_text("已与")
    shot(page, "dashboard-city")
    page.get_by_label("地区").select_option(label="莱西市")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("dashboard-heading")).to_contain_text("莱西市")
    expect(page.get_by_test_id("summary")).to_contain_text("莱西市已与")
    districts = page.get_by_test_id("district-table").locator("tbody tr td:first-child").all_inner_texts()
    assert districts == ["莱西市"], districts
    page.get_by_test_id("chart-chains").scroll_into_view_if_needed()
    shot(page, "dashboard-laixi")
    with page.expect_download() as dl:
        page.get_by_test_id("export-xlsx").click()
    wb = load_workbook(BytesIO(Path(dl.value.path()).read_bytes()))
    assert "莱西市" in wb["简报"]["A2"].value and "莱西市已与" in wb["简报"]["A4"].value
    # a background job: its page shows progress, then the file (the test settings' immediate backend runs
    # the task inside the POST, so the click waits as long as the PDF takes)
    page.get_by_test_id("export-pdf").click(timeout=300_000)
    page.wait_for_url("**/jobs/*/", timeout=300_000)
    with page.expect_download() as dl:
        page.get_by_test_id("job-download").click()
    body = Path(dl.value.path()).read_bytes()
    assert body.startswith(b"%PDF") and len(body) > 10_000
    (SHOTS / "dashboard-briefing.pdf").write_bytes(body)  # for a human to look at

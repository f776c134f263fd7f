"""The first user flows of the foundation, clicked through as a user would, in Chinese."""

from __future__ import annotations

import re

import pytest
from browser_helpers import login, shot
from playwright.sync_api import expect

HOME_HEADINGS = {
    "coordinator": "协调员工作台",
    "district": "莱西市工作台",
    "enterprise": "企业工作台",
    "liaison": "学会工作台",
    "expert": "专家工作台",
}


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_logs_in_and_lands_on_its_home(page, role):
    login(page, role)
    expect(page.get_by_test_id("home-heading")).to_contain_text(HOME_HEADINGS[role])
    expect(page.locator(".role-badge")).to_be_visible()
    shot(page, f"home-{role}")


def test_leadership_lands_on_the_dashboard(page):
    login(page, "leadership")
    expect(page).to_have_url(re.compile(r".*/dashboard/$"))
    expect(page.get_by_test_id("dashboard-heading")).to_be_visible()


def test_wrong_password_gets_a_clear_message(page):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("enterprise")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")


def test_enterprise_submits_a_need_with_validation(page, demo):
    from kechuang.needs.models import Need

    login(page, "enterprise")
    page.get_by_role("link", name="提交新需求").click()
    before = Need.objects.count()
    # a bad submission: too short, missing fields, budget upside down
    page.get_by_label("项目名称").fill("短")
    page.get_by_label("需解决的主要技术难题").fill("分散不好")
    page.get_by_label("预算下限（万元）").fill("300")
    page.get_by_label("预算上限（万元）").fill("20")
    page.get_by_role("button", name="提交需求").click()
    expect(page.get_by_role("alert")).to_contain_text("提交未成功")
    expect(page.locator('[data-field="title"] .errorlist')).to_contain_text("项目名称太短")
    expect(page.locator('[data-field="problem"] .errorlist')).to_contain_text("请具体描述技术难题")
    expect(page.locator('[data-field="background"] .errorlist')).to_contain_text("请填写需求背景")
    expect(page.locator('[data-field="budget_max"] .errorlist')).to_contain_text("预算上限应不低于下限")
    shot(page, "need-form-errors")
    assert Need.objects.count() == before
    # fix it and submit
    page.get_by_label("项目名称").fill("石墨烯导热膜卷对卷连续制备")
    page.get_by_label("需求背景").fill("公司已建成石墨烯导热膜中试线，客户为手机和新能源汽车电池厂。")
    page.get_by_label("需解决的主要技术难题").fill("卷对卷连续制备时膜厚均匀性差、导热系数波动大，良品率不足六成。")
    page.get_by_label("期望实现的技术目标").fill("导热系数稳定在1500 W/mK以上，良品率达到90%。")
    page.get_by_label("预算上限（万元）").fill("500")
    page.get_by_label("关键词").fill("石墨烯，导热膜，卷对卷")
    page.get_by_role("button", name="提交需求").click()
    expect(page.get_by_role("status")).to_contain_text("已提交，等待审核")
    expect(page.get_by_test_id("need-status")).to_have_text("已提交")
    expect(page.get_by_test_id("need-history")).to_contain_text("提交需求")
    assert Need.objects.count() == before + 1
    # it is in "my needs"
    page.get_by_role("link", name="需求", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("我的需求"))).to_be_visible()
    expect(page.get_by_test_id("need-table")).to_contain_text("石墨烯导热膜卷对卷连续制备")
    shot(page, "enterprise-my-needs")


def test_coordinator_filters_the_queue_and_reviews_a_need(page, demo):
    from kechuang.needs.models import Need

    target = Need.objects.filter(status="submitted").select_related("chain", "district").order_by("pk").first()
    assert target is not None, "the demo must have needs waiting for review"
    login(page, "coordinator")
    page.get_by_role("link", name="需求", exact=True).click()
    page.get_by_label("产业链").select_option(target.chain.code)
    page.get_by_label("地区").select_option(target.district.code)
    page.get_by_label("状态").select_option("submitted")
    page.get_by_label("关键字").fill(target.title[:6])
    page.get_by_role("button", name="筛选").click()
    table = page.get_by_test_id("need-table")
    expect(table).to_contain_text(target.title)
    rows = table.locator("tbody tr")
    for i in range(rows.count()):  # every row honours every filter
        expect(rows.nth(i)).to_contain_text(target.chain.name)
        expect(rows.nth(i)).to_contain_text("已提交")
    shot(page, "coordinator-queue-filtered")
    table.get_by_role("link", name=target.title).first.click()
    page.get_by_label("说明（退回时必填）").fill("需求描述清晰，进入匹配。")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_test_id("need-status")).to_have_text("已审核")
    expect(page.get_by_test_id("need-history")).to_contain_text("需求描述清晰，进入匹配。")
    shot(page, "coordinator-need-reviewed")
    target.refresh_from_db()
    assert target.status == "reviewed"


def test_district_staff_see_only_their_area(page, demo):
    from kechuang.needs.models import Need

    login(page, "district")
    page.get_by_role("link", name="需求", exact=True).click()
    table = page.get_by_test_id("need-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    districts = set(table.locator('tbody tr td[data-col="district"]').all_inner_texts())
    assert districts and all("莱西" in d for d in districts), districts
    shot(page, "district-needs")
    # a need elsewhere is not found, not forbidden
    other = Need.objects.exclude(district__code__startswith="qd-laixi").first()
    resp = page.goto(f"/needs/{other.pk}/")
    assert resp.status == 404


def test_liaison_sees_the_societys_experts_and_achievements(page, demo):
    login(page, "liaison")
    page.get_by_role("link", name="专家", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("本学会专家"))).to_be_visible()
    socs = set(page.get_by_test_id("expert-table").locator("tbody tr td:nth-child(4)").all_inner_texts())
    assert socs and all("材料" in s for s in socs), socs
    shot(page, "liaison-experts")
    page.get_by_test_id("expert-table").locator("tbody tr a").first.click()
    expect(page.get_by_role("heading", name=re.compile("代表性论文"))).to_be_visible()
    page.get_by_role("link", name="科技成果").click()
    table = page.get_by_test_id("achievement-table")
    owners = set(table.locator("tbody tr td:nth-child(2)").all_inner_texts())
    assert owners == {"中国材料研究学会"}, owners
    shot(page, "liaison-achievements")


def test_coordinator_uses_the_admin_in_chinese(page, demo):
    login(page, "coordinator")
    page.get_by_role("link", name="管理后台").click()
    expect(page.locator("#site-name")).to_contain_text("科创对接")
    page.get_by_role("link", name="专家", exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile("选择.*专家"))).to_be_visible()
    shot(page, "admin-experts-zh")

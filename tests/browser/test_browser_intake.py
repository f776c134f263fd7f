"""A coordinator imports 200 needs from Excel: template → errors → fix → preview → commit."""

from __future__ import annotations

import io

from browser_helpers import SHOTS, login
from openpyxl import load_workbook
from playwright.sync_api import expect

WRONG = {7: ("地区", "火星"), 50: ("需求类型", "随便什么"), 120: ("预算下限（万元）", "很多钱")}


def _fill(template: bytes, enterprise: str, chain: str, area: str, wrong: dict, path):
    wb = load_workbook(io.BytesIO(template))
    ws = wb["需求"]
    col = {str(c.value).replace(" *", ""): c.column for c in ws[2] if c.value}
    for i in range(200):
        row = {
            "需求企业": enterprise, "项目名称": f"导入测试需求第{i + 1:03d}号：高镍正极材料稳定性", "需求类型": "技术攻关",
            "行业领域/产业链": chain, "地区": area, "需求背景": "企业扩产中遇到的问题",
            "需解决的主要技术难题": "需要解决高镍正极材料在循环过程中的结构稳定性和产气问题，提升循环寿命",
            "期望实现的技术目标": "循环 1000 次容量保持率 90% 以上", "预算下限（万元）": 50, "预算上限（万元）": 100,
            "保密级别": "公开",
        }
        if i + 1 in wrong:
            header, value = wrong[i + 1]
            row[header] = value
        for h, v in row.items():
            ws.cell(row=i + 3, column=col[h], value=v)
    wb.save(path)


def test_coordinator_imports_200_needs_fixing_the_wrong_rows(page, demo, tmp_path):
    from kechuang.needs.models import Need
    from kechuang.orgs.models import Organisation

    ent = Organisation.objects.filter(kind="enterprise", district__isnull=False, chain__isnull=False).first()
    before = Need.objects.count()
    login(page, "coordinator")
    page.get_by_role("link", name="数据导入").first.click()
    expect(page.get_by_role("heading", name="数据导入", exact=True)).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_test_id("template-needs").click()
    with open(dl.value.path(), "rb") as fh:
        template = fh.read()

    bad = tmp_path / "needs-bad.xlsx"
    _fill(template, ent.name, ent.chain.name, ent.district.name, WRONG, bad)
    page.get_by_label("数据类型").select_option(label="需求")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并校验").click(timeout=120_000)  # 200 rows checked in the request
    expect(page.get_by_test_id("batch-status")).to_have_text("有错误，未导入")
    errors = page.get_by_test_id("errors")
    expect(errors.locator("tbody tr")).to_have_count(3)
    for excel_row in (7 + 2, 50 + 2, 120 + 2):  # data starts on Excel row 3
        expect(errors).to_contain_text(f"第{excel_row}行")
    expect(errors).to_contain_text("火星")
    expect(page.get_by_test_id("commit")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "intake-errors.png"), timeout=60_000)
    assert Need.objects.count() == before

    good = tmp_path / "needs-fixed.xlsx"
    _fill(template, ent.name, ent.chain.name, ent.district.name, {}, good)
    page.get_by_role("link", name="重新上传").first.click()
    page.get_by_label("数据类型").select_option(label="需求")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="上传并校验").click(timeout=120_000)  # 200 rows checked in the request
    expect(page.get_by_test_id("batch-status")).to_have_text("已校验，待确认")
    expect(page.get_by_test_id("n-create")).to_have_text("200")
    page.screenshot(path=str(SHOTS / "intake-preview.png"), timeout=60_000)  # the first screen
    assert Need.objects.count() == before
    page.get_by_test_id("commit").click(timeout=120_000)
    expect(page.get_by_test_id("batch-status")).to_have_text("已导入")
    expect(page.get_by_test_id("summary")).to_contain_text("已新建 200 条")
    page.screenshot(path=str(SHOTS / "intake-committed.png"), timeout=60_000)
    assert Need.objects.count() == before + 200
    assert Need.objects.filter(title__startswith="导入测试需求", enterprise=ent, status="submitted").count() == 200

"""Experts (with 论文 and 专利) and achievements from Excel: a liaison fills its own society only."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kechuang.experts.models import Achievement, Expert, Publication
from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template

pytestmark = pytest.mark.django_db


def fill(template: bytes, sheets: dict[str, list[dict]], path):
    wb = load_workbook(io.BytesIO(template))
    for name, rows in sheets.items():
        ws = wb[name]
        headers = {str(c.value).replace(" *", ""): c.column for c in ws[2] if c.value}
        for r, row in enumerate(rows, start=3):
            for h, v in row.items():
                ws.cell(row=r, column=headers[h], value=v)
    wb.save(path)
    return path


EXPERT = {
    "姓名": "赵正极",
    "性别": "男",
    "职称": "教授",
    "工作单位": "青岛能源大学",
    "所属学会": "中国材料研究学会",
    "研究领域": "锂电池、正极材料",
    "关键词": "高镍、循环寿命",
    "可对接状态": "可对接",
}
PAPER = {
    "专家姓名": "赵正极",
    "工作单位": "青岛能源大学",
    "题名": "高镍正极材料的表面包覆与循环稳定性",
    "年份": 2024,
}
PATENT = {
    "专家姓名": "赵正极",
    "工作单位": "青岛能源大学",
    "专利名称": "一种高镍正极材料的包覆方法",
    "专利号": "CN123456789A",
}


@pytest.fixture
def liaison_template(world):
    return build_template(kind_for("experts"), world.users["liaison"])


def test_template_has_the_expert_paper_and_patent_sheets(world, liaison_template):
    wb = load_workbook(io.BytesIO(liaison_template))
    assert {"专家", "论文", "专利"} <= set(wb.sheetnames)
    # the liaison's drop-downs offer only its own society
    values = {c.value for col in wb["选项"].iter_cols() for c in col}
    assert "中国农业机械学会" not in values  # another society's name is offered nowhere


def test_liaison_imports_experts_with_papers_and_patents_once(world, liaison_template, tmp_path):
    liaison = world.users["liaison"]
    path = fill(liaison_template, {"专家": [EXPERT], "论文": [PAPER], "专利": [PATENT]}, tmp_path / "e.xlsx")
    report = run_import(liaison, "experts", path, commit=True)
    assert report.ok, report.lines()
    assert report.count("create") == 3
    e = Expert.objects.get(name="赵正极")
    assert e.affiliation.name == "青岛能源大学" and e.affiliation.kind == "university"
    assert list(e.societies.values_list("name", flat=True)) == ["中国材料研究学会"]
    assert e.fields == ["锂电池", "正极材料"] and e.publications.count() == 1 and e.patents.count() == 1
    again = run_import(liaison, "experts", path, commit=True)
    assert again.count("create") == 0 and Publication.objects.filter(expert=e).count() == 1


def test_liaison_cannot_put_experts_in_another_society(world, liaison_template, tmp_path):
    row = dict(EXPERT, 所属学会="中国农业机械学会")
    report = run_import(
        world.users["liaison"],
        "experts",
        fill(liaison_template, {"专家": [row]}, tmp_path / "x.xlsx"),
        commit=True,
    )
    assert not report.ok and report.errors[0].column == "所属学会"
    assert not Expert.objects.filter(name="赵正极").exists()


def test_a_paper_for_an_unknown_expert_names_its_sheet_and_row(world, liaison_template, tmp_path):
    path = fill(
        liaison_template, {"专家": [EXPERT], "论文": [dict(PAPER, 专家姓名="钱不存在")]}, tmp_path / "p.xlsx"
    )
    report = run_import(world.users["liaison"], "experts", path, commit=True)
    assert not report.ok and not Expert.objects.filter(name="赵正极").exists()
    assert any(line.startswith("“论文”表第3行") and "钱不存在" in line for line in report.lines())


def test_same_name_other_unit_is_flagged_for_a_person(world, liaison_template, tmp_path):
    row = dict(EXPERT, 姓名="王石墨", 工作单位="某材料大学（青岛校区）")  # world has 王石墨 at 某材料大学
    report = run_import(
        world.users["liaison"], "experts", fill(liaison_template, {"专家": [row]}, tmp_path / "d.xlsx")
    )
    assert report.ok and report.duplicates and "王石墨" in report.duplicates[0].duplicates[0]


def test_achievements_for_the_liaisons_society(world, tmp_path):
    liaison = world.users["liaison"]
    template = build_template(kind_for("achievements"), liaison)
    row = {
        "成果名称": "高镍正极包覆技术",
        "所属学会": "中国材料研究学会",
        "完成专家": "王石墨",
        "成果简介": "包覆后循环寿命提升 30%",
        "成熟度": "中试阶段",
        "转化方式": "许可",
        "领域": "锂电池",
    }
    path = fill(template, {"科技成果": [row]}, tmp_path / "a.xlsx")
    report = run_import(liaison, "achievements", path, commit=True)
    assert report.ok, report.lines()
    a = Achievement.objects.get(title="高镍正极包覆技术")
    assert a.owner_expert == world.experts["own"] and a.maturity == "pilot" and a.fields == ["锂电池"]
    other = fill(template, {"科技成果": [dict(row, 所属学会="中国农业机械学会")]}, tmp_path / "b.xlsx")
    assert not run_import(liaison, "achievements", other, commit=True).ok
    unknown = fill(
        template, {"科技成果": [dict(row, 成果名称="另一项成果", 完成专家="李农机")]}, tmp_path / "c.xlsx"
    )
    r = run_import(liaison, "achievements", unknown, commit=True)
    assert not r.ok and "该学会没有这位专家" in r.lines()[0]


def test_enterprises_and_districts_do_not_import_experts(world, liaison_template, tmp_path):
    path = fill(liaison_template, {"专家": [EXPERT]}, tmp_path / "e.xlsx")
    for role in ("enterprise", "district", "expert", "leadership"):
        assert run_import(world.users[role], "experts", path, commit=True).refused

"""``import_template`` and ``import_xlsx`` on the command line: same engine, same report, exit codes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from xlsx_books import fill_template

from kechuang.needs.models import Need

pytestmark = pytest.mark.django_db

GOOD = {
    "需求企业": "山东领军科技集团",
    "项目名称": "高镍正极材料稳定性提升",
    "需求类型": "技术攻关",
    "行业领域/产业链": "新能源新材料",
    "地区": "莱西市",
    "需求背景": "扩产高镍三元正极",
    "需解决的主要技术难题": "需要解决高镍正极材料在循环过程中的结构稳定性和产气问题，提升循环寿命",
    "期望实现的技术目标": "循环 1000 次容量保持率 90% 以上",
    "保密级别": "公开",
}


@pytest.fixture
def template(world, tmp_path):
    out = tmp_path / "t.xlsx"
    call_command("import_template", "needs", "--out", str(out), "--as", "coordinator")
    return out.read_bytes()


def test_check_then_commit(world, template, tmp_path, capsys):
    path = fill_template(template, [GOOD], tmp_path / "n.xlsx")
    before = Need.objects.count()
    call_command("import_xlsx", "needs", str(path), "--as", "coordinator", "--quiet-progress")
    out = capsys.readouterr().out
    assert "将新建 1 条" in out and "未写入数据库" in out and Need.objects.count() == before
    call_command("import_xlsx", "needs", str(path), "--as", "coordinator", "--commit", "--quiet-progress")
    assert "已新建 1 条" in capsys.readouterr().out and Need.objects.count() == before + 1


def test_a_wrong_row_prints_its_line_and_exits_non_zero(world, template, tmp_path, capsys):
    path = fill_template(
        template, [GOOD, dict(GOOD, 项目名称="第二个项目", 地区="火星")], tmp_path / "b.xlsx"
    )
    before = Need.objects.count()
    with pytest.raises(SystemExit) as exc:
        call_command("import_xlsx", "needs", str(path), "--as", "coordinator", "--commit", "--quiet-progress")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "第4行 E列“地区”" in out and "整个文件未导入" in out
    assert Need.objects.count() == before


def test_unknown_kind_user_or_file_are_clear_errors(world, tmp_path):
    with pytest.raises(CommandError, match="不支持的导入类型"):
        call_command("import_xlsx", "robots", "x.xlsx", "--as", "coordinator")
    with pytest.raises(CommandError, match="没有启用的用户"):
        call_command("import_xlsx", "needs", "x.xlsx", "--as", "nobody")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_xlsx", "needs", str(tmp_path / "missing.xlsx"), "--as", "coordinator")


def test_an_operator_may_import_a_longer_sheet_than_the_page_accepts(world, template, tmp_path, capsys, monkeypatch):
    """``--max-rows`` raises the row guard for this run only; without it the page's limit holds."""
    from kechuang.intake.management.commands import import_xlsx
    from kechuang.intake.workbook import Limits

    monkeypatch.setattr(import_xlsx, "DEFAULT_LIMITS", Limits(max_rows=2))
    rows = [dict(GOOD, 项目名称=f"高镍正极材料稳定性提升（第{i}期）") for i in range(3)]
    path = fill_template(template, rows, tmp_path / "long.xlsx")
    before = Need.objects.count()
    with pytest.raises(SystemExit) as exc:
        call_command("import_xlsx", "needs", str(path), "--as", "coordinator", "--commit", "--quiet-progress")
    assert exc.value.code == 1 and "数据行过多" in capsys.readouterr().out
    assert Need.objects.count() == before
    call_command(
        "import_xlsx", "needs", str(path), "--as", "coordinator", "--commit", "--quiet-progress", "--max-rows", "3"
    )
    assert "已新建 3 条" in capsys.readouterr().out and Need.objects.count() == before + 3
    with pytest.raises(CommandError, match="不是正整数"):
        call_command("import_xlsx", "needs", str(path), "--as", "coordinator", "--max-rows", "0")

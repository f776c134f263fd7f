"""A corpus of hostile and broken workbooks: each refused with a clear message, nothing written."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from xlsx_books import broken_xml, fill_template, many_entries, plain_workbook, zip_bomb

from kechuang.intake.engine import kind_for, run_import
from kechuang.intake.template import build_template
from kechuang.intake.workbook import Limits
from kechuang.needs.models import Need

pytestmark = pytest.mark.django_db


def refused(world, path, **kw):
    before = Need.objects.count()
    report = run_import(world.users["coordinator"], "needs", path, commit=True, **kw)
    assert not report.ok and not report.committed
    assert Need.objects.count() == before
    return report.refused or report.lines()[0]


def test_zip_bomb_is_refused_from_the_directory_without_inflating(world, tmp_path, monkeypatch):
    import zipfile

    path = zip_bomb(tmp_path / "bomb.xlsx", inflated_mb=400)
    assert path.stat().st_size < 2 * 1024 * 1024

    def no_inflating(*args, **kwargs):
        raise AssertionError("an entry was opened: the bomb would have been inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    assert "压缩炸弹" in refused(world, path)


def test_too_many_zip_entries(world, tmp_path):
    assert "文件结构异常" in refused(world, many_entries(tmp_path / "m.xlsx"))


def test_xls_renamed_xlsx(world, tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    assert ".xls" in refused(world, path) and "另存为" in refused(world, path)


def test_csv_renamed_xlsx_in_utf8_and_gbk(world, tmp_path):
    for enc in ("utf-8", "gbk"):
        path = tmp_path / f"{enc}.xlsx"
        path.write_bytes("项目名称,需求类型\n石墨烯,技术攻关\n".encode(enc))
        assert "CSV" in refused(world, path)


def test_empty_file(world, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "文件为空" in refused(world, path)


def test_random_bytes_and_truncated_zip(world, tmp_path):
    path = tmp_path / "junk.xlsx"
    path.write_bytes(bytes(range(256)) * 10)
    assert "无法识别" in refused(world, path)
    wb = Workbook()
    good = tmp_path / "good.xlsx"
    wb.save(good)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:-200])
    assert "损坏" in refused(world, cut)


def test_zip_that_is_not_a_workbook(world, tmp_path):
    import zipfile

    path = tmp_path / "docs.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert "不是 Excel 工作簿" in refused(world, path)


def test_broken_encoding_inside_the_sheet(world, tmp_path):
    message = refused(world, broken_xml(tmp_path / "enc.xlsx"))
    assert "损坏" in message or "编码" in message or "表头" in message


def test_merged_header_cells_are_named(world, tmp_path):
    path = plain_workbook(
        tmp_path / "merged.xlsx",
        ["需求企业", "项目名称", None, "行业领域/产业链", "地区"],
        [["山东领军科技集团", "测试项目名称", "技术攻关", "新能源新材料", "莱西市"]],
        merge="B1:C1",
    )
    message = refused(world, path)
    assert "缺少必填列" in message and "需求类型" in message and "合并" in message


def test_a_sheet_without_the_headers(world, tmp_path):
    path = plain_workbook(tmp_path / "other.xlsx", ["姓名", "电话"], [["张三", "123"]])
    assert "没有找到表头" in refused(world, path)


def test_file_size_limit(world, tmp_path):
    template = build_template(kind_for("needs"), world.users["coordinator"])
    path = tmp_path / "t.xlsx"
    path.write_bytes(template)
    assert "文件过大" in refused(world, path, limits=Limits(max_bytes=1000))


def test_row_limit_stops_a_huge_sheet_while_streaming(world, tmp_path):
    template = build_template(kind_for("needs"), world.users["coordinator"])
    rows = [{"项目名称": f"项目{i:04d}号名称"} for i in range(30)]
    path = fill_template(template, rows, tmp_path / "big.xlsx")
    assert "数据行过多" in refused(world, path, limits=Limits(max_rows=20))


def test_wrong_types_are_cell_errors_not_crashes(world, tmp_path):
    from datetime import datetime

    template = build_template(kind_for("needs"), world.users["coordinator"])
    rows = [
        {
            "需求企业": 12345,
            "项目名称": 3.14159,
            "需求类型": datetime(2020, 1, 1),
            "行业领域/产业链": True,
            "地区": "莱西市",
            "需求背景": "x",
            "需解决的主要技术难题": 42,
            "期望实现的技术目标": "y",
            "预算下限（万元）": -5,
            "预算上限（万元）": "一百",
            "期限": "明年",
            "保密级别": "公开",
        }
    ]
    path = fill_template(template, rows, tmp_path / "types.xlsx")
    report = run_import(world.users["coordinator"], "needs", path, commit=True)
    assert not report.ok and not report.refused
    columns = {e.column for e in report.errors}
    assert {"需求企业", "需求类型", "行业领域/产业链", "预算上限（万元）", "期限"} <= columns

"""An import's summary in English: "1 row", "1 row looks like a duplicate", ASCII "." and "; "
(no "。" or "；" left in English); the Chinese summary is unchanged."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext

from kechuang.intake.engine import Report, RowResult


def _report():
    return Report(kind="needs", rows=1, results=[RowResult(row=2, action="create", label="x", duplicates=["甲", "乙"])])


def test_the_summary_counts_rows_and_uses_ascii_punctuation_in_english():
    with translation.override("en"):
        summary = _report().summary()
        lines = _report().lines()
    assert summary == ("1 row: 1 to create, 0 to update, 0 to skip; "
                       "1 row looks like a duplicate, please check it by hand."), summary
    assert any(line.endswith("may be a duplicate: 甲; 乙") for line in lines), lines
    assert not any(c in "".join(lines) for c in "。；")


def test_the_summary_in_chinese_is_unchanged():
    with translation.override("zh-hans"):
        summary = _report().summary()
        lines = _report().lines()
    assert summary == "共 1 行：将新建 1 条，将更新 0 条，跳过 0 条；1 行疑似重复，请人工核对。"
    assert any(line.endswith("疑似重复：甲；乙") for line in lines), lines


def test_workbook_limits_agree_with_their_counts_in_english():
    files = "文件结构异常（包含 %(n)s 个内部文件），已拒绝处理。"
    rows = "数据行过多：一个文件最多 %(max_rows)s 行，请拆分后分批导入。"
    with translation.override("en"):
        assert ngettext(files, files, 1) % {"n": 1} == "Unusual file structure (1 internal file); refused."
        assert ngettext(rows, rows, 1) % {"max_rows": 1} == (
            "Too many data rows: at most 1 row per file; please split it and import in batches.")
    with translation.override("zh-hans"):
        assert ngettext(rows, rows, 1) % {"max_rows": 1} == "数据行过多：一个文件最多 1 行，请拆分后分批导入。"

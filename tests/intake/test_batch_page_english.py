"""The import batch page in English: "1 row", "1 more error", duplicates joined with "; " (no "；");
the Chinese page is unchanged."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from kechuang.intake.engine import Report, RowError, RowResult


def _render(lang: str, **extra) -> str:
    dup = RowResult(row=2, action="create", label="x", duplicates=["甲", "乙"])
    ctx = {
        "batch": SimpleNamespace(pk=1, status="previewed", busy=False, created_at=None, size=10,
                                 get_status_display="-"),
        "report": Report(kind="needs", rows=1, results=[dup]),
        "errors": [RowError(row=2, column="c", letter="A", value="v", message="m")],
        "more_errors": 1,
        "duplicates": [dup],
    }
    ctx.update(extra)
    with translation.override(lang):
        return re.sub(r"\s+", " ", render_to_string("intake/_batch_body.html", ctx))


def test_batch_counts_agree_and_punctuation_is_ascii_in_english():
    page = _render("en")
    assert "1 more error not listed." in page
    assert "1 row may be a duplicate (please check by hand; the import is not affected)" in page
    assert "“x”: 甲; 乙" in page and "；" not in page
    busy = _render("en", batch=SimpleNamespace(pk=1, status="parsing", busy=True, created_at=None, size=10,
                                               get_status_display="-"), progress=1)
    assert "Processing… 1 row done" in busy
    shown = _render("en", errors=[], more_errors=0, results=[RowResult(row=2, action="create", label="x")], more_results=1)
    assert "1 more row not listed." in shown


def test_batch_page_in_chinese_is_unchanged():
    page = _render("zh-hans")
    assert "另有 1 处错误未列出。" in page and "疑似重复 1 行（请人工核对，不影响导入）" in page
    assert "第2行“x”：甲；乙" in page

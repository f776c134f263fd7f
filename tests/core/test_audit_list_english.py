"""The audit list's export sentence in English: "at most 1 entry"; Chinese unchanged."""

from __future__ import annotations

import re

import pytest

from kechuang.core import audit_search


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "(at most 1 entry, newest first)"),
    ("zh-hans", "导出当前筛选结果（最多 1 条，最新的在前）；导出本身也会记入审计日志。"),
])
def test_the_export_limit_sentence_counts_entries(world, client_for, monkeypatch, lang, said):
    monkeypatch.setattr(audit_search, "EXPORT_LIMIT", 1)
    page = client_for("coordinator").get("/audit/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert said in re.sub(r"\s+", " ", page)

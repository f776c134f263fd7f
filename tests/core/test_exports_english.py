"""Export notes in English: counts agree with their nouns ("the first 1 row", "the latest 1 entry");
the Chinese notes are unchanged."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kechuang.core import audit, audit_search
from kechuang.core.exports import Column, write_xlsx
from kechuang.core.models import AuditEntry


def _last_cell(data: bytes) -> str:
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return rows[-1][0]


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Only the first 1 row is exported; narrow the filters and export again."),
    ("zh-hans", "仅导出前 1 行；请缩小筛选范围后再导出。"),
])
def test_the_general_overflow_note_counts_rows(lang, said):
    buf = io.BytesIO()
    with translation.override(lang):
        write_xlsx(buf, [1, 2], [Column("n", lambda r: r)], sheet="s", limit=1)
    assert _last_cell(buf.getvalue()) == said


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Only the latest 1 entry is exported, of 2 matching; please narrow the filters."),
    ("zh-hans", "仅导出最新 1 条，共 2 条符合条件；请缩小筛选范围。"),
])
def test_the_audit_export_note_counts_entries(world, lang, said):
    for _ in range(2):
        audit.record(world.users["coordinator"], "test.thing", world.needs["pub_laixi"])
    with translation.override(lang):
        data, n = audit_search.export_xlsx(AuditEntry.objects.filter(action="test.thing"), limit=1)
    assert n == 1 and _last_cell(data) == said

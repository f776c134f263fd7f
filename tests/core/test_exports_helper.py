"""``kechuang.core.exports.write_xlsx``: header, safe cells, the row limit and its note, batches."""

from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace

from xlsx_read import xlsx_rows

from kechuang.core.exports import Column, attr, write_xlsx


def _rows(n):
    return [SimpleNamespace(name=f"=cmd|{i}", n=-i, org=None) for i in range(n)]


COLUMNS = [Column("名称", attr("name")), Column("数值", attr("n")), Column("单位", attr("org.name", "—"))]


def test_header_cells_and_formula_safety():
    out = BytesIO()
    assert write_xlsx(out, _rows(3), COLUMNS, sheet="表=1") == 3
    rows = xlsx_rows(out.getvalue())
    assert rows[0] == ["名称", "数值", "单位"]
    assert rows[1] == ["'=cmd|0", 0, "—"] and rows[3] == ["'=cmd|2", -2, "—"]  # a number stays a number


def test_limit_writes_a_note_and_batches_see_only_written_rows():
    seen = []
    out = BytesIO()
    n = write_xlsx(out, _rows(5), COLUMNS, sheet="x", limit=3, before_rows=lambda b: seen.extend(b))
    rows = xlsx_rows(out.getvalue())
    assert n == 3 and len(seen) == 3 and len(rows) == 1 + 3 + 1
    assert rows[-1][0] == "仅导出前 3 行；请缩小筛选范围后再导出。"
    out = BytesIO()
    assert write_xlsx(out, _rows(3), COLUMNS, sheet="x", limit=3) == 3
    assert len(xlsx_rows(out.getvalue())) == 4  # exactly at the limit: no note

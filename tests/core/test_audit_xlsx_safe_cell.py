"""``kechuang.core.xlsx.safe_cell``: the rule every text cell of every export goes through."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from kechuang.core.xlsx import safe_cell


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 532 1234", "'+86 532 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("\x00\x01=1", "'=1"),  # control characters go first, so they cannot hide a formula
        ("石墨烯\x0b配方", "石墨烯配方"),
        ("多行\n文本", "多行\n文本"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text(raw, safe):
    assert safe_cell(raw) == safe


def test_other_values_pass_and_str_subclasses_become_str():
    for v in (3, 2.5, None, True, date(2026, 3, 1)):
        assert safe_cell(v) is v or safe_cell(v) == v
    lazy = safe_cell(gettext_lazy("=x"))
    assert type(lazy) is str and lazy == "'=x"

    class Label(str):
        pass

    assert type(safe_cell(Label("需求"))) is str


def test_openpyxl_writes_every_safe_value_as_text():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    nasty = ['=HYPERLINK("http://x")', "\x08bell", "-1+2", "@x"]
    ws.append([safe_cell(v) for v in nasty])
    buf = io.BytesIO()
    wb.save(buf)
    cells = next(load_workbook(buf).active.iter_rows())
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == ['\'=HYPERLINK("http://x")', "bell", "'-1+2", "'@x"]

"""``kechuang.core.xlsx.safe_cell``: whatever a user typed, a cell holds data, never a formula."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kechuang.core.xlsx import safe_cell


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=WEBSERVICE("http://x")', '\'=WEBSERVICE("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\x07=1", "'=1"),  # the control character goes first, then the formula is defused
        ("铃声\x07需求\x1b", "铃声需求"),
        ("石墨烯 = 未来", "石墨烯 = 未来"),
        ("a\nb", "a\nb"),
        ("", ""),
    ],
)
def test_text(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    "value", [None, 0, -5, 2.5, Decimal("-1.5"), True, date(2026, 1, 1), datetime(2026, 1, 1)]
)
def test_numbers_and_dates_stay_as_they_are(value):
    assert safe_cell(value) is value


def test_lazy_and_choice_labels_become_plain_str():
    out = safe_cell(gettext_lazy("已提交"))
    assert type(out) is str and out == "已提交"


@given(st.text())
def test_any_text_is_written_as_text(text):
    wb = Workbook()
    wb.active.append([safe_cell(text)])
    cell = load_workbook(BytesIO(_save(wb))).active["A1"]
    assert cell.data_type != "f"
    assert cell.value is None or not str(cell.value).startswith(("=", "+", "-", "@"))


def _save(wb) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()

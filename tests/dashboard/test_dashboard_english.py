"""The briefing in English: an English reader (Accept-Language: en) gets English sheets, headers and PDF text."""

from __future__ import annotations

import re
from io import BytesIO

from django.urls import reverse
from pdf_text import pdf_text

CJK = re.compile(r"[\u3400-\u9fff]")


def test_excel_briefing_in_english(world, dash, client_for):
    from openpyxl import load_workbook

    resp = client_for("coordinator").get(
        reverse("dashboard:export_xlsx"), {"start": "2026-01-01", "end": "2026-12-31"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(resp.content))
    assert wb.sheetnames[:2] == ["Briefing", "Key figures"]
    assert not [name for name in wb.sheetnames if CJK.search(name)]
    kpi = {r[0]: r[1] for r in wb["Key figures"].iter_rows(min_row=2, values_only=True)}
    assert kpi["Enterprise needs collected"] == 6 and kpi["Agreement value (10k CNY)"] == 340
    # every sheet's header row is English (the rows below are data: names of chains, districts, needs)
    for sheet in wb.worksheets[1:]:
        header = [c for c in next(sheet.iter_rows(values_only=True)) if c]
        assert header and not [c for c in header if CJK.search(str(c))], f"{sheet.title}: {header}"


def test_pdf_briefing_in_english(world, dash, client_for):
    resp = client_for("coordinator").get(reverse("dashboard:export_pdf"), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    text = pdf_text(resp.content)
    assert "matchmaking briefing" in text and "Key figures" in text
    assert "工作简报" not in text and "核心指标" not in text

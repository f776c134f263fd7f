"""Paper for the day: a real PDF with the participant's name in Noto Sans CJK; Excel with the rows."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from pdf_text import font_names, pdf_text

from kechuang.events import exports, services
from kechuang.events.models import Meeting


@pytest.fixture
def scheduled(world, mm):
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return mm


def test_agenda_pdf_has_the_name_in_a_chinese_font(world, scheduled, client_for):
    mm = scheduled
    rep = mm.reps["a"]
    resp = client_for("enterprise").get(f"/events/participants/{rep.pk}/agenda.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert "attachment" in resp["Content-Disposition"]
    pdf = resp.content
    assert pdf.startswith(b"%PDF-")
    assert "Noto-Sans-CJK-SC" in font_names(pdf)
    text = pdf_text(pdf)
    assert "钱一" in text and "测试对接会" in text and "个人议程" in text
    for m in Meeting.objects.filter(enterprise=rep, status="scheduled"):
        assert m.expert.name in text and f"第{m.slot}场" in text


def test_agenda_excel_has_one_row_per_slot(world, scheduled, client_for):
    mm = scheduled
    rep = mm.reps["c"]
    resp = client_for("coordinator").get(f"/events/participants/{rep.pk}/agenda.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "测试对接会" and "李三" in rows[1][0]
    header, body = rows[3], rows[4:]
    assert list(header) == exports.AGENDA_HEADERS
    assert [r[0] for r in body] == list(range(1, 7))  # 6 slots
    assert body[0][7] == "不能参加"  # 李三 cannot attend slot 1
    mine = {m.slot: m for m in Meeting.objects.filter(enterprise=rep, status="scheduled")}
    for r in body:
        if r[0] in mine:
            assert r[4] == mine[r[0]].expert.name and r[3] == str(mine[r[0]].table)
        else:
            assert r[4] in (None, "")


def test_master_grid_excel_and_pdf_and_table_cards(world, scheduled, client_for):
    mm = scheduled
    client = client_for("coordinator")
    wb = load_workbook(BytesIO(client.get(f"/events/{mm.event.pk}/schedule/grid.xlsx").content))
    grid, listing = wb["总排期"], wb["洽谈清单"]
    assert [c.value for c in grid[2]][2:] == ["1号桌", "2号桌", "3号桌"]
    assert grid.max_row == 2 + 6
    n = Meeting.objects.filter(event=mm.event, status="scheduled").count()
    assert listing.max_row == 1 + n
    filled = sum(1 for row in grid.iter_rows(min_row=3, min_col=3, values_only=True) for v in row if v)
    assert filled == n
    grid_pdf = client.get(f"/events/{mm.event.pk}/schedule/grid.pdf").content
    assert "总排期" in pdf_text(grid_pdf)
    cards = pdf_text(client.get(f"/events/{mm.event.pk}/schedule/table-cards.pdf").content)
    assert "1号桌" in cards and "3号桌" in cards


def test_exports_show_only_what_the_reader_may_see(world, scheduled, client_for):
    mm = scheduled
    text = pdf_text(client_for("enterprise").get(f"/events/{mm.event.pk}/schedule/grid.pdf").content)
    assert "钱一" in text and "李三" not in text  # another enterprise's meetings are not on its grid
    assert (
        client_for("enterprise").get(f"/events/participants/{mm.reps['c'].pk}/agenda.pdf").status_code == 404
    )

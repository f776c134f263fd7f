"""Tables are stored as "3号桌" (events.services.set_up); pages, PDFs and workbooks show that default name in the
reader's language ("Table 3"), a name somebody typed as typed."""

from __future__ import annotations

from django.utils import translation

from kechuang.events import services
from kechuang.events.models import Table


def test_a_default_table_name_is_shown_in_the_reader_s_language_and_a_typed_one_as_typed(world, mm):
    default, custom = mm.tables[0], mm.tables[1]
    custom.name = "贵宾桌"
    with translation.override("en"):
        assert str(default) == default.label == "Table 1"
        assert str(custom) == "贵宾桌"
        assert str(Table(number=5)) == "Table 5"
    with translation.override("zh-hans"):
        assert str(default) == "1号桌" and str(custom) == "贵宾桌"


def test_table_cards_and_grid_in_english_name_the_tables_in_english(world, mm, client_for):
    from io import BytesIO

    from openpyxl import load_workbook
    from pdf_text import pdf_text

    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    client = client_for("coordinator")
    cards = pdf_text(client.get(f"/events/{mm.event.pk}/schedule/table-cards.pdf", HTTP_ACCEPT_LANGUAGE="en").content)
    assert "Table 1" in cards and "Table 3" in cards and "号桌" not in cards
    xlsx = client.get(f"/events/{mm.event.pk}/schedule/grid.xlsx", HTTP_ACCEPT_LANGUAGE="en").content
    header = [c.value for c in load_workbook(BytesIO(xlsx)).worksheets[0][2]][2:]
    assert header[:3] == ["Table 1", "Table 2", "Table 3"]

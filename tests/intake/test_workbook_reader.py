"""The streaming sheet reader (``workbook._Workbook``) gives, cell for cell, what openpyxl's read-only
sheet gives — values, dates, formulas (shared ones translated), inline rich text — and refuses entities.

openpyxl's read-only worksheet is the reference: the reader replaced it for speed (ADR 0041) and must
not change a single value the forms see.
"""

from __future__ import annotations

import datetime
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from kechuang.intake.workbook import WorkbookRefused, _Workbook, open_sheet

MAX_COLS = 60

EXTRA_ROWS = (
    '<row r="20"><c r="A20"><f t="shared" ref="A20:A22" si="0">B20+1</f><v>3</v></c>'
    '<c r="B20" t="inlineStr"><is><r><t>富</t></r><r><t xml:space="preserve"> 文本 </t></r>'
    '<rPh sb="0" eb="1"><t>ふ</t></rPh></is></c>'
    '<c r="C20" t="str"><v>formula string</v></c><c r="D20" t="e"><v>#N/A</v></c><c r="E20" t="n"><v></v></c></row>'
    '<row r="21"><c r="A21"><f t="shared" si="0"/><v>4</v></c><c t="inlineStr"><is><t>no ref</t></is></c></row>'
    '<row><c r="A22"><f t="shared" si="0"/></c><c r="C22" t="b"><v>1</v></c>'
    '<c r="D22" t="d"><v>2027-06-30T00:00:00</v></c></row>'
)


def _book(tmp_path, *, dimension: str | None = "keep", extra: str = EXTRA_ROWS, name="b.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.title = "需求"
    ws.append(["项目名称", "预算", "期限", "备注"])
    ws.append([1, 2.5, "x", True])
    ws.append(["=SUM(A2:B2)", datetime.date(2027, 6, 30), datetime.datetime(2027, 1, 2, 3, 4, 5), None])
    ws["A10"] = "  spaced  "
    ws["B10"] = 1e20
    ws["E4"] = False
    ws["BZ4"] = "beyond the columns read"
    other = wb.create_sheet("论文")
    other["A1"] = "hello"
    other["B2"] = datetime.timedelta(hours=5)
    other["B2"].number_format = "[h]:mm:ss"
    plain = tmp_path / f"plain-{name}"
    wb.save(plain)
    out = tmp_path / name
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                s = data.decode().replace("</sheetData>", extra + "</sheetData>")
                if dimension != "keep":
                    s = re.sub(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>' if dimension else "", s)
                data = s.encode()
            dst.writestr(info, data)
    return out


def _openpyxl_rows(path, title):
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        out = {}
        for n, row in enumerate(wb[title].iter_rows(max_col=MAX_COLS), start=1):
            cells = [(c.value, c.data_type) if c.value is not None else None for c in row]
            if any(cells):
                out[n] = cells + [None] * (MAX_COLS - len(cells))
        return out
    finally:
        wb.close()


def _our_rows(path, title):
    wb = _Workbook(path)
    try:
        return {
            n: [c if c is not None and c[0] is not None else None for c in row]
            for n, row in wb.rows(title, MAX_COLS)
            if any(c is not None and c[0] is not None for c in row)
        }
    finally:
        wb.close()


@pytest.mark.parametrize("dimension", ["keep", None, "A1:BZ21", "A5"])
def test_rows_are_openpyxls_cell_for_cell(tmp_path, dimension):
    """With the dimension openpyxl wrote (A1:BZ10: rows below it are not read, by either), none (files
    written in streaming mode), or one that cuts the sheet short."""
    path = _book(tmp_path, dimension=dimension)
    for title in ("需求", "论文"):
        expected = _openpyxl_rows(path, title)
        assert _our_rows(path, title) == expected
    rows = _our_rows(path, "需求")
    if dimension is None:  # all the hand-written rows are read, with their formulas and rich text
        assert rows[20][0] == ("=B20+1", "f") and rows[21][0] == ("=B21+1", "f") and rows[22][0] == ("=B22+1", "f")
        assert rows[20][1] == ("富 文本 ", "s") and rows[21][1] == ("no ref", "s")
        assert rows[3][1][0] == datetime.datetime(2027, 6, 30)


def test_the_import_sees_the_same_cells(tmp_path):
    path = _book(tmp_path, dimension=None)
    headers = {"项目名称": [], "预算": [], "期限": [], "备注": []}
    sheet, rows = open_sheet(path, headers, sheet_name="需求")
    got = {n: {h: (c.value, c.formula) for h, c in cells.items()} for n, cells in rows}
    assert sheet.header_row == 1 and got[3]["项目名称"] == ("=SUM(A2:B2)", True)
    assert got[10]["项目名称"] == ("spaced", False) and got[2]["备注"] == (True, False)
    assert got[20]["预算"] == ("富 文本", False)


def test_entity_declarations_are_refused(tmp_path):
    path = _book(tmp_path, name="laughs.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                s = data.decode()
                s = s.replace("<worksheet", '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet', 1)
                s = s.replace("<v>2.5</v>", "<v>&b;</v>")
                data = s.encode()
            dst.writestr(info, data)
    with pytest.raises(WorkbookRefused):  # at the header rows or later: refused either way
        _sheet, rows = open_sheet(bomb, {"项目名称": [], "预算": []}, sheet_name="需求")
        list(rows)

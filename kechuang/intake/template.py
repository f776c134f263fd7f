"""The Excel template of an import kind, generated from the same columns the importer reads.

Headers are the form's labels (required ones marked *), each with a comment saying what to write;
taxonomy columns get a drop-down list fed from a hidden sheet, so a city's own chains and areas
are what the template offers. Row 1 is a one-line instruction; data starts on row 3.
"""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kechuang.core.xlsx import safe_cell
from kechuang.intake.spec import ImportKind

REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
OPTIONAL_FILL = PatternFill("solid", fgColor="E8EEF7")
MAX_ROWS_VALIDATED = 20000


def build_template(spec: ImportKind, user) -> bytes:
    wb = Workbook()
    ws = wb.active
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    used = [0]  # columns of the hidden list sheet taken so far
    _write_sheet(ws, spec, user, lists, used, spec.label)
    for child in spec.children:
        _write_sheet(
            wb.create_sheet(str(child.sheet), index=len(wb.sheetnames) - 1), child, user, lists, used, child.label
        )
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_sheet(ws, spec: ImportKind, user, lists, used: list[int], label: str) -> None:
    ws.title = str(spec.sheet)
    columns = spec.columns(user)
    ws.cell(
        row=1,
        column=1,
        value=(
            gettext(
                "%(label)s导入模板：第 2 行为表头（带 * 为必填，请勿修改或合并表头），从第 3 行开始每行填写一条%(label)s。"
                "鼠标停在表头上可看填写说明；带下拉箭头的列请从列表中选择。匹配规则：%(key)s相同视为同一条记录。"
            )
            % {"label": label, "key": spec.key_help}
        ),
    )
    ws.cell(row=1, column=1).font = Font(bold=True, color="9C2A1F")
    ws.cell(row=1, column=1).alignment = Alignment(wrap_text=False)
    for i, col in enumerate(columns, start=1):
        c = ws.cell(row=2, column=i, value=col.header + (" *" if col.required else ""))
        c.font = Font(bold=True)
        c.fill = REQUIRED_FILL if col.required else OPTIONAL_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        note = (gettext("必填。") if col.required else gettext("选填。")) + (col.note or "")
        c.comment = Comment(note, gettext("科创对接平台"), width=260, height=110)
        wide = col.name in ("problem", "goal", "background", "description", "bio", "abstract")
        ws.column_dimensions[get_column_letter(i)].width = 28 if wide else 16
        if col.choices and not col.multiple:
            used[0] += 1
            letter = get_column_letter(used[0])
            lists.cell(row=1, column=used[0], value=safe_cell(f"{spec.sheet}·{col.header}"))
            for r, (text, _value) in enumerate(col.choices, start=2):
                lists.cell(row=r, column=used[0], value=safe_cell(text))
            last = max(len(col.choices) + 1, 2)
            dv = DataValidation(
                type="list",
                formula1=f"'选项'!${letter}$2:${letter}${last}",
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle=gettext("请从列表中选择"),
                error=gettext("“%(header)s”请从下拉列表中选择。") % {"header": col.header},
            )
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(i)}3:{get_column_letter(i)}{MAX_ROWS_VALIDATED}")
        elif col.is_date:
            ws.column_dimensions[get_column_letter(i)].number_format = "yyyy-mm-dd"
    ws.row_dimensions[2].height = 32
    ws.freeze_panes = "A3"

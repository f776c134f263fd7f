"""Every list page's "导出 Excel": the rows and columns the page shows, as an .xlsx file.

A list view builds its queryset once (selector → filters → ``Sorting``) and, when the request asks
for ``?export=xlsx``, hands the same queryset to ``xlsx_response`` with the list's columns::

    if wants_export(request):
        return xlsx_response(qs, NEED_COLUMNS, filename="needs", sheet=_("需求"), user=request.user)

so a file can never hold a row or a column the page would not show its reader. The workbook is
written in openpyxl's write-only mode to a temporary file (memory stays flat whatever the number
of rows) and streamed back; every cell goes through ``kechuang.core.xlsx.safe_cell`` (formula
injection, control characters). ``before_rows`` sees each batch of rows before it is written: the
needs list uses it to audit the confidential needs the file shows (``record_listed_views``).
Core and Django only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kechuang.core.xlsx import safe_cell

EXPORT_PARAM = "export"
EXPORT_LIMIT = 50_000  # rows in one workbook; the sheet says so when the list had more
BATCH = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and how to read a row's cell (``value(row)``)."""

    header: Any  # str or lazy translation
    value: Callable[[Any], Any]
    width: int = 16


def wants_export(request) -> bool:
    return request.GET.get(EXPORT_PARAM) == "xlsx"


def _batches(rows: Iterable, size: int):
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _iterate(rows):
    """Querysets are read in chunks (``iterator``) so a large list is never all in memory."""
    if hasattr(rows, "iterator"):
        return rows.iterator(chunk_size=BATCH)
    return rows


def write_xlsx(
    out,
    rows: Iterable,
    columns: Sequence[Column],
    *,
    sheet: str,
    limit: int = EXPORT_LIMIT,
    before_rows: Callable[[list], None] | None = None,
    total: int | None = None,
    overflow_note: Callable[[int, int | None], str] | None = None,
) -> int:
    """Write ``rows`` (at most ``limit``) under ``columns`` into the file object ``out``; returns the
    number of rows written. When the list had more rows (``total``, or one more read past ``limit``)
    a last line says so (``overflow_note(written, total)``, or a general sentence)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(safe_cell(str(sheet))[:31] or "Sheet1")
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=safe_cell(str(col.header)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    if hasattr(rows, "__getitem__") and hasattr(rows, "count") and hasattr(rows, "iterator"):
        rows = rows[: limit + 1]  # a queryset: one row past the limit tells that there were more
    written, more = 0, False
    for batch in _batches(_iterate(rows), BATCH):
        if written + len(batch) > limit:
            more = True
            batch = batch[: limit - written]
        if before_rows is not None and batch:
            before_rows(batch)
        for row in batch:
            ws.append([safe_cell(col.value(row)) for col in columns])
        written += len(batch)
        if more:
            break
    if more or (total is not None and total > written):
        note = (
            overflow_note(written, total)
            if overflow_note is not None
            else ngettext("仅导出前 %(n)d 行；请缩小筛选范围后再导出。", "仅导出前 %(n)d 行；请缩小筛选范围后再导出。", written) % {"n": written}
        )
        ws.append([safe_cell(note)])
    wb.save(out)
    return written


def xlsx_response(
    rows: Iterable,
    columns: Sequence[Column],
    *,
    filename: str,
    sheet: str,
    limit: int = EXPORT_LIMIT,
    before_rows: Callable[[list], None] | None = None,
) -> FileResponse:
    """The file as a download named ``<filename>-YYYYMMDD.xlsx``, streamed from a temporary file."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when the response is sent
    write_xlsx(tmp, rows, columns, sheet=sheet, limit=limit, before_rows=before_rows)
    tmp.seek(0)
    name = f"{filename}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(tmp, as_attachment=True, filename=name, content_type=XLSX_TYPE)


# ------------------------------------------------------------------ cell helpers for column lists


def display(field: str) -> Callable[[Any], Any]:
    """A choice field's label (``get_<field>_display``)."""
    return lambda obj: getattr(obj, f"get_{field}_display")()


def attr(path: str, default: Any = "") -> Callable[[Any], Any]:
    """A dotted attribute (``"enterprise.name"``); ``default`` when a step is None."""

    def read(obj):
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return default
        return obj

    return read


def local_date(path: str) -> Callable[[Any], Any]:
    """A date or a datetime (shown as its local date) at ``path``."""

    def read(obj):
        value = attr(path, None)(obj)
        if value is None:
            return ""
        if hasattr(value, "tzinfo") and hasattr(value, "hour"):
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return value

    return read


def local_datetime(path: str) -> Callable[[Any], Any]:
    def read(obj):
        value = attr(path, None)(obj)
        if value is None:
            return ""
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value

    return read


def joined(path: str, field: str = "name", sep: str = "、") -> Callable[[Any], Any]:
    """The ``field`` of every object of a many-to-many (``"parties"``), joined."""
    return lambda obj: sep.join(str(getattr(o, field)) for o in getattr(obj, path).all())


def yes_no(path: str) -> Callable[[Any], Any]:
    return lambda obj: _("是") if attr(path, False)(obj) else _("否")

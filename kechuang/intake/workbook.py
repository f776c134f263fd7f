"""Reading an uploaded workbook safely: guards before parsing, then a streamed sheet.

No Django here. An .xlsx is a zip of XML files, so a hostile upload is refused from the zip's
central directory (entry count, declared sizes, compression ratio) before a byte is inflated;
Python's zipfile never inflates an entry beyond its declared size, so the declared sizes bound
the real work. The sheet is then read with openpyxl's read-only (streaming) mode, which keeps
memory flat however many rows the file has. Every refusal is a ``WorkbookRefused`` whose message
is shown to the user as is (Chinese).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext


@dataclass(frozen=True)
class Limits:
    """What an upload may be. Defaults fit a city's 需求征集表 with room to spare."""

    max_bytes: int = 20 * 1024 * 1024  # the file as uploaded
    max_entries: int = 200  # files inside the zip (a normal workbook has 10–30)
    max_uncompressed: int = 300 * 1024 * 1024  # declared total once inflated
    max_ratio: int = 150  # declared inflated size / compressed size, per entry and overall
    max_rows: int = 100_000  # data rows in one sheet
    max_cols: int = 60  # columns read per row


class WorkbookRefused(Exception):
    """The file as a whole cannot be read; ``str(exc)`` is the user's message."""


DEFAULT_LIMITS = Limits()

XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the OLE2 container of .xls (and old .doc)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def check_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file that is not a plausible, bounded .xlsx — without unpacking it."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise WorkbookRefused(gettext("文件为空，请选择填写好的 Excel 工作簿（.xlsx）。"))
    if size > limits.max_bytes:
        raise WorkbookRefused(
            gettext("文件过大（%(size).1f MB），单个文件不能超过 %(limit)s MB，请拆分后上传。")
            % {"size": size / 1048576, "limit": limits.max_bytes // 1048576}
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(XLS_MAGIC):
        raise WorkbookRefused(
            gettext("这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再上传。")
        )
    if not head.startswith(ZIP_MAGIC):
        if _looks_like_text(path):
            raise WorkbookRefused(
                gettext("这是文本（CSV）文件，只是扩展名改成了 .xlsx。请在 Excel 中打开后“另存为” .xlsx 格式再上传。")
            )
        raise WorkbookRefused(gettext("无法识别的文件：请上传 Excel 工作簿（.xlsx）。"))
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(gettext("文件已损坏，无法作为 Excel 工作簿打开。请重新保存后上传。")) from exc
    if len(infos) > limits.max_entries:
        raise WorkbookRefused(gettext("文件结构异常（包含 %(n)s 个内部文件），已拒绝处理。") % {"n": len(infos)})
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > limits.max_uncompressed:
        raise WorkbookRefused(
            gettext("文件解压后过大（约 %(size).0f MB，上限 %(limit)s MB），可能是压缩炸弹，已拒绝处理。")
            % {"size": total / 1048576, "limit": limits.max_uncompressed // 1048576}
        )
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if worst > limits.max_ratio or total / packed > limits.max_ratio:
        raise WorkbookRefused(gettext("文件压缩比异常（可能是压缩炸弹），已拒绝处理。"))
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise WorkbookRefused(gettext("这不是 Excel 工作簿（.xlsx）：可能是改了扩展名的其他文件。"))


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    if b"\x00" in sample:
        return False
    for enc in ("utf-8-sig", "gb18030"):
        try:
            sample.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False


def normalise_header(text) -> str:
    """Header text as compared: NFKC (full-width → half-width), no spaces, no required-marks."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"[\s*＊※]", "", s)
    return s.lower()


@dataclass
class Sheet:
    """The rows of one sheet, as ``(excel_row_number, {header: value})``, and the header facts."""

    header_row: int
    columns: dict[str, int]  # canonical header → 0-based column index
    letters: dict[str, str]  # canonical header → Excel column letter
    unknown: list[str] = field(default_factory=list)
    rows_iter: object = None


def column_letter(index0: int) -> str:
    n, s = index0 + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Cell:
    value: object
    formula: bool = False


def open_sheet(
    path: str | Path,
    headers: dict[str, list[str]],
    *,
    required: set[str] = frozenset(),
    sheet_name: str | list[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    search_rows: int = 6,
    strict: bool = False,
):
    """Open the sheet and find its header row by the labels it carries, in any column order.

    ``headers`` maps each canonical header to the spellings accepted (the form label first).
    Returns ``(Sheet, rows)`` where ``rows`` yields ``(row_number, {canonical: Cell})`` for every
    non-empty data row. With ``strict``, a workbook without ``sheet_name`` gives None (an optional
    sheet) instead of its first sheet. Raises ``WorkbookRefused`` for a missing required header, a merged or
    unreadable header row, or more rows than ``limits.max_rows``.
    """
    from openpyxl import load_workbook  # heavy import; keep module import cheap

    check_file(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for broken parts (XML, encoding, styles)
        raise WorkbookRefused(
            gettext("文件内容损坏或编码错误，无法读取。请在 Excel 中重新保存为 .xlsx 后上传。")
        ) from exc
    try:
        names = [sheet_name] if isinstance(sheet_name, str) else list(sheet_name or [])
        present = [str(n) for n in names if str(n) in wb.sheetnames]  # a sheet may carry any language's name
        if present:
            ws = wb[present[0]]
        elif strict:
            wb.close()
            return None
        else:
            ws = wb.worksheets[0]
    except IndexError as exc:
        raise WorkbookRefused(gettext("工作簿中没有工作表。")) from exc
    lookup = {}
    for canon, spellings in headers.items():
        for s in [canon, *spellings]:
            lookup[normalise_header(s)] = canon
    rows = ws.iter_rows(max_col=limits.max_cols)
    try:
        header_row, columns, unknown = None, {}, []
        for n, row in enumerate(rows, start=1):
            if n > search_rows:
                break
            found = {}
            others = []
            for i, cell in enumerate(row):
                key = normalise_header(cell.value)
                if key in lookup and lookup[key] not in found:
                    found[lookup[key]] = i
                elif key:
                    others.append(str(cell.value))
            if len(found) >= max(2, min(len(required), 3)):
                header_row, columns, unknown = n, found, others
                break
    except Exception as exc:
        raise WorkbookRefused(
            gettext("文件内容损坏或编码错误，无法读取。请在 Excel 中重新保存为 .xlsx 后上传。")
        ) from exc
    if header_row is None:
        wb.close()
        expected = "、".join(list(headers)[:6])
        raise WorkbookRefused(
            gettext("没有找到表头：前 %(search_rows)s 行中应有“%(expected)s”等列名。请使用平台下载的模板，表头不要合并单元格。") % {"search_rows": search_rows, "expected": expected}
        )
    missing = [h for h in headers if h in required and h not in columns]
    if missing:
        wb.close()
        raise WorkbookRefused(
            gettext("%(sheet)s第%(header_row)s行表头缺少必填列：%(missing)s。请使用平台下载的模板（表头不要合并单元格）。") % {"sheet": gettext("“%(sheet)s”表") % {"sheet": ws.title} if strict else "", "header_row": header_row, "missing": '、'.join(missing)}
        )
    sheet = Sheet(
        header_row=header_row,
        columns=columns,
        letters={h: column_letter(i) for h, i in columns.items()},
        unknown=unknown,
    )

    def data_rows():
        count = 0
        try:
            for n, row in enumerate(rows, start=header_row + 1):
                values = {}
                empty = True
                for canon, i in columns.items():
                    cell = row[i] if i < len(row) else None
                    v = getattr(cell, "value", None)
                    if isinstance(v, str):
                        v = v.strip()
                        if v == "":
                            v = None
                    is_formula = getattr(cell, "data_type", None) == "f"
                    if v is not None:
                        empty = False
                    values[canon] = Cell(v, is_formula)
                if empty:
                    continue
                count += 1
                if count > limits.max_rows:
                    raise WorkbookRefused(
                        gettext("数据行过多：一个文件最多 %(max_rows)s 行，请拆分后分批导入。") % {"max_rows": limits.max_rows}
                    )
                yield n, values
        except WorkbookRefused:
            raise
        except Exception as exc:
            raise WorkbookRefused(
                gettext("文件内容损坏或编码错误，无法读取。请在 Excel 中重新保存为 .xlsx 后上传。")
            ) from exc
        finally:
            wb.close()

    return sheet, data_rows()


def as_text(value) -> str:
    """A cell as the text a form field receives (numbers without a trailing .0, dates in ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

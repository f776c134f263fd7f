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

from django.utils.translation import gettext, ngettext


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
        raise WorkbookRefused(ngettext("文件结构异常（包含 %(n)s 个内部文件），已拒绝处理。", "文件结构异常（包含 %(n)s 个内部文件），已拒绝处理。", len(infos)) % {"n": len(infos)})
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


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _C, _V, _F, _IS, _T, _R = (f"{_MAIN}}}{t}" for t in ("row", "c", "v", "f", "is", "t", "r"))
_SHEET_DATA, _DIMENSION = f"{_MAIN}}}sheetData", f"{_MAIN}}}dimension"
_CHUNK = 1 << 16


class _Stop(Exception):
    """The declared dimension's last row is passed: the rest of the sheet is not read (as openpyxl)."""


class _Workbook:
    """A workbook opened for streaming its sheets' cell values, faster than openpyxl's read-only sheet.

    openpyxl still reads the package (content types, shared strings, styles — which number formats
    are dates —, the workbook's sheets and its 1904 epoch); the rows of a sheet are then read from
    the sheet's XML with expat directly, one pass, without building an element per XML node, a
    dictionary and a ``ReadOnlyCell`` per cell, and without openpyxl's first pass over a whole sheet
    that declares no dimension (files written in streaming mode). The values are openpyxl's own
    (``parse_cell``'s rules and helpers); entity declarations and external entities are refused as
    defusedxml refuses them.
    """

    def __init__(self, path) -> None:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        reader = ExcelReader(str(path), read_only=True, data_only=False)
        self._archive = reader.archive
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            self._sheets = {}
            for sheet, rel in reader.parser.find_sheets():
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                    self._sheets.setdefault(sheet.name, rel.target)
        except Exception:
            self.close()
            raise
        wb = reader.wb
        self._strings = reader.shared_strings
        self._epoch = wb.epoch
        self._date_formats = wb._date_formats  # noqa: SLF001 — what openpyxl's sheet reader is given
        self._timedelta_formats = wb._timedelta_formats  # noqa: SLF001
        self.sheetnames = list(self._sheets)

    def close(self) -> None:
        self._archive.close()

    def rows(self, title: str, max_cols: int):
        """``(row_number, cells)`` for each ``<row>`` of the sheet, in order; ``cells[i]`` is the
        ``(value, data_type)`` of column ``i + 1`` (``data_type`` "f" for a formula: its text, as
        openpyxl gives it), or None. Only the first ``max_cols`` columns are read."""
        from xml.etree.ElementTree import Element, SubElement
        from xml.parsers import expat

        from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.worksheet._reader import WorkSheetParser, _cast_number

        strings, epoch = self._strings, self._epoch
        date_formats, timedelta_formats = self._date_formats, self._timedelta_formats
        formulas = WorkSheetParser(None, strings)  # openpyxl's parse_formula (keeps shared formulae)
        done: list = []
        st = {"row": 0, "col": 0, "max_row": None, "data": False}
        cell: dict = {}
        row: list = []
        text: list | None = None  # the character data being collected, if any
        path: list[str] = []  # the open elements inside the current <c>

        def start(name, attrs):
            nonlocal row, cell, text
            if cell:  # inside a <c>: its value, formula or inline string (plain text, then each run's)
                path.append(name)
                if name in (_V, _F) or (name == _T and path[:-1] in ([_IS], [_IS, _R])):
                    text = []
                if name == _F:
                    cell["f_attrs"] = attrs
                elif name == _IS:
                    cell["inline"] = []
                return
            if name == _C:
                r = attrs.get("r")
                if r:
                    col = coordinate_to_tuple(r)[1]
                else:
                    col = st["col"] + 1
                st["col"] = col
                s = attrs.get("s", 0)
                cell = {"t": attrs.get("t", "n"), "r": r, "s": int(s) if s else s, "col": col, "v": None}
            elif name == _ROW:
                r = attrs.get("r")
                if r is not None:
                    try:
                        st["row"] = int(r)
                    except ValueError:
                        val = float(r)
                        if not val.is_integer():
                            raise ValueError(f"{r} is not a valid row number") from None
                        st["row"] = int(val)
                else:
                    st["row"] += 1
                if st["max_row"] is not None and st["row"] > st["max_row"]:
                    raise _Stop
                st["col"] = 0
                row = [None] * max_cols
            elif name == _SHEET_DATA:
                st["data"] = True
            elif name == _DIMENSION and not st["data"]:
                ref = attrs.get("ref")
                st["max_row"] = range_boundaries(ref)[3] if ref else None

        def end(name):
            nonlocal row, cell, text
            if cell and path:
                path.pop()
                if text is not None:
                    joined = "".join(text)
                    if name == _V:
                        cell["v"] = joined
                    elif name == _F:
                        cell["f"] = joined
                    elif name == _T and cell.get("inline") is not None:
                        cell["inline"].append(joined)
                    text = None
                return
            if name == _C:
                col = cell["col"]
                if col <= max_cols:
                    row[col - 1] = _value(cell)
                cell = {}
            elif name == _ROW:
                done.append((st["row"], row))

        def chars(data):
            if text is not None:
                text.append(data)

        def _value(c):
            data_type, value, style_id = c["t"], c["v"] or None, c["s"]
            if data_type == "inlineStr":
                value = None
            if "f_attrs" in c:  # openpyxl's parse_formula, given the same element
                el = Element("{" + _C, {"r": c["r"]} if c["r"] else {})
                SubElement(el, "{" + _F, dict(c["f_attrs"])).text = c.get("f") or None
                return formulas.parse_formula(el), "f"
            if value is not None:
                if data_type == "n":
                    value = _cast_number(value)
                    if style_id in date_formats:
                        data_type = "d"
                        try:
                            value = from_excel(value, epoch, timedelta=style_id in timedelta_formats)
                        except (OverflowError, ValueError):
                            data_type, value = "e", "#VALUE!"
                elif data_type == "s":
                    value = strings[int(value)]
                elif data_type == "b":
                    value = bool(int(value))
                elif data_type == "str":
                    data_type = "s"
                elif data_type == "d":
                    value = from_ISO8601(value)
            elif data_type == "inlineStr" and c.get("inline") is not None:
                data_type, value = "s", "".join(c["inline"])
            return value, data_type

        def refuse(*_args):
            raise ValueError("entities are not accepted in a worksheet")

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        parser.EntityDeclHandler = refuse
        parser.UnparsedEntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        with self._archive.open(self._sheets[title]) as src:
            try:
                while chunk := src.read(_CHUNK):
                    parser.Parse(chunk, False)
                    yield from done
                    done.clear()
                parser.Parse(b"", True)
            except _Stop:
                pass
            yield from done
            done.clear()


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
    check_file(path, limits)
    try:
        wb = _Workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for broken parts (XML, encoding, styles)
        raise WorkbookRefused(
            gettext("文件内容损坏或编码错误，无法读取。请在 Excel 中重新保存为 .xlsx 后上传。")
        ) from exc
    names = [sheet_name] if isinstance(sheet_name, str) else list(sheet_name or [])
    present = [str(n) for n in names if str(n) in wb.sheetnames]  # a sheet may carry any language's name
    if present:
        title = present[0]
    elif strict:
        wb.close()
        return None
    elif wb.sheetnames:
        title = wb.sheetnames[0]
    else:
        wb.close()
        raise WorkbookRefused(gettext("工作簿中没有工作表。"))
    lookup = {}
    for canon, spellings in headers.items():
        for s in [canon, *spellings]:
            lookup[normalise_header(s)] = canon
    rows = wb.rows(title, limits.max_cols)
    try:
        header_row, columns, unknown = None, {}, []
        for n, row in rows:
            if n > search_rows:
                break
            found = {}
            others = []
            for i, cell in enumerate(row):
                value = None if cell is None else cell[0]
                key = normalise_header(value)
                if key in lookup and lookup[key] not in found:
                    found[lookup[key]] = i
                elif key:
                    others.append(str(value))
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
            ngettext("没有找到表头：前 %(search_rows)s 行中应有“%(expected)s”等列名。请使用平台下载的模板，表头不要合并单元格。", "没有找到表头：前 %(search_rows)s 行中应有“%(expected)s”等列名。请使用平台下载的模板，表头不要合并单元格。", search_rows) % {"search_rows": search_rows, "expected": expected}
        )
    missing = [h for h in headers if h in required and h not in columns]
    if missing:
        wb.close()
        raise WorkbookRefused(
            gettext("%(sheet)s第%(header_row)s行表头缺少必填列：%(missing)s。请使用平台下载的模板（表头不要合并单元格）。") % {"sheet": gettext("“%(sheet)s”表") % {"sheet": title} if strict else "", "header_row": header_row, "missing": '、'.join(missing)}
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
            for n, row in rows:
                values = {}
                empty = True
                for canon, i in columns.items():
                    cell = row[i] if i < len(row) else None
                    v, data_type = cell if cell is not None else (None, None)
                    if isinstance(v, str):
                        v = v.strip()
                        if v == "":
                            v = None
                    is_formula = data_type == "f"
                    if v is not None:
                        empty = False
                    values[canon] = Cell(v, is_formula)
                if empty:
                    continue
                count += 1
                if count > limits.max_rows:
                    raise WorkbookRefused(
                        ngettext("数据行过多：一个文件最多 %(max_rows)s 行，请拆分后分批导入。", "数据行过多：一个文件最多 %(max_rows)s 行，请拆分后分批导入。", limits.max_rows) % {"max_rows": limits.max_rows}
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

"""Workbooks for the importer's tests: a filled template, and a corpus of hostile files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook


def fill_template(template: bytes, rows: list[dict], path: Path) -> Path:
    """Write ``rows`` (header → value) into the platform's template, keeping its header row 2."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    headers = {str(c.value).replace(" *", ""): c.column for c in ws[2] if c.value}
    for r, row in enumerate(rows, start=3):
        for header, value in row.items():
            ws.cell(row=r, column=headers[header], value=value)
    wb.save(path)
    return path


NEED_PROBLEM = "需要解决高镍正极材料在循环过程中的结构稳定性和产气问题，提升循环寿命"


def need_row(title: str = "高镍正极材料稳定性提升", **over) -> dict:
    """One valid row of the needs template (header → value) for the demo's enterprise; ``over`` replaces cells."""
    base = {
        "需求企业": "山东领军科技集团",
        "项目名称": title,
        "需求类型": "技术攻关",
        "行业领域/产业链": "新能源新材料",
        "地区": "莱西市",
        "需求背景": "公司正在扩产高镍三元正极",
        "需解决的主要技术难题": NEED_PROBLEM,
        "期望实现的技术目标": "循环 1000 次容量保持率 90% 以上",
        "关键词": "高镍，正极材料、循环寿命",
        "预算下限（万元）": 50,
        "预算上限（万元）": 200,
        "期限": date(2031, 6, 30),
        "保密级别": "公开",
    }
    return {**base, **over}


def plain_workbook(path: Path, header: list, rows: list[list], merge: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def zip_bomb(path: Path, inflated_mb: int = 400) -> Path:
    """A valid-looking .xlsx whose sheet inflates to ``inflated_mb`` MB of zeros (a few hundred KB packed)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"0" * (1024 * 1024)
            for _ in range(inflated_mb):
                fh.write(chunk)
    return path


def many_entries(path: Path, n: int = 5000) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(n):
            zf.writestr(f"xl/x{i}.xml", "x")
    return path


def broken_xml(path: Path) -> Path:
    """A zip with the workbook's parts but sheet XML in a broken encoding."""
    good = io.BytesIO()
    wb = Workbook()
    wb.active.append(["项目名称", "需求类型"])
    wb.save(good)
    src = zipfile.ZipFile(good)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = (
                    b'<?xml version="1.0" encoding="utf-8"?><worksheet>' + "项目".encode("gbk") + b"\xff\xfe<"
                )
            zf.writestr(info.filename, data)
    return path


class _Rollback(Exception):
    pass


def commit_queries(user, kind: str, path: Path, **kw) -> int:
    """How many queries a committing import of ``path`` asks; everything it wrote is rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from kechuang.intake.engine import run_import

    with CaptureQueriesContext(connection) as q:
        try:
            with transaction.atomic():
                assert run_import(user, kind, path, commit=True, **kw).committed
                raise _Rollback
        except _Rollback:
            pass
    return len(q.captured_queries)

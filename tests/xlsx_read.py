"""Reading a downloaded workbook back in tests (openpyxl, read-only)."""

from __future__ import annotations

from io import BytesIO


def response_bytes(resp) -> bytes:
    return b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content


def xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data), read_only=True)
    ws = wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]

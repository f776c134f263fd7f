"""The text and fonts of a PDF the platform wrote, read with pypdf (a library, not a hand-made parser)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """All text of all pages, in page order."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def font_names(pdf: bytes) -> set[str]:
    """The fonts the pages use, without the subset prefix ("ABCDEF+NotoSansCJKsc-Regular" → "NotoSansCJKsc-Regular")."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names - {""}

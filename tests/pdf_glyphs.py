"""Which characters of a PDF are drawn with a real glyph of an embedded font (not .notdef, not tofu).

pypdf reads each font's ToUnicode map (glyph code → text) and its embedded font program; fontTools
opens the program (CFF for WeasyPrint's CJK fonts, TrueType/OpenType otherwise) and says whether the
glyph behind the code has an outline. A character whose only glyph is the empty box or .notdef is
"missing": that is what a PDF rendered without a CJK font shows as tofu.
"""

from __future__ import annotations

import io
import re

from fontTools.cffLib import CFFFontSet
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader


def _to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries as {code: text}."""
    text = data.decode("latin-1")
    out: dict[int, str] = {}

    def u(hexstr: str) -> str:
        return bytes.fromhex(hexstr).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(code, 16)] = u(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + i)
    return out


class _Program:
    """An embedded font program: has_outline(gid)."""

    def __init__(self, descriptor):
        if "/FontFile3" in descriptor:
            stream = descriptor["/FontFile3"].get_object()
            data = stream.get_data()
            if stream.get("/Subtype") == "/OpenType":
                self._tt = TTFont(io.BytesIO(data))
                self._gs, self._order = self._tt.getGlyphSet(), self._tt.getGlyphOrder()
            else:  # bare CFF (CIDFontType0C / Type1C)
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(data), None)
                top = cff[cff.fontNames[0]]
                self._gs, self._order = top.CharStrings, top.charset
        else:
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile")
            self._tt = TTFont(io.BytesIO(stream.get_object().get_data()))
            self._gs, self._order = self._tt.getGlyphSet(), self._tt.getGlyphOrder()

    def has_outline(self, gid: int) -> bool:
        if gid <= 0 or gid >= len(self._order):
            return False
        pen = BoundsPen(self._gs)
        self._gs[self._order[gid]].draw(pen)
        return pen.bounds is not None


def drawn_characters(pdf: bytes) -> dict[str, set[str]]:
    """{character: names of the embedded fonts that draw it with a real outline}."""
    drawn: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            font = ref.get_object()
            if "/ToUnicode" not in font:
                continue
            desc_font = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = desc_font.get("/FontDescriptor")
            if descriptor is None:
                continue  # a standard 14 font: nothing embedded, no CJK anyway
            program = _Program(descriptor.get_object())
            name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
            for code, text in _to_unicode(font["/ToUnicode"].get_object().get_data()).items():
                if program.has_outline(code):  # Identity-H + CIDToGIDMap Identity: code is the glyph id
                    for ch in text:
                        drawn.setdefault(ch, set()).add(name)
    return drawn


def missing_glyphs(pdf: bytes, text: str) -> set[str]:
    """The non-space characters of ``text`` that no embedded font of ``pdf`` draws."""
    drawn = drawn_characters(pdf)
    return {ch for ch in text if not ch.isspace() and ch not in drawn}

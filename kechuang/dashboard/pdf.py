"""HTML → PDF for the briefing (WeasyPrint), with what makes it cheap to lay out.

WeasyPrint's time goes into laying out the table cells (docs/adr/0040-briefing-pdf-layout.md):

- **Column widths are decided here, not by WeasyPrint.** With ``table-layout: auto`` WeasyPrint lays
  out every cell's text three times (its minimum and maximum content widths, then the cells
  themselves); the briefing's template uses ``table-layout: fixed`` with the widths of
  :func:`column_widths`, computed from the characters of each column (a CJK character is one em, a
  Latin letter or digit about half), so every cell is laid out once.
- **No universal pseudo-elements.** WeasyPrint's user-agent stylesheet gives *every* element a
  ``::marker``, two ``::footnote-*`` and three ``::note-*`` styles, computed one by one (six extra
  styles per table cell, not shared). The briefing has no lists, footnotes or notes, so
  :class:`PrintHTML` uses the same stylesheet without those six rules (``::marker`` is kept for
  ``li`` and ``summary``, the elements that have one).
- **No cyclic garbage collection while WeasyPrint runs** (``core.collector``; 15-20 % of the PDF's
  CPU, ADR 0060).
"""

from __future__ import annotations

import unicodedata
from functools import cache

from weasyprint import CSS, HTML

from kechuang.core.collector import collector_off

# The rules of WeasyPrint's UA stylesheet that match every element (by pseudo-element only).
_UNIVERSAL_PSEUDO = (
    "::marker ",
    "::footnote-call ",
    "::footnote-marker ",
    "::note-call ",
    "::note-marker ",
    "::note-callback ",
)


def ua_stylesheet_text() -> str:
    """WeasyPrint's HTML5 user-agent stylesheet without the rules that give every element a
    ``::marker``, footnote or note style; list items and ``<summary>`` keep their marker."""
    from weasyprint.html import UA

    out, in_counter_style = [], False
    for line in UA.splitlines():
        # the @counter-style rules are already in UA_COUNTER_STYLE (filled when WeasyPrint parsed
        # its own sheet) and cannot be defined twice
        if line.startswith("@counter-style"):
            in_counter_style = True
        if in_counter_style:
            in_counter_style = not line.rstrip().endswith("}")
        elif line.startswith("::marker "):
            out.append("li::marker, summary::marker " + line.removeprefix("::marker "))
        elif not line.startswith(_UNIVERSAL_PSEUDO):
            out.append(line)
    return "\n".join(out)


@cache
def _ua_stylesheet() -> CSS:
    from weasyprint.html import UA_COUNTER_STYLE

    return CSS(string=ua_stylesheet_text(), counter_style=UA_COUNTER_STYLE)


class PrintHTML(HTML):
    """``weasyprint.HTML`` with :func:`ua_stylesheet_text` as its user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):  # WeasyPrint's hook (the form sheet is never needed here)
        return [_ua_stylesheet()]


def fonts_available() -> bool:
    """Whether fontconfig finds any font at all. Without one, WeasyPrint (Pango) does not fail
    with an exception: the process dies (SIGSEGV) on the first text it lays out."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    return fonts != ffi.NULL and fonts.nfont > 0


def _untimed(name, fn, *args, **kwargs):
    return fn(*args, **kwargs)


def html_to_pdf(html: str, *, phases=None) -> bytes:
    """The PDF of a print page's HTML. ``phases``: a bench clock whose ``run(name, fn, …)`` times
    the parse, layout and writing steps (bench/dashboard/profile_pdf.py)."""
    run = phases.run if phases is not None else _untimed
    with collector_off():
        doc = run("  WeasyPrint parse (HTML)", PrintHTML, string=html)
        document = run("  WeasyPrint layout (CSS, style, boxes, pages)", doc.render)
        return run("  WeasyPrint write (draw, fonts)", document.write_pdf)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def text_em(text: str) -> float:
    """Width of ``text`` on one line, in ems: wide (CJK) characters 1, others about 0.55."""
    return sum(1.0 if _wide(ch) else 0.55 for ch in text)


def longest_word_em(text: str) -> float:
    """Width of the widest piece of ``text`` that cannot be broken: a run of Latin letters, digits
    and punctuation (lines break at spaces, and between any two CJK characters)."""
    widest = run = 0.0
    for ch in text:
        if ch.isspace() or _wide(ch):
            widest, run = max(widest, run), 0.0
            if _wide(ch):
                widest = max(widest, 1.0)
        else:
            run += 0.6  # a little wider than ``text_em``'s average: a word must fit, not wrap
    return max(widest, run)


# The briefing's tables: A4 (210 mm) less 2 × 16 mm margins, in ems of their 9 pt font.
TABLE_EM = (210 - 32) / 25.4 * 72 / 9
# A column is planned as wide as its widest value or the first HEADER_EM of its header, up to MAX_EM
# (longer texts wrap inside their cell); never narrower than its longest unbreakable word.
HEADER_EM = 4.0
MAX_EM = 28.0
PADDING_EM = 1.2  # the cell's horizontal padding, in ems of the table's font


def column_widths(headers: list[str], rows: list[list], table_em: float = TABLE_EM) -> list[float]:
    """Percentages (summing to 100) for ``table-layout: fixed``, in the spirit of CSS's automatic
    layout but from character counts: every column gets at least its longest unbreakable word (so
    no word or number is split), the room left is shared in proportion to how much wider each column
    would like to be (its widest value capped at ``MAX_EM``, or the first ``HEADER_EM`` of its
    header), and a table narrower than the page is widened in proportion. Texts wider than their
    column wrap; a word wider than the whole table wraps anywhere (``overflow-wrap: anywhere``)."""
    natural, minimum = [], []
    for i, header in enumerate(headers):
        texts = [str(r[i]) for r in rows if i < len(r)]
        widest = max((text_em(t) for t in texts), default=0.0)
        words = max([longest_word_em(str(header))] + [longest_word_em(t) for t in texts])
        low = min(words, MAX_EM) + PADDING_EM
        minimum.append(low)
        natural.append(max(min(max(widest, min(text_em(str(header)), HEADER_EM)), MAX_EM) + PADDING_EM, low))
    if sum(natural) <= table_em or sum(minimum) >= table_em:
        basis = natural if sum(natural) <= table_em else minimum
        ems = [table_em * w / sum(basis) for w in basis]
    else:
        room = (table_em - sum(minimum)) / sum(n - m for n, m in zip(natural, minimum, strict=True))
        ems = [m + (n - m) * room for n, m in zip(natural, minimum, strict=True)]
    widths = [round(100 * w / sum(ems), 2) for w in ems]
    widths[-1] = round(100 - sum(widths[:-1]), 2)
    return widths

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
"""

from __future__ import annotations

import unicodedata
from functools import cache

from weasyprint import CSS, HTML

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


def _untimed(name, fn, *args, **kwargs):
    return fn(*args, **kwargs)


def html_to_pdf(html: str, *, phases=None) -> bytes:
    """The PDF of a print page's HTML. ``phases``: a bench clock whose ``run(name, fn, …)`` times
    the parse, layout and writing steps (bench/dashboard/profile_pdf.py)."""
    run = phases.run if phases is not None else _untimed
    doc = run("  WeasyPrint parse (HTML)", PrintHTML, string=html)
    document = run("  WeasyPrint layout (CSS, style, boxes, pages)", doc.render)
    return run("  WeasyPrint write (draw, fonts)", document.write_pdf)


def text_em(text: str) -> float:
    """Width of ``text`` on one line, in ems: wide (CJK) characters 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


# A column is never narrower than its longest value or header word up to this many ems, nor planned
# wider than MAX_EM (longer texts wrap inside their cell).
HEADER_EM = 4.0
MAX_EM = 28.0
PADDING_EM = 1.2  # the cell's horizontal padding and border, in ems of the table's font


def column_widths(headers: list[str], rows: list[list]) -> list[float]:
    """Percentages (summing to 100) for ``table-layout: fixed``: each column in proportion to its
    widest value (capped at ``MAX_EM``) or the first ``HEADER_EM`` of its header, whichever is
    wider, plus padding. Texts wider than their column wrap (CJK between any characters, Latin at
    spaces or, for long words, anywhere: the template sets ``overflow-wrap: anywhere``)."""
    natural = []
    for i, header in enumerate(headers):
        widest = max((text_em(str(r[i])) for r in rows if i < len(r)), default=0.0)
        natural.append(min(max(widest, min(text_em(str(header)), HEADER_EM)), MAX_EM) + PADDING_EM)
    total = sum(natural)
    widths = [round(100 * w / total, 2) for w in natural]
    widths[-1] = round(100 - sum(widths[:-1]), 2)
    return widths

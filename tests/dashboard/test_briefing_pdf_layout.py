"""The briefing PDF's cheap layout (docs/adr/0040-briefing-pdf-layout.md): column widths decided in
Python, WeasyPrint's user-agent stylesheet without the rules that style every element's
pseudo-elements — and the PDF still carries every figure and row of every table."""

from __future__ import annotations

import re

import pytest
import weasyprint
from pdf_text import pdf_text
from weasyprint.html import UA

from kechuang.dashboard import exports, selectors
from kechuang.dashboard.pdf import (
    TABLE_EM,
    PrintHTML,
    column_widths,
    html_to_pdf,
    longest_word_em,
    text_em,
    ua_stylesheet_text,
)

UNIVERSAL = (
    "::marker",
    "::footnote-call",
    "::footnote-marker",
    "::note-call",
    "::note-marker",
    "::note-callback",
)


def _rules(css: str) -> set[str]:
    """Top-level rule lines, without the @counter-style rules (kept by WeasyPrint's counter styles)."""
    return {line for line in css.splitlines() if line.strip() and not line.startswith("@counter-style")}


def test_the_print_stylesheet_is_weasyprints_without_the_universal_pseudo_element_rules():
    ours, theirs = _rules(ua_stylesheet_text()), _rules(UA)
    dropped = {line.split(" {")[0] for line in theirs - ours}
    assert dropped == set(UNIVERSAL)  # an upgrade that renames or adds such rules fails here
    assert ours - theirs == {
        "li::marker, summary::marker "
        + next(x for x in theirs if x.startswith("::marker "))[len("::marker ") :]
    }


def test_print_html_overrides_weasyprints_own_hook():
    # the hook is WeasyPrint's private method: if it disappears, the trimmed sheet silently stops
    # applying and the briefing gets slower — fail here instead
    assert callable(getattr(weasyprint.HTML, "_ua_stylesheets", None))
    sheets = PrintHTML(string="<p>x</p>")._ua_stylesheets()  # noqa: SLF001
    assert len(sheets) == 1 and sheets[0] is not weasyprint.HTML(string="<p>x</p>")._ua_stylesheets()[0]  # noqa: SLF001


def test_list_items_keep_their_markers():
    html = '<ol style="font-family: Noto Sans CJK SC"><li>甲</li><li>乙</li></ol>'
    text = pdf_text(html_to_pdf(html))
    assert "1." in text and "2." in text and "甲" in text and "乙" in text
    assert text == pdf_text(weasyprint.HTML(string=html).write_pdf())  # as WeasyPrint's own sheet draws it


def test_text_width_counts_cjk_as_one_em_and_latin_as_about_half():
    assert text_em("产业链") == 3.0
    assert text_em("2026") == pytest.approx(4 * 0.55)


def test_column_widths_follow_the_widest_value_and_sum_to_100():
    widths = column_widths(
        ["名称", "数", "说明"],
        [["产业链12", 5, "期内活动、走访、协议或新揭牌基地涉及的全国学会"], ["甲", 12345, "短"]],
    )
    assert sum(widths) == pytest.approx(100)
    assert widths[2] > widths[0] > widths[1]  # the long explanation, then the names, then the number


def test_a_very_long_value_does_not_take_the_whole_table():
    widths = column_widths(["日期", "签约各方"], [["2026-09-26", "、".join(f"单位{i}" for i in range(60))]])
    assert widths[0] > 15  # the long column is capped; the date keeps room for itself


def test_a_short_column_keeps_room_for_its_header():
    widths = column_widths(["阶段", "上一阶段到本阶段天数中位数"], [["已审核", "3"]])
    assert widths[1] >= widths[0]  # the header's first ems count, not only the one-digit values


def test_no_column_is_narrower_than_its_longest_word():
    """English headers and long figures: a word or number is never split across lines."""
    headers = ["Figure", "Value", "Definition", "Related achievements"]
    rows = [
        [
            "Agreement value (10k CNY)",
            5005048.0,
            "National societies involved in the period's events, " * 3,
            "x",
        ],
        ["Academic conferences and competitions brought in", 345, "short", "y"],
    ]
    widths = column_widths(headers, rows)
    for i, w in enumerate(widths):
        words = max(longest_word_em(str(t)) for t in [headers[i]] + [r[i] for r in rows])
        assert w / 100 * TABLE_EM >= words, (headers[i], w)
    assert longest_word_em("期内活动、走访") == 1.0  # CJK breaks between any two characters
    assert longest_word_em("achievements (10k)") == pytest.approx(12 * 0.6)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("role", ["coordinator", "leadership"])
def test_the_pdf_carries_every_title_header_and_cell_of_every_table(world, dash, role):
    user = world.users[role]
    scope = selectors.dashboard_scope(user=user)
    pdf = exports.briefing_pdf(user, scope)
    text = _squash(pdf_text(pdf))
    d = selectors.dashboard(user, selectors.dashboard_scope(user=user))
    tables = exports.tables(user, d, exports.PDF_LIST_LIMIT)
    assert len(tables) == 8
    for title, headers, rows in tables:
        assert _squash(title) in text
        for h in headers:
            assert _squash(str(h)) in text, (title, h)
        assert rows, title
        for row in rows:
            for cell in row:
                assert _squash(str(cell)) in text, (title, cell)
    assert _squash(exports._texts(d)[0]) in text  # noqa: SLF001 - the summary sentence, whole

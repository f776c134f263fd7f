"""``parens``: brackets of the reader's language around a value, escaped."""

from django.template import Context, Template
from django.utils import translation


def render(value, lang):
    with translation.override(lang):
        return Template("{% load punctuation %}待确认{{ v|parens }}").render(Context({"v": value}))


def test_chinese_keeps_full_width_brackets_and_english_gets_a_space_and_ascii_ones():
    assert render(3, "zh-hans") == "待确认（3）"
    assert render(3, "en") == "待确认 (3)"


def test_the_value_is_escaped():
    assert render("<b>", "en") == "待确认 (&lt;b&gt;)"


def test_a_label_s_colon_is_the_reader_s():
    def colon(lang):
        with translation.override(lang):
            return Template("{% load punctuation %}学会{% colon %}x").render(Context({}))

    assert colon("zh-hans") == "学会：x"
    assert colon("en") == "学会: x"


def test_joinlist_joins_with_the_reader_s_list_separator_and_escapes():
    def joined(values, lang):
        with translation.override(lang):
            return Template("{% load punctuation %}{{ v|joinlist }}").render(Context({"v": values}))

    assert joined(["甲", "乙", "丙"], "zh-hans") == "甲、乙、丙"
    assert joined(["甲", "乙", "丙"], "en") == "甲, 乙, 丙"
    assert joined([1], "en") == "1" and joined([], "en") == ""
    assert joined(["<b>", "a&b"], "en") == "&lt;b&gt;, a&amp;b"


def test_bracketed_is_plain_text_in_the_reader_s_brackets():
    from kechuang.core.templatetags.punctuation import bracketed

    with translation.override("zh-hans"):
        assert "钱一" + bracketed("<集团>") == "钱一（<集团>）"
    with translation.override("en"):
        assert "钱一" + bracketed("<集团>") == "钱一 (<集团>)"


def test_the_audit_page_s_stacked_labels_get_an_ascii_colon_outside_chinese():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "kechuang/static/css/audit.css").read_text(encoding="utf-8")
    assert 'td[data-label]::before { content:attr(data-label) "："' in css  # Chinese: as before
    assert 'html:not(:lang(zh)) table.audit td[data-label]::before { content:attr(data-label) ": "; }' in css

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

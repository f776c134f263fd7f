"""The form renderer writes a <select> exactly as Django's templates do (ADR 0048)."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kechuang.core.renderers import FormRenderer

CHOICES = [("", "全部"), ("a&b", "甲 <乙> & \"丙\""), (3, gettext_lazy("已提交")), ("safe", mark_safe("<b>粗</b>"))]
GROUPED = [("", "—"), ("材料", [("g1", "石墨烯"), ("g2", "碳纤维")]), (gettext_lazy("海洋"), [("o1", "海工装备")]),
           ("x", "其他")]


class Filters(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=GROUPED, required=False)
    attrs = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(attrs={"data-x": 'q"<', "disabled": True, "hidden": False, "data-n": 7,
                                   "data-safe": mark_safe("&amp;")}),
    )
    typed = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int)
    nullable = forms.NullBooleanField()


@pytest.mark.parametrize(
    "data",
    [None, {"plain": "a&b", "grouped": "g2", "many": ["g1", "o1"], "attrs": "3", "typed": "2", "nullable": "true"},
     {"plain": "<script>", "many": ["nope"], "typed": "x"}],
)
def test_every_select_is_written_as_djangos_templates_write_it(data):
    ours, django = Filters(data, renderer=FormRenderer()), Filters(data, renderer=DjangoTemplates())
    for name in Filters.base_fields:
        assert str(ours[name]) == str(django[name]), name
    assert ours.as_div() == django.as_div()


def test_the_fast_path_is_taken_for_a_plain_select(monkeypatch):
    """Not a vacuous equality: the select does not go through Django's select template."""
    seen = []
    monkeypatch.setattr(DjangoTemplates, "get_template", lambda self, name: seen.append(name) or 1 / 0)
    html = str(Filters(renderer=FormRenderer())["grouped"])
    assert html.startswith('<select name="grouped"') and "石墨烯" in html and seen == []


def test_a_custom_option_template_goes_to_django():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class F(forms.Form):
        f = forms.ChoiceField(choices=[("a", "甲")], widget=Custom)

    assert str(F(renderer=FormRenderer())["f"]) == str(F(renderer=DjangoTemplates())["f"])

"""The agendas job's progress line in English: "1 personal agenda"; Chinese unchanged."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext

LAYING_OUT = "排版 %(n)d 份个人议程"


def test_the_progress_line_agrees_with_its_count_in_english():
    with translation.override("en"):
        assert ngettext(LAYING_OUT, LAYING_OUT, 1) % {"n": 1} == "Laying out 1 personal agenda"
        assert ngettext(LAYING_OUT, LAYING_OUT, 2) % {"n": 2} == "Laying out 2 personal agendas"
    with translation.override("zh-hans"):
        assert ngettext(LAYING_OUT, LAYING_OUT, 1) % {"n": 1} == "排版 1 份个人议程"

"""The dashboard workbook's notes in English: counts agree with their nouns; Chinese unchanged."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext

STOPS = "期内走访，共走访企业 %(value)s 家次"
SCALE = "参与规模合计 %(value)s 人"


def test_the_notes_agree_with_their_counts_in_english():
    with translation.override("en"):
        assert ngettext(STOPS, STOPS, 1) % {"value": 1} == "Visits in the period, 1 enterprise visit in all"
        assert ngettext(STOPS, STOPS, 3) % {"value": 3} == "Visits in the period, 3 enterprise visits in all"
        assert ngettext(SCALE, SCALE, 1) % {"value": 1} == "1 participant in all"
    with translation.override("zh-hans"):
        assert ngettext(STOPS, STOPS, 1) % {"value": 1} == "期内走访，共走访企业 1 家次"
        assert ngettext(SCALE, SCALE, 1) % {"value": 1} == "参与规模合计 1 人"

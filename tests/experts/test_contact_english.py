"""The expert-contact message limit in English: counts agree with their nouns; Chinese unchanged."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext

TOO_LONG = "留言过长，请控制在 %(n)s 字以内。"


def test_the_message_limit_agrees_with_its_count_in_english():
    with translation.override("en"):
        assert ngettext(TOO_LONG, TOO_LONG, 1) % {"n": 1} == "The message is too long; please keep it within 1 character."
        assert ngettext(TOO_LONG, TOO_LONG, 500) % {"n": 500} == "The message is too long; please keep it within 500 characters."
    with translation.override("zh-hans"):
        assert ngettext(TOO_LONG, TOO_LONG, 1) % {"n": 1} == "留言过长，请控制在 1 字以内。"

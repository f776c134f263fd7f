"""Punctuation of the reader's language around words the templates put together.

A Chinese template writes ``{% translate "待确认的已对接" %}（{{ n }}）``; in English that reads
"Matches awaiting confirmation（0）", the full-width brackets looking like a typo. ``{{ n|parens }}``
gives （0） in Chinese and " (0)" in English.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

register = template.Library()


@register.filter
def parens(value) -> str:
    """``value`` in the active language's brackets (escaped unless already safe)."""
    if _chinese():
        return format_html("（{}）", value)
    return format_html(" ({})", value)


def bracketed(text) -> str:
    """Plain text (not HTML) in the reader's brackets, for ``__str__`` and messages: "（x）" / " (x)"."""
    return f"（{text}）" if _chinese() else f" ({text})"


@register.filter
def joinlist(values) -> str:
    """Names joined as the reader's language lists them: "甲、乙" in Chinese, "甲, 乙" in English.

    Like the built-in ``join``, each item is escaped (unless already safe) and the result is safe."""
    sep = "、" if _chinese() else ", "
    return format_html_join(sep, "{}", ((v,) for v in values))


@register.simple_tag
def colon() -> str:
    """The colon after a label: "：" in Chinese, ": " in English ("Society:Value" otherwise)."""
    return "：" if _chinese() else ": "


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")

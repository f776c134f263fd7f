"""Printing needs in templates: ``{% load needs_tags %}{{ need|need_title:user }}``.

Every template that names a need goes through these filters, which call
``kechuang.needs.selectors.need_label`` — the one place that decides whether the reader sees the
title or "（保密需求）". Lists come from selectors that mark their needs in one query."""

from __future__ import annotations

from django import template

from kechuang.needs.selectors import need_label, need_visible, visible_needs

register = template.Library()


@register.filter
def need_title(need, user) -> str:
    """The need's title if ``user`` may see it, else "（保密需求）"; "" without a need."""
    return need_label(user, need)


@register.filter
def need_is_visible(need, user) -> bool:
    """Whether ``user`` may open ``need`` (to decide whether to link to it)."""
    return need_visible(user, need)


@register.filter
def visible_to(needs, user) -> list:
    """The needs of a list that ``user`` may see (counts and lists never reveal a hidden need)."""
    return visible_needs(user, needs or [])

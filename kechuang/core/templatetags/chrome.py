"""base.html's top bar in Python where the template engine cost most on every page (ADR 0051):
``{% nav_links nav_items %}`` writes the main navigation's links, ``{% fixed_url "name" %}`` is
``{% url "name" %}`` for a URL without arguments, reversed once per process (``core.rows.fixed_url``)."""

from __future__ import annotations

from django import template

from kechuang.core.rows import fixed_url as _fixed_url
from kechuang.core.rows import markup, text

register = template.Library()
ACTIVE = ' class="active" aria-current="page"'


@register.simple_tag
def fixed_url(viewname: str) -> str:
    return _fixed_url(viewname)  # escaped by the simple tag, as {% url %} escapes


@register.simple_tag
def nav_links(items) -> str:
    """``{% for item in nav_items %}<a href="…"{% if item.active %} class="active" aria-current="page"{% endif %}>…</a>{% endfor %}``."""
    return markup("".join(
        f'<a href="{text(i["url"])}"{ACTIVE if i["active"] else ""}>{text(i["label"])}</a>'
        for i in items or []
    ))

"""The form renderer: Django's, with ``<select>`` written in Python (ADR 0048).

Django renders a ``<select>`` through three templates, one ``{% include %}`` per option and another per
option's attributes: the needs list's five filter selects (72 options) were ~15 % of the page's CPU, and
every form with a choice of organisations, experts or districts pays the same. ``FormRenderer.render``
writes exactly the markup of ``django/forms/widgets/select.html`` and ``select_option.html`` (the
same escaping and whitespace; tests/core/test_form_renderer.py compares the two byte for byte) and hands
anything else — another template, a custom option template, a label that is not text — to Django.
"""

from __future__ import annotations

import html

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless it was marked safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else html.escape(text)  # escape() is html.escape of str


def _escaped(value) -> str:
    """``conditional_escape``, with a plain ``str`` (most names, values and labels) escaped directly."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_formatted(value)}"')
    return "".join(out)


def _text(value) -> bool:
    return isinstance(value, str | Promise)


def _select(widget: dict) -> str | None:
    """The select's markup, or None when something calls for Django's own templates."""
    parts = [f'<select name="{_escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            if not _text(group_name):
                return None
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION or not _text(option["label"]):
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_escaped(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's template renderer, except for plain ``<select>`` widgets."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT and isinstance(widget := context.get("widget"), dict) and _text(widget.get("name")):
            markup = _select(widget)
            if markup is not None:
                return mark_safe(markup)  # noqa: S308 — every value above is escaped as the template does
        return super().render(template_name, context, request=request)

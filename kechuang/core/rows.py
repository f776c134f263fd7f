"""Table rows written in Python, byte for byte what their templates wrote (ADR 0051).

A list page's rows were most of its CPU: per row and cell Django's template engine resolves
variables, pushes contexts, reverses URLs (~40 µs each here) and translates (every ``gettext`` reads
``asgiref`` context-locals). The row tags (``needs_tags.need_rows``, ``experts_rows``,
``dashboard_rows``) write the same markup with these helpers; ``tests/core/test_rows.py`` renders
every page that uses them with the original templates and with the tags, for several roles and both
languages, and compares the bytes.

The helpers reproduce what the template engine does to a value printed with ``{{ }}`` (``text``)
and to ``{% translate "literal" %}`` (``literal``: a literal is safe, so its translation is not
escaped; the message is written ``gettext("…")`` where it is used, for makemessages), and reverse a
URL once per table instead of once per row (``pk_url``) or once per process (``fixed_url``).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _html_escape

from django.conf import settings
from django.template.base import render_value_in_context
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

_CONTEXT = Context(autoescape=True)
_SENTINEL = 918273645


def text(value) -> str:
    """``{{ value }}``: localized, made a string and escaped unless safe (None prints "None", as there)."""
    if type(value) is str:  # the common cases, without the engine's localize()
        return conditional_escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:  # localize() prints it as str() then
        return str(value)
    return render_value_in_context(value, _CONTEXT)


def literal(translation: str) -> SafeString:
    """``{% translate "message" %}`` as ``literal(gettext("message"))``: the translation of a literal is not
    escaped (a template literal is safe), and "%%" prints "%"."""
    return mark_safe(translation.replace("%%", "%"))  # noqa: S308 — the template does the same


def markup(html: str) -> SafeString:
    """A row tag's output: markup whose every value went through ``text``, ``literal`` or ``pk_url``."""
    return mark_safe(html)  # noqa: S308 — see above: values are escaped as the template engine does


def ymd(value) -> str:
    """``{{ value|date:"Y-m-d" }}`` of a date or datetime (local time), "" for None/""."""
    if value in (None, ""):
        return ""
    value = template_localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


_FIXED: dict[tuple, str] = {}


def fixed_url(viewname: str) -> str:
    """``reverse(viewname)`` of a URL without arguments, kept per URL configuration and script prefix
    (all a reverse depends on here: one instance per application namespace, no ``i18n_patterns``)."""
    key = (viewname, get_script_prefix(), get_urlconf())
    url = _FIXED.get(key)
    if url is None:
        url = _FIXED[key] = reverse(viewname)
    return url


def pk_url(viewname: str) -> Callable[[int], str]:
    """``{% url viewname pk %}`` for many integer pks at the price of one ``reverse``: the URL of a
    sentinel pk, split around it (escaped as the tag does). Falls back to ``reverse`` per call when
    the sentinel does not appear exactly once."""
    url = str(conditional_escape(reverse(viewname, args=[_SENTINEL])))
    head, sep, tail = url.partition(str(_SENTINEL))
    if not sep or str(_SENTINEL) in tail:
        return lambda pk: str(conditional_escape(reverse(viewname, args=[pk])))
    return lambda pk: f"{head}{int(pk)}{tail}"


def plain_text(value) -> str:
    """``text(value)`` at the price of one ``html.escape`` when ``value`` is a plain ``str`` — what
    ``conditional_escape`` ends in for one (Django's ``escape`` is ``html.escape`` behind a wrapper that
    looks for lazy arguments, ~40 calls a value); anything else (a safe or lazy string, a number, a
    date, an object) goes to ``text``. Added in session 16 for the need page's tags."""
    if type(value) is str:
        return _html_escape(value)
    return text(value)

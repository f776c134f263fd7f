"""Choice labels printed without re-translating every choice on every call.

Django's ``get_FOO_display()`` builds a dict of *all* the field's choices on each call, and hashing
each lazy label translates it: a status with 8 choices costs 8 ``gettext`` calls (each two
``asgiref`` context-local reads, ~10–20 µs here) per row printed — about a tenth of a list page's CPU
(ADR 0048). ``ChoiceLabels`` keeps, per field and active language, the labels already translated.
Django binds ``get_FOO_display`` to ``cls._get_FIELD_display`` when the model class is created, so
the mixin must be among a model's bases (``class Need(ChoiceLabels, models.Model)``); a test checks
that every model of the project with choices has it.
"""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_LABELS: dict[tuple, dict] = {}


def choice_labels(field) -> dict:
    """``{value: label}`` of ``field``'s choices in the active language (built once per language)."""
    key = (field.model, field.name, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}
        _LABELS[key] = labels
    return labels


class ChoiceLabels:
    """Model mixin: ``get_FOO_display()`` reads the cached labels (same result as Django's)."""

    def _get_FIELD_display(self, field):  # noqa: N802 — Django's name, overridden
        value = getattr(self, field.attname)
        label = choice_labels(field).get(make_hashable(value))
        return force_str(value, strings_only=True) if label is None else label

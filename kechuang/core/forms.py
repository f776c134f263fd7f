"""Form fields every app uses where Django's own would turn bad input into a server error."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import IntegerField


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an out-of-range number (``99999999999999999999999``) is an invalid choice.

    Django drops out-of-range integers from ``exact`` lookups, not from the ``__in`` query this field
    runs: SQLite raises OverflowError and PostgreSQL "bigint out of range" — a 500 for a typo.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        field = meta.pk if key == "pk" else meta.get_field(key)
        if isinstance(field, IntegerField) and isinstance(value, list | tuple | set | frozenset):
            db = connections[router.db_for_read(self.queryset.model)]
            low, high = db.ops.integer_field_range(field.get_internal_type())
            for v in value:
                try:
                    n = int(v)
                except (TypeError, ValueError):
                    continue  # Django's own check names it (invalid_pk_value)
                if (low is not None and n < low) or (high is not None and n > high):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v}
                    )
        return super()._check_values(value)

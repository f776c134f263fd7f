"""The one place that decides what a user may see (NetBox's ``restrict`` idea).

Every selector starts from ``restrict(queryset, user)``; views never filter by role themselves.
An object outside the scope is simply not in the queryset, so ``get_object_or_404`` answers 404,
not 403 — nobody learns that a confidential need exists.

Coordinators (``user.is_coordinator``) see everything; for everyone else each app states the
rule for each of its models in ``<app>/access_rules.py`` with ``@rule("<app>.<model>")`` (found
and imported by ``kechuang.core.extensions`` when Django starts). A model without a rule is never
shown. This module imports no app: core is the ground floor.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet

_RULES: dict[str, Callable[[QuerySet, object], QuerySet]] = {}


def rule(label: str):
    def register(fn):
        _RULES[label] = fn
        return fn

    return register


def restrict(queryset: QuerySet, user) -> QuerySet:
    """Return only the rows of ``queryset`` that ``user`` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_coordinator:
        return queryset
    label = queryset.model._meta.label_lower
    try:
        fn = _RULES[label]
    except KeyError as exc:  # a model without a rule must never be shown by accident
        raise LookupError(f"no access rule for {label}") from exc
    return fn(queryset, user)


def can_see(user, obj: Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


@rule("core.auditentry")
def _audit(qs, user):
    return qs.none()  # only coordinators read the audit trail

"""Rows the dashboard lists (titles in the page and the briefings): always through ``restrict()``."""

from __future__ import annotations

from django.db.models import QuerySet

from kechuang.dashboard.selectors.records import scoped_agreements, scoped_needs
from kechuang.dashboard.selectors.scope import Scope
from kechuang.followup.models import Agreement
from kechuang.needs.models import Need
from kechuang.needs.selectors import need_list


def recent_agreements(user, scope: Scope, limit: int | None = 10) -> QuerySet[Agreement]:
    qs = scoped_agreements(user, scope).order_by("-signed", "-pk").prefetch_related("parties")
    return qs[:limit] if limit else qs


def visible_major_needs(user, scope: Scope) -> QuerySet[Need]:
    """Major needs in scope that ``user`` may see — the same needs the figures count."""
    qs = need_list(user=user).filter(major=True, pk__in=scoped_needs(user, scope).values("pk"))
    return qs.order_by("-created_at", "-pk")

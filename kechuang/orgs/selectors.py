from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from kechuang.core.access import restrict
from kechuang.core.filters import search_text
from kechuang.orgs.models import Organisation


def organisation_list(*, user, filters: dict | None = None) -> QuerySet[Organisation]:
    f = filters or {}
    qs = restrict(Organisation.objects.all(), user).select_related("district", "chain")
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if t := search_text(f.get("q")):
        qs = qs.filter(Q(name__icontains=t) | Q(short_name__icontains=t))
    return qs


def organisation_get(*, user, pk: int) -> Organisation:
    return get_object_or_404(organisation_list(user=user), pk=pk)


def organisation_with_counts(*, user) -> QuerySet[Organisation]:
    return organisation_list(user=user).annotate(n_needs=Count("needs", distinct=True))

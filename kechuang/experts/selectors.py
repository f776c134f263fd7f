"""Reads of experts, achievements and service teams, scoped by ``kechuang.core.access``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from kechuang.core.access import restrict
from kechuang.core.filters import search_text
from kechuang.experts.models import Achievement, Expert, ServiceTeam


def expert_list(*, user, filters: dict | None = None) -> QuerySet[Expert]:
    f = filters or {}
    qs = restrict(Expert.objects.all(), user).select_related("affiliation").prefetch_related("societies")
    if f.get("society"):
        qs = qs.filter(societies=f["society"])
    if t := search_text(f.get("q")):
        qs = qs.filter(
            Q(name__icontains=t)
            | Q(keywords__icontains=t)
            | Q(fields__icontains=t)
            | Q(affiliation__name__icontains=t)
        )
    return qs.distinct()


def expert_get(*, user, pk: int) -> Expert:
    return get_object_or_404(expert_list(user=user), pk=pk)


def achievement_list(*, user, filters: dict | None = None) -> QuerySet[Achievement]:
    f = filters or {}
    qs = restrict(Achievement.objects.all(), user).select_related("owner_society", "owner_expert", "chain")
    if f.get("society"):
        qs = qs.filter(owner_society=f["society"])
    if t := search_text(f.get("q")):
        qs = qs.filter(Q(title__icontains=t) | Q(description__icontains=t))
    return qs


def achievement_get(*, user, pk: int) -> Achievement:
    return get_object_or_404(achievement_list(user=user), pk=pk)


def team_list(*, user) -> QuerySet[ServiceTeam]:
    return (
        restrict(ServiceTeam.objects.all(), user)
        .prefetch_related("societies", "chains")
        .annotate(n_experts=Count("experts", distinct=True))
    )

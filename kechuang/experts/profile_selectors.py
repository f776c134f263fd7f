"""Reads behind the profile pages: the history of a profile (its audit entries) and the service teams."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from kechuang.core.access import restrict
from kechuang.core.models import AuditEntry
from kechuang.experts.models import Achievement, Expert, ServiceTeam


def history(*, user, obj, limit: int = 50) -> list[AuditEntry]:
    """The changes of ``obj`` (an expert with its publications and patents, an achievement, a team),
    newest first — for a reader who may see ``obj`` (the caller checked that it may edit it)."""
    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), user).exists():
        return []
    q = Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if isinstance(obj, Expert):
        q |= Q(object_type__in=("experts.publication", "experts.patent"), changes__expert=obj.pk)
    return list(AuditEntry.objects.filter(q).order_by("-pk")[:limit])


def team_list(*, user, include_retired: bool = False) -> QuerySet[ServiceTeam]:
    qs = restrict(ServiceTeam.objects.all(), user).prefetch_related("societies", "experts", "chains")
    return qs if include_retired else qs.filter(retired_at__isnull=True)


def team_get(*, user, pk: int) -> ServiceTeam:
    return get_object_or_404(team_list(user=user, include_retired=True), pk=pk)


def expert_get(*, user, pk: int) -> Expert:
    return get_object_or_404(restrict(Expert.objects.all(), user), pk=pk)


def achievement_get(*, user, pk: int) -> Achievement:
    return get_object_or_404(restrict(Achievement.objects.all(), user), pk=pk)

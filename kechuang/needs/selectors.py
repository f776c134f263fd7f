"""Every read of needs, scoped to the user through ``kechuang.core.access``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kechuang.core.access import restrict
from kechuang.core.filters import search_text
from kechuang.needs.models import Need, NeedStatus, NeedStatusChange


def need_list(*, user, filters: dict | None = None) -> QuerySet[Need]:
    """Needs the user may see, filtered by chain, district (with its zones), status, text."""
    qs = (
        restrict(Need.objects.all(), user)
        .select_related("enterprise", "chain", "district")
        .annotate(
            is_stalled=ExpressionWrapper(
                Q(status__in=NeedStatus.MAY_STALL, status_changed_at__lt=stalled_before()),
                output_field=BooleanField(),
            )
        )
    )
    f = filters or {}
    if f.get("chain"):
        qs = qs.filter(chain__code=f["chain"])
    if f.get("district"):
        from kechuang.accounts.models import Area

        area = Area.objects.filter(code=f["district"]).first()
        qs = qs.filter(district_id__in=area.subtree_ids()) if area else qs.none()
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("confidentiality"):
        qs = qs.filter(confidentiality=f["confidentiality"])
    if f.get("major"):
        qs = qs.filter(major=True)
    if f.get("stalled"):
        qs = qs.filter(status__in=NeedStatus.MAY_STALL, status_changed_at__lt=stalled_before())
    if text := search_text(f.get("q")):
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(problem__icontains=text)
            | Q(goal__icontains=text)
            | Q(background__icontains=text)
            | Q(enterprise__name__icontains=text)
        )
    return qs


def need_get(*, user, pk: int) -> Need:
    """One need, or 404 when it does not exist *or* the user may not see it."""
    return get_object_or_404(need_list(user=user), pk=pk)


def need_history(*, user, need: Need) -> QuerySet[NeedStatusChange]:
    return restrict(NeedStatusChange.objects.filter(need=need), user).select_related("by")


def stalled_before():
    return timezone.now() - timedelta(days=settings.KECHUANG_STALLED_DAYS)


def need_is_stalled(need: Need) -> bool:
    return need.status in NeedStatus.MAY_STALL and need.status_changed_at < stalled_before()


def need_counts_by_status(*, user) -> dict[str, int]:
    from django.db.models import Count

    rows = restrict(Need.objects.all(), user).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}

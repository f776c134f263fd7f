"""Every read of follow-up records, scoped to the user through ``kechuang.core.access.restrict``.

Linked needs are always read through the need rule, so a confidential need never appears next to
a visit or an agreement for someone who may not see it.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from kechuang.accounts.models import Area
from kechuang.core.access import restrict
from kechuang.core.filters import search_text
from kechuang.events.models import Event
from kechuang.followup.models import (
    Agreement,
    AgreementAttachment,
    Base,
    BaseService,
    Milestone,
    Visit,
    VisitStop,
)
from kechuang.needs.models import Need, NeedStatus
from kechuang.needs.selectors import need_list

CITY_EVENT_KINDS = (Event.Kind.CONFERENCE, Event.Kind.COMPETITION)


def _area_filter(qs: QuerySet, field: str, code: str | None) -> QuerySet:
    if not code:
        return qs
    area = Area.objects.filter(code=code).first()
    return qs.filter(**{f"{field}__in": area.subtree_ids()}) if area else qs.none()


# --------------------------------------------------------------------------- visits
def visit_list(*, user, filters: dict | None = None) -> QuerySet[Visit]:
    f = filters or {}
    qs = restrict(Visit.objects.all(), user).select_related("district", "park")
    qs = _area_filter(qs, "district_id", f.get("district"))
    if t := search_text(f.get("q")):
        qs = qs.filter(title__icontains=t)
    if f.get("date_from"):
        qs = qs.filter(date__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(date__lte=f["date_to"])
    return qs.annotate(
        n_stops=Count("stops", distinct=True),
        n_experts=Count("experts", distinct=True),
        n_diagnosed=Count("stops", filter=~Q(stops__findings=""), distinct=True),
    ).order_by("-date", "-pk")


def visit_get(*, user, pk: int) -> Visit:
    return get_object_or_404(
        restrict(Visit.objects.all(), user).select_related("district", "park", "event"), pk=pk
    )


def visit_stops(*, user, visit: Visit) -> QuerySet[VisitStop]:
    """The stops of a visit the user may see, each with the needs it produced that the user may see."""
    return (
        restrict(VisitStop.objects.filter(visit=visit), user)
        .select_related("enterprise", "diagnosed_by")
        .prefetch_related(Prefetch("needs", queryset=need_list(user=user), to_attr="visible_needs"))
    )


def stop_get(*, user, pk: int) -> VisitStop:
    return get_object_or_404(
        restrict(VisitStop.objects.all(), user).select_related("visit", "enterprise"), pk=pk
    )


# --------------------------------------------------------------------------- agreements
def agreement_list(*, user, filters: dict | None = None) -> QuerySet[Agreement]:
    f = filters or {}
    qs = restrict(Agreement.objects.all(), user)
    if f.get("district"):
        area = Area.objects.filter(code=f["district"]).first()
        ids = area.subtree_ids() if area else []
        qs = qs.filter(pk__in=Agreement.objects.filter(parties__district_id__in=ids).values("pk"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if t := search_text(f.get("q")):
        qs = qs.filter(title__icontains=t)
    if f.get("date_from"):
        qs = qs.filter(signed__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(signed__lte=f["date_to"])
    return (
        qs.prefetch_related("parties")
        .annotate(
            n_milestones=Count("milestones", distinct=True),
            n_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
        )
        .order_by("-signed", "-pk")
    )


def agreement_totals(qs: QuerySet[Agreement]) -> dict:
    return Agreement.objects.filter(pk__in=qs.values("pk")).aggregate(n=Count("pk"), amount=Sum("amount"))


def agreement_get(*, user, pk: int) -> Agreement:
    return get_object_or_404(
        restrict(Agreement.objects.all(), user)
        .select_related("event", "recorded_by")
        .prefetch_related("parties"),
        pk=pk,
    )


def agreement_needs(*, user, agreement: Agreement) -> QuerySet[Need]:
    return need_list(user=user).filter(agreements=agreement)


def agreement_milestones(*, user, agreement: Agreement) -> QuerySet[Milestone]:
    return restrict(Milestone.objects.filter(agreement=agreement), user)


def agreement_attachments(*, user, agreement: Agreement) -> QuerySet[AgreementAttachment]:
    return restrict(AgreementAttachment.objects.filter(agreement=agreement), user).select_related(
        "uploaded_by"
    )


def agreement_visits(*, user, agreement: Agreement) -> QuerySet[Visit]:
    return restrict(agreement.visits.all(), user)


def attachment_get(*, user, pk: int) -> AgreementAttachment:
    return get_object_or_404(restrict(AgreementAttachment.objects.all(), user), pk=pk)


def milestone_get(*, user, pk: int) -> Milestone:
    return get_object_or_404(restrict(Milestone.objects.all(), user).select_related("agreement"), pk=pk)


# --------------------------------------------------------------------------- bases
def base_list(*, user, filters: dict | None = None) -> QuerySet[Base]:
    f = filters or {}
    qs = restrict(Base.objects.all(), user).select_related("society", "host", "district")
    qs = _area_filter(qs, "district_id", f.get("district"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    return qs.annotate(n_services=Count("services")).order_by("-unveiled", "pk")


def base_get(*, user, pk: int) -> Base:
    return get_object_or_404(
        restrict(Base.objects.all(), user).select_related("society", "host", "district", "agreement"), pk=pk
    )


def base_services(*, user, base: Base) -> QuerySet[BaseService]:
    return restrict(BaseService.objects.filter(base=base), user)


# --------------------------------------------------------------------------- conferences, experts
def city_event_list(*, user) -> QuerySet[Event]:
    """National conferences and competitions the societies brought to the city."""
    return (
        restrict(Event.objects.filter(kind__in=CITY_EVENT_KINDS), user)
        .prefetch_related("societies", "organisers")
        .select_related("district")
    )


def expert_followup(*, user, expert) -> dict:
    """Visits the expert took part in and agreements that name them, as far as ``user`` may see.

    TODO(matching): the needs the expert was contacted about come from the matching app.
    """
    return {
        "visits": restrict(Visit.objects.filter(experts=expert), user).select_related("district"),
        "agreements": restrict(Agreement.objects.filter(experts=expert), user),
    }


def linkable_needs(*, user) -> QuerySet[Need]:
    """Needs an agreement may be linked to: the ones the user sees, newest first."""
    return need_list(user=user).exclude(status__in=NeedStatus.ENDED)


# --------------------------------------------------------------------------- stalled needs
def stalled_for(user) -> QuerySet[Need]:
    """Stalled needs for one digest recipient: all of them for coordinators, their own otherwise."""
    qs = need_list(user=user, filters={"stalled": True}).select_related("owner")
    if user.is_coordinator:
        return qs.order_by("status_changed_at", "pk")
    return qs.filter(owner=user).order_by("status_changed_at", "pk")

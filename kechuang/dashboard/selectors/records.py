"""The records a scope counts, as querysets: needs, events, visits, agreements, bases.

Every queryset starts from ``restrict(queryset, user)``, so a figure counts only records the user
may open — a confidential need is never counted for leadership or district staff (ADR 0014).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kechuang.core.access import restrict
from kechuang.dashboard.selectors.scope import Scope, can_view_dashboard
from kechuang.events.models import Event
from kechuang.followup.models import Agreement, Base, Visit
from kechuang.needs.models import Need, NeedStatus

MEETING_KINDS = (Event.Kind.MATCHMAKING, Event.Kind.SYMPOSIUM)
CITY_EVENT_KINDS = (Event.Kind.CONFERENCE, Event.Kind.COMPETITION)


def _in_area(qs: QuerySet, scope: Scope, fld: str) -> QuerySet:
    return qs if scope.area_ids is None else qs.filter(**{f"{fld}__in": scope.area_ids})


def _dates(qs: QuerySet, scope: Scope, fld: str) -> QuerySet:
    qs = qs.filter(**{f"{fld}__lte": scope.end})
    return qs.filter(**{f"{fld}__gte": scope.start}) if scope.start else qs


def _times(qs: QuerySet, scope: Scope, fld: str) -> QuerySet:
    lo, hi = scope.dt_range()
    qs = qs.filter(**{f"{fld}__lt": hi})
    return qs.filter(**{f"{fld}__gte": lo}) if lo else qs


def visible_needs(user, scope: Scope) -> QuerySet[Need]:
    """The needs ``user`` may open (``restrict()``): every need for coordinators; public ones for
    leadership; public ones in their area and those they submitted for district staff. The figures
    count only these (ADR 0014-dashboard-confidential-figures), so no count, breakdown cell or
    difference between two figures lets anyone infer a need they may not open. Built once per scope."""
    k = ("visible_needs", user.pk)
    if k not in scope.memo:
        scope.memo[k] = restrict(Need.objects.all(), user)
    return scope.memo[k]


def scoped_needs(user, scope: Scope) -> QuerySet[Need]:
    """Needs *collected* in the period (by submission time) in the area that ``user`` may open —
    for counting only (every need for coordinators)."""
    if not can_view_dashboard(user):
        return Need.objects.none()
    return _in_area(_times(visible_needs(user, scope), scope, "created_at"), scope, "district_id")


_agreement_needs = Agreement.needs.through.objects.all()


def need_counts(user, scope: Scope) -> list[dict]:
    """Needs in scope counted per (area, chain): all, major, open, with an agreement — one grouped
    query (for coordinators it reads only the covering index ``need_dashboard_cover``), shared by the
    headline, the district and the chain breakdowns (computed once per scope)."""
    k = ("need_counts", user.pk)
    if k not in scope.memo:
        scope.memo[k] = list(
            scoped_needs(user, scope)
            .order_by()
            .values("district_id", "chain_id")
            .annotate(
                n=Count("pk"),
                major=Count("pk", filter=Q(major=True)),
                open=Count("pk", filter=Q(status__in=NeedStatus.IN_PROGRESS)),
                signed=Count("pk", filter=Q(Exists(_agreement_needs.filter(need_id=OuterRef("pk"))))),
            )
        )
    return scope.memo[k]


def sum_by(rows: list[dict], key: str) -> dict:
    out: dict = {}
    for r in rows:
        acc = out.setdefault(r[key], {"n": 0, "major": 0, "open": 0, "signed": 0})
        for k in acc:
            acc[k] += r[k]
    return out


def scoped_events(user, scope: Scope, kinds) -> QuerySet[Event]:
    """Events held in the period, in the area: an event counts for the district (or zone) it is held
    in; an event without a district counts for the area of a local organiser (e.g. 莱西市政府), and
    for the whole city otherwise."""
    qs = _times(restrict(Event.objects.filter(kind__in=kinds), user), scope, "start")
    if scope.area_ids is None:
        return qs
    organised_here = Event.objects.filter(district__isnull=True, organisers__district_id__in=scope.area_ids)
    return qs.filter(Q(district_id__in=scope.area_ids) | Q(pk__in=organised_here.values("pk")))


def scoped_visits(user, scope: Scope) -> QuerySet[Visit]:
    return _in_area(_dates(restrict(Visit.objects.all(), user), scope, "date"), scope, "district_id")


def scoped_agreements(user, scope: Scope) -> QuerySet[Agreement]:
    """Agreements signed in the period; in an area when any party organisation sits in it."""
    qs = _dates(restrict(Agreement.objects.all(), user), scope, "signed")
    if scope.area_ids is not None:
        qs = qs.filter(pk__in=Agreement.objects.filter(parties__district_id__in=scope.area_ids).values("pk"))
    return qs


def scoped_bases(user, scope: Scope, *, since_start: bool = False) -> QuerySet[Base]:
    """Bases and centres unveiled by the end of the period (or within it, with ``since_start``)."""
    qs = restrict(Base.objects.filter(unveiled__lte=scope.end), user)
    if since_start and scope.start:
        qs = qs.filter(unveiled__gte=scope.start)
    return _in_area(qs, scope, "district_id")

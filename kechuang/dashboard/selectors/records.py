"""The records a scope counts, as querysets: needs, events, visits, agreements, bases.

Every queryset starts from ``restrict(queryset, user)``, so a figure counts only records the user
may open — a confidential need is never counted for leadership or district staff (ADR 0014).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.db.models import CharField, Count, Func, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

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


class Month(Func):
    """``YYYY-MM`` of a date or of a datetime in the current time zone, computed by the database.

    Django's ``TruncMonth`` on SQLite calls a Python function per row (slow on 100k rows); here SQLite
    shifts by the zone's current UTC offset (exact for zones without daylight saving, such as
    Asia/Shanghai) and PostgreSQL converts with ``AT TIME ZONE``.
    """

    output_field = CharField()

    def __init__(self, expression, *, is_datetime: bool):
        super().__init__(expression)
        self.is_datetime = is_datetime

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if not self.is_datetime:
            return f"strftime('%%Y-%%m', {sql})", params
        offset = timezone.localtime().utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        return f"strftime('%%Y-%%m', {sql}, '{minutes:+d} minutes')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if self.is_datetime:
            return f"to_char(({sql}) AT TIME ZONE %s, 'YYYY-MM')", [
                *params,
                timezone.get_current_timezone_name(),
            ]
        return f"to_char({sql}, 'YYYY-MM')", params

    def as_sql(self, compiler, connection, **extra):  # other databases: Django's own truncation
        fn = TruncMonth(
            self.source_expressions[0], tzinfo=timezone.get_current_timezone() if self.is_datetime else None
        )
        sql, params = compiler.compile(fn)
        return sql, params


# What the figures of events, visits, agreements and bases depend on (their records, the parties'
# and societies' organisations, the areas): never the needs. Those figures are kept as parts under
# these apps' versions, so a need write recounts only the needs (docs/adr/0040-briefing-pdf-layout.md).
RECORD_APPS = frozenset({"events", "followup", "orgs", "accounts"})


def part(scope: Scope, name: str, depends_on: frozenset[str], compute: Callable[[], Any]) -> Any:
    """One expensive part of the figures: kept between requests by ``scope.parts`` (the dashboard
    cache, which recomputes it only after a write to one of the apps in ``depends_on``), else
    computed now. docs/adr/0029-dashboard-aggregation.md."""
    if scope.parts is None:
        return compute()
    return scope.parts(name, depends_on, compute)


def scope_months(scope: Scope) -> list[str]:
    """The months (``YYYY-MM``, local time) in which needs counted by ``scope`` were collected: from
    the period's start (or the first need's month) to its end."""
    if scope.start:
        first = scope.start.replace(day=1)
    else:
        t = Need.objects.aggregate(t=Min("created_at"))["t"]  # the index ``need_month_cover``
        if t is None:
            return []
        first = timezone.localtime(t).date().replace(day=1)
    out, m = [], first
    while m <= scope.end:
        out.append(m.strftime("%Y-%m"))
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def _months_scope(scope: Scope, months: list[str]) -> Scope:
    """``scope`` narrowed to the span of ``months`` (first to last; the period's own ends inside)."""
    lo = date.fromisoformat(months[0] + "-01")
    hi = (date.fromisoformat(months[-1] + "-01") + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = max(lo, scope.start) if scope.start else lo
    return replace(scope, start=start, end=min(hi, scope.end), memo={}, parts=None)


def monthly_part(scope: Scope, name: str, compute: Callable[[Scope], dict[str, Any]]) -> dict[str, Any]:
    """A part of the figures that splits by the month a need was collected: ``compute(sub_scope)``
    → {month: value} (months without needs may be absent). Kept per month by the dashboard cache,
    so after a need changes only its month is counted again — the rest is reused, and the result is
    the same as counting everything afresh (tests/dashboard/test_dashboard_parts.py). ADR 0036."""
    if scope.parts is None:
        return compute(scope)
    months = scope_months(scope)
    if not months:
        return {}

    def missing(ms: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for span in _spans(months, set(ms)):
            got = compute(_months_scope(scope, span))
            out.update((m, got.get(m, ())) for m in span)  # () = no needs that month
        return out

    return scope.parts.monthly(name, months, missing)


def _spans(months: list[str], wanted: set[str]) -> list[list[str]]:
    """The wanted months as runs of consecutive months (one query per run)."""
    spans: list[list[str]] = []
    prev_wanted = False
    for m in months:
        if m in wanted:
            if prev_wanted:
                spans[-1].append(m)
            else:
                spans.append([m])
        prev_wanted = m in wanted
    return spans


def _need_counts(user, scope: Scope) -> dict[str, list[dict]]:
    # one pass over the needs (for coordinators only a covering index): counts per area, chain and
    # month of submission, split by month; depends on the needs only
    rows = list(
        scoped_needs(user, scope)
        .order_by()
        .annotate(m=Month("created_at", is_datetime=True))
        .values("district_id", "chain_id", "m")
        .annotate(
            n=Count("pk"),
            major=Count("pk", filter=Q(major=True)),
            open=Count("pk", filter=Q(status__in=NeedStatus.IN_PROGRESS)),
        )
    )
    by_month: dict[str, list[dict]] = {}
    for r in rows:
        r["signed"] = 0
        by_month.setdefault(r["m"], []).append(r)
    for ms in by_month.values():  # the same order however the months were counted
        ms.sort(key=lambda r: (r["district_id"] or 0, r["chain_id"] or 0))
    return by_month


def _signed_counts(user, scope: Scope) -> list[dict]:
    # needs with an agreement, per area and chain: driven by the agreements' need links (far fewer
    # than needs), so it stays cheap when only agreements changed
    return list(
        scoped_needs(user, scope)
        .filter(pk__in=_agreement_needs.values("need_id"))
        .order_by()
        .values("district_id", "chain_id")
        .annotate(signed=Count("pk"))
    )


def need_counts(user, scope: Scope) -> list[dict]:
    """Needs in scope counted per (area, chain, month ``m``): all, major, open, with an agreement —
    two grouped queries (the counts, and the needs with an agreement as rows with ``m`` None),
    shared by the headline, the district, chain and month breakdowns (computed once per scope;
    kept between requests: the counts per month until a need of that month changes
    (``monthly_part``), the signed ones until a need or an agreement changes (``part``))."""
    k = ("need_counts", user.pk)
    if k not in scope.memo:
        per_month = monthly_part(scope, "need_counts", lambda sc: _need_counts(user, sc))
        counts = [r for m in sorted(per_month) for r in per_month[m] or ()]
        signed = part(
            scope, "signed_counts", frozenset({"needs", "followup"}), lambda: _signed_counts(user, scope)
        )
        scope.memo[k] = list(counts) + [
            {
                "district_id": r["district_id"],
                "chain_id": r["chain_id"],
                "m": None,
                "n": 0,
                "major": 0,
                "open": 0,
                "signed": r["signed"],
            }
            for r in signed
        ]
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

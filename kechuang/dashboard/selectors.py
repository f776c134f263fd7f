"""The dashboard's figures, computed from records for a period and an area (never typed in).

Definitions are in docs/adr/0004-dashboard-figures.md. Two kinds of read:

- *aggregates* (counts, sums, medians) are taken over every record in the dashboard's scope —
  the whole city for coordinators and leadership, the user's own area for district staff.
  Counting a confidential need is allowed; nothing here returns its text.
- *rows* (titles shown in drill-downs and exports) always go through ``restrict()`` via the
  follow-up and need selectors, so a confidential need is listed only to those who may see it.

Every breakdown is one grouped query, so the number of queries does not grow with the data
(pinned in tests/dashboard/test_dashboard_views.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import CharField, Count, Exists, Func, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from kechuang.accounts.models import Area, Role
from kechuang.core.access import restrict
from kechuang.dashboard.briefing import Headline, period_label
from kechuang.events.models import Event
from kechuang.experts.models import Achievement, Expert
from kechuang.followup.models import Agreement, Base, Visit
from kechuang.needs.models import FUNNEL_STAGES, Need, NeedStageFact, NeedStatus
from kechuang.needs.selectors import need_list
from kechuang.orgs.models import IndustryChain, Organisation

DASHBOARD_ROLES = (Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT)
MEETING_KINDS = (Event.Kind.MATCHMAKING, Event.Kind.SYMPOSIUM)
CITY_EVENT_KINDS = (Event.Kind.CONFERENCE, Event.Kind.COMPETITION)
FUNNEL = FUNNEL_STAGES
OPEN_STATUSES = ("submitted", "reviewed", "matched", "met")
THIN_RATIO = 3  # a chain is "thin" when it has more than 3 needs per covering expert


def can_view_dashboard(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in DASHBOARD_ROLES))


@dataclass
class Scope:
    """The slice of records a dashboard shows: a period (inclusive dates) and an area subtree."""

    start: date | None
    end: date
    area: Area | None  # None = the whole city
    area_ids: list[int] | None  # None = no area filter
    city_name: str = "全市"
    # per-scope results shared by several selectors (e.g. the needs counts), filled on first use
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def area_name(self) -> str:
        return self.area.name if self.area else self.city_name

    @property
    def period(self) -> str:
        return period_label(self.start, self.end)

    @property
    def area_code(self) -> str:
        return self.area.code if self.area and self.area.kind != Area.Kind.CITY else ""

    def dt_range(self) -> tuple[datetime | None, datetime]:
        tz = timezone.get_current_timezone()
        lo = datetime.combine(self.start, time.min, tzinfo=tz) if self.start else None
        hi = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return lo, hi


def dashboard_scope(
    *, user, district: str | None = None, start: date | None = None, end: date | None = None
) -> Scope:
    """Resolve the filters against what ``user`` may see; 404 for roles without a dashboard and for
    an area outside a district user's own."""
    if not can_view_dashboard(user):
        raise Http404
    end = end or timezone.localdate()
    if start and start > end:
        start, end = end, start
    city = Area.objects.filter(kind=Area.Kind.CITY).order_by("pk").first()
    city_name = city.name if city else "全市"
    if user.role == Role.DISTRICT and not user.is_superuser:
        if user.area_id is None:
            raise Http404
        own = user.area_ids()
        if district:
            area = Area.objects.filter(code=district, pk__in=own).first()
            if area is None:
                raise Http404
        else:
            area = user.area
        ids = own if area.pk == user.area_id else area.subtree_ids()
        return Scope(start, end, area, ids, city_name)
    if district:
        area = Area.objects.filter(code=district).first()
        if area is None:
            raise Http404
        if area.kind == Area.Kind.CITY:
            return Scope(start, end, None, None, city_name)
        return Scope(start, end, area, area.subtree_ids(), city_name)
    return Scope(start, end, None, None, city_name)


# --------------------------------------------------------------------------- scoped querysets
def _in_area(qs: QuerySet, scope: Scope, fld: str) -> QuerySet:
    return qs if scope.area_ids is None else qs.filter(**{f"{fld}__in": scope.area_ids})


def _dates(qs: QuerySet, scope: Scope, fld: str) -> QuerySet:
    qs = qs.filter(**{f"{fld}__lte": scope.end})
    return qs.filter(**{f"{fld}__gte": scope.start}) if scope.start else qs


def _times(qs: QuerySet, scope: Scope, fld: str) -> QuerySet:
    lo, hi = scope.dt_range()
    qs = qs.filter(**{f"{fld}__lt": hi})
    return qs.filter(**{f"{fld}__gte": lo}) if lo else qs


def scoped_needs(user, scope: Scope) -> QuerySet[Need]:
    """Needs *collected* in the period (by submission time) in the area — for counting only."""
    if not can_view_dashboard(user):
        return Need.objects.none()
    return _in_area(_times(Need.objects.all(), scope, "created_at"), scope, "district_id")


_agreement_needs = Agreement.needs.through.objects.all()


def need_counts(user, scope: Scope) -> list[dict]:
    """Needs in scope counted per (area, chain): all, major, open, with an agreement — one pass
    over the covering index ``need_dashboard_cover``, shared by the headline, the district and the
    chain breakdowns (computed once per scope)."""
    if "need_counts" not in scope.memo:
        scope.memo["need_counts"] = list(
            scoped_needs(user, scope)
            .order_by()
            .values("district_id", "chain_id")
            .annotate(
                n=Count("pk"),
                major=Count("pk", filter=Q(major=True)),
                open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
                signed=Count("pk", filter=Q(Exists(_agreement_needs.filter(need_id=OuterRef("pk"))))),
            )
        )
    return scope.memo["need_counts"]


def _sum_by(rows: list[dict], key: str) -> dict:
    out: dict = {}
    for r in rows:
        acc = out.setdefault(r[key], {"n": 0, "major": 0, "open": 0, "signed": 0})
        for k in acc:
            acc[k] += r[k]
    return out


def scoped_events(user, scope: Scope, kinds) -> QuerySet[Event]:
    """Events held in the period. An event without a district counts for the whole city only."""
    qs = _times(restrict(Event.objects.filter(kind__in=kinds), user), scope, "start")
    return _in_area(qs, scope, "district_id")


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


# --------------------------------------------------------------------------- headline figures
def engaged_society_ids(user, scope: Scope) -> set[int]:
    """National societies engaged: named on an event, a visit, an agreement or a base in scope."""
    ev = scoped_events(user, scope, [k for k, _ in Event.Kind.choices]).order_by().values_list("societies")
    vi = scoped_visits(user, scope).order_by().values_list("societies")
    ag = scoped_agreements(user, scope).filter(parties__kind=Organisation.Kind.SOCIETY)
    ag = ag.order_by().values_list("parties")
    ba = scoped_bases(user, scope, since_start=True).order_by().values_list("society")
    ids = [r[0] for r in ev.union(vi, ag, ba)]
    return {i for i in ids if i is not None}


def headline(user, scope: Scope) -> dict:
    """The article's figures for the scope, plus the numbers behind them."""
    counts = need_counts(user, scope)
    needs = {"n": sum(r["n"] for r in counts), "major": sum(r["major"] for r in counts)}
    meetings = scoped_events(user, scope, MEETING_KINDS).count()
    city_events = scoped_events(user, scope, CITY_EVENT_KINDS).aggregate(n=Count("pk"), scale=Sum("scale"))
    visits = Visit.objects.filter(pk__in=scoped_visits(user, scope).values("pk")).aggregate(
        n=Count("pk", distinct=True), stops=Count("stops")
    )
    agreements = Agreement.objects.filter(pk__in=scoped_agreements(user, scope).values("pk")).aggregate(
        n=Count("pk"), amount=Sum("amount")
    )
    bases = scoped_bases(user, scope).aggregate(
        n=Count("pk"),
        new=Count("pk", filter=Q(unveiled__gte=scope.start) if scope.start else Q(unveiled__lte=scope.end)),
        transfer=Count("pk", filter=Q(kind=Base.Kind.TRANSFER_BASE)),
        centres=Count("pk", filter=Q(kind=Base.Kind.INNOVATION_CENTRE)),
    )
    societies = len(engaged_society_ids(user, scope))
    amount = agreements["amount"] or 0
    return {
        "societies": societies,
        "meetings": meetings,
        "needs": needs["n"],
        "major_needs": needs["major"],
        "visits": visits["n"],
        "visit_stops": visits["stops"],
        "agreements": agreements["n"],
        "amount": float(amount),
        "bases": bases["n"],
        "bases_new": bases["new"],
        "transfer_bases": bases["transfer"],
        "centres": bases["centres"],
        "city_events": city_events["n"],
        "city_event_scale": city_events["scale"] or 0,
    }


def headline_tuple(h: dict) -> Headline:
    return Headline(
        societies=h["societies"],
        meetings=h["meetings"],
        needs=h["needs"],
        major_needs=h["major_needs"],
        visits=h["visits"],
        agreements=h["agreements"],
        amount_wan=h["amount"],
        bases=h["bases"],
    )


# --------------------------------------------------------------------------- breakdowns
def _top_district(areas: dict[int, Area]) -> dict[int, int]:
    """Area id → its district (zones roll up to the district they belong to)."""
    out = {}
    for a in areas.values():
        cur = a
        while cur.kind == Area.Kind.ZONE and cur.parent_id in areas:
            cur = areas[cur.parent_id]
        out[a.pk] = cur.pk
    return out


def by_district(user, scope: Scope) -> list[dict]:
    areas = {a.pk: a for a in Area.objects.all()}
    top = _top_district(areas)
    rows: dict[int, dict] = {}

    zone_scope = scope.area is not None and scope.area.kind == Area.Kind.ZONE

    def add(area_id, key, n):
        if area_id is None or area_id not in top:
            return
        if scope.area_ids is not None and area_id not in scope.area_ids:
            return  # e.g. the other party of an agreement that is in scope through one party
        d = scope.area.pk if zone_scope else top[area_id]
        if areas[d].kind == Area.Kind.CITY:
            return
        row = rows.setdefault(
            d, {"area": areas[d], "needs": 0, "major": 0, "visits": 0, "agreements": 0, "bases": 0}
        )
        row[key] += n

    for district_id, r in _sum_by(need_counts(user, scope), "district_id").items():
        add(district_id, "needs", r["n"])
        add(district_id, "major", r["major"])
    for r in scoped_visits(user, scope).values("district_id").annotate(n=Count("pk")):
        add(r["district_id"], "visits", r["n"])
    agr = Agreement.objects.filter(pk__in=scoped_agreements(user, scope).values("pk"))
    for r in agr.values("parties__district_id").annotate(n=Count("pk", distinct=True)):
        add(r["parties__district_id"], "agreements", r["n"])
    for r in scoped_bases(user, scope).values("district_id").annotate(n=Count("pk")):
        add(r["district_id"], "bases", r["n"])
    return sorted(rows.values(), key=lambda r: (-r["needs"], r["area"].code))


def by_society(user, scope: Scope) -> list[dict]:
    socs = {o.pk: o for o in Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)}
    rows = {
        pk: {"society": o, "events": 0, "visits": 0, "agreements": 0, "bases": 0} for pk, o in socs.items()
    }

    def add(pk, key, n):
        if pk in rows:
            rows[pk][key] += n

    ev = scoped_events(user, scope, MEETING_KINDS + CITY_EVENT_KINDS + (Event.Kind.SIGNING, Event.Kind.VISIT))
    for r in ev.values("societies").annotate(n=Count("pk")):
        add(r["societies"], "events", r["n"])
    for r in scoped_visits(user, scope).values("societies").annotate(n=Count("pk")):
        add(r["societies"], "visits", r["n"])
    agr = Agreement.objects.filter(pk__in=scoped_agreements(user, scope).values("pk"))
    for r in agr.filter(parties__kind=Organisation.Kind.SOCIETY).values("parties").annotate(n=Count("pk")):
        add(r["parties"], "agreements", r["n"])
    for r in scoped_bases(user, scope).values("society_id").annotate(n=Count("pk")):
        add(r["society_id"], "bases", r["n"])
    out = [r for r in rows.values() if r["events"] or r["visits"] or r["agreements"] or r["bases"]]
    return sorted(
        out, key=lambda r: (-(r["events"] + r["visits"] + r["agreements"] + r["bases"]), r["society"].name)
    )


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


def by_month(user, scope: Scope) -> list[dict]:
    rows: dict[str, dict] = {}

    def add(month, key, n):
        if month is None:
            return
        rows.setdefault(month, {"needs": 0, "meetings": 0, "visits": 0, "agreements": 0})[key] += n

    def grouped(qs, fld, is_datetime):
        return (
            qs.order_by().annotate(m=Month(fld, is_datetime=is_datetime)).values("m").annotate(n=Count("pk"))
        )

    for r in grouped(scoped_needs(user, scope), "created_at", True):
        add(r["m"], "needs", r["n"])
    for r in grouped(scoped_events(user, scope, MEETING_KINDS), "start", True):
        add(r["m"], "meetings", r["n"])
    for r in grouped(scoped_visits(user, scope), "date", False):
        add(r["m"], "visits", r["n"])
    for r in grouped(scoped_agreements(user, scope), "signed", False):
        add(r["m"], "agreements", r["n"])
    if rows:  # every month between the first and the last, so the trend has no silent gaps
        first, last = min(rows), max(rows)
        y, m = int(first[:4]), int(first[5:])
        while f"{y:04d}-{m:02d}" < last:
            rows.setdefault(f"{y:04d}-{m:02d}", {"needs": 0, "meetings": 0, "visits": 0, "agreements": 0})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return [{"month": k} | v for k, v in sorted(rows.items())]


def by_chain(user, scope: Scope) -> list[dict]:
    """Per industry chain / task force: needs, major, signed, and expert coverage (see ``coverage``)."""
    chains = list(IndustryChain.objects.filter(active=True))
    counts = _sum_by(need_counts(user, scope), "chain_id")
    cover = coverage_counts(user, chains)
    out = []
    for c in chains:
        r = counts.get(c.pk, {})
        needs, experts = r.get("n", 0), cover[c.pk]["experts"]
        out.append(
            {
                "chain": c,
                "needs": needs,
                "major": r.get("major", 0),
                "open": r.get("open", 0),
                "signed": r.get("signed", 0),
                "experts": experts,
                "achievements": cover[c.pk]["achievements"],
                "gap": gap_level(needs, experts),
                "gap_label": GAP_LABELS[gap_level(needs, experts)],
            }
        )
    return out


def expert_covers(terms: list[str], keywords: list[str]) -> bool:
    """An expert covers a chain when one of their fields/keywords and one of the chain's keywords
    contain each other (e.g. "伺服驱动" and "伺服", "石墨烯" and "石墨")."""
    return any(k and t and (k in t or t in k) for t in terms for k in keywords)


def coverage_counts(user, chains: list[IndustryChain]) -> dict[int, dict]:
    """Covering experts and achievements per chain. Terms are matched once per distinct term, not
    once per expert, so this stays cheap with thousands of experts."""
    experts = restrict(Expert.objects.all(), user).order_by().values_list("fields", "keywords")
    keywords = {c.pk: [str(k) for k in c.keywords or []] for c in chains}
    covers: dict[str, frozenset[int]] = {}
    counts = dict.fromkeys(keywords, 0)
    for f, k in experts:
        hit: set[int] = set()
        for t in {str(t) for t in (f or []) + (k or [])}:
            if t not in covers:
                covers[t] = frozenset(pk for pk, kws in keywords.items() if expert_covers([t], kws))
            hit |= covers[t]
        for pk in hit:
            counts[pk] += 1
    ach = dict(
        restrict(Achievement.objects.filter(chain__isnull=False), user)
        .order_by()
        .values("chain_id")
        .annotate(n=Count("pk"))
        .values_list("chain_id", "n")
    )
    return {c.pk: {"experts": counts[c.pk], "achievements": ach.get(c.pk, 0)} for c in chains}


def gap_level(needs: int, experts: int) -> str:
    """ "gap" (needs but no covering expert), "thin" (more than THIN_RATIO needs per expert),
    "covered", or "none" (no needs in scope)."""
    if needs == 0:
        return "none"
    if experts == 0:
        return "gap"
    if needs > THIN_RATIO * experts:
        return "thin"
    return "covered"


GAP_LABELS = {"gap": "缺口", "thin": "薄弱", "covered": "已覆盖", "none": "暂无需求"}


# --------------------------------------------------------------------------- funnel
def median_from_histogram(pairs: list[tuple[int, int]]) -> float | None:
    """Median of values given as (value, count) pairs; None when there are none."""
    pairs = sorted((v, n) for v, n in pairs if n > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    lo_idx, hi_idx = (total - 1) // 2, total // 2
    seen, lo = 0, None
    for v, n in pairs:
        if lo is None and seen + n > lo_idx:
            lo = v
        if seen + n > hi_idx:
            return (lo + v) / 2
        seen += n
    return None  # pragma: no cover


def funnel(user, scope: Scope) -> list[dict]:
    """Needs collected in scope: how many reached each stage, the conversion from the stage before,
    and the median whole days from entering the previous stage to entering this one.

    A need "reached" a stage when its history has that stage or a later one; entering a stage is
    the first history row with that status. Both are kept per need in ``NeedStageFact`` (written
    by the need services with every history row), so this is one SQL query over one row per need: a count per furthest
    stage and a days histogram per stage, with no per-need rows travelling to Python.
    """
    if scope.area_ids is None and can_view_dashboard(user):  # the whole city: join on the period only
        facts = _times(NeedStageFact.objects.all(), scope, "need__created_at")
    else:  # an area: its needs come from a range of the covering index, then their facts
        facts = NeedStageFact.objects.filter(need__in=scoped_needs(user, scope))
    facts = facts.values("reached", *(f"days_{s}" for s in FUNNEL[1:]))
    inner, params = facts.query.sql_with_params()
    if connection.vendor == "sqlite":
        # Read the facts in table order and look each need up by its rowid (CROSS JOIN fixes the
        # order in SQLite); the planner's own choice, probing the facts per need, is ~3x slower.
        inner = inner.replace(' INNER JOIN "needs_need" ', ' CROSS JOIN "needs_need" ', 1)
    cols = ", ".join(["reached"] + [f"days_{s}" for s in FUNNEL[1:]])
    parts = [
        "SELECT 'reached' AS k, reached AS d, COUNT(*) AS n FROM f WHERE reached IS NOT NULL GROUP BY reached"
    ]
    for s in FUNNEL[1:]:
        parts.append(
            f"SELECT '{s}' AS k, days_{s} AS d, COUNT(*) AS n FROM f WHERE days_{s} IS NOT NULL GROUP BY days_{s}"  # noqa: S608 - stage names are code constants
        )
    sql = f"WITH f ({cols}) AS MATERIALIZED ({inner}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    furthest = [0] * len(FUNNEL)
    hist: dict[str, list[tuple[int, int]]] = {}
    for k, d, n in rows:
        if k == "reached":
            furthest[int(d)] += int(n)
        else:
            hist.setdefault(k, []).append((int(d), int(n)))
    counts = [sum(furthest[i:]) for i in range(len(FUNNEL))]  # reached a stage = reached it or a later one
    labels = dict(NeedStatus.choices)
    out = []
    for i, s in enumerate(FUNNEL):
        prev = counts[i - 1] if i else None
        out.append(
            {
                "status": s,
                "label": labels[s],
                "reached": counts[i],
                "rate": (counts[i] / prev) if prev else None,
                "overall": (counts[i] / counts[0]) if counts[0] else None,
                "median_days": median_from_histogram(hist.get(s, [])) if i else None,
            }
        )
    return out


# --------------------------------------------------------------------------- rows (restricted)
def recent_agreements(user, scope: Scope, limit: int | None = 10) -> QuerySet[Agreement]:
    qs = scoped_agreements(user, scope).order_by("-signed", "-pk").prefetch_related("parties")
    return qs[:limit] if limit else qs


def visible_major_needs(user, scope: Scope) -> QuerySet[Need]:
    """Major needs in scope that ``user`` may see (others are counted in the figures, never listed)."""
    qs = need_list(user=user).filter(major=True, pk__in=scoped_needs(user, scope).values("pk"))
    return qs.order_by("-created_at", "-pk")


@dataclass
class Dashboard:
    scope: Scope
    headline: dict
    chains: list[dict] = field(default_factory=list)
    districts: list[dict] = field(default_factory=list)
    societies: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)
    funnel: list[dict] = field(default_factory=list)


def dashboard(user, scope: Scope) -> Dashboard:
    scope.memo.clear()  # figures are read afresh on every call; shared reads live for this call only
    try:
        return Dashboard(
            scope=scope,
            headline=headline(user, scope),
            chains=by_chain(user, scope),
            districts=by_district(user, scope),
            societies=by_society(user, scope),
            months=by_month(user, scope),
            funnel=funnel(user, scope),
        )
    finally:
        scope.memo.clear()

"""Breakdowns by district, by society and by month — one grouped query per record kind, so the
number of queries does not grow with the data."""

from __future__ import annotations

from django.db.models import Count

from kechuang.accounts.models import Area
from kechuang.dashboard.selectors.records import (
    CITY_EVENT_KINDS,
    MEETING_KINDS,
    RECORD_APPS,
    Month,
    need_counts,
    part,
    scoped_agreements,
    scoped_bases,
    scoped_events,
    scoped_visits,
    sum_by,
)
from kechuang.dashboard.selectors.scope import Scope
from kechuang.events.models import Event
from kechuang.followup.models import Agreement
from kechuang.orgs.models import Organisation


def _top_district(areas: dict[int, Area]) -> dict[int, int]:
    """Area id → its district (zones roll up to the district they belong to)."""
    out = {}
    for a in areas.values():
        cur = a
        while cur.kind == Area.Kind.ZONE and cur.parent_id in areas:
            cur = areas[cur.parent_id]
        out[a.pk] = cur.pk
    return out


def _district_records(user, scope: Scope, areas: dict[int, Area]) -> list[tuple[str, int, int]]:
    """(figure, area id, count) of visits, agreements (per party's area) and bases — no needs."""
    out = [
        ("visits", r["district_id"], r["n"])
        for r in scoped_visits(user, scope).values("district_id").annotate(n=Count("pk"))
    ]
    out += _agreements_per_district(user, scope, areas)
    out += [
        ("bases", r["district_id"], r["n"])
        for r in scoped_bases(user, scope).values("district_id").annotate(n=Count("pk"))
    ]
    return out


def _agreements_per_district(user, scope: Scope, areas: dict[int, Area]) -> list[tuple[str, int, int]]:
    """Agreements per district of their parties, each agreement once per district: two parties in
    one district (say one in 莱西市 and one in its development zone) are one agreement there, not two
    — the district table must agree with the headline. Parties outside the scope's areas do not
    count (the other party of an agreement that is in scope through one party)."""
    top = _top_district(areas)
    seen: dict[int, set[int]] = {}
    agr = Agreement.objects.filter(pk__in=scoped_agreements(user, scope).values("pk"))
    for pk, area_id in agr.values_list("pk", "parties__district_id").distinct():
        d = _row_area(area_id, scope, top, areas)
        if d is not None:
            seen.setdefault(d, set()).add(pk)
    return [("agreements", d, len(pks)) for d, pks in seen.items()]


def _row_area(area_id, scope: Scope, top: dict[int, int], areas: dict[int, Area]) -> int | None:
    """The district-table row an area's figures go to (its district, or the scope's zone), or None
    when they are not shown: no area, an area outside the scope, or the city itself."""
    if area_id is None or area_id not in top:
        return None
    if scope.area_ids is not None and area_id not in scope.area_ids:
        return None  # e.g. the other party of an agreement that is in scope through one party
    d = scope.area.pk if scope.area is not None and scope.area.kind == Area.Kind.ZONE else top[area_id]
    return None if areas[d].kind == Area.Kind.CITY else d


def by_district(user, scope: Scope) -> list[dict]:
    areas = {a.pk: a for a in Area.objects.all()}
    top = _top_district(areas)
    rows: dict[int, dict] = {}

    def add(area_id, key, n):
        d = _row_area(area_id, scope, top, areas)
        if d is None:
            return
        row = rows.setdefault(
            d, {"area": areas[d], "needs": 0, "major": 0, "visits": 0, "agreements": 0, "bases": 0}
        )
        row[key] += n

    for district_id, r in sum_by(need_counts(user, scope), "district_id").items():
        add(district_id, "needs", r["n"])
        add(district_id, "major", r["major"])
    for key, area_id, n in part(
        scope, "record_districts", RECORD_APPS, lambda: _district_records(user, scope, areas)
    ):
        add(area_id, key, n)
    return sorted(rows.values(), key=lambda r: (-r["needs"], r["area"].code))


def _society_records(user, scope: Scope) -> list[tuple[str, int, int]]:
    """(figure, organisation id, count) of events, visits, agreements and bases per society."""
    ev = scoped_events(user, scope, MEETING_KINDS + CITY_EVENT_KINDS + (Event.Kind.SIGNING, Event.Kind.VISIT))
    out = [("events", r["societies"], r["n"]) for r in ev.values("societies").annotate(n=Count("pk"))]
    out += [
        ("visits", r["societies"], r["n"])
        for r in scoped_visits(user, scope).values("societies").annotate(n=Count("pk"))
    ]
    agr = Agreement.objects.filter(pk__in=scoped_agreements(user, scope).values("pk"))
    out += [
        ("agreements", r["parties"], r["n"])
        for r in agr.filter(parties__kind=Organisation.Kind.SOCIETY).values("parties").annotate(n=Count("pk"))
    ]
    out += [
        ("bases", r["society_id"], r["n"])
        for r in scoped_bases(user, scope).values("society_id").annotate(n=Count("pk"))
    ]
    return out


def by_society(user, scope: Scope) -> list[dict]:
    socs = {o.pk: o for o in Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)}
    rows = {
        pk: {"society": o, "events": 0, "visits": 0, "agreements": 0, "bases": 0} for pk, o in socs.items()
    }

    def add(pk, key, n):
        if pk in rows:
            rows[pk][key] += n

    for key, pk, n in part(scope, "record_societies", RECORD_APPS, lambda: _society_records(user, scope)):
        add(pk, key, n)
    out = [r for r in rows.values() if r["events"] or r["visits"] or r["agreements"] or r["bases"]]
    return sorted(
        out, key=lambda r: (-(r["events"] + r["visits"] + r["agreements"] + r["bases"]), r["society"].name)
    )


def _month_records(user, scope: Scope) -> list[tuple[str, str, int]]:
    """(figure, ``YYYY-MM``, count) of meetings, visits and agreements per month."""

    def grouped(key, qs, fld, is_datetime):
        qs = qs.order_by().annotate(m=Month(fld, is_datetime=is_datetime)).values("m").annotate(n=Count("pk"))
        return [(key, r["m"], r["n"]) for r in qs]

    return (
        grouped("meetings", scoped_events(user, scope, MEETING_KINDS), "start", True)
        + grouped("visits", scoped_visits(user, scope), "date", False)
        + grouped("agreements", scoped_agreements(user, scope), "signed", False)
    )


def by_month(user, scope: Scope) -> list[dict]:
    rows: dict[str, dict] = {}

    def add(month, key, n):
        if month is None:
            return
        rows.setdefault(month, {"needs": 0, "meetings": 0, "visits": 0, "agreements": 0})[key] += n

    for r in need_counts(user, scope):  # the needs per month come with the shared needs counts
        if r["n"]:
            add(r["m"], "needs", r["n"])
    for key, month, n in part(scope, "record_months", RECORD_APPS, lambda: _month_records(user, scope)):
        add(month, key, n)
    if rows:  # every month between the first and the last, so the trend has no silent gaps
        first, last = min(rows), max(rows)
        y, m = int(first[:4]), int(first[5:])
        while f"{y:04d}-{m:02d}" < last:
            rows.setdefault(f"{y:04d}-{m:02d}", {"needs": 0, "meetings": 0, "visits": 0, "agreements": 0})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return [{"month": k} | v for k, v in sorted(rows.items())]

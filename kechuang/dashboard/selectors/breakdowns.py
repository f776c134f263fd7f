"""Breakdowns by district, by society and by month — one grouped query per record kind, so the
number of queries does not grow with the data."""

from __future__ import annotations

from django.db.models import Count

from kechuang.accounts.models import Area
from kechuang.dashboard.selectors.records import (
    CITY_EVENT_KINDS,
    MEETING_KINDS,
    Month,
    need_counts,
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

    for district_id, r in sum_by(need_counts(user, scope), "district_id").items():
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

    for r in need_counts(user, scope):  # the needs per month come with the shared needs counts
        if r["n"]:
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

"""The headline figures: the numbers of the sentence leadership quotes, and those behind them."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from kechuang.dashboard.briefing import Headline
from kechuang.dashboard.selectors.records import (
    CITY_EVENT_KINDS,
    MEETING_KINDS,
    RECORD_APPS,
    need_counts,
    part,
    scoped_agreements,
    scoped_bases,
    scoped_events,
    scoped_visits,
)
from kechuang.dashboard.selectors.scope import Scope
from kechuang.events.models import Event
from kechuang.followup.models import Agreement, Base, Visit
from kechuang.orgs.models import Organisation


def engaged_society_ids(user, scope: Scope) -> set[int]:
    """National societies engaged: named on an event, a visit, an agreement or a base in scope."""
    ev = scoped_events(user, scope, [k for k, _ in Event.Kind.choices]).order_by().values_list("societies")
    vi = scoped_visits(user, scope).order_by().values_list("societies")
    ag = scoped_agreements(user, scope).filter(parties__kind=Organisation.Kind.SOCIETY)
    ag = ag.order_by().values_list("parties")
    ba = scoped_bases(user, scope, since_start=True).order_by().values_list("society")
    ids = [r[0] for r in ev.union(vi, ag, ba)]
    return {i for i in ids if i is not None}


def _record_figures(user, scope: Scope) -> dict:
    """The headline figures of events, visits, agreements and bases (no needs)."""
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
    return {
        "societies": len(engaged_society_ids(user, scope)),
        "meetings": meetings,
        "visits": visits["n"],
        "visit_stops": visits["stops"],
        "agreements": agreements["n"],
        "amount": float(agreements["amount"] or 0),
        "bases": bases["n"],
        "bases_new": bases["new"],
        "transfer_bases": bases["transfer"],
        "centres": bases["centres"],
        "city_events": city_events["n"],
        "city_event_scale": city_events["scale"] or 0,
    }


def headline(user, scope: Scope) -> dict:
    """The article's figures for the scope, plus the numbers behind them (the needs counted live from
    the shared needs counts; the other records' figures kept until one of ``RECORD_APPS`` changes)."""
    counts = need_counts(user, scope)
    rec = part(scope, "record_headline", RECORD_APPS, lambda: _record_figures(user, scope))
    return {
        "societies": rec["societies"],
        "meetings": rec["meetings"],
        "needs": sum(r["n"] for r in counts),
        "major_needs": sum(r["major"] for r in counts),
    } | {k: v for k, v in rec.items() if k not in ("societies", "meetings")}


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

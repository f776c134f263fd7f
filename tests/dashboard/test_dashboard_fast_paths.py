"""The fast paths keep the figures identical: stage facts agree with the history they are derived
from, and the figure cache serves warm pages but never hides a write."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median

import pytest
from django.urls import reverse

from kechuang.dashboard import selectors as s
from kechuang.needs.models import FUNNEL_STAGES, Need, NeedStageFact, NeedStatusChange
from kechuang.needs.services import need_transition


def funnel_from_history(needs) -> list[tuple[int, float | None]]:
    """The funnel's definition (ADR 0004) straight from NeedStatusChange, in Python."""
    first: dict[int, dict[str, object]] = {}
    for need_id, status, at in NeedStatusChange.objects.filter(need__in=needs).values_list(
        "need_id", "to_status", "at"
    ):
        t = first.setdefault(need_id, {})
        if status not in t or at < t[status]:
            t[status] = at
    out = []
    for i, stage in enumerate(FUNNEL_STAGES):
        reached = sum(1 for t in first.values() if any(x in t for x in FUNNEL_STAGES[i:]))
        days = [
            (t[stage] - t[FUNNEL_STAGES[i - 1]]) // timedelta(days=1)
            for t in first.values()
            if i and stage in t and FUNNEL_STAGES[i - 1] in t
        ]
        out.append((reached, median(days) if days else None))
    return out


WARM_PAGE_QUERIES = 7  # + the top bar's unread-notification count (kechuang/notifications)
SCOPES = [
    {},
    {"district": "qd-laixi"},
    {"district": "qd-laoshan", "start": date(2026, 4, 1)},
    {"start": date(2026, 4, 1), "end": date(2026, 4, 30)},
]


@pytest.mark.parametrize("filters", SCOPES, ids=[str(f) for f in SCOPES])
def test_funnel_from_stage_facts_equals_funnel_from_history(world, dash, filters):
    user = world.users["coordinator"]
    sc = s.dashboard_scope(user=user, **({"end": date(2026, 12, 31)} | filters))
    got = [(r["reached"], r["median_days"]) for r in s.funnel(user, sc)]
    assert got == funnel_from_history(s.scoped_needs(user, sc))


def test_transitions_keep_the_stage_facts_current(world, dash):
    need = world.needs["new_ent2"]  # submitted 06-01 (bulk-loaded history, facts rebuilt)
    fact = NeedStageFact.objects.get(need=need)
    assert (fact.reached, fact.reviewed_at, fact.days_reviewed) == (0, None, None)
    need_transition(user=world.users["coordinator"], need=need, to_status="reviewed")
    fact.refresh_from_db()
    assert fact.reached == 1 and fact.reviewed_at is not None
    assert fact.days_reviewed == (fact.reviewed_at - fact.submitted_at) // timedelta(days=1)
    # a full rebuild from the history gives the same row
    before = NeedStageFact.objects.filter(pk=need.pk).values().get()
    NeedStageFact.rebuild()
    assert NeedStageFact.objects.filter(pk=need.pk).values().get() == before


def test_a_need_closed_after_a_meeting_still_counts_as_met(world, dash):
    need = world.needs["pub_zone"]  # reached "met" on 05-20
    need_transition(user=world.users["coordinator"], need=need, to_status="closed")
    assert NeedStageFact.objects.get(need=need).reached == FUNNEL_STAGES.index("met")
    assert Need.objects.get(pk=need.pk).status == "closed"


def test_warm_page_reads_no_figures_and_a_write_shows_at_once(
    world, dash, client_for, django_assert_num_queries
):
    client = client_for("coordinator")
    url, params = reverse("dashboard:index"), {"start": "2026-01-01", "end": "2026-12-31"}
    cold = client.get(url, params)
    assert cold.context["d"].headline["visits"] == 2
    # session, user, city area, filter choices, the listed agreements and their parties: no figure query
    with django_assert_num_queries(WARM_PAGE_QUERIES):
        warm = client.get(url, params)
    assert warm.context["d"].headline == cold.context["d"].headline
    assert [f["reached"] for f in warm.context["d"].funnel] == [6, 4, 3, 2, 1, 0]

    from kechuang.followup.models import Visit

    Visit.objects.create(title="又一次走访", date=date(2026, 6, 1), district=world.areas["laixi"])
    assert client.get(url, params).context["d"].headline["visits"] == 3
    need_transition(user=world.users["coordinator"], need=world.needs["new_ent2"], to_status="reviewed")
    assert [f["reached"] for f in client.get(url, params).context["d"].funnel] == [6, 5, 3, 2, 1, 0]


def test_cache_key_separates_audiences(world, dash, client_for):
    url = reverse("dashboard:index")
    lead = client_for("leadership").get(url).context["d"]
    dist = client_for("district").get(url).context["d"]
    assert lead.scope.area is None and dist.scope.area == world.areas["laixi"]
    assert (lead.headline["needs"], dist.headline["needs"]) == (4, 2)  # public needs (ADR 0014)

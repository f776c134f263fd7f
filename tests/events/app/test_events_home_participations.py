"""The home pages' 对接会 list says whether each event is scheduled exactly as ``event_scheduled`` does
(session 16: asked inside the list's one query instead of two queries per event)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.accounts.models import User
from kechuang.events.models import Meeting, ScheduleRun
from kechuang.events.selectors import event_scheduled, home_participations


@pytest.fixture
def demo(db):
    from kechuang.demo.loader import load_demo

    return load_demo(fast_passwords=True)


def test_scheduled_is_what_event_scheduled_answers_in_one_query(demo):
    seen = set()
    for user in User.objects.filter(role__in=["expert", "enterprise"]).order_by("pk"):
        with CaptureQueriesContext(connection) as queries:
            rows = home_participations(user=user, limit=50)
        assert len(queries) <= 1 + 2, user.username  # the list (and the user's area/organisation at most)
        for row in rows:
            assert row["scheduled"] == event_scheduled(row["event"]), (user.username, row["event"].pk)
            seen.add(row["scheduled"])
    assert seen == {True, False}  # both answers were compared


def test_a_run_alone_or_meetings_alone_make_an_event_scheduled(demo):
    """The two questions of ``event_scheduled`` are each enough (an OR, not an AND)."""
    user = next(u for u in User.objects.filter(role="expert").order_by("pk")
                if any(r["scheduled"] for r in home_participations(user=u, limit=50)))
    row = next(r for r in home_participations(user=user, limit=50) if r["scheduled"])
    event = row["event"]
    has_meetings, has_runs = Meeting.objects.filter(event=event).exists(), ScheduleRun.objects.filter(event=event).exists()
    assert has_meetings or has_runs
    if has_runs:
        ScheduleRun.objects.filter(event=event).delete()
        again = next(r for r in home_participations(user=user, limit=50) if r["event"].pk == event.pk)
        assert again["scheduled"] == has_meetings == event_scheduled(event)

"""No double booking under concurrent edits: the database decides, not only the code.

Two coordinators add a walk-in meeting at the same moment, in separate threads with separate
database connections. Exactly one wins; the other gets a clear Chinese ``ApplicationError`` and
nothing of theirs is written.

* PostgreSQL: the threads get their own connections to the test database (``transactional_db``);
  if both pass the check in code, the unique index on (event, slot, table) — or on a seat's
  (event, participant, slot) — makes the second insert fail and the whole transaction roll back.
* SQLite: the test database is in memory, which threads cannot share as separate connections, so
  the test migrates a temporary *file* database and gives every thread its own connection to it
  (WAL, ``BEGIN IMMEDIATE``): the second writer queues behind the first and then sees the booking.
The unique indexes themselves are checked directly (bypassing the services) in the last tests.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from race import in_thread, race

from kechuang.core.errors import ApplicationError


def _setup():
    """The shared world and a small scheduled matchmaking meeting; returns what the racers need."""
    from events_fixtures import build_matchmaking, shared_build_world

    from kechuang.events import services

    w = shared_build_world()
    mm = build_matchmaking(w, morning=4, afternoon=2, tables=4)
    coord = w.users["coordinator"]
    from django.contrib.auth import get_user_model

    coord2 = get_user_model().objects.create_user("coordinator2", password="pw-test-123", role="coordinator")
    services.schedule_generate(user=coord, event=mm.event)
    return {
        "event": mm.event.pk,
        "coord": coord.pk,
        "coord2": coord2.pk,
        "reps": {k: p.pk for k, p in mm.reps.items()},
        "experts": {k: p.pk for k, p in mm.experts.items()},
    }


def _free_places(ids):
    """A (slot, table) free of meetings, and two pairs that could each use it (distinct people)."""
    from kechuang.events.models import Meeting, MeetingDay, MeetingSeat, Participant, Table

    ev = ids["event"]
    day = MeetingDay.objects.get(event_id=ev)
    tables = list(Table.objects.filter(event_id=ev).order_by("number"))
    for s in range(1, day.n_slots + 1):
        busy_people = set(
            MeetingSeat.objects.filter(event_id=ev, slot=s).values_list("participant", flat=True)
        )
        for t in tables:
            if Meeting.objects.filter(event_id=ev, slot=s, table=t, status="scheduled").exists():
                continue
            ps = Participant.objects.filter(event_id=ev).exclude(pk__in=busy_people)
            reps = [p for p in ps.filter(kind="enterprise") if s not in (p.unavailable_slots or [])]
            exps = [p for p in ps.filter(kind="expert") if s not in (p.unavailable_slots or [])]
            met = set(
                Meeting.objects.filter(event_id=ev, status="scheduled").values_list("enterprise", "expert")
            )
            pairs = [(r.pk, x.pk) for r in reps for x in exps if (r.pk, x.pk) not in met]
            distinct = [(a, b) for a in pairs for b in pairs if a[0] != b[0] and a[1] != b[1]]
            same_expert = [(a, b) for a in pairs for b in pairs if a[0] != b[0] and a[1] == b[1]]
            if distinct and same_expert:
                return s, t.pk, distinct[0], same_expert[0]
    raise AssertionError("no free place to race for")


def _walk_in(ids, coord_key, pair, slot, table_id):
    from kechuang.accounts.models import User
    from kechuang.events import services
    from kechuang.events.models import Event, Participant, Table

    def go():
        m = services.meeting_add_walk_in(
            user=User.objects.get(pk=ids[coord_key]),
            event=Event.objects.get(pk=ids["event"]),
            enterprise=Participant.objects.get(pk=pair[0]),
            expert=Participant.objects.get(pk=pair[1]),
            slot=slot,
            table=Table.objects.get(pk=table_id),
        )
        return m.pk

    return go


def _count(ids, slot):
    from kechuang.core.models import AuditEntry
    from kechuang.events.models import Meeting, MeetingSeat

    return (
        Meeting.objects.filter(event_id=ids["event"], slot=slot, origin="walk_in").count(),
        MeetingSeat.objects.filter(meeting__origin="walk_in", slot=slot).count(),
        AuditEntry.objects.filter(action="event.meeting_walk_in").count(),
    )


def _assert_one_winner(results):
    kinds = sorted(k for k, _v in results)
    assert kinds == ["error", "ok"], results
    err = next(v for k, v in results if k == "error")
    assert isinstance(err, ApplicationError), repr(err)
    assert "已有洽谈" in err.message or "刚刚被占用" in err.message


def test_two_coordinators_same_table_and_slot(db_conf):
    ids = in_thread(_setup, db_conf)
    slot, table, (p1, p2), _same = in_thread(lambda: _free_places(ids), db_conf)
    results = race(
        [_walk_in(ids, "coord", p1, slot, table), _walk_in(ids, "coord2", p2, slot, table)], db_conf
    )
    _assert_one_winner(results)
    assert in_thread(lambda: _count(ids, slot), db_conf) == (
        1,
        2,
        1,
    )  # one meeting, its two seats, one audit


def test_two_coordinators_same_expert_same_slot_different_tables(db_conf):
    ids = in_thread(_setup, db_conf)

    def places():
        from kechuang.events.models import Table

        slot, table, _distinct, same = _free_places(ids)
        other = Table.objects.filter(event_id=ids["event"]).exclude(pk=table).values_list("pk", flat=True)
        from kechuang.events.models import Meeting

        free_other = [
            t for t in other if not Meeting.objects.filter(slot=slot, table_id=t, status="scheduled").exists()
        ]
        return slot, table, free_other, same

    slot, table, free_other, (p1, p2) = in_thread(places, db_conf)
    if not free_other:
        pytest.skip("no second free table in that slot")  # the small world always has one; keep honest
    results = race(
        [_walk_in(ids, "coord", p1, slot, table), _walk_in(ids, "coord2", p2, slot, free_other[0])], db_conf
    )
    _assert_one_winner(results)
    assert in_thread(lambda: _count(ids, slot), db_conf) == (1, 2, 1)


# ------------------------------------------------------------ the indexes themselves


@pytest.fixture
def booked(world, mm):
    from kechuang.events import services
    from kechuang.events.models import Meeting

    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return Meeting.objects.filter(event=mm.event).select_related("table").first()


def test_database_rejects_a_second_meeting_at_a_table_and_slot(world, mm, booked):
    from kechuang.events.models import Meeting

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            event=mm.event,
            enterprise=mm.reps["c"],
            expert=mm.experts["other"],
            slot=booked.slot,
            table=booked.table,
        )
    # a cancelled meeting frees its place
    Meeting.objects.filter(pk=booked.pk).update(status="cancelled")
    Meeting.objects.create(
        event=mm.event,
        enterprise=mm.reps["c"],
        expert=mm.experts["other"],
        slot=booked.slot,
        table=booked.table,
    )


def test_database_rejects_a_participant_in_two_meetings_at_once(world, mm, booked):
    from kechuang.events.models import MeetingSeat

    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSeat.objects.create(
            meeting=booked, participant=booked.enterprise, event=mm.event, slot=booked.slot
        )
    assert connection.vendor in ("sqlite", "postgresql")

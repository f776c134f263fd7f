"""Re-planning after late changes moves as few existing meetings as possible, and says which."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.events import planning, services
from kechuang.events.models import Meeting, MeetingSeat, Participant, ScheduleRun, Table


def _snapshot(event):
    return {
        m.pk: (m.slot, m.table_id)
        for m in Meeting.objects.filter(event=event, status="scheduled").order_by("pk")
    }


@pytest.fixture
def scheduled(world, mm):
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return mm


def test_replan_after_a_cancellation_moves_nothing(world, scheduled):
    mm, coord = scheduled, world.users["coordinator"]
    m = Meeting.objects.filter(event=mm.event).order_by("slot", "pk").first()
    services.meeting_cancel(user=coord, meeting=m, reason="专家航班延误")
    assert not MeetingSeat.objects.filter(meeting=m).exists()
    before = _snapshot(mm.event)
    run = services.schedule_replan(user=coord, event=mm.event)
    assert run.kind == "replan" and run.status == "optimal"
    assert run.moved == [] and run.moved_count == 0
    assert _snapshot(mm.event) == before
    assert run.violations == [] and planning.check_stored(mm.event) == []


def test_cancelling_a_participant_cancels_their_meetings(world, scheduled):
    mm, coord = scheduled, world.users["coordinator"]
    a = mm.reps["a"]
    n = Meeting.objects.filter(enterprise=a, status="scheduled").count()
    assert n >= 2
    services.participant_cancel(user=coord, participant=a, reason="临时出差")
    assert Meeting.objects.filter(enterprise=a, status="cancelled").count() == n
    assert not MeetingSeat.objects.filter(participant=a).exists()
    assert Participant.objects.get(pk=a.pk).status == "cancelled"
    run = services.schedule_replan(user=coord, event=mm.event)
    assert run.moved_count == 0 and planning.check_stored(mm.event) == []


def test_losing_a_table_moves_the_fewest_meetings(world, mm):
    """Two tables; when table 2 is lost, each slot that had two meetings must give one up — and
    that is all that changes time; every meeting leaves table 2."""
    coord = world.users["coordinator"]
    Table.objects.filter(event=mm.event, number=3).delete()
    services.schedule_generate(user=coord, event=mm.event)
    t2 = Table.objects.get(event=mm.event, number=2)
    before = _snapshot(mm.event)
    slots = [s for s, _t in before.values()]
    double = sum(1 for s in set(slots) if slots.count(s) == 2)
    assert double >= 1, "the schedule should use both tables somewhere"
    run = services.table_lose(user=coord, table=t2)
    after = _snapshot(mm.event)
    slot_changed = {pk for pk in before if before[pk][0] != after[pk][0]}
    assert len(slot_changed) == double == run.slot_moves
    assert {x["meeting"] for x in run.moved} == {pk for pk in before if before[pk] != after[pk]}
    assert all(t != t2.pk for _s, t in after.values())
    assert run.violations == [] and planning.check_stored(mm.event) == []
    for m in Meeting.objects.filter(pk__in=[x["meeting"] for x in run.moved]):
        assert m.moved and (m.previous_slot, m.previous_table_id) == before[m.pk]


def test_lost_table_shows_as_violation_until_replanned(world, scheduled):
    mm, coord = scheduled, world.users["coordinator"]
    used = Meeting.objects.filter(event=mm.event).values_list("table", flat=True).first()
    services.table_set_active(user=coord, table=Table.objects.get(pk=used), active=False)
    rules = {v["rule"] for v in planning.check_stored(mm.event)}
    assert "table_assignment" in rules
    services.schedule_replan(user=coord, event=mm.event)
    assert planning.check_stored(mm.event) == []


def test_walk_in_is_fitted_in_moving_the_fewest(world, scheduled):
    mm, coord = scheduled, world.users["coordinator"]
    before = _snapshot(mm.event)
    met = set(Meeting.objects.filter(enterprise=mm.reps["c"]).values_list("expert", flat=True))
    new = next(x for x in mm.experts.values() if x.pk not in met)
    m = services.meeting_add_walk_in(user=coord, event=mm.event, enterprise=mm.reps["c"], expert=new)
    assert m.origin == "walk_in" and m.status == "scheduled" and m.slot != 1  # 李三 misses slot 1
    after = _snapshot(mm.event)
    assert all(after[pk] == before[pk] for pk in before)  # room enough: nobody moves
    assert planning.check_stored(mm.event) == []


def test_walk_in_at_a_taken_place_is_refused(world, scheduled):
    mm, coord = scheduled, world.users["coordinator"]
    taken = Meeting.objects.filter(event=mm.event, slot__gt=1).order_by("slot", "pk").first()
    met = set(Meeting.objects.filter(enterprise=mm.reps["c"]).values_list("expert", flat=True))
    new = next(x for x in mm.experts.values() if x.pk not in met)
    with pytest.raises(ApplicationError, match="已有洽谈"):
        services.meeting_add_walk_in(
            user=coord,
            event=mm.event,
            enterprise=mm.reps["c"],
            expert=new,
            slot=taken.slot,
            table=taken.table,
        )
    with pytest.raises(ApplicationError, match="没有时间"):
        services.meeting_add_walk_in(
            user=coord,
            event=mm.event,
            enterprise=mm.reps["c"],
            expert=new,
            slot=1,
            table=Table.objects.get(event=mm.event, number=3),
        )


def test_losing_the_last_table_is_refused_and_rolled_back(world, mm):
    """Losing a table and re-planning are one transaction: when re-planning refuses (no table left),
    the table stays in use and no run is stored."""
    coord = world.users["coordinator"]
    Table.objects.filter(event=mm.event, number__gt=1).delete()
    mm.event.meeting_day.morning_slots, mm.event.meeting_day.afternoon_slots = 6, 4
    mm.event.meeting_day.save()
    services.schedule_generate(user=coord, event=mm.event)
    only = Table.objects.get(event=mm.event)
    before = _snapshot(mm.event)
    assert before
    with pytest.raises(ApplicationError, match="没有可用的洽谈桌"):
        services.table_lose(user=coord, table=only)
    assert Table.objects.get(pk=only.pk).active and only.active
    assert not ScheduleRun.objects.filter(event=mm.event, kind="replan").exists()
    assert not AuditEntry.objects.filter(action="event.table_active").exists()
    assert _snapshot(mm.event) == before


def test_a_failing_replan_rolls_back_the_table_loss(world, scheduled, monkeypatch):
    """Any failure inside re-planning (here the engine call itself) leaves the table in use."""
    from kechuang.events.services import schedule

    coord = world.users["coordinator"]
    used = Table.objects.get(pk=Meeting.objects.filter(event=scheduled.event).values("table")[:1])
    before = _snapshot(scheduled.event)

    def broken(*args, **kwargs):
        raise ApplicationError("排期引擎出错。")

    monkeypatch.setattr(schedule.planning, "replan", broken)
    with pytest.raises(ApplicationError, match="排期引擎出错"):
        services.table_lose(user=coord, table=used)
    assert Table.objects.get(pk=used.pk).active
    assert not ScheduleRun.objects.filter(event=scheduled.event, kind="replan").exists()
    assert _snapshot(scheduled.event) == before


def test_a_table_loss_without_a_schedule_for_the_rest_is_refused_and_named(world, scheduled, monkeypatch):
    """No schedule fits the remaining tables: nothing changes and the message names the rule."""
    from kechuang.events.planning import Plan
    from kechuang.events.services import schedule

    coord = world.users["coordinator"]
    used = Table.objects.get(pk=Meeting.objects.filter(event=scheduled.event).values("table")[:1])
    before = _snapshot(scheduled.event)
    monkeypatch.setattr(schedule.planning, "replan", lambda *a, **k: Plan.refused("table_capacity", "桌位不足"))
    with pytest.raises(ApplicationError, match="该桌未停用.*") as e:
        services.table_lose(user=coord, table=used)
    from kechuang.events.selectors import rule_label

    assert rule_label("table_capacity") in e.value.message and "无可行方案" in e.value.message
    assert Table.objects.get(pk=used.pk).active
    assert not ScheduleRun.objects.filter(event=scheduled.event, kind="replan").exists()
    assert _snapshot(scheduled.event) == before

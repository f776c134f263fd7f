"""The demo's big 对接会 (ev-matchmaking-main) has the source story's numbers, deterministically."""

from __future__ import annotations

import pytest

from kechuang.events.models import MeetingRequest, Participant, Table


@pytest.fixture
def demo(db):
    from kechuang.demo.loader import load_demo

    return load_demo(fast_passwords=True)


def _numbers(event):
    ps = Participant.objects.filter(event=event)
    reqs = MeetingRequest.objects.filter(event=event)
    return {
        "societies": event.societies.count(),
        "expert_societies": ps.filter(kind="expert").values("organisation").distinct().count(),
        "enterprises": ps.filter(kind="enterprise").values("organisation").distinct().count(),
        "representatives": ps.filter(kind="enterprise").count(),
        "experts": ps.filter(kind="expert").count(),
        "tables": Table.objects.filter(event=event).count(),
        "slots": event.meeting_day.n_slots,
        "to_expert": reqs.filter(direction="to_expert").count(),
        "to_enterprise": reqs.filter(direction="to_enterprise").count(),
        "pairs": sorted(reqs.values_list("enterprise__name", "expert__name", "status")),
    }


def test_main_matchmaking_meeting_of_the_story(demo):
    ev = demo["events"]["ev-matchmaking-main"]
    n = _numbers(ev)
    assert n["societies"] == 10 and n["expert_societies"] == 10
    assert n["enterprises"] >= 30 and n["representatives"] >= 50
    assert 30 <= n["experts"] <= 50
    assert n["tables"] == 16 and n["slots"] == 10
    assert n["to_expert"] > 0 and n["to_enterprise"] > 0
    assert not ev.meetings.exists()  # the coordinator generates the schedule in one click
    # representatives bring only their own enterprise's needs
    for p in Participant.objects.filter(event=ev, kind="enterprise").prefetch_related("needs"):
        assert p.needs.exists() and all(need.enterprise_id == p.organisation_id for need in p.needs.all())
    # the demo logins take part: the enterprise contact's representative and the expert
    users = demo["users"]
    assert Participant.objects.filter(event=ev, user=users["u-enterprise"]).exists()
    assert Participant.objects.filter(event=ev, expert=users["u-expert"].expert).exists()


def test_demo_participants_are_deterministic(transactional_db):
    from kechuang.demo.loader import load_demo

    first = _numbers(load_demo(fast_passwords=True)["events"]["ev-matchmaking-main"])
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    second = _numbers(load_demo(fast_passwords=True)["events"]["ev-matchmaking-main"])
    assert first == second


def test_published_times_match_the_meeting_day(demo):
    """The programme says 13:30–16:00 (after the symposium, before the signing): the first slot
    starts at the event's start and the last one ends at its end, on the same day."""
    from datetime import timedelta

    ev = demo["events"]["ev-matchmaking-main"]
    day = ev.meeting_day
    tz = ev.start.tzinfo
    start, end = ev.start.astimezone(tz), ev.end.astimezone(tz)
    assert (start.hour, start.minute, end.hour, end.minute) == (13, 30, 16, 0)
    assert day.date == start.date()
    assert day.slot_start(1) == start.replace(tzinfo=None)
    assert day.slot_start(day.n_slots) + timedelta(minutes=day.slot_minutes) == end.replace(tzinfo=None)
    assert day.slot_label(1) == "13:30–13:45" and day.slot_label(day.n_slots) == "15:45–16:00"
    # nobody is marked unavailable in a slot that does not exist
    for p in ev.participants.all():
        assert all(1 <= s <= day.n_slots for s in p.unavailable_slots)

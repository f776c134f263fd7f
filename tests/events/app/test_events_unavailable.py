"""Unavailable slots, edited in the agenda page by the participant themself or whoever acts for
them (their enterprise, their society's liaison, a coordinator); the scheduler never places a
meeting there, and a re-plan moves a meeting already placed in a slot marked afterwards."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.events import services
from kechuang.events.models import Meeting


def test_who_may_mark_unavailable_slots(world, mm):
    u = world.users
    rep_a, own, other = mm.reps["a"], mm.experts["own"], mm.experts["other"]
    services.participant_set_unavailable(user=u["enterprise"], participant=rep_a, slots=["3", 2, 3])
    rep_a.refresh_from_db()
    assert rep_a.unavailable_slots == [2, 3]
    services.participant_set_unavailable(user=u["expert"], participant=own, slots=[5])  # the expert themself
    services.participant_set_unavailable(user=u["liaison"], participant=own, slots=[5, 6])  # their liaison
    services.participant_set_unavailable(user=u["coordinator"], participant=other, slots=[1])
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.unavailable_slots == [5, 6] and other.unavailable_slots == [1]
    entry = AuditEntry.objects.filter(action="event.participant_unavailable").order_by("-id").first()
    assert entry.changes == {"slots": [1]}
    for user, who in (
        (u["liaison"], other),
        (u["expert"], other),
        (u["enterprise"], mm.reps["c"]),
        (u["district"], rep_a),
    ):
        with pytest.raises(ApplicationError):
            services.participant_set_unavailable(user=user, participant=who, slots=[4])
    with pytest.raises(ApplicationError, match="场次 7 不存在"):
        services.participant_set_unavailable(user=u["enterprise"], participant=rep_a, slots=[7])
    rep_a.refresh_from_db()
    assert rep_a.unavailable_slots == [2, 3]  # a refusal changes nothing


def test_generated_schedule_avoids_the_marked_slots(world, mm):
    coord = world.users["coordinator"]
    services.participant_set_unavailable(
        user=world.users["enterprise"], participant=mm.reps["a"], slots=[1, 2, 3]
    )
    services.participant_set_unavailable(
        user=world.users["expert"], participant=mm.experts["own"], slots=[4, 5]
    )
    run = services.schedule_generate(user=coord, event=mm.event)
    assert run.status in ("optimal", "feasible") and run.n_meetings >= 3
    for m in Meeting.objects.filter(event=mm.event, status="scheduled"):
        if m.enterprise_id == mm.reps["a"].pk:
            assert m.slot not in (1, 2, 3)
        if m.expert_id == mm.experts["own"].pk:
            assert m.slot not in (4, 5)
    assert run.violations == []


def test_replan_moves_a_meeting_out_of_a_newly_unavailable_slot(world, mm, client_for):
    coord = world.users["coordinator"]
    services.schedule_generate(user=coord, event=mm.event)
    m = Meeting.objects.filter(event=mm.event, enterprise=mm.reps["a"], status="scheduled").first()
    client = client_for("enterprise")
    r = client.post(
        f"/events/participants/{mm.reps['a'].pk}/unavailable/", {"slots": [str(m.slot)]}, follow=True
    )
    assert r.status_code == 200
    assert f"第{m.slot}场已有洽谈" in r.content.decode()
    assert [v["rule"] for v in services_violations(mm)] == ["unavailable"]
    run = services.schedule_replan(user=coord, event=mm.event, reason="企业代表有事")
    m.refresh_from_db()
    assert run.status in ("optimal", "feasible") and m.slot != m.previous_slot
    assert run.violations == [] and run.moved_count >= 1


def services_violations(mm):
    from kechuang.events.planning import check_stored

    return check_stored(mm.event)


def test_agenda_page_shows_the_form_only_to_who_acts_for_the_participant(world, mm, client_for):
    url = f"/events/participants/{mm.reps['a'].pk}/"
    assert 'data-testid="unavailable"' in client_for("enterprise").get(url).content.decode()
    assert 'data-testid="unavailable"' in client_for("coordinator").get(url).content.decode()
    page = client_for("expert").get(f"/events/participants/{mm.reps['b'].pk}/")
    assert page.status_code == 200 and 'data-testid="unavailable"' not in page.content.decode()
    # the POST is refused the same way: nothing changes
    r = client_for("expert").post(f"/events/participants/{mm.reps['b'].pk}/unavailable/", {"slots": ["1"]})
    assert r.status_code == 302
    mm.reps["b"].refresh_from_db()
    assert mm.reps["b"].unavailable_slots == []


def test_an_invalid_slot_in_the_form_changes_nothing(world, mm, client_for):
    r = client_for("enterprise").post(
        f"/events/participants/{mm.reps['a'].pk}/unavailable/", {"slots": ["99"]}, follow=True
    )
    assert "保存未成功" in r.content.decode()
    mm.reps["a"].refresh_from_db()
    assert mm.reps["a"].unavailable_slots == []

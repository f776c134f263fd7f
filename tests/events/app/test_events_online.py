"""Hybrid meetings in the app: a participant who cannot travel ("仅线上") or a request for an
online talk gives an online meeting (a video link, no table) that still takes both people's slot;
the agenda, the meeting page and the PDF show the link instead of a table."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.events import services
from kechuang.events.models import Meeting, MeetingSeat


@pytest.fixture
def online_expert(world, mm):
    """The "own" expert cannot travel; the event has a video meeting room."""
    mm.day.video_link = "https://meet.example.org/kechuang"
    mm.day.save()
    services.participant_set_online_only(
        user=world.users["expert"], participant=mm.experts["own"], online_only=True
    )
    mm.experts["own"].refresh_from_db()
    return mm.experts["own"]


def test_who_may_set_online_only(world, mm):
    own, other = mm.experts["own"], mm.experts["other"]
    services.participant_set_online_only(user=world.users["liaison"], participant=own, online_only=True)
    own.refresh_from_db()
    assert own.online_only
    for role in ("liaison", "expert", "enterprise", "district"):
        with pytest.raises(ApplicationError):
            services.participant_set_online_only(user=world.users[role], participant=other, online_only=True)
    services.participant_set_online_only(user=world.users["coordinator"], participant=own, online_only=False)
    own.refresh_from_db()
    assert not own.online_only


def test_online_only_expert_meets_by_video_without_a_table(world, mm, online_expert):
    run = services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    assert run.status in ("optimal", "feasible") and run.violations == []
    mine = Meeting.objects.filter(event=mm.event, expert=online_expert, status="scheduled")
    others = Meeting.objects.filter(event=mm.event, status="scheduled").exclude(expert=online_expert)
    assert mine.exists() and all(m.online and m.table_id is None for m in mine)
    assert all(not m.online and m.table_id for m in others)
    # still both participants' slot: their seats exist, and nobody is in two meetings at once
    for m in mine:
        assert MeetingSeat.objects.filter(meeting=m).count() == 2
        assert m.join_link == f"https://meet.example.org/kechuang?room=kc-{mm.event.pk}-{m.pk}"
        assert m.place == "线上"


def test_online_meetings_free_tables(world, mm):
    """One table and a day of one slot: only online meetings beside the one at the table fit."""
    coord = world.users["coordinator"]
    for t in mm.tables[1:]:
        services.table_set_active(user=coord, table=t, active=False)
    mm.day.morning_slots, mm.day.afternoon_slots = 2, 0
    mm.day.fairness = None
    mm.day.save()
    run = services.schedule_generate(user=coord, event=mm.event)
    in_person = run.n_meetings
    assert run.status in ("optimal", "feasible") and in_person <= 2
    for ex in mm.experts.values():
        services.participant_set_online_only(user=coord, participant=ex, online_only=True)
    run = services.schedule_generate(user=coord, event=mm.event)
    assert run.status in ("optimal", "feasible") and run.violations == []
    assert run.n_meetings > in_person
    assert not Meeting.objects.filter(event=mm.event, status="scheduled", online=False).exists()


def test_request_for_an_online_talk(world, mm, client_for):
    r = client_for("enterprise").post(
        f"/events/{mm.event.pk}/requests/new/",
        {"enterprise": mm.reps["b"].pk, "expert": mm.experts["other"].pk, "online": "1"},
    )
    assert r.status_code == 302
    req = mm.event.meeting_requests.get(enterprise=mm.reps["b"], expert=mm.experts["other"])
    assert req.online
    services.meeting_request_respond(user=world.users["coordinator"], request=req, accept=True)
    services.pair_rule_set(
        user=world.users["coordinator"],
        event=mm.event,
        enterprise=mm.reps["b"],
        expert=mm.experts["other"],
        action="force",
    )
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    m = Meeting.objects.get(event=mm.event, enterprise=mm.reps["b"], expert=mm.experts["other"])
    assert m.online and m.table_id is None
    # the other meetings of the same expert stay at a table
    assert (
        not Meeting.objects.filter(event=mm.event, expert=mm.experts["other"], online=True)
        .exclude(pk=m.pk)
        .exists()
    )


def test_replan_turns_meetings_online_when_an_expert_cannot_travel(world, mm):
    coord = world.users["coordinator"]
    services.schedule_generate(user=coord, event=mm.event)
    own = mm.experts["own"]
    before = {m.pk: m.slot for m in Meeting.objects.filter(event=mm.event, expert=own, status="scheduled")}
    assert before
    services.participant_set_online_only(user=world.users["liaison"], participant=own, online_only=True)
    run = services.schedule_replan(user=coord, event=mm.event, reason="专家航班取消")
    assert run.status in ("optimal", "feasible") and run.violations == []
    for m in Meeting.objects.filter(pk__in=before):
        assert m.online and m.table_id is None and m.slot == before[m.pk]  # same time, by video
    assert run.slot_moves == 0


def test_pages_and_pdf_show_the_link_instead_of_a_table(world, mm, online_expert, client_for):
    from pdf_text import pdf_text

    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    m = Meeting.objects.filter(event=mm.event, expert=online_expert, status="scheduled").first()
    c = client_for("expert")
    agenda = c.get(f"/events/participants/{online_expert.pk}/").content.decode()
    assert m.join_link in agenda.replace("&amp;", "&") and "仅线上" in agenda
    page = c.get(f"/events/meetings/{m.pk}/").content.decode()
    assert "线上洽谈" in page and m.join_link in page
    pdf = c.get(f"/events/participants/{online_expert.pk}/agenda.pdf").content
    text = pdf_text(pdf)
    assert "线上" in text and "room=kc-" in text.replace("\n", "")
    grid = client_for("coordinator").get(f"/events/{mm.event.pk}/schedule/").content.decode()
    assert f'data-testid="online-cell-{m.slot}"' in grid

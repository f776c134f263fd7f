"""Outcomes recorded by experts and enterprises propose 已对接; only a coordinator moves the need,
confirming (history + audit) or dismissing in one click from the list of pending proposals."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.events import services
from kechuang.events.models import Meeting, MetProposal
from kechuang.needs.models import NeedStatus, NeedStatusChange


@pytest.fixture
def meeting(world, mm):
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    m = Meeting.objects.filter(event=mm.event, enterprise=mm.reps["a"], expert=mm.experts["own"]).get()
    assert m.need == world.needs["pub_laixi"] and m.need.status == NeedStatus.REVIEWED
    return m


def test_expert_outcome_proposes_and_does_not_move_the_need(world, mm, meeting):
    services.meeting_record_outcome(
        user=world.users["expert"], meeting=meeting, outcome="interested", note="下周去企业"
    )
    p = MetProposal.objects.get()
    assert p.status == "pending" and p.need == meeting.need and p.proposed_by == world.users["expert"]
    assert p.outcome == "interested" and p.note == "下周去企业"
    meeting.need.refresh_from_db()
    assert meeting.need.status == NeedStatus.REVIEWED
    # recording again updates the same proposal (one open proposal per meeting)
    services.meeting_record_outcome(user=world.users["enterprise"], meeting=meeting, outcome="follow_up")
    p.refresh_from_db()
    assert (
        MetProposal.objects.count() == 1
        and p.outcome == "follow_up"
        and p.proposed_by == world.users["enterprise"]
    )
    # an outcome that no longer indicates a match withdraws it
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="not_relevant")
    p.refresh_from_db()
    assert p.status == "withdrawn"
    assert AuditEntry.objects.filter(action="event.met_proposal_withdraw").count() == 1


def test_no_proposal_without_a_match_or_when_the_need_is_past_met(world, mm, meeting):
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="not_relevant")
    assert not MetProposal.objects.exists()
    need = meeting.need
    need.status = NeedStatus.MET
    need.save()
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="interested")
    assert not MetProposal.objects.exists()


def test_coordinator_outcome_moves_directly_and_proposes_nothing(world, mm, meeting):
    need = meeting.need
    need.status = NeedStatus.MATCHED
    need.save()
    services.meeting_record_outcome(user=world.users["coordinator"], meeting=meeting, outcome="interested")
    need.refresh_from_db()
    assert need.status == NeedStatus.MET and not MetProposal.objects.exists()


def test_confirm_walks_the_need_to_met_with_history_and_audit(world, mm, meeting):
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="follow_up")
    p = MetProposal.objects.get()
    for user in (
        world.users["expert"],
        world.users["enterprise"],
        world.users["liaison"],
        world.users["district"],
    ):
        with pytest.raises(ApplicationError, match="协调员"):
            services.met_proposal_confirm(user=user, proposal=p)
        with pytest.raises(ApplicationError, match="协调员"):
            services.met_proposal_dismiss(user=user, proposal=p)
    coord = world.users["coordinator"]
    services.met_proposal_confirm(user=coord, proposal=p)
    p.refresh_from_db()
    need = meeting.need
    need.refresh_from_db()
    assert p.status == "confirmed" and p.decided_by == coord and p.decided_at
    assert need.status == NeedStatus.MET
    steps = list(
        NeedStatusChange.objects.filter(need=need)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "by")
    )
    assert steps[-2:] == [("reviewed", "matched", coord.pk), ("matched", "met", coord.pk)]
    assert AuditEntry.objects.filter(action="event.met_proposal_confirm", object_id=str(p.pk)).exists()
    assert AuditEntry.objects.filter(action="need.transition", object_id=str(need.pk)).count() == 2
    with pytest.raises(ApplicationError, match="已确认"):  # twice is refused, nothing changes
        services.met_proposal_confirm(user=coord, proposal=p)


def test_dismiss_leaves_the_need_alone(world, mm, meeting):
    services.meeting_record_outcome(user=world.users["enterprise"], meeting=meeting, outcome="interested")
    p = MetProposal.objects.get()
    services.met_proposal_dismiss(user=world.users["coordinator"], proposal=p)
    p.refresh_from_db()
    meeting.need.refresh_from_db()
    assert p.status == "dismissed" and meeting.need.status == NeedStatus.REVIEWED
    assert AuditEntry.objects.filter(action="event.met_proposal_dismiss").count() == 1


def test_confirm_refuses_a_need_closed_meanwhile(world, mm, meeting):
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="interested")
    p = MetProposal.objects.get()
    need = meeting.need
    need.status = NeedStatus.CLOSED
    need.save()
    with pytest.raises(ApplicationError, match="已关闭"):
        services.met_proposal_confirm(user=world.users["coordinator"], proposal=p)
    p.refresh_from_db()
    assert p.status == "pending"


def test_list_page_is_for_coordinators_and_buttons_work(world, mm, meeting, client_for):
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="interested")
    p = MetProposal.objects.get()
    for role in ("expert", "enterprise", "liaison", "district", "leadership"):
        assert client_for(role).get("/events/met-proposals/").status_code == 404
        assert client_for(role).post(f"/events/met-proposals/{p.pk}/confirm/").status_code == 404
    coord = client_for("coordinator")
    page = coord.get("/events/met-proposals/").content.decode()
    assert f'data-testid="proposal-{p.pk}"' in page and "石墨烯规模化制备" in page
    assert "待确认的已对接（1）" in coord.get("/events/").content.decode()
    r = coord.post(f"/events/met-proposals/{p.pk}/confirm/", follow=True)
    assert "已确认" in r.content.decode()
    meeting.need.refresh_from_db()
    assert meeting.need.status == NeedStatus.MET
    # the proposer sees on the meeting page what became of it
    page = client_for("expert").get(f"/events/meetings/{meeting.pk}/").content.decode()
    assert "已确认" in page

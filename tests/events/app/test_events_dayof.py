"""The day itself: check-in, outcomes on the spot, the later rating, the need moving to 已对接."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.events import services
from kechuang.events.models import Meeting
from kechuang.needs.models import NeedStatus, NeedStatusChange


@pytest.fixture
def meeting(world, mm):
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return Meeting.objects.filter(event=mm.event, enterprise=mm.reps["a"], expert=mm.experts["own"]).get()


def test_check_in_marks_arrival_and_start(world, mm, meeting):
    coord = world.users["coordinator"]
    services.participant_check_in(user=coord, participant=mm.reps["b"])
    mm.reps["b"].refresh_from_db()
    assert mm.reps["b"].arrived_at is not None
    services.meeting_check_in(user=world.users["expert"], meeting=meeting)  # the expert at the table
    meeting.refresh_from_db()
    assert meeting.checked_in_at and meeting.enterprise.arrived_at and meeting.expert.arrived_at
    with pytest.raises(ApplicationError):
        services.participant_check_in(user=world.users["liaison"], participant=mm.reps["b"])


def test_outcome_moves_a_matched_need_to_met_through_the_need_service(world, mm, meeting):
    need = meeting.need
    assert need == world.needs["pub_laixi"]
    need.status = NeedStatus.MATCHED
    need.save()
    services.meeting_record_outcome(
        user=world.users["coordinator"], meeting=meeting, outcome="follow_up", note="约定下月到企业现场"
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.MET
    step = NeedStatusChange.objects.filter(need=need).order_by("-at", "-id").first()
    assert step.from_status == "matched" and step.to_status == "met" and "测试对接会" in step.note
    meeting.refresh_from_db()
    assert meeting.outcome == "follow_up" and meeting.outcome_note == "约定下月到企业现场"


def test_outcome_leaves_the_need_alone_when_the_step_is_not_allowed(world, mm, meeting):
    need = meeting.need
    assert need.status == NeedStatus.REVIEWED  # reviewed → met is not a step of the pipeline
    services.meeting_record_outcome(user=world.users["coordinator"], meeting=meeting, outcome="interested")
    need.refresh_from_db()
    assert need.status == NeedStatus.REVIEWED
    # an expert may record, but may not move needs: the outcome is kept, the need is not touched
    need.status = NeedStatus.MATCHED
    need.save()
    services.meeting_record_outcome(user=world.users["expert"], meeting=meeting, outcome="interested")
    need.refresh_from_db()
    assert need.status == NeedStatus.MATCHED


def test_later_rating_needs_an_outcome_and_the_right_person(world, mm, meeting):
    ent = world.users["enterprise"]
    with pytest.raises(ApplicationError, match="先记录现场"):
        services.meeting_record_later(user=ent, meeting=meeting, later_outcome="negotiating")
    services.meeting_record_outcome(user=ent, meeting=meeting, outcome="interested")
    services.meeting_record_later(
        user=ent, meeting=meeting, later_outcome="agreement", note="已签技术服务合同"
    )
    meeting.refresh_from_db()
    assert meeting.later_outcome == "agreement" and meeting.later_at
    other = Meeting.objects.filter(event=mm.event, enterprise=mm.reps["c"]).first()
    with pytest.raises(ApplicationError, match="不能记录"):
        services.meeting_record_outcome(user=ent, meeting=other, outcome="interested")
    with pytest.raises(ApplicationError, match="请选择"):
        services.meeting_record_outcome(user=ent, meeting=meeting, outcome="maybe")


def test_outcome_page_flow(world, mm, meeting, client_for):
    meeting.need.status = NeedStatus.MATCHED
    meeting.need.save()
    client = client_for("coordinator")
    page = client.get(f"/events/meetings/{meeting.pk}/").content.decode()
    assert "签到，开始洽谈" in page
    client.post(f"/events/meetings/{meeting.pk}/check-in/")
    resp = client.post(
        f"/events/meetings/{meeting.pk}/outcome/", {"outcome": "interested", "note": "很有兴趣"}, follow=True
    )
    text = resp.content.decode()
    assert "洽谈结果已记录" in text and "已对接" in text

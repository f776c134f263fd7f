"""A past event takes no more registrations, meeting requests or answers: the services refuse with a
Chinese message and change nothing; the page shows no such buttons and says why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from kechuang.core.errors import ApplicationError
from kechuang.events import services
from kechuang.events.models import Event, MeetingRequest, Participant


def _end_it(event):
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        start=now - timedelta(days=2, hours=6), end=now - timedelta(days=2)
    )
    event.refresh_from_db()


def test_past_event_refuses_registrations_requests_and_answers(world, mm):
    pending = MeetingRequest.objects.filter(event=mm.event, status="pending").first()
    if pending is None:  # make one to answer
        pending = MeetingRequest.objects.filter(event=mm.event).first()
        MeetingRequest.objects.filter(pk=pending.pk).update(status="pending")
        pending.refresh_from_db()
    _end_it(mm.event)
    counts = (Participant.objects.count(), MeetingRequest.objects.count())
    with pytest.raises(ApplicationError, match="已于 .* 结束，不再接受报名和洽谈请求"):
        services.event_register_enterprise(
            user=world.users["enterprise"], event=mm.event, name="周四", needs=[world.needs["pub_laixi"]]
        )
    with pytest.raises(ApplicationError, match="不再接受报名"):
        services.event_register_expert(
            user=world.users["liaison"],
            event=mm.event,
            expert=world.experts["own"],
            society=world.orgs["soc"],
        )
    rep = Participant.objects.filter(event=mm.event, kind="enterprise").first()
    ex = (
        Participant.objects.filter(event=mm.event, kind="expert")
        .exclude(pk__in=MeetingRequest.objects.filter(enterprise=rep).values("expert"))
        .first()
        or Participant.objects.filter(event=mm.event, kind="expert").first()
    )
    with pytest.raises(ApplicationError, match="不再接受报名和洽谈请求"):
        services.meeting_request_create(
            user=world.users["coordinator"], event=mm.event, enterprise=rep, expert=ex
        )
    with pytest.raises(ApplicationError, match="不再接受"):
        services.meeting_request_respond(user=world.users["coordinator"], request=pending, accept=True)
    assert (Participant.objects.count(), MeetingRequest.objects.count()) == counts
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_upcoming_event_still_takes_registrations(world, mm):
    assert not mm.event.is_past
    p = services.event_register_enterprise(
        user=world.users["enterprise"], event=mm.event, name="周四", needs=[world.needs["pub_laixi"]]
    )
    assert p.pk


def test_past_event_page_hides_the_buttons_and_says_why(world, mm, client):
    _end_it(mm.event)
    client.force_login(world.users["enterprise"])
    html = client.get(f"/events/{mm.event.pk}/").content.decode()
    assert 'data-testid="event-past"' in html and "不再接受报名和洽谈请求" in html
    assert 'data-testid="register-enterprise"' not in html
    assert "请求洽谈</button>" not in html and "邀请洽谈</button>" not in html
    assert 'name="accept"' not in html


def test_answering_a_request_says_it_once(world, mm, client):
    req = MeetingRequest.objects.filter(event=mm.event).first()
    MeetingRequest.objects.filter(pk=req.pk).update(status="pending")
    client.force_login(world.users["coordinator"])
    html = client.post(f"/events/requests/{req.pk}/respond/", {"accept": "1"}, follow=True).content.decode()
    assert "洽谈请求已接受。" in html and "已已" not in html


def test_scheduling_page_speaks_to_organisers(world, mm, client):
    from kechuang.events.models import ScheduleRun

    ScheduleRun.objects.create(
        event=mm.event,
        status="feasible",
        n_meetings=5,
        breaks=3,
        bound=1,
        selection_status="feasible",
        selection_total=90.0,
        selection_bound=100.0,
    )
    client.force_login(world.users["coordinator"])
    html = client.get(f"/events/{mm.event.pk}/schedule/").content.decode()
    assert "与最优差距至多 10%" in html and "至多比最少多 2 个" in html
    # the words the organiser reads, not the markup: a random CSRF token may well contain "LP"
    text = strip_tags(html)
    assert "LP" not in text and "上界" not in text and "下界" not in text
    ScheduleRun.objects.create(
        event=mm.event, status="optimal", n_meetings=5, breaks=1, bound=1, selection_status="optimal",
        selection_total=100.0, selection_bound=100.0,
    )  # fmt: skip
    html = client.get(f"/events/{mm.event.pk}/schedule/").content.decode()
    assert (
        "1 个，已证明最少" in html
        and "最优" in html
        and "差距" not in html.split('data-testid="run-selection"')[1][:200]
    )

"""Destructive actions ask first and say what will happen: 取消参会, 取消洽谈, 停用洽谈桌.

Posting without ``confirmed=yes`` shows the confirmation page and changes nothing; confirming does it."""

from __future__ import annotations

import pytest

from kechuang.core.models import AuditEntry
from kechuang.events import services
from kechuang.events.models import Meeting, Participant, Table


@pytest.fixture
def scheduled(world, mm):
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    return mm


def _state(event):
    return (
        list(Meeting.objects.filter(event=event).order_by("pk").values_list("pk", "status", "slot", "table_id")),
        list(Participant.objects.filter(event=event).order_by("pk").values_list("pk", "status")),
        list(Table.objects.filter(event=event).order_by("pk").values_list("pk", "active")),
        AuditEntry.objects.count(),
    )


def test_participant_cancel_asks_with_the_meetings_it_will_cancel(world, client_for, scheduled):
    a = scheduled.reps["a"]
    mine = Meeting.objects.filter(enterprise=a, status="scheduled").select_related("expert")
    n = mine.count()
    assert n >= 2
    c = client_for("coordinator")
    agenda = c.get(f"/events/participants/{a.pk}/").content.decode()
    # 取消参会 is in its own section, away from 签到
    assert 'class="danger-zone"' in agenda
    assert agenda.index('data-testid="check-in"') < agenda.index('class="danger-zone"')
    assert agenda.index('class="danger-zone"') < agenda.index('data-testid="participant-cancel"')
    before = _state(scheduled.event)
    resp = c.post(f"/events/participants/{a.pk}/cancel/", {"reason": "临时出差"})
    assert resp.status_code == 200
    text = resp.content.decode()
    assert f"将取消{a.name}已排定的 {n} 场洽谈" in text
    for m in mine:
        assert m.expert.name in text
    assert 'name="confirmed" value="yes"' in text and 'value="临时出差"' in text
    assert _state(scheduled.event) == before  # asking changed nothing
    resp = c.post(f"/events/participants/{a.pk}/cancel/", {"reason": "临时出差", "confirmed": "yes"})
    assert resp.status_code == 302
    assert Participant.objects.get(pk=a.pk).status == "cancelled"
    assert Meeting.objects.filter(enterprise=a, status="cancelled").count() == n
    assert AuditEntry.objects.filter(action="event.participant_cancel").count() == 1


def test_meeting_cancel_asks_first(world, client_for, scheduled):
    m = Meeting.objects.filter(event=scheduled.event, status="scheduled").order_by("slot", "pk").first()
    c = client_for("coordinator")
    before = _state(scheduled.event)
    resp = c.post(f"/events/meetings/{m.pk}/cancel/", {"reason": "专家航班延误", "next": "/events/"})
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "确认取消这场洽谈" in text and m.enterprise.name in text and m.expert.name in text
    assert _state(scheduled.event) == before
    resp = c.post(f"/events/meetings/{m.pk}/cancel/", {"reason": "专家航班延误", "confirmed": "yes"})
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.status == "cancelled" and m.cancel_reason == "专家航班延误"


def test_table_lose_asks_and_counts_the_meetings_that_move(world, client_for, scheduled):
    t = Table.objects.get(event=scheduled.event, number=1)
    n = Meeting.objects.filter(table=t, status="scheduled").count()
    assert n >= 1
    c = client_for("coordinator")
    before = _state(scheduled.event)
    resp = c.post(f"/events/tables/{t.pk}/lose/")
    assert resp.status_code == 200
    text = resp.content.decode()
    assert f"已排定的 {n} 场洽谈" in text and "其余 2 张桌" in text
    assert _state(scheduled.event) == before
    assert c.post(f"/events/tables/{t.pk}/lose/", {"confirmed": "yes"}).status_code == 302
    t.refresh_from_db()
    assert not t.active
    assert not Meeting.objects.filter(table=t, status="scheduled").exists()


def test_someone_who_may_not_act_gets_no_confirmation_page(world, client_for, scheduled):
    """A participant the user sees but may not act for: refused as before (302 + message), nothing changes."""
    a = scheduled.reps["a"]
    before = _state(scheduled.event)
    resp = client_for("leadership").post(f"/events/participants/{a.pk}/cancel/")
    assert resp.status_code == 302
    assert _state(scheduled.event) == before

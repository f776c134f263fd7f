"""Forms a real user trips over (issue 13): every edit form saved unchanged changes nothing; destructive
actions ask first and say what will happen; big choices are searchable; the need's contact and files."""

from __future__ import annotations

import datetime as dt
import re

from browser_helpers import login, shot
from django.forms.models import model_to_dict
from playwright.sync_api import expect


def _snapshot(obj, related=()):
    """The record's row (without auto_now stamps) and its inline rows, as plain values."""
    obj.refresh_from_db()
    row = {k: ([getattr(x, "pk", x) for x in v] if isinstance(v, list) else v) for k, v in model_to_dict(obj).items()}
    updated = getattr(obj, "updated_at", None)
    rows = {name: [model_to_dict(r) for r in getattr(obj, name).order_by("pk")] for name in related}
    return row, updated, rows


def _writes():
    from django.contrib.admin.models import LogEntry

    from kechuang.core.models import AuditEntry

    return (
        AuditEntry.objects.exclude(action__contains="view").count(),
        LogEntry.objects.count(),
    )


def _save_unchanged(page, url, button, *, name):
    page.goto(url)
    shot(page, f"forms-unchanged-{name}")
    page.get_by_role("button", name=button, exact=True).first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".errorlist, .errornote")).to_have_count(0)


def test_every_edit_form_saved_unchanged_changes_nothing(page, demo, browser, live_server):
    from kechuang.events.models import Event, MeetingDay
    from kechuang.experts.models import Achievement, Expert
    from kechuang.followup.models import Agreement, Base, Visit
    from kechuang.needs.models import Need
    from kechuang.orgs.models import Organisation

    # the enterprise's own need, with a deadline (the field issue 13 saw erased)
    login(page, "enterprise")
    need = Need.objects.filter(enterprise__members__username="enterprise").order_by("pk").first()
    # an enterprise edits its need while it is submitted or returned; the demo's are further along
    Need.objects.filter(pk=need.pk).update(status="submitted", deadline=dt.date(2027, 6, 30))
    before, writes = _snapshot(need), _writes()
    page.goto(f"/needs/{need.pk}/edit/")
    expect(page.get_by_label("期限")).to_have_value(need.deadline.isoformat())
    _save_unchanged(page, f"/needs/{need.pk}/edit/", re.compile("保存"), name="need")
    assert _snapshot(need) == before
    assert _writes() == writes

    # the coordinator: 场次设置 and the admin's change forms of every record with a date
    page.context.clear_cookies()
    login(page, "coordinator")
    day = MeetingDay.objects.filter(event__kind="matchmaking").exclude(event__meetings__status="scheduled").first()
    assert day is not None, "the demo has a matchmaking meeting without a schedule"
    page.goto(f"/events/{day.event_id}/setup/")
    expect(page.get_by_label("日期")).to_have_value(day.date.isoformat())
    expect(page.get_by_label("上午开始")).to_have_value(day.morning_start.strftime("%H:%M"))
    before, writes = _snapshot(day), _writes()
    _save_unchanged(page, f"/events/{day.event_id}/setup/", re.compile("保存"), name="meeting-day")
    assert _snapshot(day) == before
    assert _writes() == writes

    cases = [
        (Visit.objects.order_by("pk").first(), ("stops",)),
        (Agreement.objects.filter(milestones__isnull=False).order_by("pk").first(), ("milestones",)),
        (Base.objects.order_by("pk").first(), ("services",)),
        (Event.objects.filter(kind="matchmaking").order_by("pk").first(), ("tables",)),
        (Expert.objects.order_by("pk").first(), ()),
        (Achievement.objects.order_by("pk").first(), ()),
        (Organisation.objects.filter(kind="enterprise").order_by("pk").first(), ()),
    ]
    for obj, related in cases:
        assert obj is not None
        meta = obj._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
        before, writes = _snapshot(obj, related), _writes()
        _save_unchanged(page, url, "保存", name=f"admin-{meta.model_name}")
        expect(page.locator(".messagelist")).to_contain_text("成功")
        assert _snapshot(obj, related) == before, meta.model_name
        assert _writes() == writes, meta.model_name

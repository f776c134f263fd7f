"""场次设置 saved unchanged changes nothing (its date and times round-trip); a real change is saved and audited."""

from __future__ import annotations

import datetime as dt

from django.forms.models import model_to_dict
from html_forms import form_data

from kechuang.core.models import AuditEntry
from kechuang.events.models import Table


def test_meeting_day_setup_saved_unchanged_changes_nothing(world, client_for, mm):
    c = client_for("coordinator")
    resp = c.get(f"/events/{mm.event.pk}/setup/")
    assert resp.status_code == 200
    data = form_data(resp.content.decode(), with_field="date")
    assert data["date"] == [mm.day.date.isoformat()] and data["morning_start"] == ["09:00"]
    assert data["afternoon_start"] == ["13:30"]
    mm.day.refresh_from_db()
    before, tables, audits = model_to_dict(mm.day), Table.objects.count(), AuditEntry.objects.count()
    resp = c.post(f"/events/{mm.event.pk}/setup/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    mm.day.refresh_from_db()
    assert model_to_dict(mm.day) == before
    assert Table.objects.count() == tables
    assert AuditEntry.objects.count() == audits  # an unchanged save is not a change


def test_meeting_day_setup_with_a_change_is_saved_and_audited(world, client_for, mm):
    c = client_for("coordinator")
    data = form_data(c.get(f"/events/{mm.event.pk}/setup/").content.decode(), with_field="date")
    data["afternoon_start"] = ["14:00"]
    assert c.post(f"/events/{mm.event.pk}/setup/", data).status_code == 302
    mm.day.refresh_from_db()
    assert mm.day.afternoon_start == dt.time(14, 0)
    assert AuditEntry.objects.filter(action="event.meeting_day").count() == 1

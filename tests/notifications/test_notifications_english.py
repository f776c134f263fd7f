"""Notifications in English: counts agree with their nouns ("1 notification", "1 day", "1 need");
the Chinese sentences are unchanged."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from kechuang.notifications import services
from kechuang.notifications.kinds import Kind
from kechuang.notifications.models import Notification
from kechuang.notifications.selectors import render_text


def _text(user, kind, lang, need=None, **params):
    n = Notification.objects.create(recipient=user, kind=kind, need=need, params=params)
    with translation.override(lang):
        return render_text(n, user)


def test_marking_one_notification_read_says_notification(nworld, client_for):
    services.notify(Kind.NEED_REVIEWED, [nworld.users["district"]])
    resp = client_for("district").post(reverse("notifications:read_all"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 notification marked as read." in resp.content.decode()


def test_marking_notifications_read_in_chinese_is_unchanged(nworld, client_for):
    services.notify(Kind.NEED_REVIEWED, [nworld.users["district"]])
    resp = client_for("district").post(reverse("notifications:read_all"), follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已将 1 条通知标为已读。" in resp.content.decode()


def test_stalled_need_counts_days_in_english(nworld):
    u, need = nworld.users["coordinator"], nworld.needs["pub_laixi"]
    assert "has made no progress for 1 day;" in _text(u, Kind.NEED_STALLED, "en", need=need, days=1)
    assert "has made no progress for 31 days;" in _text(u, Kind.NEED_STALLED, "en", need=need, days=31)
    assert "已 1 天没有进展，请及时跟进。" in _text(u, Kind.NEED_STALLED, "zh-hans", need=need, days=1)


def test_stalled_summary_counts_needs_in_english(nworld):
    u = nworld.users["coordinator"]
    one = _text(u, Kind.NEED_STALLED, "en", summary=True, count=1, days=30)
    assert one.startswith("1 need in the city has made no progress beyond the 30-day limit;"), one
    many = _text(u, Kind.NEED_STALLED, "en", summary=True, count=3, days=30)
    assert many.startswith("3 needs in the city have made no progress"), many
    zh = _text(u, Kind.NEED_STALLED, "zh-hans", summary=True, count=1, days=30)
    assert zh == "全市有 1 项需求超过 30 天没有进展，请查看停滞需求列表。"


def test_agenda_change_counts_meetings_in_english(nworld):
    u = nworld.users["expert"]
    change = {"with": "甲公司", "from_slot": 1, "from_table": 2, "to_slot": 3, "to_table": 4}
    one = _text(u, Kind.AGENDA_CHANGED, "en", event="对接会", count=1, changes=[change])
    assert "; 1 of your meetings has moved: " in one, one
    two = _text(u, Kind.AGENDA_CHANGED, "en", event="对接会", count=2, changes=[change, change])
    assert "; 2 of your meetings have moved: " in two, two
    zh = _text(u, Kind.AGENDA_CHANGED, "zh-hans", event="对接会", count=1, changes=[change])
    assert zh.startswith("“对接会”的排期已调整，您的 1 场洽谈有变动："), zh


def test_agenda_changes_are_joined_with_an_ascii_semicolon_in_english(nworld):
    u = nworld.users["expert"]
    change = {"with": "甲公司", "from_slot": 1, "from_table": 2, "to_slot": 3, "to_table": 4}
    en = _text(u, Kind.AGENDA_CHANGED, "en", event="对接会", count=2, changes=[change, change])
    assert "；" not in en and "; " in en.split("have moved: ", 1)[1], en
    zh = _text(u, Kind.AGENDA_CHANGED, "zh-hans", event="对接会", count=2, changes=[change, change])
    assert zh.count("；") == 1, zh

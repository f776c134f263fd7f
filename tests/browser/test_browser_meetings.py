"""A meeting day without gaps, clicked through: participants mark the slots they cannot attend,
outcomes propose 已对接 to the coordinator, online meetings, and the live agenda."""

from __future__ import annotations

from browser_helpers import login, shot
from playwright.sync_api import expect

TITLE = "全国学会与青岛企业精准对接洽谈会"


def _main_event():
    from kechuang.events.models import Event

    return Event.objects.get(title=TITLE)


def test_participant_and_liaison_mark_unavailable_slots(page, demo):
    from kechuang.events.models import Participant

    ev = _main_event()
    rep = Participant.objects.get(event=ev, user__username="enterprise")
    login(page, "enterprise")
    page.goto(f"/events/participants/{rep.pk}/")
    box = page.get_by_test_id("unavailable")
    box.locator("summary").click()
    box.get_by_label("第3场", exact=False).check()
    box.get_by_label("第4场", exact=False).check()
    shot(page, "meetings-unavailable-form")
    page.get_by_test_id("unavailable-save").click()
    expect(page.get_by_role("status")).to_contain_text("不能参加的场次已保存")
    expect(page.get_by_test_id("unavailable").locator("summary")).to_contain_text("第3场、第4场")
    expect(page.get_by_test_id("agenda").locator("tr.off")).to_have_count(
        len(set(rep.unavailable_slots) | {3, 4})
    )
    rep.refresh_from_db()
    assert 3 in rep.unavailable_slots and 4 in rep.unavailable_slots
    shot(page, "meetings-unavailable-saved")

    # the society's liaison acts for one of its experts
    liaison_user = __import__("kechuang.accounts.models", fromlist=["User"]).User.objects.get(
        username="liaison"
    )
    expert = Participant.objects.filter(
        event=ev, kind="expert", organisation_id=liaison_user.organisation_id
    ).first()
    page.context.clear_cookies()
    login(page, "liaison")
    page.goto(f"/events/participants/{expert.pk}/")
    box = page.get_by_test_id("unavailable")
    box.locator("summary").click()
    box.get_by_label("第1场", exact=False).check()
    page.get_by_test_id("unavailable-save").click()
    expect(page.get_by_role("status")).to_contain_text("不能参加的场次已保存")
    expert.refresh_from_db()
    assert 1 in expert.unavailable_slots

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


def _walk_in_with_the_demo_expert(n: int):
    """``n`` meetings of the demo expert (user "expert") with representatives whose needs can still
    become 已对接, placed directly (no solver run)."""
    from kechuang.accounts.models import User
    from kechuang.events import services
    from kechuang.events.models import Participant, Table

    ev = _main_event()
    coord = User.objects.get(username="coordinator")
    expert = Participant.objects.get(event=ev, user__username="expert")
    reps = [
        p
        for p in Participant.objects.filter(event=ev, kind="enterprise")
        .prefetch_related("needs")
        .order_by("pk")
        if any(need.status in ("reviewed", "matched") for need in p.needs.all())
    ][:n]
    tables = list(Table.objects.filter(event=ev).order_by("number"))
    out = []
    for k, rep in enumerate(reps):
        need = next(need for need in rep.needs.all() if need.status in ("reviewed", "matched"))
        slot = next(
            s
            for s in range(1, 15)
            if s not in (rep.unavailable_slots or [])
            and s not in (expert.unavailable_slots or [])
            and s not in [m.slot for m in out]
        )
        out.append(
            services.meeting_add_walk_in(
                user=coord, event=ev, enterprise=rep, expert=expert, need=need, slot=slot, table=tables[k]
            )
        )
    return out


def test_expert_outcome_proposes_met_and_coordinator_confirms_or_dismisses(page, demo):
    from kechuang.events.models import MetProposal

    first, second = _walk_in_with_the_demo_expert(2)
    login(page, "expert")
    for m, outcome in ((first, "有合作意向"), (second, "约定后续跟进")):
        page.goto(f"/events/meetings/{m.pk}/")
        page.get_by_test_id("outcome").get_by_label(outcome).check()
        page.get_by_test_id("outcome").get_by_role("button", name="记录结果").click()
        expect(page.get_by_role("status")).to_contain_text("已提请协调员确认该需求“已对接”")
        expect(page.get_by_test_id("met-proposal")).to_contain_text("已提请协调员确认")
    shot(page, "meetings-outcome-proposed")
    first.need.refresh_from_db()
    assert first.need.status in ("reviewed", "matched")  # the expert does not move the need

    page.context.clear_cookies()
    login(page, "coordinator")
    page.get_by_role("link", name="活动", exact=True).click()
    page.get_by_test_id("met-proposals-link").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    shot(page, "meetings-met-proposals")
    p1 = MetProposal.objects.get(meeting=first)
    p2 = MetProposal.objects.get(meeting=second)
    page.get_by_test_id(f"confirm-{p1.pk}").click()
    expect(page.get_by_role("status")).to_contain_text("已确认")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    page.get_by_test_id(f"dismiss-{p2.pk}").click()
    expect(page.get_by_role("status")).to_contain_text("已驳回")
    expect(page.get_by_test_id("no-proposals")).to_be_visible()
    expect(page.get_by_test_id("decided-proposals")).to_contain_text("已确认")
    shot(page, "meetings-met-proposals-decided")
    first.need.refresh_from_db()
    second_status = second.need.status
    second.need.refresh_from_db()
    assert first.need.status == "met" and second.need.status == second_status

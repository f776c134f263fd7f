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
    # before scheduling the agenda says 尚未排期 and repeats the slots the participant cannot attend
    expect(page.get_by_test_id("agenda-unscheduled")).to_contain_text("不能参加：第 3、4 场")
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


def test_expert_who_cannot_travel_meets_online(page, demo, tmp_path):
    import sys
    from pathlib import Path

    from kechuang.accounts.models import User
    from kechuang.events import services
    from kechuang.events.models import Meeting, Participant, Table

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pdf_text import pdf_text

    ev = _main_event()
    expert = Participant.objects.get(event=ev, user__username="expert")
    login(page, "liaison")
    page.goto(f"/events/participants/{expert.pk}/")
    page.get_by_test_id("online-toggle").click()
    expect(page.get_by_role("status")).to_contain_text("改为仅线上参加")
    expect(page.get_by_test_id("online-only")).to_have_text("仅线上")
    expert.refresh_from_db()
    assert expert.online_only

    # the coordinator places a meeting with them: it is online, no table taken
    rep = Participant.objects.filter(event=ev, kind="enterprise", unavailable_slots=[]).order_by("pk").first()
    coord = User.objects.get(username="coordinator")
    m = services.meeting_add_walk_in(
        user=coord,
        event=ev,
        enterprise=rep,
        expert=expert,
        slot=5,
        table=Table.objects.filter(event=ev).first(),
    )
    m = Meeting.objects.get(pk=m.pk)
    assert m.online and m.table_id is None and m.join_link.startswith("https://meeting.kechuang.example/")

    page.context.clear_cookies()
    login(page, "expert")
    page.goto(f"/events/participants/{expert.pk}/")
    row = page.get_by_test_id("agenda").locator("tr.busy")
    expect(row).to_contain_text("线上")
    expect(row.get_by_test_id("video-link")).to_have_attribute("href", m.join_link)
    shot(page, "meetings-online-agenda")
    page.goto(f"/events/meetings/{m.pk}/")
    expect(page.get_by_test_id("meeting-place")).to_contain_text("线上洽谈")
    expect(page.get_by_test_id("video-link")).to_have_text(m.join_link)
    shot(page, "meetings-online-meeting")
    page.goto(f"/events/participants/{expert.pk}/")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_test_id("agenda-pdf").click(timeout=60_000)
    path = tmp_path / "agenda.pdf"
    dl.value.save_as(path)
    text = pdf_text(path.read_bytes()).replace("\n", "")
    assert "线上" in text and f"room=kc-{ev.pk}-{m.pk}" in text


def test_agenda_updates_itself_after_a_replan_in_another_page(page, demo, browser, live_server):
    from kechuang.accounts.models import User
    from kechuang.events import services
    from kechuang.events.models import Meeting, Participant

    first, _second = _walk_in_with_the_demo_expert(2)
    ev = _main_event()
    expert = Participant.objects.get(event=ev, user__username="expert")
    login(page, "expert")
    page.goto(f"/events/participants/{expert.pk}/")
    expect(page.get_by_test_id("agenda").locator("tr.busy")).to_have_count(2)
    expect(page.get_by_test_id("moved-row")).to_have_count(0)

    # the representative of the first meeting cannot make that slot after all
    coord = User.objects.get(username="coordinator")
    services.participant_set_unavailable(user=coord, participant=first.enterprise, slots=[first.slot])

    # the coordinator re-plans in another browser
    other = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    try:
        coord_page = other.new_page()
        coord_page.set_default_timeout(15000)
        login(coord_page, "coordinator")
        coord_page.goto(f"/events/{ev.pk}/schedule/")
        coord_page.get_by_test_id("replan").click(timeout=60_000)
        expect(coord_page.get_by_test_id("moved")).to_be_visible(timeout=60_000)
    finally:
        other.close()
    first.refresh_from_db()
    assert first.slot != first.previous_slot

    # the expert's open page shows it within seconds, without a reload
    expect(page.get_by_test_id("agenda-updated")).to_be_visible(timeout=20_000)
    moved = page.get_by_test_id("moved-row")
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text(first.enterprise.name)
    expect(moved).to_contain_text(f"原第{first.previous_slot}场")
    expect(moved).to_contain_text(f"第{first.slot}场")
    shot(page, "meetings-live-agenda-updated")
    assert Meeting.objects.filter(pk=first.pk, status="scheduled").exists()

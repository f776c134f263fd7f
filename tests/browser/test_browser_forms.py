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


def test_cancelling_participation_asks_dismiss_keeps_confirm_cancels(page, demo):
    from kechuang.accounts.models import User
    from kechuang.events import services
    from kechuang.events.models import Meeting, Participant

    reps = Participant.objects.filter(
        kind="enterprise", status="registered", organisation__members__username="enterprise"
    ).order_by("pk")
    busy = {"meetings_as_enterprise__status": "scheduled", "meetings_as_enterprise__outcome": ""}
    if not reps.filter(**busy).exists():  # the demo's upcoming meeting is not scheduled yet: one click
        unscheduled = reps.filter(event__meetings__isnull=True).first()
        assert unscheduled is not None, "the demo's enterprise is registered for a matchmaking meeting"
        run = services.schedule_generate(
            user=User.objects.get(username="coordinator"), event=unscheduled.event, time_limit=60
        )
        assert run.n_meetings, run.status
    rep = reps.filter(**busy).distinct().first()
    meetings = Meeting.objects.filter(enterprise=rep, status="scheduled", outcome="")
    n = meetings.count()
    assert n >= 1
    login(page, "enterprise")
    page.goto(f"/events/participants/{rep.pk}/")
    # 取消参会 is not next to 签到: it sits in its own section below the agenda
    danger = page.locator("section.danger-zone")
    expect(danger.get_by_test_id("participant-cancel")).to_be_visible()
    expect(page.locator(".actions").get_by_test_id("participant-cancel")).to_have_count(0)
    shot(page, "forms-agenda-danger-zone")
    danger.get_by_test_id("participant-cancel").click()
    expect(page.get_by_role("heading", name="确认取消参会？")).to_be_visible()
    expect(page.get_by_test_id("consequences")).to_contain_text(f"已排定的 {n} 场洽谈")
    shot(page, "forms-confirm-participant-cancel")
    # dismiss: back to the agenda, nothing changed
    page.get_by_test_id("confirm-back").click()
    page.wait_for_url(f"**/events/participants/{rep.pk}/")
    rep.refresh_from_db()
    assert rep.status == "registered" and meetings.count() == n
    # confirm: done
    danger.get_by_test_id("participant-cancel").click()
    page.get_by_label("取消原因（可选）").fill("临时出差")
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_role("status")).to_contain_text("已取消参会")
    rep.refresh_from_db()
    assert rep.status == "cancelled"
    assert Meeting.objects.filter(enterprise=rep, status="scheduled", outcome="").count() == 0
    shot(page, "forms-participant-cancelled")


def test_closing_a_need_asks_dismiss_keeps_confirm_closes(page, demo):
    from kechuang.needs.models import Need

    need = Need.objects.filter(status="reviewed").order_by("pk").first()
    login(page, "coordinator")
    page.goto(f"/needs/{need.pk}/")
    page.get_by_role("button", name="关闭需求").click()
    expect(page.get_by_role("heading", name="确认关闭需求？")).to_be_visible()
    expect(page.get_by_test_id("consequences")).to_contain_text("关闭是最终状态")
    shot(page, "forms-confirm-need-close")
    page.get_by_test_id("confirm-back").click()
    page.wait_for_url(f"**/needs/{need.pk}/")
    assert Need.objects.get(pk=need.pk).status == "reviewed"
    page.get_by_role("button", name="关闭需求").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("need-status")).to_have_text("已关闭")
    assert Need.objects.get(pk=need.pk).status == "closed"


def test_admin_bulk_delete_asks_and_dismiss_deletes_nothing(page, demo):
    from kechuang.orgs.models import Organisation

    org = Organisation.objects.create(name="待删除的演示企业", kind=Organisation.Kind.ENTERPRISE)
    login(page, "coordinator")
    page.goto("/admin/orgs/organisation/?q=待删除")
    page.locator(f'input[name="_selected_action"][value="{org.pk}"]').check()
    page.locator('select[name="action"]').select_option("delete_selected")
    page.locator('button[name="index"]').click()
    expect(page.locator("#content")).to_contain_text(org.name)
    shot(page, "forms-admin-bulk-delete-confirm")
    page.locator("a.cancel-link").click()
    assert Organisation.objects.filter(pk=org.pk).exists()


def test_need_contact_and_attachment(page, demo, browser, live_server, tmp_path):
    from kechuang.accounts.models import User
    from kechuang.core.models import AuditEntry
    from kechuang.needs.models import Need, NeedAttachment

    need = Need.objects.filter(enterprise__members__username="enterprise").order_by("pk").first()
    Need.objects.filter(pk=need.pk).update(status="submitted")
    drawing = tmp_path / "总装图.pdf"
    drawing.write_bytes(b"%PDF-1.4\n% drawing of the graphene line\n%%EOF\n")

    login(page, "enterprise")
    page.goto(f"/needs/{need.pk}/edit/")
    page.get_by_label("联系人").fill("王建国")
    page.get_by_label("联系电话").fill("0532-88886666")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_test_id("need-phone")).to_have_text("0532-88886666")
    expect(page.get_by_test_id("need-contact")).to_have_text("王建国")
    page.locator("#id_file").set_input_files(str(drawing))
    page.get_by_label("名称（可选）").fill("石墨烯产线总装图")
    page.get_by_role("button", name="上传附件").click()
    expect(page.get_by_role("status").first).to_contain_text("已上传")
    expect(page.get_by_test_id("need-attachment")).to_have_text("石墨烯产线总装图")
    shot(page, "forms-need-contact-attachment")
    att = NeedAttachment.objects.get(need=need)
    assert AuditEntry.objects.filter(action="need.attachment_add", object_id=str(need.pk)).exists()

    # the coordinator downloads it
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    p2 = other.new_page()
    login(p2, "coordinator")
    p2.goto(f"/needs/{need.pk}/")
    expect(p2.get_by_test_id("need-phone")).to_have_text("0532-88886666")
    with p2.expect_download() as dl:
        p2.get_by_test_id("need-attachment").click()
    saved = tmp_path / "downloaded.pdf"
    dl.value.save_as(saved)
    assert saved.read_bytes() == drawing.read_bytes()
    other.close()

    # another enterprise: 404 for the file, whatever it tries
    stranger = User.objects.filter(role="enterprise").exclude(organisation=need.enterprise).order_by("pk").first()
    stranger.set_password("another-ent-2026")
    stranger.save()
    third = browser.new_context(base_url=live_server.url, locale="zh-CN")
    p3 = third.new_page()
    login(p3, stranger.username, "another-ent-2026")
    assert p3.goto(f"/needs/attachments/{att.pk}/").status == 404
    assert p3.goto(f"/needs/{need.pk}/").status == 404
    third.close()

"""Who hears about what: one test per event kind, confidentiality per reader, e-mail by preference."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kechuang.core.errors import ApplicationError
from kechuang.needs.selectors import HIDDEN_LABEL
from kechuang.notifications import services
from kechuang.notifications.kinds import Kind
from kechuang.notifications.models import EmailPreference, Notification
from kechuang.notifications.selectors import notification_list, render_text


def inbox(user, kind=None):
    qs = Notification.objects.filter(recipient=user)
    return list(qs.filter(kind=kind) if kind else qs)


# ---------------------------------------------------------------- needs


def test_need_reviewed_tells_the_enterprise_not_the_reviewer(nworld, commit):
    from kechuang.needs.services import need_transition

    w = nworld
    need = w.needs["new_ent2"]
    from kechuang.accounts.models import User

    ent2_contact = User.objects.create_user(
        "ent2-contact", password="pw-test-123", role="enterprise", organisation=w.orgs["ent2"], email="e2@example.org"
    )
    with commit():
        need_transition(user=w.users["coordinator"], need=need, to_status="reviewed")
    [n] = inbox(ent2_contact)
    assert n.kind == Kind.NEED_REVIEWED and n.need_id == need.pk and n.link == f"/needs/{need.pk}/"
    assert "待审农机需求" in render_text(n, ent2_contact)
    assert inbox(w.users["coordinator"]) == []
    assert inbox(w.users["enterprise"]) == []  # another enterprise's contact hears nothing
    assert [m.to for m in mail.outbox] == [["e2@example.org"]]
    assert "待审农机需求" in mail.outbox[0].body and f"/needs/{need.pk}/" in mail.outbox[0].body


def test_need_returned_carries_the_reason(nworld, commit):
    from kechuang.needs.services import need_transition

    w = nworld
    need = w.needs["pub_laixi"]
    need.status = "submitted"
    need.save(update_fields=["status"])
    with commit():
        need_transition(user=w.users["coordinator"], need=need, to_status="returned", note="请补充预算范围")
    [n] = inbox(w.users["enterprise"], Kind.NEED_RETURNED)
    text = render_text(n, w.users["enterprise"])
    assert "石墨烯规模化制备" in text and "请补充预算范围" in text


def test_a_refused_change_notifies_nobody(nworld, commit):
    from kechuang.needs.services import need_transition

    w = nworld
    with commit(), pytest.raises(ApplicationError):
        need_transition(user=w.users["coordinator"], need=w.needs["pub_laixi"], to_status="delivered")
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_email_follows_the_preference_in_app_always_on(nworld, commit):
    from kechuang.needs.services import need_transition

    w = nworld
    services.email_preferences_set(user=w.users["enterprise"], email_kinds=[Kind.NEED_RETURNED])
    need = w.needs["pub_zone"]
    need.status = "submitted"
    need.save(update_fields=["status"])
    with commit():
        need_transition(user=w.users["coordinator"], need=need, to_status="reviewed")
    assert len(inbox(w.users["enterprise"], Kind.NEED_REVIEWED)) == 1  # in-app: always
    assert mail.outbox == []  # e-mail for "reviewed" was switched off
    with commit():
        need_transition(user=w.users["coordinator"], need=need, to_status="returned", note="补充材料")
    assert [m.to for m in mail.outbox] == [["enterprise@example.org"]]


def test_preferences_default_on_and_saving_is_audited(nworld):
    from kechuang.core.models import AuditEntry

    u = nworld.users["expert"]
    assert services.email_preferences(u) == dict.fromkeys(Kind.values, True)
    after = services.email_preferences_set(user=u, email_kinds=[Kind.INVITATION_ROUTED])
    assert after[Kind.INVITATION_ROUTED] and not after[Kind.AGENDA_CHANGED]
    assert EmailPreference.objects.filter(user=u, email=False).count() == len(Kind.values) - 1
    assert AuditEntry.objects.filter(action="notification.email_preferences", object_id=str(u.pk)).exists()
    with pytest.raises(ApplicationError):
        services.email_preferences_set(user=u, email_kinds=["nonsense"])


# ---------------------------------------------------------------- matching


def test_accepting_a_match_routes_an_invitation_and_tells_the_enterprise(nworld, commit):
    from kechuang.matching.services import match_accept

    w = nworld
    need = w.needs["pub_laixi"]
    with commit():
        match_accept(user=w.users["coordinator"], need=need, kind="expert", candidate_id=w.experts["own"].pk)
    [inv] = inbox(w.users["expert"], Kind.INVITATION_ROUTED)
    assert inv.link == "/matching/inbox/" and "石墨烯规模化制备" in render_text(inv, w.users["expert"])
    [matched] = inbox(w.users["enterprise"], Kind.NEED_MATCHED)
    assert "王石墨" in render_text(matched, w.users["enterprise"])
    assert inbox(w.users["liaison"]) == []  # routed to the expert's own account, not the society


def test_an_achievement_without_an_expert_account_goes_to_the_liaisons(nworld, commit):
    from kechuang.matching.services import match_accept

    w = nworld
    w.achievements["own"].owner_expert = None
    w.achievements["own"].save(update_fields=["owner_expert"])
    with commit():
        match_accept(
            user=w.users["coordinator"], need=w.needs["pub_laixi"], kind="achievement",
            candidate_id=w.achievements["own"].pk,
        )
    assert len(inbox(w.users["liaison"], Kind.INVITATION_ROUTED)) == 1
    assert inbox(w.users["expert"], Kind.INVITATION_ROUTED) == []


# ---------------------------------------------------------------- confidentiality


def test_confidential_title_is_decided_per_reader_at_display_time(nworld):
    w = nworld
    secret = w.needs["secret_ent2"]  # coordinators only
    for role in ("liaison", "expert", "enterprise", "leadership", "coordinator"):
        services.notify(Kind.INVITATION_ROUTED, [w.users[role]], need=secret, params={"candidate": "某专家"})
    for role in ("liaison", "expert", "enterprise", "leadership"):
        [n] = inbox(w.users[role])
        text = render_text(n, w.users[role])
        assert "绝密农机方案" not in text and HIDDEN_LABEL in text
    [n] = inbox(w.users["coordinator"])
    assert "绝密农机方案" in render_text(n, w.users["coordinator"])
    # no title is stored anywhere in the rows themselves
    assert not any("绝密农机方案" in str(n.params) for n in Notification.objects.all())


def test_title_appears_once_the_reader_may_see_the_need(nworld, commit):
    """A "matched experts only" need: hidden from the expert until a coordinator routes it to them."""
    from kechuang.matching.services import match_accept

    w = nworld
    conf = w.needs["conf_ent"]
    services.notify(Kind.INVITATION_ROUTED, [w.users["expert"]], need=conf, params={"candidate": "x"})
    [n] = inbox(w.users["expert"])
    assert HIDDEN_LABEL in render_text(n, w.users["expert"])
    with commit():
        match_accept(user=w.users["coordinator"], need=conf, kind="expert", candidate_id=w.experts["own"].pk)
    expert = type(w.users["expert"]).objects.get(pk=w.users["expert"].pk)  # a fresh reader
    assert "保密的石墨烯配方" in render_text(Notification.objects.get(pk=n.pk), expert)


def test_meeting_request_about_a_confidential_need_hides_it_from_the_expert(nworld, mm, commit):
    from kechuang.accounts.models import User
    from kechuang.events import services as ev

    w = nworld
    other_user = User.objects.create_user(
        "li-nongji", password="pw-test-123", role="expert", expert=w.experts["other"], email="li@example.org"
    )
    with commit():
        ev.meeting_request_create(
            user=w.users["enterprise"], event=mm.event, enterprise=mm.reps["a"], expert=mm.experts["other"],
            need=w.needs["conf_ent"], message="想聊聊",
        )
    [n] = inbox(other_user, Kind.MEETING_REQUESTED)
    text = render_text(n, other_user)
    assert "保密的石墨烯配方" not in text and HIDDEN_LABEL in text and "钱一" in text
    [m] = mail.outbox
    assert m.to == ["li@example.org"] and "保密的石墨烯配方" not in m.body and HIDDEN_LABEL in m.body
    assert inbox(w.users["enterprise"]) == []  # the one who asked


# ---------------------------------------------------------------- meetings


def test_answering_a_request_tells_the_side_that_asked(nworld, mm, commit):
    from kechuang.accounts.models import User
    from kechuang.events import services as ev

    w = nworld
    ent2 = User.objects.create_user("ent2-rep", password="pw-test-123", role="enterprise",
                                    organisation=w.orgs["ent2"])
    # (a)×(own) already have an accepted request in the fixture: a fresh pair, asked from the expert's side
    with commit():
        req = ev.meeting_request_create(
            user=w.users["expert"], event=mm.event, enterprise=mm.reps["c"], expert=mm.experts["own"],
        )
    assert len(inbox(ent2, Kind.MEETING_REQUESTED)) == 1
    assert len(inbox(w.users["liaison"], Kind.MEETING_REQUESTED)) == 0  # the asked side is the enterprise
    with commit():
        ev.meeting_request_respond(user=ent2, request=req, accept=False)
    [ans] = inbox(w.users["expert"], Kind.MEETING_ANSWERED)
    text = render_text(ans, w.users["expert"])
    assert "李三" in text and "谢绝" in text
    assert len(inbox(w.users["liaison"], Kind.MEETING_ANSWERED)) == 1  # speaks for the expert's society
    assert inbox(ent2, Kind.MEETING_ANSWERED) == []  # the one who answered


def test_losing_a_table_tells_exactly_the_people_whose_meetings_moved(nworld, mm, commit):
    from kechuang.events import services as ev
    from kechuang.events.models import Meeting, Table

    w = nworld
    coord = w.users["coordinator"]
    Table.objects.filter(event=mm.event, number=3).delete()
    ev.schedule_generate(user=coord, event=mm.event)
    t2 = Table.objects.get(event=mm.event, number=2)
    with commit():
        run = ev.table_lose(user=coord, table=t2)
    moved = Meeting.objects.filter(pk__in=[x["meeting"] for x in run.moved]).select_related("enterprise", "expert")
    assert moved
    notes = Notification.objects.filter(kind=Kind.AGENDA_CHANGED)
    # the enterprise contact speaks for reps a and b (山东领军); the expert user for "own"
    touched_ent = any(m.enterprise.organisation_id == w.orgs["ent"].pk for m in moved)
    touched_own = any(m.expert.expert_id == w.experts["own"].pk for m in moved)
    assert notes.filter(recipient=w.users["enterprise"]).exists() == touched_ent
    assert notes.filter(recipient=w.users["expert"]).exists() == touched_own
    assert not notes.filter(recipient=coord).exists()
    for n in notes:
        text = render_text(n, n.recipient)
        assert "测试对接会" in text and "→" in text
        assert n.link.startswith("/events/participants/")
    # one notification per person, however many of their meetings moved
    assert notes.values("recipient").distinct().count() == notes.count()


def test_a_replan_that_moves_nothing_notifies_nobody(nworld, mm, commit):
    from kechuang.events import services as ev

    coord = nworld.users["coordinator"]
    ev.schedule_generate(user=coord, event=mm.event)
    with commit():
        run = ev.schedule_replan(user=coord, event=mm.event)
    assert run.moved == [] and Notification.objects.count() == 0


# ---------------------------------------------------------------- daily reminders


def _agreement(w, *, due, done_on=None, recorded_by="district"):
    from datetime import date

    from kechuang.followup.models import Agreement, Milestone

    a = Agreement.objects.create(
        title="石墨烯中试合作协议", kind="tech_dev", signed=date(2026, 6, 1), recorded_by=w.users[recorded_by]
    )
    a.parties.set([w.orgs["ent"], w.orgs["soc"]])
    a.needs.set([w.needs["pub_laixi"]])
    m = Milestone.objects.create(agreement=a, title="完成中试", due=due, done_on=done_on)
    return a, m


def test_milestone_due_reminds_the_agreement_owner_once(nworld):
    w = nworld
    today = timezone.localdate()
    w.needs["pub_laixi"].owner = w.users["coordinator"]
    w.needs["pub_laixi"].save(update_fields=["owner"])
    a, m = _agreement(w, due=today + timedelta(days=3))
    _agreement(w, due=today + timedelta(days=3), done_on=today)  # done: no reminder
    _agreement(w, due=today + timedelta(days=60))  # far away: no reminder yet
    counts = services.notify_due(today=today)
    assert counts["milestone_due"] == 2
    for role in ("district", "coordinator"):  # recorder, and the follow-up owner of its need
        [n] = inbox(w.users[role], Kind.MILESTONE_DUE)
        assert n.link == f"/followup/agreements/{a.pk}/" and "完成中试" in render_text(n, w.users[role])
    assert inbox(w.users["enterprise"], Kind.MILESTONE_DUE) == []
    assert services.notify_due(today=today)["milestone_due"] == 0  # idempotent
    assert Notification.objects.filter(kind=Kind.MILESTONE_DUE).count() == 2
    assert len(mail.outbox) == 2


def test_stalled_need_reminds_its_owner_and_coordinators_get_a_summary(nworld):
    w = nworld
    need = w.needs["pub_zone"]
    old = timezone.now() - timedelta(days=90)
    type(need).objects.filter(pk=need.pk).update(owner=w.users["district"], status_changed_at=old)
    counts = services.notify_due()
    [n] = inbox(w.users["district"], Kind.NEED_STALLED)
    assert n.need_id == need.pk and "开发区石墨提纯" in render_text(n, w.users["district"])
    [s] = inbox(w.users["coordinator"], Kind.NEED_STALLED)
    assert s.link == "/followup/stalled/" and "1 项需求" in render_text(s, w.users["coordinator"])
    assert counts["need_stalled"] == 2
    assert services.notify_due()["need_stalled"] == 0
    assert mail.outbox == []  # the e-mail of stalled needs is the daily digest, not one per notification


def test_the_digest_honours_the_stalled_need_preference(nworld):
    from kechuang.followup.digest import send_digest

    w = nworld
    need = w.needs["pub_zone"]
    type(need).objects.filter(pk=need.pk).update(
        owner=w.users["district"], status_changed_at=timezone.now() - timedelta(days=90)
    )
    assert send_digest().messages == 2  # the owner and the coordinator
    mail.outbox.clear()
    services.email_preferences_set(user=w.users["coordinator"], email_kinds=[])
    r = send_digest()
    assert r.messages == 1 and [m.to for m in mail.outbox] == [["district@example.org"]]


# ---------------------------------------------------------------- reading


def test_mark_read_is_the_readers_own(nworld):
    from django.http import Http404

    from kechuang.notifications.selectors import notification_get, unread_count

    w = nworld
    made = services.notify(Kind.NEED_REVIEWED, [w.users["enterprise"], w.users["district"]], need=w.needs["pub_laixi"])
    mine = next(n for n in made if n.recipient_id == w.users["enterprise"].pk)
    theirs = next(n for n in made if n.recipient_id == w.users["district"].pk)
    with pytest.raises(Http404):
        notification_get(user=w.users["enterprise"], pk=theirs.pk)
    with pytest.raises(Http404):  # coordinators see every row elsewhere, but never others' notifications
        notification_get(user=w.users["coordinator"], pk=theirs.pk)
    with pytest.raises(ApplicationError):
        services.notification_mark_read(user=w.users["enterprise"], notification=theirs)
    assert unread_count(user=w.users["enterprise"]) == 1
    services.notification_mark_read(user=w.users["enterprise"], notification=mine)
    assert unread_count(user=w.users["enterprise"]) == 0 and unread_count(user=w.users["district"]) == 1
    services.notify(Kind.NEED_MATCHED, [w.users["district"]], need=w.needs["pub_laixi"])
    assert services.notification_mark_all_read(user=w.users["district"]) == 2
    assert not notification_list(user=w.users["district"], unread_only=True).exists()


def test_inactive_users_and_the_actor_are_left_out(nworld):
    w = nworld
    w.users["liaison"].is_active = False
    w.users["liaison"].save(update_fields=["is_active"])
    made = services.notify(
        Kind.NEED_REVIEWED, [w.users["liaison"], w.users["expert"], w.users["expert"], w.users["district"]],
        exclude=w.users["district"],
    )
    assert [n.recipient_id for n in made] == [w.users["expert"].pk]

"""Who registers whom: an enterprise only with its own needs, a liaison only its society's experts;
requests in both directions answered by the other side."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.events import services
from kechuang.events.models import MeetingRequest, Participant
from kechuang.experts.models import Expert


def test_enterprise_registers_with_its_own_needs_only(world, mm):
    user = world.users["enterprise"]
    p = services.event_register_enterprise(
        user=user,
        event=mm.event,
        name="周四",
        position="总工程师",
        needs=[world.needs["pub_laixi"]],
        unavailable_slots=[5, 6],
    )
    assert p.organisation == world.orgs["ent"] and p.user == user and p.unavailable_slots == [5, 6]
    assert list(p.needs.all()) == [world.needs["pub_laixi"]]
    assert AuditEntry.objects.filter(action="event.register_enterprise", object_id=str(p.pk)).exists()
    before = Participant.objects.count()
    with pytest.raises(ApplicationError, match="本企业自己的需求"):
        services.event_register_enterprise(
            user=user, event=mm.event, name="周四", needs=[world.needs["pub_laoshan"]]
        )
    # naming another enterprise does not help: the contact always registers for their own
    with pytest.raises(ApplicationError, match="本企业自己的需求"):
        services.event_register_enterprise(
            user=user,
            event=mm.event,
            name="周四",
            organisation=world.orgs["ent2"],
            needs=[world.needs["pub_laoshan"]],
        )
    with pytest.raises(ApplicationError, match="至少选择一项"):
        services.event_register_enterprise(user=user, event=mm.event, name="周四", needs=[])
    with pytest.raises(ApplicationError, match="场次 9 不存在"):
        services.event_register_enterprise(
            user=user, event=mm.event, name="周四", needs=[world.needs["pub_laixi"]], unavailable_slots=[9]
        )
    assert Participant.objects.count() == before


def test_other_roles_cannot_register_enterprises(world, mm):
    for role in ("liaison", "expert", "leadership"):
        with pytest.raises(ApplicationError):
            services.event_register_enterprise(
                user=world.users[role],
                event=mm.event,
                name="某人",
                organisation=world.orgs["ent"],
                needs=[world.needs["pub_laixi"]],
            )
    # district staff: enterprises of their area only
    with pytest.raises(ApplicationError, match="无权"):
        services.event_register_enterprise(
            user=world.users["district"],
            event=mm.event,
            name="某人",
            organisation=world.orgs["ent2"],
            needs=[world.needs["pub_laoshan"]],
        )


def test_liaison_registers_only_their_societys_experts(world, mm):
    from kechuang.experts.models import Expert

    liaison = world.users["liaison"]  # 中国材料研究学会
    fresh = Expert.objects.create(name="吴新材", title="教授", keywords=["石墨"])
    fresh.societies.add(world.orgs["soc"])
    p = services.event_register_expert(user=liaison, event=mm.event, expert=fresh, unavailable_slots=[1])
    assert p.kind == "expert" and p.organisation == world.orgs["soc"] and p.unavailable_slots == [1]
    farm = Expert.objects.create(name="郑农机", title="研究员")
    farm.societies.add(world.orgs["soc2"])
    with pytest.raises(ApplicationError, match="本学会的专家"):
        services.event_register_expert(user=liaison, event=mm.event, expert=farm)
    with pytest.raises(ApplicationError, match="已报名"):
        services.event_register_expert(user=liaison, event=mm.event, expert=fresh)
    with pytest.raises(ApplicationError, match="联络员"):
        services.event_register_expert(user=world.users["expert"], event=mm.event, expert=farm)
    # a coordinator may register any expert of a participating society
    q = services.event_register_expert(user=world.users["coordinator"], event=mm.event, expert=farm)
    assert q.organisation == world.orgs["soc2"]


def test_a_retired_expert_cannot_be_registered_or_chosen(world, mm):
    from django.utils import timezone

    from kechuang.events.forms import ExpertRegistrationForm

    gone = Expert.objects.create(name="钱退休", title="教授", retired_at=timezone.now())
    gone.societies.add(world.orgs["soc"])
    for role in ("liaison", "coordinator"):
        user = world.users[role]
        with pytest.raises(ApplicationError, match="已退出专家库"):
            services.event_register_expert(user=user, event=mm.event, expert=gone)
        form = ExpertRegistrationForm(user=user, event=mm.event)
        assert gone not in form.fields["expert"].queryset
    assert not Participant.objects.filter(expert=gone).exists()


def test_requests_both_directions_and_who_answers(world, mm):
    ent, liaison, expert = world.users["enterprise"], world.users["liaison"], world.users["expert"]
    MeetingRequest.objects.all().delete()
    # enterprise → expert: the expert (or their liaison) answers, not the enterprise
    r1 = services.meeting_request_create(
        user=ent,
        event=mm.event,
        enterprise=mm.reps["a"],
        expert=mm.experts["own"],
        need=world.needs["pub_laixi"],
    )
    assert r1.direction == "to_expert" and r1.status == "pending"
    assert not services.can_respond(ent, r1)
    with pytest.raises(ApplicationError, match="被邀请的一方"):
        services.meeting_request_respond(user=ent, request=r1, accept=True)
    assert services.meeting_request_respond(user=expert, request=r1, accept=True).status == "accepted"
    # liaison → enterprise (their society's expert invites): the enterprise answers
    r2 = services.meeting_request_create(
        user=liaison, event=mm.event, enterprise=mm.reps["b"], expert=mm.experts["third"]
    )
    assert r2.direction == "to_enterprise"
    assert not services.can_respond(liaison, r2)
    assert services.meeting_request_respond(user=ent, request=r2, accept=False).status == "declined"
    # nobody may speak for someone else's expert or enterprise
    with pytest.raises(ApplicationError, match="只能以本企业代表或本学会专家"):
        services.meeting_request_create(
            user=liaison, event=mm.event, enterprise=mm.reps["c"], expert=mm.experts["other"]
        )
    with pytest.raises(ApplicationError, match="已有待回复或已接受"):
        services.meeting_request_create(
            user=ent, event=mm.event, enterprise=mm.reps["a"], expert=mm.experts["own"]
        )
    with pytest.raises(ApplicationError, match="不是该企业代表带来的需求"):
        services.meeting_request_create(
            user=ent,
            event=mm.event,
            enterprise=mm.reps["a"],
            expert=mm.experts["other"],
            need=world.needs["pub_zone"],
        )


def test_registration_page_offers_only_own_needs(world, mm, client_for):
    client = client_for("enterprise")
    page = client.get(f"/events/{mm.event.pk}/").content.decode()
    assert "石墨烯规模化制备" in page and "保密的石墨烯配方" in page  # its own needs, confidential included
    assert "农机智能化升级" not in page  # another enterprise's need is not offered
    resp = client.post(
        f"/events/{mm.event.pk}/register/enterprise/",
        {"name": "周四", "needs": [world.needs["pub_laoshan"].pk]},
    )
    assert resp.status_code == 302
    assert not Participant.objects.filter(name="周四").exists()
    resp = client.post(
        f"/events/{mm.event.pk}/register/enterprise/",
        {"name": "周四", "needs": [world.needs["pub_laixi"].pk], "unavailable_slots": ["6"]},
        follow=True,
    )
    assert "周四已报名" in resp.content.decode()
    assert Participant.objects.get(name="周四").unavailable_slots == [6]

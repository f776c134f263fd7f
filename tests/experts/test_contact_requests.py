"""The contact request workflow (kechuang/experts/services.py): enterprise asks → liaison forwards or
declines → expert accepts or declines; the enterprise may withdraw while it is open."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.experts import selectors, services
from kechuang.experts.models import ContactRequest, Expert

S = ContactRequest.Status


@pytest.fixture
def ask(world):
    def make(message="想请教石墨烯散热方案", need=None, expert=None):
        return services.contact_request_create(
            user=world.users["enterprise"], expert=expert or world.experts["own"], message=message, need=need
        )

    return make


def test_the_whole_way_to_accepted(world, ask):
    req = ask(need=world.needs["conf_ent"])
    assert (req.status, req.society, req.enterprise) == (S.PENDING, world.orgs["soc"], world.orgs["ent"])
    # the expert does not see it before the liaison passed it on
    assert not selectors.contact_request_list(user=world.users["expert"]).exists()
    assert services.allowed_contact_steps(world.users["liaison"], req) == [S.FORWARDED, S.DECLINED]
    assert services.allowed_contact_steps(world.users["expert"], req) == []
    assert services.allowed_contact_steps(world.users["enterprise"], req) == [S.WITHDRAWN]
    req = services.contact_request_transition(
        user=world.users["liaison"], req=req, to_status=S.FORWARDED, note="请王教授看看"
    )
    assert req.handled_by == world.users["liaison"] and req.handled_at is not None
    assert list(selectors.contact_request_list(user=world.users["expert"])) == [req]
    req = services.contact_request_transition(
        user=world.users["expert"], req=req, to_status=S.ACCEPTED, note="欢迎来电"
    )
    assert req.status == S.ACCEPTED and req.expert_note == "欢迎来电" and req.answered_at
    assert selectors.can_see_contact(world.users["enterprise"], world.experts["own"])
    actions = list(
        AuditEntry.objects.filter(object_type="experts.contactrequest", object_id=str(req.pk))
        .order_by("pk")
        .values_list("action", "changes__to")
    )
    assert actions == [
        ("contact_request.create", None),
        ("contact_request.transition", "forwarded"),
        ("contact_request.transition", "accepted"),
    ]


def test_liaison_declines_with_a_reason(world, ask):
    req = ask()
    with pytest.raises(ApplicationError, match="原因"):
        services.contact_request_transition(user=world.users["liaison"], req=req, to_status=S.DECLINED)
    req.refresh_from_db()
    assert req.status == S.PENDING
    req = services.contact_request_transition(
        user=world.users["liaison"], req=req, to_status=S.DECLINED, note="专家近期出国"
    )
    assert req.status == S.DECLINED and req.liaison_note == "专家近期出国"
    assert not selectors.contact_request_list(user=world.users["expert"]).exists()  # never reached the expert
    assert services.allowed_contact_steps(world.users["enterprise"], req) == []


def test_expert_declines(world, ask):
    req = ask()
    services.contact_request_transition(user=world.users["liaison"], req=req, to_status=S.FORWARDED)
    req = services.contact_request_transition(
        user=world.users["expert"], req=req, to_status=S.DECLINED_BY_EXPERT
    )
    assert req.status == S.DECLINED_BY_EXPERT
    assert not selectors.can_see_contact(world.users["enterprise"], world.experts["own"])


@pytest.mark.parametrize(
    ("role", "to"),
    [
        ("expert", S.ACCEPTED),  # not before the liaison forwarded it
        ("enterprise", S.FORWARDED),
        ("district", S.FORWARDED),
        ("leadership", S.DECLINED),
    ],
)
def test_steps_out_of_turn_are_refused_and_change_nothing(world, ask, role, to):
    req = ask()
    with pytest.raises(ApplicationError):
        services.contact_request_transition(user=world.users[role], req=req, to_status=to, note="x")
    req.refresh_from_db()
    assert req.status == S.PENDING
    assert not AuditEntry.objects.filter(action="contact_request.transition").exists()


def test_another_societys_liaison_cannot_route(world, ask):
    from kechuang.accounts.models import User

    other = User.objects.create_user(
        "l2", password="pw-test-123", role="liaison", organisation=world.orgs["soc2"]
    )
    req = ask()
    assert services.allowed_contact_steps(other, req) == []
    assert not selectors.contact_request_list(user=other).exists()


def test_enterprise_withdraws_a_forwarded_request(world, ask):
    req = ask()
    services.contact_request_transition(user=world.users["liaison"], req=req, to_status=S.FORWARDED)
    req = services.contact_request_transition(user=world.users["enterprise"], req=req, to_status=S.WITHDRAWN)
    assert req.status == S.WITHDRAWN
    assert ask().status == S.PENDING  # a new request may follow a closed one


def test_one_open_request_per_enterprise_and_expert(world, ask):
    ask()
    with pytest.raises(ApplicationError, match="请勿重复提交"):
        ask()
    assert ContactRequest.objects.count() == 1


@pytest.mark.parametrize("message", ["", "   ", "长" * 1001])
def test_bad_messages_are_refused(world, ask, message):
    with pytest.raises(ApplicationError):
        ask(message=message)
    assert not ContactRequest.objects.exists()


def test_only_own_needs_may_be_tied(world, ask):
    with pytest.raises(ApplicationError, match="本企业"):
        ask(need=world.needs["secret_ent2"])
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "district", "liaison", "expert", "leadership"])
def test_only_enterprises_ask(world, role):
    with pytest.raises(ApplicationError):
        services.contact_request_create(user=world.users[role], expert=world.experts["own"], message="请教")


def test_an_expert_without_a_society_cannot_be_asked(world, ask):
    loner = Expert.objects.create(name="赵独立", title="高级工程师")
    ContactRequest  # noqa: B018
    from kechuang.matching.models import Match

    Match.objects.create(need=world.needs["pub_laixi"], kind="expert", expert=loner)
    with pytest.raises(ApplicationError, match="未加入学会"):
        ask(expert=loner)


def test_a_confidential_need_is_named_only_to_who_may_see_it(world, ask, client_for):
    ask(need=world.needs["conf_ent"])
    title = world.needs["conf_ent"].title
    assert title in client_for("enterprise").get("/experts/requests/").content.decode()
    liaison_page = client_for("liaison").get("/experts/requests/").content.decode()
    assert title not in liaison_page and "（保密需求）" in liaison_page


def test_consent_is_edited_by_the_expert_and_its_liaison_only(world):
    from kechuang.accounts.models import User

    e = world.experts["own"]
    services.expert_contact_consent(user=world.users["liaison"], expert=e, contact_public=True)
    e.refresh_from_db()
    assert e.contact_public
    other_liaison = User.objects.create_user(
        "l2", password="pw-test-123", role="liaison", organisation=world.orgs["soc2"]
    )
    for user in (world.users["enterprise"], world.users["district"], other_liaison):
        with pytest.raises(ApplicationError):
            services.expert_contact_consent(user=user, expert=e, contact_public=False)
    e.refresh_from_db()
    assert e.contact_public
    assert AuditEntry.objects.filter(action="expert.contact_consent").count() == 1


def test_pages_walk_the_workflow(world, client_for):
    e = world.experts["own"]
    ent = client_for("enterprise")
    resp = ent.post(
        f"/experts/{e.pk}/contact/", {"message": "想请教散热", "need": world.needs["pub_laixi"].pk}
    )
    assert resp.status_code == 302
    req = ContactRequest.objects.get()
    assert req.need == world.needs["pub_laixi"]
    resp = client_for("liaison").post(f"/experts/requests/{req.pk}/step/", {"to_status": "forwarded"})
    assert resp.status_code == 302
    resp = client_for("expert").post(f"/experts/requests/{req.pk}/step/", {"to_status": "accepted"})
    req.refresh_from_db()
    assert req.status == S.ACCEPTED
    page = ent.get(f"/experts/{e.pk}/").content.decode()
    assert "专家已同意" in page


def test_consent_page_round_trip(world, client_for):
    e = world.experts["own"]
    c = client_for("expert")
    assert 'data-testid="contact-consent"' in c.get(f"/experts/{e.pk}/").content.decode()
    c.post(f"/experts/{e.pk}/consent/", {"contact_public": "on"})
    e.refresh_from_db()
    assert e.contact_public
    c.post(f"/experts/{e.pk}/consent/", {})
    e.refresh_from_db()
    assert not e.contact_public
    ent = client_for("enterprise")
    assert 'data-testid="contact-consent"' not in ent.get(f"/experts/{e.pk}/").content.decode()
    ent.post(f"/experts/{e.pk}/consent/", {"contact_public": "on"})
    e.refresh_from_db()
    assert not e.contact_public

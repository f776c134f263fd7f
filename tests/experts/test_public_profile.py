"""What an enterprise may read of an expert: the public profile, contact details only with consent
(kechuang/experts/selectors.py: expert_profile, can_see_contact; ADR 0023-experts-for-enterprises)."""

from __future__ import annotations

import pytest

from kechuang.experts import selectors, services
from kechuang.experts.models import ContactRequest, Expert

PHONE = "13905321234"
EMAIL = "wang@example.org"


@pytest.fixture
def reachable(world):
    e = world.experts["own"]
    e.phone, e.email, e.bio = PHONE, EMAIL, "石墨烯规模化制备二十年"
    e.save()
    return e


def test_enterprise_sees_public_fields_but_no_contact_without_consent(world, reachable, client_for):
    profile = selectors.expert_profile(user=world.users["enterprise"], pk=reachable.pk)
    assert profile.contact is None
    assert (profile.name, profile.title, profile.affiliation) == ("王石墨", "教授", "某材料大学")
    assert profile.societies == ["中国材料研究学会"] and profile.fields == ["石墨烯"]
    assert [a.title for a in profile.achievements] == ["石墨烯宏量制备技术"]
    page = client_for("enterprise").get(f"/experts/{reachable.pk}/").content.decode()
    assert "王石墨" in page and "石墨烯规模化制备二十年" in page
    assert PHONE not in page and EMAIL not in page
    assert "专家未公开联系方式" in page


def test_consent_shows_the_contact_to_enterprises(world, reachable, client_for):
    services.expert_contact_consent(user=world.users["expert"], expert=reachable, contact_public=True)
    profile = selectors.expert_profile(user=world.users["enterprise"], pk=reachable.pk)
    assert profile.contact == selectors.Contact(phone=PHONE, email=EMAIL)
    page = client_for("enterprise").get(f"/experts/{reachable.pk}/").content.decode()
    assert PHONE in page and EMAIL in page


def test_contact_falls_back_to_the_experts_account(world, client_for):
    e = world.experts["own"]
    account = world.users["expert"]
    account.phone, account.email = "0532-88886666", "acct@example.org"
    account.save()
    e.contact_public = True
    e.save()
    profile = selectors.expert_profile(user=world.users["enterprise"], pk=e.pk)
    assert profile.contact == selectors.Contact(phone="0532-88886666", email="acct@example.org")


def test_an_accepted_request_shows_the_contact_to_that_enterprise_only(world, reachable):
    from kechuang.accounts.models import User

    other_ent = User.objects.create_user(
        "ent2", password="pw-test-123", role="enterprise", organisation=world.orgs["ent2"]
    )
    ContactRequest.objects.create(
        enterprise=world.orgs["ent"],
        expert=reachable,
        society=world.orgs["soc"],
        message="请教",
        requested_by=world.users["enterprise"],
        status=ContactRequest.Status.ACCEPTED,
    )
    assert selectors.can_see_contact(world.users["enterprise"], reachable)
    assert not selectors.can_see_contact(other_ent, reachable)


@pytest.mark.parametrize("status", ["pending", "forwarded", "declined", "declined_by_expert", "withdrawn"])
def test_a_request_not_accepted_shows_no_contact(world, reachable, status):
    ContactRequest.objects.create(
        enterprise=world.orgs["ent"],
        expert=reachable,
        society=world.orgs["soc"],
        message="请教",
        requested_by=world.users["enterprise"],
        status=status,
    )
    assert not selectors.can_see_contact(world.users["enterprise"], reachable)


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("coordinator", True, True),
        ("leadership", True, True),
        ("district", True, True),
        ("liaison", True, False),  # out of its society: not even visible
        ("expert", True, False),
        ("enterprise", False, False),
    ],
)
def test_who_sees_contact_details(world, reachable, role, own, other):
    user = world.users[role]
    assert selectors.can_see_contact(user, world.experts["own"]) is own
    assert selectors.can_see_contact(user, world.experts["other"]) is other


def test_profile_outside_scope_is_404(world):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.expert_profile(user=world.users["liaison"], pk=world.experts["other"].pk)


def test_projections_carry_no_private_field():
    """The dataclasses the templates get: adding a private field to them must be a decision."""
    import dataclasses

    card = {f.name for f in dataclasses.fields(selectors.ExpertCard)}
    profile = {f.name for f in dataclasses.fields(selectors.ExpertProfile)}
    assert not {"phone", "email", "user", "gender", "is_demo"} & (card | profile)
    assert "contact" in profile  # the one door, opened by can_see_contact


def test_enterprise_browses_experts_tied_to_its_needs_even_outside_societies(world):
    """An expert in no society is outside the library, except for an enterprise whose need it was
    suggested for (or met about, or asked about)."""
    from kechuang.matching.models import Match

    loner = Expert.objects.create(name="赵独立", title="高级工程师", fields=["涂层"])
    ent = world.users["enterprise"]
    assert not selectors.expert_list(user=ent).filter(pk=loner.pk).exists()
    Match.objects.create(need=world.needs["pub_laixi"], kind="expert", expert=loner, score=0.5)
    assert selectors.expert_list(user=ent).filter(pk=loner.pk).exists()
    assert selectors.expert_list(user=ent).filter(pk=loner.pk).count() == 1  # no duplicate rows
    # district and liaison scopes are unchanged by the enterprise rule
    assert selectors.expert_list(user=world.users["district"]).filter(pk=loner.pk).exists()
    assert not selectors.expert_list(user=world.users["liaison"]).filter(pk=loner.pk).exists()


def test_enterprise_list_is_filterable_by_field_and_society(world, client_for):
    c = client_for("enterprise")
    page = c.get("/experts/").content.decode()
    assert "共 2 位" in page and "王石墨" in page and "李农机" in page
    page = c.get("/experts/", {"field": "农业机械"}).content.decode()
    assert "李农机" in page and "王石墨" not in page
    page = c.get("/experts/", {"society": world.orgs["soc"].pk}).content.decode()
    assert "王石墨" in page and "李农机" not in page
    page = c.get("/experts/", {"q": "石墨烯"}).content.decode()
    assert "王石墨" in page and "李农机" not in page


def test_enterprise_list_is_paginated(world, client_for):
    soc = world.orgs["soc"]
    for i in range(35):
        Expert.objects.create(name=f"专家{i:02d}", title="教授").societies.add(soc)
    c = client_for("enterprise")
    first = c.get("/experts/").content.decode()
    assert "共 37 位" in first and "第 1 / 2 页" in first
    second = c.get("/experts/", {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second and "专家00" not in second


def test_api_serves_public_fields_to_enterprises(world, reachable, client_for):
    c = client_for("enterprise")
    item = c.get(f"/api/experts/{reachable.pk}").json()
    assert item["name"] == "王石墨"
    assert PHONE not in str(item) and EMAIL not in str(item)
    listed = c.get("/api/experts/?limit=100").json()["items"]
    assert {i["name"] for i in listed} == {"王石墨", "李农机"}
    assert PHONE not in str(listed)

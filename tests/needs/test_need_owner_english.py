"""Assigning follow-up owners in English: counts agree with their nouns ("1 need"); Chinese unchanged."""

from __future__ import annotations

import pytest
from django.utils import translation

from kechuang.accounts.models import User
from kechuang.core.errors import ApplicationError
from kechuang.needs import services


@pytest.fixture
def laixi2(world):
    return User.objects.create_user("laixi2", role="district", area=world.areas["laixi"], display_name="莱西乙")


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "1 need is now followed up by “莱西乙”."),
    ("zh-hans", "已为 1 项需求指定跟进负责人“莱西乙”。"),
])
def test_bulk_assigning_one_need_says_need(world, laixi2, client_for, lang, said):
    resp = client_for("coordinator").post(
        "/needs/owner/", {"needs": [world.needs["pub_laixi"].pk], "owner": laixi2.pk}, follow=True, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert said in resp.content.decode()


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "You can assign a person to follow up at most 1 need at once."),
    ("zh-hans", "一次最多为 1 项需求指定跟进负责人。"),
])
def test_a_limit_of_one_need_says_need(world, laixi2, monkeypatch, lang, said):
    monkeypatch.setattr(services, "BULK_OWNER_LIMIT", 1)
    with translation.override(lang), pytest.raises(ApplicationError) as exc:
        services.needs_assign_owner(
            user=world.users["coordinator"], needs=[world.needs["pub_laixi"], world.needs["pub_zone"]], owner=laixi2
        )
    assert exc.value.message == said

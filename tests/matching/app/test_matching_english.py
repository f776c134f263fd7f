"""Matching messages in English: counts agree with their nouns ("1 suggestion", "1 character");
the Chinese messages are unchanged."""

from __future__ import annotations

import pytest
from django.utils import translation

from kechuang.core.errors import ApplicationError
from kechuang.matching import services


def _accepted(mworld):
    return services.match_accept(
        user=mworld.users["coordinator"], need=mworld.needs["pub_laixi"], kind="expert",
        candidate_id=mworld.experts["own"].pk,
    )


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "1 suggestion saved."),
    ("zh-hans", "已保存 1 条推荐记录。"),
])
def test_recording_one_suggestion_says_suggestion(mworld, client_for, monkeypatch, lang, said):
    monkeypatch.setattr(services, "match_suggest", lambda **kw: ["one"])
    need = mworld.needs["pub_laixi"]
    resp = client_for("coordinator").post(f"/matching/needs/{need.pk}/record/", follow=True, HTTP_ACCEPT_LANGUAGE=lang)
    assert said in resp.content.decode()


@pytest.mark.parametrize(("lang", "said", "field"), [
    ("en", "Please outline a first proposal (at least 1 character).", "At least 1 character."),
    ("zh-hans", "请简要写出初步方案（至少 1 个字）。", "至少 1 个字。"),
])
def test_a_one_character_minimum_says_character(mworld, monkeypatch, lang, said, field):
    m = _accepted(mworld)
    monkeypatch.setattr(services, "MIN_PROPOSAL_CHARS", 1)
    with translation.override(lang), pytest.raises(ApplicationError) as exc:
        services.match_respond(user=mworld.users["expert"], match=m, response="proposal", text="")
    assert exc.value.message == said
    assert exc.value.field_errors["text"] == [field]

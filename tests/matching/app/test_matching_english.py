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


def test_a_declined_suggestion_s_reason_is_in_ascii_brackets_in_english(mworld, client_for):
    import re

    need = mworld.needs["pub_laixi"]
    services.match_decline(
        user=mworld.users["coordinator"], need=need, kind="expert", candidate_id=mworld.experts["other"].pk,
        reason="out_of_scope", comment="方向不同",
    )
    client = client_for("coordinator")

    def decision(lang):
        page = client.get(f"/matching/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        return " ".join(re.findall(r'<div class="decision muted">(.*?)<', page, re.S))

    en, zh = decision("en"), decision("zh-hans")
    assert " (" in en and ": 方向不同)" in en and "（" not in en and "：方向不同" not in en, en
    assert "：方向不同）" in zh and "（" in zh, zh

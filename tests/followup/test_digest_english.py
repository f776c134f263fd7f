"""The stalled-needs digest in English: counts agree with their nouns ("1 need", "1 day"); Chinese unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kechuang.needs.models import Need


@pytest.fixture
def one_stalled(world, settings):
    settings.KECHUANG_STALLED_DAYS = 1
    Need.objects.filter(pk=world.needs["pub_laixi"].pk).update(
        owner=None, status_changed_at=timezone.now() - timedelta(days=1, hours=2)
    )
    Need.objects.exclude(pk=world.needs["pub_laixi"].pk).update(status_changed_at=timezone.now())
    coordinator = world.users["coordinator"]
    coordinator.email = "coordinator@example.cn"
    coordinator.save()
    return world


def _mail_to_coordinator(lang):
    from kechuang.followup.digest import build_messages

    with translation.override(lang):
        messages, _, _ = build_messages()
    [m] = [m for m in messages if m.to == ["coordinator@example.cn"]]
    return m


def test_digest_counts_agree_in_english(one_stalled):
    m = _mail_to_coordinator("en")
    assert m.subject == "[kechuang] Stalled needs: 1 need in the city without progress beyond the 1-day limit"
    assert "have made no progress for more than 1 day; please follow them up:" in m.body
    assert "no progress for 1 day;" in m.body
    assert "1 days" not in m.body


def test_digest_in_chinese_is_unchanged(one_stalled):
    m = _mail_to_coordinator("zh-hans")
    assert m.subject == "【科创对接】停滞需求提醒：全市 1 项需求超过 1 天无进展"
    assert "以下需求已超过 1 天没有进展，请及时跟进：" in m.body
    assert "1 天无进展" in m.body

"""The "余/近" rounding rule and the summary sentence."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kechuang.dashboard.briefing import Headline, approx, detail_sentence, period_label, summary_sentence


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (7, "7"),
        (10, "10"),
        (11, "10余"),
        (17, "10余"),
        (18, "近20"),
        (19, "近20"),
        (20, "20"),
        (23, "20余"),
        (30, "30"),
        (34, "30余"),
        (95, "90余"),
        (98, "近100"),
        (100, "100"),
        (108, "100余"),
        (179, "100余"),
        (180, "近200"),
        (285, "近300"),
        (1250, "1000余"),
        (1900, "近2000"),
    ],
)
def test_approx_examples(n, text):
    assert approx(n) == text


@given(st.integers(min_value=10, max_value=10**7))
def test_approx_never_overstates(n):
    text = approx(n)
    if text.endswith("余"):
        assert int(text[:-1]) < n
    elif text.startswith("近"):
        assert int(text[1:]) > n
    else:
        assert int(text) == n


def test_approx_rejects_negative():
    with pytest.raises(ValueError):
        approx(-1)


def test_summary_sentence_in_the_articles_form():
    h = Headline(
        societies=17,
        meetings=23,
        needs=160,
        major_needs=108,
        visits=34,
        agreements=19,
        amount_wan=2350.0,
        bases=2,
    )
    text = summary_sentence(h, period=period_label(date(2025, 12, 1), date(2026, 11, 20)), area="青岛市")
    assert text == (
        "2025年12月1日至2026年11月20日，青岛市已与17家全国学会对接会议20余次，梳理企业重大需求100余项，"
        "走进园区30余场次，签订合作协议近20项，建成成果转化基地和产业创新服务中心2个。"
    )
    assert "精确数" in detail_sentence(h) and "2,350万元" in detail_sentence(h)


def test_period_label_without_start():
    assert period_label(None, date(2026, 11, 20)) == "截至2026年11月20日"

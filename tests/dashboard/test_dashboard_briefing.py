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


def test_briefing_sentences_agree_with_their_counts_in_english():
    from django.utils import translation

    one = Headline(societies=1, meetings=1, needs=1, major_needs=1, visits=1, agreements=1, amount_wan=5.0, bases=1)
    many = Headline(societies=2, meetings=12, needs=30, major_needs=3, visits=2, agreements=2, amount_wan=5.0, bases=2)
    with translation.override("en"):
        s1 = summary_sentence(one, period="2026", area="Qingdao")
        assert "has held 1 matchmaking meeting with 1 national society" in s1
        assert "1 major enterprise need," in s1 and "1 visit to parks" in s1 and "1 cooperation agreement," in s1
        assert "1 transfer base or industry innovation service centre." in s1
        assert "societies" not in s1 and "bases" not in s1
        d1 = detail_sentence(one)
        assert d1 == (
            "(Exact figures: 1 society, 1 meeting, 1 enterprise need collected of which 1 major, 1 visit, "
            "1 agreement worth 5×10k CNY, 1 base or service centre.)"
        )
        s2 = summary_sentence(many, period="2026", area="Qingdao")
        assert "with 2 national societies" in s2 and "2 transfer bases and" in s2
        assert "2 societies, 12 meetings, 30 enterprise needs" in detail_sentence(many)
    with translation.override("zh-hans"):
        assert detail_sentence(many) == (
            "（精确数：对接学会2家，对接会议12次，征集企业需求30项，其中重大需求3项，走访2场次，签订协议2项、协议金额5万元，"
            "基地和服务中心2个。）"
        )
        assert summary_sentence(one, period="2026年", area="青岛市").startswith("2026年，青岛市已与1家全国学会对接会议1次")


def test_funnel_median_days_agree_in_english():
    from django.utils import translation

    from kechuang.dashboard.templatetags.dashboard_rows import funnel_rows

    rows = [{"label": "a", "reached": 1, "rate": None, "overall": None, "median_days": 1.0},
            {"label": "b", "reached": 1, "rate": None, "overall": None, "median_days": 2.5}]
    with translation.override("en"):
        html = funnel_rows(rows)
        assert "<td>1 day</td>" in html and "<td>2.5 days</td>" in html
    with translation.override("zh-hans"):
        html = funnel_rows(rows)
        assert "<td>1 天</td>" in html and "<td>2.5 天</td>" in html

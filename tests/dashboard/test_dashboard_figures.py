"""Every figure, every filter, against the hand-countable world in tests/dashboard/conftest.py."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from kechuang.dashboard import selectors as s

END = date(2026, 12, 31)


def scope(world, role="coordinator", district=None, start=None, end=END):
    return s.dashboard_scope(user=world.users[role], district=district, start=start, end=end)


HEADLINES = [
    # (district, start, end) -> societies, meetings, needs, major, visits, agreements, amount, bases, city events, scale
    (
        (None, None, END),
        {
            "societies": 2,
            "meetings": 3,
            "needs": 6,
            "major_needs": 3,
            "visits": 2,
            "agreements": 2,
            "amount": 340.0,
            "bases": 2,
            "city_events": 1,
            "city_event_scale": 800,
        },
    ),
    (
        (None, date(2026, 3, 1), date(2026, 4, 30)),
        {
            "societies": 2,
            "meetings": 2,
            "needs": 3,
            "major_needs": 2,
            "visits": 2,
            "agreements": 1,
            "amount": 260.0,
            "bases": 1,
            "bases_new": 1,
            "city_events": 0,
            "city_event_scale": 0,
        },
    ),
    (
        ("qd-laixi", None, END),
        {
            "societies": 1,
            "meetings": 1,
            "needs": 3,
            "major_needs": 2,
            "visits": 1,
            "agreements": 1,
            "amount": 260.0,
            "bases": 1,
            "city_events": 0,
        },
    ),
    (
        ("qd-laoshan", date(2026, 5, 1), END),
        {
            "societies": 1,
            "meetings": 1,
            "needs": 1,
            "major_needs": 0,
            "visits": 0,
            "agreements": 1,
            "amount": 80.0,
            "bases": 1,
            "bases_new": 1,
        },
    ),
    (
        ("qd-laixi-kfq", None, END),
        {
            "societies": 0,
            "meetings": 0,
            "needs": 1,
            "major_needs": 1,
            "visits": 0,
            "agreements": 0,
            "amount": 0.0,
            "bases": 0,
        },
    ),
    (
        (None, date(2026, 8, 1), END),
        {
            "societies": 0,
            "meetings": 0,
            "needs": 0,
            "major_needs": 0,
            "visits": 0,
            "agreements": 0,
            "amount": 0.0,
            "bases": 2,
            "bases_new": 0,
        },
    ),
]


# Leadership counts only public needs (ADR 0014): conf_ent (莱西, major, 03-15) and secret_ent2
# (崂山, 04-20) are left out; every other figure is the coordinator's.
LEADERSHIP_NEEDS = [(4, 2), (1, 1), (2, 1), (1, 0), (1, 1), (0, 0)]  # (needs, major), per HEADLINES row


@pytest.mark.parametrize(("filters", "want"), HEADLINES, ids=[str(f) for f, _ in HEADLINES])
@pytest.mark.parametrize("role", ["coordinator", "leadership"])
def test_headline_figures(world, dash, filters, want, role):
    district, start, end = filters
    if role == "leadership":
        needs, major = LEADERSHIP_NEEDS[[f for f, _ in HEADLINES].index(filters)]
        want = want | {"needs": needs, "major_needs": major}
    h = s.headline(world.users[role], scope(world, role, district, start, end))
    assert {k: h[k] for k in want} == want


def test_district_staff_see_their_area_only(world, dash):
    sc = scope(world, "district")
    assert sc.area == world.areas["laixi"]
    h = s.headline(world.users["district"], sc)
    # needs: the public ones in 莱西 and its zone (pub_laixi, pub_zone); conf_ent is not counted
    assert (h["needs"], h["visits"], h["agreements"], h["bases"]) == (2, 1, 1, 1)
    with pytest.raises(Http404):
        scope(world, "district", "qd-laoshan")
    assert scope(world, "district", "qd-laixi-kfq").area == world.areas["laixi-zone"]


@pytest.mark.parametrize("role", ["enterprise", "liaison", "expert"])
def test_other_roles_have_no_dashboard(world, role):
    with pytest.raises(Http404):
        scope(world, role)


def test_unknown_area_is_404(world):
    with pytest.raises(Http404):
        scope(world, district="nowhere")


def test_breakdown_by_district(world, dash):
    rows = {
        r["area"].code: {k: v for k, v in r.items() if k != "area"}
        for r in s.by_district(world.users["coordinator"], scope(world))
    }
    assert rows == {
        "qd-laixi": {"needs": 3, "major": 2, "visits": 1, "agreements": 1, "bases": 1},
        "qd-laoshan": {"needs": 3, "major": 1, "visits": 1, "agreements": 1, "bases": 1},
    }
    rows = s.by_district(
        world.users["coordinator"], scope(world, district="qd-laixi", start=date(2026, 4, 1))
    )
    assert [(r["area"].code, r["needs"], r["agreements"]) for r in rows] == [("qd-laixi", 1, 0)]


def test_an_agreement_counts_once_in_a_district_whatever_its_parties_sub_areas(world, dash):
    """Two parties of one agreement in 莱西市 and in its development zone: one agreement in 莱西's row,
    as in the headline (the demo's district dashboard said 3 in the headline and 4 in the table)."""
    from kechuang.followup.models import Agreement
    from kechuang.orgs.models import Organisation

    zone_firm = Organisation.objects.create(name="开发区某材料公司", kind="enterprise", district=world.areas["laixi-zone"])
    a1 = Agreement.objects.get(parties=world.orgs["ent"])
    a1.parties.add(zone_firm)
    for district in (None, "qd-laixi"):
        sc = scope(world, district=district)
        rows = {r["area"].code: r["agreements"] for r in s.by_district(world.users["coordinator"], sc)}
        assert rows["qd-laixi"] == 1
        assert sum(rows.values()) <= s.headline(world.users["coordinator"], sc)["agreements"]


def test_breakdown_by_society(world, dash):
    rows = {
        r["society"].name: (r["events"], r["visits"], r["agreements"], r["bases"])
        for r in s.by_society(world.users["coordinator"], scope(world))
    }
    assert rows == {"中国材料研究学会": (2, 1, 1, 1), "中国农业机械学会": (1, 1, 1, 1)}
    rows = s.by_society(
        world.users["coordinator"], scope(world, start=date(2026, 4, 1), end=date(2026, 4, 30))
    )
    # bases count as of the period's end (b1 was unveiled 03-20), so 材料 still shows its base
    assert [(r["society"].name, r["events"], r["visits"], r["bases"]) for r in rows] == [
        ("中国农业机械学会", 1, 1, 0),
        ("中国材料研究学会", 0, 0, 1),
    ]


def test_breakdown_by_month(world, dash):
    rows = s.by_month(world.users["coordinator"], scope(world))
    assert rows == [
        {"month": "2026-02", "needs": 1, "meetings": 0, "visits": 0, "agreements": 0},
        {"month": "2026-03", "needs": 1, "meetings": 1, "visits": 1, "agreements": 1},
        {"month": "2026-04", "needs": 2, "meetings": 1, "visits": 1, "agreements": 0},
        {"month": "2026-05", "needs": 1, "meetings": 0, "visits": 0, "agreements": 1},
        {"month": "2026-06", "needs": 1, "meetings": 0, "visits": 0, "agreements": 0},
        {"month": "2026-07", "needs": 0, "meetings": 1, "visits": 0, "agreements": 0},
    ]


def test_breakdown_by_chain_and_coverage(world, dash):
    rows = {r["chain"].code: r for r in s.by_chain(world.users["coordinator"], scope(world))}
    m, a = rows["materials"], rows["agri"]
    assert (m["needs"], m["major"], m["signed"], m["experts"], m["achievements"], m["gap"]) == (
        3,
        2,
        2,
        1,
        1,
        "covered",
    )
    assert (a["needs"], a["major"], a["signed"], a["experts"], a["achievements"], a["gap"]) == (
        3,
        1,
        1,
        0,
        0,
        "gap",
    )
    assert (m["open"], a["open"]) == (2, 2)  # pub_laixi reached "agreement"; secret_ent2 was returned


def test_coverage_rule():
    assert s.expert_covers(["伺服驱动"], ["伺服"]) and s.expert_covers(["石墨"], ["石墨烯"])
    assert not s.expert_covers(["农业机械"], ["农机装备"])
    assert [s.gap_level(n, e) for n, e in [(0, 0), (2, 0), (4, 1), (3, 1)]] == [
        "none",
        "gap",
        "thin",
        "covered",
    ]


def test_funnel_counts_rates_and_median_days(world, dash):
    f = s.funnel(world.users["coordinator"], scope(world))
    assert [r["reached"] for r in f] == [6, 4, 3, 2, 1, 0]
    assert [r["rate"] for r in f] == [None, 4 / 6, 3 / 4, 2 / 3, 1 / 2, 0.0]
    assert [r["median_days"] for r in f] == [None, 2.5, 8, 10, 19, None]


def test_funnel_follows_the_filters(world, dash):
    f = s.funnel(world.users["coordinator"], scope(world, district="qd-laixi"))
    assert [r["reached"] for r in f] == [3, 3, 3, 2, 1, 0]
    assert [r["median_days"] for r in f] == [None, 2, 8, 10, 19, None]
    f = s.funnel(world.users["coordinator"], scope(world, start=date(2026, 4, 1), end=date(2026, 4, 30)))
    assert [r["reached"] for r in f] == [2, 1, 0, 0, 0, 0]


def test_median_from_histogram():
    assert s.median_from_histogram([]) is None
    assert s.median_from_histogram([(5, 1)]) == 5
    assert s.median_from_histogram([(1, 1), (3, 1)]) == 2
    assert s.median_from_histogram([(10, 2), (1, 1)]) == 10
    assert s.median_from_histogram([(0, 3), (7, 3)]) == 3.5


@pytest.mark.parametrize("role", ["leadership", "district"])
def test_major_needs_list_never_shows_confidential_titles(world, dash, role):
    sc = scope(world, role)
    titles = set(s.visible_major_needs(world.users[role], sc).values_list("title", flat=True))
    assert "保密的石墨烯配方" not in titles  # conf_ent is major but "matched experts only"
    assert "开发区石墨提纯" in titles
    # ...nor counted: the figure is exactly the list (ADR 0014)
    assert s.headline(world.users[role], sc)["major_needs"] == len(titles)


def test_coordinator_lists_confidential_major_needs(world, dash):
    titles = set(
        s.visible_major_needs(world.users["coordinator"], scope(world)).values_list("title", flat=True)
    )
    assert titles == {"保密的石墨烯配方", "农机智能化升级", "开发区石墨提纯"}


@pytest.mark.parametrize("role", ["coordinator", "leadership", "district"])
@pytest.mark.parametrize("limit", [1, 2, 20])
def test_recent_major_needs_are_the_first_of_the_visible_major_needs(world, dash, role, limit):
    """The briefings' list (read keys first, then rows) is the same rows in the same order as the
    full list, cut at ``limit``."""
    user = world.users[role]
    recent = s.recent_major_needs(user, scope(world, role), limit)
    expected = list(s.visible_major_needs(user, scope(world, role))[:limit])
    assert [n.pk for n in recent] == [n.pk for n in expected]
    assert len(recent) == min(limit, len(list(s.visible_major_needs(user, scope(world, role)))))

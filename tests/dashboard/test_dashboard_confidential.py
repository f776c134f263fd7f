"""No dashboard figure lets leadership or district staff infer a confidential need (ADR 0014).

The rule: figures count only the needs the user may open. So adding confidential needs — in every
cell a breakdown has (area, chain, month, funnel stage, major, signed) — changes nothing that
leadership or district staff see on the page, in the Excel or in the PDF, while the coordinator's
figures move.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from kechuang.dashboard import cache as dash_cache
from kechuang.dashboard import exports, selectors
from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange

SH = ZoneInfo("Asia/Shanghai")


def at(m: int, d: int) -> datetime:
    return datetime(2026, m, d, 12, tzinfo=SH)


PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}
# (key, confidentiality, area, chain, (month, day), major, statuses reached, signed)
HIDDEN = [
    (
        "h_laixi",
        "matched",
        "laixi",
        "materials",
        (3, 2),
        True,
        ("submitted", "reviewed", "matched", "met"),
        True,
    ),
    ("h_laoshan", "coordinators", "laoshan", "agri", (7, 15), False, ("submitted", "reviewed"), False),
    ("h_zone", "coordinators", "laixi-zone", "materials", (9, 9), True, ("submitted",), False),
    (
        "h_laoshan2",
        "matched",
        "laoshan",
        "materials",
        (4, 2),
        True,
        ("submitted", "reviewed", "matched"),
        False,
    ),
]


def add_need(world, key, conf, area, chain, md, major, statuses, *, submitted_by=None):
    created = at(*md)
    need = Need.objects.create(
        enterprise=world.orgs["ent"],
        title=f"隐藏需求{key}",
        chain=world.chains[chain],
        district=world.areas[area],
        background="b",
        problem="p",
        goal="g",
        confidentiality=conf,
        major=major,
        status=statuses[-1],
        status_changed_at=created,
        created_at=created,
        submitted_by=submitted_by,
    )
    prev = ""
    for i, st in enumerate(statuses):
        NeedStatusChange.objects.create(
            need=need, from_status=prev, to_status=st, at=created + timedelta(days=3 * i)
        )
        prev = st
    NeedStageFact.rebuild([need.pk])
    return need


def add_hidden(world, dash) -> None:
    for key, conf, area, chain, md, major, statuses, signed in HIDDEN:
        need = add_need(world, key, conf, area, chain, md, major, statuses)
        if signed:
            dash["agreements"][0].needs.add(need)


def _plain(d: selectors.Dashboard) -> dict:
    return {
        "headline": d.headline,
        "chains": [
            (c["chain"].code, c["needs"], c["major"], c["open"], c["signed"], c["experts"], c["gap"])
            for c in d.chains
        ],
        "districts": [
            (r["area"].code, r["needs"], r["major"], r["visits"], r["agreements"]) for r in d.districts
        ],
        "societies": [(r["society"].pk, r["events"], r["visits"], r["agreements"]) for r in d.societies],
        "months": d.months,
        "funnel": [(f["status"], f["reached"], f["rate"], f["median_days"]) for f in d.funnel],
    }


def snapshot(world, client_for, role: str, **params) -> dict:
    """Everything ``role`` sees: page figures, charts and sentence, every Excel cell, the PDF's text."""
    from openpyxl import load_workbook

    cache.clear()  # never compare a cached answer with itself
    client = client_for(role)
    page = client.get(reverse("dashboard:index"), PERIOD | params)
    assert page.status_code == 200
    xlsx = client.get(reverse("dashboard:export_xlsx"), PERIOD | params)
    assert xlsx.status_code == 200
    wb = load_workbook(BytesIO(xlsx.content))
    cells = {
        (sh.title, c.coordinate): c.value
        for sh in wb
        for row in sh.iter_rows()
        for c in row
        if c.value is not None and (sh.title, c.coordinate) != ("简报", "A2")  # generation time
    }
    scope = page.context["d"].scope
    pdf = exports.briefing_html(world.users[role], scope)
    return {
        "page": _plain(page.context["d"]),
        "summary": page.context["summary"],
        "detail": page.context["detail"],
        "charts": page.context["charts"],
        "xlsx": cells,
        "pdf": re.sub(r"生成时间：[^<]*", "", pdf),
    }


@pytest.mark.parametrize(
    ("role", "params"),
    [
        ("leadership", {}),
        ("leadership", {"district": "qd-laixi"}),
        ("leadership", {"district": "qd-laoshan"}),
        ("district", {}),
        ("district", {"district": "qd-laixi-kfq"}),
    ],
    ids=["leadership-city", "leadership-laixi", "leadership-laoshan", "district-own", "district-zone"],
)
def test_confidential_needs_change_nothing_for_leadership_and_district(world, dash, client_for, role, params):
    before = snapshot(world, client_for, role, **params)
    add_hidden(world, dash)
    after = snapshot(world, client_for, role, **params)
    for part in before:
        assert after[part] == before[part], part


def test_confidential_needs_are_counted_for_the_coordinator(world, dash, client_for):
    before = snapshot(world, client_for, "coordinator")
    add_hidden(world, dash)
    after = snapshot(world, client_for, "coordinator")
    hb, ha = before["page"]["headline"], after["page"]["headline"]
    assert (ha["needs"] - hb["needs"], ha["major_needs"] - hb["major_needs"]) == (4, 3)
    for part in ("chains", "districts", "months", "funnel"):
        assert after["page"][part] != before["page"][part], part
    assert after["xlsx"] != before["xlsx"] and after["pdf"] != before["pdf"]
    assert "隐藏需求h_laixi" in after["pdf"]  # the coordinator's lists show them too
    assert "含保密需求" in after["pdf"]


def test_counting_rule_is_stated_per_audience(world, dash, client_for):
    lead = snapshot(world, client_for, "leadership")
    assert "保密需求不计入" in lead["pdf"] and "保密需求不计入" in lead["xlsx"][("简报", "A7")]
    page = client_for("leadership").get(reverse("dashboard:index")).content.decode()
    assert "保密需求不计入" in page


def test_district_staff_count_the_confidential_needs_they_submitted(world, dash, client_for):
    user = world.users["district"]
    sc = selectors.dashboard_scope(user=user)
    before = selectors.headline(user, sc)
    add_need(
        world, "mine", "coordinators", "laixi", "materials", (6, 6), True, ("submitted",), submitted_by=user
    )
    sc = selectors.dashboard_scope(user=user)
    after = selectors.headline(user, sc)
    assert (after["needs"], after["major_needs"]) == (before["needs"] + 1, before["major_needs"] + 1)
    assert "隐藏需求mine" in set(selectors.visible_major_needs(user, sc).values_list("title", flat=True))
    # ...and leadership still does not
    lead = world.users["leadership"]
    assert selectors.headline(lead, selectors.dashboard_scope(user=lead))["needs"] == 4


def test_cache_key_names_what_the_figures_depend_on(world):
    from kechuang.accounts.models import User

    coord, lead, dist = world.users["coordinator"], world.users["leadership"], world.users["district"]
    boss = User.objects.create_superuser("boss", password="pw-test-123")
    lead2 = User.objects.create_user("leadership2", password="pw-test-123", role="leadership")
    assert dash_cache.audience(coord) == dash_cache.audience(boss)  # restrict() is the same for both
    audiences = {dash_cache.audience(u) for u in (coord, lead, lead2, dist)}
    assert len(audiences) == 4
    assert str(dist.area_id) in dash_cache.audience(dist)

"""Dashboard page and exports: scope, filters, pinned query counts, no confidential titles in exports."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from kechuang.dashboard import exports, selectors


def _get(client_for, role, name="dashboard:index", **params):
    return client_for(role).get(reverse(name), params)


def test_page_shows_figures_and_sentence_for_the_filters(world, dash, client_for):
    resp = _get(client_for, "leadership", district="qd-laixi", start="2026-01-01", end="2026-12-31")
    assert resp.status_code == 200
    html = resp.content.decode()
    d = resp.context["d"]
    assert d.scope.area == world.areas["laixi"]
    assert (d.headline["needs"], d.headline["visits"], d.headline["agreements"]) == (2, 1, 1)  # public needs
    assert "2026年1月1日至2026年12月31日，莱西市已与1家全国学会对接会议1次" in html
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html
    assert "保密的石墨烯配方" not in html


def test_district_staff_cannot_look_at_another_district(world, dash, client_for):
    assert _get(client_for, "district", district="qd-laoshan").status_code == 404
    resp = _get(client_for, "district")
    assert resp.status_code == 200 and resp.context["d"].scope.area == world.areas["laixi"]


def _add_more(world, n=5):
    """More of every record, in several districts and months."""
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from kechuang.followup.models import Agreement, Base, Visit
    from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange

    for i in range(n):
        t = datetime(2026, 1 + i, 5, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
        need = Need.objects.create(
            enterprise=world.orgs["ent2"],
            title=f"更多需求{i}",
            chain=world.chains["agri"],
            district=world.areas["laoshan"],
            background="b",
            problem="p",
            goal="g",
            major=bool(i % 2),
            status="matched",
            status_changed_at=t,
            created_at=t,
        )
        for j, st in enumerate(("submitted", "reviewed", "matched")):
            NeedStatusChange.objects.create(need=need, to_status=st, at=t + timedelta(days=j * (i + 1)))
        NeedStageFact.rebuild([need.pk])
        v = Visit.objects.create(
            title=f"更多走访{i}", date=date(2026, 1 + i, 3), district=world.areas["laixi"]
        )
        v.societies.set([world.orgs["soc"], world.orgs["soc2"]])
        a = Agreement.objects.create(
            title=f"更多协议{i}", kind="strategic", amount=i, signed=date(2026, 1 + i, 9)
        )
        a.parties.set([world.orgs["soc2"], world.orgs["ent"], world.orgs["ent2"]])
        Base.objects.create(
            kind="innovation_centre",
            name=f"更多中心{i}",
            society=world.orgs["soc2"],
            host=world.orgs["uni"],
            district=world.areas["laixi-zone"],
            unveiled=date(2026, 2, 1 + i),
        )


# session + user + filters/scope + 24 figure queries (was 26: the needs are counted per (area, chain) in one
# query shared by the headline, district and chain figures) + the recent-agreements list (and its parties);
# district staff: + their area and its subtree, read once per request (user.area_ids(), was twice: 35)
# + the top bar's unread-notification count (kechuang/notifications): one COUNT per page
PAGE_QUERIES = {"coordinator": 31, "leadership": 31, "district": 34}
SELECTOR_QUERIES = 24
COVERAGE_QUERIES = 2  # experts and achievements per chain (kept until an expert or chain changes)


@pytest.mark.parametrize("role", list(PAGE_QUERIES))
def test_page_query_count_is_pinned_and_does_not_grow(
    world, dash, client_for, role, django_assert_num_queries
):
    client = client_for(role)
    url = reverse("dashboard:index")
    with django_assert_num_queries(PAGE_QUERIES[role]):
        assert client.get(url, {"start": "2026-01-01"}).status_code == 200
    _add_more(world)
    # more needs, visits, agreements and bases, but no expert or chain changed: the experts'
    # coverage (2 queries) is kept from the first request, everything else is read again
    with django_assert_num_queries(PAGE_QUERIES[role] - COVERAGE_QUERIES):
        assert client.get(url, {"start": "2026-01-01"}).status_code == 200


def test_selector_query_count(world, dash, django_assert_num_queries):
    user = world.users["coordinator"]
    sc = selectors.dashboard_scope(user=user, district="qd-laixi")
    with django_assert_num_queries(SELECTOR_QUERIES):
        selectors.dashboard(user, sc)
    _add_more(world)
    with django_assert_num_queries(SELECTOR_QUERIES):
        selectors.dashboard(user, sc)


def test_excel_briefing_has_the_tables_and_no_confidential_titles(world, dash, client_for):
    from openpyxl import load_workbook

    for role, should_list, needs in (("leadership", False, 4), ("coordinator", True, 6)):
        resp = _get(client_for, role, "dashboard:export_xlsx", start="2026-01-01", end="2026-12-31")
        assert resp.status_code == 200
        assert resp["Content-Disposition"].startswith('attachment; filename="briefing-city-20261231.xlsx"')
        wb = load_workbook(BytesIO(resp.content))
        assert wb.sheetnames == [
            "简报",
            "核心指标",
            "产业链",
            "区市",
            "学会",
            "月度",
            "需求漏斗",
            "合作协议",
            "重大需求清单",
        ]
        assert wb["简报"]["A4"].value.startswith(
            "2026年1月1日至2026年12月31日，青岛市已与2家全国学会对接会议3次"
        )
        kpi = {r[0]: r[1] for r in wb["核心指标"].iter_rows(min_row=2, values_only=True)}
        assert kpi["征集企业需求（项）"] == needs and kpi["协议金额（万元）"] == 340
        text = "".join(str(c) for sh in wb for row in sh.iter_rows(values_only=True) for c in row if c)
        assert ("保密的石墨烯配方" in text) is should_list
        assert "绝密农机方案" not in text  # not major: never listed (counted for coordinators only)


def test_pdf_briefing_is_a_pdf_with_the_sentence(world, dash, client_for):
    resp = _get(client_for, "district", "dashboard:export_pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    html = exports.briefing_html(
        world.users["district"], selectors.dashboard_scope(user=world.users["district"])
    )
    assert "莱西市已与1家全国学会" in html and "Noto Sans CJK SC" in html
    assert "保密的石墨烯配方" not in html


def test_excel_briefing_cells_are_inert_and_clean(world, dash, client_for):
    """A title typed as a formula (or with control characters) is text in the briefing, never a formula."""
    from openpyxl import load_workbook

    from kechuang.followup.models import Agreement
    from kechuang.needs.models import Need

    Agreement.objects.filter(pk__in=[a.pk for a in Agreement.objects.all()[:1]]).update(
        title='=WEBSERVICE("http://x")'
    )
    Need.objects.filter(pk=world.needs["pub_zone"].pk).update(title="@SUM(A1)\x07开发区石墨提纯")
    resp = _get(client_for, "coordinator", "dashboard:export_xlsx", start="2026-01-01", end="2026-12-31")
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(resp.content))
    cells = [c for sh in wb for row in sh.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'=WEBSERVICE(\"http://x\")" in texts
    assert "'@SUM(A1)开发区石墨提纯" in texts

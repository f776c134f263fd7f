"""The coordinators' audit search page: filters, order, paging, the Excel export, and who may see it."""

from __future__ import annotations

import io
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.core import audit, audit_search
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    """Write entries as if at this Shanghai time (``at`` is auto_now_add, and rows cannot be updated)."""
    return mock.patch("django.utils.timezone.now", return_value=datetime(y, m, d, h, tzinfo=SH))


@pytest.fixture
def trail(world):
    coord, ent = world.users["coordinator"], world.users["enterprise"]
    conf, pub = world.needs["conf_ent"], world.needs["pub_laixi"]
    with at(2026, 3, 1):
        a = audit.record(ent, "need.update", conf, {"title": "保密的石墨烯配方（修订）"})
    with at(2026, 3, 5):
        b = audit.record_view(coord, conf, via="detail", confidentiality="matched")
    with at(2026, 3, 9):
        c = audit.record(coord, "need.transition", pub, {"from": "submitted", "to": "reviewed"})
    with at(2026, 3, 12):
        d = audit.record(ent, "need.update", pub, object_repr='=HYPERLINK("http://evil","x")\x07')
    return {"a": a, "b": b, "c": c, "d": d}


def ids(user, **filters):
    return [e.pk for e in audit_search.audit_search(user=user, filters=filters)]


def test_newest_first_and_only_coordinators_read(world, trail):
    t = trail
    assert ids(world.users["coordinator"]) == [t["d"].pk, t["c"].pk, t["b"].pk, t["a"].pk]
    for role in ("district", "enterprise", "liaison", "expert", "leadership"):
        assert ids(world.users[role]) == []


def test_each_filter(world, trail):
    u, t = world.users["coordinator"], trail
    assert ids(u, who="enter") == [t["d"].pk, t["a"].pk]
    assert ids(u, action="need.view") == [t["b"].pk]
    assert ids(u, action="need.") == [t["d"].pk, t["c"].pk, t["b"].pk, t["a"].pk]
    assert ids(u, object_type="needs.need", object_id=str(world.needs["conf_ent"].pk)) == [
        t["b"].pk,
        t["a"].pk,
    ]
    # dates are Shanghai days, both ends inclusive
    assert ids(u, start=datetime(2026, 3, 5).date(), end=datetime(2026, 3, 9).date()) == [
        t["c"].pk,
        t["b"].pk,
    ]
    # free text: the object's name, and Chinese inside the recorded content (escaped as \\uXXXX on SQLite)
    assert ids(u, q="HYPERLINK") == [t["d"].pk]
    assert ids(u, q="修订") == [t["a"].pk]
    assert ids(u, q="reviewed") == [t["c"].pk]


def test_a_deleted_users_entries_are_found_by_name(world, trail):
    world.users["enterprise"].delete()
    assert ids(world.users["coordinator"], who="enterprise") == [trail["d"].pk, trail["a"].pk]


def test_page_lists_filters_and_pages(world, trail, client_for):
    client = client_for("coordinator")
    resp = client.get(reverse("core:audit"), {"who": "coordinator"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "共 2 条" in html and "查看保密内容" in html
    assert "need.transition" in html and "need.update" not in html.split("<tbody>")[1]
    # the nav shows the page to coordinators
    assert 'href="/audit/"' in html
    # paging keeps the filters
    with at(2026, 4, 1):
        audit.record_views(world.users["coordinator"], [world.needs["conf_ent"]] * 60, via="export:test")
    resp = client.get(reverse("core:audit"), {"action": "need.view"})
    html = resp.content.decode()
    assert "共 61 条" in html and "第 1 / 2 页" in html
    assert "action=need.view&amp;page=2" in html
    assert (
        "第 2 / 2 页"
        in client.get(reverse("core:audit"), {"action": "need.view", "page": 2}).content.decode()
    )


def test_bad_dates_are_reported_not_applied(world, trail, client_for):
    resp = client_for("coordinator").get(reverse("core:audit"), {"start": "2026-03-09", "end": "2026-03-01"})
    html = resp.content.decode()
    assert "截止日期不能早于起始日期" in html and "共 4 条" in html


def test_nav_link_only_for_coordinators(world, client_for):
    for role in ("district", "enterprise", "leadership"):
        assert (
            'href="/audit/"' not in client_for(role).get(reverse("home:home"), follow=True).content.decode()
        )
    assert 'href="/audit/"' in client_for("coordinator").get(reverse("home:home")).content.decode()


def test_export_is_the_filtered_rows_made_safe_and_is_audited(world, trail, client_for):
    resp = client_for("coordinator").get(reverse("core:audit_export"), {"who": "enterprise"})
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith('attachment; filename="audit-')
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(audit_search.HEADER)
    assert [r[2] for r in rows[1:]] == ["need.update", "need.update"]
    assert rows[1][0] == datetime(2026, 3, 12, 10)  # Shanghai wall time
    # a formula typed into a name stays text, and the bell character is gone
    assert rows[1][6] == '\'=HYPERLINK("http://evil","x")'
    assert ws["G2"].data_type == "s"
    assert "修订" in rows[2][7]
    exported = AuditEntry.objects.get(action="auditentry.export")
    assert exported.actor_username == "coordinator"
    assert exported.changes == {"filters": {"who": "enterprise"}, "rows": 2}


def test_export_stops_at_the_limit_and_says_so(world, trail):
    body, n = audit_search.export_xlsx(audit_search.audit_search(user=world.users["coordinator"]), limit=3)
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert n == 3 and len(rows) == 5
    assert rows[-1][0] == "仅导出最新 3 条，共 4 条符合条件；请缩小筛选范围。"


def test_record_view_and_record_views(world):
    coord, conf = world.users["coordinator"], world.needs["conf_ent"]
    one = audit.record_view(coord, conf, via="api")
    assert (one.action, one.object_type, one.object_id, one.changes) == (
        "need.view_confidential",
        "needs.need",
        str(conf.pk),
        {"via": "api"},
    )
    many = audit.record_views(coord, [conf, world.needs["secret_ent2"]], via="export:needs.xlsx")
    assert [e.changes["via"] for e in many] == ["export:needs.xlsx"] * 2
    assert audit.record_views(coord, [], via="list") == []


def test_record_is_one_insert_and_bulk_is_one_insert(world, django_assert_num_queries):
    coord, conf = world.users["coordinator"], world.needs["conf_ent"]
    conf = type(conf).objects.get(pk=conf.pk)
    str(conf)  # warm whatever __str__ needs; record itself must add nothing
    with django_assert_num_queries(1):
        audit.record_view(coord, conf, via="detail")
    needs = list(type(conf).objects.all())
    [str(n) for n in needs]
    with django_assert_num_queries(1):
        audit.record_views(coord, needs, via="export:x")

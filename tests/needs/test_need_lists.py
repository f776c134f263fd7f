"""The needs list: sorting by column, the confidentiality filter, the Excel export (per role, audited)."""

from __future__ import annotations

import re

import pytest
from xlsx_read import response_bytes, xlsx_rows

from kechuang.core.models import AuditEntry


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/needs/\d+/">([^<]+)</a>', html)


def _export(client, query: str = "") -> list[list]:
    resp = client.get(f"/needs/?{query}&export=xlsx" if query else "/needs/?export=xlsx")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp["Content-Disposition"] and ".xlsx" in resp["Content-Disposition"]
    return xlsx_rows(response_bytes(resp))


def test_sort_by_title_both_ways_and_the_header_arrow(world, client_for):
    client = client_for("coordinator")
    asc = _titles(client.get("/needs/?sort=title").content.decode())
    desc_html = client.get("/needs/?sort=-title").content.decode()
    assert asc == sorted(asc) and len(asc) == 6
    assert _titles(desc_html) == list(reversed(asc))
    # the active header shows the arrow and offers the other direction; filters stay in the link
    html = client.get("/needs/?sort=title&chain=materials&page=1").content.decode()
    th = re.search(r'<th aria-sort="ascending"><a class="sort sort-active" href="([^"]+)"[^>]*>([^<]+)', html)
    assert th and "项目名称" in th.group(2)
    href = th.group(1).replace("&amp;", "&")
    assert "sort=-title" in href and "chain=materials" in href and "page=" not in href
    assert "▲" in html


@pytest.mark.parametrize(
    "bad", ["password", "-enterprise__users__password", "__", "-", "title;drop", "0", "x" * 5000, "owner__password"]
)
def test_unknown_sort_is_ignored_never_an_error(world, client_for, bad):
    client = client_for("coordinator")
    default = _titles(client.get("/needs/").content.decode())
    resp = client.get("/needs/", {"sort": bad})
    assert resp.status_code == 200
    assert _titles(resp.content.decode()) == default  # the default order: newest first


def test_sort_is_stable_for_equal_values(world, client_for):
    """Six needs in two chains: within a chain the order is fixed (by id), page after page."""
    client = client_for("coordinator")
    first = _titles(client.get("/needs/?sort=chain").content.decode())
    again = _titles(client.get("/needs/?sort=chain").content.decode())
    assert first == again
    by_id = sorted(world.needs.values(), key=lambda n: (n.chain.code, n.pk))
    assert first == [n.title for n in by_id]


def test_confidentiality_filter_shows_only_that_level_and_only_what_the_user_sees(world, client_for):
    client = client_for("coordinator")
    assert _titles(client.get("/needs/?confidentiality=coordinators").content.decode()) == ["绝密农机方案"]
    assert _titles(client.get("/needs/?confidentiality=matched").content.decode()) == ["保密的石墨烯配方"]
    # leadership sees public needs only: asking for a confidential level answers "none", not a count
    client = client_for("leadership")
    for level in ("matched", "coordinators"):
        html = client.get(f"/needs/?confidentiality={level}").content.decode()
        assert _titles(html) == [] and "没有符合条件的需求" in html
        assert "绝密农机方案" not in html and "保密的石墨烯配方" not in html
    # the enterprise filters its own needs
    client = client_for("enterprise")
    assert _titles(client.get("/needs/?confidentiality=matched").content.decode()) == ["保密的石墨烯配方"]


def test_enterprise_export_has_only_its_own_needs(world, client_for):
    rows = _export(client_for("enterprise"))
    header, body = rows[0], rows[1:]
    assert header[0] == "项目名称" and "保密级别" in header
    titles = sorted(r[0] for r in body)
    assert titles == sorted(["石墨烯规模化制备", "保密的石墨烯配方", "开发区石墨提纯"])
    assert {r[1] for r in body} == {"山东领军科技集团"}


def test_export_follows_filters_and_order(world, client_for):
    rows = _export(client_for("coordinator"), "chain=agri&sort=title")
    titles = [r[0] for r in rows[1:]]
    assert titles == sorted(["农机智能化升级", "绝密农机方案", "待审农机需求"])


def test_confidential_need_exported_by_a_coordinator_is_audited(world, client_for):
    secret = world.needs["secret_ent2"]
    before = AuditEntry.objects.filter(action="need.view_confidential", object_id=str(secret.pk)).count()
    rows = _export(client_for("coordinator"))
    assert "绝密农机方案" in [r[0] for r in rows[1:]]
    entries = AuditEntry.objects.filter(action="need.view_confidential", object_id=str(secret.pk))
    assert entries.count() == before + 1
    assert entries.latest("id").changes["via"] == "export:needs.xlsx"
    assert entries.latest("id").actor_username == "coordinator"
    # public needs are not audited as confidential views
    pub = world.needs["pub_laixi"]
    assert not AuditEntry.objects.filter(action="need.view_confidential", object_id=str(pub.pk)).exists()


@pytest.mark.parametrize("role", ["district", "liaison", "expert", "leadership"])
def test_other_roles_exports_do_not_contain_confidential_needs(world, client_for, role):
    rows = _export(client_for(role))
    flat = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "绝密农机方案" not in flat and "保密的石墨烯配方" not in flat
    assert "（保密需求）" not in flat  # not even a hidden placeholder row
    expected = {n.title for n in world.needs.values() if _visible(role, n)}
    assert {r[0] for r in rows[1:]} == expected


def _visible(role, need) -> bool:
    from kechuang.accounts.models import User
    from kechuang.core.access import can_see

    return can_see(User.objects.get(username=role), need)


def test_export_cells_are_formula_safe(world, client_for):
    need = world.needs["pub_laixi"]
    need.title = "=HYPERLINK(\"http://x\",\"点我\")"
    need.save()
    rows = _export(client_for("coordinator"), "q=HYPERLINK")
    assert rows[1][0] == "'" + need.title


def test_export_queries_do_not_grow_with_rows(world, client_for):
    """Titles, enterprises, owners: all come with the list's query, not one query per row."""
    client = client_for("coordinator")
    client.get("/needs/?export=xlsx")  # warm the session and the user
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _export(client)
    template = world.needs["secret_ent2"]
    for i in range(20):  # more confidential needs of another enterprise, each with its own owner
        template.pk, template.id, template.title = None, None, f"更多保密需求{i}"
        template.owner = world.users["coordinator"]
        template.save()
    with CaptureQueriesContext(connection) as many:
        rows = _export(client)
    assert len(rows) == 1 + 6 + 20
    # the 20 new confidential needs add one audit INSERT for the batch, nothing per row
    assert len(many.captured_queries) <= len(few.captured_queries) + 1

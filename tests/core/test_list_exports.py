"""Every list page exports to Excel exactly the rows its reader sees there (same view, same selectors,
same filters and order), for every role; the file is a real workbook with the list's header row."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from xlsx_read import response_bytes, xlsx_rows

ROLES = ("coordinator", "district", "enterprise", "liaison", "expert", "leadership")

# list URL -> the link every row of that list carries (its rows are counted on the page by it)
LISTS = {
    "/needs/": r'href="/needs/(\d+)/"',
    "/experts/": r'href="/experts/(\d+)/"',
    "/experts/achievements/": r'href="/experts/achievements/(\d+)/"',
    "/orgs/": r'href="/orgs/(\d+)/"',
    "/events/": r'href="/events/(\d+)/"',
    "/followup/visits/": r'href="/followup/visits/(\d+)/"',
    "/followup/agreements/": r'href="/followup/agreements/(\d+)/"',
    "/followup/bases/": r'href="/followup/bases/(\d+)/"',
    "/followup/stalled/": r'href="/needs/(\d+)/"',
    "/matching/inbox/": r'data-testid="invitation-(\d+)"',
}


def _fragment(name):
    path = Path(__file__).parent / f"matrix_{name}.py"
    spec = importlib.util.spec_from_file_location(f"lists_fragment_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def full_world(world):
    for name in ("followup", "matching", "events"):
        frag = _fragment(name)
        if hasattr(frag, "build"):
            frag.build(world)
    return world


def _export(client, url):
    resp = client.get(url + ("&" if "?" in url else "?") + "export=xlsx")
    assert resp.status_code == 200, url
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert re.search(r'attachment; filename="[a-z-]+-\d{8}\.xlsx"', resp["Content-Disposition"])
    return xlsx_rows(response_bytes(resp))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(LISTS))
def test_export_has_the_rows_of_the_page(full_world, client_for, role, url):
    client = client_for(role)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    shown = set(re.findall(LISTS[url], html))
    if shown:
        assert 'data-testid="export-xlsx"' in html
    rows = _export(client, url)
    assert rows[0] and all(isinstance(h, str) and h for h in rows[0])  # the header row
    assert len(rows) - 1 == len(shown), f"{role} {url}: page shows {len(shown)}, file has {len(rows) - 1}"


def test_city_events_and_audit_export(full_world, client_for):
    client = client_for("coordinator")
    rows = _export(client, "/followup/conferences/")
    assert rows[0][2] == "名称"
    from kechuang.core import audit

    for role in ("leadership", "district", "expert", "coordinator"):
        audit.record(full_world.users[role], "need.update", full_world.needs["pub_laixi"], {"x": role})
    rows = _export(client, "/audit/?sort=-who")
    who = [r[1] for r in rows[1:]]
    assert who == sorted(who, reverse=True) and len(who) > 3
    # the audit export keeps its own URL too (the page's button), with the same query
    body = xlsx_rows(response_bytes(client.get("/audit/export.xlsx?sort=who")))
    assert [r[1] for r in body[1:]] == sorted(r[1] for r in body[1:])


def test_export_needs_a_login(world, client):
    for url in LISTS:
        resp = client.get(url + "?export=xlsx")
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_audit_list_export_is_404_for_everyone_but_coordinators(world, client_for):
    for role in ROLES[1:]:
        assert client_for(role).get("/audit/?export=xlsx").status_code == 404


def _sortings():
    from kechuang.core import audit_search
    from kechuang.events.views import pages
    from kechuang.experts import views as experts
    from kechuang.followup import views as followup
    from kechuang.matching import views as matching
    from kechuang.needs import lists as needs
    from kechuang.orgs import views as orgs

    return {
        "/needs/": needs.NEED_SORTING,
        "/followup/stalled/": needs.STALLED_SORTING,
        "/experts/": experts.EXPERT_SORTING,
        "/experts/achievements/": experts.ACHIEVEMENT_SORTING,
        "/orgs/": orgs.ORG_SORTING,
        "/events/": pages.EVENT_SORTING,
        "/followup/visits/": followup.VISIT_SORTING,
        "/followup/agreements/": followup.AGREEMENT_SORTING,
        "/followup/bases/": followup.BASE_SORTING,
        "/followup/conferences/": followup.CITY_EVENT_SORTING,
        "/matching/inbox/": matching.INBOX_SORTING,
        "/audit/": audit_search.SORTING,
    }


def test_every_sortable_column_of_every_list_sorts_both_ways_and_exports(full_world, client_for):
    """Each whitelisted key, ascending and descending, on the page and in the file; and junk is ignored."""
    client = client_for("coordinator")
    for url, sorting in _sortings().items():
        for key in sorting.columns:
            for value in (key, f"-{key}"):
                resp = client.get(url, {"sort": value})
                assert resp.status_code == 200, (url, value)
                assert xlsx_rows(response_bytes(client.get(url, {"sort": value, "export": "xlsx"})))[0]
        for junk in ("password", "-pk__in", "id); drop table x; --", "\x00"):
            assert client.get(url, {"sort": junk}).status_code == 200, (url, junk)

"""A coordinator searches the audit trail and downloads the filtered result as Excel; on a phone too."""

from __future__ import annotations

import io

from browser_helpers import login, shot
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect


def test_coordinator_searches_the_audit_trail_and_exports_it(page, demo):
    from kechuang.core.models import AuditEntry
    from kechuang.needs.models import Need

    need = Need.objects.exclude(confidentiality="public").order_by("pk").first()
    login(page, "coordinator")
    page.goto(reverse("needs:detail", args=[need.pk]))  # seeing a confidential need leaves a trace
    expect(page.locator("h1")).to_contain_text(need.title[:10])

    page.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    page.get_by_label("操作人").fill("coordinator")
    page.get_by_label("操作", exact=True).fill("need.view")
    page.get_by_label("对象编号").fill(str(need.pk))
    page.get_by_role("button", name="查询").click()
    table = page.get_by_test_id("audit-table")
    # the page itself, and the home page's lists if they showed it: every sight of it is there
    seen = AuditEntry.objects.filter(
        actor_username="coordinator", action="need.view_confidential", object_id=str(need.pk)
    ).count()
    assert seen >= 1
    expect(table.locator("tbody tr")).to_have_count(seen)
    expect(table).to_contain_text(need.title[:10])
    expect(table).to_contain_text("查看保密内容")
    expect(page.get_by_test_id("audit-count")).to_have_text(f"共 {seen} 条")
    shot(page, "audit-search-coordinator")

    with page.expect_download() as dl:
        page.get_by_test_id("audit-export").click()
    download = dl.value
    assert download.suggested_filename.startswith("audit-") and download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fh:  # the download's temp file has no .xlsx suffix
        rows = list(load_workbook(io.BytesIO(fh.read())).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作")
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [("coordinator", "need.view_confidential", str(need.pk))] * seen
    assert AuditEntry.objects.filter(action="auditentry.export", actor_username="coordinator").count() == 1

    # 390 px wide: the rows become cards, nothing scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(table.locator("tbody tr")).to_have_count(seen)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "audit-search-coordinator-390")


def test_other_roles_do_not_find_the_page(page):
    login(page, "leadership")
    expect(page.get_by_role("link", name="审计日志")).to_have_count(0)
    resp = page.goto("/audit/")
    assert resp.status == 404

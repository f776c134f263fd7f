"""Lists as people use them: sort by a column, filter by confidentiality, export what is shown to Excel,
and (re)assign the follow-up owner (跟进负责人) from a need's page and in bulk from the list."""

from __future__ import annotations

import io

from browser_helpers import login, shot
from openpyxl import load_workbook
from playwright.sync_api import expect


def _download_rows(page, button) -> tuple[str, list[tuple]]:
    with page.expect_download() as dl:
        button.click()
    download = dl.value
    with open(download.path(), "rb") as fh:  # the download's temp file has no .xlsx suffix
        rows = list(load_workbook(io.BytesIO(fh.read()), read_only=True).active.iter_rows(values_only=True))
    return download.suggested_filename, rows


def _titles(page) -> list[str]:
    return page.get_by_test_id("need-table").locator("tbody tr td:nth-child(2) a").all_inner_texts()


def test_coordinator_sorts_filters_and_exports_needs(page, demo):
    from kechuang.core.models import AuditEntry
    from kechuang.needs.models import Need

    secret = Need.objects.filter(confidentiality="coordinators")
    assert secret.count() >= 2
    login(page, "coordinator")
    page.goto("/needs/")
    page.get_by_label("保密级别").select_option("coordinators")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("h1 small")).to_have_text(f"共 {secret.count()} 项")

    table = page.get_by_test_id("need-table")
    table.get_by_role("link", name="项目名称").click()
    expect(table.locator('th[aria-sort="ascending"]')).to_contain_text("项目名称 ▲")
    asc = _titles(page)
    assert asc == sorted(asc) and len(asc) == min(secret.count(), 25)
    assert "confidentiality=coordinators" in page.url  # the filter survives the sort
    table.get_by_role("link", name="项目名称").click()
    expect(table.locator('th[aria-sort="descending"]')).to_contain_text("项目名称 ▼")
    desc = _titles(page)
    assert desc == sorted(desc, reverse=True)
    shot(page, "needs-sorted-filtered-coordinator")

    before = AuditEntry.objects.filter(action="need.view_confidential", changes__via="export:needs.xlsx").count()
    name, rows = _download_rows(page, page.get_by_test_id("export-xlsx"))
    assert name.startswith("needs-") and name.endswith(".xlsx")
    assert rows[0][:2] == ("项目名称", "需求企业")
    titles = [r[0] for r in rows[1:]]
    assert titles == sorted(secret.values_list("title", flat=True), reverse=True)  # same filter, same order
    assert {r[6] for r in rows[1:]} == {"仅协调员可见"}
    after = AuditEntry.objects.filter(action="need.view_confidential", changes__via="export:needs.xlsx").count()
    assert after - before == secret.count()  # every confidential need in the file is on the record


def test_enterprise_export_has_only_its_own_needs(page, demo):
    from kechuang.accounts.models import User
    from kechuang.needs.models import Need

    ent = User.objects.get(username="enterprise").organisation
    login(page, "enterprise")
    page.goto("/needs/?sort=title")
    _, rows = _download_rows(page, page.get_by_test_id("export-xlsx"))
    assert sorted(r[0] for r in rows[1:]) == sorted(Need.objects.filter(enterprise=ent).values_list("title", flat=True))
    assert {r[1] for r in rows[1:]} == {ent.name}


def test_owner_reassigned_on_the_need_page_and_in_bulk(page, demo):
    from kechuang.accounts.models import User
    from kechuang.needs.models import Need

    district = User.objects.get(username="district")
    need = Need.objects.filter(
        confidentiality="public", district_id__in=district.area_ids(), status="reviewed"
    ).exclude(owner=district).order_by("pk").first()
    login(page, "coordinator")
    page.goto(f"/needs/{need.pk}/")
    card = page.get_by_test_id("owner-card")
    card.get_by_label("跟进负责人").select_option(label=str(district))
    card.get_by_role("button").click()
    expect(page.locator(".messages, [role=status], .msg").first).to_contain_text(f"跟进负责人已设为“{district}”")
    expect(page.get_by_test_id("need-history")).to_contain_text("负责人变更")
    expect(page.get_by_test_id("need-history")).to_contain_text(f"→ {district}")
    need.refresh_from_db()
    assert need.owner == district
    shot(page, "need-owner-assigned")

    # bulk: the two newest public needs of 莱西 go to the second coordinator
    coord2 = User.objects.filter(role="coordinator").exclude(username="coordinator").order_by("pk").first()
    page.goto("/needs/?district=" + district.area.code)
    rows = page.get_by_test_id("need-table").locator("tbody tr")
    picked = []
    for i in range(2):
        row = rows.nth(i)
        row.locator('input[name="needs"]').check()
        picked.append(int(row.locator('input[name="needs"]').get_attribute("value")))
    bulk = page.get_by_test_id("bulk-owner")
    bulk.get_by_label("跟进负责人").select_option(label=str(coord2))
    bulk.get_by_role("button", name="批量指定").click()
    expect(page.locator("body")).to_contain_text(f"已为 2 项需求指定跟进负责人“{coord2}”")
    assert "district=" in page.url  # back to the same list
    for pk in picked:
        expect(page.locator(f'tr:has(input[value="{pk}"]) [data-testid="owner"]')).to_have_text(str(coord2))
    assert set(Need.objects.filter(pk__in=picked).values_list("owner", flat=True)) == {coord2.pk}
    shot(page, "needs-bulk-owner")

"""A user creates a personal API token on their page, a program with that token lists only what the
user may see, the user revokes the token and the program gets 401."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from browser_helpers import login, shot
from playwright.sync_api import expect


def api_get(base, path, token):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - the live test server
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_token_created_used_and_revoked(page, live_server):
    from kechuang.accounts.models import User
    from kechuang.needs.selectors import need_list

    login(page, "district")
    page.get_by_role("link", name="API 令牌").first.click()
    expect(page.get_by_role("heading", name="API 令牌", exact=True)).to_be_visible()
    page.get_by_label("令牌名称").fill("区里的数据同步脚本")
    page.get_by_label("有效期").select_option("30")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("kc_")
    expect(page.get_by_test_id("token-row")).to_contain_text("区里的数据同步脚本")
    shot(page, "api-token-created-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "api-token-created-390")
    # on a phone the page (with the long secret on it) does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 900})

    # the program: exactly the needs the district user may see, page by page
    user = User.objects.get(username="district")
    expected = set(need_list(user=user).values_list("pk", flat=True))
    got, offset = set(), 0
    while True:
        status, body = api_get(live_server.url, f"/api/needs/?limit=200&offset={offset}", secret)
        assert status == 200
        got |= {n["id"] for n in body["items"]}
        offset += 200
        if offset >= body["count"]:
            break
    assert got == expected and len(expected) < len(need_list(user=User.objects.get(username="coordinator")))

    page.goto("/account/api-tokens/")  # the secret is shown only once
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    expect(page.get_by_test_id("token-row")).to_contain_text("有效")
    page.get_by_test_id("token-row").get_by_role("button", name="撤销").click()
    expect(page.get_by_test_id("token-row")).to_contain_text("已撤销")
    shot(page, "api-token-revoked-1366")
    status, body = api_get(live_server.url, "/api/needs/", secret)
    assert status == 401
    assert "令牌" in body["detail"]

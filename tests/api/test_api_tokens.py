"""Personal API tokens: stored hashed, shown once, last use recorded, expiry and revocation end them,
creation and revocation audited; sessions keep working, with CSRF on unsafe methods."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kechuang.api.models import ApiToken
from kechuang.api.tokens import token_create, token_revoke
from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry


def test_the_secret_is_stored_only_as_its_hash(world):
    token, secret = token_create(user=world.users["district"], name="同步脚本")
    row = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("kc_") and len(secret) > 40
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored
    assert row.prefix == secret[:10]


def test_a_token_acts_as_its_user_and_records_its_last_use(world, bearer):
    token, secret = token_create(user=world.users["district"], name="同步脚本")
    assert token.last_used_at is None
    resp = bearer(secret).get("/api/needs/", {"limit": 100})
    assert resp.status_code == 200
    titles = {n["title"] for n in resp.json()["items"]}
    assert titles == {world.needs["pub_laixi"].title, world.needs["pub_zone"].title}
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer kc_not-a-real-token", "Bearer ", "Token abc", "Bearer " + "x" * 500, "Basic dXNlcjpwYXNz"],
)
def test_unknown_or_malformed_tokens_are_401_with_a_chinese_message(world, header):
    resp = Client().get("/api/needs/", headers={"Authorization": header})
    assert resp.status_code == 401
    assert "令牌" in resp.json()["detail"]


def test_a_revoked_token_is_401_and_the_revocation_is_audited(world, bearer):
    user = world.users["enterprise"]
    token, secret = token_create(user=user, name="ERP 对接")
    c = bearer(secret)
    assert c.get("/api/needs/").status_code == 200
    token_revoke(user=user, pk=token.pk)
    assert c.get("/api/needs/").status_code == 401
    actions = list(AuditEntry.objects.filter(object_id=str(token.pk)).values_list("action", flat=True))
    assert "api_token.create" in actions and "api_token.revoke" in actions


def test_an_expired_token_is_401(world, bearer):
    token, secret = token_create(user=world.users["expert"], name="短期", expires_in_days=1)
    c = bearer(secret)
    assert c.get("/api/experts/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert c.get("/api/experts/").status_code == 401


def test_a_deactivated_user_s_token_is_401(world, bearer):
    user = world.users["liaison"]
    _, secret = token_create(user=user, name="学会脚本")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert bearer(secret).get("/api/experts/").status_code == 401


def test_nobody_revokes_someone_else_s_token(world, bearer):
    token, secret = token_create(user=world.users["leadership"], name="领导看板")
    with pytest.raises(ApplicationError):
        token_revoke(user=world.users["coordinator"], pk=token.pk)
    assert bearer(secret).get("/api/needs/").status_code == 200


def test_token_create_validates_its_input(world):
    user = world.users["district"]
    for kwargs in ({"name": " "}, {"name": "x" * 81}, {"name": "ok", "expires_in_days": 0}):
        with pytest.raises(ApplicationError):
            token_create(user=user, **kwargs)
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_token_page_shows_the_secret_once_and_revokes(world, client_for):
    c = client_for("enterprise")
    resp = c.post("/account/api-tokens/", {"name": "ERP 对接", "expires_in_days": "30"})
    assert resp.status_code == 200
    token = ApiToken.objects.get(user=world.users["enterprise"])
    secret = resp.context["secret"]
    assert secret and token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret in resp.content.decode()
    assert secret not in c.get("/account/api-tokens/").content.decode()  # shown once
    assert token.expires_at is not None
    resp = c.post(f"/account/api-tokens/{token.pk}/revoke/")
    assert resp.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_token_page_lists_only_the_caller_s_tokens(world, client_for):
    token_create(user=world.users["coordinator"], name="协调员的令牌")
    token_create(user=world.users["district"], name="区里的令牌")
    page = client_for("district").get("/account/api-tokens/").content.decode()
    assert "区里的令牌" in page and "协调员的令牌" not in page


def test_a_session_write_needs_the_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["coordinator"])
    need = world.needs["new_ent2"]
    body = json.dumps({"to_status": "reviewed"})
    url = f"/api/needs/{need.pk}/transitions"
    resp = c.post(url, body, content_type="application/json")
    assert resp.status_code == 403
    assert "CSRF" in resp.json()["detail"]
    need.refresh_from_db()
    assert need.status == "submitted"
    c.get("/account/api-tokens/")  # any page sets the CSRF cookie
    csrf = c.cookies["csrftoken"].value
    resp = c.post(url, body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert resp.status_code == 200
    need.refresh_from_db()
    assert need.status == "reviewed"


def test_a_token_write_needs_no_csrf(world):
    c = Client(enforce_csrf_checks=True)
    _, secret = token_create(user=world.users["coordinator"], name="脚本")
    need = world.needs["new_ent2"]
    resp = c.post(
        f"/api/needs/{need.pk}/transitions",
        json.dumps({"to_status": "reviewed"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert resp.status_code == 200


def test_the_token_page_and_api_errors_in_english(world, client_for):
    import re

    cjk = re.compile(r"[\u3400-\u9fff]")
    c = client_for("enterprise")
    page = c.post("/account/api-tokens/", {"name": "ERP sync", "expires_in_days": "30"},
                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    main = page[page.index("<main"):page.index("</main>")]
    assert "API tokens" in main and "Revoke" in main
    assert not cjk.findall(main), cjk.findall(main)
    resp = Client().get("/api/needs/", HTTP_AUTHORIZATION="Bearer kc_nonsense", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 401 and "API token" in resp.json()["detail"]
    assert not cjk.search(resp.json()["detail"])

"""Password rules (Django's validators + ours), the password-change page, the idle timeout."""

from __future__ import annotations

import pytest
from accounts_helpers import PASSWORD, make_users
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from kechuang.accounts import middleware
from kechuang.accounts.passwords import CharacterClassValidator, NotLikeNamesValidator
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db):
    return make_users()


def codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("12345678a", {"password_too_short", "password_too_few_classes"}),
        ("qingdao2026", {"password_too_few_classes", "password_like_names"}),
        ("Qingdao@2026", {"password_like_names"}),  # four classes, still the first guess
        ("Kechuang#2026", {"password_like_names"}),
        ("abcdefghijkl", {"password_too_few_classes"}),
        ("1234567890123", {"password_entirely_numeric", "password_too_few_classes"}),
    ],
)
def test_weak_passwords_are_refused(password, expected, users):
    assert expected <= codes(password, users["enterprise"])


def test_not_like_the_username_or_the_organisation(users):
    ent = users["enterprise"]  # organisation "Haier Smart Home 海尔智家", short name "Haier"
    assert "password_like_names" in codes("Enterprise#99", ent)
    assert "password_like_names" in codes("HaierSmart#88", ent)
    assert "password_like_names" in codes("H@ier-2026!", ent)
    assert "password_like_names" not in codes("HaierSmart#88", users["coordinator"])  # not their company


@pytest.mark.parametrize("password", ["Tide-Harbour-47-lantern", "海边灯塔zhao42!", "x9#Kp2mQ-w7vL"])
def test_good_passwords_pass(password, users):
    assert codes(password, users["enterprise"]) == set()


def test_character_classes_count_symbols_and_chinese():
    v = CharacterClassValidator(min_classes=3)
    v.validate("abcdef12!x")
    v.validate("密码abc1234")  # 汉字 count as symbols
    with pytest.raises(ValidationError):
        v.validate("abcdefABCDEF")
    assert "3" in v.get_help_text()
    assert "青岛" in NotLikeNamesValidator().get_help_text()


def test_password_change_page_in_chinese_with_the_rules(client, users):
    client.force_login(users["enterprise"])
    page = client.get(reverse("accounts:password_change"))
    body = page.content.decode()
    assert page.status_code == 200 and "修改密码" in body and "至少包含小写字母、大写字母、数字、符号中的 3 类" in body
    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "qingdao2026", "new_password2": "qingdao2026"},
    )
    assert weak.status_code == 200 and "修改未成功" in weak.content.decode()
    assert "过于相似" in weak.content.decode()
    ok = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Tide-Harbour-47", "new_password2": "Tide-Harbour-47"},
    )
    assert ok.status_code == 302
    users["enterprise"].refresh_from_db()
    assert users["enterprise"].check_password("Tide-Harbour-47")
    assert client.get(reverse("home:home")).status_code == 200  # still signed in
    assert AuditEntry.objects.filter(action="auth.password_changed", actor=users["enterprise"]).exists()


@override_settings(KECHUANG_SESSION_IDLE_MINUTES=30)
def test_an_idle_session_is_logged_out(client, users, monkeypatch):
    clock = [1_800_000_000.0]
    monkeypatch.setattr(middleware, "_now", lambda: clock[0])
    client.force_login(users["enterprise"])
    assert client.get(reverse("home:home")).status_code == 200
    clock[0] += 29 * 60  # active again within the limit: still signed in, and the clock restarts
    assert client.get(reverse("home:home")).status_code == 200
    clock[0] += 29 * 60
    assert client.get(reverse("home:home")).status_code == 200
    clock[0] += 31 * 60  # idle too long
    resp = client.get(reverse("needs:list"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home:home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.session_timeout", object_id=str(users["enterprise"].pk)).exists()
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert "已自动退出" in login_page


def test_the_session_cookie_lives_as_long_as_the_idle_limit(settings):
    assert settings.SESSION_COOKIE_AGE == settings.KECHUANG_SESSION_IDLE_MINUTES * 60

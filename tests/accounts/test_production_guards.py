"""Production guards: `manage.py demo` refuses a production database, and the production
settings pass Django's deployment checks (HTTPS, HSTS, secure cookies that cannot be switched off)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "KECHUANG_SECRET_KEY": "test-only-1f3c5e7a9b0d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c0e2b4d",
    "KECHUANG_ALLOWED_HOSTS": "example.org",
}


def run(args, tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("KECHUANG_", "DJANGO_"))}
    full |= PROD_ENV | {"KECHUANG_SQLITE_PATH": str(tmp_path / "prod.sqlite3")} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db
@override_settings(KECHUANG_ENV="production", DEBUG=False)
def test_demo_refuses_production_settings():
    from kechuang.accounts.models import User

    with pytest.raises(CommandError, match="生产环境") as exc:
        call_command("demo")
    assert "--allow-production" in str(exc.value)
    assert not User.objects.exists()


@pytest.mark.django_db
@override_settings(KECHUANG_ENV="production", DEBUG=False)
def test_demo_override_flag_is_explicit():
    out = StringIO()
    call_command("demo", "--logins", "--allow-production", stdout=out)  # prints the logins, loads nothing
    assert "demo-coord-2026" in out.getvalue()


@pytest.mark.django_db
@override_settings(KECHUANG_ENV="production", DEBUG=True)
def test_debug_is_not_production_for_the_demo():
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    assert "演示账号" in out.getvalue()


def test_demo_exits_non_zero_against_a_production_database(tmp_path):
    result = run(["demo"], tmp_path)
    assert result.returncode != 0
    assert "生产环境" in result.stderr and "拒绝载入演示数据" in result.stderr
    assert not (tmp_path / "prod.sqlite3").exists() or (tmp_path / "prod.sqlite3").stat().st_size == 0


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_security_settings_cannot_be_switched_off_from_the_environment(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "k: getattr(s, k, None) for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT',"
        "'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_AGE', 'KECHUANG_REQUIRE_2FA', 'KECHUANG_ENV', 'DEBUG',"
        "'SECURE_PROXY_SSL_HEADER']}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KECHUANG_", "DJANGO_"))}
    env |= PROD_ENV | {"KECHUANG_SECURE_COOKIES": "0", "KECHUANG_BEHIND_PROXY": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    values = json.loads(out.stdout)
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] >= 3600
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    assert values["KECHUANG_REQUIRE_2FA"] is True and values["KECHUANG_ENV"] == "production"
    assert values["DEBUG"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_tiny_hsts_is_refused(tmp_path):
    result = run(["check"], tmp_path, KECHUANG_HSTS_SECONDS="60")
    assert result.returncode != 0 and "KECHUANG_HSTS_SECONDS" in result.stderr

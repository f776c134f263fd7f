"""Error pages: in the site's layout, in the user's language, with a way back; never Django's debug pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.test import Client, override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_404_anonymous_in_chinese(client):
    r = client.get("/no-such-page/")
    body = r.content.decode()
    assert r.status_code == 404
    assert "页面不存在" in body and "返回首页" in body
    assert 'data-testid="error-page"' in body and 'class="topbar"' in body  # the site's layout
    assert "URLconf" not in body and "config.urls" not in body


def test_404_logged_in_keeps_the_navigation(client_for, world):
    r = client_for("enterprise").get("/needs/999999/")
    body = r.content.decode()
    assert r.status_code == 404
    assert "页面不存在" in body
    assert 'data-testid="current-user"' in body and 'class="mainnav"' in body


def test_404_in_english_has_the_english_layout(client):
    r = client.get("/no-such-page/", headers={"accept-language": "en"})
    assert r.status_code == 404
    assert '<html lang="en">' in r.content.decode()


@override_settings(ROOT_URLCONF="ops_error_urls")
def test_403_and_400_pages(client):
    r = client.get("/__err/403/")
    assert r.status_code == 403 and "无权访问" in r.content.decode()
    r = client.get("/__err/400/")
    assert r.status_code == 400 and "请求无效" in r.content.decode()


def test_csrf_failure_page_explains_and_leads_back():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/accounts/login/", {"username": "x", "password": "y"})
    body = r.content.decode()
    assert r.status_code == 403
    assert "页面已过期" in body and "返回首页" in body and 'class="topbar"' in body
    assert "CSRF verification failed" not in body


@override_settings(ROOT_URLCONF="ops_error_urls")
def test_500_page_without_trace_or_settings():
    c = Client(raise_request_exception=False)
    r = c.get("/__err/500/")
    body = r.content.decode()
    assert r.status_code == 500
    assert "服务器出错" in body and "返回首页" in body
    assert "boom" not in body and "Traceback" not in body and "SECRET_KEY" not in body


def test_500_template_needs_no_database_nor_context(django_assert_num_queries):
    """Django renders 500.html with an empty context; it must not touch the DB (which may be what failed)."""
    with django_assert_num_queries(0), translation.override("zh-hans"):
        html = get_template("500.html").render({})
    assert "服务器出错" in html and 'href="/"' in html
    assert "{%" not in html and "static/" not in html


def _make_run_settings_module() -> str:
    """The settings `make run` serves with: the one manage.py defaults to unless the Makefile names one."""
    run = re.search(r"^run:.*?(?=^\S)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.S | re.M).group(0)
    named = re.search(r"DJANGO_SETTINGS_MODULE=(\S+)", run)
    if named:
        return named.group(1)
    return re.search(r'"DJANGO_SETTINGS_MODULE", "([^"]+)"', (ROOT / "manage.py").read_text()).group(1)


def test_make_run_serves_without_debug_and_its_404_has_no_url_list(tmp_path):
    module = _make_run_settings_module()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KECHUANG_DEBUG", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE=module, KECHUANG_VAR_DIR=str(tmp_path), KECHUANG_DB="sqlite")
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.test import Client\n"
        "r = Client().get('/no-such-page/')\n"
        "print('DEBUG', settings.DEBUG); print('STATUS', r.status_code)\n"
        "print('URLLIST', 'URLconf' in r.content.decode() or 'admin/' in r.content.decode())\n"
        "s = Client().get('/static/css/kechuang.css'); print('STATIC', s.status_code)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "DEBUG False" in out.stdout
    assert "STATUS 404" in out.stdout
    assert "URLLIST False" in out.stdout
    assert "STATIC 200" in out.stdout  # static files still served with DEBUG off (whitenoise)

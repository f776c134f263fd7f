"""Chinese by default, English on request; SQLite runs in WAL with IMMEDIATE transactions."""

from __future__ import annotations

import pytest
from django.conf import settings


def test_chinese_is_the_default_and_english_is_available(world, client_for):
    client = client_for("coordinator")
    page = client.get("/needs/").content.decode()
    assert "需求库" in page and "已审核" in page and 'lang="zh-hans"' in page
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/needs/"})
    assert resp.status_code == 302
    page = client.get("/needs/").content.decode()
    assert 'lang="en"' in page
    assert "Reviewed" in page and ">Needs<" in page and "Log out" in page


def test_time_zone_and_storage():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_sqlite_file_database_uses_wal_and_immediate(tmp_path, django_db_blocker):
    from config.settings.base import database

    conf = database()
    if not conf["ENGINE"].endswith("sqlite3"):
        pytest.skip("SQLite settings only")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    conf = {
        **conf,
        "NAME": str(tmp_path / "t.sqlite3"),
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
    }
    wrapper = DatabaseWrapper(conf, alias="walcheck")
    with django_db_blocker.unblock():
        _check(wrapper)


def _check(wrapper):
    try:
        with wrapper.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"
            cur.execute("PRAGMA foreign_keys")
            assert cur.fetchone()[0] == 1
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()


def test_language_switch_names_each_language_in_itself(world, client_for):
    page = client_for("coordinator").get("/needs/").content.decode()
    assert 'value="en"' in page and ">English<" in page

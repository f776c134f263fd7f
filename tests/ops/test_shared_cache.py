"""The cache is shared by every process (Django's database cache): a write in one shows in the others.

Each step runs in its own process with the settings `make run` uses, on the same database; the
dashboard's invalidation version bumped in one process is what another process reads next.
"""

from __future__ import annotations

from ops_subproc import manage, python


def test_cache_and_dashboard_invalidation_are_shared_between_processes(db_conf):
    manage(db_conf, "migrate", "--noinput")  # the cache table comes with every migrate
    python(db_conf, "from django.core.cache import cache; cache.set('kechuang:probe', '来自进程一', 60)")
    out = python(db_conf, "from django.core.cache import cache; print(cache.get('kechuang:probe'))")
    assert out.strip() == "来自进程一"

    # the dashboard's invalidation version, bumped by a write in one process, is read by the others
    read = "from kechuang.dashboard.cache import _version; print(_version())"
    before = python(db_conf, read).strip()
    assert python(db_conf, read).strip() == before  # stable while nothing changes
    python(db_conf, "from kechuang.dashboard.cache import invalidate; invalidate()")  # a write elsewhere
    assert python(db_conf, read).strip() != before

    # the control: the test settings' local-memory cache loses the value between processes
    code = "from django.core.cache import cache; cache.set('kechuang:probe', 'x', 60)"
    python(db_conf, code, settings_module="config.settings.test")
    out = python(db_conf, "from django.core.cache import cache; print(cache.get('kechuang:probe'))",
                 settings_module="config.settings.test")
    assert out.strip() == "None"

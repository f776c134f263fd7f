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


# What a snippet did to the database, through an execute wrapper: the transactions it began (SQLite's
# ``BEGIN IMMEDIATE``, the wait for the write lock; PostgreSQL begins implicitly) and its statements
# writing the cache table.
SPY = """
import json
from django.db import connection
seen = []
def spy(execute, sql, params, many, context):
    seen.append(sql.lstrip().upper())
    return execute(sql, params, many, context)
def report(**extra):
    print(json.dumps({
        "begins": sum(s.startswith("BEGIN") for s in seen),
        "cache_writes": sum(s.startswith(("INSERT", "UPDATE", "DELETE")) and "KECHUANG_CACHE" in s for s in seen),
        **extra,
    }, ensure_ascii=False))
"""


def _probe(db_conf, code: str) -> dict:
    import json

    return json.loads(python(db_conf, SPY + code).strip().splitlines()[-1])


def test_batched_cache_writes_are_one_transaction_and_shared(db_conf):
    sqlite = db_conf is not None
    manage(db_conf, "migrate", "--noinput")
    entries = "{f'kechuang:probe:{i}': f'值{i}' for i in range(12)}"
    one = _probe(db_conf, f"with connection.execute_wrapper(spy):\n    cache_set = __import__('django.core.cache', fromlist=['cache']).cache.set_many({entries}, 60)\nreport()")
    assert one["cache_writes"] == 1  # twelve entries, one statement (Django's own: 12 SELECT + INSERT)
    if sqlite:
        assert one["begins"] == 1  # one wait for the write lock, not twelve

    # another process reads every entry at once
    read = "from django.core.cache import cache\nprint(sorted(cache.get_many([f'kechuang:probe:{i}' for i in range(12)]).values()) == sorted(f'值{i}' for i in range(12)))"
    assert python(db_conf, read).strip() == "True"

    # add_many in a third process: the keys another process holds are kept and take no lock
    kept = _probe(db_conf, f"""
from django.core.cache import cache
with connection.execute_wrapper(spy):
    written = cache.add_many({{**{{k: '另一个值' for k in {entries}}}, 'kechuang:probe:new': '新'}}, 60)
report(written=written, value=cache.get('kechuang:probe:0'))
""")
    assert kept["written"] == ["kechuang:probe:new"] and kept["value"] == "值0"
    assert kept["cache_writes"] == 1
    nothing = _probe(db_conf, f"""
from django.core.cache import cache
with connection.execute_wrapper(spy):
    written = cache.add_many({entries}, 60)
report(written=written)
""")
    assert nothing == {"begins": 0, "cache_writes": 0, "written": []}

    # a read of an expired entry writes nothing (Django's own deletes it: a write on a GET); the
    # next write of the key replaces it
    expired = _probe(db_conf, """
from django.core.cache import cache
cache.set('kechuang:probe:old', '旧', 0)
with connection.execute_wrapper(spy):
    got = cache.get('kechuang:probe:old')
report(got=got, added=cache.add('kechuang:probe:old', '新', 60), now=cache.get('kechuang:probe:old'))
""")
    assert expired == {"begins": 0, "cache_writes": 0, "got": None, "added": True, "now": "新"}


DASHBOARD = """
from kechuang.accounts.models import User
from kechuang.dashboard import selectors
from kechuang.dashboard.cache import cached_dashboard
u = User.objects.get(username="probe")
scope = selectors.dashboard_scope(user=u, district=None, start=None, end=None)
with connection.execute_wrapper(spy):
    d = cached_dashboard(u, scope)
report(headline=str(d.headline))
"""


def test_a_dashboard_recomputation_writes_its_figures_in_one_transaction(db_conf):
    sqlite = db_conf is not None
    manage(db_conf, "migrate", "--noinput")
    python(db_conf, "from kechuang.accounts.models import User\nUser.objects.create_superuser('probe', 'probe@example.org', 'Probe-2026-x!')")
    python(db_conf, "from kechuang.dashboard.cache import invalidate; invalidate()")  # versions as after any write
    from django.utils import timezone

    for _ in range(2):  # across local midnight the second process reads a new day's figures: again
        day = timezone.localdate()
        cold = _probe(db_conf, DASHBOARD)
        # the versions of the monthly parts (one write) and the parts with the figure set (one write)
        assert cold["cache_writes"] <= 2, cold
        if sqlite:
            assert cold["begins"] == cold["cache_writes"], cold
        warm = _probe(db_conf, DASHBOARD)  # another process: the figures the first one wrote, no write
        if timezone.localdate() == day:
            break
    assert warm == {**cold, "begins": 0, "cache_writes": 0}
